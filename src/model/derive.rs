//! Derived series (`derive = { ratio = .. }` / `{ sum = .. }`) and data gaps.

use std::collections::BTreeMap;

use super::{Derive, Gap, GapStatus, Indicator, Point, Profile, Series};
use crate::diagnostics::Diagnostic;

/// Fills in derived values: for each year where every operand has a value and the
/// profile gives none. A derived value never overrides a given one. Derived indicators
/// may build on other derived indicators, so this runs until nothing changes.
pub fn derive_series(profile: &mut Profile, indicators: &BTreeMap<String, Indicator>) {
    let derived: Vec<&Indicator> = indicators.values().filter(|i| i.derive.is_some()).collect();
    for _ in 0..=derived.len() {
        let mut changed = false;
        for ind in &derived {
            let Some(rule) = &ind.derive else { continue };
            let operands: Option<Vec<&Series>> = rule
                .operands()
                .iter()
                .map(|o| profile.series.get(*o))
                .collect();
            let Some(operands) = operands else { continue };
            let mut new_points = BTreeMap::new();
            let years: Vec<i32> = operands[0].points.keys().copied().collect();
            for year in years {
                if profile
                    .series
                    .get(&ind.id)
                    .is_some_and(|s| s.points.contains_key(&year))
                {
                    continue;
                }
                let values: Option<Vec<f64>> = operands
                    .iter()
                    .map(|s| s.points.get(&year).map(|p| p.value))
                    .collect();
                let Some(values) = values else { continue };
                let value = match rule {
                    Derive::Ratio { scale, .. } if values[1] != 0.0 => {
                        values[0] / values[1] * scale
                    }
                    Derive::Ratio { .. } => continue,
                    Derive::Sum(_) => values.iter().sum(),
                };
                // A ratio over a near-zero denominator is no figure anyone published:
                // leave the year out rather than chart it, as for a zero one.
                if !value.is_finite() || value.abs() > super::profile::MAX_VALUE {
                    continue;
                }
                let estimated = operands
                    .iter()
                    .any(|s| s.points.get(&year).is_some_and(|p| p.estimated));
                new_points.insert(
                    year,
                    Point {
                        estimated,
                        derived: true,
                        ..Point::of(value)
                    },
                );
            }
            if new_points.is_empty() {
                continue;
            }
            let mut sources: Vec<&str> = operands.iter().map(|s| s.source.as_str()).collect();
            sources.sort();
            sources.dedup();
            let source = sources.join("+");
            changed = true;
            profile
                .series
                .entry(ind.id.clone())
                .or_insert_with(|| Series {
                    source,
                    note: None,
                    method: None,
                    points: BTreeMap::new(),
                })
                .points
                .extend(new_points);
        }
        if !changed {
            break;
        }
    }
}

/// The latest year a profile has for an indicator, whatever its kind.
pub fn latest_year(profile: &Profile, id: &str) -> Option<i32> {
    profile
        .series
        .get(id)
        .and_then(|s| s.latest().map(|(y, _)| y))
        .or_else(|| profile.partners.get(id).map(|p| p.year))
        .or_else(|| profile.age_sex.get(id).map(|a| a.year))
}

/// A profile's latest value of an indicator, whatever its kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Latest {
    pub year: i32,
    pub value: f64,
    pub estimated: bool,
    pub derived: bool,
    pub source: String,
}

/// The latest value of an indicator in a profile: a series' latest point, a partners
/// table's total (partners and `other`), an age and sex table's total.
pub fn latest_value(profile: &Profile, id: &str) -> Option<Latest> {
    if let Some(s) = profile.series.get(id) {
        let (year, point) = s.latest()?;
        return Some(Latest {
            year,
            value: point.value,
            estimated: point.estimated,
            derived: point.derived,
            source: s.source.clone(),
        });
    }
    let (year, value, source) = match (profile.partners.get(id), profile.age_sex.get(id)) {
        (Some(p), _) => (
            p.year,
            p.values.iter().map(|(_, v)| v).sum::<f64>() + p.other.unwrap_or(0.0),
            &p.source,
        ),
        (None, Some(a)) => (
            a.year,
            a.female.iter().chain(&a.male).sum::<f64>(),
            &a.source,
        ),
        (None, None) => return None,
    };
    Some(Latest {
        year,
        value,
        estimated: false,
        derived: false,
        source: source.clone(),
    })
}

/// Core indicators that a profile lacks, or has only older than `stale_after` years.
pub fn gaps(
    profile: &Profile,
    indicators: &BTreeMap<String, Indicator>,
    reference_year: i32,
    stale_after: i32,
) -> Vec<Gap> {
    indicators
        .values()
        .filter(|i| i.core)
        .filter_map(|i| match latest_year(profile, &i.id) {
            None => Some(Gap {
                indicator: i.id.clone(),
                status: GapStatus::Missing,
                latest_year: None,
            }),
            Some(y) if y < reference_year - stale_after => Some(Gap {
                indicator: i.id.clone(),
                status: GapStatus::Stale,
                latest_year: Some(y),
            }),
            Some(_) => None,
        })
        .collect()
}

pub fn gap_warnings(
    profile: &Profile,
    indicators: &BTreeMap<String, Indicator>,
    reference_year: i32,
    diags: &mut Vec<Diagnostic>,
) {
    for gap in &profile.gaps {
        let label = indicators
            .get(&gap.indicator)
            .map_or(gap.indicator.as_str(), |i| i.label.get("", "en"));
        let d = match gap.status {
            GapStatus::Missing => Diagnostic::warning(
                &profile.file,
                None,
                format!(
                    "data gap: the core indicator `{}` ({label}) is missing",
                    gap.indicator
                ),
            )
            .with_help(format!(
                "add `[series.{}]` (or the table of its kind) when the data exist",
                gap.indicator
            )),
            GapStatus::Stale => Diagnostic::warning(
                &profile.file,
                None,
                format!(
                    "data gap: the latest value of `{}` ({label}) is from {}, older than the reference year {reference_year} allows",
                    gap.indicator,
                    gap.latest_year.unwrap_or_default()
                ),
            ),
        };
        diags.push(d);
    }
}
