//! A fixture site in a temporary folder: copy, change files, build, compare.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use mpgen::pipeline::{self, BuildOptions, BuildReport, Checked};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Every file under `dir`, by `/`-separated relative path, but the manifest.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for e in entries {
            let e = e.unwrap();
            let path = e.path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                if rel != mpgen::output::MANIFEST {
                    out.insert(rel, fs::read(&path).unwrap());
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The default site's profiles with hand-written parts.
pub const HAND_PROFILES: [&str; 12] = [
    "BGD", "DEU", "ESP", "IND", "MAR", "MEX", "NGA", "PHL", "SEN", "SLV", "TUR", "USA",
];

pub struct Site {
    _tmp: tempfile::TempDir,
    pub root: PathBuf,
    pub out: PathBuf,
}

impl Site {
    pub fn fixture(name: &str) -> Site {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        copy_dir(&fixtures().join(name), &root);
        let out = tmp.path().join("out");
        Site {
            _tmp: tmp,
            root,
            out,
        }
    }

    /// A copy of the repository's own site: settings, catalogue and pages, and the
    /// profiles written by hand (narratives, agreements, RCPs), which exercise every part
    /// of the theme. The other imported profiles only add more of the same, and time in
    /// debug builds; `the_whole_default_site_checks_clean` covers them.
    pub fn default_site() -> Site {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        fs::create_dir_all(&root).unwrap();
        for f in ["site.toml", "indicators.toml", "sources.toml", "rcps.toml"] {
            fs::copy(repo.join(f), root.join(f)).unwrap();
        }
        fs::create_dir_all(root.join("profiles")).unwrap();
        for code in HAND_PROFILES {
            let rel = format!("profiles/{code}.toml");
            fs::copy(repo.join(&rel), root.join(&rel)).unwrap();
        }
        copy_dir(&repo.join("content"), &root.join("content"));
        let out = tmp.path().join("out");
        Site {
            _tmp: tmp,
            root,
            out,
        }
    }

    /// Lays the files of `dir` over the site; a file `DELETE` there lists paths to remove.
    pub fn overlay(self, dir: &Path) -> Site {
        copy_dir(dir, &self.root);
        let delete = self.root.join("DELETE");
        if let Ok(list) = fs::read_to_string(&delete) {
            for rel in list.lines().filter(|l| !l.trim().is_empty()) {
                fs::remove_file(self.root.join(rel.trim())).unwrap();
            }
            fs::remove_file(delete).unwrap();
        }
        let _ = fs::remove_file(self.root.join("CASE.md"));
        self
    }

    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) -> &Self {
        let path = self.root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
        self
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.root.join(rel)).unwrap()
    }

    pub fn edit(&self, rel: &str, from: &str, to: &str) -> &Self {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, text.replacen(from, to, 1))
    }

    /// Overrides the embedded theme's `page.html` with an edited copy.
    pub fn edit_theme_page(&self, from: &str, to: &str) -> &Self {
        let theme = mpgen::load::theme::ThemeFiles::embedded();
        let page = String::from_utf8(theme.files["templates/page.html"].bytes.to_vec()).unwrap();
        assert!(page.contains(from));
        self.write("themes/default/templates/page.html", page.replace(from, to))
    }

    pub fn remove(&self, rel: &str) -> &Self {
        fs::remove_file(self.root.join(rel)).unwrap();
        self
    }

    /// Runs git in the site folder, as a user with a name; a failure fails the test.
    pub fn git(&self, args: &[&str]) -> &Self {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(&self.root)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self
    }

    /// Makes the site a git repository with everything committed once.
    pub fn git_commit_all(&self) -> &Self {
        self.git(&["init", "-q"])
            .git(&["add", "."])
            .git(&["commit", "-q", "-m", "first"])
    }

    pub fn options(&self) -> BuildOptions {
        BuildOptions {
            root: self.root.clone(),
            out: Some(self.out.clone()),
            ..BuildOptions::default()
        }
    }

    pub fn build(&self) -> BuildReport {
        match pipeline::build(&self.options()) {
            Ok(r) => r,
            Err(pipeline::BuildError::Invalid { diags, texts }) => {
                panic!(
                    "the site has errors:\n{}",
                    mpgen::diagnostics::render_human(&diags, &texts, false)
                )
            }
            Err(pipeline::BuildError::Failed(e)) => panic!("build failed: {e}"),
        }
    }

    /// Every output rendered in memory on `threads` worker threads.
    pub fn render_with_threads(
        &self,
        threads: usize,
    ) -> std::collections::BTreeMap<String, Vec<u8>> {
        let opts = BuildOptions {
            threads: Some(threads),
            ..self.options()
        };
        pipeline::render_all(&opts).unwrap_or_else(|e| panic!("render failed: {e:?}"))
    }

    pub fn try_build(&self) -> Result<BuildReport, pipeline::BuildError> {
        pipeline::build(&self.options())
    }

    pub fn check(&self) -> Checked {
        pipeline::check(&self.root)
    }

    pub fn output(&self, rel: &str) -> String {
        fs::read_to_string(self.out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    pub fn tree(&self) -> BTreeMap<String, Vec<u8>> {
        tree(&self.out)
    }

    /// A fresh full build of the site as it is now, into a new folder, must give the
    /// same tree as the output built step by step.
    pub fn assert_same_as_full(&self) {
        let fresh = tempfile::tempdir().unwrap();
        let opts = BuildOptions {
            out: Some(fresh.path().join("out")),
            ..self.options()
        };
        pipeline::build(&opts).unwrap_or_else(|e| panic!("full build failed: {e:?}"));
        let full = tree(&fresh.path().join("out"));
        let incremental = self.tree();
        let a: Vec<&String> = full.keys().collect();
        let b: Vec<&String> = incremental.keys().collect();
        assert_eq!(a, b, "the two builds have different files");
        for (path, bytes) in &full {
            assert!(
                incremental[path] == *bytes,
                "{path} differs between the incremental and the full build"
            );
        }
    }
}
