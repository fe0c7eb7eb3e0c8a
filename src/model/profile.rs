//! Checks of one profile: names, ids, years, values and their flags.

use std::collections::BTreeMap;

use super::catalogue::{check_sources, check_text_langs};
use super::vocab::{self, allowed, unknown_id};
use super::{
    AgeSex, Agreement, Climate, Config, CustomChart, Indicator, Partners, Point, Policy, Profile,
    Rcp, Series, Source, Text,
};
use crate::diagnostics::Diagnostic;
use crate::load::profile::{RawMeta, RawProfile, RawSeries};
use crate::load::toml_reader::Sp;

/// What a profile is checked against.
pub struct Ctx<'a> {
    pub config: &'a Config,
    pub indicators: &'a BTreeMap<String, Indicator>,
    pub sources: &'a BTreeMap<String, Source>,
    pub rcps: &'a BTreeMap<String, Rcp>,
}

/// Checks one profile. `None` when it cannot be used at all (no `[country]`, a bad file
/// name); its other problems are still reported.
pub fn check(raw: &RawProfile, ctx: &Ctx, diags: &mut Vec<Diagnostic>) -> Option<Profile> {
    let file = raw.file.as_str();
    let codes = &ctx.config.codes;
    let start = diags.len();

    let well_formed = raw.file_id.len() == 3 && raw.file_id.bytes().all(|b| b.is_ascii_uppercase());
    if !vocab::is_country_code(&raw.file_id, codes) {
        let upper = raw.file_id.to_ascii_uppercase();
        let help = if well_formed || !vocab::is_country_code(&upper, codes) {
            "a profile's file name is its ISO 3166-1 alpha-3 code in capitals, such as `MEX.toml`, or a code declared in `[codes]` of site.toml".to_string()
        } else {
            format!("rename the file to `{upper}.toml`")
        };
        diags.push(
            Diagnostic::error(
                file,
                None,
                format!(
                    "`{}.toml` is not named after an ISO 3166-1 alpha-3 code in capitals",
                    raw.file_id
                ),
            )
            .with_help(help),
        );
    }
    let country = raw.country.as_ref()?;
    if let Some(iso3) = &country.iso3
        && iso3.value != raw.file_id
    {
        diags.push(
            Diagnostic::error(
                file,
                Some(iso3.span.clone()),
                format!(
                    "`iso3` is \"{}\" but the file is named `{}.toml`",
                    iso3.value, raw.file_id
                ),
            )
            .with_help("the code and the file name must be the same"),
        );
    }
    for role in &country.roles {
        allowed(file, role, vocab::ROLES, "role", diags);
    }
    for rcp in &country.rcps {
        if !ctx.rcps.contains_key(&rcp.value) {
            unknown_id(file, rcp, ctx.rcps.keys(), "RCP", "rcps.toml", diags);
        }
    }
    if let Some(name) = &country.name {
        check_text_langs(file, name, ctx.config, diags);
    }

    let local_sources = check_sources(&raw.sources, file, diags);
    let known_source = |id: &str| local_sources.contains_key(id) || ctx.sources.contains_key(id);
    let mut all_sources: Vec<String> = local_sources
        .keys()
        .chain(ctx.sources.keys())
        .cloned()
        .collect();
    all_sources.sort();
    let resolve_source = |meta: &RawMeta,
                          ind: &Indicator,
                          table: &Sp<String>,
                          diags: &mut Vec<Diagnostic>|
     -> Option<String> {
        match &meta.source {
            Some(s) if known_source(&s.value) => Some(s.value.clone()),
            Some(s) => {
                unknown_id(
                    file,
                    s,
                    all_sources.iter(),
                    "source",
                    "sources.toml or the profile's `[sources]`",
                    diags,
                );
                None
            }
            None => match &ind.default_source {
                Some(d) => Some(d.clone()),
                None => {
                    diags.push(
                        Diagnostic::error(file, Some(table.span.clone()), format!("`{}` does not name its source", table.value))
                            .with_help("add `source = \"...\"` naming a source of sources.toml or of this profile's `[sources]`"),
                    );
                    None
                }
            },
        }
    };

    let mut series = BTreeMap::new();
    for s in &raw.series {
        let Some(ind) = indicator_of_kind(file, &s.id, "series", ctx, diags) else {
            continue;
        };
        let source = resolve_source(&s.meta, ind, &s.id, diags);
        if let (Some(points), Some(source)) = (check_series(file, s, ind, diags), source) {
            series.insert(
                s.id.value.clone(),
                Series {
                    source,
                    note: s.meta.note.as_ref().map(|n| n.value.clone()),
                    method: s.meta.method.as_ref().map(|n| n.value.clone()),
                    points,
                },
            );
        }
    }

    let mut partners = BTreeMap::new();
    for p in &raw.partners {
        let Some(ind) = indicator_of_kind(file, &p.id, "partners", ctx, diags) else {
            continue;
        };
        let source = resolve_source(&p.meta, ind, &p.id, diags);
        let year = p.year.as_ref().and_then(|y| vocab::year(file, y, diags));
        let mut values = Vec::new();
        for (code, v) in p.values.iter().flatten() {
            let code_ok = vocab::is_country_code(code, codes);
            if !code_ok {
                let upper = code.value.to_ascii_uppercase();
                let help = if vocab::is_country_code(&upper, codes) {
                    format!("write it in capitals: `{upper}`")
                } else {
                    "partner codes are ISO 3166-1 alpha-3 codes such as `USA`, or codes declared in `[codes]` of site.toml".to_string()
                };
                diags.push(
                    Diagnostic::error(
                        file,
                        Some(code.span.clone()),
                        format!("`{}` is not a known country code", code.value),
                    )
                    .with_help(help),
                );
            }
            if check_value(file, v, ind, diags) && code_ok {
                values.push((code.value.clone(), v.value));
            }
        }
        let other = p
            .other
            .as_ref()
            .filter(|o| check_value(file, o, ind, diags))
            .map(|o| o.value);
        values.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        if let (Some(year), Some(source), Some(_)) = (year, source, &p.values) {
            partners.insert(
                p.id.value.clone(),
                Partners {
                    source,
                    note: p.meta.note.as_ref().map(|n| n.value.clone()),
                    year,
                    values,
                    other,
                },
            );
        }
    }

    let mut age_sex = BTreeMap::new();
    for a in &raw.age_sex {
        let Some(ind) = indicator_of_kind(file, &a.id, "age_sex", ctx, diags) else {
            continue;
        };
        let source = resolve_source(&a.meta, ind, &a.id, diags);
        let year = a.year.as_ref().and_then(|y| vocab::year(file, y, diags));
        let mut ok = true;
        if let Some(groups) = &a.groups {
            for (name, arr) in [("female", &a.female), ("male", &a.male)] {
                if let Some(arr) = arr {
                    if arr.len() != groups.len() {
                        diags.push(
                            Diagnostic::error(
                                file,
                                Some(arr.span.clone()),
                                format!(
                                    "`{name}` has {} values but `groups` has {}",
                                    arr.len(),
                                    groups.len()
                                ),
                            )
                            .with_help("give one value for each age group, in the same order"),
                        );
                        ok = false;
                    }
                    for v in arr.iter() {
                        ok &= check_value(file, v, ind, diags);
                    }
                }
            }
        }
        if let (true, Some(year), Some(source), Some(groups), Some(female), Some(male)) =
            (ok, year, source, &a.groups, &a.female, &a.male)
        {
            age_sex.insert(
                a.id.value.clone(),
                AgeSex {
                    source,
                    note: a.meta.note.as_ref().map(|n| n.value.clone()),
                    year,
                    groups: groups.iter().map(|g| g.value.clone()).collect(),
                    female: female.iter().map(|v| v.value).collect(),
                    male: male.iter().map(|v| v.value).collect(),
                },
            );
        }
    }

    let mut agreements = Vec::new();
    for a in &raw.agreements {
        if let Some(k) = &a.kind {
            allowed(file, k, vocab::AGREEMENT_KINDS, "agreement kind", diags);
        }
        if let Some(s) = &a.status {
            allowed(file, s, vocab::AGREEMENT_STATUS, "agreement status", diags);
        }
        for t in &a.topics {
            allowed(file, t, vocab::TOPICS, "topic", diags);
        }
        for c in &a.partners {
            if !vocab::is_country_code(c, codes) {
                diags.push(Diagnostic::error(file, Some(c.span.clone()), format!("`{}` is not a known country code", c.value))
                    .with_help("agreement partners are ISO 3166-1 alpha-3 codes; name organisations in `parties` instead"));
            }
        }
        let signed = a.signed.as_ref().and_then(|y| vocab::year(file, y, diags));
        if let Some(id) = &a.id
            && !vocab::is_slug(id)
        {
            diags.push(Diagnostic::error(
                file,
                Some(id.span.clone()),
                "an agreement `id` is lower case with `-` or `_`, such as `mex-can-sawp`",
            ));
        }
        agreements.push(Agreement {
            id: a.id.as_ref().map(|i| i.value.clone()),
            title: a
                .title
                .as_ref()
                .map(|t| t.value.clone())
                .unwrap_or_default(),
            partners: a.partners.iter().map(|p| p.value.clone()).collect(),
            parties: a.parties.iter().map(|p| p.value.clone()).collect(),
            kind: a.kind.as_ref().map(|k| k.value.clone()).unwrap_or_default(),
            topics: a.topics.iter().map(|t| t.value.clone()).collect(),
            signed,
            status: a.status.as_ref().map(|s| s.value.clone()),
            url: a.url.as_ref().map(|u| u.value.clone()),
            summary: a.summary.as_ref().map(|s| s.value.clone()),
            one_sided: false,
        });
    }

    let mut policies = Vec::new();
    for p in &raw.policies {
        if let Some(k) = &p.kind {
            allowed(file, k, vocab::POLICY_KINDS, "policy kind", diags);
        }
        for t in &p.topics {
            allowed(file, t, vocab::TOPICS, "topic", diags);
        }
        let year = p.year.as_ref().and_then(|y| vocab::year(file, y, diags));
        policies.push(Policy {
            title: p
                .title
                .as_ref()
                .map(|t| t.value.clone())
                .unwrap_or_default(),
            year,
            kind: p.kind.as_ref().map(|k| k.value.clone()).unwrap_or_default(),
            topics: p.topics.iter().map(|t| t.value.clone()).collect(),
            url: p.url.as_ref().map(|u| u.value.clone()),
            summary: p.summary.as_ref().map(|s| s.value.clone()),
        });
    }

    let mut narrative: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (section, texts) in &raw.narrative {
        if !ctx.config.sections.contains(&section.value) {
            unknown_id(
                file,
                section,
                ctx.config.sections.iter(),
                "section",
                "`[sections] order` of site.toml",
                diags,
            );
            continue;
        }
        for (lang, text) in texts {
            if !ctx.config.languages.contains(&lang.value) {
                diags.push(Diagnostic::warning(
                    file,
                    Some(lang.span.clone()),
                    format!(
                        "`{}` is not one of the site's languages; this text is not shown",
                        lang.value
                    ),
                ));
                continue;
            }
            narrative
                .entry(section.value.clone())
                .or_default()
                .insert(lang.value.clone(), text.value.clone());
        }
    }

    let mut charts = Vec::new();
    let mut chart_ids: Vec<String> = Vec::new();
    if let Some(extra) = raw.charts.get(MAX_CHARTS) {
        diags.push(
            Diagnostic::error(
                file,
                Some(extra.span.clone()),
                format!(
                    "a profile has at most {MAX_CHARTS} `[[charts]]` of its own; this is one more"
                ),
            )
            .with_help("every indicator has its chart already; keep the charts that say something the others do not"),
        );
    }
    for c in raw.charts.iter().take(MAX_CHARTS) {
        let mut ok = true;
        if let Some(id) = &c.id {
            if !vocab::is_slug(id) {
                diags.push(
                    Diagnostic::error(
                        file,
                        Some(id.span.clone()),
                        format!("`{}` is not a valid chart id", id.value),
                    )
                    .with_help("chart ids are lower case with `-` or `_`: they become file names"),
                );
                ok = false;
            } else if ctx.indicators.contains_key(&id.value) || chart_ids.contains(&id.value) {
                diags.push(
                    Diagnostic::error(
                        file,
                        Some(id.span.clone()),
                        format!("the chart id `{}` is already taken", id.value),
                    )
                    .with_help(
                        "an indicator's default chart has the indicator's id; pick another id",
                    ),
                );
                ok = false;
            } else {
                chart_ids.push(id.value.clone());
            }
        }
        if let Some(k) = &c.kind {
            ok &= allowed(file, k, vocab::CHART_KINDS, "chart kind", diags);
        }
        for s in &c.series {
            if !ctx.indicators.contains_key(&s.value) {
                unknown_id(
                    file,
                    s,
                    ctx.indicators.keys(),
                    "indicator",
                    "indicators.toml",
                    diags,
                );
                ok = false;
            }
        }
        let units: std::collections::BTreeSet<&str> = c
            .series
            .iter()
            .filter_map(|s| ctx.indicators.get(&s.value))
            .map(|i| i.unit.as_str())
            .collect();
        if units.len() > 1 {
            let span = c
                .series
                .first()
                .map(|s| s.start_to(c.series.last().map_or(s.span.end, |l| l.span.end)));
            diags.push(
                Diagnostic::error(
                    file,
                    span,
                    format!(
                        "the series of a chart must share a unit, but these are in {}",
                        units.into_iter().collect::<Vec<_>>().join(" and ")
                    ),
                )
                .with_help(
                    "one axis cannot show persons and dollars together; make one chart per unit",
                ),
            );
            ok = false;
        }
        if let Some(s) = &c.section
            && !ctx.config.sections.contains(&s.value)
        {
            unknown_id(
                file,
                s,
                ctx.config.sections.iter(),
                "section",
                "`[sections] order` of site.toml",
                diags,
            );
            ok = false;
        }
        if let Some(t) = &c.title {
            check_text_langs(file, t, ctx.config, diags);
        }
        if let (true, Some(id), Some(kind)) = (ok, &c.id, &c.kind) {
            charts.push(CustomChart {
                id: id.value.clone(),
                kind: kind.value.clone(),
                series: c.series.iter().map(|s| s.value.clone()).collect(),
                title: c.title.as_ref().map(|t| Text::from_raw(t)),
                section: c.section.as_ref().map(|s| s.value.clone()),
            });
        }
    }

    let new_errors = diags[start..].iter().any(Diagnostic::is_error);
    if new_errors {
        return None;
    }
    Some(Profile {
        iso3: raw.file_id.clone(),
        file: file.to_string(),
        name: country
            .name
            .as_ref()
            .map(|n| with_place_names(Text::from_raw(n), &raw.file_id, &ctx.config.languages))?,
        region: country.region.as_ref()?.value.clone(),
        subregion: country.subregion.as_ref().map(|s| s.value.clone()),
        roles: country.roles.iter().map(|r| r.value.clone()).collect(),
        updated: country.updated.as_ref().map(|u| u.value.clone()),
        maintainer: country.maintainer.as_ref().map(|m| m.value.clone()),
        rcps: country.rcps.iter().map(|r| r.value.clone()).collect(),
        summary: country.summary.as_ref().map(|s| s.value.clone()),
        sources: local_sources,
        series,
        partners,
        age_sex,
        agreements,
        policies,
        climate: raw.climate.as_ref().map(|c| Climate {
            napa: c.napa.as_ref().map(|b| b.value),
            napa_mentions_migration: c.napa_mentions_migration.as_ref().map(|b| b.value),
            notes: c.notes.as_ref().map(|n| n.value.clone()),
        }),
        gaps_notes: raw.gaps_notes.as_ref().map(|n| n.value.clone()),
        narrative,
        charts,
        gaps: Vec::new(),
        text_hash: raw.text_hash.clone(),
    })
}

