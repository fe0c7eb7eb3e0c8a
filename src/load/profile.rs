//! `profiles/<ISO3>.toml`: one raw Migration Profile, as written.

use std::ops::Range;

use super::catalogue::{RawSource, read_source};
use super::toml_reader::{Keyed, Localized, Reader, Sp, Table, Value, each_entry};

type Years = Vec<(Sp<i64>, Sp<f64>)>;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawProfile {
    /// The file name without `.toml`.
    pub file_id: String,
    pub file: String,
    /// blake3 of the file's text: with the site-wide settings, it determines the checked
    /// profile, so it stands for the profile in fingerprints.
    pub text_hash: String,
    pub country: Option<RawCountry>,
    pub sources: Vec<RawSource>,
    pub series: Vec<RawSeries>,
    pub partners: Vec<RawPartners>,
    pub age_sex: Vec<RawAgeSex>,
    pub agreements: Vec<RawAgreement>,
    pub policies: Vec<RawPolicy>,
    pub climate: Option<RawClimate>,
    pub gaps_notes: Option<Sp<String>>,
    /// section -> (language, Markdown)
    pub narrative: Keyed<Keyed<Sp<String>>>,
    pub charts: Vec<RawChart>,
    /// Whether a narrative text may hold a call (`{{`): only those are checked for
    /// calls, and a file read once is not searched again on every rebuild.
    pub has_calls: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawCountry {
    pub span: Range<usize>,
    pub iso3: Option<Sp<String>>,
    pub name: Option<Sp<Localized>>,
    pub region: Option<Sp<String>>,
    pub subregion: Option<Sp<String>>,
    pub roles: Vec<Sp<String>>,
    pub updated: Option<Sp<String>>,
    pub maintainer: Option<Sp<String>>,
    pub rcps: Vec<Sp<String>>,
    pub summary: Option<Sp<String>>,
}

/// What every data table may carry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawMeta {
    pub source: Option<Sp<String>>,
    pub note: Option<Sp<String>>,
    pub method: Option<Sp<String>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawSeries {
    pub id: Sp<String>,
    pub meta: RawMeta,
    pub values: Option<Years>,
    pub female: Option<Years>,
    pub male: Option<Years>,
    pub low: Option<Years>,
    pub high: Option<Years>,
    pub estimated: Vec<Sp<i64>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawPartners {
    pub id: Sp<String>,
    pub meta: RawMeta,
    pub year: Option<Sp<i64>>,
    pub values: Option<Vec<(Sp<String>, Sp<f64>)>>,
    pub other: Option<Sp<f64>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawAgeSex {
    pub id: Sp<String>,
    pub meta: RawMeta,
    pub year: Option<Sp<i64>>,
    pub groups: Option<Sp<Vec<Sp<String>>>>,
    pub female: Option<Sp<Vec<Sp<f64>>>>,
    pub male: Option<Sp<Vec<Sp<f64>>>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawAgreement {
    pub span: Range<usize>,
    pub id: Option<Sp<String>>,
    pub title: Option<Sp<String>>,
    pub partners: Vec<Sp<String>>,
    pub parties: Vec<Sp<String>>,
    pub kind: Option<Sp<String>>,
    pub topics: Vec<Sp<String>>,
    pub signed: Option<Sp<i64>>,
    pub status: Option<Sp<String>>,
    pub url: Option<Sp<String>>,
    pub summary: Option<Sp<String>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawPolicy {
    pub span: Range<usize>,
    pub title: Option<Sp<String>>,
    pub year: Option<Sp<i64>>,
    pub kind: Option<Sp<String>>,
    pub topics: Vec<Sp<String>>,
    pub url: Option<Sp<String>>,
    pub summary: Option<Sp<String>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawClimate {
    pub napa: Option<Sp<bool>>,
    pub napa_mentions_migration: Option<Sp<bool>>,
    pub notes: Option<Sp<String>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawChart {
    pub span: Range<usize>,
    pub id: Option<Sp<String>>,
    pub kind: Option<Sp<String>>,
    pub series: Vec<Sp<String>>,
    pub title: Option<Sp<Localized>>,
    pub section: Option<Sp<String>>,
}

pub const TOP_KEYS: &[&str] = &[
    "country",
    "sources",
    "series",
    "partners",
    "age_sex",
    "agreements",
    "policies",
    "climate",
    "gaps",
    "narrative",
    "charts",
];

/// The keys of each table of a profile: what the reader accepts, and what `schema`
/// describes.
pub const COUNTRY_KEYS: &[&str] = &[
    "iso3",
    "name",
    "region",
    "subregion",
    "roles",
    "updated",
    "maintainer",
    "rcps",
    "summary",
];
pub const SERIES_KEYS: &[&str] = &[
    "values",
    "female",
    "male",
    "low",
    "high",
    "estimated",
    "source",
    "note",
    "method",
];
pub const PARTNERS_KEYS: &[&str] = &["year", "values", "other", "source", "note", "method"];
pub const AGE_SEX_KEYS: &[&str] = &[
    "year", "groups", "female", "male", "source", "note", "method",
];
pub const AGREEMENT_KEYS: &[&str] = &[
    "id", "title", "partners", "parties", "kind", "topics", "signed", "status", "url", "summary",
];
pub const POLICY_KEYS: &[&str] = &["title", "year", "kind", "topics", "url", "summary"];
pub const CHART_KEYS: &[&str] = &["id", "kind", "series", "title", "section"];
pub const CLIMATE_KEYS: &[&str] = &["napa", "napa_mentions_migration", "notes"];
pub const GAPS_KEYS: &[&str] = &["notes"];

pub fn read(r: &mut Reader, doc: &Table<'_>, file: &str, file_id: &str) -> RawProfile {
    r.known_keys(doc, TOP_KEYS, "a profile");
    let mut p = RawProfile {
        file_id: file_id.to_string(),
        file: file.to_string(),
        ..RawProfile::default()
    };
    for (key, v) in each_entry(doc) {
        match key.as_str() {
            "country" => {
                p.country = r
                    .table("country", v)
                    .map(|t| read_country(r, t, key.span.clone()))
            }
            "sources" => {
                if let Some(t) = r.table("sources", v) {
                    for (id, s) in each_entry(t) {
                        if let Some(st) = r.table(&id, s) {
                            p.sources.push(read_source(r, id, st, "this profile"));
                        }
                    }
                }
            }
            "series" => {
                for (id, t) in tables_of(r, "series", v) {
                    p.series.push(read_series(r, id, t));
                }
            }
            "partners" => {
                for (id, t) in tables_of(r, "partners", v) {
                    p.partners.push(read_partners(r, id, t));
                }
            }
            "age_sex" => {
                for (id, t) in tables_of(r, "age_sex", v) {
                    p.age_sex.push(read_age_sex(r, id, t));
                }
            }
            "agreements" => {
                for (span, t) in array_of_tables(r, "agreements", v) {
                    p.agreements.push(read_agreement(r, t, span));
                }
            }
            "policies" => {
                for (span, t) in array_of_tables(r, "policies", v) {
                    p.policies.push(read_policy(r, t, span));
                }
            }
            "climate" => {
                if let Some(t) = r.table("climate", v) {
                    r.known_keys(t, CLIMATE_KEYS, "`[climate]`");
                    let mut c = RawClimate::default();
                    for (k, x) in each_entry(t) {
                        match k.as_str() {
                            "napa" => c.napa = r.boolean("napa", x),
                            "napa_mentions_migration" => {
                                c.napa_mentions_migration = r.boolean("napa_mentions_migration", x)
                            }
                            "notes" => c.notes = r.string("notes", x),
                            _ => {}
                        }
                    }
                    p.climate = Some(c);
                }
            }
            "gaps" => {
                if let Some(t) = r.table("gaps", v) {
                    r.known_keys(t, GAPS_KEYS, "`[gaps]`");
                    p.gaps_notes = Reader::get(t, "notes").and_then(|n| r.string("notes", n));
                }
            }
            "narrative" => {
                for (section, t) in tables_of(r, "narrative", v) {
                    let mut texts = Vec::new();
                    for (lang, text) in each_entry(t) {
                        if let Some(text) = r.string(&lang, text) {
                            texts.push((lang, text));
                        }
                    }
                    p.narrative.push((section, texts));
                }
            }
            "charts" => {
                for (span, t) in array_of_tables(r, "charts", v) {
                    p.charts.push(read_chart(r, t, span));
                }
            }
            _ => {}
        }
    }
    if p.country.is_none() {
        r.error(0..0, "a profile needs a `[country]` table").help =
            Some("start the file with `[country]`, then `iso3`, `name` and `region`".into());
    }
    p.has_calls = p
        .narrative
        .iter()
        .flat_map(|(_, by_lang)| by_lang)
        .any(|(_, text)| text.value.contains("{{"));
    p
}

/// The sub-tables of a table such as `[series]`: `(id, table)` for each.
fn tables_of<'t, 'i>(
    r: &mut Reader,
    key: &str,
    v: &'t Value<'i>,
) -> Vec<(Sp<String>, &'t Table<'i>)> {
    let Some(t) = r.table(key, v) else {
        return Vec::new();
    };
    each_entry(t)
        .filter_map(|(id, x)| r.table(&id, x).map(|t| (id, t)))
        .collect()
}

fn array_of_tables<'t, 'i>(
    r: &mut Reader,
    key: &str,
    v: &'t Value<'i>,
) -> Vec<(Range<usize>, &'t Table<'i>)> {
    let Some(items) = r.array(key, v) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|x| r.table(key, x).map(|t| (x.span(), t)))
        .collect()
}

fn read_country(r: &mut Reader, t: &Table<'_>, span: Range<usize>) -> RawCountry {
    r.known_keys(t, COUNTRY_KEYS, "`[country]`");
    let mut c = RawCountry {
        span: span.clone(),
        ..RawCountry::default()
    };
    for (key, v) in each_entry(t) {
        match key.as_str() {
            "iso3" => c.iso3 = r.string("iso3", v),
            "name" => c.name = r.name("name", v),
            "region" => c.region = r.string("region", v),
            "subregion" => c.subregion = r.string("subregion", v),
            "roles" => c.roles = r.strings("roles", v).unwrap_or_default(),
            "updated" => c.updated = r.date("updated", v),
            "maintainer" => c.maintainer = r.string("maintainer", v),
            "rcps" => c.rcps = r.strings("rcps", v).unwrap_or_default(),
            "summary" => c.summary = r.string("summary", v),
            _ => {}
        }
    }
    for key in ["iso3", "name", "region"] {
        if Reader::get(t, key).is_none() {
            r.missing(span.clone(), key, "`[country]`");
        }
    }
    c
}

fn read_meta(r: &mut Reader, key: &str, v: &Value<'_>, meta: &mut RawMeta) {
    match key {
        "source" => meta.source = r.string("source", v),
        "note" => meta.note = r.string("note", v),
        "method" => meta.method = r.string("method", v),
        _ => {}
    }
}

fn read_series(r: &mut Reader, id: Sp<String>, t: &Table<'_>) -> RawSeries {
    r.known_keys(t, SERIES_KEYS, &format!("series `{}`", id.value));
    let mut s = RawSeries {
        id: id.clone(),
        ..RawSeries::default()
    };
    for (key, v) in each_entry(t) {
        match key.as_str() {
            "values" => s.values = r.by_year("values", v),
            "female" => s.female = r.by_year("female", v),
            "male" => s.male = r.by_year("male", v),
            "low" => s.low = r.by_year("low", v),
            "high" => s.high = r.by_year("high", v),
            "estimated" => s.estimated = r.integers("estimated", v).unwrap_or_default(),
            other => read_meta(r, other, v, &mut s.meta),
        }
    }
    if s.values.is_none() {
        r.missing(id.span.clone(), "values", &format!("series `{}`", id.value));
    }
    s
}

fn read_partners(r: &mut Reader, id: Sp<String>, t: &Table<'_>) -> RawPartners {
    r.known_keys(t, PARTNERS_KEYS, &format!("partners table `{}`", id.value));
    let mut p = RawPartners {
        id: id.clone(),
        ..RawPartners::default()
    };
    for (key, v) in each_entry(t) {
        match key.as_str() {
            "year" => p.year = r.integer("year", v),
            "other" => p.other = r.number("other", v),
            "values" => {
                if let Some(vt) = r.table("values", v) {
                    let mut values = Vec::new();
                    for (code, n) in each_entry(vt) {
                        if let Some(n) = r.number(&code, n) {
                            values.push((code, n));
                        }
                    }
                    p.values = Some(values);
                }
            }
            other => read_meta(r, other, v, &mut p.meta),
        }
    }
    let what = format!("partners table `{}`", id.value);
    for key in ["year", "values"] {
        if Reader::get(t, key).is_none() {
            r.missing(id.span.clone(), key, &what);
        }
    }
    p
}

fn read_age_sex(r: &mut Reader, id: Sp<String>, t: &Table<'_>) -> RawAgeSex {
    r.known_keys(t, AGE_SEX_KEYS, &format!("age_sex table `{}`", id.value));
    let mut a = RawAgeSex {
        id: id.clone(),
        ..RawAgeSex::default()
    };
    for (key, v) in each_entry(t) {
        match key.as_str() {
            "year" => a.year = r.integer("year", v),
            "groups" => a.groups = r.strings("groups", v).map(|g| Sp::new(g, v.span())),
            "female" => a.female = r.numbers("female", v).map(|g| Sp::new(g, v.span())),
            "male" => a.male = r.numbers("male", v).map(|g| Sp::new(g, v.span())),
            other => read_meta(r, other, v, &mut a.meta),
        }
    }
    let what = format!("age_sex table `{}`", id.value);
    for key in ["year", "groups", "female", "male"] {
        if Reader::get(t, key).is_none() {
            r.missing(id.span.clone(), key, &what);
        }
    }
    a
}

fn read_agreement(r: &mut Reader, t: &Table<'_>, span: Range<usize>) -> RawAgreement {
    r.known_keys(t, AGREEMENT_KEYS, "an agreement");
    let mut a = RawAgreement {
        span: span.clone(),
        ..RawAgreement::default()
    };
    for (key, v) in each_entry(t) {
        match key.as_str() {
            "id" => a.id = r.string("id", v),
            "title" => a.title = r.title("title", v),
            "partners" => a.partners = r.strings("partners", v).unwrap_or_default(),
            "parties" => a.parties = r.strings("parties", v).unwrap_or_default(),
            "kind" => a.kind = r.string("kind", v),
            "topics" => a.topics = r.strings("topics", v).unwrap_or_default(),
            "signed" => a.signed = r.integer("signed", v),
            "status" => a.status = r.string("status", v),
            "url" => a.url = r.web_url("url", v),
            "summary" => a.summary = r.string("summary", v),
            _ => {}
        }
    }
    for key in ["title", "kind"] {
        if Reader::get(t, key).is_none() {
            r.missing(span.clone(), key, "an agreement");
        }
    }
    if Reader::get(t, "partners").is_none() && Reader::get(t, "parties").is_none() {
        r.missing(
            span,
            "partners",
            "an agreement (or `parties`, for organisations)",
        );
    }
    a
}

fn read_policy(r: &mut Reader, t: &Table<'_>, span: Range<usize>) -> RawPolicy {
    r.known_keys(t, POLICY_KEYS, "a policy");
    let mut p = RawPolicy {
        span: span.clone(),
        ..RawPolicy::default()
    };
    for (key, v) in each_entry(t) {
        match key.as_str() {
            "title" => p.title = r.title("title", v),
            "year" => p.year = r.integer("year", v),
            "kind" => p.kind = r.string("kind", v),
            "topics" => p.topics = r.strings("topics", v).unwrap_or_default(),
            "url" => p.url = r.web_url("url", v),
            "summary" => p.summary = r.string("summary", v),
            _ => {}
        }
    }
    for key in ["title", "kind"] {
        if Reader::get(t, key).is_none() {
            r.missing(span.clone(), key, "a policy");
        }
    }
    p
}

fn read_chart(r: &mut Reader, t: &Table<'_>, span: Range<usize>) -> RawChart {
    r.known_keys(t, CHART_KEYS, "a chart");
    let mut c = RawChart {
        span: span.clone(),
        ..RawChart::default()
    };
    for (key, v) in each_entry(t) {
        match key.as_str() {
            "id" => c.id = r.string("id", v),
            "kind" => c.kind = r.string("kind", v),
            "series" => c.series = r.strings("series", v).unwrap_or_default(),
            "title" => c.title = r.name("title", v),
            "section" => c.section = r.string("section", v),
            _ => {}
        }
    }
    for key in ["id", "kind", "series"] {
        if Reader::get(t, key).is_none() {
            r.missing(span.clone(), key, "a chart");
        }
    }
    c
}
