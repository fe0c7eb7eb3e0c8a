//! Embeds the default theme (`themes/default/`) in the binary, so `init` and `build` need
//! nothing else on disk. Generates a list of `(path, bytes)` pairs, sorted for stable output.
//!
//! Also sets `MPGEN_BUILD_ID`, a hash of the sources and the theme: fingerprints include
//! it, so a new mpgen never trusts outputs an older one made.

use std::path::Path;
use std::{env, fs};

fn main() {
    // The manifest's folder as cargo gives it to this run, not as it was when the build
    // script was compiled: a build script compiled for another checkout sharing the
    // target folder would embed that checkout's theme (or none, once it is gone).
    let manifest = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let manifest = Path::new(&manifest);
    let root = manifest.join("themes/default");
    println!("cargo:rerun-if-changed=themes/default");
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort();
    let mut code = String::from("pub static DEFAULT_THEME: &[(&str, &[u8])] = &[\n");
    for rel in &files {
        println!("cargo:rerun-if-changed=themes/default/{rel}");
        code.push_str(&format!(
            "    ({rel:?}, include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/themes/default/{rel}\"))),\n"
        ));
    }
    code.push_str("];\n");

    let mut sources = Vec::new();
    collect(&manifest.join("src"), &manifest.join("src"), &mut sources);
    sources.sort();
    let mut hasher = std::hash::DefaultHasher::new();
    for rel in &sources {
        std::hash::Hash::hash(rel, &mut hasher);
        std::hash::Hash::hash(
            &fs::read(manifest.join("src").join(rel)).unwrap_or_default(),
            &mut hasher,
        );
    }
    for rel in &files {
        std::hash::Hash::hash(rel, &mut hasher);
        std::hash::Hash::hash(&fs::read(root.join(rel)).unwrap_or_default(), &mut hasher);
    }
    println!("cargo:rerun-if-changed=src");
    println!(
        "cargo:rustc-env=MPGEN_BUILD_ID={}-{:016x}",
        env::var("CARGO_PKG_VERSION").unwrap_or_default(),
        std::hash::Hasher::finish(&hasher)
    );
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("default_theme.rs");
    fs::write(out, code).expect("write default_theme.rs");
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name.ends_with('~') {
            continue;
        }
        if path.is_dir() {
            collect(root, &path, files);
        } else if let Ok(rel) = path.strip_prefix(root) {
            files.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}
