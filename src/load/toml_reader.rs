//! Reading a parsed TOML tree against the shape the format expects.
//!
//! Serde's `deny_unknown_fields` stops at the first unknown key or wrong type in a file;
//! country teams deserve every problem at once, each with a "did you mean" hint. So the
//! loader walks the spanned tree that `toml` parses (`DeTable`) with this small reader,
//! which records a diagnostic and carries on wherever a key is unknown, missing or of the
//! wrong type. It judges shape only; meaning (ids, ranges) is `model`'s job.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostics::{Diagnostic, nearest, one_of};

pub type Value<'i> = Spanned<DeValue<'i>>;
pub type Table<'i> = DeTable<'i>;

/// A value with the byte span it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Sp<T> {
    pub value: T,
    pub span: Range<usize>,
}

impl<T> Sp<T> {
    pub fn new(value: T, span: Range<usize>) -> Self {
        Sp { value, span }
    }

    /// A span from this value's start to `end`: several values pointed at as one.
    pub fn start_to(&self, end: usize) -> Range<usize> {
        self.span.start..end.max(self.span.end)
    }
}

impl<T> std::ops::Deref for Sp<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// Parses TOML text; a syntax error becomes a diagnostic.
pub fn parse<'i>(
    file: &str,
    text: &'i str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Spanned<Table<'i>>> {
    match DeTable::parse(text) {
        Ok(t) => Some(t),
        Err(e) => {
            let message = e.message().trim().to_string();
            diags.push(Diagnostic::error(
                file,
                e.span(),
                format!("this is not valid TOML: {message}"),
            ));
            None
        }
    }
}

/// Walks one file's tree, collecting diagnostics.
pub struct Reader<'d> {
    pub file: &'d str,
    pub diags: &'d mut Vec<Diagnostic>,
}

