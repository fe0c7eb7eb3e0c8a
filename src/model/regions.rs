//! Regions and subregions: the groups of profiles that name them, and an indicator's
//! regional figure by year. A sum for units that add up; for a ratio, the ratio of the
//! members' sums, never an average of their ratios. A year's figure stands only where
//! the members reporting it are enough to say so (`Coverage`), and says how many did.
//!
//! The groundwork of the region pages (issue 20): no page or download reads it yet.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::Profile;

/// The units whose values add up across countries.
pub const ADDS_UP: &[&str] = &["persons", "count", "usd"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Region,
    Subregion,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    /// The English name in lower-case ASCII, words joined by hyphens.
    pub slug: String,
    /// The name as the profiles give it.
    pub name: String,
    pub level: Level,
    /// The members' ISO3 codes, in order.
    pub members: Vec<String>,
}

/// A region's figure for one year, with how many members it is made of.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Total {
    pub year: i32,
    pub value: f64,
    pub reporting: usize,
    pub members: usize,
}

/// When the members reporting a year are enough for the region's figure that year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Coverage<'a> {
    /// Every member reports.
    All,
    /// The reporting members hold at least `share` (0 to 1) of the population of all
    /// members that year, by the series `indicator`; a member that does not report
    /// and has no population that year leaves the share unknown, and the year out.
    Population { indicator: &'a str, share: f64 },
}

/// `Latin America and the Caribbean` → `latin-america-and-the-caribbean`: ASCII letters
/// and digits in lower case, any run of other characters one hyphen.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for word in name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_ascii_lowercase());
    }
    if out.is_empty() {
        // A name with no ASCII letter still needs an address of its own.
        out = format!("region-{}", &blake3::hash(name.as_bytes()).to_hex()[..8]);
    }
    out
}

/// Every region and subregion the profiles name, regions first, each by name; a slug
/// that two names share gets a number after the first.
pub fn regions(profiles: &BTreeMap<String, Arc<Profile>>) -> Vec<Region> {
    let mut groups: BTreeMap<(Level, &str), Vec<String>> = BTreeMap::new();
    for p in profiles.values() {
        groups
            .entry((Level::Region, p.region.as_str()))
            .or_default()
            .push(p.iso3.clone());
        if let Some(sub) = &p.subregion {
            groups
                .entry((Level::Subregion, sub.as_str()))
                .or_default()
                .push(p.iso3.clone());
        }
    }
    let mut taken = BTreeSet::new();
    groups
        .into_iter()
        .map(|((level, name), members)| {
            let base = slug(name);
            let mut slug = base.clone();
            for n in 2.. {
                if taken.insert(slug.clone()) {
                    break;
                }
                slug = format!("{base}-{n}");
            }
            Region {
                slug,
                name: name.to_string(),
                level,
                members,
            }
        })
        .collect()
}

/// A member's value of a series indicator in a year.
fn value(
    profiles: &BTreeMap<String, Arc<Profile>>,
    iso3: &str,
    id: &str,
    year: i32,
) -> Option<f64> {
    let point = profiles.get(iso3)?.series.get(id)?.points.get(&year)?;
    Some(point.value)
}

/// The years any member has a value of `id`.
fn years(region: &Region, profiles: &BTreeMap<String, Arc<Profile>>, id: &str) -> BTreeSet<i32> {
    region
        .members
        .iter()
        .filter_map(|m| profiles.get(m)?.series.get(id))
        .flat_map(|s| s.points.keys().copied())
        .collect()
}

/// Whether the members reporting a year are enough, by `coverage`.
fn covered(
    region: &Region,
    profiles: &BTreeMap<String, Arc<Profile>>,
    reporting: &BTreeSet<&str>,
    year: i32,
    coverage: Coverage<'_>,
) -> bool {
    match coverage {
        Coverage::All => reporting.len() == region.members.len(),
        Coverage::Population { indicator, share } => {
            let (mut held, mut all) = (0.0, 0.0);
            for m in &region.members {
                let population = value(profiles, m, indicator, year);
                match (population, reporting.contains(m.as_str())) {
                    (Some(p), true) => (held, all) = (held + p, all + p),
                    (Some(p), false) => all += p,
                    (None, true) => {}
                    (None, false) => return false,
                }
            }
            all > 0.0 && held / all >= share
        }
    }
}

/// The region's sum of a series indicator by year, for the years `coverage` allows.
pub fn sums(
    region: &Region,
    profiles: &BTreeMap<String, Arc<Profile>>,
    id: &str,
    coverage: Coverage<'_>,
) -> Vec<Total> {
    years(region, profiles, id)
        .into_iter()
        .filter_map(|year| {
            let values: Vec<(&str, f64)> = region
                .members
                .iter()
                .filter_map(|m| Some((m.as_str(), value(profiles, m, id, year)?)))
                .collect();
            let reporting: BTreeSet<&str> = values.iter().map(|(m, _)| *m).collect();
            covered(region, profiles, &reporting, year, coverage).then(|| Total {
                year,
                value: values.iter().map(|(_, v)| v).sum(),
                reporting: reporting.len(),
                members: region.members.len(),
            })
        })
        .collect()
}

