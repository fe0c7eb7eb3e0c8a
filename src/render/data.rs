//! The data behind the pages, as files: tidy CSV and JSON per profile and for all
//! profiles, and the sitemap and robots.txt.

use serde::Serialize;

use super::numbers::Numbers;
use crate::model::{Profile, Site};
use crate::plan::routes;

/// One value, in the tidy layout of `site.md`. Borrowed from the model: a site has
/// hundreds of thousands of these.
#[derive(Debug, Clone, PartialEq)]
pub struct Row<'a> {
    pub iso3: &'a str,
    pub indicator: &'a str,
    pub year: i32,
    pub sex: &'static str,
    pub partner: &'a str,
    pub age_group: &'a str,
    pub value: f64,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub unit: &'a str,
    pub source: &'a str,
    pub flag: &'static str,
}

pub const COLUMNS: [&str; 12] = [
    "iso3",
    "indicator",
    "year",
    "sex",
    "partner",
    "age_group",
    "value",
    "low",
    "high",
    "unit",
    "source",
    "flag",
];

/// Every value of a profile, one row each: series (total, then female and male), then
/// partners (`other` last), then age and sex. Indicators in catalogue order. Visited,
/// not collected: the data files are written as the rows come (a profile has
/// thousands).
pub fn each_row<'a>(site: &'a Site, p: &'a Profile, mut out: impl FnMut(Row<'a>)) {
    for ind in site.indicators_in_order() {
        let base = |year, sex, partner: &'a str, age: &'a str, value, source: &'a str, flag| Row {
            iso3: &p.iso3,
            indicator: &ind.id,
            year,
            sex,
            partner,
            age_group: age,
            value,
            low: None,
            high: None,
            unit: &ind.unit,
            source,
            flag,
        };
        if let Some(s) = p.series.get(&ind.id) {
            for (year, pt) in &s.points {
                let flag = if pt.derived {
                    "derived"
                } else if pt.estimated {
                    "estimated"
                } else {
                    ""
                };
                out(Row {
                    low: pt.low,
                    high: pt.high,
                    ..base(*year, "total", "", "", pt.value, &s.source, flag)
                });
                if let Some(f) = pt.female {
                    out(base(*year, "female", "", "", f, &s.source, flag));
                }
                if let Some(m) = pt.male {
                    out(base(*year, "male", "", "", m, &s.source, flag));
                }
            }
        }
        if let Some(x) = p.partners.get(&ind.id) {
            for (code, v) in &x.values {
                out(base(x.year, "total", code, "", *v, &x.source, ""));
            }
            if let Some(o) = x.other {
                out(base(x.year, "total", "other", "", o, &x.source, ""));
            }
        }
        if let Some(a) = p.age_sex.get(&ind.id) {
            for (i, g) in a.groups.iter().enumerate() {
                out(base(a.year, "female", "", g, a.female[i], &a.source, ""));
                out(base(a.year, "male", "", g, a.male[i], &a.source, ""));
            }
        }
    }
}

/// A number as data: the shortest text that reads back as the same number.
fn push_number(out: &mut Vec<u8>, v: f64) {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        out.extend_from_slice(itoa::Buffer::new().format(v as i64).as_bytes());
    } else {
        out.extend_from_slice(Numbers::plain(v).as_bytes());
    }
}

/// A CSV field, quoted as the `csv` crate would (only when it holds a comma, a quote
/// or a line break). Written by hand: a site has hundreds of thousands of values, and
/// going through a CSV writer field by field made this file the slowest of a build.
fn push_field(out: &mut Vec<u8>, field: &str) {
    if field
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        out.push(b'"');
        out.extend_from_slice(field.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(field.as_bytes());
    }
}

/// The CSV lines of one profile's values, without the header: the same bytes serve the
/// profile's own CSV and `all.csv`.
pub fn csv_body(site: &Site, p: &Profile) -> Vec<u8> {
    let mut out = Vec::new();
    let mut repeated = RowText::default();
    each_row(site, p, |r| push_row(&mut out, &r, &CSV, &mut repeated));
    out
}

