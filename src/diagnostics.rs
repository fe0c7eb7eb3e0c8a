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
    Lines::new(text).line_col(offset)
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

/// The most diagnostics shown one by one; the rest are counted by kind. Past a few
/// hundred, a list is scrolled, not read, and printing it costs more than finding it.
pub const MAX_SHOWN: usize = 300;

/// The most diagnostics a JSON report lists: every one of any real site (the default
/// site has a few hundred), and a bound on what a hostile input can make mpgen print.
pub const MAX_JSON: usize = 100_000;

/// Where each line of a text starts, so that a position is found by bisection, not by
/// counting from the start of the file for every diagnostic.
struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    /// The 0-based line holding `offset`, and where it starts and ends (without its
    /// `\n` or `\r\n`).
    fn line_of(&self, offset: usize) -> (usize, Range<usize>) {
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let mut end = self
            .starts
            .get(line + 1)
            .map_or(self.text.len(), |&next| next - 1);
        if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        (line, start..end)
    }

    /// 1-based line and column (in characters) of a byte offset.
    fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let (line, range) = self.line_of(offset);
        (line + 1, self.text[range.start..offset].chars().count() + 1)
    }
}

/// The line indexes of the files diagnostics point into, made once per file.
#[derive(Default)]
struct LineIndexes<'t> {
    by_file: BTreeMap<&'t str, Lines<'t>>,
}

impl<'t> LineIndexes<'t> {
    fn get(&mut self, texts: &'t SourceTexts, file: &'t str) -> Option<&Lines<'t>> {
        let text = texts.get(file)?;
        Some(self.by_file.entry(file).or_insert_with(|| Lines::new(text)))
    }
}

