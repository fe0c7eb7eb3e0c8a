//! The model cut into the parts that different readers read, each hashed on its own:
//! what the catalogue says of an indicator but in words, and its words in each
//! language; the settings a profile's check reads. The check keeps a profile's result
//! while the parts it reads stay, and the plan builds its fingerprints from the same
//! parts, so a label or a title edit is neither a new check of every profile nor a new
//! drawing of every chart.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Config, Indicator, Rcp, Source};

/// Adds a model value to a hash, as JSON.
pub fn hash_json<T: Serialize + ?Sized>(hasher: &mut blake3::Hasher, value: &T) {
    // Serializing model types to JSON cannot fail: they have string keys only. Into
    // memory first: serde writes token by token, and an update per token is slow.
    let mut bytes = serde_json::to_vec(value).unwrap_or_default();
    bytes.push(0);
    hasher.update(&bytes);
}

/// Adds what the catalogue says of one indicator but in words (kind, unit, section,
/// chart, derivation...) to a hash. Taken apart field by field, so that a field added
/// to the catalogue fails to compile here until it is given to a part.
pub fn hash_structure(h: &mut blake3::Hasher, key: &str, ind: &Indicator) {
    let Indicator {
        id,
        kind,
        unit,
        signed,
        section,
        chart,
        core,
        label: _,
        definition: _,
        default_source,
        derive,
        wdi_code,
        import_codes,
        flow,
    } = ind;
    hash_json(h, &(key, id, kind, unit, signed, section, chart));
    hash_json(h, &(core, default_source, derive, wdi_code));
    hash_json(h, &(import_codes, flow));
}

/// An indicator's words (label, definition) as a page or chart in `lang` shows them.
pub fn words_in(ind: &Indicator, lang: &str, default_language: &str) -> blake3::Hash {
    let mut h = blake3::Hasher::new();
    let shown = ind
        .definition
        .as_ref()
        .map(|d| d.lookup(lang, default_language));
    hash_json(
        &mut h,
        &(&ind.id, ind.label.lookup(lang, default_language), shown),
    );
    h.finalize()
}

/// Every indicator's label, as the data-gap warnings name them.
pub fn labels(indicators: &BTreeMap<String, Indicator>) -> blake3::Hash {
    let mut h = blake3::Hasher::new();
    for (key, ind) in indicators {
        hash_json(&mut h, &(key, &ind.label));
    }
    h.finalize()
}

/// Adds the settings but for their words (the title, section labels) to a hash. Taken
/// apart field by field, so that a setting added fails to compile here until it is
/// given its place.
fn hash_settings(h: &mut blake3::Hasher, config: &Config) {
    let Config {
        title: _,
        base_url,
        default_language,
        languages,
        theme,
        allow_raw_html,
        stale_after_years,
        reference_year,
        codes,
        sections,
        section_labels: _,
        charts,
        corridors,
        publish,
    } = config;
    hash_json(h, &(base_url, default_language, languages, theme));
    hash_json(h, &(allow_raw_html, stale_after_years, reference_year));
    hash_json(h, &(codes, sections, charts, corridors, publish));
}

/// The settings as a page in `lang` shows them: the title and section labels in that
/// language, the rest as they are.
pub fn settings_in(config: &Config, lang: &str) -> blake3::Hash {
    let mut h = blake3::Hasher::new();
    hash_settings(&mut h, config);
    let labels: Vec<String> = (config.sections.iter())
        .map(|s| config.section_label(lang, s))
        .collect();
    let title = config.title.get(lang, &config.default_language);
    hash_json(&mut h, &(title, labels));
    h.finalize()
}

/// What a profile's check (with its derived series and typed numbers), the theme's
/// phrases' check and the key findings read besides their own files: the settings
/// but for their words, the catalogue but for its words, the sources and the RCPs.
pub fn check_context(
    config: &Config,
    indicators: &BTreeMap<String, Indicator>,
    sources: &BTreeMap<String, Source>,
    rcps: &BTreeMap<String, Rcp>,
) -> blake3::Hash {
    let mut h = blake3::Hasher::new();
    hash_settings(&mut h, config);
    for (key, ind) in indicators {
        hash_structure(&mut h, key, ind);
    }
    hash_json(&mut h, &(sources, rcps));
    h.finalize()
}
