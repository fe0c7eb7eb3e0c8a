//! Checks of the site-wide files: site.toml, indicators.toml, sources.toml, rcps.toml,
//! and the content pages' front matter.

use std::collections::{BTreeMap, BTreeSet};

use super::vocab::{self, allowed, unknown_id};
use super::{ChartStyle, Config, Derive, Indicator, Page, Rcp, Source, Text};
use crate::diagnostics::Diagnostic;
use crate::load::catalogue::{RawDerive, RawIndicator, RawRcp, RawSource};
use crate::load::config::RawConfig;
use crate::load::content::RawPage;
use crate::load::theme::ThemeFiles;

const SITE: &str = "site.toml";

/// Whether `url` can be a site's `base_url` (or `--base-url`): an absolute http:// or
/// https:// URL with a host.
pub fn is_base_url(url: &str) -> bool {
    crate::load::toml_reader::is_web_url(url)
}

/// The most pixels one PNG of the site may have: a build draws one chart per thread at
/// once, four bytes a pixel, so this bounds a build's memory (about 100 MB a thread)
/// while leaving room for print-quality pictures (2,400 × 1,350 at 3×).
pub const SITE_PNG_PIXELS: f64 = 30e6;

fn png_pixels_fit(charts: &ChartStyle, raw: &RawConfig, diags: &mut Vec<Diagnostic>) {
    let scale = charts.png_scale;
    let pixels = charts.png_pixels(scale);
    if pixels <= SITE_PNG_PIXELS {
        return;
    }
    let c = &raw.charts;
    let span = c
        .png_scale
        .as_ref()
        .map(|s| s.span.clone())
        .or_else(|| c.width.as_ref().map(|w| w.span.clone()))
        .or_else(|| c.height.as_ref().map(|h| h.span.clone()));
    diags.push(
        Diagnostic::error(
            SITE,
            span,
            format!(
                "a {}×{} chart at png_scale {scale} is a PNG of {:.0} million pixels; at most {:.0} million are drawn",
                charts.width,
                charts.height,
                pixels / 1e6,
                SITE_PNG_PIXELS / 1e6
            ),
        )
        .with_help("lower `width`, `height` or `png_scale` in [charts]; `mpgen chart` draws one larger picture for print"),
    );
}

/// The most languages a site may have: every page is made once for each, so this
/// bounds the site's size by its profiles (the UN has six official languages).
pub const MAX_LANGUAGES: usize = 40;

/// The bounds of site.toml's numbers (the check and `schema` share them).
pub const MAX_CHART_SIDE: i64 = 10_000;
pub const MAX_TOP_PARTNERS: i64 = 1000;
pub const MAX_CORRIDORS: i64 = 10_000;
pub const MAX_STALE_AFTER: i64 = 200;
pub const MAX_PNG_SCALE: f64 = 8.0;

