//! `site.toml`: the raw site settings, as written.

use super::toml_reader::{Keyed, Localized, Reader, Sp, Table, each_entry};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawConfig {
    pub span: std::ops::Range<usize>,
    pub title: Option<Sp<Localized>>,
    pub base_url: Option<Sp<String>>,
    pub default_language: Option<Sp<String>>,
    pub languages: Option<Sp<Vec<Sp<String>>>>,
    pub theme: Option<Sp<String>>,
    pub allow_raw_html: Option<Sp<bool>>,
    pub stale_after_years: Option<Sp<i64>>,
    pub reference_year: Option<Sp<i64>>,
    pub codes: Vec<(Sp<String>, Sp<String>)>,
    pub sections_order: Option<Sp<Vec<Sp<String>>>>,
    /// language -> (section id, label)
    pub section_labels: Keyed<Keyed<Sp<String>>>,
    pub charts: RawCharts,
    pub corridors: Option<Sp<i64>>,
    pub publish_host: Option<Sp<String>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawCharts {
    pub width: Option<Sp<i64>>,
    pub height: Option<Sp<i64>>,
    pub palette: Option<Vec<Sp<String>>>,
    pub formats: Option<Vec<Sp<String>>>,
    pub png_scale: Option<Sp<f64>>,
    pub top_partners: Option<Sp<i64>>,
}

pub const SITE_KEYS: &[&str] = &[
    "title",
    "base_url",
    "default_language",
    "languages",
    "theme",
    "allow_raw_html",
    "stale_after_years",
    "reference_year",
    "codes",
    "sections",
    "charts",
    "corridors",
    "publish",
];

pub const SECTIONS_KEYS: &[&str] = &["order", "labels"];
pub const CHARTS_KEYS: &[&str] = &[
    "width",
    "height",
    "palette",
    "formats",
    "png_scale",
    "top_partners",
];
pub const PUBLISH_KEYS: &[&str] = &["host"];

pub fn read(r: &mut Reader, doc: &Table<'_>, span: std::ops::Range<usize>) -> RawConfig {
    r.known_keys(doc, SITE_KEYS, "site.toml");
    let mut c = RawConfig {
        span: span.clone(),
        ..RawConfig::default()
    };
    for (key, v) in each_entry(doc) {
        match key.as_str() {
            "title" => c.title = r.name("title", v),
            "base_url" => c.base_url = r.string("base_url", v),
            "default_language" => c.default_language = r.string("default_language", v),
            "corridors" => c.corridors = r.integer("corridors", v),
            "languages" => {
                c.languages = r.strings("languages", v).map(|l| Sp::new(l, v.span()));
            }
            "theme" => c.theme = r.string("theme", v),
            "allow_raw_html" => c.allow_raw_html = r.boolean("allow_raw_html", v),
            "stale_after_years" => c.stale_after_years = r.integer("stale_after_years", v),
            "reference_year" => c.reference_year = r.integer("reference_year", v),
            "codes" => {
                if let Some(t) = r.table("codes", v) {
                    for (code, name) in each_entry(t) {
                        if let Some(name) = r.title(&code, name) {
                            c.codes.push((code, name));
                        }
                    }
                }
            }
            "sections" => read_sections(r, &mut c, v),
            "publish" => {
                if let Some(t) = r.table("publish", v) {
                    r.known_keys(t, PUBLISH_KEYS, "`[publish]`");
                    c.publish_host = Reader::get(t, "host").and_then(|h| r.string("host", h));
                }
            }
            "charts" => {
                if let Some(t) = r.table("charts", v) {
                    c.charts = read_charts(r, t);
                }
            }
            _ => {}
        }
    }
    for key in ["title", "base_url"] {
        if Reader::get(doc, key).is_none() {
            r.missing(span.start..span.start, key, "site.toml");
        }
    }
    c
}

fn read_sections(r: &mut Reader, c: &mut RawConfig, v: &super::toml_reader::Value<'_>) {
    let Some(t) = r.table("sections", v) else {
        return;
    };
    r.known_keys(t, SECTIONS_KEYS, "`[sections]`");
    if let Some(order) = Reader::get(t, "order") {
        c.sections_order = r.strings("order", order).map(|o| Sp::new(o, order.span()));
    }
    if let Some(labels) = Reader::get(t, "labels").and_then(|l| r.table("labels", l)) {
        for (lang, by_id) in each_entry(labels) {
            let Some(by_id) = r.table(&lang, by_id) else {
                continue;
            };
            let mut entries = Vec::new();
            for (id, label) in each_entry(by_id) {
                if let Some(label) = r.string(&id, label) {
                    entries.push((id, label));
                }
            }
            c.section_labels.push((lang, entries));
        }
    }
}

fn read_charts(r: &mut Reader, t: &Table<'_>) -> RawCharts {
    r.known_keys(t, CHARTS_KEYS, "`[charts]`");
    let mut c = RawCharts::default();
    for (key, v) in each_entry(t) {
        match key.as_str() {
            "width" => c.width = r.integer("width", v),
            "height" => c.height = r.integer("height", v),
            "palette" => c.palette = r.strings("palette", v),
            "formats" => c.formats = r.strings("formats", v),
            "png_scale" => c.png_scale = r.number("png_scale", v),
            "top_partners" => c.top_partners = r.integer("top_partners", v),
            _ => {}
        }
    }
    c
}
