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
            DeValue::String(s) => Some(Sp::new(s.to_string(), v.span())),
            _ => {
                self.wrong_type(key, v, "a string");
                None
            }
        }
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

    pub fn strings(&mut self, key: &str, v: &Value<'_>) -> Option<Vec<Sp<String>>> {
        let items = self.array(key, v)?;
        Some(items.iter().filter_map(|x| self.string(key, x)).collect())
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
            DeValue::String(s) => Some(Sp::new(Localized::One(s.to_string()), v.span())),
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

    /// A table keyed by year (`{ 1990 = 701088, 2000 = 538051 }`).
    pub fn by_year(&mut self, key: &str, v: &Value<'_>) -> Option<Vec<(Sp<i64>, Sp<f64>)>> {
        let table = self.table(key, v)?;
        let mut out = Vec::new();
        for (k, x) in table.iter() {
            let year_text = k.get_ref().as_ref();
            let Ok(year) = year_text.trim().parse::<i64>() else {
                self.error(
                    k.span(),
                    format!(
                        "`{year_text}` is not a year; the keys of `{key}` are years such as 2010"
                    ),
                );
                continue;
            };
            if let Some(n) = self.number(key, x) {
                out.push((Sp::new(year, k.span()), n));
            }
        }
        Some(out)
    }
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
