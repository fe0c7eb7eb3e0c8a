//! Which charts there are: a profile's (an indicator's default chart for each it has
//! data for, then its own `[[charts]]`), and the world maps across profiles. Facts of
//! the model, which the plan lists and the renderer draws.

use serde::Serialize;

use super::{Indicator, Profile, Site};

/// A chart of a profile: an indicator's default chart, or one of its `[[charts]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChartRef {
    /// The indicator id, or the custom chart's id.
    pub id: String,
    pub kind: String,
    /// The indicators drawn.
    pub series: Vec<String>,
    pub section: String,
    pub custom: bool,
}

/// Every chart a profile has, in page order: each indicator it has data for (a `map`
/// indicator is drawn across profiles, not on one), then its own `[[charts]]`.
pub fn profile_charts(site: &Site, p: &Profile) -> Vec<ChartRef> {
    if !site.config.charts.enabled {
        return Vec::new();
    }
    let mut out: Vec<ChartRef> = site
        .indicators_in_order()
        .filter(|i| has_data(p, i))
        .map(|i| ChartRef {
            id: i.id.clone(),
            // A map is drawn across profiles; on one profile, the series is a line.
            kind: if i.chart == "map" {
                "line".into()
            } else {
                i.chart.clone()
            },
            series: vec![i.id.clone()],
            section: i.section.clone(),
            custom: false,
        })
        .collect();
    for c in &p.charts {
        let section = c
            .section
            .clone()
            .or_else(|| {
                c.series
                    .first()
                    .and_then(|s| site.indicators.get(s))
                    .map(|i| i.section.clone())
            })
            .unwrap_or_default();
        out.push(ChartRef {
            id: c.id.clone(),
            kind: c.kind.clone(),
            series: c.series.clone(),
            section,
            custom: true,
        });
    }
    out
}

fn has_data(p: &Profile, i: &Indicator) -> bool {
    p.series.contains_key(&i.id) || p.partners.contains_key(&i.id) || p.age_sex.contains_key(&i.id)
}

/// Indicators drawn as a world map: `chart = "map"` in the catalogue, series only.
pub fn map_indicators(site: &Site) -> Vec<&Indicator> {
    if !site.config.charts.enabled {
        return Vec::new();
    }
    site.indicators_in_order()
        .filter(|i| i.chart == "map" && i.kind == "series")
        .collect()
}
