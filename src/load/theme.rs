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
