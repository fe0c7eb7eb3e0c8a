//! LOAD: find a site's files, read their bytes and parse them, with no judgement of
//! meaning. Each file is read and parsed on its own, in parallel; every parse keeps
//! byte spans so later stages can point at a line. Problems with a file as a file
//! (not UTF-8, empty, too large, not TOML, unknown keys, wrong types) become diagnostics.

pub mod catalogue;
pub mod config;
pub mod content;
pub mod profile;
pub mod theme;
pub mod toml_reader;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, SourceTexts};
use catalogue::{RawIndicator, RawRcp, RawSource};
use config::RawConfig;
use content::RawPage;
use profile::RawProfile;
use theme::{ThemeFile, ThemeFiles};
use toml_reader::Reader;

/// Larger input files are refused: no country profile comes near this, and it keeps a
/// mistaken data dump from eating the machine's memory.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// Everything read from a site folder.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub config: Option<RawConfig>,
    pub indicators: Vec<RawIndicator>,
    pub sources: Vec<RawSource>,
    pub rcps: Vec<RawRcp>,
    pub profiles: Vec<RawProfile>,
    pub pages: Vec<RawPage>,
    pub theme: ThemeFiles,
    /// `static/**` of the site, copied as is: (path under `static/`, bytes).
    pub static_files: Vec<(String, Arc<[u8]>)>,
    pub texts: SourceTexts,
    pub diags: Vec<Diagnostic>,
}

/// A name to skip in every folder: hidden files and editor backups.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with(".#")
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".bak")
        || name.ends_with(".tmp")
        || name == "4913"
}

/// Files under `dir` (relative to `root`, `/`-separated), sorted, skipping ignored names.
fn walk(root: &Path, dir: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.join(dir)];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if is_ignored(&name) {
                continue;
            }
            let path = e.path();
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                stack.push(path);
            } else if ft.is_file()
                && let Ok(rel) = path.strip_prefix(root)
            {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

/// Reads a text file: refuses files that are too large, empty or not UTF-8, and drops
/// a byte-order mark. On failure the text (lossy) is still recorded, so the diagnostic
/// can show the line.
pub fn read_text(
    root: &Path,
    rel: &str,
    texts: &mut SourceTexts,
    diags: &mut Vec<Diagnostic>,
) -> Option<Arc<str>> {
    let bytes = match read_bytes(root, rel) {
        Ok(b) => b,
        Err(msg) => {
            diags.push(Diagnostic::error(rel, None, msg));
            return None;
        }
    };
    let (text, problem) = decode(rel, &bytes);
    texts.insert(rel, text.clone());
    match problem {
        Some(d) => {
            diags.push(d);
            None
        }
        None => Some(text),
    }
}

fn read_bytes(root: &Path, rel: &str) -> Result<Vec<u8>, String> {
    let path = root.join(rel);
    let meta = fs::metadata(&path).map_err(|e| format!("cannot read this file: {e}"))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "this file is {} bytes; input files may be at most {} bytes (10 MB)",
            meta.len(),
            MAX_FILE_BYTES
        ));
    }
    fs::read(&path).map_err(|e| format!("cannot read this file: {e}"))
}

/// Bytes to text: BOM dropped, UTF-8 required, empty refused.
pub fn decode(rel: &str, bytes: &[u8]) -> (Arc<str>, Option<Diagnostic>) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) if text.trim().is_empty() => (
            Arc::from(text),
            Some(Diagnostic::error(rel, None, "this file is empty")),
        ),
        Ok(text) => (Arc::from(text), None),
        Err(e) => {
            let at = e.valid_up_to();
            let lossy = String::from_utf8_lossy(bytes).into_owned();
            let d = Diagnostic::error(
                rel,
                Some(at..at + '\u{FFFD}'.len_utf8()),
                "this file is not UTF-8 text",
            )
            .with_help(
                "save the file with the UTF-8 encoding (most editors offer it under \"Save as\")",
            );
            (Arc::from(lossy), Some(d))
        }
    }
}