/// The indicator a data table names, when it exists and has the table's kind.
fn indicator_of_kind<'a>(
    file: &str,
    id: &Sp<String>,
    kind: &str,
    ctx: &'a Ctx,
    diags: &mut Vec<Diagnostic>,
) -> Option<&'a Indicator> {
    let Some(ind) = ctx.indicators.get(&id.value) else {
        let same_kind: Vec<String> = ctx
            .indicators
            .values()
            .filter(|i| i.kind == kind)
            .map(|i| i.id.clone())
            .collect();
        unknown_id(
            file,
            id,
            same_kind.iter(),
            "indicator",
            "indicators.toml",
            diags,
        );
        return None;
    };
    if ind.kind != kind {
        diags.push(
            Diagnostic::error(
                file,
                Some(id.span.clone()),
                format!(
                    "`{}` is a `{}` indicator, but it is given under `[{kind}]`",
                    id.value, ind.kind
                ),
            )
            .with_help(format!("move it to `[{}.{}]`", ind.kind, id.value)),
        );
        return None;
    }
    Some(ind)
}

/// The most `[[charts]]` a profile may add to its indicators' own: each is drawn in
/// every format and language, so a short table each must not make thousands.
pub const MAX_CHARTS: usize = 40;

/// The largest magnitude a value may have: far above any country's figure in any unit
/// the format knows, and small enough that sums, ratios and axis labels stay exact.
pub const MAX_VALUE: f64 = 1e15;

