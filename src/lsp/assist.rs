//! Hover and completion: what the word under the cursor names, and what may be typed
//! where the cursor is, from the site's vocabulary and the format's key lists.

use std::ops::Range;

use crate::load::{catalogue, config, content, profile as keys};
use crate::model::vocab;
use crate::schema::{Vocabulary, indicator_doc};

/// The id-like word around `offset` (letters, digits, `_`, `-`), with its span.
pub fn word_at(text: &str, offset: usize) -> Option<(Range<usize>, &str)> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let offset = offset.min(text.len());
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = text[offset..]
        .char_indices()
        .find(|(_, c)| !is_word(*c))
        .map_or(text.len(), |(i, _)| offset + i);
    (start < end).then(|| (start..end, &text[start..end]))
}

/// What a word names in the site, in Markdown: an indicator (label, definition, unit),
/// a source (title, edition, publisher), an RCP, a country or area.
pub fn hover(v: &Vocabulary, word: &str) -> Option<String> {
    let lang = v.config.default_language.as_str();
    if let Some(ind) = v.indicators.iter().find(|i| i.id == word) {
        return Some(format!(
            "{}\n\n`{}` indicator `{word}`",
            indicator_doc(v, ind),
            ind.kind
        ));
    }
    if let Some(s) = v.sources.get(word) {
        let mut doc = format!("**{}**", s.title);
        for part in [&s.edition, &s.publisher].into_iter().flatten() {
            doc.push_str(&format!(" · {part}"));
        }
        if let Some(y) = s.year {
            doc.push_str(&format!(" · {y}"));
        }
        if let Some(url) = &s.url {
            doc.push_str(&format!("\n\n{url}"));
        }
        return Some(format!("{doc}\n\nsource `{word}`"));
    }
    if let Some(r) = v.rcps.get(word) {
        let founded = r
            .founded
            .map(|y| format!(", founded {y}"))
            .unwrap_or_default();
        return Some(format!(
            "**{}** ({}{founded})\n\nRCP `{word}`",
            r.name.get(lang, lang),
            r.kind
        ));
    }
    let is_code = word.len() == 3 && word.bytes().all(|b| b.is_ascii_uppercase());
    if is_code && let Some((_, name)) = v.country_codes().into_iter().find(|(c, _)| c == word) {
        return Some(format!("**{name}**\n\ncountry or area `{word}`"));
    }
    None
}

/// One thing that may be typed, with what it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    pub label: String,
    pub detail: String,
    pub doc: Option<String>,
}

impl Offer {
    fn new(label: &str, detail: &str) -> Self {
        Offer {
            label: label.to_string(),
            detail: detail.to_string(),
            doc: None,
        }
    }
}

/// What fits at `offset` of the file `rel`, and the span of the part already typed,
/// which a chosen offer replaces.
pub fn complete(
    v: &Vocabulary,
    rel: &str,
    text: &str,
    offset: usize,
) -> (Range<usize>, Vec<Offer>) {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let typed = before.len()
        - before
            .trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            .len();
    let span = offset - typed..offset;
    // A page's Markdown takes no keys: only its front matter does.
    if rel_kind(rel) == Kind::Page && !in_front_matter(&text[..line_start]) {
        return (span, Vec::new());
    }
    let table = table_at(&text[..line_start]);
    let offers = match before.trim_start().strip_prefix('[') {
        Some(header) => header_offers(v, header.trim_start_matches('[')),
        None => match before.split_once('=') {
            Some((key, _)) => value_offers(v, rel, &table, key.trim().trim_matches('"')),
            None => key_offers(v, rel, &table),
        },
    };
    (span, offers)
}

/// Whether a line that follows `above` is inside a page's front matter: after the
/// opening `+++` and before the closing one.
fn in_front_matter(above: &str) -> bool {
    let mut lines = above.lines();
    lines.next().is_some_and(|l| l.trim_end() == "+++") && !lines.any(|l| l.trim_end() == "+++")
}

/// The table the cursor is in: the last header above it, without brackets
/// (`series.migrant_stock`, `agreements`); empty at the top of a file.
fn table_at(above: &str) -> String {
    above
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| {
            let end = l.find(']').unwrap_or(l.len());
            l[..end].trim_start_matches('[').trim().to_string()
        })
        .unwrap_or_default()
}

fn header_offers(v: &Vocabulary, header: &str) -> Vec<Offer> {
    match header.split_once('.') {
        Some((kind @ ("series" | "partners" | "age_sex"), _)) => indicators(v, kind),
        Some(("narrative", _)) => sections(v),
        _ => Vec::new(),
    }
}

