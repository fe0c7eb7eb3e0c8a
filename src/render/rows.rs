//! A data table's rows as templates see them. A profile page has hundreds of rows
//! (and an indicator's page two for every profile);
//! made into template values one field at a time and walked by the template engine,
//! they were the larger part of a cold build. So the default theme writes the rows
//! that mpgen writes for it (`rows_html`, made here in Rust), and the rows themselves
//! stay in Rust until a theme asks for one: `tb.series`, `tb.partners` and `tb.age`
//! are still there for themes that lay their rows out themselves.

use std::fmt::Write;
use std::sync::Arc;

use minijinja::value::{Enumerator, Object, ObjectRepr, Serde, Value};
use serde::{Serialize, Serializer};

use super::across::RankRow;
use super::context::{AgeRow, PartnerRow, SeriesRow};

/// Rows kept as they are and made into template values only when a template reads
/// them. Serialized elsewhere (to JSON, say), they are a plain list.
#[derive(Debug)]
pub struct Rows<T>(Arc<Vec<T>>);

impl<T> Clone for Rows<T> {
    fn clone(&self) -> Self {
        Rows(self.0.clone())
    }
}

impl<T> Default for Rows<T> {
    fn default() -> Self {
        Rows(Arc::new(Vec::new()))
    }
}

impl<T> From<Vec<T>> for Rows<T> {
    fn from(rows: Vec<T>) -> Self {
        Rows(Arc::new(rows))
    }
}

impl<T> std::ops::Deref for Rows<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T: Serialize + std::fmt::Debug + Send + Sync + 'static> Serialize for Rows<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if minijinja::value::serializing_for_value() {
            Value::from_object(self.clone()).serialize(s)
        } else {
            self.0.serialize(s)
        }
    }
}

impl<T: Serialize + std::fmt::Debug + Send + Sync + 'static> Object for Rows<T> {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let row = self.0.get(key.as_usize()?)?;
        Some(Value::from(Serde(row)))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.0.len())
    }
}

/// Writes `s` escaped for HTML text and quoted attributes: the five characters that
/// matter, as the templates' own escaping does.
pub fn escape_into(out: &mut String, s: &str) {
    let mut plain = 0;
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&s[plain..i]);
        out.push_str(entity);
        plain = i + 1;
    }
    out.push_str(&s[plain..]);
}

/// The words a series table's flags show.
pub struct Flags<'a> {
    pub estimated: &'a str,
    pub derived: &'a str,
}

/// Which columns a series table has besides its years and values.
#[derive(Debug, Clone, Copy)]
pub struct Columns {
    pub sex: bool,
    pub range: bool,
    pub flags: bool,
}

/// The rows of a series table, each on its line, as the default theme lays them out.
pub fn series_html(rows: &[SeriesRow], columns: Columns, flags: &Flags) -> String {
    let mut out = String::with_capacity(rows.len() * 96);
    let cell = |out: &mut String, v: &Option<String>| {
        out.push_str("<td>");
        escape_into(out, v.as_deref().unwrap_or("–"));
        out.push_str("</td>");
    };
    for r in rows {
        let _ = write!(out, "<tr><th scope=\"row\">{}</th><td>", r.year);
        escape_into(&mut out, &r.value);
        out.push_str("</td>");
        if columns.sex {
            cell(&mut out, &r.female);
            cell(&mut out, &r.male);
        }
        if columns.range {
            cell(&mut out, &r.low);
            cell(&mut out, &r.high);
        }
        if !columns.flags {
            out.push_str("</tr>\n");
            continue;
        }
        out.push_str("<td>");
        for (on, title, letter) in [
            (r.estimated, flags.estimated, "e"),
            (r.derived, flags.derived, "d"),
        ] {
            if on {
                out.push_str("<abbr class=\"flag\" title=\"");
                escape_into(&mut out, title);
                let _ = write!(out, "\">{letter}</abbr>");
            }
        }
        out.push_str("</td></tr>\n");
    }
    out
}

/// The rows of a partners table (without the row of other countries).
pub fn partners_html(rows: &[PartnerRow]) -> String {
    let mut out = String::with_capacity(rows.len() * 96);
    for r in rows {
        out.push_str("<tr><th scope=\"row\">");
        escape_into(&mut out, &r.name);
        out.push_str("</th><td>");
        escape_into(&mut out, &r.value);
        out.push_str("</td><td>");
        escape_into(&mut out, r.share.as_deref().unwrap_or("–"));
        out.push_str("</td></tr>\n");
    }
    out
}

/// The rows of an age and sex table.
pub fn age_html(rows: &[AgeRow]) -> String {
    let mut out = String::with_capacity(rows.len() * 96);
    for r in rows {
        out.push_str("<tr><th scope=\"row\">");
        escape_into(&mut out, &r.group);
        out.push_str("</th>");
        for v in [&r.female, &r.male, &r.total] {
            out.push_str("<td>");
            escape_into(&mut out, v);
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    out
}

/// The words an indicator's ranking shows beside a value.
pub struct RankWords {
    pub estimated: String,
    pub derived: String,
    pub stale: String,
}

/// The rows of an indicator's ranking.
pub fn ranking_html(rows: &[RankRow], words: &RankWords) -> String {
    let mut out = String::with_capacity(rows.len() * 160);
    for r in rows {
        out.push_str("      <tr");
        if r.stale {
            out.push_str(" class=\"stale\"");
        }
        let _ = write!(out, "><td class=\"num\">{}</td>", r.rank);
        name_cells(&mut out, r);
        out.push_str("<td>");
        let flag = match r.flag {
            "estimated" => Some(&words.estimated),
            "derived" => Some(&words.derived),
            _ => None,
        };
        if let Some(word) = flag {
            escape_into(&mut out, word);
        }
        if r.stale {
            if !r.flag.is_empty() {
                out.push_str(", ");
            }
            escape_into(&mut out, &words.stale);
        }
        out.push_str("</td></tr>\n");
    }
    out
}

/// The rows of an indicator's table of one region.
pub fn region_html(rows: &[RankRow]) -> String {
    let mut out = String::with_capacity(rows.len() * 128);
    for r in rows {
        out.push_str("      <tr>");
        name_cells(&mut out, r);
        out.push_str("</tr>\n");
    }
    out
}

/// A ranked row's country (linked), value and year.
fn name_cells(out: &mut String, r: &RankRow) {
    out.push_str("<th scope=\"row\"><a href=\"");
    escape_into(out, &r.url);
    out.push_str("\">");
    escape_into(out, &r.name);
    out.push_str("</a></th><td class=\"num\">");
    escape_into(out, &r.value);
    let _ = write!(out, "</td><td class=\"num\">{}</td>", r.year);
}
