//! The theme: the embedded default, with a site's `themes/<name>/` files laid over it.

use std::collections::BTreeMap;
use std::sync::Arc;

include!(concat!(env!("OUT_DIR"), "/default_theme.rs"));

/// One theme file, with where it came from (for diagnostics and fingerprints).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeFile {
    /// `themes/default/templates/base.html` for a file on disk, or
    /// `<embedded>/templates/base.html` for one from the binary.
    pub origin: String,
    pub bytes: Arc<[u8]>,
}

/// Every file of the theme, keyed by its path inside the theme
/// (`templates/profile.html`, `static/style.css`, `i18n/fr.toml`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThemeFiles {
    pub files: BTreeMap<String, ThemeFile>,
}

impl ThemeFiles {
    /// The theme built into the binary. Its bytes are shared by every load, so
    /// fingerprints of its files can be kept by address.
    pub fn embedded() -> Self {
        static EMBEDDED: std::sync::OnceLock<ThemeFiles> = std::sync::OnceLock::new();
        EMBEDDED.get_or_init(Self::read_embedded).clone()
    }

    fn read_embedded() -> Self {
        let files = DEFAULT_THEME
            .iter()
            .map(|(rel, bytes)| {
                (
                    rel.to_string(),
                    ThemeFile {
                        origin: format!("<embedded>/{rel}"),
                        bytes: Arc::from(*bytes),
                    },
                )
            })
            .collect();
        ThemeFiles { files }
    }

    pub fn overlay(&mut self, rel: String, file: ThemeFile) {
        self.files.insert(rel, file);
    }

    pub fn under<'a>(
        &'a self,
        dir: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a ThemeFile)> + 'a {
        self.files
            .iter()
            .filter_map(move |(k, v)| k.strip_prefix(dir).map(|rest| (rest, v)))
    }
}

/// What the plan reads of the theme, hashed by part when the theme is loaded: a page
/// reads the templates it is made with, a chart the UI strings only.
#[derive(Debug, Clone)]
pub struct ThemeParts {
    /// Each template's hash, with those it extends, includes or imports (every
    /// template's, for one that names another by a value rather than a literal).
    pub templates: BTreeMap<String, blake3::Hash>,
    /// The phrases and UI strings: part of every page's fingerprint.
    pub words: blake3::Hash,
    /// The UI strings alone: charts depend on them, not on templates or phrases.
    pub strings: blake3::Hash,
    /// Static files of the theme (`static/**`): path under `static/` -> bytes.
    pub static_files: Vec<(String, Arc<[u8]>)>,
    /// The world outlines for maps (`map/countries-50m.json`, TopoJSON), if any.
    pub map: Option<Arc<[u8]>>,
}

impl ThemeParts {
    pub fn of(theme: &ThemeFiles) -> ThemeParts {
        let (mut words, mut strings) = (blake3::Hasher::new(), blake3::Hasher::new());
        for (name, file) in theme.under("phrases/") {
            hash_named(&mut words, name, &file.bytes);
        }
        for (name, file) in theme.under("i18n/") {
            hash_named(&mut words, name, &file.bytes);
            hash_named(&mut strings, name, &file.bytes);
        }
        ThemeParts {
            templates: template_hashes(theme),
            words: words.finalize(),
            strings: strings.finalize(),
            static_files: theme
                .under("static/")
                .map(|(rel, f)| (rel.to_string(), f.bytes.clone()))
                .collect(),
            map: theme
                .files
                .get("map/countries-50m.json")
                .map(|f| f.bytes.clone()),
        }
    }
}

/// Each template's hash, with the templates it reaches by `extends`, `include`,
/// `import` and `from`, so that a page is rendered again only when a template it is
/// made with changed. A template that names another by a value (`include name`) may
/// reach any: it gets the hash of them all.
fn template_hashes(theme: &ThemeFiles) -> BTreeMap<String, blake3::Hash> {
    let files: BTreeMap<&str, &[u8]> = theme
        .under("templates/")
        .map(|(name, f)| (name, &*f.bytes))
        .collect();
    let mut every = blake3::Hasher::new();
    for (name, bytes) in &files {
        hash_named(&mut every, name, bytes);
    }
    let every = every.finalize();
    let names: BTreeMap<&str, Option<Vec<String>>> = files
        .iter()
        .map(|(name, bytes)| (*name, referenced(&String::from_utf8_lossy(bytes))))
        .collect();
    files
        .keys()
        .map(|name| {
            let mut seen = std::collections::BTreeSet::new();
            let mut todo = vec![name.to_string()];
            while let Some(n) = todo.pop() {
                if !seen.insert(n.clone()) {
                    continue;
                }
                match names.get(n.as_str()) {
                    Some(Some(refs)) => todo.extend(refs.iter().cloned()),
                    Some(None) => return (name.to_string(), every),
                    None => {}
                }
            }
            let mut h = blake3::Hasher::new();
            for n in &seen {
                // A name with no template hashes as absent, so adding it counts.
                hash_named(&mut h, n, files.get(n.as_str()).copied().unwrap_or(b"\0-"));
            }
            (name.to_string(), h.finalize())
        })
        .collect()
}

fn hash_named(h: &mut blake3::Hasher, name: &str, bytes: &[u8]) {
    h.update(&(name.len() as u64).to_le_bytes());
    h.update(name.as_bytes());
    h.update(&(bytes.len() as u64).to_le_bytes());
    h.update(bytes);
}

/// The templates a template names by `extends`, `include`, `import` or `from`;
/// `None` if it names one by anything but a string literal.
pub fn referenced(text: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("{%") {
        rest = &rest[at + 2..];
        let end = rest.find("%}").unwrap_or(rest.len());
        let tag = rest[..end].trim_start_matches(['-', '+']).trim_start();
        rest = &rest[end..];
        let Some((word, arg)) = tag.split_once(char::is_whitespace) else {
            continue;
        };
        if !matches!(word, "extends" | "include" | "import" | "from") {
            continue;
        }
        let arg = arg.trim_start();
        let quote = arg.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let name = arg[1..].split(quote).next()?;
        out.push(name.to_string());
        // `include "a" ignore missing` and the like name one template; a list of
        // names, or a name joined to a value, is not a literal.
        let after = arg[1 + name.len()..].trim_start_matches(quote).trim_start();
        if after.starts_with(['~', '+', '[', '(']) || after.contains(['"', '\'']) {
            return None;
        }
    }
    Some(out)
}
