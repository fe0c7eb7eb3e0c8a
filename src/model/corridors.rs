//! Bilateral corridors: pairs of countries between which the partners tables report
//! migrants, each direction as both ends report it. A destination reports its
//! immigrants by origin (an indicator with `flow = "in"`), an origin its emigrants by
//! destination (`flow = "out"`); where both exist they should agree, and a page says
//! when they do not.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::Site;

/// How far apart, relatively, the two ends' figures may be before a page notes it.
pub const DISAGREE: f64 = 0.05;

/// One end's figure for one direction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub value: f64,
    pub year: i32,
    pub source: String,
    /// The profile that reports it.
    pub by: String,
}

/// Migrants from `from` living in `to`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flow {
    pub from: String,
    pub to: String,
    /// As the destination reports it (its immigrants by origin).
    pub by_destination: Option<Report>,
    /// As the origin reports it (its emigrants by destination).
    pub by_origin: Option<Report>,
}

impl Flow {
    fn new(from: &str, to: &str) -> Self {
        Flow {
            from: from.to_string(),
            to: to.to_string(),
            by_destination: None,
            by_origin: None,
        }
    }

    /// The larger of the two figures.
    pub fn size(&self) -> f64 {
        [&self.by_destination, &self.by_origin]
            .into_iter()
            .flatten()
            .map(|r| r.value)
            .fold(0.0, f64::max)
    }

    /// The relative difference of the two ends' figures, when both exist and differ by
    /// more than `DISAGREE`.
    pub fn disagreement(&self) -> Option<f64> {
        let (a, b) = (self.by_destination.as_ref()?, self.by_origin.as_ref()?);
        let gap = (a.value - b.value).abs() / a.value.max(b.value);
        (gap > DISAGREE || a.year != b.year).then_some(gap)
    }
}

/// Two countries, `a` before `b` by code, and both directions between them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Corridor {
    pub a: String,
    pub b: String,
    pub ab: Flow,
    pub ba: Flow,
    /// The agreements between the two: (title, anchor on the partnerships page).
    pub agreements: Vec<(String, String)>,
}

impl Corridor {
    pub fn size(&self) -> f64 {
        self.ab.size() + self.ba.size()
    }

    /// `mex-usa`: the corridor's id in its URL.
    pub fn slug(&self) -> String {
        format!("{}-{}", self.a, self.b).to_ascii_lowercase()
    }
}

/// Whether the site has any corridor (so its pages link to the list of corridors).
pub fn exist(site: &Site) -> bool {
    site.config.corridors > 0
        && site
            .indicators
            .values()
            .filter(|i| i.kind == "partners" && i.flow.is_some())
            .any(|i| {
                site.profiles.values().any(|p| {
                    p.partners
                        .get(&i.id)
                        .is_some_and(|t| t.values.iter().any(|(code, _)| *code != p.iso3))
                })
            })
}

/// Every corridor the partners tables report, largest first (ties by codes). Partners
/// that are not countries (`other`) make none.
pub fn corridors<'s>(site: &'s Site) -> Vec<Corridor> {
    let first = |flow: &str| {
        site.indicators_in_order()
            .find(|i| i.kind == "partners" && i.flow.as_deref() == Some(flow))
            .map(|i| i.id.clone())
    };
    let (inflow, outflow) = (first("in"), first("out"));
    if inflow.is_none() && outflow.is_none() {
        return Vec::new();
    }
    let mut pairs: BTreeMap<(&str, &str), Corridor> = BTreeMap::new();
    let mut add = |from: &'s str, to: &'s str, by_destination: bool, report: Report| {
        if from == to {
            return;
        }
        let (a, b) = if from < to { (from, to) } else { (to, from) };
        let c = pairs.entry((a, b)).or_insert_with(|| Corridor {
            a: a.to_string(),
            b: b.to_string(),
            ab: Flow::new(a, b),
            ba: Flow::new(b, a),
            agreements: Vec::new(),
        });
        let flow = if from == c.a { &mut c.ab } else { &mut c.ba };
        if by_destination {
            flow.by_destination = Some(report);
        } else {
            flow.by_origin = Some(report);
        }
    };
    for p in site.profiles.values() {
        for (id, incoming) in [(&inflow, true), (&outflow, false)] {
            let Some(table) = id.as_ref().and_then(|id| p.partners.get(id)) else {
                continue;
            };
            for (partner, value) in &table.values {
                let report = Report {
                    value: *value,
                    year: table.year,
                    source: table.source.clone(),
                    by: p.iso3.clone(),
                };
                if incoming {
                    add(partner, &p.iso3, true, report);
                } else {
                    add(&p.iso3, partner, false, report);
                }
            }
        }
    }
    let mut out: Vec<Corridor> = pairs.into_values().collect();
    // The agreements that bind exactly two countries, by pair (in the partnerships'
    // order): a corridor looks its pair up rather than going through every agreement.
    let partnerships = super::partnerships::partnerships(site);
    let mut bilateral: HashMap<(&str, &str), Vec<(String, String)>> = HashMap::new();
    for g in &partnerships {
        let mut countries = g.countries.iter();
        if let (Some(x), Some(y), None) = (countries.next(), countries.next(), countries.next()) {
            let pair = if x < y { (x, y) } else { (y, x) };
            bilateral
                .entry((pair.0.as_str(), pair.1.as_str()))
                .or_default()
                .push((g.first().title.clone(), g.anchor.clone()));
        }
    }
    for c in &mut out {
        if let Some(agreements) = bilateral.get(&(c.a.as_str(), c.b.as_str())) {
            debug_assert!(partnerships.iter().any(|g| g.between(&c.a, &c.b)));
            c.agreements = agreements.clone();
        }
    }
    // Largest first; the pairs are in order of codes already, and a stable sort keeps
    // that order among equals. Each size worked out once, not once a comparison.
    let mut sized: Vec<(f64, Corridor)> = out.into_iter().map(|c| (c.size(), c)).collect();
    sized.sort_by(|x, y| y.0.total_cmp(&x.0));
    sized.into_iter().map(|(_, c)| c).collect()
}
