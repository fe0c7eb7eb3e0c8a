//! Problems found in a site's input, and how they are shown.
//!
//! Every stage that judges input (load, check, the theme) pushes `Diagnostic`s into one
//! list instead of stopping at the first problem. This module shows them: as
//! `file:line:col` with the line and a caret (through `annotate-snippets`, the renderer
//! cargo uses), or as one JSON document for CI. It does not decide exit codes; `main` does.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, pointing at a byte span of one input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path relative to the site root, with `/` separators.
    pub file: String,
    /// Byte span in the file's text (after a byte-order mark is removed); `None` for
    /// problems about the file as a whole.
    pub span: Option<Range<usize>>,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(file: &str, span: Option<Range<usize>>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.to_string(),
            span,
            message: message.into(),
            help: None,
        }
    }

    pub fn warning(file: &str, span: Option<Range<usize>>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, span, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The text of every input file, so diagnostics can show the offending line.
#[derive(Debug, Default, Clone)]
pub struct SourceTexts {
    /// Names shared, like the texts: a site's texts are gathered again on every
    /// rebuild, from the files' own.
    texts: BTreeMap<Arc<str>, Arc<str>>,
}

impl SourceTexts {
    pub fn insert(&mut self, file: &str, text: Arc<str>) {
        self.texts.insert(Arc::from(file), text);
    }

    pub fn merge(&mut self, other: SourceTexts) {
        self.texts.extend(other.texts);
    }

    /// Takes in others' texts, sharing them. At once: a map built from entries that
    /// come mostly in order costs a fraction of inserting them one by one.
    pub fn merge_all<'a>(&mut self, others: impl Iterator<Item = &'a SourceTexts>) {
        let mut entries: Vec<(Arc<str>, Arc<str>)> =
            std::mem::take(&mut self.texts).into_iter().collect();
        for other in others {
            entries.extend(other.texts.iter().map(|(f, t)| (f.clone(), t.clone())));
        }
        self.texts = entries.into_iter().collect();
    }

    pub fn get(&self, file: &str) -> Option<&str> {
        self.texts.get(file).map(|t| &**t)
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Sorts diagnostics into a stable order: by file, then position, then message.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (
            &a.file,
            a.span.as_ref().map(|s| (s.start, s.end)),
            &a.message,
            a.severity,
        )
            .cmp(&(
                &b.file,
                b.span.as_ref().map(|s| (s.start, s.end)),
                &b.message,
                b.severity,
            ))
    });
}

/// Shows diagnostics for a terminal: `error: message`, `--> file:line:col`, the line
/// and a caret, then the help.
pub fn render_human(diags: &[Diagnostic], texts: &SourceTexts, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for d in diags {
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let text = texts.get(&d.file);
        let title = level.primary_title(d.message.as_str());
        let mut elements: Vec<annotate_snippets::Element> = Vec::new();
        match (text, &d.span) {
            (Some(text), Some(span)) if !text.is_empty() => {
                let span = clamp_span(text, span.clone());
                elements.push(
                    Snippet::source(text)
                        .path(d.file.as_str())
                        .fold(true)
                        .annotation(AnnotationKind::Primary.span(span))
                        .into(),
                );
            }
            _ => {
                elements.push(annotate_snippets::Origin::path(d.file.as_str()).into());
            }
        }
        if let Some(help) = &d.help {
            elements.push(Level::HELP.message(help.as_str()).into());
        }
        let group = Group::with_title(title).elements(elements);
        out.push_str(&renderer.render(&[group]));
        out.push_str("\n\n");
    }
    out
}

/// Keeps a span inside the text and on character boundaries, and never empty, so the
/// caret always has something to point at.
fn clamp_span(text: &str, span: Range<usize>) -> Range<usize> {
    let start = floor_char_boundary(text, span.start.min(text.len()));
    let mut end = floor_char_boundary(text, span.end.min(text.len())).max(start);
    // A span that starts at a line end (an unclosed string, an empty first line) points
    // at that end, not across into the next line.
    if text[start..].starts_with(['\n', '\r']) || start == text.len() {
        return start..start;
    }
    if end == start {
        end = text[start..]
            .chars()
            .next()
            .map_or(start, |c| start + c.len_utf8());
    }
    // A span over several lines is shown by its first line; the caret stays readable.
    if let Some(nl) = text[start..end].find('\n')
        && nl > 0
    {
        end = start + nl;
    }
    start..end
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: Severity,
    file: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    message: &'a str,
    help: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    errors: usize,
    warnings: usize,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

/// Shows diagnostics as one JSON document, for CI.
pub fn render_json(diags: &[Diagnostic], texts: &SourceTexts) -> String {
    let diagnostics = diags
        .iter()
        .map(|d| {
            let pos = |offset: usize| texts.get(&d.file).map(|t| line_col(t, offset));
            let start = d.span.as_ref().and_then(|s| pos(s.start));
            let end = d.span.as_ref().and_then(|s| pos(s.end));
            JsonDiagnostic {
                severity: d.severity,
                file: &d.file,
                line: start.map(|p| p.0),
                column: start.map(|p| p.1),
                end_line: end.map(|p| p.0),
                end_column: end.map(|p| p.1),
                message: &d.message,
                help: d.help.as_deref(),
            }
        })
        .collect();
    let report = JsonReport {
        errors: diags.iter().filter(|d| d.is_error()).count(),
        warnings: diags.iter().filter(|d| !d.is_error()).count(),
        diagnostics,
    };
    serde_json::to_string_pretty(&report).unwrap_or_default()
}

/// The nearest of `known` to `word`, when it is near enough to be a likely typo.
pub fn nearest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(word, k), *k))
        .filter(|(d, k)| *d <= 1.max(k.len() / 3))
        .min()
        .map(|(_, k)| k)
}

/// `a`, `b` and `c`: a list of allowed values for a hint.
pub fn one_of(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} or {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "a = 1\nné = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        // `=` after a two-byte character is the 4th character of line 2.
        assert_eq!(line_col(text, 10), (2, 4));
    }

    #[test]
    fn nearest_finds_typos_only() {
        let known = ["values", "female", "male", "low", "high"];
        assert_eq!(nearest("valeus", &known), Some("values"));
        assert_eq!(nearest("femal", &known), Some("female"));
        assert_eq!(nearest("population", &known), None);
    }

    #[test]
    fn human_output_points_at_the_span() {
        let mut texts = SourceTexts::default();
        texts.insert("p.toml", Arc::from("[series.x]\nvalues = 1\n"));
        let d = Diagnostic::error("p.toml", Some(11..17), "bad").with_help("try this");
        let out = render_human(&[d], &texts, false);
        assert!(out.contains("p.toml:2:1"), "{out}");
        assert!(out.contains("^^^^^^"), "{out}");
        assert!(out.contains("help: try this"), "{out}");
    }
}
