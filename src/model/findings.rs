//! Key findings: the few facts a profile's data make notable, chosen from the data
//! alone (`render::prose` words them). A profile's rank among all profiles and within
//! its region for the indicators a theme ranks, its largest change, its most recent
//! data gap.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{GapStatus, Profile, Site};

/// A profile's place among others for one indicator: 1 is the largest latest value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Place {
    pub rank: usize,
    pub of: usize,
}

impl Place {
    /// How high it ranks, as a share of those ranked: smaller is more notable.
    fn standing(self) -> f64 {
        self.rank as f64 / self.of.max(1) as f64
    }

    /// Among the ten first, or the first tenth.
    fn notable(self) -> bool {
        self.rank <= 10 || self.standing() <= 0.1
    }
}

/// One notable fact about a profile.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Fact {
    World {
        indicator: String,
        place: Place,
    },
    Region {
        indicator: String,
        place: Place,
    },
    /// The largest change of a quantity from its first year to its latest.
    Change {
        indicator: String,
    },
    /// A core indicator whose latest value is old: the most recent such gap.
    Stale {
        indicator: String,
        year: i32,
    },
    /// A core indicator the profile lacks.
    Missing {
        indicator: String,
    },
}

/// Every profile's places for the ranked indicators, worked out once.
#[derive(Debug, Clone, Default)]
struct Ranks {
    /// indicator -> profile -> (world, region)
    places: BTreeMap<String, BTreeMap<String, (Place, Place)>>,
}

impl Ranks {
    /// Every profile's places for `indicators`, from each profile's latest values
    /// (`latest[code][i]` for `indicators[i]`).
    fn of(site: &Site, indicators: &[String], latest: &Latest) -> Ranks {
        let mut places = BTreeMap::new();
        for (i, id) in indicators.iter().enumerate() {
            let values: Vec<(&Profile, f64)> = site
                .profiles
                .values()
                .filter_map(|p| Some((&**p, latest.get(&p.iso3)?.1[i]?)))
                .collect();
            let mut by_region: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
            for (p, v) in &values {
                by_region.entry(p.region.as_str()).or_default().push(*v);
            }
            let largest_first = |v: &mut Vec<f64>| v.sort_by(|a, b| b.total_cmp(a));
            by_region.values_mut().for_each(largest_first);
            let mut all: Vec<f64> = values.iter().map(|(_, v)| *v).collect();
            largest_first(&mut all);
            // Its rank is one more than the number of values above it.
            let place = |sorted: &[f64], v: f64| Place {
                rank: 1 + sorted.partition_point(|x| *x > v),
                of: sorted.len(),
            };
            let of_id: BTreeMap<String, (Place, Place)> = values
                .iter()
                .map(|(p, v)| {
                    let region = by_region.get(p.region.as_str()).map_or(&[][..], |r| r);
                    (p.iso3.clone(), (place(&all, *v), place(region, *v)))
                })
                .collect();
            places.insert(id.clone(), of_id);
        }
        Ranks { places }
    }

    fn get(&self, indicator: &str, code: &str) -> Option<(Place, Place)> {
        self.places.get(indicator)?.get(code).copied()
    }
}

/// Each profile's latest values of the ranked indicators, in their order, kept with
/// the profile they were read from.
type Latest = rustc_hash::FxHashMap<String, (Arc<Profile>, Vec<Option<f64>>)>;

/// A profile's findings, with what they were made from: the profile and its places.
type Made = (Arc<Profile>, Vec<Option<(Place, Place)>>, Arc<[Fact]>);

/// What the key findings of a session's last check were made from, so that a check
/// works out again only the profiles whose data or places moved.
#[derive(Default)]
pub struct Held {
    /// The catalogue and settings (a hash of their files) and the ranked indicators
    /// that everything held was made under.
    under: Option<(blake3::Hash, Vec<String>)>,
    latest: Latest,
    /// By profile: what its findings were made from (the profile, its places) and them.
    facts: rustc_hash::FxHashMap<String, Made>,
}