fn value_offers(v: &Vocabulary, rel: &str, table: &str, key: &str) -> Vec<Offer> {
    let in_table = |t: &str| table == t || table.starts_with(&format!("{t}."));
    // Inside an inline table of partner values, `{ USA = 1, ME`: a code is typed.
    if key == "values" && in_table("partners") {
        return codes(v);
    }
    let words = |list: &[&str], what: &str| list.iter().map(|w| Offer::new(w, what)).collect();
    match (rel_kind(rel), key) {
        (_, "source" | "default_source") => sources(v),
        (Kind::Profile, "rcps") => rcps(v),
        (Kind::Profile, "iso3" | "partners") => codes(v),
        (Kind::Profile, "region") => v.regions.iter().map(|r| Offer::new(r, "region")).collect(),
        (Kind::Profile, "subregion") => v
            .subregions
            .iter()
            .map(|r| Offer::new(r, "subregion"))
            .collect(),
        (_, "section") => sections(v),
        (Kind::Profile, "series") | (Kind::Indicators, "ratio" | "sum") => indicators(v, "series"),
        (Kind::Profile, "roles") => words(vocab::ROLES, "role"),
        (Kind::Profile, "topics") => words(vocab::TOPICS, "topic"),
        (Kind::Profile, "status") => words(vocab::AGREEMENT_STATUS, "status"),
        (Kind::Profile, "kind") if table == "agreements" => {
            words(vocab::AGREEMENT_KINDS, "agreement kind")
        }
        (Kind::Profile, "kind") if table == "policies" => words(vocab::POLICY_KINDS, "policy kind"),
        (Kind::Profile, "kind") if table == "charts" => words(vocab::CHART_KINDS, "chart kind"),
        (Kind::Indicators, "kind") => words(vocab::INDICATOR_KINDS, "indicator kind"),
        (Kind::Indicators, "unit") => words(vocab::UNITS, "unit"),
        (Kind::Indicators, "chart") => words(vocab::CHART_KINDS, "chart kind"),
        (Kind::Indicators, "flow") => words(vocab::FLOWS, "flow"),
        (Kind::Rcps, "kind") => words(vocab::RCP_KINDS, "RCP kind"),
        (Kind::Page, "lang") | (Kind::Site, "default_language") => v
            .config
            .languages
            .iter()
            .map(|l| Offer::new(l, "language"))
            .collect(),
        (Kind::Page, "template") => v
            .templates
            .iter()
            .map(|t| Offer::new(t, "template"))
            .collect(),
        _ => Vec::new(),
    }
}

fn key_offers(v: &Vocabulary, rel: &str, table: &str) -> Vec<Offer> {
    let head = table.split('.').next().unwrap_or("");
    let keys: &[&str] = match (rel_kind(rel), head) {
        (Kind::Profile, "country") => keys::COUNTRY_KEYS,
        (Kind::Profile, "series") => keys::SERIES_KEYS,
        (Kind::Profile, "partners") if table.ends_with(".values") => return codes(v),
        (Kind::Profile, "partners") => keys::PARTNERS_KEYS,
        (Kind::Profile, "age_sex") => keys::AGE_SEX_KEYS,
        (Kind::Profile, "agreements") => keys::AGREEMENT_KEYS,
        (Kind::Profile, "policies") => keys::POLICY_KEYS,
        (Kind::Profile, "charts") => keys::CHART_KEYS,
        (Kind::Profile, "climate") => keys::CLIMATE_KEYS,
        (Kind::Profile, "gaps") => keys::GAPS_KEYS,
        (Kind::Profile, "sources") | (Kind::Sources, _) => catalogue::SOURCE_KEYS,
        (Kind::Profile, "narrative") => {
            return v
                .config
                .languages
                .iter()
                .map(|l| Offer::new(l, "language"))
                .collect();
        }
        (Kind::Indicators, _) if !table.contains('.') => catalogue::INDICATOR_KEYS,
        (Kind::Indicators, _) => catalogue::DERIVE_KEYS,
        (Kind::Rcps, _) => catalogue::RCP_KEYS,
        (Kind::Site, "") => config::SITE_KEYS,
        (Kind::Site, "charts") => config::CHARTS_KEYS,
        (Kind::Site, "sections") => config::SECTIONS_KEYS,
        (Kind::Site, "publish") => config::PUBLISH_KEYS,
        (Kind::Page, _) => content::FRONT_MATTER_KEYS,
        _ => &[],
    };
    keys.iter().map(|k| Offer::new(k, "key")).collect()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Site,
    Indicators,
    Sources,
    Rcps,
    Profile,
    Page,
    Other,
}

