//! What the calls in a text mean: which data each reads, the figure it shows, and the
//! checks a build makes of them (errors for calls that cannot work, warnings for a
//! figure that is missing or stale, naming the file and line).
//!
//! | call | shows |
//! |---|---|
//! | `value("MEX", "migrant_stock", 2020)` | one year's value, linked to the profile's table |
//! | `latest("MEX", "remittances_in_usd")` | the latest value, with its year |
//! | `chart(profile="MEX", id="migrant_stock")` | a profile's chart |
//! | `ranking("remittances_share_gdp", top=10)` | the profiles ranked by their latest value |
//! | `total("refugees_hosted")` | the world (or a region's) sum of latest values |
//! | `map("migrant_stock")` | the indicator's world map |
//! | `agreements(topic="labour")` | the agreements on a topic, or the count by topic |
//! | `rcps()` | the regional consultative processes with their members |
//!
//! In a profile's narrative, `value` and `latest` may leave out the profile: the
//! profile itself. `measure="female_share"` (or `female`, `male`) reads the sex split
//! of a series instead of its value; `format="full"` writes every digit.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::Arc;

use super::{Indicator, Profile, Site, latest_value};
use crate::diagnostics::{Diagnostic, nearest, one_of};
use crate::load::calls::{Arg, Call, Literal};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Measure {
    Value,
    Female,
    Male,
    FemaleShare,
}

const MEASURES: &[&str] = &["value", "female", "male", "female_share"];

#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Kind {
    Chart {
        profile: String,
        id: String,
    },
    Value {
        profile: String,
        indicator: String,
        year: i32,
        measure: Measure,
        full: bool,
    },
    Latest {
        profile: String,
        indicator: String,
        measure: Measure,
        full: bool,
    },
    Ranking {
        indicator: String,
        top: usize,
        ascending: bool,
        region: Option<String>,
        measure: Measure,
    },
    Total {
        indicator: String,
        region: Option<String>,
        full: bool,
    },
    Map {
        indicator: String,
    },
    Agreements {
        topic: Option<String>,
    },
    Rcps,
}

impl Kind {
    /// Whether it shows a block (a table, a chart), which must stand on its own line.
    pub fn is_block(&self) -> bool {
        !matches!(
            self,
            Kind::Value { .. } | Kind::Latest { .. } | Kind::Total { .. }
        )
    }
}

/// One function: its parameters in order, and how many must be given.
struct Function {
    name: &'static str,
    params: &'static [&'static str],
    required: usize,
}

const FUNCTIONS: &[Function] = &[
    Function {
        name: "value",
        params: &["profile", "indicator", "year", "measure", "format"],
        required: 3,
    },
    Function {
        name: "latest",
        params: &["profile", "indicator", "measure", "format"],
        required: 2,
    },
    Function {
        name: "chart",
        params: &["profile", "id"],
        required: 2,
    },
    Function {
        name: "ranking",
        params: &["indicator", "top", "order", "region", "measure"],
        required: 1,
    },
    Function {
        name: "total",
        params: &["indicator", "region", "format"],
        required: 1,
    },
    Function {
        name: "map",
        params: &["indicator"],
        required: 1,
    },
    Function {
        name: "agreements",
        params: &["topic"],
        required: 0,
    },
    Function {
        name: "rcps",
        params: &[],
        required: 0,
    },
];

/// What a call is checked against.
pub struct Scope<'a> {
    pub indicators: &'a BTreeMap<String, Indicator>,
    pub profiles: &'a BTreeMap<String, Arc<Profile>>,
    /// Profiles that exist but failed their own checks: calls naming them get no second error.
    pub failed: &'a BTreeSet<String>,
    /// The profile whose narrative the text is, if any.
    pub current: Option<&'a str>,
}

/// A call that cannot work: where, why, and how to fix it.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub span: Range<usize>,
    pub message: String,
    pub help: Option<String>,
    /// A call naming a profile that failed its own checks: no diagnostic of its own.
    pub quiet: bool,
}

fn problem(span: &Range<usize>, message: String, help: Option<String>) -> Problem {
    Problem {
        span: span.clone(),
        message,
        help,
        quiet: false,
    }
}

fn list(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let v: Vec<String> = items.into_iter().map(|s| s.as_ref().to_string()).collect();
    one_of(&v.iter().map(String::as_str).collect::<Vec<_>>())
}

