//! The site as an editor sees it: the files on disk with the open ones' texts laid over,
//! checked by mpgen's own load and check, with their caches kept between keystrokes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_types::{Diagnostic as LspDiagnostic, DiagnosticSeverity, Position, Range, Uri};
use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

use crate::diagnostics::{Diagnostic, Severity, SourceTexts};
use crate::load::{self, Changed};
use crate::pipeline::{self, CheckCache};
use crate::schema::Vocabulary;

/// What a path keeps as it is in a `file://` address.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

pub struct Workspace {
    /// The site folder, canonical, so that editors' paths compare with it.
    pub root: PathBuf,
    load: load::Cache,
    check: CheckCache,
    /// The site's ids and names, as of the last check: for hover and completion.
    pub vocabulary: Option<Vocabulary>,
    /// The texts of the last check, for positions in files that are not open.
    texts: SourceTexts,
    /// The diagnostics the editor shows now, by file: only what changes is sent, and a
    /// file's are cleared when fixed.
    shown: BTreeMap<String, Vec<LspDiagnostic>>,
    /// Whether positions count UTF-8 bytes (when the client says it can) or UTF-16 units.
    pub utf8: bool,
}

impl Workspace {
    pub fn new(root: &Path) -> Self {
        Workspace {
            root: root.canonicalize().unwrap_or_else(|_| root.to_path_buf()),
            load: load::Cache::default(),
            check: CheckCache::default(),
            vocabulary: None,
            texts: SourceTexts::default(),
            shown: BTreeMap::new(),
            utf8: false,
        }
    }

    /// The path under the site of a `file://` address of a file mpgen reads; `None`
    /// for any other (outside the site, or a file such as README.md beside it).
    pub fn rel(&self, uri: &Uri) -> Option<String> {
        let path = uri.as_str().strip_prefix("file://")?;
        let path = percent_decode_str(path).decode_utf8().ok()?;
        let rel = Path::new(path.as_ref()).strip_prefix(&self.root).ok()?;
        let parts: Vec<&str> = rel.iter().map(|p| p.to_str()).collect::<Option<_>>()?;
        let read = match parts.as_slice() {
            [file] => load::CATALOGUE_FILES.contains(file),
            [top, _, ..] => ["profiles", "content", "themes", "static"].contains(top),
            [] => false,
        };
        (read && !parts.contains(&"..")).then(|| parts.join("/"))
    }

    pub fn uri(&self, rel: &str) -> Option<Uri> {
        let path = self.root.join(rel);
        let text = format!("file://{}", utf8_percent_encode(path.to_str()?, PATH));
        text.parse().ok()
    }

    /// The text of a file as the editor has it.
    pub fn text(&self, rel: &str) -> Option<Arc<str>> {
        if let Some(open) = self.load.open.get(rel) {
            return Some(open.clone());
        }
        let text = self.texts.get(rel)?;
        Some(Arc::from(text))
    }

    /// An editor opened or changed a file: its text stands in for the disk's.
    pub fn open(&mut self, rel: &str, text: String) {
        self.load.open.insert(rel.to_string(), Arc::from(text));
    }

    /// An editor closed a file: the disk's text counts again.
    pub fn close(&mut self, rel: &str) {
        self.load.open.remove(rel);
    }