/// The region's ratio of two series by year: `scale` × the sum of the numerators over
/// the sum of the denominators, both of the members that report both, for the years
/// `coverage` allows and the denominators' sum is not zero.
pub fn ratio(
    region: &Region,
    profiles: &BTreeMap<String, Arc<Profile>>,
    (numerator, denominator, scale): (&str, &str, f64),
    coverage: Coverage<'_>,
) -> Vec<Total> {
    years(region, profiles, numerator)
        .into_iter()
        .filter_map(|year| {
            let pairs: Vec<(&str, f64, f64)> = region
                .members
                .iter()
                .filter_map(|m| {
                    let n = value(profiles, m, numerator, year)?;
                    let d = value(profiles, m, denominator, year)?;
                    Some((m.as_str(), n, d))
                })
                .collect();
            let reporting: BTreeSet<&str> = pairs.iter().map(|(m, ..)| *m).collect();
            let over: f64 = pairs.iter().map(|(_, _, d)| d).sum();
            let enough = covered(region, profiles, &reporting, year, coverage);
            (enough && over != 0.0).then(|| Total {
                year,
                value: scale * pairs.iter().map(|(_, n, _)| n).sum::<f64>() / over,
                reporting: reporting.len(),
                members: region.members.len(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Point, Series, Text};

    /// A profile in `region` with series `id` → (year, value).
    fn profile(
        iso3: &str,
        region: &str,
        series: &[(&str, &[(i32, f64)])],
    ) -> (String, Arc<Profile>) {
        let series = series
            .iter()
            .map(|(id, points)| {
                let s = Series {
                    source: "s".into(),
                    note: None,
                    method: None,
                    points: points.iter().map(|(y, v)| (*y, Point::of(*v))).collect(),
                };
                (id.to_string(), s)
            })
            .collect();
        let p = Profile {
            iso3: iso3.into(),
            file: format!("profiles/{iso3}.toml"),
            name: Text::plain(iso3),
            region: region.into(),
            subregion: None,
            roles: vec![],
            updated: None,
            maintainer: None,
            rcps: vec![],
            summary: None,
            sources: BTreeMap::new(),
            series,
            partners: BTreeMap::new(),
            age_sex: BTreeMap::new(),
            agreements: vec![],
            policies: vec![],
            climate: None,
            gaps_notes: None,
            narrative: BTreeMap::new(),
            charts: vec![],
            gaps: vec![],
            text_hash: String::new(),
        };
        (iso3.into(), Arc::new(p))
    }

    #[test]
    fn slugs_are_lower_case_ascii_words_joined_by_hyphens() {
        assert_eq!(
            slug("Latin America and the Caribbean"),
            "latin-america-and-the-caribbean"
        );
        assert_eq!(slug("South-eastern Asia"), "south-eastern-asia");
        assert_eq!(slug("  Sub-Saharan   Africa "), "sub-saharan-africa");
        assert!(slug("Европа").starts_with("region-"));
        assert_ne!(slug("Европа"), slug("Азия"));
    }

    #[test]
    fn a_region_sums_its_members_only_for_the_years_coverage_allows() {
        let profiles: BTreeMap<_, _> = [
            profile(
                "AAA",
                "North",
                &[
                    ("stock", &[(2020, 10.0), (2024, 12.0)]),
                    ("pop", &[(2020, 900.0), (2024, 900.0)]),
                ],
            ),
            profile(
                "BBB",
                "North",
                &[
                    ("stock", &[(2020, 5.0)]),
                    ("pop", &[(2020, 100.0), (2024, 100.0)]),
                ],
            ),
            profile("CCC", "South", &[("stock", &[(2020, 7.0)])]),
        ]
        .into_iter()
        .collect();
        let all = regions(&profiles);
        let north = all.iter().find(|r| r.slug == "north").unwrap();
        assert_eq!(north.members, ["AAA", "BBB"]);
        // Every member: 2024 lacks BBB.
        let totals = sums(north, &profiles, "stock", Coverage::All);
        assert_eq!(
            totals,
            [Total {
                year: 2020,
                value: 15.0,
                reporting: 2,
                members: 2
            }]
        );
        // 90 % of the population: AAA alone holds 90 % in 2024.
        let by_pop = Coverage::Population {
            indicator: "pop",
            share: 0.9,
        };
        let totals = sums(north, &profiles, "stock", by_pop);
        assert_eq!(totals.len(), 2);
        assert_eq!(
            (totals[1].year, totals[1].value, totals[1].reporting),
            (2024, 12.0, 1)
        );
        let strict = Coverage::Population {
            indicator: "pop",
            share: 0.95,
        };
        assert_eq!(sums(north, &profiles, "stock", strict).len(), 1);
    }

    #[test]
    fn a_regional_ratio_is_the_ratio_of_the_sums_not_an_average_of_ratios() {
        let profiles: BTreeMap<_, _> = [
            profile(
                "AAA",
                "R",
                &[("stock", &[(2020, 10.0)]), ("pop", &[(2020, 100.0)])],
            ),
            profile(
                "BBB",
                "R",
                &[("stock", &[(2020, 90.0)]), ("pop", &[(2020, 900.0)])],
            ),
            profile(
                "CCC",
                "R",
                &[("stock", &[(2020, 50.0)]), ("pop", &[(2020, 50.0)])],
            ),
        ]
        .into_iter()
        .collect();
        let r = &regions(&profiles)[0];
        let share = ratio(r, &profiles, ("stock", "pop", 100.0), Coverage::All);
        // (10 + 90 + 50) / (100 + 900 + 50) = 14.29 %, where the mean of the three
        // shares would be 40 %.
        assert_eq!(share.len(), 1);
        assert!(
            (share[0].value - 100.0 * 150.0 / 1050.0).abs() < 1e-9,
            "{share:?}"
        );
    }
}