/// The meaning of a call, or why it has none.
pub fn resolve(call: &Call, scope: &Scope) -> Result<Kind, Problem> {
    let names: Vec<&str> = FUNCTIONS.iter().map(|f| f.name).collect();
    let name_span = call.range.start..call.range.start + 2 + call.name.len() + 1;
    let Some(f) = FUNCTIONS.iter().find(|f| f.name == call.name) else {
        let help = match nearest(&call.name, &names) {
            Some(n) => format!("did you mean `{n}`? The calls are {}", one_of(&names)),
            None => format!("the calls are {}", one_of(&names)),
        };
        return Err(problem(
            &name_span,
            format!("there is no call `{}`", call.name),
            Some(help),
        ));
    };
    let mut positional: Vec<&Arg> = call.args.iter().filter(|a| a.name.is_none()).collect();
    let mut bound: BTreeMap<&str, &Arg> = BTreeMap::new();
    // In a narrative, `value`/`latest` may leave out their first argument, the profile.
    let implicit = f.params.first() == Some(&"profile")
        && f.name != "chart"
        && positional.len() + 1 == f.required
        && !call
            .args
            .iter()
            .any(|a| a.name.as_deref() == Some("profile"));
    let params: &[&str] = if implicit { &f.params[1..] } else { f.params };
    if positional.len() > params.len() {
        return Err(problem(
            &positional[params.len()].span,
            format!(
                "`{}` takes at most {} arguments: {}",
                f.name,
                params.len(),
                list(params.iter().map(|p| format!("`{p}`")))
            ),
            None,
        ));
    }
    for (p, a) in params.iter().zip(positional.drain(..)) {
        bound.insert(p, a);
    }
    for a in call.args.iter().filter(|a| a.name.is_some()) {
        let n = a.name.as_deref().unwrap_or_default();
        let Some(p) = f.params.iter().find(|p| **p == n) else {
            let help = match nearest(n, f.params) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!("`{}` takes {}", f.name, one_of(f.params)),
            };
            return Err(problem(
                &a.span,
                format!("`{}` has no argument `{n}`", f.name),
                Some(help),
            ));
        };
        if bound.insert(p, a).is_some() {
            return Err(problem(&a.span, format!("`{n}` is given twice"), None));
        }
    }
    let profile = if implicit {
        match scope.current {
            Some(code) => Some(code.to_string()),
            None => {
                return Err(problem(
                    &call.range,
                    format!("`{}` needs a profile here", f.name),
                    Some(format!(
                        "outside a profile's narrative, name it first: {}(\"MEX\", ...)",
                        f.name
                    )),
                ));
            }
        }
    } else {
        None
    };
    for p in &f.params[..f.required] {
        if !(bound.contains_key(p) || (implicit && *p == "profile")) {
            return Err(problem(
                &call.range,
                format!("`{}` needs the argument `{p}`", f.name),
                Some(format!("`{}` takes {}", f.name, one_of(f.params))),
            ));
        }
    }

    let args = Args { bound, call };
    let profile = match profile {
        Some(p) => Some(p),
        None if f.params.contains(&"profile") => {
            Some(args.profile("profile", scope)?).filter(|p| !p.is_empty())
        }
        None => None,
    };
    let profile = profile.unwrap_or_default();
    let full = args.choice("format", &["compact", "full"], "compact")? == "full";
    let measure = match args.choice("measure", MEASURES, "value")?.as_str() {
        "female" => Measure::Female,
        "male" => Measure::Male,
        "female_share" => Measure::FemaleShare,
        _ => Measure::Value,
    };
    let kind = match f.name {
        "chart" => {
            let id = args.string("id")?;
            let p = &scope.profiles[&profile];
            if !scope.indicators.contains_key(&id) && !p.charts.iter().any(|c| c.id == id) {
                return Err(problem(
                    &args.span("id"),
                    format!("`{id}` is not a chart of the profile `{profile}`"),
                    Some("`id` is an indicator id of indicators.toml or the id of one of the profile's `[[charts]]`".into()),
                ));
            }
            Kind::Chart { profile, id }
        }
        "value" => {
            let indicator = args.indicator(scope, measure)?;
            let year = args.int("year")?;
            if !(1900..=2100).contains(&year) {
                return Err(problem(
                    &args.span("year"),
                    format!("{year} is not a year between 1900 and 2100"),
                    None,
                ));
            }
            Kind::Value {
                profile,
                indicator,
                year: year as i32,
                measure,
                full,
            }
        }
        "latest" => Kind::Latest {
            indicator: args.indicator(scope, measure)?,
            profile,
            measure,
            full,
        },
        "ranking" => {
            let top = match args.bound.get("top") {
                None => 10,
                Some(_) => {
                    let n = args.int("top")?;
                    if !(1..=1000).contains(&n) {
                        return Err(problem(
                            &args.span("top"),
                            format!("`top` is {n}; it must be between 1 and 1000"),
                            None,
                        ));
                    }
                    n as usize
                }
            };
            Kind::Ranking {
                indicator: args.indicator(scope, measure)?,
                top,
                ascending: args.choice("order", &["desc", "asc"], "desc")? == "asc",
                region: args.region(scope)?,
                measure,
            }
        }
        "total" => {
            let indicator = args.indicator(scope, measure)?;
            let unit = &scope.indicators[&indicator].unit;
            if !summable(unit) {
                return Err(problem(
                    &args.span("indicator"),
                    format!("`{indicator}` is in `{unit}`, which does not add up across countries"),
                    Some("`total` adds persons, counts and US dollars".into()),
                ));
            }
            Kind::Total {
                indicator,
                region: args.region(scope)?,
                full,
            }
        }
        "map" => {
            let indicator = args.indicator(scope, measure)?;
            if scope.indicators[&indicator].kind != "series" {
                return Err(problem(
                    &args.span("indicator"),
                    format!("`{indicator}` is not a series; maps are drawn for series"),
                    None,
                ));
            }
            Kind::Map { indicator }
        }
        "agreements" => Kind::Agreements {
            topic: match args.bound.get("topic") {
                None => None,
                Some(_) => Some(args.choice("topic", super::vocab::TOPICS, "")?),
            },
        },
        _ => Kind::Rcps,
    };
    if kind.is_block() && !call.own_line {
        return Err(problem(
            &call.range,
            format!(
                "`{}` shows a table or a chart, so it must stand on a line of its own",
                f.name
            ),
            Some("put the call on its own line, with a blank line before and after".into()),
        ));
    }
    Ok(kind)
}