/// Every profile's key findings. `ctx` stands for the catalogue they read.
pub fn all(site: &Site, ctx: blake3::Hash, held: &mut Held) -> BTreeMap<String, Arc<[Fact]>> {
    let under = Some((ctx, site.ranked.clone()));
    if held.under != under {
        *held = Held {
            under,
            ..Held::default()
        };
    }
    held.latest
        .retain(|code, _| site.profiles.contains_key(code));
    held.facts
        .retain(|code, _| site.profiles.contains_key(code));
    for (code, p) in &site.profiles {
        if !held
            .latest
            .get(code)
            .is_some_and(|(q, _)| Arc::ptr_eq(p, q))
        {
            let values = site
                .ranked
                .iter()
                .map(|id| super::latest_value(p, id).map(|l| l.value))
                .collect();
            held.latest.insert(code.clone(), (p.clone(), values));
        }
    }
    let ranks = Ranks::of(site, &site.ranked, &held.latest);
    site.profiles
        .iter()
        .map(|(code, p)| {
            let places: Vec<_> = site.ranked.iter().map(|id| ranks.get(id, code)).collect();
            match held.facts.get(code) {
                Some((q, at, facts)) if Arc::ptr_eq(p, q) && *at == places => {
                    (code.clone(), facts.clone())
                }
                _ => {
                    let facts: Arc<[Fact]> = notable(site, p, &ranks).into();
                    held.facts
                        .insert(code.clone(), (p.clone(), places, facts.clone()));
                    (code.clone(), facts)
                }
            }
        })
        .collect()
}

/// The most facts a profile's key findings give.
pub const MOST: usize = 5;

/// A profile's key findings, most notable first: up to two ranks (world, then region,
/// on different indicators), the largest change, the most recent gap; where fewer
/// than three are notable, its best world ranks fill in.
fn notable(site: &Site, p: &Profile, ranks: &Ranks) -> Vec<Fact> {
    let ranked = &site.ranked;
    let mut facts = Vec::new();
    let mut places: Vec<(&String, Place, Place)> = ranked
        .iter()
        .filter_map(|id| ranks.get(id, &p.iso3).map(|(w, r)| (id, w, r)))
        .collect();
    places.sort_by(|a, b| a.1.standing().total_cmp(&b.1.standing()));
    if let Some((id, w, _)) = places.iter().find(|(_, w, _)| w.notable()) {
        facts.push(Fact::World {
            indicator: (*id).clone(),
            place: *w,
        });
    }
    let used = |facts: &[Fact], id: &str| {
        facts.iter().any(|f| matches!(f, Fact::World { indicator, .. } | Fact::Region { indicator, .. } if indicator == id))
    };
    let mut by_region = places.clone();
    by_region.sort_by(|a, b| {
        a.2.rank
            .cmp(&b.2.rank)
            .then(a.2.standing().total_cmp(&b.2.standing()))
    });
    if let Some((id, _, r)) = by_region
        .iter()
        .find(|(id, _, r)| r.rank <= 3 && r.of > 3 && !used(&facts, id))
    {
        facts.push(Fact::Region {
            indicator: (*id).clone(),
            place: *r,
        });
    }
    if let Some(id) = largest_change(site, p, ranked) {
        facts.push(Fact::Change { indicator: id });
    }
    if let Some(gap) = latest_gap(p) {
        facts.push(gap);
    }
    for (id, w, _) in &places {
        if facts.len() >= 3 {
            break;
        }
        if !used(&facts, id) {
            facts.push(Fact::World {
                indicator: (*id).clone(),
                place: *w,
            });
        }
    }
    facts.truncate(MOST);
    facts
}

/// Of the ranked quantities (persons, counts, US dollars), the one that changed most
/// from its first year to its latest, by ratio, when it at least doubled or halved
/// and both values are of some size (a thousand people, a million US dollars).
fn largest_change(site: &Site, p: &Profile, ranked: &[String]) -> Option<String> {
    ranked
        .iter()
        .filter(|id| {
            site.indicators
                .get(*id)
                .is_some_and(|i| !i.signed && super::calls::summable(&i.unit))
        })
        .filter_map(|id| {
            let s = p.series.get(id)?;
            let (fy, first) = s.points.iter().next()?;
            let (ly, last) = s.points.iter().next_back()?;
            // A change from a handful is no finding: both ends must count.
            let least = if site.indicators.get(id.as_str())?.unit == "usd" {
                1e6
            } else {
                1e3
            };
            (fy < ly && first.value.min(last.value) >= least)
                .then(|| (id, (last.value / first.value).ln().abs()))
        })
        .filter(|(_, r)| *r >= std::f64::consts::LN_2)
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(id, _)| id.clone())
}

/// The stale gap with the most recent latest year, else the first missing indicator.
fn latest_gap(p: &Profile) -> Option<Fact> {
    let stale = p
        .gaps
        .iter()
        .filter(|g| g.status == GapStatus::Stale)
        .filter_map(|g| g.latest_year.map(|y| (g, y)))
        .max_by_key(|(_, y)| *y);
    match stale {
        Some((g, year)) => Some(Fact::Stale {
            indicator: g.indicator.clone(),
            year,
        }),
        None => p
            .gaps
            .iter()
            .find(|g| g.status == GapStatus::Missing)
            .map(|g| Fact::Missing {
                indicator: g.indicator.clone(),
            }),
    }
}