fn rel_kind(rel: &str) -> Kind {
    match rel {
        "site.toml" => Kind::Site,
        "indicators.toml" => Kind::Indicators,
        "sources.toml" => Kind::Sources,
        "rcps.toml" => Kind::Rcps,
        _ if rel.starts_with("profiles/") && rel.ends_with(".toml") => Kind::Profile,
        _ if rel.starts_with("content/") && rel.ends_with(".md") => Kind::Page,
        _ => Kind::Other,
    }
}

fn indicators(v: &Vocabulary, kind: &str) -> Vec<Offer> {
    let lang = v.config.default_language.as_str();
    v.indicators
        .iter()
        .filter(|i| i.kind == kind)
        .map(|i| Offer {
            doc: Some(indicator_doc(v, i)),
            ..Offer::new(&i.id, i.label.get(lang, lang))
        })
        .collect()
}

fn sources(v: &Vocabulary) -> Vec<Offer> {
    v.sources
        .values()
        .map(|s| Offer::new(&s.id, &s.cited()))
        .collect()
}

fn rcps(v: &Vocabulary) -> Vec<Offer> {
    let lang = v.config.default_language.as_str();
    v.rcps
        .values()
        .map(|r| Offer::new(&r.id, r.name.get(lang, lang)))
        .collect()
}

fn codes(v: &Vocabulary) -> Vec<Offer> {
    v.country_codes()
        .iter()
        .map(|(c, name)| Offer::new(c, name))
        .collect()
}

fn sections(v: &Vocabulary) -> Vec<Offer> {
    let lang = v.config.default_language.as_str();
    v.config
        .sections
        .iter()
        .map(|s| Offer::new(s, &v.config.section_label(lang, s)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic() -> Vocabulary {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
        Vocabulary::of(&crate::load::load(&root)).0
    }

    fn labels(v: &Vocabulary, rel: &str, text: &str) -> Vec<String> {
        let (_, offers) = complete(v, rel, text, text.len());
        offers.into_iter().map(|o| o.label).collect()
    }

    #[test]
    fn completion_fits_where_the_cursor_is() {
        let v = basic();
        let p = "profiles/SEN.toml";
        assert!(labels(&v, p, "[series.mig").contains(&"migrant_stock".to_string()));
        assert!(!labels(&v, p, "[partners.").contains(&"migrant_stock".to_string()));
        assert!(
            labels(&v, p, "[series.x]\nsource = \"")
                .iter()
                .all(|s| v.sources.contains_key(s))
        );
        assert!(
            labels(&v, p, "[country]\nrcps = [\"")
                .iter()
                .all(|r| v.rcps.contains_key(r))
        );
        assert!(labels(&v, p, "[[agreements]]\npartners = [\"ME").contains(&"MEX".to_string()));
        assert!(labels(&v, p, "[country]\nreg").contains(&"region".to_string()));
        assert!(labels(&v, p, "[[agreements]]\nkind = \"").contains(&"mou".to_string()));
        assert!(labels(&v, "indicators.toml", "[x]\nunit = \"").contains(&"per_1000".to_string()));
        let page = "content/about.md";
        assert!(labels(&v, page, "+++\nti").contains(&"title".to_string()));
        assert!(labels(&v, page, "+++\ntitle = \"A\"\n+++\nSome te").is_empty());
        let (span, _) = complete(&v, p, "[series.x]\nsource = \"wdi-2", 26);
        assert_eq!(span, 21..26);
    }

    #[test]
    fn hover_names_indicators_sources_rcps_and_countries() {
        let v = basic();
        let ind = &v.indicators[0];
        let label = ind.label.get("en", "en");
        assert!(hover(&v, &ind.id).is_some_and(|h| h.contains(label)));
        let (id, source) = v.sources.iter().next().unwrap();
        assert!(hover(&v, id).is_some_and(|h| h.contains(&source.title)));
        assert!(hover(&v, "MEX").is_some_and(|h| h.contains("Mexico")));
        assert_eq!(hover(&v, "values"), None);
        assert_eq!(
            word_at("source = \"wdi-2025\"", 12),
            Some((10..18, "wdi-2025"))
        );
    }
}