struct Args<'a> {
    bound: BTreeMap<&'a str, &'a Arg>,
    call: &'a Call,
}

impl Args<'_> {
    fn span(&self, p: &str) -> Range<usize> {
        self.bound
            .get(p)
            .map_or(self.call.range.clone(), |a| a.span.clone())
    }

    fn wrong(&self, p: &str, want: &str) -> Problem {
        let got = self.bound.get(p).map_or("nothing", |a| a.value.kind());
        problem(
            &self.span(p),
            format!("`{p}` must be {want}, not {got}"),
            None,
        )
    }

    fn string(&self, p: &str) -> Result<String, Problem> {
        match self.bound.get(p).map(|a| &a.value) {
            Some(Literal::Str(s)) => Ok(s.clone()),
            _ => Err(self.wrong(p, "a \"string\"")),
        }
    }

    fn int(&self, p: &str) -> Result<i64, Problem> {
        match self.bound.get(p).map(|a| &a.value) {
            Some(Literal::Int(n)) => Ok(*n),
            _ => Err(self.wrong(p, "a whole number")),
        }
    }

    /// A string from a closed list, or `default` when not given.
    fn choice(&self, p: &str, allowed: &[&str], default: &str) -> Result<String, Problem> {
        if !self.bound.contains_key(p) {
            return Ok(default.to_string());
        }
        let s = self.string(p)?;
        if allowed.contains(&s.as_str()) {
            return Ok(s);
        }
        let help = match nearest(&s, allowed) {
            Some(n) => format!("did you mean `{n}`? `{p}` is {}", one_of(allowed)),
            None => format!("`{p}` is {}", one_of(allowed)),
        };
        Err(problem(
            &self.span(p),
            format!("`{s}` is not a {p}"),
            Some(help),
        ))
    }

    fn profile(&self, p: &str, scope: &Scope) -> Result<String, Problem> {
        let code = self.string(p)?;
        if scope.profiles.contains_key(&code) {
            return Ok(code);
        }
        let mut pr = problem(
            &self.span(p),
            format!("there is no profile `{code}`"),
            Some(
                "a profile is named by the code of its file in `profiles/`, such as \"MEX\"".into(),
            ),
        );
        pr.quiet = scope.failed.contains(&code);
        Err(pr)
    }

    fn indicator(&self, scope: &Scope, measure: Measure) -> Result<String, Problem> {
        let id = self.string("indicator")?;
        let Some(ind) = scope.indicators.get(&id) else {
            let known: Vec<&str> = scope.indicators.keys().map(String::as_str).collect();
            let help = nearest(&id, &known).map_or(
                "indicators are the tables of indicators.toml".to_string(),
                |n| format!("did you mean `{n}`?"),
            );
            return Err(problem(
                &self.span("indicator"),
                format!("there is no indicator `{id}`"),
                Some(help),
            ));
        };
        if measure != Measure::Value && ind.kind != "series" {
            return Err(problem(
                &self.span("measure"),
                format!("`{id}` is not a series, so it has no female and male values"),
                None,
            ));
        }
        Ok(id)
    }

    fn region(&self, scope: &Scope) -> Result<Option<String>, Problem> {
        if !self.bound.contains_key("region") {
            return Ok(None);
        }
        let r = self.string("region")?;
        let regions: BTreeSet<&str> = scope.profiles.values().map(|p| p.region.as_str()).collect();
        if regions.contains(r.as_str()) {
            return Ok(Some(r));
        }
        let regions: Vec<&str> = regions.into_iter().collect();
        Err(problem(
            &self.span("region"),
            format!("no profile is in the region `{r}`"),
            Some(format!("the regions are {}", one_of(&regions))),
        ))
    }
}