fn kind_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl<'d> Reader<'d> {
    pub fn new(file: &'d str, diags: &'d mut Vec<Diagnostic>) -> Self {
        Reader { file, diags }
    }

    pub fn error(&mut self, span: Range<usize>, message: impl Into<String>) -> &mut Diagnostic {
        self.diags
            .push(Diagnostic::error(self.file, Some(span), message));
        self.diags.last_mut().expect("just pushed")
    }

    fn wrong_type(&mut self, key: &str, v: &Value<'_>, expected: &str) {
        let found = kind_name(v.get_ref());
        self.error(
            v.span(),
            format!("`{key}` must be {expected}, but this is {found}"),
        );
    }

    /// Reports every key of `table` that is not in `allowed`, with the nearest known key.
    pub fn known_keys(&mut self, table: &Table<'_>, allowed: &[&str], what: &str) {
        for (k, _) in table.iter() {
            let key = k.get_ref().as_ref();
            if !allowed.contains(&key) {
                let d = self.error(k.span(), format!("unknown key `{key}` in {what}"));
                d.help = Some(match nearest(key, allowed) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!("the keys allowed here are {}", one_of(allowed)),
                });
            }
        }
    }

    pub fn get<'t, 'i>(table: &'t Table<'i>, key: &str) -> Option<&'t Value<'i>> {
        table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(_, v)| v)
    }

    /// Reports a missing required key at the table it belongs to.
    pub fn missing(&mut self, table_span: Range<usize>, key: &str, what: &str) {
        self.error(table_span, format!("{what} needs `{key}`")).help =
            Some(format!("add `{key} = ...` to this table"));
    }

    pub fn table<'t, 'i>(&mut self, key: &str, v: &'t Value<'i>) -> Option<&'t Table<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => {
                self.wrong_type(key, v, "a table");
                None
            }
        }
    }

    pub fn string(&mut self, key: &str, v: &Value<'_>) -> Option<Sp<String>> {
        match v.get_ref() {
            DeValue::String(s) => {
                self.no_controls(key, s, v.span());
                Some(Sp::new(s.to_string(), v.span()))
            }
            _ => {
                self.wrong_type(key, v, "a string");
                None
            }
        }
    }

    /// Control characters (other than tab and line breaks) are reported where they stand:
    /// they cannot go into the HTML, SVG or XML mpgen writes, and no one types them on
    /// purpose. The string is still kept, so one stray byte does not hide other problems.
    fn no_controls(&mut self, key: &str, s: &str, span: Range<usize>) {
        if let Some(c) = s.chars().find(|&c| is_forbidden_control(c)) {
            self.diags
                .push(control_error(self.file, span, &format!("`{key}`"), c));
        }
    }

    /// A web address that a reader's browser can follow: `http` or `https`, nothing else.
    /// Links from input land in `href`s on every page, so `javascript:` and friends are
    /// refused here, at the place they were typed.
    pub fn web_url(&mut self, key: &str, v: &Value<'_>) -> Option<Sp<String>> {
        let url = self.string(key, v)?;
        if is_web_url(&url) {
            return Some(url);
        }
        self.error(
            v.span(),
            format!("`{key}` must be a web address starting with https:// or http://"),
        )
        .help = Some("write the full address, such as https://www.un.org/".to_string());
        None
    }

    pub fn boolean(&mut self, key: &str, v: &Value<'_>) -> Option<Sp<bool>> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(Sp::new(*b, v.span())),
            _ => {
                self.wrong_type(key, v, "`true` or `false`");
                None
            }
        }
    }

    pub fn integer(&mut self, key: &str, v: &Value<'_>) -> Option<Sp<i64>> {
        match v.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => Some(Sp::new(n, v.span())),
                Err(_) => {
                    self.error(v.span(), format!("`{key}` is too large a number"));
                    None
                }
            },
            _ => {
                self.wrong_type(key, v, "a whole number");
                None
            }
        }
    }

    /// A number: an integer or a float. Non-finite floats are kept for `model` to judge.
    pub fn number(&mut self, key: &str, v: &Value<'_>) -> Option<Sp<f64>> {
        match v.get_ref() {
            DeValue::Integer(i) => match i128::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => Some(Sp::new(n as f64, v.span())),
                Err(_) => {
                    self.error(v.span(), format!("`{key}` is not a number I can read"));
                    None
                }
            },
            DeValue::Float(f) => {
                let text = f.as_str().replace('_', "");
                match text.parse::<f64>() {
                    Ok(x) => Some(Sp::new(x, v.span())),
                    Err(_) => {
                        self.error(v.span(), format!("`{key}` is not a number I can read"));
                        None
                    }
                }
            }
            _ => {
                self.wrong_type(key, v, "a number");
                None
            }
        }
    }

    /// A TOML date (`2010-03-15`), kept as its text.
    pub fn date(&mut self, key: &str, v: &Value<'_>) -> Option<Sp<String>> {
        match v.get_ref() {
            DeValue::Datetime(d) if d.date.is_some() && d.time.is_none() => {
                Some(Sp::new(d.to_string(), v.span()))
            }
            _ => {
                self.wrong_type(key, v, "a date such as 2010-03-15");
                None
            }
        }
    }

    pub fn array<'t, 'i>(&mut self, key: &str, v: &'t Value<'i>) -> Option<&'t [Value<'i>]> {
        match v.get_ref() {
            DeValue::Array(a) => Some(a),
            _ => {
                self.wrong_type(key, v, "an array");
                None
            }
        }
    }

    /// A list of strings, each once: a second `"0-4"` in `groups` or `"labour"` in
    /// `topics` is an error at its place (kept in the list, so that nothing else
    /// miscounts because of it).
    pub fn strings(&mut self, key: &str, v: &Value<'_>) -> Option<Vec<Sp<String>>> {
        let items = self.array(key, v)?;
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for x in items {
            let Some(s) = self.string(key, x) else {
                continue;
            };
            if !seen.insert(s.value.clone()) {
                self.error(
                    s.span.clone(),
                    format!("`{}` is listed twice in `{key}`", s.value),
                );
            }
            out.push(s);
        }
        Some(out)
    }

    pub fn numbers(&mut self, key: &str, v: &Value<'_>) -> Option<Vec<Sp<f64>>> {
        let items = self.array(key, v)?;
        Some(items.iter().filter_map(|x| self.number(key, x)).collect())
    }

    pub fn integers(&mut self, key: &str, v: &Value<'_>) -> Option<Vec<Sp<i64>>> {
        let items = self.array(key, v)?;
        Some(items.iter().filter_map(|x| self.integer(key, x)).collect())
    }

    /// A text that is either one string or a table by language (`{ en = "..", fr = ".." }`).
    pub fn localized(&mut self, key: &str, v: &Value<'_>) -> Option<Sp<Localized>> {
        match v.get_ref() {
            DeValue::String(s) => {
                self.no_controls(key, s, v.span());
                Some(Sp::new(Localized::One(s.to_string()), v.span()))
            }
            DeValue::Table(t) => {
                let mut by_lang = Vec::new();
                for (k, x) in t.iter() {
                    if let Some(s) = self.string(k.get_ref(), x) {
                        by_lang.push((Sp::new(k.get_ref().to_string(), k.span()), s.value));
                    }
                }
                Some(Sp::new(Localized::ByLang(by_lang), v.span()))
            }
            _ => {
                self.wrong_type(key, v, "a string or a table by language");
                None
            }
        }
    }

    fn year_key(&mut self, key: &str, text: &str, span: Range<usize>) -> Option<i64> {
        if let Some(year) = canonical_year(text) {
            return Some(year);
        }
        let trimmed = text.trim().trim_start_matches('+').trim_start_matches('0');
        let message = match canonical_year(trimmed) {
            Some(year) => format!("`{text}` is not how a year is written; write {year}"),
            None => format!("`{text}` is not a year; the keys of `{key}` are years such as 2010"),
        };
        self.error(span, message);
        None
    }

    /// A name or title, once or by language: shown on charts, in menus and tabs, so it
    /// is at most [`MAX_NAME_CHARS`] characters long.
    pub fn name(&mut self, key: &str, v: &Value<'_>) -> Option<Sp<Localized>> {
        let name = self.localized(key, v)?;
        let texts: Vec<&str> = match &name.value {
            Localized::One(s) => vec![s],
            Localized::ByLang(by) => by.iter().map(|(_, s)| s.as_str()).collect(),
        };
        if texts.iter().all(|t| self.short_enough(key, t, v.span())) {
            Some(name)
        } else {
            None
        }
    }

    /// One string that is a name or title: see [`Reader::name`].
    pub fn title(&mut self, key: &str, v: &Value<'_>) -> Option<Sp<String>> {
        let title = self.string(key, v)?;
        self.short_enough(key, &title, v.span()).then_some(title)
    }

    fn short_enough(&mut self, key: &str, text: &str, span: Range<usize>) -> bool {
        let chars = text.chars().take(MAX_NAME_CHARS + 1).count();
        if chars <= MAX_NAME_CHARS {
            return true;
        }
        self.error(
            span,
            format!("`{key}` is more than {MAX_NAME_CHARS} characters long"),
        )
        .help = Some("a name or title is shown on charts and in menus; put the longer text in a summary or note".to_string());
        false
    }

    /// A table keyed by year (`{ 1990 = 701088, 2000 = 538051 }`).
    pub fn by_year(&mut self, key: &str, v: &Value<'_>) -> Option<Vec<(Sp<i64>, Sp<f64>)>> {
        let table = self.table(key, v)?;
        let mut out = Vec::new();
        for (k, x) in table.iter() {
            let year_text = k.get_ref().as_ref();
            let Some(year) = self.year_key(key, year_text, k.span()) else {
                continue;
            };
            if let Some(n) = self.number(key, x) {
                out.push((Sp::new(year, k.span()), n));
            }
        }
        Some(out)
    }
}

