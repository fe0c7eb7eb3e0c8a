//! From measures to profiles: which measure is which indicator, which codes are places
//! of this site, which source each series names, and the values cleaned to the
//! precision of their unit and checked against it.

use std::collections::{BTreeMap, BTreeSet};

use super::Options;
use super::read::{Data, Dataset, Format, SeriesIn};
use crate::diagnostics::Diagnostic;
use crate::model::{Config, Indicator, Source};

/// What `import` needs to know of the site.
pub struct Catalogue {
    pub config: Config,
    pub indicators: BTreeMap<String, Indicator>,
    pub sources: BTreeMap<String, Source>,
    /// measure code (`wdi_code`, `import_codes`) -> indicator id
    pub by_code: BTreeMap<String, String>,
    /// The codes of the profiles the site has.
    pub profiles: BTreeSet<String>,
    /// The catalogue as written, for the stubs of a new profile.
    pub raw_indicators: Vec<crate::load::catalogue::RawIndicator>,
    pub rcps: BTreeMap<String, crate::model::Rcp>,
}

impl Catalogue {
    pub fn new(
        config: Config,
        indicators: BTreeMap<String, Indicator>,
        sources: BTreeMap<String, Source>,
        profiles: BTreeSet<String>,
    ) -> Self {
        let mut by_code = BTreeMap::new();
        for ind in indicators.values() {
            for code in ind.wdi_code.iter().chain(&ind.import_codes) {
                by_code.insert(code.clone(), ind.id.clone());
            }
        }
        Catalogue {
            config,
            indicators,
            sources,
            by_code,
            profiles,
            raw_indicators: Vec::new(),
            rcps: BTreeMap::new(),
        }
    }
}

/// What the import brings, by profile.
#[derive(Debug, Default)]
pub struct Plan {
    pub profiles: BTreeMap<String, ProfilePlan>,
    /// Per file: (measure code, indicator id) imported, and codes no indicator names.
    pub files: Vec<FilePlan>,
    /// Codes in the data that are no country or area of this site (World Bank
    /// aggregates, M49 regions, unknown codes), with how many values they had.
    pub not_places: BTreeMap<String, usize>,
    /// Places of the site with no profile that `import` cannot start one for: no region
    /// is known (`OOO` unknown origin), or `--no-new`.
    pub no_profile: BTreeSet<String>,
    /// Rows without any code (names).
    pub uncoded: BTreeSet<String>,
}

#[derive(Debug)]
pub struct FilePlan {
    pub file: String,
    pub format: Format,
    pub imported: Vec<(String, String)>,
    pub unmapped: Vec<String>,
}

#[derive(Debug, Default)]
pub struct ProfilePlan {
    pub series: BTreeMap<String, SeriesPlan>,
    pub partners: BTreeMap<String, PartnersPlan>,
}

#[derive(Debug, Clone)]
pub struct SeriesPlan {
    pub source: String,
    pub values: BTreeMap<i32, f64>,
    pub female: BTreeMap<i32, f64>,
    pub male: BTreeMap<i32, f64>,
    /// `Some` when the data flags estimates: the flagged years among those brought.
    pub estimated: Option<BTreeSet<i32>>,
}

#[derive(Debug, Clone)]
pub struct PartnersPlan {
    pub source: String,
    pub year: i32,
    /// Every partner of the site the data has for that year, largest first.
    pub all: Vec<(String, f64)>,
    /// How many of `all` a new table lists; the rest go into `other`.
    pub top: usize,
    /// Everything, partners that are no place of the site included.
    pub total: f64,
}

/// A measure code the data uses for a place, mapped to the site's: the World Bank
/// writes `CHI` for the Channel Islands, which UN DESA and the site call `XCX`.
fn place_code(code: &str) -> &str {
    match code {
        "CHI" => "XCX",
        other => other,
    }
}

/// Decimals kept for a unit: counts and dollars are whole; the rest keep four, enough
/// for any published rate and short of binary noise (`128613116.00000001`).
pub fn decimals(unit: &str) -> i32 {
    match unit {
        "persons" | "count" | "usd" => 0,
        _ => 4,
    }
}

pub fn clean(v: f64, unit: &str) -> f64 {
    let scale = 10f64.powi(decimals(unit));
    let r = (v * scale).round() / scale;
    if r == 0.0 { 0.0 } else { r }
}

pub fn plan(
    datasets: &[super::read::Dataset],
    cat: &Catalogue,
    opts: &Options,
    diags: &mut Vec<Diagnostic>,
) -> Plan {
    let mut plan = Plan::default();
    let unknown = |flag: &str, id: &str, what: &str, known: Vec<&str>| {
        Diagnostic::error(COMMAND_LINE, None, format!("{flag} `{id}`: no such {what}"))
            .with_help(known_hint(id, &known))
    };
    if let Some(id) = opts
        .indicator
        .as_ref()
        .filter(|id| !cat.indicators.contains_key(*id))
    {
        let known = cat.indicators.keys().map(String::as_str).collect();
        diags.push(unknown(
            "--indicator",
            id,
            "indicator in indicators.toml",
            known,
        ));
        return plan;
    }
    if let Some(id) = opts
        .source
        .as_ref()
        .filter(|id| !cat.sources.contains_key(*id))
    {
        let known = cat.sources.keys().map(String::as_str).collect();
        diags.push(unknown("--source", id, "source in sources.toml", known));
        return plan;
    }
    for d in datasets {
        plan_file(d, cat, opts, &mut plan, diags);
    }
    plan
}