/// A number a call shows, with what a reader needs to trust it.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub year: i32,
    pub value: f64,
    /// The unit it is in: a female share is a percentage whatever the indicator's unit.
    pub unit: String,
    pub estimated: bool,
    pub source: String,
}

/// A profile's figure for an indicator: for `year`, or the latest that has the measure.
pub fn figure(
    site_indicators: &BTreeMap<String, Indicator>,
    p: &Profile,
    indicator: &str,
    year: Option<i32>,
    measure: Measure,
) -> Option<Figure> {
    let ind = site_indicators.get(indicator)?;
    if measure == Measure::Value {
        let l = match year {
            None => latest_value(p, indicator)?,
            Some(y) => {
                let l = match p.series.get(indicator) {
                    Some(s) => {
                        let point = s.points.get(&y)?;
                        super::Latest {
                            year: y,
                            value: point.value,
                            estimated: point.estimated,
                            derived: point.derived,
                            source: s.source.clone(),
                        }
                    }
                    None => latest_value(p, indicator)?,
                };
                if l.year != y {
                    return None;
                }
                l
            }
        };
        return Some(Figure {
            year: l.year,
            value: l.value,
            unit: ind.unit.clone(),
            estimated: l.estimated,
            source: l.source,
        });
    }
    let s = p.series.get(indicator)?;
    let of = |point: &super::Point| match measure {
        Measure::Female => point.female,
        Measure::Male => point.male,
        _ => point
            .female
            .filter(|_| point.value > 0.0)
            .map(|f| 100.0 * f / point.value),
    };
    let (y, point, v) = match year {
        Some(y) => {
            let point = s.points.get(&y)?;
            (y, point, of(point)?)
        }
        None => s
            .points
            .iter()
            .rev()
            .find_map(|(y, point)| of(point).map(|v| (*y, point, v)))?,
    };
    Some(Figure {
        year: y,
        value: v,
        unit: if measure == Measure::FemaleShare {
            "percent".into()
        } else {
            ind.unit.clone()
        },
        estimated: point.estimated,
        source: s.source.clone(),
    })
}

/// The value a ranking or a total reads of a profile: its latest figure.
pub fn ranked(site: &Site, p: &Profile, indicator: &str, measure: Measure) -> Option<Figure> {
    figure(&site.indicators, p, indicator, None, measure)
}