pub fn check_config(raw: Option<&RawConfig>, diags: &mut Vec<Diagnostic>) -> Config {
    let default = RawConfig::default();
    let raw = raw.unwrap_or(&default);
    let RawConfig {
        span: _,
        title,
        base_url,
        default_language,
        languages,
        theme,
        allow_raw_html,
        stale_after_years,
        reference_year,
        codes,
        sections_order,
        section_labels,
        charts,
        corridors,
        publish_host,
    } = raw;

    if let Some(url) = base_url
        && !is_base_url(url)
    {
        diags.push(
            Diagnostic::error(
                SITE,
                Some(url.span.clone()),
                "`base_url` must be an absolute http:// or https:// URL",
            )
            .with_help("for example `base_url = \"https://example.org/profiles/\"`"),
        );
    }

    let mut langs: Vec<String> = Vec::new();
    match languages {
        Some(list) if list.is_empty() => diags.push(Diagnostic::error(
            SITE,
            Some(list.span.clone()),
            "`languages` must name at least one language",
        )),
        Some(list) if list.len() > MAX_LANGUAGES => diags.push(
            Diagnostic::error(
                SITE,
                Some(list.span.clone()),
                format!(
                    "`languages` names {} languages; a site has at most {MAX_LANGUAGES}",
                    list.len()
                ),
            )
            .with_help("every page is made once per language: list the languages the site is translated into"),
        ),
        Some(list) => {
            for l in list.iter() {
                if !vocab::is_language(l) {
                    diags.push(
                        Diagnostic::error(
                            SITE,
                            Some(l.span.clone()),
                            format!("`{}` is not a language code", l.value),
                        )
                        .with_help("use a lower-case language code such as `en`, `fr` or `es`"),
                    );
                } else {
                    langs.push(l.value.clone());
                }
            }
        }
        None => {}
    }
    let default_lang = match default_language {
        Some(d) => {
            if languages.is_some() && !langs.contains(&d.value) {
                diags.push(
                    Diagnostic::error(
                        SITE,
                        Some(d.span.clone()),
                        format!("the default language `{}` is not in `languages`", d.value),
                    )
                    .with_help(format!(
                        "add \"{}\" to `languages`, or pick one of them",
                        d.value
                    )),
                );
            }
            d.value.clone()
        }
        None => langs.first().cloned().unwrap_or_else(|| "en".to_string()),
    };
    if !vocab::is_language(&default_lang) {
        langs.clear();
    }
    langs.retain(|l| *l != default_lang);
    langs.insert(0, default_lang.clone());

    let mut code_map = BTreeMap::new();
    for (code, name) in codes {
        let well_formed = code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase());
        if !well_formed {
            diags.push(
                Diagnostic::error(
                    SITE,
                    Some(code.span.clone()),
                    format!("`{}` is not a three-letter code in capitals", code.value),
                )
                .with_help("user-assigned codes look like `XKX`"),
            );
        } else {
            code_map.insert(code.value.clone(), name.value.clone());
        }
    }

    let mut sections = Vec::new();
    if let Some(order) = sections_order {
        for s in order.iter() {
            if !vocab::is_slug(s) {
                diags.push(
                    Diagnostic::error(
                        SITE,
                        Some(s.span.clone()),
                        format!("`{}` is not a valid section id", s.value),
                    )
                    .with_help("section ids are lower case, such as `trends`"),
                );
            } else {
                sections.push(s.value.clone());
            }
        }
    }
    let mut labels: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (lang, entries) in section_labels {
        if !langs.contains(&lang.value) {
            // Texts in a language the site does not publish are kept but not shown: a
            // team may drop a language for a while without deleting its translations.
            diags.push(Diagnostic::warning(
                SITE,
                Some(lang.span.clone()),
                format!(
                    "`{}` is not in `languages`; these labels are not shown",
                    lang.value
                ),
            ));
            continue;
        }
        for (id, label) in entries {
            if !sections.contains(&id.value) {
                unknown_id(
                    SITE,
                    id,
                    sections.iter(),
                    "section",
                    "`[sections] order`",
                    diags,
                );
                continue;
            }
            labels
                .entry(lang.value.clone())
                .or_default()
                .insert(id.value.clone(), label.value.clone());
        }
    }

    let positive = |v: &Option<crate::load::toml_reader::Sp<i64>>,
                    key: &str,
                    default: u32,
                    max: i64,
                    diags: &mut Vec<Diagnostic>| match v {
        Some(x) if x.value < 1 || x.value > max => {
            diags.push(Diagnostic::error(
                SITE,
                Some(x.span.clone()),
                format!("`{key}` must be between 1 and {max}"),
            ));
            default
        }
        Some(x) => x.value as u32,
        None => default,
    };
    let mut palette = Vec::new();
    for c in charts.palette.iter().flatten() {
        let ok =
            c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit());
        if ok {
            palette.push(c.value.to_ascii_uppercase());
        } else {
            diags.push(
                Diagnostic::error(
                    SITE,
                    Some(c.span.clone()),
                    format!("`{}` is not a colour", c.value),
                )
                .with_help("palette colours are written `#RRGGBB`, such as `#0072B2`"),
            );
        }
    }
    if palette.is_empty() {
        // Okabe and Ito's colour-blind safe palette.
        palette = [
            "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
        ]
        .map(String::from)
        .to_vec();
    }
    let mut formats = Vec::new();
    for f in charts.formats.iter().flatten() {
        if allowed(SITE, f, vocab::CHART_FORMATS, "chart format", diags) {
            formats.push(f.value.clone());
        }
    }
    if charts.formats.is_none() {
        formats = vec!["svg".into(), "png".into()];
    }
    let png_scale = match &charts.png_scale {
        Some(s) if !(s.value > 0.0 && s.value <= MAX_PNG_SCALE) => {
            diags.push(Diagnostic::error(
                SITE,
                Some(s.span.clone()),
                "`png_scale` must be above 0 and at most 8",
            ));
            2.0
        }
        Some(s) => s.value,
        // Print size: twice the web chart.
        None => 2.0,
    };
    let charts = ChartStyle {
        width: positive(&charts.width, "width", 800, MAX_CHART_SIDE, diags),
        height: positive(&charts.height, "height", 450, MAX_CHART_SIDE, diags),
        palette,
        formats,
        png_scale,
        top_partners: positive(
            &charts.top_partners,
            "top_partners",
            10,
            MAX_TOP_PARTNERS,
            diags,
        ),
        enabled: true,
    };
    if charts.formats.iter().any(|f| f == "png") {
        png_pixels_fit(&charts, raw, diags);
    }
    let corridors = positive(corridors, "corridors", 100, MAX_CORRIDORS, diags);

    let stale = match stale_after_years {
        Some(s) if !(0..=MAX_STALE_AFTER).contains(&s.value) => {
            diags.push(Diagnostic::error(
                SITE,
                Some(s.span.clone()),
                "`stale_after_years` must be between 0 and 200",
            ));
            5
        }
        Some(s) => s.value as i32,
        None => 5,
    };
    let reference_year = reference_year
        .as_ref()
        .and_then(|y| vocab::year(SITE, y, diags));
    let theme = theme
        .as_ref()
        .map_or("default".to_string(), |t| t.value.clone());
    if !vocab::is_slug(&theme)
        && let Some(t) = raw.theme.as_ref()
    {
        diags.push(Diagnostic::error(
            SITE,
            Some(t.span.clone()),
            "a theme name is a folder name under `themes/`, in lower case",
        ));
    }

    Config {
        title: title
            .as_ref()
            .map_or_else(|| Text::plain("Migration Profiles"), |t| Text::from_raw(t)),
        base_url: base_url.as_ref().map_or_else(
            || "https://example.org/".to_string(),
            |u| {
                if u.ends_with('/') {
                    u.value.clone()
                } else {
                    format!("{}/", u.value)
                }
            },
        ),
        default_language: default_lang,
        languages: langs,
        theme,
        allow_raw_html: allow_raw_html.as_ref().is_some_and(|b| b.value),
        stale_after_years: stale,
        reference_year,
        codes: code_map,
        sections,
        section_labels: labels,
        charts,
        corridors,
        publish: publish_host
            .as_ref()
            .filter(|h| allowed(SITE, h, &super::hosts::host_ids(), "publish host", diags))
            .map(|h| h.value.clone()),
    }
}