/// The longest a name or title may be, in characters: the longest country name in
/// UN use has 56, and the longest agreement titles about 200.
pub const MAX_NAME_CHARS: usize = 300;

/// Control characters other than tab, line feed and carriage return: XML 1.0 forbids the
/// C0 ones, and the C1 ones and DEL are invisible debris from copied text.
pub fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// The error for a control character `c` in `what` (`` `name` ``, "this page"): every
/// text of the site, the theme's included, says it the same way.
pub fn control_error(file: &str, span: Range<usize>, what: &str, c: char) -> Diagnostic {
    Diagnostic::error(
        file,
        Some(span),
        format!(
            "{what} holds the control character U+{:04X}, which cannot be published",
            c as u32
        ),
    )
    .with_help("delete it; only tabs and line breaks are allowed in texts")
}

/// `http://host...` or `https://host...`, with a host and no spaces or controls.
pub fn is_web_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty() && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A year as TOML keys may spell it: only the canonical decimal form counts, so that
/// `2024`, `"02024"` and `"+2024"` can never be three keys for one year.
fn canonical_year(text: &str) -> Option<i64> {
    let digits = !text.is_empty() && text.len() <= 9 && text.bytes().all(|b| b.is_ascii_digit());
    if !digits || (text.len() > 1 && text.starts_with('0')) {
        return None;
    }
    text.parse().ok()
}