/// A data problem a call shows a reader: a figure missing, or older than it should be.
///
/// `dated` says the text names the year of a `value` beside it: a reader then knows the
/// figure is old, as in "against 701,513 in 1990", and it is not stale.
pub fn data_warning(
    kind: &Kind,
    scope: &Scope,
    reference_year: i32,
    stale_after: i32,
    dated: bool,
) -> Option<(String, String)> {
    let stale_before = reference_year - stale_after;
    let words = |m: Measure| match m {
        Measure::Value => String::new(),
        Measure::Female => " (female)".into(),
        Measure::Male => " (male)".into(),
        Measure::FemaleShare => " (female share)".into(),
    };
    match kind {
        Kind::Value {
            profile,
            indicator,
            year,
            measure,
            ..
        } => {
            let p = scope.profiles.get(profile)?;
            let latest = figure(scope.indicators, p, indicator, None, *measure);
            match figure(scope.indicators, p, indicator, Some(*year), *measure) {
                None => Some((
                    format!(
                        "`{profile}` has no `{indicator}`{} value for {year}; the page shows “–”",
                        words(*measure)
                    ),
                    match latest {
                        Some(l) => format!(
                            "its latest is for {}; `latest(\"{profile}\", \"{indicator}\")` follows the data",
                            l.year
                        ),
                        None => format!("`{profile}` has no `{indicator}` data at all"),
                    },
                )),
                Some(_) if *year < stale_before && !dated => match latest {
                    Some(l) if l.year > *year => Some((
                        format!(
                            "this text cites `{indicator}` for {year}, older than the stale limit ({stale_before}), while `{profile}` has it for {}",
                            l.year
                        ),
                        format!(
                            "`latest(\"{profile}\", \"{indicator}\")` always shows the newest value"
                        ),
                    )),
                    _ => None,
                },
                Some(_) => None,
            }
        }
        Kind::Latest {
            profile,
            indicator,
            measure,
            ..
        } => {
            let p = scope.profiles.get(profile)?;
            match figure(scope.indicators, p, indicator, None, *measure) {
                None => Some((
                    format!(
                        "`{profile}` has no `{indicator}`{} value; the page shows “–”",
                        words(*measure)
                    ),
                    if *measure == Measure::Value {
                        format!("add `{indicator}` to profiles/{profile}.toml, or remove the call")
                    } else {
                        format!(
                            "add `female` (and `male`) values to `[series.{indicator}]` in profiles/{profile}.toml, or remove the call"
                        )
                    },
                )),
                Some(f) if f.year < stale_before => Some((
                    format!(
                        "the latest `{indicator}`{} of `{profile}` is for {}, older than the stale limit ({stale_before})",
                        words(*measure),
                        f.year
                    ),
                    "update the profile's data, or say in the text how old the figure is".into(),
                )),
                Some(_) => None,
            }
        }
        _ => None,
    }
}

/// What a call reads, for fingerprints.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Read {
    /// A whole profile (its charts).
    Profile(String),
    /// One indicator's table in one profile.
    Table(String, String),
    /// Every profile's latest value of an indicator, and its region.
    Latest(String),
    /// Every profile's table of an indicator (rankings of a female share).
    Tables(String),
    /// What every chart reads besides its data: style, names, words, map outlines.
    Map,
    /// Every profile's agreements and memberships.
    Links,
}

pub fn reads(kind: &Kind, indicators: &BTreeMap<String, Indicator>) -> Vec<Read> {
    match kind {
        // An indicator's chart draws its table; a profile's own chart may draw several.
        Kind::Chart { profile, id } if indicators.contains_key(id) => {
            vec![Read::Table(profile.clone(), id.clone()), Read::Map]
        }
        Kind::Chart { profile, .. } => vec![Read::Profile(profile.clone())],
        Kind::Value {
            profile, indicator, ..
        }
        | Kind::Latest {
            profile, indicator, ..
        } => vec![Read::Table(profile.clone(), indicator.clone())],
        Kind::Ranking {
            indicator, measure, ..
        } if *measure != Measure::Value => vec![Read::Tables(indicator.clone())],
        Kind::Ranking { indicator, .. } | Kind::Total { indicator, .. } => {
            vec![Read::Latest(indicator.clone())]
        }
        Kind::Map { indicator } => vec![Read::Latest(indicator.clone()), Read::Map],
        Kind::Agreements { .. } | Kind::Rcps => vec![Read::Links],
    }
}

/// The calls of a text that resolve, in order: what pages render and plans hash.
/// Texts of a checked site have no others.
pub fn resolved(text: &str, scope: &Scope) -> Vec<(Call, Kind)> {
    crate::load::calls::parse(text)
        .0
        .into_iter()
        .filter_map(|c| resolve(&c, scope).ok().map(|k| (c, k)))
        .collect()
}

