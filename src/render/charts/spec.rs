//! From the model to chart specs: which charts a profile has, and what each one shows
//! in a given language.

use std::collections::BTreeMap;

use super::{ChartData, ChartSpec, ChartWords, Line, Point};
use crate::model::{Indicator, Profile, Site};
use crate::render::numbers::Numbers;
use crate::render::templates::Strings;

pub use crate::model::charts::{ChartRef, map_indicators, profile_charts};

/// The words every chart shows besides its data.
fn chart_words(strings: &Strings) -> ChartWords {
    ChartWords {
        no_data: phrase(strings, "chart_no_data", &[]),
        estimate: phrase(strings, "chart_estimate", &[]),
        derived: phrase(strings, "chart_derived", &[]),
    }
}

/// A unit's name in the page's language ("Persons"), or its id.
fn unit_label(strings: &Strings, unit: &str) -> String {
    strings
        .get(&format!("unit_{unit}"))
        .cloned()
        .unwrap_or_else(|| unit.to_string())
}

/// A UI string with `{name}` placeholders filled in.
fn phrase(strings: &Strings, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = strings.get(key).cloned().unwrap_or_else(|| key.to_string());
    for (k, v) in args {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// The source line: "Source: International Migrant Stock 2024, 2024 revision".
fn source_line(site: &Site, p: &Profile, ids: &[&str], strings: &Strings) -> String {
    let mut parts: Vec<String> = Vec::new();
    for id in ids.iter().flat_map(|s| s.split('+')) {
        if let Some(s) = p.source(site, id) {
            let text = s.cited();
            if !parts.contains(&text) {
                parts.push(text);
            }
        }
    }
    sources_phrase(strings, &parts)
}

/// "Source: a" or "Sources: a; b", for sources already written out.
pub fn sources_phrase(strings: &Strings, parts: &[String]) -> String {
    let key = if parts.len() > 1 {
        "chart_sources"
    } else {
        "chart_source"
    };
    phrase(strings, key, &[("sources", &parts.join("; "))])
}

/// The spec of one chart of a profile in one language; `None` if the profile has no
/// such chart.
pub fn chart_spec(
    site: &Site,
    p: &Profile,
    chart: &ChartRef,
    lang: &str,
    numbers: &Numbers,
    strings: &Strings,
) -> Option<ChartSpec> {
    let config = &site.config;
    let dl = &config.default_language;
    let place = p.name.get(lang, dl).to_string();
    let first = site.indicators.get(chart.series.first()?)?;
    let unit = first.unit.clone();
    let unit_label = unit_label(strings, &unit);
    let custom = p.charts.iter().find(|c| chart.custom && c.id == chart.id);
    let title = match custom.and_then(|c| c.title.as_ref()) {
        Some(t) => t.get(lang, dl).to_string(),
        None => first.label.get(lang, dl).to_string(),
    };
    let label = first.label.get(lang, dl).to_string();
    let words = chart_words(strings);
    let mut sources: Vec<&str> = Vec::new();
    let mut year: Option<i32> = None;
    let (data, desc) = match chart.kind.as_str() {
        "bar" if first.kind == "partners" => {
            let x = p.partners.get(&first.id)?;
            sources.push(&x.source);
            year = Some(x.year);
            let n = config.charts.top_partners as usize;
            let bars: Vec<(String, f64)> = x
                .values
                .iter()
                .take(n)
                .map(|(c, v)| {
                    (
                        crate::render::country_name(site, Some(strings), c, lang),
                        *v,
                    )
                })
                .collect();
            let rest: f64 =
                x.values.iter().skip(n).map(|(_, v)| v).sum::<f64>() + x.other.unwrap_or(0.0);
            let other = (rest > 0.0).then(|| (phrase(strings, "other_countries", &[]), rest));
            let top: Vec<String> = bars
                .iter()
                .take(3)
                .map(|(n, v)| format!("{n} ({})", numbers.compact(*v, &unit)))
                .collect();
            let desc = if top.is_empty() {
                phrase(
                    strings,
                    "chart_desc_empty",
                    &[("label", &label), ("place", &place)],
                )
            } else {
                phrase(
                    strings,
                    "chart_desc_bars",
                    &[
                        ("label", &label),
                        ("place", &place),
                        ("year", &x.year.to_string()),
                        ("top", &top.join(", ")),
                    ],
                )
            };
            (ChartData::Bars { bars, other }, desc)
        }
        "pyramid" if first.kind == "age_sex" => {
            let a = p.age_sex.get(&first.id)?;
            sources.push(&a.source);
            year = Some(a.year);
            let f: f64 = a.female.iter().sum();
            let m: f64 = a.male.iter().sum();
            let desc = phrase(
                strings,
                "chart_desc_pyramid",
                &[
                    ("label", &label),
                    ("place", &place),
                    ("year", &a.year.to_string()),
                    ("female", &numbers.compact(f, &unit)),
                    ("male", &numbers.compact(m, &unit)),
                ],
            );
            let data = ChartData::Pyramid {
                groups: a.groups.clone(),
                male: a.male.clone(),
                female: a.female.clone(),
                male_label: phrase(strings, "male", &[]),
                female_label: phrase(strings, "female", &[]),
            };
            (data, desc)
        }
        kind => {
            // Lines and areas. An indicator of another kind drawn as a line has no
            // series: it gets the "no data" state rather than a wrong picture.
            let mut lines = Vec::new();
            for id in &chart.series {
                let (Some(ind), Some(s)) = (site.indicators.get(id), p.series.get(id)) else {
                    continue;
                };
                sources.push(&s.source);
                let points = |f: &dyn Fn(&crate::model::Point) -> Option<f64>| -> Vec<Point> {
                    s.points
                        .iter()
                        .filter_map(|(y, pt)| {
                            f(pt).map(|v| Point {
                                year: *y,
                                value: v,
                                estimated: pt.estimated,
                                derived: pt.derived,
                            })
                        })
                        .collect()
                };
                let label = if chart.series.len() > 1 {
                    ind.label.get(lang, dl).to_string()
                } else {
                    phrase(strings, "total", &[])
                };
                lines.push(Line {
                    label,
                    points: points(&|pt| Some(pt.value)),
                    band: s
                        .points
                        .iter()
                        .filter_map(|(y, pt)| Some((*y, pt.low?, pt.high?)))
                        .collect(),
                });
                // One indicator alone: its female and male values as extra lines.
                if chart.series.len() == 1 {
                    for (key, f) in [
                        (
                            "female",
                            &(|pt: &crate::model::Point| pt.female)
                                as &dyn Fn(&crate::model::Point) -> Option<f64>,
                        ),
                        ("male", &|pt: &crate::model::Point| pt.male),
                    ] {
                        let pts = points(f);
                        if !pts.is_empty() {
                            lines.push(Line {
                                label: phrase(strings, key, &[]),
                                points: pts,
                                band: Vec::new(),
                            });
                        }
                    }
                }
            }
            let desc = series_desc(&lines, &label, &place, &unit, numbers, strings);
            (
                ChartData::Series {
                    lines,
                    stacked: kind == "area" && chart.series.len() > 1,
                    area: kind == "area",
                },
                desc,
            )
        }
    };
    let mut subtitle = format!("{place} · {unit_label}");
    if let Some(y) = year {
        subtitle.push_str(&format!(" · {y}"));
    }
    Some(ChartSpec {
        id: format!("chart-{}-{}", p.iso3.to_ascii_lowercase(), chart.id),
        width: config.charts.width,
        height: config.charts.height,
        palette: config.charts.palette.clone(),
        title,
        subtitle,
        source: source_line(site, p, &sources, strings),
        desc,
        unit,
        lang: lang.to_string(),
        words,
        data,
    })
}

fn series_desc(
    lines: &[Line],
    label: &str,
    place: &str,
    unit: &str,
    numbers: &Numbers,
    strings: &Strings,
) -> String {
    let Some(main) = lines.first().filter(|l| !l.points.is_empty()) else {
        return phrase(
            strings,
            "chart_desc_empty",
            &[("label", label), ("place", place)],
        );
    };
    let (a, b) = (&main.points[0], &main.points[main.points.len() - 1]);
    let fmt = |v: f64| numbers.compact(v, unit);
    if main.points.len() == 1 {
        return phrase(
            strings,
            "chart_desc_single",
            &[
                ("label", label),
                ("place", place),
                ("value", &fmt(a.value)),
                ("year", &a.year.to_string()),
            ],
        );
    }
    let key = if b.value > a.value {
        "chart_desc_rose"
    } else if b.value < a.value {
        "chart_desc_fell"
    } else {
        "chart_desc_steady"
    };
    phrase(
        strings,
        key,
        &[
            ("label", label),
            ("place", place),
            ("from", &fmt(a.value)),
            ("start", &a.year.to_string()),
            ("to", &fmt(b.value)),
            ("end", &b.year.to_string()),
        ],
    )
}

/// The world map of one indicator: each profile's latest value.
pub fn map_spec(
    site: &Site,
    ind: &Indicator,
    lang: &str,
    numbers: &Numbers,
    strings: &Strings,
    world: std::sync::Arc<super::map::World>,
) -> ChartSpec {
    let dl = &site.config.default_language;
    let label = ind.label.get(lang, dl).to_string();
    let mut values = BTreeMap::new();
    let mut sources: Vec<String> = Vec::new();
    let mut first_profile: Option<&Profile> = None;
    for p in site.profiles.values() {
        if let Some(s) = p.series.get(&ind.id)
            && let Some((_, pt)) = s.latest()
        {
            values.insert(p.iso3.clone(), pt.value);
            if !sources.contains(&s.source) {
                sources.push(s.source.clone());
            }
            first_profile.get_or_insert(p);
        }
    }
    let unit_label = unit_label(strings, &ind.unit);
    let name = |code: &str| crate::render::country_name(site, Some(strings), code, lang);
    let hi = values.iter().max_by(|a, b| a.1.total_cmp(b.1));
    let lo = values.iter().min_by(|a, b| a.1.total_cmp(b.1));
    let desc = match (hi, lo) {
        (Some((hc, hv)), Some((lc, lv))) => phrase(
            strings,
            "chart_desc_map",
            &[
                ("label", &label),
                ("n", &values.len().to_string()),
                ("high", &name(hc)),
                ("high_value", &numbers.compact(*hv, &ind.unit)),
                ("low", &name(lc)),
                ("low_value", &numbers.compact(*lv, &ind.unit)),
            ],
        ),
        _ => phrase(
            strings,
            "chart_desc_empty",
            &[("label", &label), ("place", "")],
        ),
    };
    let source_ids: Vec<&str> = sources.iter().map(String::as_str).collect();
    let source = first_profile
        .map(|p| source_line(site, p, &source_ids, strings))
        .unwrap_or_default();
    ChartSpec {
        id: format!("map-{}", ind.id),
        width: site.config.charts.width,
        height: site.config.charts.height,
        palette: site.config.charts.palette.clone(),
        title: label,
        subtitle: phrase(strings, "chart_map_subtitle", &[("unit", &unit_label)]),
        source,
        desc,
        unit: ind.unit.clone(),
        lang: lang.to_string(),
        words: chart_words(strings),
        data: ChartData::Map { world, values },
    }
}

/// The values a chart plots, as CSV rows: `series,year,value,low,high,flag` for lines,
/// `label,value` for bars, `group,male,female` for a pyramid. Language-neutral codes.
pub fn chart_csv(spec_data: &ChartData) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let num = Numbers::plain;
    // Writing to a Vec cannot fail.
    match spec_data {
        ChartData::Series { lines, .. } => {
            let _ = w.write_record(["series", "year", "value", "low", "high", "flag"]);
            for l in lines {
                let bands: BTreeMap<i32, (f64, f64)> =
                    l.band.iter().map(|(y, a, b)| (*y, (*a, *b))).collect();
                for p in &l.points {
                    let (lo, hi) = bands
                        .get(&p.year)
                        .map_or((String::new(), String::new()), |(a, b)| (num(*a), num(*b)));
                    let flag = if p.derived {
                        "derived"
                    } else if p.estimated {
                        "estimated"
                    } else {
                        ""
                    };
                    let _ = w.write_record([
                        l.label.as_str(),
                        &p.year.to_string(),
                        &num(p.value),
                        &lo,
                        &hi,
                        flag,
                    ]);
                }
            }
        }
        ChartData::Bars { bars, other } => {
            let _ = w.write_record(["label", "value"]);
            for (l, v) in bars.iter().chain(other.iter()) {
                let _ = w.write_record([l.as_str(), &num(*v)]);
            }
        }
        ChartData::Pyramid {
            groups,
            male,
            female,
            ..
        } => {
            let _ = w.write_record(["group", "male", "female"]);
            for (i, g) in groups.iter().enumerate() {
                let _ = w.write_record([g.as_str(), &num(male[i]), &num(female[i])]);
            }
        }
        ChartData::Map { values, .. } => {
            let _ = w.write_record(["iso3", "value"]);
            for (code, v) in values {
                let _ = w.write_record([code.as_str(), &num(*v)]);
            }
        }
    }
    w.into_inner().unwrap_or_default()
}

/// The bar chart of an indicator page: the countries with the largest latest values,
/// largest first. `bars` are (country name, value); `source` is the source line.
#[allow(clippy::too_many_arguments)]
pub fn ranking_spec(
    site: &Site,
    ind: &Indicator,
    bars: Vec<(String, f64)>,
    source: String,
    lang: &str,
    numbers: &Numbers,
    strings: &Strings,
) -> ChartSpec {
    let dl = &site.config.default_language;
    let label = ind.label.get(lang, dl).to_string();
    let unit_label = unit_label(strings, &ind.unit);
    let top: Vec<String> = bars
        .iter()
        .take(3)
        .map(|(n, v)| format!("{n} ({})", numbers.compact(*v, &ind.unit)))
        .collect();
    let desc = phrase(
        strings,
        "chart_desc_ranking",
        &[("label", &label), ("top", &top.join(", "))],
    );
    ChartSpec {
        id: format!("top-{}", ind.id),
        width: site.config.charts.width,
        height: site.config.charts.height,
        palette: site.config.charts.palette.clone(),
        title: phrase(strings, "chart_ranking_title", &[("label", &label)]),
        subtitle: phrase(strings, "chart_ranking_subtitle", &[("unit", &unit_label)]),
        source,
        desc,
        unit: ind.unit.clone(),
        lang: lang.to_string(),
        words: chart_words(strings),
        data: ChartData::Bars { bars, other: None },
    }
}