/// Shows diagnostics for a terminal: `error: message`, `--> file:line:col`, the line
/// and a caret, then the help. At most [`MAX_SHOWN`]; then how many more, by kind.
pub fn render_human(diags: &[Diagnostic], texts: &SourceTexts, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut lines = LineIndexes::default();
    let mut out = String::new();
    for d in diags.iter().take(MAX_SHOWN) {
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let title = level.primary_title(d.message.as_str());
        let mut elements: Vec<annotate_snippets::Element> = Vec::new();
        // The excerpt is a piece of its line, so the renderer cannot tell the column:
        // the `-->` line is written here, after the title.
        let mut origin = None;
        match (lines.get(texts, &d.file), &d.span) {
            (Some(index), Some(span)) if !index.text.is_empty() => {
                let (shown, at, (line, col)) = excerpt(index, clamp_span(index.text, span.clone()));
                origin = Some(format!(
                    "{:width$}--> {}:{line}:{col}\n",
                    "",
                    d.file,
                    width = line.to_string().len()
                ));
                elements.push(
                    Snippet::source(shown)
                        .line_start(line)
                        .annotation(AnnotationKind::Primary.span(at))
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
        let shown = renderer.render(&[group]);
        match (origin, shown.split_once('\n')) {
            (Some(origin), Some((title, rest))) => {
                out.push_str(title);
                out.push('\n');
                out.push_str(&origin);
                out.push_str(rest);
            }
            _ => out.push_str(&shown),
        }
        out.push_str("\n\n");
    }
    if let Some(rest) = diags.get(MAX_SHOWN..).filter(|r| !r.is_empty()) {
        out.push_str(&more_by_kind(rest));
    }
    out
}

/// How many warnings of one kind make a group: fewer are shown one by one.
pub const GROUP_AT: usize = 5;

/// Like [`render_human`], but the warnings of a kind that repeats (`GROUP_AT` times or
/// more: the same data gap across a hundred profiles, say) are counted in one line
/// each, with how many files they are in. Errors, and the warnings of rarer kinds,
/// are shown in full.
pub fn render_grouped(diags: &[Diagnostic], texts: &SourceTexts, color: bool) -> String {
    let mut groups: BTreeMap<String, (usize, std::collections::BTreeSet<&str>)> = BTreeMap::new();
    for d in diags.iter().filter(|d| !d.is_error()) {
        let (n, files) = groups.entry(group_of(&d.message)).or_default();
        *n += 1;
        files.insert(d.file.as_str());
    }
    groups.retain(|_, (n, _)| *n >= GROUP_AT);
    let single: Vec<Diagnostic> = diags
        .iter()
        .filter(|d| d.is_error() || !groups.contains_key(&group_of(&d.message)))
        .cloned()
        .collect();
    let mut out = render_human(&single, texts, color);
    if groups.is_empty() {
        return out;
    }
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(&b.0)));
    let total: usize = groups.iter().map(|(_, (n, _))| n).sum();
    out.push_str(&format!(
        "warning: {} more warnings, of {} kinds that repeat (`--verbose` shows each one):\n",
        digits(total as f64),
        groups.len()
    ));
    for (kind, (n, files)) in &groups {
        let n = digits(*n as f64);
        let within = match files.len() {
            1 => format!("in {}", files.first().copied().unwrap_or_default()),
            k => format!("in {} files", digits(k as f64)),
        };
        out.push_str(&format!("  {n:>7} × {kind}, {within}\n"));
    }
    out
}

/// A message with what varies from case to case left out (what is quoted, what is in
/// brackets, numbers): the kind of problem, to count alike warnings as one.
fn group_of(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let (mut quoted, mut bracketed, mut number) = (false, 0usize, false);
    for c in message.chars() {
        match c {
            '`' => {
                if !quoted {
                    out.push_str("`…`");
                }
                quoted = !quoted;
            }
            _ if quoted => {}
            '(' => {
                if bracketed == 0 {
                    out.push_str("(…)");
                }
                bracketed += 1;
            }
            ')' if bracketed > 0 => bracketed -= 1,
            _ if bracketed > 0 => {}
            '0'..='9' => {
                if !number {
                    out.push('N');
                }
                number = true;
                continue;
            }
            _ => out.push(c),
        }
        number = false;
    }
    out
}

/// How much of a long line is shown either side of a span; a line up to four times
/// this is shown whole.
const CONTEXT: usize = 60;

/// The part of a span's line that is shown, the span within it, and where the span
/// starts (1-based line and column). Only the line pointed at, and only near the span,
/// is handed to the renderer: a whole file, or one 10 MB line, for every diagnostic
/// made showing them cost the file's length each.
fn excerpt(index: &Lines<'_>, span: Range<usize>) -> (String, Range<usize>, (usize, usize)) {
    let text = index.text;
    let (_, line) = index.line_of(span.start);
    let end = span.end.min(line.end).max(span.start);
    let whole = line.len() <= 4 * CONTEXT;
    let left = if whole {
        line.start
    } else {
        floor_char_boundary(text, span.start.saturating_sub(CONTEXT).max(line.start))
    };
    let mut right = if whole {
        line.end
    } else {
        (end + CONTEXT).min(line.end)
    };
    while !text.is_char_boundary(right) {
        right += 1;
    }
    let (open, close) = (
        if left > line.start { "..." } else { "" },
        if right < line.end { "..." } else { "" },
    );
    let shown = format!("{open}{}{close}", &text[left..right]);
    let at = open.len() + span.start - left..open.len() + end - left;
    (shown, at, index.line_col(span.start))
}

/// "… and 19,700 more: 19,650 × error: `…` is not a year, ...": what was not shown.
fn more_by_kind(rest: &[Diagnostic]) -> String {
    let mut kinds: BTreeMap<(Severity, String), usize> = BTreeMap::new();
    for d in rest {
        *kinds.entry((d.severity, kind_of(&d.message))).or_default() += 1;
    }
    let mut kinds: Vec<_> = kinds.into_iter().collect();
    kinds.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut out = format!("... and {} more, not shown; by kind:\n", rest.len());
    const KINDS: usize = 12;
    for ((severity, kind), n) in kinds.iter().take(KINDS) {
        let level = match severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        out.push_str(&format!("  {n:>7} {level}: {kind}\n"));
    }
    if kinds.len() > KINDS {
        let others: usize = kinds[KINDS..].iter().map(|(_, n)| n).sum();
        out.push_str(&format!(
            "  {others:>7} of {} other kinds\n",
            kinds.len() - KINDS
        ));
    }
    out
}

/// A message with what is quoted in it left out: the kind of problem, not its case.
fn kind_of(message: &str) -> String {
    let mut out = String::new();
    for (i, part) in message.split('`').enumerate() {
        if i % 2 == 1 {
            out.push_str("`…`");
        } else {
            out.push_str(part);
        }
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
    /// Diagnostics past the first [`MAX_JSON`], counted in `errors` and `warnings`
    /// but not listed.
    omitted: usize,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

/// Shows diagnostics as one JSON document, for CI and editors: every one (up to
/// [`MAX_JSON`]), ungrouped, with the counts of all and how many were left out.
pub fn render_json(diags: &[Diagnostic], texts: &SourceTexts) -> String {
    let mut lines = LineIndexes::default();
    let diagnostics = diags
        .iter()
        .take(MAX_JSON)
        .map(|d| {
            let index = lines.get(texts, &d.file);
            let pos = |offset: usize| index.map(|l| l.line_col(offset));
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
        omitted: diags.len().saturating_sub(MAX_JSON),
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
/// A whole number in a message, every digit with English marks as the files write
/// it: `-104,581`.
pub fn digits(v: f64) -> String {
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0.0 { format!("-{out}") } else { out }
}

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

    #[test]
    fn only_the_first_few_hundred_are_shown_and_the_rest_counted_by_kind_but_json_lists_all() {
        let mut texts = SourceTexts::default();
        let text: String = (0..1000).map(|i| format!("y{i} = 1\n")).collect();
        texts.insert("p.toml", Arc::from(text.as_str()));
        let diags: Vec<Diagnostic> = (0..1000)
            .map(|i| {
                let at = text.find(&format!("y{i} ")).unwrap();
                Diagnostic::error("p.toml", Some(at..at + 2), format!("`y{i}` is not a year"))
            })
            .collect();
        let out = render_human(&diags, &texts, false);
        assert_eq!(out.matches("error: `y").count(), MAX_SHOWN);
        assert!(out.contains(&format!("p.toml:{MAX_SHOWN}:1")), "{out}");
        assert!(!out.contains(&format!("p.toml:{}:1", MAX_SHOWN + 1)));
        assert!(out.contains("... and 700 more"), "{out}");
        assert!(out.contains("    700 error: `…` is not a year"), "{out}");
        let json: serde_json::Value = serde_json::from_str(&render_json(&diags, &texts)).unwrap();
        assert_eq!(json["errors"], 1000);
        // JSON lists them all.
        assert_eq!(json["omitted"], 0);
        assert_eq!(json["diagnostics"][999]["line"], 1000);
    }

    #[test]
    fn repeated_warnings_are_counted_by_kind_and_errors_shown_in_full() {
        let mut diags = Vec::new();
        for (i, code) in ["ABW", "AIA", "AND", "ARM", "ASM", "BES"]
            .iter()
            .enumerate()
        {
            let file = format!("profiles/{code}.toml");
            for (id, label) in [
                ("population", "Population"),
                ("net_migration", "Net migration"),
            ] {
                diags.push(Diagnostic::warning(
                    &file,
                    None,
                    format!("data gap: the core indicator `{id}` ({label}) is missing"),
                ));
            }
            diags.push(Diagnostic::warning(
                &file,
                None,
                format!("data gap: the latest value of `refugees_hosted` (Refugees hosted) is from {}, older than the reference year 2024 allows", 2001 + i),
            ));
        }
        diags.push(Diagnostic::warning("site.toml", None, "an unusual setting"));
        diags.push(Diagnostic::error(
            "profiles/MEX.toml",
            None,
            "`2024x` is not a year",
        ));
        diags.push(Diagnostic::error(
            "profiles/GTM.toml",
            None,
            "`2024y` is not a year",
        ));
        let text = render_grouped(&diags, &SourceTexts::default(), false);
        // Every error in full, and the warning of a kind seen once.
        assert!(text.contains("`2024x` is not a year") && text.contains("`2024y` is not a year"));
        assert!(text.contains("an unusual setting"));
        assert!(!text.contains("profiles/ABW.toml"), "{text}");
        assert!(
            text.contains("18 more warnings, of 2 kinds that repeat"),
            "{text}"
        );
        assert!(
            text.contains("12 × data gap: the core indicator `…` (…) is missing, in 6 files"),
            "{text}"
        );
        assert!(text.contains(
            "6 × data gap: the latest value of `…` (…) is from N, older than the reference year N allows, in 6 files"
        ));
        // Fewer than GROUP_AT of a kind are shown one by one.
        let few = render_grouped(&diags[..3], &SourceTexts::default(), false);
        assert!(few.contains("profiles/ABW.toml") && !few.contains("repeat"));
    }

    #[test]
    fn lines_and_columns_count_from_one_in_characters() {
        let text = "a\nbé\n\ncd";
        let want = [
            (1, 1),
            (1, 2),
            (2, 1),
            (2, 2),
            (2, 2),
            (2, 3),
            (3, 1),
            (4, 1),
            (4, 2),
            (4, 3),
            (4, 3),
        ];
        for (offset, want) in want.iter().enumerate() {
            assert_eq!(line_col(text, offset), *want, "{offset}");
        }
    }
}