    /// Checks the site again, reading only `changed` (or, with `None`, every file whose
    /// length or time moved), and says which files' diagnostics to publish: those that
    /// changed (cleared ones too), and the files just edited.
    pub fn check(
        &mut self,
        changed: Option<&BTreeSet<String>>,
    ) -> Vec<(String, Vec<LspDiagnostic>)> {
        let none = BTreeSet::new();
        let changed_paths = changed;
        let changed = match changed {
            Some(paths) => Changed::Exactly(paths),
            None => Changed::Maybe(&none),
        };
        let loaded = load::load_cached(&self.root, &mut self.load, &changed);
        self.vocabulary = Some(Vocabulary::of(&loaded).0);
        let checked = pipeline::check_again(loaded, &mut self.check);
        self.texts = checked.texts;
        let mut by_file: BTreeMap<String, Vec<LspDiagnostic>> = BTreeMap::new();
        for d in &checked.diags {
            let lsp = self.convert(d);
            by_file.entry(d.file.clone()).or_default().push(lsp);
        }
        // The embedded theme's files are not the site's: an editor cannot open them.
        by_file.retain(|f, _| self.load.open.contains_key(f) || self.root.join(f).is_file());
        // Files that had problems and have none now are cleared; a file just edited
        // gets its list even when it is the same, so the editor knows its text was
        // checked.
        let edited: BTreeSet<&String> = changed_paths.into_iter().flatten().collect();
        for file in self.shown.keys().chain(edited.iter().copied()) {
            by_file.entry(file.clone()).or_default();
        }
        let news: Vec<(String, Vec<LspDiagnostic>)> = by_file
            .into_iter()
            .filter(|(f, d)| edited.contains(f) || self.shown.get(f) != Some(d))
            .collect();
        for (file, diags) in &news {
            match diags.is_empty() {
                true => self.shown.remove(file),
                false => self.shown.insert(file.clone(), diags.clone()),
            };
        }
        news
    }

    fn convert(&self, d: &Diagnostic) -> LspDiagnostic {
        let range = match (&d.span, self.text(&d.file)) {
            (Some(span), Some(text)) => Range {
                start: self.position(&text, span.start),
                end: self.position(&text, span.end),
            },
            _ => Range::default(),
        };
        let message = match &d.help {
            Some(help) => format!("{}\nhelp: {help}", d.message),
            None => d.message.clone(),
        };
        LspDiagnostic {
            range,
            severity: Some(match d.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
            }),
            source: Some("mpgen".into()),
            message,
            ..LspDiagnostic::default()
        }
    }

    /// A byte offset as an editor's position: a line, and the bytes or UTF-16 units
    /// before it on that line.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char(text, offset.min(text.len()));
        let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line = text[..start].matches('\n').count();
        let before = &text[start..offset];
        let character = if self.utf8 {
            before.len()
        } else {
            before.encode_utf16().count()
        };
        Position::new(line as u32, character as u32)
    }

    /// An editor's position as a byte offset; past the end of a line is its end.
    pub fn offset(&self, text: &str, pos: Position) -> usize {
        let mut start = 0;
        for _ in 0..pos.line {
            match text[start..].find('\n') {
                Some(i) => start += i + 1,
                None => return text.len(),
            }
        }
        let line = &text[start..text[start..].find('\n').map_or(text.len(), |i| start + i)];
        let mut units = 0;
        for (i, c) in line.char_indices() {
            if units >= pos.character as usize {
                return start + i;
            }
            units += if self.utf8 {
                c.len_utf8()
            } else {
                c.len_utf16()
            };
        }
        start + line.len()
    }
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_unless_utf8_was_agreed() {
        let mut w = Workspace::new(Path::new("."));
        let text = "a = 1\nname = \"Türkiye 𝄞\"\nx";
        let at = text.find('𝄞').unwrap();
        assert_eq!(w.position(text, at), Position::new(1, 16));
        assert_eq!(w.offset(text, Position::new(1, 16)), at);
        w.utf8 = true;
        assert_eq!(w.position(text, at), Position::new(1, 17));
        assert_eq!(w.offset(text, Position::new(1, 17)), at);
        assert_eq!(w.offset(text, Position::new(9, 0)), text.len());
        assert_eq!(w.offset(text, Position::new(0, 99)), 5);
    }

    #[test]
    fn only_files_under_the_site_have_a_path() {
        let w = Workspace::new(Path::new(env!("CARGO_MANIFEST_DIR")));
        let uri = w.uri("profiles/MEX.toml").unwrap();
        assert_eq!(w.rel(&uri).as_deref(), Some("profiles/MEX.toml"));
        let outside: Uri = "file:///etc/passwd".parse().unwrap();
        assert_eq!(w.rel(&outside), None);
        let sneaky = w.uri("profiles/../../x").unwrap();
        assert_eq!(w.rel(&sneaky), None);
        let beside = w.uri("README.md").unwrap();
        assert_eq!(w.rel(&beside), None);
        assert!(w.rel(&w.uri("site.toml").unwrap()).is_some());
    }
}