/// How a data file writes a row: around it, its text fields and its numbers.
struct RowStyle {
    open: &'static [u8],
    close: &'static [u8],
    field: fn(&mut Vec<u8>, &str),
    number: fn(&mut Vec<u8>, Option<f64>),
}

const CSV: RowStyle = RowStyle {
    open: b"",
    close: b"\n",
    field: push_field,
    number: |out, v| {
        if let Some(v) = v {
            push_number(out, v);
        }
    },
};

const JSON: RowStyle = RowStyle {
    open: b"[",
    close: b"]",
    field: push_json_str,
    number: push_json_number,
};

/// What a row's repeated fields were last written as: the table's country and
/// indicator, the sex, partner and age group, the unit, source and flag.
type RowText<'a> = (Repeated<'a, 2>, Repeated<'a, 3>, Repeated<'a, 3>);

/// One row of a data file, in the order of `COLUMNS`.
fn push_row<'a>(out: &mut Vec<u8>, r: &Row<'a>, style: &RowStyle, repeated: &mut RowText<'a>) {
    let (head, mid, tail) = repeated;
    out.extend_from_slice(head.get([r.iso3, r.indicator], |fields, b| {
        b.extend_from_slice(style.open);
        for f in fields {
            (style.field)(b, f);
            b.push(b',');
        }
    }));
    out.extend_from_slice(itoa::Buffer::new().format(r.year).as_bytes());
    out.extend_from_slice(mid.get([r.sex, r.partner, r.age_group], |fields, b| {
        for f in fields {
            b.push(b',');
            (style.field)(b, f);
        }
    }));
    for v in [Some(r.value), r.low, r.high] {
        out.push(b',');
        (style.number)(out, v);
    }
    out.extend_from_slice(tail.get([r.unit, r.source, r.flag], |fields, b| {
        for f in fields {
            b.push(b',');
            (style.field)(b, f);
        }
        b.extend_from_slice(style.close);
    }));
}

/// The text of fields that repeat from row to row (a table's country and indicator,
/// its unit and source), kept as written until they change: most rows copy it rather
/// than quote or escape each field again.
struct Repeated<'a, const N: usize> {
    fields: Option<[&'a str; N]>,
    text: Vec<u8>,
}

impl<const N: usize> Default for Repeated<'_, N> {
    fn default() -> Self {
        Repeated {
            fields: None,
            text: Vec::new(),
        }
    }
}