pub fn check_sources(
    raw: &[RawSource],
    file: &str,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Source> {
    let mut out = BTreeMap::new();
    for s in raw {
        if !vocab::is_slug(&s.id) {
            diags.push(
                Diagnostic::error(
                    file,
                    Some(s.id.span.clone()),
                    format!("`{}` is not a valid source id", s.id.value),
                )
                .with_help("source ids are lower case with `-` or `_`, such as `undesa-ims-2024`"),
            );
            continue;
        }
        if let Some(y) = &s.year {
            vocab::year(file, y, diags);
        }
        out.insert(
            s.id.value.clone(),
            Source {
                id: s.id.value.clone(),
                title: s
                    .title
                    .as_ref()
                    .map_or_else(String::new, |t| t.value.clone()),
                publisher: s.publisher.as_ref().map(|x| x.value.clone()),
                url: s.url.as_ref().map(|x| x.value.clone()),
                year: s.year.as_ref().map(|x| x.value),
                edition: s.edition.as_ref().map(|x| x.value.clone()),
                note: s.note.as_ref().map(|x| x.value.clone()),
            },
        );
    }
    out
}

pub fn check_rcps(raw: &[RawRcp], diags: &mut Vec<Diagnostic>) -> BTreeMap<String, Rcp> {
    let file = "rcps.toml";
    let mut out = BTreeMap::new();
    for r in raw {
        let mut ok = vocab::is_slug(&r.id);
        if !ok {
            diags.push(
                Diagnostic::error(
                    file,
                    Some(r.id.span.clone()),
                    format!("`{}` is not a valid RCP id", r.id.value),
                )
                .with_help("RCP ids are lower case with `-`, such as `puebla-process`"),
            );
        }
        if let Some(k) = &r.kind {
            ok &= allowed(file, k, vocab::RCP_KINDS, "RCP kind", diags);
        }
        if let Some(y) = &r.founded {
            vocab::year(file, y, diags);
        }
        if ok {
            out.insert(
                r.id.value.clone(),
                Rcp {
                    id: r.id.value.clone(),
                    name: r
                        .name
                        .as_ref()
                        .map_or_else(|| Text::plain(&r.id), |n| Text::from_raw(n)),
                    kind: r
                        .kind
                        .as_ref()
                        .map_or_else(|| "rcp".into(), |k| k.value.clone()),
                    founded: r.founded.as_ref().map(|f| f.value),
                    url: r.url.as_ref().map(|u| u.value.clone()),
                },
            );
        }
    }
    out
}

pub fn check_indicators(
    raw: &[RawIndicator],
    config: &Config,
    sources: &BTreeMap<String, Source>,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Indicator> {
    let file = "indicators.toml";
    let ids: BTreeSet<&str> = raw.iter().map(|i| i.id.as_str()).collect();
    let kinds: BTreeMap<&str, &str> = raw
        .iter()
        .filter_map(|i| i.kind.as_ref().map(|k| (i.id.as_str(), k.as_str())))
        .collect();
    let mut out = BTreeMap::new();
    for ind in raw {
        let mut ok = true;
        if !vocab::is_slug(&ind.id) || ind.id.contains('-') {
            diags.push(
                Diagnostic::error(
                    file,
                    Some(ind.id.span.clone()),
                    format!("`{}` is not a valid indicator id", ind.id.value),
                )
                .with_help("indicator ids are lower snake case, such as `migrant_stock`"),
            );
            ok = false;
        }
        for (v, list, what) in [
            (&ind.kind, vocab::INDICATOR_KINDS, "indicator kind"),
            (&ind.unit, vocab::UNITS, "unit"),
            (&ind.chart, vocab::CHART_KINDS, "chart"),
        ] {
            if let Some(v) = v {
                ok &= allowed(file, v, list, what, diags);
            }
        }
        if let Some(s) = &ind.section
            && !config.sections.contains(&s.value)
        {
            unknown_id(
                file,
                s,
                config.sections.iter(),
                "section",
                "`[sections] order` of site.toml",
                diags,
            );
            ok = false;
        }
        if let Some(s) = &ind.default_source
            && !sources.contains_key(&s.value)
        {
            unknown_id(file, s, sources.keys(), "source", "sources.toml", diags);
            ok = false;
        }
        let derive = match &ind.derive {
            None => None,
            Some(d) => {
                let (ops, span) = match d {
                    RawDerive::Ratio { operands, span, .. } | RawDerive::Sum { operands, span } => {
                        (operands, span)
                    }
                };
                for op in ops {
                    if !ids.contains(op.as_str()) {
                        let known: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
                        unknown_id(
                            file,
                            op,
                            known.iter(),
                            "indicator",
                            "indicators.toml",
                            diags,
                        );
                        ok = false;
                    } else if kinds.get(op.as_str()) != Some(&"series") {
                        diags.push(Diagnostic::error(
                            file,
                            Some(op.span.clone()),
                            format!(
                                "`{}` is not a series indicator; only series can be derived from",
                                op.value
                            ),
                        ));
                        ok = false;
                    } else if op.value == ind.id.value {
                        diags.push(Diagnostic::error(
                            file,
                            Some(op.span.clone()),
                            "an indicator cannot be derived from itself",
                        ));
                        ok = false;
                    }
                }
                if ind.kind.as_ref().is_some_and(|k| k.value != "series") {
                    diags.push(Diagnostic::error(
                        file,
                        Some(span.clone()),
                        "only `series` indicators can be derived",
                    ));
                    ok = false;
                }
                match d {
                    RawDerive::Ratio {
                        operands,
                        scale,
                        span,
                    } => {
                        if operands.len() != 2 {
                            diags.push(Diagnostic::error(
                                file,
                                Some(span.clone()),
                                "`ratio` takes two indicators: [numerator, denominator]",
                            ));
                            ok = false;
                            None
                        } else {
                            Some(Derive::Ratio {
                                numerator: operands[0].value.clone(),
                                denominator: operands[1].value.clone(),
                                scale: scale.as_ref().map_or(1.0, |s| s.value),
                            })
                        }
                    }
                    RawDerive::Sum { operands, span } => {
                        if operands.len() < 2 {
                            diags.push(Diagnostic::error(
                                file,
                                Some(span.clone()),
                                "`sum` takes at least two indicators",
                            ));
                            ok = false;
                        }
                        Some(Derive::Sum(
                            operands.iter().map(|o| o.value.clone()).collect(),
                        ))
                    }
                }
            }
        };
        if let Some(lbl) = &ind.label {
            check_text_langs(file, lbl, config, diags);
        }
        if let Some(flow) = &ind.flow {
            if !allowed(file, flow, vocab::FLOWS, "flow", diags) {
                ok = false;
            } else if ind.kind.as_ref().is_some_and(|k| k.value != "partners") {
                diags.push(Diagnostic::error(
                    file,
                    Some(flow.span.clone()),
                    "`flow` applies to a `partners` indicator only",
                ));
                ok = false;
            }
        }
        if ok
            && ind.kind.is_some()
            && ind.unit.is_some()
            && ind.section.is_some()
            && ind.label.is_some()
        {
            let kind = ind
                .kind
                .as_ref()
                .map(|k| k.value.clone())
                .unwrap_or_default();
            let default_chart = match kind.as_str() {
                "partners" => "bar",
                "age_sex" => "pyramid",
                _ => "line",
            };
            out.insert(
                ind.id.value.clone(),
                Indicator {
                    id: ind.id.value.clone(),
                    kind,
                    unit: ind
                        .unit
                        .as_ref()
                        .map(|u| u.value.clone())
                        .unwrap_or_default(),
                    signed: ind.signed.as_ref().is_some_and(|s| s.value),
                    section: ind
                        .section
                        .as_ref()
                        .map(|s| s.value.clone())
                        .unwrap_or_default(),
                    chart: ind
                        .chart
                        .as_ref()
                        .map_or(default_chart.to_string(), |c| c.value.clone()),
                    core: ind.core.as_ref().is_some_and(|c| c.value),
                    label: ind
                        .label
                        .as_ref()
                        .map(|l| Text::from_raw(l))
                        .unwrap_or_default(),
                    definition: ind.definition.as_ref().map(|d| Text::from_raw(d)),
                    default_source: ind.default_source.as_ref().map(|s| s.value.clone()),
                    derive,
                    wdi_code: ind.wdi_code.as_ref().map(|w| w.value.clone()),
                    import_codes: ind
                        .import_codes
                        .iter()
                        .flatten()
                        .map(|c| c.value.clone())
                        .collect(),
                    flow: ind.flow.as_ref().map(|f| f.value.clone()),
                },
            );
        }
    }
    check_derive_cycles(raw, &out, diags);
    check_import_codes(raw, diags);
    out
}

/// A code `import` maps (a `wdi_code` or one of `import_codes`) names one indicator only.
fn check_import_codes(raw: &[RawIndicator], diags: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for ind in raw {
        let codes = ind.wdi_code.iter().chain(ind.import_codes.iter().flatten());
        for code in codes {
            match seen.get(code.value.as_str()) {
                Some(other) if *other != ind.id.value => diags.push(
                    Diagnostic::error(
                        "indicators.toml",
                        Some(code.span.clone()),
                        format!("`{}` is already mapped to indicator `{other}`", code.value),
                    )
                    .with_help(
                        "`import` brings a code into one indicator; remove it from one of the two",
                    ),
                ),
                _ => {
                    seen.insert(&code.value, &ind.id.value);
                }
            }
        }
    }
}

/// A derived indicator must not depend on itself through others.
fn check_derive_cycles(
    raw: &[RawIndicator],
    inds: &BTreeMap<String, Indicator>,
    diags: &mut Vec<Diagnostic>,
) {
    for ind in inds.values() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&str> = ind
            .derive
            .as_ref()
            .map(|d| d.operands())
            .unwrap_or_default();
        while let Some(op) = stack.pop() {
            if op == ind.id {
                let span = raw
                    .iter()
                    .find(|r| r.id.value == ind.id)
                    .map(|r| r.id.span.clone());
                diags.push(Diagnostic::error(
                    "indicators.toml",
                    span,
                    format!(
                        "`{}` is derived from itself through other derived indicators",
                        ind.id
                    ),
                ));
                break;
            }
            if seen.insert(op)
                && let Some(d) = inds.get(op).and_then(|i| i.derive.as_ref())
            {
                stack.extend(d.operands());
            }
        }
    }
}

/// Language keys of a by-language text must be languages of the site.
pub fn check_text_langs(
    file: &str,
    text: &crate::load::toml_reader::Sp<crate::load::toml_reader::Localized>,
    config: &Config,
    diags: &mut Vec<Diagnostic>,
) {
    if let crate::load::toml_reader::Localized::ByLang(items) = &text.value {
        for (lang, _) in items {
            if !config.languages.contains(&lang.value) {
                diags.push(
                    Diagnostic::warning(
                        file,
                        Some(lang.span.clone()),
                        format!(
                            "`{}` is not one of the site's languages; this text is not shown",
                            lang.value
                        ),
                    )
                    .with_help(config.languages_hint()),
                );
            }
        }
    }
}

pub fn check_pages(
    raw: &[RawPage],
    config: &Config,
    theme: &ThemeFiles,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Page> {
    let mut out: Vec<Page> = Vec::new();
    let mut seen: BTreeMap<(String, Option<String>), String> = BTreeMap::new();
    for p in raw {
        let mut ok = true;
        let safe = p.stem.split('/').all(|c| {
            !c.is_empty()
                && c != "."
                && c != ".."
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
        if !safe {
            diags.push(
                Diagnostic::error(
                    &p.file,
                    None,
                    "a content file name may use only letters, digits, `-` and `_`",
                )
                .with_help("the file name becomes the page's URL"),
            );
            ok = false;
        }
        // The folders mpgen itself writes, and the language folders.
        let reserved = [
            "profiles",
            "data",
            "charts",
            "embed",
            "indicators",
            "partnerships",
            "rcps",
            "data-gaps",
            "corridors",
        ];
        let first = p.stem.split('/').next().unwrap_or("");
        if reserved.contains(&first) || config.languages.iter().any(|l| l == first) {
            diags.push(Diagnostic::error(
                &p.file,
                None,
                format!(
                    "`content/{first}/` would collide with the pages mpgen makes at `/{first}/`"
                ),
            ));
            ok = false;
        }
        let mut lang = p.file_lang.clone();
        if let Some(fl) = &p.file_lang
            && !config.languages.contains(fl)
        {
            diags.push(Diagnostic::error(&p.file, None, format!("the file name marks the language `{fl}`, which is not in `languages` of site.toml")));
            ok = false;
        }
        if let Some(l) = &p.lang {
            if !config.languages.contains(&l.value) {
                diags.push(
                    Diagnostic::error(
                        &p.file,
                        Some(l.span.clone()),
                        format!("`{}` is not one of the site's languages", l.value),
                    )
                    .with_help(config.languages_hint()),
                );
                ok = false;
            } else if p.file_lang.as_ref().is_some_and(|fl| *fl != l.value) {
                diags.push(Diagnostic::error(
                    &p.file,
                    Some(l.span.clone()),
                    "`lang` differs from the language in the file name",
                ));
                ok = false;
            }
            lang = Some(l.value.clone());
        }
        let template = p
            .template
            .as_ref()
            .map_or("page.html".to_string(), |t| t.value.clone());
        if let Some(t) = &p.template
            && !theme.files.contains_key(&format!("templates/{}", t.value))
        {
            let names: Vec<String> = theme
                .under("templates/")
                .map(|(n, _)| n.to_string())
                .collect();
            unknown_id(
                &p.file,
                t,
                names.iter(),
                "template",
                "the theme's `templates/` folder",
                diags,
            );
            ok = false;
        }
        // A page without a language is in the default language.
        let key_lang = lang.clone().filter(|l| *l != config.default_language);
        if let Some(other) = seen.get(&(p.stem.clone(), key_lang.clone())) {
            diags.push(Diagnostic::error(
                &p.file,
                None,
                format!("this page has the same URL and language as `{other}`"),
            ));
            ok = false;
        }
        seen.insert((p.stem.clone(), key_lang.clone()), p.file.clone());
        if ok && p.title.is_some() {
            out.push(Page {
                file: p.file.clone(),
                stem: p.stem.clone(),
                lang: key_lang,
                title: p
                    .title
                    .as_ref()
                    .map(|t| t.value.clone())
                    .unwrap_or_default(),
                description: p.description.as_ref().map(|d| d.value.clone()),
                template,
                weight: p.weight.as_ref().map_or(0, |w| w.value),
                draft: p.draft.as_ref().is_some_and(|d| d.value),
                body: p.body.clone(),
            });
        }
    }
    out.sort_by(|a, b| (a.weight, &a.stem, &a.lang).cmp(&(b.weight, &b.stem, &b.lang)));
    out
}