/// A single value: finite, at most [`MAX_VALUE`] either way, not negative unless the indicator is signed, a percent at most 100.
fn check_value(file: &str, v: &Sp<f64>, ind: &Indicator, diags: &mut Vec<Diagnostic>) -> bool {
    let (message, help) = if !v.value.is_finite() {
        (
            "this value is not a finite number".to_string(),
            "write the number itself; leave the year out where there is no value".to_string(),
        )
    } else if v.value.abs() > MAX_VALUE {
        (
            format!("{} is beyond what mpgen can write and chart", v.value),
            "values are at most 1e15 (a million billion) either way; check the unit".to_string(),
        )
    } else if v.value < 0.0 && !ind.signed {
        (
            format!("`{}` cannot be negative", ind.id),
            "only indicators with `signed = true` in indicators.toml (net migration, for instance) take negative values".to_string(),
        )
    } else if ind.unit == "percent" && v.value > 100.0 {
        (
            format!("{} is above 100, but `{}` is a percentage", v.value, ind.id),
            "percentages are written 0 to 100: 3.2 for 3.2 %".to_string(),
        )
    } else {
        return true;
    };
    diags.push(Diagnostic::error(file, Some(v.span.clone()), message).with_help(help));
    false
}

/// The points of a series, with every rule about years and their flags.
fn check_series(
    file: &str,
    s: &RawSeries,
    ind: &Indicator,
    diags: &mut Vec<Diagnostic>,
) -> Option<BTreeMap<i32, Point>> {
    let mut ok = true;
    let mut points: BTreeMap<i32, Point> = BTreeMap::new();
    for (y, v) in s.values.iter().flatten() {
        let year = vocab::year(file, y, diags);
        let good = check_value(file, v, ind, diags);
        if let (Some(year), true) = (year, good) {
            points.insert(year, Point::of(v.value));
        } else {
            ok = false;
        }
    }
    let all_value_years: std::collections::BTreeSet<i64> =
        s.values.iter().flatten().map(|(y, _)| y.value).collect();
    for (key, part) in [
        ("female", &s.female),
        ("male", &s.male),
        ("low", &s.low),
        ("high", &s.high),
    ] {
        for (y, v) in part.iter().flatten() {
            let year = vocab::year(file, y, diags);
            let good = check_value(file, v, ind, diags);
            ok &= year.is_some() && good;
            if !all_value_years.contains(&y.value) {
                diags.push(
                    Diagnostic::error(
                        file,
                        Some(y.span.clone()),
                        format!(
                            "`{key}` has a value for {} but `values` has none for that year",
                            y.value
                        ),
                    )
                    .with_help(format!(
                        "add {} to `values`, or remove it from `{key}`",
                        y.value
                    )),
                );
                ok = false;
                continue;
            }
            if let (Some(year), true) = (year, good)
                && let Some(p) = points.get_mut(&year)
            {
                match key {
                    "female" => p.female = Some(v.value),
                    "male" => p.male = Some(v.value),
                    "low" => p.low = Some(v.value),
                    _ => p.high = Some(v.value),
                }
            }
        }
    }
    for y in &s.estimated {
        if !all_value_years.contains(&y.value) {
            diags.push(
                Diagnostic::error(
                    file,
                    Some(y.span.clone()),
                    format!(
                        "{} is marked as estimated but `values` has no value for it",
                        y.value
                    ),
                )
                .with_help("`estimated` lists years of `values`"),
            );
            ok = false;
        } else if let Some(p) = points.get_mut(&(y.value as i32)) {
            p.estimated = true;
        }
    }
    // Range and sex checks, pointing at the offending entry.
    let span_of = |part: &Option<Vec<(Sp<i64>, Sp<f64>)>>, year: i32| {
        part.iter()
            .flatten()
            .find(|(y, _)| y.value == year as i64)
            .map(|(_, v)| v.span.clone())
    };
    for (year, p) in &points {
        if let Some(low) = p.low
            && low > p.value
        {
            diags.push(
                Diagnostic::error(
                    file,
                    span_of(&s.low, *year),
                    format!("in {year}, `low` ({low}) is above the value ({})", p.value),
                )
                .with_help("a range estimate needs low ≤ value ≤ high"),
            );
            ok = false;
        }
        if let Some(high) = p.high
            && p.value > high
        {
            diags.push(
                Diagnostic::error(
                    file,
                    span_of(&s.high, *year),
                    format!(
                        "in {year}, the value ({}) is above `high` ({high})",
                        p.value
                    ),
                )
                .with_help("a range estimate needs low ≤ value ≤ high"),
            );
            ok = false;
        }
        if let (Some(f), Some(m)) = (p.female, p.male) {
            let total = p.value;
            let diff = (f + m - total).abs();
            if diff > total.abs() * 0.01 && diff > 0.0 {
                diags.push(
                    Diagnostic::warning(file, span_of(&s.values, *year), format!("in {year}, female + male ({}) differs from the total ({total}) by more than 1%", f + m))
                        .with_help("check the three figures; the total is what the charts and tables show"),
                );
            }
        }
    }
    ok.then_some(points)
}

/// A name given by language, completed with the places table's official name in each
/// of the site's languages the profile does not name it in (a name given once stands
/// for every language).
fn with_place_names(mut name: Text, code: &str, languages: &[String]) -> Text {
    if name.by_lang.contains_key("") {
        return name;
    }
    let Some(place) = crate::places::get(code) else {
        return name;
    };
    for lang in languages {
        if !name.by_lang.contains_key(lang) && crate::places::LANGUAGES.contains(&lang.as_str()) {
            name.by_lang
                .insert(lang.clone(), place.name(lang).to_string());
        }
    }
    name
}