fn plan_file(
    d: &Dataset,
    cat: &Catalogue,
    opts: &Options,
    plan: &mut Plan,
    diags: &mut Vec<Diagnostic>,
) {
    let single = d.measures.len() == 1
        || matches!(d.format, Format::WdiWide | Format::WdiTidy | Format::Tidy);
    let mut fp = FilePlan {
        file: d.file.clone(),
        format: d.format,
        imported: Vec::new(),
        unmapped: Vec::new(),
    };
    plan.uncoded.extend(d.uncoded.iter().cloned());
    for m in &d.measures {
        let mapped = m.code.as_ref().and_then(|c| {
            cat.by_code
                .get(c)
                .or_else(|| cat.indicators.get_key_value(c).map(|(k, _)| k))
        });
        let id = match (&opts.indicator, mapped) {
            (Some(forced), _) if d.measures.len() == 1 => forced.clone(),
            (Some(forced), Some(id)) if forced == id => id.clone(),
            (Some(_), _) => continue, // another indicator's measure: not asked for
            (None, Some(id)) => id.clone(),
            (None, None) if single => {
                let (message, help) = match &m.code {
                    Some(code) => (
                        format!("`{code}` is no indicator of this site"),
                        format!(
                            "name it in indicators.toml (`wdi_code = \"{code}\"` or `import_codes = [\"{code}\"]`) or pass `--indicator ID`"
                        ),
                    ),
                    None => (
                        "this file does not say which indicator it holds".to_string(),
                        "pass `--indicator ID`, or keep the file beside its `datapackage.json`"
                            .to_string(),
                    ),
                };
                diags.push(Diagnostic::error(&d.file, m.span.clone(), message).with_help(help));
                continue;
            }
            (None, None) => {
                fp.unmapped.extend(m.code.clone());
                continue;
            }
        };
        let ind = &cat.indicators[&id];
        let measure = m.code.clone().unwrap_or_else(|| id.clone());
        let wanted = match &m.data {
            Data::Series(_) => "series",
            Data::Partners(_) => "partners",
        };
        if ind.kind != wanted {
            diags.push(Diagnostic::error(
                &d.file,
                m.span.clone(),
                format!(
                    "`{measure}` is a {wanted} table, but indicator `{id}` is of kind `{}`",
                    ind.kind
                ),
            ));
            continue;
        }
        let source = opts.source.clone().or_else(|| ind.default_source.clone());
        match &m.data {
            Data::Series(places) => {
                for (code, s) in places {
                    let Some(code) = place(code, s.values.len(), cat, opts, plan) else {
                        continue;
                    };
                    let Some(series) =
                        series_plan(d, &id, ind, s, source.as_deref(), opts, cat, diags)
                    else {
                        continue;
                    };
                    merge_series(
                        plan.profiles
                            .entry(code)
                            .or_default()
                            .series
                            .entry(id.clone()),
                        series,
                    );
                }
            }
            Data::Partners(places) => {
                let Some(source) = source.clone() else {
                    diags.push(no_source(&d.file, &id));
                    continue;
                };
                for (code, years) in places {
                    let Some((&year, partners)) = years.last_key_value() else {
                        continue;
                    };
                    let Some(code) = place(code, 1, cat, opts, plan) else {
                        continue;
                    };
                    let total: f64 = partners.values().sum();
                    let mut all: Vec<(String, f64)> = partners
                        .iter()
                        .map(|(p, v)| (place_code(p).to_string(), clean(*v, &ind.unit)))
                        .filter(|(p, v)| {
                            *v > 0.0
                                && *p != code
                                && crate::model::vocab::is_country_code(p, &cat.config.codes)
                        })
                        .collect();
                    all.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                    plan.profiles.entry(code).or_default().partners.insert(
                        id.clone(),
                        PartnersPlan {
                            source: source.clone(),
                            year,
                            all,
                            top: opts.top,
                            total: clean(total, &ind.unit),
                        },
                    );
                }
            }
        }
        if !fp.imported.iter().any(|(c, _)| *c == measure) {
            fp.imported.push((measure, id));
        }
    }
    if let (Some(id), true) = (&opts.indicator, fp.imported.is_empty()) {
        diags.push(Diagnostic::error(
            &d.file,
            None,
            format!("nothing in this file maps to indicator `{id}`"),
        ));
    } else if fp.imported.is_empty() && !fp.unmapped.is_empty() {
        diags.push(
            Diagnostic::error(
                &d.file,
                None,
                "nothing in this file maps to an indicator of this site",
            )
            .with_help(format!(
                "it holds {}; name them in `import_codes` of indicators.toml",
                fp.unmapped
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
    }
    plan.files.push(fp);
}

/// The "file" of a problem with the command line itself.
const COMMAND_LINE: &str = "command line";

/// "did you mean `x`?", or the list of what is known.
fn known_hint(word: &str, known: &[&str]) -> String {
    match crate::diagnostics::nearest(word, known) {
        Some(k) => format!("did you mean `{k}`?"),
        None => format!("known: {}", crate::diagnostics::one_of(known)),
    }
}

fn no_source(file: &str, id: &str) -> Diagnostic {
    Diagnostic::error(
        file,
        None,
        format!("indicator `{id}` has no `default_source`, so the import cannot name one"),
    )
    .with_help("pass `--source ID` with a source of sources.toml")
}

/// The site's code for a code in the data, when a profile has it or can be started for
/// it; the others are counted.
fn place(
    code: &str,
    values: usize,
    cat: &Catalogue,
    opts: &Options,
    plan: &mut Plan,
) -> Option<String> {
    let code = place_code(code);
    if !crate::model::vocab::is_country_code(code, &cat.config.codes) {
        *plan.not_places.entry(code.to_string()).or_default() += values;
        return None;
    }
    if opts.only.as_ref().is_some_and(|only| !only.contains(code)) {
        return None;
    }
    if cat.profiles.contains(code) {
        return Some(code.to_string());
    }
    let startable = crate::places::get(code).is_some_and(|p| !p.region.is_empty());
    if opts.new_profiles && startable {
        Some(code.to_string())
    } else {
        plan.no_profile.insert(code.to_string());
        None
    }
}

#[allow(clippy::too_many_arguments)]
fn series_plan(
    d: &Dataset,
    id: &str,
    ind: &Indicator,
    s: &SeriesIn,
    source: Option<&str>,
    opts: &Options,
    cat: &Catalogue,
    diags: &mut Vec<Diagnostic>,
) -> Option<SeriesPlan> {
    // A source the file names itself (tidy CSV) counts unless `--source` overrides it.
    let named = s.source.as_ref().filter(|_| opts.source.is_none());
    let source = match named {
        Some(sp) => {
            if !cat.sources.contains_key(&sp.value) {
                let ids: Vec<&str> = cat.sources.keys().map(String::as_str).collect();
                diags.push(
                    Diagnostic::error(
                        &d.file,
                        Some(sp.span.clone()),
                        format!("unknown source `{}`", sp.value),
                    )
                    .with_help(known_hint(&sp.value, &ids)),
                );
                return None;
            }
            sp.value.clone()
        }
        None => match source {
            Some(s) => s.to_string(),
            None => {
                diags.push(no_source(&d.file, id));
                return None;
            }
        },
    };
    let mut bad = false;
    let mut take = |part: &BTreeMap<i32, super::read::Cell>| -> BTreeMap<i32, f64> {
        let mut out = BTreeMap::new();
        for (&year, cell) in part {
            let v = clean(cell.value, &ind.unit);
            let problem = if v < 0.0 && !ind.signed {
                Some(format!(
                    "indicator `{id}` is not signed, so {v} cannot be one of its values"
                ))
            } else if ind.unit == "percent" && v > 100.0 {
                Some(format!("{v} is above 100, and `{id}` is a percentage"))
            } else {
                None
            };
            match problem {
                Some(message) => {
                    bad = true;
                    diags.push(Diagnostic::error(&d.file, cell.span.clone(), message));
                }
                None => {
                    out.insert(year, v);
                }
            }
        }
        out
    };
    let values = take(&s.values);
    // A sex is only given for a year that has a total.
    let mut female = take(&s.female);
    let mut male = take(&s.male);
    female.retain(|y, _| values.contains_key(y));
    male.retain(|y, _| values.contains_key(y));
    if bad || values.is_empty() {
        return None;
    }
    Some(SeriesPlan {
        source,
        female,
        male,
        estimated: s.estimated.clone(),
        values,
    })
}

/// A later file brings values over an earlier one's, year by year.
fn merge_series(
    entry: std::collections::btree_map::Entry<'_, String, SeriesPlan>,
    new: SeriesPlan,
) {
    use std::collections::btree_map::Entry;
    match entry {
        Entry::Vacant(v) => {
            v.insert(new);
        }
        Entry::Occupied(mut o) => {
            let old = o.get_mut();
            old.source = new.source;
            old.values.extend(new.values);
            old.female.extend(new.female);
            old.male.extend(new.male);
            if let Some(flags) = new.estimated {
                old.estimated
                    .get_or_insert_with(BTreeSet::new)
                    .extend(flags);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_cleaned_to_the_unit() {
        assert_eq!(clean(128613116.00000001, "persons"), 128613116.0);
        assert_eq!(clean(39096890141.68, "usd"), 39096890142.0);
        assert_eq!(clean(0.92912345678, "percent"), 0.9291);
        assert_eq!(clean(-0.00001, "percent"), 0.0);
    }

    #[test]
    fn the_world_bank_channel_islands_are_the_site_s() {
        assert_eq!(place_code("CHI"), "XCX");
        assert_eq!(place_code("MEX"), "MEX");
    }
}