/// Reads and parses the whole site under `root`.
pub fn load(root: &Path) -> Loaded {
    let mut loaded = Loaded::default();
    let mut texts = SourceTexts::default();
    let mut diags = Vec::new();

    if root.join("site.toml").is_file() {
        if let Some(text) = read_text(root, "site.toml", &mut texts, &mut diags)
            && let Some(doc) = toml_reader::parse("site.toml", &text, &mut diags)
        {
            let mut r = Reader::new("site.toml", &mut diags);
            loaded.config = Some(config::read(&mut r, doc.get_ref(), doc.span()));
        }
    } else {
        diags.push(
            Diagnostic::error("site.toml", None, "there is no site.toml here")
                .with_help("run mpgen in a site folder, pass `--root DIR`, or make a new site with `mpgen init DIR`"),
        );
    }

    for (file, what) in [
        ("indicators.toml", true),
        ("sources.toml", false),
        ("rcps.toml", false),
    ] {
        if !root.join(file).is_file() {
            if what {
                diags.push(Diagnostic::error(
                    file,
                    None,
                    "there is no indicators.toml: a site needs its indicator catalogue",
                ));
            }
            continue;
        }
        let Some(text) = read_text(root, file, &mut texts, &mut diags) else {
            continue;
        };
        let Some(doc) = toml_reader::parse(file, &text, &mut diags) else {
            continue;
        };
        let mut r = Reader::new(file, &mut diags);
        match file {
            "indicators.toml" => {
                loaded.indicators = catalogue::read_indicators(&mut r, doc.get_ref())
            }
            "sources.toml" => {
                loaded.sources = catalogue::read_sources(&mut r, doc.get_ref(), "sources.toml")
            }
            _ => loaded.rcps = catalogue::read_rcps(&mut r, doc.get_ref()),
        }
    }

    // Profiles and pages: each file on its own, in parallel; results in path order.
    let parsed: Vec<Parsed> = walk(root, "profiles")
        .into_par_iter()
        .map(|rel| parse_profile(root, rel))
        .chain(
            walk(root, "content")
                .into_par_iter()
                .filter(|r| r.ends_with(".md"))
                .map(|rel| parse_page(root, rel)),
        )
        .collect();
    for p in parsed {
        texts.merge(p.texts);
        diags.extend(p.diags);
        match p.item {
            Some(Item::Profile(prof)) => loaded.profiles.push(*prof),
            Some(Item::Page(page)) => loaded.pages.push(*page),
            None => {}
        }
    }

    let theme_name = loaded
        .config
        .as_ref()
        .and_then(|c| c.theme.as_ref())
        .map_or("default".to_string(), |t| t.value.clone());
    loaded.theme = load_theme(root, &theme_name, &mut texts, &mut diags);
    loaded.static_files = walk(root, "static")
        .into_iter()
        .filter_map(|rel| match read_bytes(root, &rel) {
            Ok(b) => Some((rel["static/".len()..].to_string(), Arc::from(b))),
            Err(msg) => {
                diags.push(Diagnostic::error(&rel, None, msg));
                None
            }
        })
        .collect();

    loaded.texts = texts;
    loaded.diags = diags;
    loaded
}

enum Item {
    Profile(Box<RawProfile>),
    Page(Box<RawPage>),
}

struct Parsed {
    item: Option<Item>,
    texts: SourceTexts,
    diags: Vec<Diagnostic>,
}

fn parse_profile(root: &Path, rel: String) -> Parsed {
    let mut texts = SourceTexts::default();
    let mut diags = Vec::new();
    let name = rel.rsplit('/').next().unwrap_or(&rel).to_string();
    let Some(file_id) = name.strip_suffix(".toml") else {
        // Not a profile: only `*.toml` files are read from `profiles/`.
        return Parsed {
            item: None,
            texts,
            diags,
        };
    };
    if rel.matches('/').count() > 1 {
        diags.push(
            Diagnostic::error(
                &rel,
                None,
                "profiles live directly in `profiles/`, not in sub-folders",
            )
            .with_help(format!("move it to `profiles/{name}`")),
        );
        return Parsed {
            item: None,
            texts,
            diags,
        };
    }
    let item = read_text(root, &rel, &mut texts, &mut diags).and_then(|text| {
        let doc = toml_reader::parse(&rel, &text, &mut diags)?;
        let mut r = Reader::new(&rel, &mut diags);
        let mut profile = profile::read(&mut r, doc.get_ref(), &rel, file_id);
        profile.text_hash = blake3::hash(text.as_bytes()).to_hex().to_string();
        Some(Item::Profile(Box::new(profile)))
    });
    Parsed { item, texts, diags }
}

