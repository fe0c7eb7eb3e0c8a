//! Bilateral corridors: pairs of countries between which the partners tables report
//! migrants, each direction as both ends report it. A destination reports its
//! immigrants by origin (an indicator with `flow = "in"`), an origin its emigrants by
//! destination (`flow = "out"`); where both exist they should agree, and a page says
//! when they do not.

use std::collections::HashMap;

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

/// The `n` largest corridors the partners tables report, largest first (ties by
/// codes). Partners that are not countries (`other`) make none.
pub fn largest(site: &Site, n: usize) -> Vec<Corridor> {
    let first = |flow: &str| {
        site.indicators_in_order()
            .find(|i| i.kind == "partners" && i.flow.as_deref() == Some(flow))
            .map(|i| i.id.clone())
    };
    let (inflow, outflow) = (first("in"), first("out"));
    if n == 0 || (inflow.is_none() && outflow.is_none()) {
        return Vec::new();
    }
    // Every pair's reports, borrowed: a site of 1,000 profiles has tens of thousands
    // of pairs, and only the largest few are made into corridors.
    let mut pairs: HashMap<(&str, &str), [[Option<Light>; 2]; 2]> = HashMap::new();
    for p in site.profiles.values() {
        for (id, incoming) in [(&inflow, true), (&outflow, false)] {
            let Some(table) = id.as_ref().and_then(|id| p.partners.get(id)) else {
                continue;
            };
            for (partner, value) in &table.values {
                let (from, to) = if incoming {
                    (partner.as_str(), p.iso3.as_str())
                } else {
                    (p.iso3.as_str(), partner.as_str())
                };
                if from == to {
                    continue;
                }
                let (a, b) = if from < to { (from, to) } else { (to, from) };
                let flows = pairs.entry((a, b)).or_default();
                // [a to b, b to a], each [as the destination reports it, as the origin does]
                let flow = &mut flows[usize::from(from != a)];
                flow[usize::from(!incoming)] = Some(Light {
                    value: *value,
                    year: table.year,
                    source: &table.source,
                    by: &p.iso3,
                });
            }
        }
    }
    let size = |flows: &[[Option<Light>; 2]; 2]| -> f64 {
        flows
            .iter()
            .map(|f| f.iter().flatten().map(|r| r.value).fold(0.0, f64::max))
            .sum()
    };
    let mut sized: Vec<(f64, (&str, &str))> = pairs
        .iter()
        .map(|(pair, flows)| (size(flows), *pair))
        .collect();
    let order = |x: &(f64, (&str, &str)), y: &(f64, (&str, &str))| {
        y.0.total_cmp(&x.0).then_with(|| x.1.cmp(&y.1))
    };
    if sized.len() > n {
        sized.select_nth_unstable_by(n - 1, order);
        sized.truncate(n);
    }
    sized.sort_by(order);

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
    sized
        .into_iter()
        .map(|(_, (a, b))| {
            let [ab, ba] = &pairs[&(a, b)];
            let flow = |from: &str, to: &str, [dest, origin]: &[Option<Light>; 2]| Flow {
                from: from.to_string(),
                to: to.to_string(),
                by_destination: dest.as_ref().map(Light::report),
                by_origin: origin.as_ref().map(Light::report),
            };
            let agreements = bilateral.get(&(a, b)).cloned().unwrap_or_default();
            debug_assert!(agreements.is_empty() || partnerships.iter().any(|g| g.between(a, b)));
            Corridor {
                a: a.to_string(),
                b: b.to_string(),
                ab: flow(a, b, ab),
                ba: flow(b, a, ba),
                agreements,
            }
        })
        .collect()
}

/// One end's figure for one direction, borrowed from its partners table.
#[derive(Debug, Clone, Copy)]
struct Light<'s> {
    value: f64,
    year: i32,
    source: &'s str,
    by: &'s str,
}

impl Light<'_> {
    fn report(&self) -> Report {
        Report {
            value: self.value,
            year: self.year,
            source: self.source.to_string(),
            by: self.by.to_string(),
        }
    }
}