/// (file, text, where the text starts in the file, the text's own span if it is a
/// TOML string whose offsets may not map to the file's, the profile it is of)
type TextIn<'a> = (
    &'a str,
    &'a str,
    usize,
    Option<&'a Range<usize>>,
    Option<&'a str>,
);

/// Checks every call of the site's texts: content pages and profiles' narratives.
/// The most tables and charts one text may show. Each is drawn into its page, so a
/// page of short calls would otherwise grow a hundred-fold from its source.
pub const MAX_BLOCKS: usize = 100;

pub fn check(
    pages: &[crate::load::content::RawPage],
    raw_profiles: &[Arc<crate::load::profile::RawProfile>],
    scope: &Scope,
    years: (i32, i32),
    texts: &crate::diagnostics::SourceTexts,
    parses: &mut Parses,
    diags: &mut Vec<Diagnostic>,
) {
    let mut used = Parses::default();
    let mut all: Vec<TextIn> = pages
        .iter()
        .map(|p| (p.file.as_str(), p.body.as_str(), p.body_offset, None, None))
        .collect();
    for r in raw_profiles.iter().filter(|r| r.has_calls) {
        for (_, by_lang) in &r.narrative {
            for (_, text) in by_lang {
                all.push((
                    r.file.as_str(),
                    text.value.as_str(),
                    0,
                    Some(&text.span),
                    Some(r.file_id.as_str()),
                ));
            }
        }
    }
    for (file, body, offset, string_span, current) in all {
        // A profile that failed its own checks has had its say.
        if current.is_some_and(|c| !scope.profiles.contains_key(c)) {
            continue;
        }
        let parsed = parses.get(body);
        used.0.insert(parsed.hash, parsed.clone());
        let Parsed {
            calls,
            errors,
            masked,
            sentences,
            ..
        } = &*parsed;
        if calls.is_empty() && errors.is_empty() {
            continue;
        }
        // Where the text sits in the file: a TOML string is found through the call's
        // own text, which escapes do not touch in practice; else the whole string.
        let place = |range: &Range<usize>, within: Option<&Range<usize>>| -> Range<usize> {
            match (string_span, within) {
                (None, _) => offset + range.start..offset + range.end,
                (Some(s), None) => s.clone(),
                (Some(s), Some(within)) => {
                    let file_text = texts.get(file).unwrap_or("");
                    let call = &body[within.clone()];
                    file_text
                        .get(s.clone())
                        .and_then(|t| t.find(call))
                        .map(|at| {
                            let base = s.start + at;
                            base + range.start - within.start..base + range.end - within.start
                        })
                        .unwrap_or_else(|| s.clone())
                }
            }
        };
        let scope = Scope { current, ..*scope };
        let mut blocks = 0;
        for e in errors {
            diags.push(Diagnostic::error(
                file,
                Some(place(&e.span, None)),
                e.message.clone(),
            ));
        }
        for call in calls {
            match resolve(call, &scope) {
                Err(p) if p.quiet => {}
                Err(p) => {
                    let mut d =
                        Diagnostic::error(file, Some(place(&p.span, Some(&call.range))), p.message);
                    if let Some(h) = p.help {
                        d = d.with_help(h);
                    }
                    diags.push(d);
                }
                Ok(kind) => {
                    blocks += usize::from(kind.is_block());
                    if blocks == MAX_BLOCKS + 1 {
                        diags.push(Diagnostic::error(
                            file,
                            Some(place(&call.range, Some(&call.range))),
                            format!("a text shows at most {MAX_BLOCKS} tables and charts; this is one more"),
                        ).with_help("each one is drawn into the page: split the text into several pages"));
                    }
                    let dated = matches!(&kind, Kind::Value { year, .. } if names_year(masked, sentences, &call.range, *year));
                    if let Some((message, help)) =
                        data_warning(&kind, &scope, years.0, years.1, dated)
                    {
                        diags.push(
                            Diagnostic::warning(
                                file,
                                Some(place(&call.range, Some(&call.range))),
                                message,
                            )
                            .with_help(help),
                        );
                    }
                }
            }
        }
    }
    // What no text has now is let go.
    *parses = used;
}

/// A text's calls, the calls that do not parse, and its sentences (outside code):
/// what checking its calls needs of the text alone.
pub struct Parsed {
    hash: blake3::Hash,
    calls: Vec<Call>,
    errors: Vec<crate::load::calls::SyntaxError>,
    masked: String,
    sentences: Vec<Range<usize>>,
}