/// Texts keyed by an id (a language, or a section then a language), with spans: what
/// `[sections.labels.<lang>]` and `[narrative.<section>]` hold.
pub type Keyed<T> = Vec<(Sp<String>, T)>;

/// A text given once, or by language.
#[derive(Debug, Clone, PartialEq)]
pub enum Localized {
    One(String),
    ByLang(Vec<(Sp<String>, String)>),
}

/// Calls `f` for every key of an optional table, with the key's span.
pub fn each_entry<'t, 'i>(
    table: &'t Table<'i>,
) -> impl Iterator<Item = (Sp<String>, &'t Value<'i>)> + 't {
    table
        .iter()
        .map(|(k, v)| (Sp::new(k.get_ref().to_string(), k.span()), v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        let doc = parse("t.toml", text, &mut diags).expect("valid TOML");
        let mut r = Reader::new("t.toml", &mut diags);
        r.known_keys(doc.get_ref(), &["values", "source"], "a series");
        if let Some(v) = Reader::get(doc.get_ref(), "values") {
            r.by_year("values", v);
        }
        diags
    }

    #[test]
    fn every_unknown_key_is_reported_with_a_hint() {
        let d = read("valuse = 1\nsourse = \"x\"\nzzz = 2\n");
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].help.as_deref(), Some("did you mean `values`?"));
        assert_eq!(d[1].help.as_deref(), Some("did you mean `source`?"));
        assert!(
            d[2].help
                .as_deref()
                .unwrap()
                .contains("`values` or `source`")
        );
    }

    #[test]
    fn years_and_types_are_checked() {
        let d = read("values = { 1990 = 1, abc = 2, 2000 = \"x\" }\n");
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d[0].message.contains("not a year"));
        assert!(d[1].message.contains("must be a number"));
    }

    #[test]
    fn a_year_key_has_one_spelling() {
        let d = read(
            "values = { 2024 = 1, \"02024\" = 2, \" 2024\" = 3, \"+2024\" = 4, \"2024 \" = 5 }\n",
        );
        assert_eq!(d.len(), 4, "{d:?}");
        assert!(d.iter().all(|d| d.message.contains("write 2024")), "{d:?}");
        assert_eq!(canonical_year("0"), Some(0));
        assert_eq!(canonical_year("1990"), Some(1990));
        assert_eq!(canonical_year("1e3"), None);
        assert_eq!(canonical_year("99999999999999999999"), None);
    }

    #[test]
    fn control_characters_are_reported_but_tabs_are_not() {
        let mut diags = Vec::new();
        let doc = parse(
            "t.toml",
            "a = \"Me\\u0001xico\"\nb = \"x\\ty\\nz\"\nc = \"\\u0085\"\n",
            &mut diags,
        )
        .unwrap();
        let mut r = Reader::new("t.toml", &mut diags);
        for k in ["a", "b", "c"] {
            r.string(k, Reader::get(doc.get_ref(), k).unwrap());
        }
        assert_eq!(diags.len(), 2, "{diags:?}");
        assert!(diags[0].message.contains("U+0001"));
        assert!(diags[1].message.contains("U+0085"));
    }

    #[test]
    fn only_web_addresses_are_urls() {
        for good in [
            "https://www.un.org/",
            "http://example.org",
            "HTTPS://X.ORG/a?b#c",
        ] {
            assert!(is_web_url(good), "{good}");
        }
        for bad in [
            "javascript:alert(3)",
            "https://",
            "http:///x",
            "data:text/html,x",
            "//x.org",
            "https://a b",
            "",
            "ftp://x.org",
            " https://x.org",
        ] {
            assert!(!is_web_url(bad), "{bad}");
        }
    }

    #[test]
    fn numbers_read_every_toml_spelling() {
        let mut diags = Vec::new();
        let doc = parse(
            "t.toml",
            "a = 1_000\nb = 6.57e9\nc = 0x10\nd = inf\n",
            &mut diags,
        )
        .unwrap();
        let mut r = Reader::new("t.toml", &mut diags);
        let n = |r: &mut Reader, k| {
            r.number(k, Reader::get(doc.get_ref(), k).unwrap())
                .unwrap()
                .value
        };
        assert_eq!(n(&mut r, "a"), 1000.0);
        assert_eq!(n(&mut r, "b"), 6.57e9);
        assert_eq!(n(&mut r, "c"), 16.0);
        assert!(n(&mut r, "d").is_infinite());
    }
}