fn parse_page(root: &Path, rel: String) -> Parsed {
    let mut texts = SourceTexts::default();
    let mut diags = Vec::new();
    let in_content = rel["content/".len()..].to_string();
    let item = read_text(root, &rel, &mut texts, &mut diags).map(|text| {
        Item::Page(Box::new(content::read(
            &rel,
            &in_content,
            &text,
            &mut diags,
        )))
    });
    Parsed { item, texts, diags }
}

/// The embedded default theme, with the files of `themes/<name>/` on disk laid over it.
fn load_theme(
    root: &Path,
    name: &str,
    texts: &mut SourceTexts,
    diags: &mut Vec<Diagnostic>,
) -> ThemeFiles {
    let mut theme = ThemeFiles::embedded();
    for file in theme.files.values() {
        if let Ok(text) = std::str::from_utf8(&file.bytes) {
            texts.insert(&file.origin, Arc::from(text));
        }
    }
    let dir = format!("themes/{name}");
    if name != "default" && !root.join(&dir).is_dir() {
        diags.push(Diagnostic::error(
            "site.toml",
            None,
            format!("the theme `{name}` does not exist: there is no folder `{dir}`"),
        ));
    }
    for rel in walk(root, &dir) {
        let inner = rel[dir.len() + 1..].to_string();
        let is_text = inner.starts_with("templates/") || inner.starts_with("i18n/");
        if is_text {
            if let Some(text) = read_text(root, &rel, texts, diags) {
                let bytes: Arc<[u8]> = Arc::from(text.as_bytes());
                theme.overlay(
                    inner,
                    ThemeFile {
                        origin: rel.clone(),
                        bytes,
                    },
                );
            }
        } else {
            match read_bytes(root, &rel) {
                Ok(b) => theme.overlay(
                    inner,
                    ThemeFile {
                        origin: rel.clone(),
                        bytes: Arc::from(b),
                    },
                ),
                Err(msg) => diags.push(Diagnostic::error(&rel, None, msg)),
            }
        }
    }
    theme
}

/// A digest of every file a build reads: names and bytes, in a fixed order. Reading and
/// hashing a few megabytes takes milliseconds, so a build can tell it has nothing to do
/// before it parses anything.
pub fn input_digest(root: &Path) -> blake3::Hash {
    let mut files: Vec<String> = ["site.toml", "indicators.toml", "sources.toml", "rcps.toml"]
        .into_iter()
        .filter(|f| root.join(f).is_file())
        .map(String::from)
        .collect();
    for dir in ["profiles", "content", "themes", "static"] {
        files.extend(walk(root, dir));
    }
    let hashes: Vec<blake3::Hash> = files
        .par_iter()
        .map(|rel| {
            let mut h = blake3::Hasher::new();
            h.update(rel.as_bytes());
            h.update(b"\0");
            match fs::read(root.join(rel)) {
                Ok(bytes) => h.update(&bytes),
                Err(e) => h.update(e.to_string().as_bytes()),
            };
            h.finalize()
        })
        .collect();
    let mut h = blake3::Hasher::new();
    for x in hashes {
        h.update(x.as_bytes());
    }
    h.finalize()
}

/// The folder a command works on: `--root`, or the current folder.
pub fn site_root(root: Option<PathBuf>) -> PathBuf {
    root.unwrap_or_else(|| PathBuf::from("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_accepts_bom_and_refuses_bad_bytes() {
        let (t, d) = decode("a.toml", b"\xEF\xBB\xBFa = 1\r\n");
        assert_eq!(&*t, "a = 1\r\n");
        assert!(d.is_none());

        let (t, d) = decode("a.toml", b"a = 1\nb = \"\xFF\"\n");
        let d = d.unwrap();
        assert_eq!(
            crate::diagnostics::line_col(&t, d.span.unwrap().start),
            (2, 6)
        );

        let (_, d) = decode("a.toml", b"  \n");
        assert!(d.unwrap().message.contains("empty"));
    }

    #[test]
    fn editor_files_are_ignored() {
        for name in [
            ".MEX.toml.swp",
            "MEX.toml~",
            "MEX.toml.bak",
            ".hidden",
            "4913",
            ".#MEX.toml",
        ] {
            assert!(is_ignored(name), "{name}");
        }
        assert!(!is_ignored("MEX.toml"));
    }
}