impl<'a, const N: usize> Repeated<'a, N> {
    fn get(&mut self, fields: [&'a str; N], write: impl FnOnce(&[&str; N], &mut Vec<u8>)) -> &[u8] {
        if self.fields != Some(fields) {
            self.text.clear();
            write(&fields, &mut self.text);
            self.fields = Some(fields);
        }
        &self.text
    }
}

pub fn header() -> Vec<u8> {
    let mut line = COLUMNS.join(",");
    line.push('\n');
    line.into_bytes()
}

pub fn profile_csv(body: &[u8]) -> Vec<u8> {
    [header().as_slice(), body].concat()
}

#[derive(Serialize)]
struct ProfileJson<'a> {
    iso3: &'a str,
    name: &'a str,
    region: &'a str,
    subregion: Option<&'a str>,
    updated: Option<&'a str>,
    sources: Vec<&'a crate::model::Source>,
    columns: [&'static str; 12],
    // Then `rows`: one array per value, in the order of `columns` (a third of the size
    // of objects), written by `push_row`: serde's per-token calls were most of the
    // file's cost, and a site has hundreds of thousands of rows.
}

/// A JSON string: most of a profile's strings are ids that need no escape.
fn push_json_str(out: &mut Vec<u8>, s: &str) {
    if s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        // Writing into memory cannot fail.
        let _ = serde_json::to_writer(&mut *out, s);
    } else {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

/// A JSON number as serde_json writes it (`null` for what JSON cannot hold).
fn push_json_number(out: &mut Vec<u8>, v: Option<f64>) {
    match v {
        // Whole numbers are most values: serde_json writes them as `123.0`.
        Some(v) if v.fract() == 0.0 && v.abs() < 1e15 => {
            out.extend_from_slice(itoa::Buffer::new().format(v as i64).as_bytes());
            out.extend_from_slice(b".0");
        }
        Some(v) => {
            let _ = serde_json::to_writer(&mut *out, &v);
        }
        None => out.extend_from_slice(b"null"),
    }
}

pub fn profile_json(site: &Site, p: &Profile) -> Vec<u8> {
    let mut rows = Vec::with_capacity(64 * 1024);
    let mut cited: Vec<&str> = Vec::new();
    let mut repeated = RowText::default();
    each_row(site, p, |r| {
        if cited.last() != Some(&r.source) {
            cited.push(r.source);
        }
        rows.push(if rows.is_empty() { b'[' } else { b',' });
        push_row(&mut rows, &r, &JSON, &mut repeated);
    });
    if rows.is_empty() {
        rows.push(b'[');
    }
    rows.push(b']');
    let source_ids = source_ids(cited.into_iter());
    let head = ProfileJson {
        iso3: &p.iso3,
        name: p
            .name
            .get(&site.config.default_language, &site.config.default_language),
        region: &p.region,
        subregion: p.subregion.as_deref(),
        updated: p.updated.as_deref(),
        sources: source_ids
            .iter()
            .filter_map(|id| p.source(site, id))
            .collect(),
        columns: COLUMNS,
    };
    // Serializing our own structs (string keys only) cannot fail.
    let mut bytes = serde_json::to_vec(&head).unwrap_or_default();
    bytes.pop(); // the closing brace, which follows the rows
    bytes.extend_from_slice(b",\"rows\":");
    bytes.extend_from_slice(&rows);
    bytes.extend_from_slice(b"}\n");
    bytes
}

/// Every HTML page but the 404s, as absolute URLs.
pub fn sitemap(site: &Site, pages: &[String]) -> Vec<u8> {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in pages {
        out.push_str("  <url><loc>");
        out.push_str(&xml_escape(&routes::absolute(&site.config, path)));
        out.push_str("</loc></url>\n");
    }
    out.push_str("</urlset>\n");
    out.into_bytes()
}

pub fn robots(site: &Site) -> Vec<u8> {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}sitemap.xml\n",
        site.config.base_url
    )
    .into_bytes()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Texts of a chart by language: `{"en": "...", "fr": "..."}`.
type ByLang<'a> = std::collections::BTreeMap<&'a str, &'a str>;

#[derive(Serialize)]
struct ChartMeta<'a> {
    id: &'a str,
    iso3: &'a str,
    languages: Vec<&'a str>,
    title: ByLang<'a>,
    subtitle: ByLang<'a>,
    unit: &'a str,
    description: ByLang<'a>,
    sources: Vec<&'a crate::model::Source>,
    notes: Vec<&'a str>,
    width: u32,
    height: u32,
}

/// A chart's metadata: what a report writer needs to cite it, with its words in every
/// language of the site (`specs`, one a language, the default first), so one file
/// serves them all.
pub fn chart_meta(
    site: &Site,
    p: &Profile,
    chart: &str,
    specs: &[super::charts::ChartSpec],
) -> Vec<u8> {
    let Some(spec) = specs.first() else {
        return Vec::new();
    };
    let by_lang = |f: fn(&super::charts::ChartSpec) -> &str| -> ByLang<'_> {
        specs.iter().map(|s| (s.lang.as_str(), f(s))).collect()
    };
    let refs = super::charts::spec::profile_charts(site, p);
    let series: Vec<&str> = refs
        .iter()
        .find(|c| c.id == chart)
        .map(|c| c.series.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let mut sources: Vec<&str> = Vec::new();
    let mut notes: Vec<&str> = Vec::new();
    for id in &series {
        let (source, note) = if let Some(s) = p.series.get(*id) {
            (Some(s.source.as_str()), s.note.as_deref())
        } else if let Some(x) = p.partners.get(*id) {
            (Some(x.source.as_str()), x.note.as_deref())
        } else if let Some(a) = p.age_sex.get(*id) {
            (Some(a.source.as_str()), a.note.as_deref())
        } else {
            (None, None)
        };
        sources.extend(source);
        notes.extend(note);
    }
    let source_ids = source_ids(sources.into_iter());
    let meta = ChartMeta {
        id: chart,
        iso3: &p.iso3,
        languages: specs.iter().map(|s| s.lang.as_str()).collect(),
        title: by_lang(|s| &s.title),
        subtitle: by_lang(|s| &s.subtitle),
        unit: &spec.unit,
        description: by_lang(|s| &s.desc),
        sources: source_ids
            .iter()
            .filter_map(|id| p.source(site, id))
            .collect(),
        notes,
        width: spec.width,
        height: spec.height,
    };
    pretty_json(&meta)
}

