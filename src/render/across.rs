//! The pages across countries: an indicator's page (ranking, map, top countries,
//! totals, coverage), the list of indicators, and the data gaps of every profile.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use super::context::{Common, Env, Link, PngButton};
use super::rows::{self, Rows};
use crate::model::{GapStatus, Indicator, Latest, Profile, latest_value};
use crate::plan::routes;

/// How many countries the bar chart of an indicator page shows.
const TOP: usize = 15;

/// How many corridors the page of a partners indicator links to.
const CORRIDORS: usize = 10;

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorView {
    pub common: Common,
    pub id: String,
    pub label: String,
    pub definition: Option<String>,
    pub unit: String,
    pub kind: String,
    /// Profiles with a value, and all profiles.
    pub count: usize,
    pub total: usize,
    /// Largest latest value first.
    pub ranking: Rows<RankRow>,
    /// The ranking's rows as the default theme lays them out (`render::rows`).
    pub ranking_html: String,
    /// The same rows by region, each alphabetical.
    pub regions: Vec<RegionRows>,
    pub map_svg: Option<String>,
    /// The map's SVG file, and its PNG button where the browser makes it.
    pub map_file: Option<String>,
    pub map_png: Option<PngButton>,
    pub top_svg: Option<String>,
    pub top_file: Option<String>,
    pub top_png: Option<PngButton>,
    pub totals: Option<Totals>,
    pub missing: Vec<Link>,
    pub stale: Vec<StaleRow>,
    pub stale_before: i32,
    pub sources: Vec<String>,
    pub indicators_url: String,
    /// For a partners indicator with a `flow`: the largest corridors, linked.
    pub corridors: Vec<Link>,
    pub corridors_url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RankRow {
    pub rank: usize,
    pub iso3: String,
    pub name: String,
    pub url: String,
    pub value: String,
    pub year: i32,
    /// `""`, `estimated` or `derived`.
    pub flag: &'static str,
    pub stale: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegionRows {
    pub name: String,
    pub rows: Rows<RankRow>,
    /// The rows as the default theme lays them out.
    pub rows_html: String,
}

/// Sums for one year, where the unit allows adding countries up.
#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    pub year: i32,
    pub world: String,
    pub world_count: usize,
    pub regions: Vec<TotalRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TotalRow {
    pub name: String,
    pub value: String,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct StaleRow {
    pub link: Link,
    pub year: i32,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorsView {
    pub common: Common,
    pub sections: Vec<IndicatorSection>,
    pub total: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorSection {
    pub name: String,
    pub indicators: Vec<IndicatorItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorItem {
    pub id: String,
    pub label: String,
    pub url: String,
    pub unit: String,
    pub core: bool,
    pub derived: bool,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct DataGapsView {
    pub common: Common,
    pub indicators: Vec<Link>,
    pub rows: Vec<GapRow>,
    pub reference_year: i32,
    pub stale_after_years: i32,
    pub complete: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct GapRow {
    pub name: String,
    pub url: String,
    pub cells: Vec<GapCell>,
    pub gaps: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct GapCell {
    /// `present`, `stale` or `missing`.
    pub status: &'static str,
    pub year: Option<i32>,
}

fn flag(l: &Latest) -> &'static str {
    if l.derived {
        "derived"
    } else if l.estimated {
        "estimated"
    } else {
        ""
    }
}

impl Env<'_> {
    fn stale_before(&self) -> i32 {
        self.site.reference_year - self.site.config.stale_after_years
    }

    fn profile_link(&self, from: &str, p: &Profile, lang: &str) -> Link {
        let config = &self.site.config;
        Link {
            title: p.name.get(lang, &config.default_language).to_string(),
            url: routes::link(from, &routes::profile(config, lang, &p.iso3)),
            current: false,
        }
    }

    /// `corridors`: the largest corridors, largest first, for a flow's indicator.
    pub fn indicator(
        &self,
        ind: &Indicator,
        lang: &str,
        corridors: &[crate::model::corridors::Corridor],
    ) -> IndicatorView {
        let site = self.site;
        let config = &site.config;
        let dl = &config.default_language;
        let path = routes::indicator(config, lang, &ind.id);
        let label = ind.label.get(lang, dl).to_string();
        let num = self.num(lang);
        let stale_before = self.stale_before();

        let mut have: Vec<(&Profile, Latest)> = Vec::new();
        let (mut missing, mut stale) = (Vec::new(), Vec::new());
        for p in site.profiles.values() {
            match latest_value(p, &ind.id) {
                Some(l) => {
                    if l.year < stale_before {
                        stale.push(StaleRow {
                            link: self.profile_link(&path, p, lang),
                            year: l.year,
                        });
                    }
                    have.push((p, l));
                }
                None => missing.push(self.profile_link(&path, p, lang)),
            }
        }
        missing.sort_by(|a, b| super::collate::compare(lang, &a.title, &b.title));
        stale.sort_by(|a, b| super::collate::compare(lang, &a.link.title, &b.link.title));
        largest_first(&mut have);
        let row = |rank: usize, p: &Profile, l: &Latest| RankRow {
            rank,
            iso3: p.iso3.clone(),
            name: p.name.get(lang, dl).to_string(),
            url: routes::link(&path, &routes::profile(config, lang, &p.iso3)),
            value: num.with_unit(l.value, &ind.unit),
            year: l.year,
            flag: flag(l),
            stale: l.year < stale_before,
        };
        let ranking: Vec<RankRow> = have
            .iter()
            .enumerate()
            .map(|(i, (p, l))| row(i + 1, p, l))
            .collect();
        let mut by_region: BTreeMap<&str, Vec<RankRow>> = BTreeMap::new();
        for r in &ranking {
            let p = &site.profiles[&r.iso3];
            by_region.entry(&p.region).or_default().push(r.clone());
        }
        let regions = by_region
            .into_iter()
            .map(|(name, mut rows)| {
                rows.sort_by(|a, b| {
                    super::collate::compare(lang, &a.name, &b.name)
                        .then_with(|| a.iso3.cmp(&b.iso3))
                });
                RegionRows {
                    name: name.to_string(),
                    rows_html: rows::region_html(&rows),
                    rows: rows.into(),
                }
            })
            .collect();

        let sources = sources_of(site, &have);
        let charts_on = config.charts.enabled;
        let map_path = routes::world_map(config, lang, &ind.id, "svg");
        let map_svg = (charts_on && ind.kind == "series")
            .then(|| self.charts.map(lang, &ind.id, num))
            .flatten()
            .map(|drawn| drawn.object(&routes::link(&path, &map_path)));
        let top_path = routes::ranking(config, lang, &ind.id);
        let top_svg = self
            .ranking_drawn(ind, lang)
            .map(|drawn| drawn.object(&routes::link(&path, &top_path)));
        let file =
            |shown: &Option<String>, at: &str| shown.as_ref().map(|_| routes::link(&path, at));
        let png = |shown: &Option<String>, at: &str| {
            shown
                .as_ref()
                .and_then(|_| PngButton::unless_files(config, at, &path))
        };
        let (map_file, map_png) = (file(&map_svg, &map_path), png(&map_svg, &map_path));
        let (top_file, top_png) = (file(&top_svg, &top_path), png(&top_svg, &top_path));

        IndicatorView {
            common: self.common(lang, &path, &label, "", &|l| {
                routes::indicator(config, l, &ind.id)
            }),
            id: ind.id.clone(),
            definition: ind.definition.as_ref().map(|d| d.get(lang, dl).to_string()),
            unit: ind.unit.clone(),
            kind: ind.kind.clone(),
            count: have.len(),
            total: site.profiles.len(),
            totals: self.totals(ind, lang),
            ranking_html: rows::ranking_html(
                &ranking,
                &rows::RankWords {
                    estimated: self.word(lang, "estimated_short", ""),
                    derived: self.word(lang, "derived_short", ""),
                    stale: self.word(lang, "gap_stale", ""),
                },
            ),
            ranking: ranking.into(),
            regions,
            map_svg,
            map_file,
            map_png,
            top_svg,
            top_file,
            top_png,
            missing,
            stale,
            stale_before,
            sources,
            indicators_url: routes::link(&path, &routes::indicators(config, lang)),
            corridors: if ind.flow.is_some() {
                corridors
                    .iter()
                    .take(CORRIDORS.min(config.corridors as usize))
                    .map(|c| Link {
                        title: format!(
                            "{} – {} ({})",
                            self.country(&c.a, lang),
                            self.country(&c.b, lang),
                            num.compact(c.size(), "persons")
                        ),
                        url: routes::link(&path, &routes::corridor(config, lang, &c.slug())),
                        current: false,
                    })
                    .collect()
            } else {
                Vec::new()
            },
            corridors_url: routes::link(&path, &routes::corridors(config, lang)),
            label,
        }
    }

    /// The bars of an indicator page: the profiles with the largest latest values.
    pub fn ranking_drawn(
        &self,
        ind: &Indicator,
        lang: &str,
    ) -> Option<Arc<crate::render::charts::Drawn>> {
        let site = self.site;
        if !site.config.charts.enabled {
            return None;
        }
        let mut have: Vec<(&Profile, Latest)> = site
            .profiles
            .values()
            .filter_map(|p| Some((&**p, latest_value(p, &ind.id)?)))
            .collect();
        if have.is_empty() {
            return None;
        }
        largest_first(&mut have);
        let dl = &site.config.default_language;
        let num = self.num(lang);
        let bars = have
            .iter()
            .take(TOP)
            .map(|(p, l)| (p.name.get(lang, dl).to_string(), l.value))
            .collect();
        let strings = self.charts.strings(lang)?;
        let source = crate::render::charts::spec::sources_phrase(strings, &sources_of(site, &have));
        let spec =
            crate::render::charts::spec::ranking_spec(site, ind, bars, source, lang, num, strings);
        Some(self.charts.drawn_kept(&spec, num))
    }

    /// World and regional sums (`model::calls::sums`), formatted.
    fn totals(&self, ind: &Indicator, lang: &str) -> Option<Totals> {
        let sums = crate::model::calls::sums(self.site, &ind.id)?;
        let num = self.num(lang);
        Some(Totals {
            year: sums.year,
            world: num.with_unit(sums.world.0, &ind.unit),
            world_count: sums.world.1,
            regions: sums
                .regions
                .into_iter()
                .map(|(name, (v, count))| TotalRow {
                    name,
                    value: num.with_unit(v, &ind.unit),
                    count,
                })
                .collect(),
        })
    }

    pub fn indicators(&self, lang: &str) -> IndicatorsView {
        let site = self.site;
        let config = &site.config;
        let dl = &config.default_language;
        let path = routes::indicators(config, lang);
        let title = self.word(lang, "indicators", "Indicators");
        let mut sections: Vec<IndicatorSection> = Vec::new();
        for id in &config.sections {
            let indicators: Vec<IndicatorItem> = site
                .indicators_in_order()
                .filter(|i| &i.section == id)
                .map(|i| IndicatorItem {
                    id: i.id.clone(),
                    label: i.label.get(lang, dl).to_string(),
                    url: routes::link(&path, &routes::indicator(config, lang, &i.id)),
                    unit: i.unit.clone(),
                    core: i.core,
                    derived: i.derive.is_some(),
                    count: site
                        .profiles
                        .values()
                        .filter(|p| latest_value(p, &i.id).is_some())
                        .count(),
                })
                .collect();
            if !indicators.is_empty() {
                sections.push(IndicatorSection {
                    name: config.section_label(lang, id),
                    indicators,
                });
            }
        }
        IndicatorsView {
            common: self.common(lang, &path, &title, "", &|l| routes::indicators(config, l)),
            sections,
            total: site.profiles.len(),
        }
    }

    pub fn data_gaps(&self, lang: &str) -> DataGapsView {
        let site = self.site;
        let config = &site.config;
        let dl = &config.default_language;
        let path = routes::data_gaps(config, lang);
        let title = self.word(lang, "data_gaps", "Data gaps");
        let core: Vec<&Indicator> = site.indicators_in_order().filter(|i| i.core).collect();
        let rows: Vec<GapRow> = site
            .profiles
            .values()
            .map(|p| {
                let cells: Vec<GapCell> = core
                    .iter()
                    .map(|i| {
                        let gap = p.gaps.iter().find(|g| g.indicator == i.id);
                        let year = latest_value(p, &i.id).map(|l| l.year);
                        let status = match gap.map(|g| &g.status) {
                            Some(GapStatus::Missing) => "missing",
                            Some(GapStatus::Stale) => "stale",
                            None => "present",
                        };
                        GapCell { status, year }
                    })
                    .collect();
                GapRow {
                    name: p.name.get(lang, dl).to_string(),
                    url: routes::link(&path, &routes::profile(config, lang, &p.iso3)),
                    gaps: cells.iter().filter(|c| c.status != "present").count(),
                    cells,
                }
            })
            .collect();
        let mut rows = rows;
        rows.sort_by(|a, b| {
            super::collate::compare(lang, &a.name, &b.name).then_with(|| a.url.cmp(&b.url))
        });
        DataGapsView {
            common: self.common(lang, &path, &title, "", &|l| routes::data_gaps(config, l)),
            indicators: core
                .iter()
                .map(|i| Link {
                    title: i.label.get(lang, dl).to_string(),
                    url: routes::link(&path, &routes::indicator(config, lang, &i.id)),
                    current: false,
                })
                .collect(),
            complete: rows.iter().filter(|r| r.gaps == 0).count(),
            rows,
            reference_year: site.reference_year,
            stale_after_years: config.stale_after_years,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CorridorsView {
    pub common: Common,
    pub rows: Vec<CorridorRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CorridorRow {
    pub rank: usize,
    pub url: String,
    pub a: String,
    pub b: String,
    /// Migrants from `a` in `b`, from `b` in `a`, and both, formatted.
    pub ab: String,
    pub ba: String,
    pub size: String,
    pub disagree: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CorridorView {
    pub common: Common,
    pub title: String,
    pub a: Link,
    pub b: Link,
    pub flows: Vec<FlowView>,
    /// The agreements between the two, linked to the partnerships page.
    pub agreements: Vec<Link>,
    pub corridors_url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FlowView {
    pub from: String,
    pub to: String,
    pub by_destination: Option<ReportView>,
    pub by_origin: Option<ReportView>,
    /// "12.3 %" where the two ends' figures differ by more than 5 % or are for
    /// different years.
    pub disagreement: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    pub value: String,
    pub year: i32,
    pub source: String,
    pub by: String,
}

impl Env<'_> {
    /// A country's link from `from` when it has a profile; its name alone otherwise.
    pub(crate) fn place_link(&self, from: &str, code: &str, lang: &str) -> Link {
        let config = &self.site.config;
        Link {
            title: self.country(code, lang),
            url: if self.site.profiles.contains_key(code) {
                routes::link(from, &routes::profile(config, lang, code))
            } else {
                String::new()
            },
            current: false,
        }
    }

    pub fn corridors(
        &self,
        list: &[crate::model::corridors::Corridor],
        lang: &str,
    ) -> CorridorsView {
        let config = &self.site.config;
        let path = routes::corridors(config, lang);
        let num = self.num(lang);
        let title = self.word(lang, "corridors", "Corridors");
        CorridorsView {
            common: self.common(lang, &path, &title, "", &|l| routes::corridors(config, l)),
            rows: list
                .iter()
                .enumerate()
                .map(|(i, c)| CorridorRow {
                    rank: i + 1,
                    url: routes::link(&path, &routes::corridor(config, lang, &c.slug())),
                    a: self.country(&c.a, lang),
                    b: self.country(&c.b, lang),
                    ab: num.full(c.ab.size(), "persons"),
                    ba: num.full(c.ba.size(), "persons"),
                    size: num.full(c.size(), "persons"),
                    disagree: c.ab.disagreement().is_some() || c.ba.disagreement().is_some(),
                })
                .collect(),
        }
    }

    pub fn corridor(&self, c: &crate::model::corridors::Corridor, lang: &str) -> CorridorView {
        let site = self.site;
        let config = &site.config;
        let path = routes::corridor(config, lang, &c.slug());
        let num = self.num(lang);
        let (a, b) = (
            self.place_link(&path, &c.a, lang),
            self.place_link(&path, &c.b, lang),
        );
        let title = format!("{} – {}", a.title, b.title);
        let report = |r: &Option<crate::model::corridors::Report>| {
            r.as_ref().map(|r| ReportView {
                value: num.full(r.value, "persons"),
                year: r.year,
                source: site
                    .profiles
                    .get(&r.by)
                    .and_then(|p| p.source(site, &r.source))
                    .map_or_else(|| r.source.clone(), |s| s.cited()),
                by: self.country(&r.by, lang),
            })
        };
        let flows = [&c.ab, &c.ba]
            .into_iter()
            .map(|f| FlowView {
                from: self.country(&f.from, lang),
                to: self.country(&f.to, lang),
                by_destination: report(&f.by_destination),
                by_origin: report(&f.by_origin),
                disagreement: f
                    .disagreement()
                    .map(|gap| num.with_unit(gap * 100.0, "percent")),
            })
            .collect();
        CorridorView {
            common: self.common(lang, &path, &title, "", &|l| {
                routes::corridor(config, l, &c.slug())
            }),
            title,
            a,
            b,
            flows,
            agreements: c
                .agreements
                .iter()
                .map(|(title, anchor)| Link {
                    title: title.clone(),
                    url: format!(
                        "{}#{anchor}",
                        routes::link(&path, &routes::partnerships(config, lang))
                    ),
                    current: false,
                })
                .collect(),
            corridors_url: routes::link(&path, &routes::corridors(config, lang)),
        }
    }
}

/// One entry of a search index: what it is called here, its other names, where it is
/// (from the output root) and what kind of page it is.
#[derive(Debug, Clone, Serialize)]
pub struct SearchEntry {
    pub t: String,
    /// Other names: a country's names in every language mpgen knows, an indicator's
    /// labels in the site's languages.
    pub a: Vec<String>,
    pub u: String,
    /// The kind of page, in the page's language.
    pub k: String,
}

impl Env<'_> {
    /// The search index of a language, as a script that sets `window.MPGEN_SEARCH`.
    pub fn search_index(&self, lang: &str) -> Vec<u8> {
        let site = self.site;
        let config = &site.config;
        let dl = &config.default_language;
        let mut entries = Vec::new();
        let country = self.word(lang, "search_country", "Country or area");
        for p in site.profiles.values() {
            let mut a: Vec<String> = config
                .languages
                .iter()
                .map(|l| p.name.get(l, dl).to_string())
                .collect();
            if let Some(place) = crate::places::get(&p.iso3) {
                a.extend(
                    crate::places::LANGUAGES
                        .iter()
                        .map(|l| place.name(l).to_string()),
                );
            }
            a.push(p.iso3.clone());
            a.sort();
            a.dedup();
            entries.push(SearchEntry {
                t: p.name.get(lang, dl).to_string(),
                a,
                u: routes::profile(config, lang, &p.iso3),
                k: country.clone(),
            });
        }
        let indicator = self.word(lang, "search_indicator", "Indicator");
        for i in site.indicators_in_order() {
            let mut a: Vec<String> = config
                .languages
                .iter()
                .map(|l| i.label.get(l, dl).to_string())
                .collect();
            a.push(i.id.clone());
            a.sort();
            a.dedup();
            entries.push(SearchEntry {
                t: i.label.get(lang, dl).to_string(),
                a,
                u: routes::indicator(config, lang, &i.id),
                k: indicator.clone(),
            });
        }
        let page = self.word(lang, "search_page", "Page");
        let mut pages: Vec<(String, String)> = self
            .site
            .pages_in(lang)
            .into_iter()
            .map(|p| (p.title.clone(), routes::content(config, lang, &p.stem)))
            .collect();
        for (key, fallback, path) in [
            ("indicators", "Indicators", routes::indicators(config, lang)),
            (
                "partnerships_title",
                "Partnerships",
                routes::partnerships(config, lang),
            ),
            ("data_gaps", "Data gaps", routes::data_gaps(config, lang)),
        ] {
            pages.push((self.word(lang, key, fallback), path));
        }
        if self.has_corridors {
            pages.push((
                self.word(lang, "corridors", "Corridors"),
                routes::corridors(config, lang),
            ));
        }
        for (t, u) in pages {
            entries.push(SearchEntry {
                t,
                a: Vec::new(),
                u,
                k: page.clone(),
            });
        }
        let json = serde_json::to_string(&entries).unwrap_or_else(|_| "[]".into());
        format!("window.MPGEN_SEARCH = {json};\n").into_bytes()
    }
}

/// Largest first; ties by code, so the order never depends on anything else.
fn largest_first(have: &mut [(&Profile, Latest)]) {
    have.sort_by(|a, b| {
        b.1.value
            .total_cmp(&a.1.value)
            .then_with(|| a.0.iso3.cmp(&b.0.iso3))
    });
}

/// The sources of the values shown, each once, in the order first met.
fn sources_of(site: &crate::model::Site, have: &[(&Profile, Latest)]) -> Vec<String> {
    let mut sources: Vec<String> = Vec::new();
    for (p, l) in have {
        for id in l.source.split('+') {
            if let Some(s) = p.source(site, id) {
                let text = s.cited();
                if !sources.contains(&text) {
                    sources.push(text);
                }
            }
        }
    }
    sources
}
