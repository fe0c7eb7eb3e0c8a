//! What is not yet translated: for each language of the site besides the default, the
//! texts a page shows in another language (the default language's, or English for the
//! theme's interface words). `mpgen check` lists them; nothing here is an error, as a
//! team may publish before every translation is done.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Site, Text};

/// One kind of text missing in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    pub lang: String,
    /// `interface`, `site`, `sections`, `indicators`, `rcps`, `pages`, `names`,
    /// `narratives`, `phrases` (sentences written from the data, which have no
    /// fallback: a language without them gets no such text).
    pub kind: &'static str,
    /// Which: string keys, indicator ids, page stems, `MEX trends`...
    pub items: Vec<String>,
}

fn lacks(t: &Text, lang: &str) -> bool {
    !t.by_lang.contains_key("") && !t.by_lang.contains_key(lang)
}

/// Every missing translation of the site, by language, then kind.
pub fn missing(site: &Site) -> Vec<Missing> {
    let config = &site.config;
    let keys_of = |lang: &str| -> Option<BTreeSet<String>> {
        let file = site
            .theme
            .under("i18n/")
            .find(|(name, _)| *name == format!("{lang}.toml"))?
            .1;
        let map: BTreeMap<String, toml::Value> =
            toml::from_str(&String::from_utf8_lossy(&file.bytes)).ok()?;
        Some(map.into_keys().collect())
    };
    let english = keys_of("en").unwrap_or_default();
    let mut out = Vec::new();
    for lang in config
        .languages
        .iter()
        .filter(|l| **l != config.default_language)
    {
        let mut push = |kind: &'static str, items: Vec<String>| {
            if !items.is_empty() {
                out.push(Missing {
                    lang: lang.clone(),
                    kind,
                    items,
                });
            }
        };
        if lang != "en" {
            let own = keys_of(lang).unwrap_or_default();
            push("interface", english.difference(&own).cloned().collect());
        }
        let mut site_texts = Vec::new();
        if lacks(&config.title, lang) {
            site_texts.push("title".to_string());
        }
        push("site", site_texts);
        let labels = config.section_labels.get(lang);
        push(
            "sections",
            config
                .sections
                .iter()
                .filter(|s| !labels.is_some_and(|l| l.contains_key(*s)))
                .cloned()
                .collect(),
        );
        let mut indicators = Vec::new();
        for ind in site.indicators_in_order() {
            if lacks(&ind.label, lang) {
                indicators.push(format!("{} (label)", ind.id));
            }
            if ind.definition.as_ref().is_some_and(|d| lacks(d, lang)) {
                indicators.push(format!("{} (definition)", ind.id));
            }
        }
        push("indicators", indicators);
        push(
            "rcps",
            site.rcps
                .values()
                .filter(|r| lacks(&r.name, lang))
                .map(|r| r.id.clone())
                .collect(),
        );
        let mut stems: BTreeMap<&str, bool> = BTreeMap::new();
        for p in &site.pages {
            let in_lang = p.lang.as_deref() == Some(lang.as_str());
            *stems.entry(&p.stem).or_default() |= in_lang;
        }
        push(
            "pages",
            stems
                .into_iter()
                .filter(|(_, has)| !has)
                .map(|(stem, _)| stem.to_string())
                .collect(),
        );
        push(
            "names",
            site.profiles
                .values()
                .filter(|p| lacks(&p.name, lang))
                .map(|p| p.iso3.clone())
                .collect(),
        );
        let mut narratives = Vec::new();
        for p in site.profiles.values() {
            for (section, by_lang) in &p.narrative {
                if !by_lang.contains_key(lang) && !by_lang.contains_key("") {
                    narratives.push(format!("{} {section}", p.iso3));
                }
            }
        }
        push("narratives", narratives);
    }
    out.extend(missing_phrases(site));
    out
}

/// The theme's sentences written from the data that a language lacks: its whole
/// phrase file, or the sentences the default language's file has and its own does not.
fn missing_phrases(site: &Site) -> Vec<Missing> {
    let config = &site.config;
    let default = site.phrases.get(&config.default_language);
    config
        .languages
        .iter()
        .filter_map(|lang| {
            let items = match (site.phrases.get(lang), default) {
                (None, _) => vec![format!("phrases/{lang}.toml")],
                (Some(own), Some(d)) => super::phrases::missing_in(d, own),
                (Some(_), None) => Vec::new(),
            };
            (!items.is_empty()).then(|| Missing {
                lang: lang.clone(),
                kind: "phrases",
                items,
            })
        })
        .collect()
}

/// The list as `check` prints it: one line per language and kind, the first items named.
pub fn summary(missing: &[Missing], default_language: &str) -> String {
    if missing.is_empty() {
        return String::new();
    }
    let mut s = format!(
        "missing translations (pages show these in {default_language}, interface words in English):\n"
    );
    for m in missing {
        let shown: Vec<&str> = m.items.iter().take(8).map(String::as_str).collect();
        let more = m.items.len().saturating_sub(shown.len());
        s.push_str(&format!(
            "  {}: {} {}: {}{}\n",
            m.lang,
            m.items.len(),
            m.kind,
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    }
    s
}