/// Texts parsed for their calls, by the hash of the text: kept between checks, so
/// that a rebuild parses again only the texts that changed.
#[derive(Default)]
pub struct Parses(rustc_hash::FxHashMap<blake3::Hash, Arc<Parsed>>);

impl Parses {
    fn get(&mut self, text: &str) -> Arc<Parsed> {
        let hash = blake3::hash(text.as_bytes());
        self.0
            .entry(hash)
            .or_insert_with(|| {
                let (calls, errors) = crate::load::calls::parse(text);
                let (masked, sentences) = if calls.is_empty() {
                    Default::default()
                } else {
                    let masked = super::sentences::masked(text);
                    let sentences = super::sentences::sentences(&masked);
                    (masked, sentences)
                };
                Arc::new(Parsed {
                    hash,
                    calls,
                    errors,
                    masked,
                    sentences,
                })
            })
            .clone()
    }
}

/// Whether the sentence around a call, outside its calls and code, names `year` as a
/// word. `masked` and `sentences` are the text's, from `model::sentences`.
fn names_year(masked: &str, sentences: &[Range<usize>], call: &Range<usize>, year: i32) -> bool {
    let Some(s) = sentences.iter().find(|s| s.contains(&call.start)) else {
        return false;
    };
    let year = year.to_string();
    masked[s.clone()]
        .split(|c: char| !c.is_ascii_digit())
        .any(|word| word == year)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(text: &str, year: i32) -> bool {
        let start = text.find("{{").unwrap();
        let end = text.find("}}").unwrap() + 2;
        let masked = super::super::sentences::masked(text);
        let sentences = super::super::sentences::sentences(&masked);
        names_year(&masked, &sentences, &(start..end), year)
    }

    #[test]
    fn a_year_written_beside_a_value_dates_it() {
        assert!(named(
            "Against {{ value(\"m\", 1990) }} in 1990 (UN DESA).",
            1990
        ));
        assert!(named("En 1990, {{ value(\"m\", 1990) }} migrants.", 1990));
        assert!(named(
            "le maximum, {{ value(\"d\", 2013) }}, date de 2013.",
            2013
        ));
    }

    #[test]
    fn a_year_elsewhere_or_in_a_call_does_not() {
        assert!(!named(
            "In 1990 it was low. Now {{ value(\"m\", 1990) }} live here.",
            1990
        ));
        assert!(!named(
            "{{ value(\"m\", 1990) }} live here; in 1990 it was low.",
            1990
        ));
        assert!(!named(
            "{{ value(\"m\", 1990) }} against {{ value(\"m\", 1990) }}.",
            1990
        ));
        assert!(!named("{{ value(\"m\", 1990) }} in 19901.", 1990));
        assert!(named("{{ value(\"m\", 1990) }} (1.25 M in 1990).", 1990));
    }
}

/// Sums of latest values across profiles, where the unit adds up.
#[derive(Debug, Clone, PartialEq)]
pub struct Sums {
    /// The latest year most profiles have: only values for it are added, so a sum
    /// never mixes years.
    pub year: i32,
    pub world: (f64, usize),
    pub regions: BTreeMap<String, (f64, usize)>,
}

pub fn summable(unit: &str) -> bool {
    matches!(unit, "persons" | "count" | "usd")
}

/// World and regional sums of an indicator's latest values, for the year most
/// profiles have as their latest (the later one on a tie).
pub fn sums(site: &Site, indicator: &str) -> Option<Sums> {
    let ind = site.indicators.get(indicator)?;
    if !summable(&ind.unit) {
        return None;
    }
    let have: Vec<(&Profile, super::Latest)> = site
        .profiles
        .values()
        .filter_map(|p| latest_value(p, indicator).map(|l| (&**p, l)))
        .collect();
    let mut years: BTreeMap<i32, usize> = BTreeMap::new();
    for (_, l) in &have {
        *years.entry(l.year).or_default() += 1;
    }
    let (&year, _) = years
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(a.0.cmp(b.0)))?;
    let mut sums = Sums {
        year,
        world: (0.0, 0),
        regions: BTreeMap::new(),
    };
    for (p, l) in have.iter().filter(|(_, l)| l.year == year) {
        let r = sums.regions.entry(p.region.clone()).or_default();
        r.0 += l.value;
        r.1 += 1;
        sums.world.0 += l.value;
        sums.world.1 += 1;
    }
    Some(sums)
}