#[derive(Serialize)]
struct MapMeta<'a> {
    id: &'a str,
    lang: &'a str,
    title: &'a str,
    subtitle: &'a str,
    unit: &'a str,
    description: &'a str,
    sources: Vec<&'a crate::model::Source>,
    width: u32,
    height: u32,
}

/// A world map's metadata: what it shows and where its values come from.
pub fn map_meta(site: &Site, indicator: &str, spec: &super::charts::ChartSpec) -> Vec<u8> {
    let ids = source_ids(
        site.profiles
            .values()
            .filter_map(|p| p.series.get(indicator))
            .map(|s| s.source.as_str()),
    );
    let sources = ids
        .iter()
        .filter_map(|id| {
            site.sources
                .get(*id)
                .or_else(|| site.profiles.values().find_map(|p| p.sources.get(*id)))
        })
        .collect();
    let meta = MapMeta {
        id: indicator,
        lang: &spec.lang,
        title: &spec.title,
        subtitle: &spec.subtitle,
        unit: &spec.unit,
        description: &spec.desc,
        sources,
        width: spec.width,
        height: spec.height,
    };
    pretty_json(&meta)
}

/// A small JSON file for people to read: indented, ending with a newline.
fn pretty_json<T: Serialize>(value: &T) -> Vec<u8> {
    // Serializing our own structs (string keys only) cannot fail.
    let mut bytes = serde_json::to_vec_pretty(value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The source ids a set of values cites, each once, in order: a derived value cites its
/// operands' sources as `a+b`.
fn source_ids<'a>(sources: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut ids: Vec<&str> = sources.flat_map(|s| s.split('+')).collect();
    ids.sort();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// A line written by hand reads back as the csv crate writes it.
        #[test]
        fn fields_are_quoted_as_the_csv_crate_quotes_them(
            fields in proptest::collection::vec("[a-z0-9,\"\r\n +-]{0,6}", 1..6),
        ) {
            let mut ours = Vec::new();
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    ours.push(b',');
                }
                push_field(&mut ours, f);
            }
            ours.push(b'\n');
            let mut theirs = csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(Vec::new());
            theirs.write_record(&fields).unwrap();
            let theirs = theirs.into_inner().unwrap();
            // The csv crate quotes a record of one empty field; ours never has one.
            if fields != [""] {
                proptest::prop_assert_eq!(ours, theirs);
            }
        }
    }

    proptest::proptest! {
        /// Whole numbers written by hand are written as serde_json writes them.
        #[test]
        fn json_numbers_are_serde_jsons(n in -999_999_999_999_999i64..999_999_999_999_999, frac in proptest::bool::ANY) {
            let v = if frac { n as f64 / 1000.0 } else { n as f64 };
            let mut ours = Vec::new();
            push_json_number(&mut ours, Some(v));
            proptest::prop_assert_eq!(ours, serde_json::to_vec(&v).unwrap());
        }
    }

    #[test]
    fn numbers_as_data_read_back() {
        let mut out = Vec::new();
        for v in [701088.0, 0.5, -147456.0, 1e20, 0.1 + 0.2] {
            push_number(&mut out, v);
            out.push(b' ');
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "701088 0.5 -147456 100000000000000000000 0.30000000000000004 "
        );
    }
}
