//! `indicators.toml`, `sources.toml` and `rcps.toml`: the raw catalogues, as written.

use super::toml_reader::{Localized, Reader, Sp, Table, Value, each_entry};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawIndicator {
    pub id: Sp<String>,
    pub span: std::ops::Range<usize>,
    pub kind: Option<Sp<String>>,
    pub unit: Option<Sp<String>>,
    pub signed: Option<Sp<bool>>,
    pub section: Option<Sp<String>>,
    pub chart: Option<Sp<String>>,
    pub core: Option<Sp<bool>>,
    pub label: Option<Sp<Localized>>,
    pub definition: Option<Sp<Localized>>,
    pub default_source: Option<Sp<String>>,
    pub derive: Option<RawDerive>,
    pub wdi_code: Option<Sp<String>>,
    pub import_codes: Option<Vec<Sp<String>>>,
    pub flow: Option<Sp<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RawDerive {
    Ratio {
        operands: Vec<Sp<String>>,
        scale: Option<Sp<f64>>,
        span: std::ops::Range<usize>,
    },
    Sum {
        operands: Vec<Sp<String>>,
        span: std::ops::Range<usize>,
    },
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawSource {
    pub id: Sp<String>,
    pub span: std::ops::Range<usize>,
    pub title: Option<Sp<String>>,
    pub publisher: Option<Sp<String>>,
    pub url: Option<Sp<String>>,
    pub year: Option<Sp<i64>>,
    pub edition: Option<Sp<String>>,
    pub note: Option<Sp<String>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawRcp {
    pub id: Sp<String>,
    pub span: std::ops::Range<usize>,
    pub name: Option<Sp<Localized>>,
    pub kind: Option<Sp<String>>,
    pub founded: Option<Sp<i64>>,
    pub url: Option<Sp<String>>,
}

impl Default for Sp<String> {
    fn default() -> Self {
        Sp::new(String::new(), 0..0)
    }
}

pub const INDICATOR_KEYS: &[&str] = &[
    "kind",
    "unit",
    "signed",
    "section",
    "chart",
    "core",
    "label",
    "definition",
    "default_source",
    "derive",
    "wdi_code",
    "import_codes",
    "flow",
];

pub const DERIVE_KEYS: &[&str] = &["ratio", "sum", "scale"];
pub const SOURCE_KEYS: &[&str] = &["title", "publisher", "url", "year", "edition", "note"];
pub const RCP_KEYS: &[&str] = &["name", "kind", "founded", "url"];

pub fn read_indicators(r: &mut Reader, doc: &Table<'_>) -> Vec<RawIndicator> {
    let mut out = Vec::new();
    for (id, v) in each_entry(doc) {
        let Some(t) = r.table(&id, v) else { continue };
        r.known_keys(t, INDICATOR_KEYS, &format!("indicator `{}`", id.value));
        let mut ind = RawIndicator {
            id: id.clone(),
            span: id.span.clone(),
            ..RawIndicator::default()
        };
        for (key, x) in each_entry(t) {
            match key.as_str() {
                "kind" => ind.kind = r.string("kind", x),
                "unit" => ind.unit = r.string("unit", x),
                "signed" => ind.signed = r.boolean("signed", x),
                "section" => ind.section = r.string("section", x),
                "chart" => ind.chart = r.string("chart", x),
                "core" => ind.core = r.boolean("core", x),
                "label" => ind.label = r.name("label", x),
                "definition" => ind.definition = r.localized("definition", x),
                "default_source" => ind.default_source = r.string("default_source", x),
                "wdi_code" => ind.wdi_code = r.string("wdi_code", x),
                "import_codes" => ind.import_codes = r.strings("import_codes", x),
                "flow" => ind.flow = r.string("flow", x),
                "derive" => ind.derive = read_derive(r, x),
                _ => {}
            }
        }
        for key in ["kind", "unit", "section", "label"] {
            if Reader::get(t, key).is_none() {
                r.missing(id.span.clone(), key, &format!("indicator `{}`", id.value));
            }
        }
        out.push(ind);
    }
    out
}

fn read_derive(r: &mut Reader, v: &Value<'_>) -> Option<RawDerive> {
    let t = r.table("derive", v)?;
    r.known_keys(t, DERIVE_KEYS, "`derive`");
    let scale = Reader::get(t, "scale").and_then(|s| r.number("scale", s));
    match (Reader::get(t, "ratio"), Reader::get(t, "sum")) {
        (Some(ratio), None) => Some(RawDerive::Ratio {
            operands: r.strings("ratio", ratio)?,
            scale,
            span: ratio.span(),
        }),
        (None, Some(sum)) => {
            if let Some(s) = &scale {
                r.error(s.span.clone(), "`scale` only applies to a `ratio`");
            }
            Some(RawDerive::Sum {
                operands: r.strings("sum", sum)?,
                span: sum.span(),
            })
        }
        _ => {
            r.error(
                v.span(),
                "`derive` needs exactly one of `ratio = [numerator, denominator]` or `sum = [a, b, ...]`",
            );
            None
        }
    }
}

pub fn read_sources(r: &mut Reader, doc: &Table<'_>, what: &str) -> Vec<RawSource> {
    let mut out = Vec::new();
    for (id, v) in each_entry(doc) {
        let Some(t) = r.table(&id, v) else { continue };
        out.push(read_source(r, id, t, what));
    }
    out
}

pub fn read_source(r: &mut Reader, id: Sp<String>, t: &Table<'_>, what: &str) -> RawSource {
    r.known_keys(t, SOURCE_KEYS, &format!("source `{}` in {what}", id.value));
    let mut s = RawSource {
        span: id.span.clone(),
        id,
        ..RawSource::default()
    };
    for (key, x) in each_entry(t) {
        match key.as_str() {
            "title" => s.title = r.title("title", x),
            "publisher" => s.publisher = r.string("publisher", x),
            "url" => s.url = r.web_url("url", x),
            "year" => s.year = r.integer("year", x),
            "edition" => s.edition = r.string("edition", x),
            "note" => s.note = r.string("note", x),
            _ => {}
        }
    }
    if s.title.is_none() {
        r.missing(s.span.clone(), "title", &format!("source `{}`", s.id.value));
    }
    s
}

pub fn read_rcps(r: &mut Reader, doc: &Table<'_>) -> Vec<RawRcp> {
    let mut out = Vec::new();
    for (id, v) in each_entry(doc) {
        let Some(t) = r.table(&id, v) else { continue };
        r.known_keys(t, RCP_KEYS, &format!("RCP `{}`", id.value));
        let mut rcp = RawRcp {
            span: id.span.clone(),
            id: id.clone(),
            ..RawRcp::default()
        };
        for (key, x) in each_entry(t) {
            match key.as_str() {
                "name" => rcp.name = r.name("name", x),
                "kind" => rcp.kind = r.string("kind", x),
                "founded" => rcp.founded = r.integer("founded", x),
                "url" => rcp.url = r.web_url("url", x),
                _ => {}
            }
        }
        for key in ["name", "kind"] {
            if Reader::get(t, key).is_none() {
                r.missing(id.span.clone(), key, &format!("RCP `{}`", id.value));
            }
        }
        out.push(rcp);
    }
    out
}
