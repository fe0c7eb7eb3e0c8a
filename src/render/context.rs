//! The view of each page kind: one `Serialize` struct holding everything its template
//! shows, already formatted for the page's language. Data reaches a template only
//! through its view, so a hash of the view is an exact fingerprint of the page.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use super::markdown;
use super::numbers::Numbers;
use super::rows::{self, Rows};
use crate::model::{GapStatus, Indicator, Page, Profile, Series, Site, Source};
use crate::plan::routes;

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub title: String,
    pub url: String,
    pub current: bool,
}

/// A chart's PNG made in the reader's browser (`chart-png.js`), where the site has no
/// PNG files: from `svg`, the chart's SVG file, saved as `file`.
#[derive(Debug, Clone, Serialize)]
pub struct PngButton {
    pub svg: String,
    pub file: String,
}

impl PngButton {
    /// The button for the SVG file at `svg_path` (from the site's root), shown on the
    /// page at `page`; none when the site writes PNG files.
    pub fn unless_files(config: &crate::model::Config, svg_path: &str, page: &str) -> Option<Self> {
        if config.charts.formats.iter().any(|f| f == "png") {
            return None;
        }
        // `fr/charts/mex/migrant_stock.svg` → `fr-mex-migrant_stock.png`
        let file = svg_path
            .trim_end_matches(".svg")
            .split('/')
            .filter(|s| *s != "charts")
            .collect::<Vec<_>>()
            .join("-")
            + ".png";
        Some(PngButton {
            svg: routes::link(page, svg_path),
            file,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LangLink {
    pub code: String,
    pub url: String,
    /// The page in that language at its public address, for `hreflang` links.
    pub absolute: String,
    pub current: bool,
}

/// What every page has.
#[derive(Debug, Clone, Serialize)]
pub struct Common {
    pub lang: String,
    /// `rtl` for languages written right to left, else `ltr`.
    pub dir: &'static str,
    pub site_title: String,
    pub page_title: String,
    pub description: String,
    /// Relative prefix to the output root: `../../`.
    pub root: String,
    pub home_url: String,
    pub canonical: String,
    pub nav: Vec<Link>,
    pub languages: Vec<LangLink>,
    /// This language's search index, from the output root.
    pub search_index: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub indicator: String,
    pub label: String,
    pub value: String,
    pub year: i32,
    pub estimated: bool,
    pub derived: bool,
}

/// A profile's card on the home page, as `card.html` sees it (`p`).
#[derive(Debug, Clone, Serialize)]
pub struct Card {
    pub iso3: String,
    pub name: String,
    pub url: String,
    pub figures: Vec<Figure>,
}

/// A card in the home page's list: `html` is `card.html` rendered for the profile, kept
/// between rebuilds of `serve` by the profile page's fingerprint.
#[derive(Debug, Clone, Serialize)]
pub struct ListedCard {
    pub iso3: String,
    pub name: String,
    pub url: String,
    pub html: Arc<str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Region {
    pub name: String,
    pub profiles: Vec<ListedCard>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HomeView {
    pub common: Common,
    /// The world map of the first `chart = "map"` indicator, if the catalogue has one.
    pub map: Option<MapView>,
    pub intro_html: Option<String>,
    pub regions: Vec<Region>,
    pub profile_count: usize,
    pub reference_year: i32,
}

#[derive(Debug, Clone, Serialize)]
pub struct SeriesRow {
    pub year: i32,
    pub value: String,
    pub female: Option<String>,
    pub male: Option<String>,
    pub low: Option<String>,
    pub high: Option<String>,
    pub estimated: bool,
    pub derived: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PartnerRow {
    pub code: String,
    pub name: String,
    pub value: String,
    pub share: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgeRow {
    pub group: String,
    pub female: String,
    pub male: String,
    pub total: String,
}

/// One indicator's table on a profile page.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorTable {
    pub id: String,
    pub kind: String,
    pub label: String,
    pub unit: String,
    pub unit_label: String,
    pub definition: Option<String>,
    pub source_note: Option<usize>,
    pub note: Option<String>,
    pub method: Option<String>,
    pub year: Option<i32>,
    pub series: Rows<SeriesRow>,
    pub has_sex: bool,
    pub has_range: bool,
    /// Whether any row is estimated or derived: a table without flags has no column
    /// for them.
    pub has_flags: bool,
    pub partners: Rows<PartnerRow>,
    pub other: Option<String>,
    pub age: Rows<AgeRow>,
    /// The table's rows as the default theme lays them out, each on its line (for
    /// partners, without the row of other countries): see `render::rows`.
    pub rows_html: String,
    pub all_derived: bool,
    /// The indicator's default chart, when it has one on this page.
    pub chart: Option<ChartView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionView {
    pub id: String,
    pub label: String,
    pub narrative_html: Option<String>,
    /// Set when the narrative is shown in another language than the page's.
    pub narrative_lang: Option<String>,
    /// Without a narrative: what the data say, written from the theme's phrases.
    pub written_html: Option<String>,
    /// The key findings (in the section the phrases name), as a list.
    pub findings_html: Option<String>,
    /// What stands for recommendations no one has written yet.
    pub recommendations: Option<String>,
    pub tables: Vec<IndicatorTable>,
    /// The profile's own `[[charts]]` in this section.
    pub charts: Vec<ChartView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgreementView {
    pub title: String,
    pub partners: Vec<Link>,
    pub parties: Vec<String>,
    pub kind: String,
    pub topics: Vec<String>,
    pub signed: Option<i32>,
    pub status: Option<String>,
    pub url: Option<String>,
    pub summary_html: Option<String>,
    pub one_sided: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PolicyView {
    pub title: String,
    pub year: Option<i32>,
    pub kind: String,
    pub topics: Vec<String>,
    pub url: Option<String>,
    pub summary_html: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceNote {
    pub n: usize,
    pub id: String,
    pub title: String,
    pub publisher: Option<String>,
    pub edition: Option<String>,
    pub year: Option<i64>,
    pub url: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GapView {
    pub indicator: String,
    pub label: String,
    pub status: String,
    pub latest_year: Option<i32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProfileView {
    pub common: Common,
    pub iso3: String,
    pub name: String,
    pub region: String,
    pub subregion: Option<String>,
    pub roles: Vec<String>,
    /// The date in the page's language: "28 novembre 2026".
    pub updated: Option<String>,
    /// The same date as written in the profile (ISO 8601), for `<time datetime>`.
    pub updated_iso: Option<String>,
    pub maintainer: Option<String>,
    pub summary_html: Option<String>,
    pub figures: Vec<Figure>,
    pub sections: Vec<SectionView>,
    /// The note that marks a text written from the data, in the page's language.
    pub written_note: Option<String>,
    pub agreements: Vec<AgreementView>,
    pub policies: Vec<PolicyView>,
    pub rcps: Vec<Link>,
    pub climate: Option<ClimateView>,
    pub sources: Vec<SourceNote>,
    pub gaps: Vec<GapView>,
    pub gaps_notes_html: Option<String>,
    pub reference_year: i32,
    pub stale_after_years: i32,
    pub downloads: Vec<Link>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClimateView {
    pub napa: Option<bool>,
    pub napa_mentions_migration: Option<bool>,
    pub notes_html: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContentView {
    pub common: Common,
    pub title: String,
    pub body_html: String,
    /// Set when the text is in another language than the page's (a fallback).
    pub text_lang: Option<String>,
    /// The pages in this page's folder (`themes/labour` for `themes`), in menu order.
    pub children: Vec<ChildLink>,
    /// The page whose folder this page is in.
    pub parent: Option<Link>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChildLink {
    pub title: String,
    pub url: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NotFoundView {
    pub common: Common,
}

/// Everything a view builder needs besides the site.
pub struct Env<'a> {
    pub site: &'a Site,
    pub numbers: &'a BTreeMap<String, Numbers>,
    pub charts: &'a super::Charts<'a>,
    /// Whether the site has corridors (`model::corridors::exist`), for the menu.
    pub has_corridors: bool,
    pub across: &'a Across,
}

/// What several pages read of the whole site, worked out at most once a build.
#[derive(Default)]
pub struct Across {
    partnerships: std::sync::OnceLock<Vec<crate::model::partnerships::Partnership>>,
}

impl Env<'_> {
    /// Every agreement once (`model::partnerships::partnerships`).
    pub fn all_partnerships(&self) -> &[crate::model::partnerships::Partnership] {
        self.across
            .partnerships
            .get_or_init(|| crate::model::partnerships::partnerships(self.site))
    }
}

/// A chart as a page shows it: inline SVG, its files, and how to embed it.
#[derive(Debug, Clone, Serialize)]
pub struct ChartView {
    pub id: String,
    pub title: String,
    /// The chart as the page shows it (`|safe`): an `<object>` of its SVG file.
    pub svg: String,
    pub desc: String,
    pub downloads: Vec<Link>,
    /// Set where the PNG is made in the browser.
    pub png: Option<PngButton>,
    pub embed_url: String,
    /// An `<iframe>` to copy, with the chart's public address.
    pub embed_snippet: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MapView {
    pub title: String,
    pub svg: String,
    pub downloads: Vec<Link>,
    pub png: Option<PngButton>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EmbedView {
    pub common: Common,
    /// Every chart of the profile, in page order; the first is shown when the address
    /// names none.
    pub charts: Vec<ChartView>,
    pub profile_name: String,
    pub profile_url: String,
}

impl<'a> Env<'a> {
    pub(crate) fn num(&self, lang: &str) -> &Numbers {
        self.numbers
            .get(lang)
            .or_else(|| self.numbers.values().next())
            .expect("a Numbers for every language")
    }

    pub(crate) fn country(&self, code: &str, lang: &str) -> String {
        crate::render::country_name(self.site, self.charts.strings(lang), code, lang)
    }

    pub(crate) fn md(&self, text: &str) -> String {
        markdown::to_html(text, self.site.config.allow_raw_html)
    }

    /// The common part of a page at `path`; `translations` gives each language's path.
    pub fn common(
        &self,
        lang: &str,
        path: &str,
        page_title: &str,
        description: &str,
        translations: &dyn Fn(&str) -> String,
    ) -> Common {
        let config = &self.site.config;
        let site_title = config.title.get(lang, &config.default_language).to_string();
        let is_404 = path.ends_with("404.html");
        // 404 pages are served at any depth, so their links start from the site's root.
        let link = |to: &str| {
            if is_404 {
                format!("{}{to}", routes::base_path(config))
            } else {
                routes::link(path, to)
            }
        };
        let mut nav = vec![Link {
            title: site_title.clone(),
            url: link(&routes::home(config, lang)),
            current: path == routes::home(config, lang),
        }];
        let mut across = vec![(
            routes::indicators(config, lang),
            self.word(lang, "indicators", "Indicators"),
        )];
        if self.has_corridors {
            across.push((
                routes::corridors(config, lang),
                self.word(lang, "corridors", "Corridors"),
            ));
        }
        across.push((
            routes::partnerships(config, lang),
            self.word(lang, "partnerships_title", "Partnerships"),
        ));
        across.push((
            routes::data_gaps(config, lang),
            self.word(lang, "data_gaps", "Data gaps"),
        ));
        for (to, title) in across {
            nav.push(Link {
                title,
                url: link(&to),
                // An indicator's page is under the list's folder.
                current: to == path || path.starts_with(to.trim_end_matches("index.html")),
            });
        }
        // The menu has the top-level pages; a folder's pages are listed by its page.
        for page in self
            .site
            .pages_in(lang)
            .into_iter()
            .filter(|p| !p.stem.contains('/'))
        {
            let to = routes::content(config, lang, &page.stem);
            nav.push(Link {
                title: page.title.clone(),
                url: link(&to),
                current: to == path,
            });
        }
        Common {
            lang: lang.to_string(),
            dir: direction(lang),
            page_title: page_title.to_string(),
            description: description.to_string(),
            root: if is_404 {
                routes::base_path(config)
            } else {
                routes::root_of(path)
            },
            home_url: link(&routes::home(config, lang)),
            canonical: routes::absolute(config, path),
            nav,
            languages: config
                .languages
                .iter()
                .map(|l| LangLink {
                    code: l.clone(),
                    url: link(&translations(l)),
                    absolute: routes::absolute(config, &translations(l)),
                    current: l == lang,
                })
                .collect(),
            search_index: routes::search_index(config, lang),
            site_title,
        }
    }

    /// An ISO date (`2026-11-28`) in the words of `lang`: the theme's `date_pattern`
    /// with `{day}`, `{month}` (`month_1`..`month_12`) and `{year}`. Anything else is
    /// shown as written.
    pub(crate) fn date(&self, iso: &str, lang: &str) -> String {
        let mut parts = iso.splitn(3, '-');
        let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
            return iso.to_string();
        };
        let (Ok(month), Ok(day)) = (m.parse::<u32>(), d.parse::<u32>()) else {
            return iso.to_string();
        };
        if !(1..=12).contains(&month) {
            return iso.to_string();
        }
        let month_name = self.word(lang, &format!("month_{month}"), m);
        self.word(lang, "date_pattern", "{year}-{month}-{day}")
            .replace("{day}", &day.to_string())
            .replace("{month}", &month_name)
            .replace("{year}", y)
    }

    /// A UI string of the theme, or `fallback` where the theme has none.
    pub(crate) fn word(&self, lang: &str, key: &str, fallback: &str) -> String {
        self.charts
            .strings(lang)
            .and_then(|s| s.get(key))
            .cloned()
            .unwrap_or_else(|| fallback.to_string())
    }

    fn label(&self, ind: &Indicator, lang: &str) -> String {
        ind.label
            .get(lang, &self.site.config.default_language)
            .to_string()
    }

    /// Key figures: the latest value of each core series indicator.
    pub fn figures(&self, p: &Profile, lang: &str, max: usize) -> Vec<Figure> {
        let num = self.num(lang);
        self.site
            .indicators_in_order()
            .filter(|i| i.core && i.kind == "series")
            .filter_map(|i| {
                let (year, point) = p.series.get(&i.id)?.latest()?;
                Some(Figure {
                    indicator: i.id.clone(),
                    label: self.label(i, lang),
                    value: num.compact(point.value, &i.unit),
                    year,
                    estimated: point.estimated,
                    derived: point.derived,
                })
            })
            .take(max)
            .collect()
    }

    /// A profile's card for the home page in a language.
    pub fn card(&self, p: &Profile, lang: &str) -> Card {
        let config = &self.site.config;
        let path = routes::home(config, lang);
        Card {
            iso3: p.iso3.clone(),
            name: p.name.get(lang, &config.default_language).to_string(),
            url: routes::link(&path, &routes::profile(config, lang, &p.iso3)),
            figures: self.figures(p, lang, 3),
        }
    }

    /// The home page; `card_html` gives each profile's rendered card.
    pub fn home(
        &self,
        lang: &str,
        card_html: &dyn Fn(&Profile) -> crate::error::Result<Arc<str>>,
    ) -> crate::error::Result<HomeView> {
        let config = &self.site.config;
        let path = routes::home(config, lang);
        let mut regions: BTreeMap<&str, Vec<ListedCard>> = BTreeMap::new();
        for p in self.site.profiles.values() {
            regions.entry(&p.region).or_default().push(ListedCard {
                iso3: p.iso3.clone(),
                name: p.name.get(lang, &config.default_language).to_string(),
                url: routes::link(&path, &routes::profile(config, lang, &p.iso3)),
                html: card_html(p)?,
            });
        }
        let regions = regions
            .into_iter()
            .map(|(name, mut profiles)| {
                profiles.sort_by(|a, b| {
                    super::collate::compare(lang, &a.name, &b.name)
                        .then_with(|| a.iso3.cmp(&b.iso3))
                });
                Region {
                    name: name.to_string(),
                    profiles,
                }
            })
            .collect();
        let site_title = config.title.get(lang, &config.default_language).to_string();
        let map = crate::render::charts::spec::map_indicators(self.site)
            .first()
            .and_then(|ind| {
                let num = self.num(lang);
                let drawn = self.charts.map(lang, &ind.id, num)?;
                let mut downloads = Vec::new();
                for fmt in ["svg", "png", "pdf", "csv", "json"] {
                    let written = matches!(fmt, "svg" | "csv" | "json")
                        || config.charts.formats.iter().any(|f| f == fmt);
                    // The values are language-neutral: one CSV, at the default language's.
                    let in_lang = if fmt == "csv" {
                        &config.default_language
                    } else {
                        lang
                    };
                    if written {
                        downloads.push(Link {
                            title: fmt.to_uppercase(),
                            url: routes::link(
                                &path,
                                &routes::world_map(config, in_lang, &ind.id, fmt),
                            ),
                            current: false,
                        });
                    }
                }
                let svg_path = routes::world_map(config, lang, &ind.id, "svg");
                Some(MapView {
                    png: PngButton::unless_files(config, &svg_path, &path),
                    title: ind.label.get(lang, &config.default_language).to_string(),
                    svg: drawn.object(&routes::link(
                        &path,
                        &routes::world_map(config, lang, &ind.id, "svg"),
                    )),
                    downloads,
                })
            });
        Ok(HomeView {
            map,
            common: self.common(lang, &path, &site_title, "", &|l| routes::home(config, l)),
            intro_html: None,
            regions,
            profile_count: self.site.profiles.len(),
            reference_year: self.site.reference_year,
        })
    }

    pub fn profile(&self, p: &Profile, lang: &str) -> ProfileView {
        let site = self.site;
        let config = &site.config;
        let num = self.num(lang);
        let path = routes::profile(config, lang, &p.iso3);
        let name = p.name.get(lang, &config.default_language).to_string();

        let mut notes: Vec<String> = Vec::new();
        let mut cite = |source: &str| -> Option<usize> {
            if source.is_empty() {
                return None;
            }
            let first = source.split('+').next().unwrap_or(source).to_string();
            Some(match notes.iter().position(|s| *s == first) {
                Some(i) => i + 1,
                None => {
                    notes.push(first);
                    notes.len()
                }
            })
        };

        let chart_refs = crate::render::charts::spec::profile_charts(site, p);
        let writer = super::prose::Writer::new(self, p, lang, &path);
        let mut sections = Vec::new();
        for section in &config.sections {
            let mut tables = Vec::new();
            for ind in site.indicators_in_order().filter(|i| &i.section == section) {
                if let Some(mut t) = self.table(p, ind, lang, num, &mut cite) {
                    if chart_refs.iter().any(|c| !c.custom && c.id == ind.id) {
                        t.chart = self.chart_view(p, &ind.id, lang, &path);
                    }
                    tables.push(t);
                }
            }
            let charts = chart_refs
                .iter()
                .filter(|c| c.custom && &c.section == section)
                .filter_map(|c| self.chart_view(p, &c.id, lang, &path))
                .collect();
            let narrative = p.narrative_in(section, lang, &config.default_language);
            let written = match (&narrative, &writer) {
                (None, Some(w)) => Written::of(w, section),
                _ => Written::default(),
            };
            sections.push(SectionView {
                id: section.clone(),
                label: config.section_label(lang, section),
                written_html: written.text,
                findings_html: written.findings,
                recommendations: written.recommendations,
                narrative_html: narrative
                    .map(|(_, t)| self.md_with_calls(t, lang, &path, Some(&p.iso3))),
                narrative_lang: narrative
                    .filter(|(l, _)| *l != lang)
                    .map(|(l, _)| l.to_string()),
                tables,
                charts,
            });
        }

        let sources = notes
            .iter()
            .enumerate()
            .filter_map(|(i, id)| p.source(site, id).map(|s| source_note(i + 1, s)))
            .collect();

        let agreements = p
            .agreements
            .iter()
            .map(|a| AgreementView {
                title: a.title.clone(),
                partners: a
                    .partners
                    .iter()
                    .map(|c| Link {
                        title: self.country(c, lang),
                        url: if site.profiles.contains_key(c) {
                            routes::link(&path, &routes::profile(config, lang, c))
                        } else {
                            String::new()
                        },
                        current: false,
                    })
                    .collect(),
                parties: a.parties.clone(),
                kind: a.kind.clone(),
                topics: a.topics.clone(),
                signed: a.signed,
                status: a.status.clone(),
                url: a.url.clone(),
                summary_html: a.summary.as_deref().map(|s| self.md(s)),
                one_sided: a.one_sided,
            })
            .collect();
        let policies = p
            .policies
            .iter()
            .map(|x| PolicyView {
                title: x.title.clone(),
                year: x.year,
                kind: x.kind.clone(),
                topics: x.topics.clone(),
                url: x.url.clone(),
                summary_html: x.summary.as_deref().map(|s| self.md(s)),
            })
            .collect();
        let rcps = p
            .rcps
            .iter()
            .filter_map(|id| site.rcps.get(id))
            .map(|r| Link {
                title: r.name.get(lang, &config.default_language).to_string(),
                url: r.url.clone().unwrap_or_default(),
                current: false,
            })
            .collect();
        let gaps = p
            .gaps
            .iter()
            .map(|g| GapView {
                indicator: g.indicator.clone(),
                label: site
                    .indicators
                    .get(&g.indicator)
                    .map_or_else(|| g.indicator.clone(), |i| self.label(i, lang)),
                status: match g.status {
                    GapStatus::Missing => "missing".into(),
                    GapStatus::Stale => "stale".into(),
                },
                latest_year: g.latest_year,
            })
            .collect();
        let downloads = [
            ("JSON", routes::profile_data(&p.iso3, "json")),
            ("CSV", routes::profile_data(&p.iso3, "csv")),
        ]
        .into_iter()
        .map(|(title, to)| Link {
            title: title.into(),
            url: routes::link(&path, &to),
            current: false,
        })
        .chain(std::iter::once(Link {
            title: "all.csv".into(),
            url: routes::link(&path, routes::ALL_CSV),
            current: false,
        }))
        .collect();

        let description = format!(
            "{name}: {}",
            config.title.get(lang, &config.default_language)
        );
        ProfileView {
            common: self.common(lang, &path, &name, &description, &|l| {
                routes::profile(config, l, &p.iso3)
            }),
            iso3: p.iso3.clone(),
            region: p.region.clone(),
            subregion: p.subregion.clone(),
            roles: p.roles.clone(),
            updated: p.updated.as_deref().map(|d| self.date(d, lang)),
            updated_iso: p.updated.clone(),
            maintainer: p.maintainer.clone(),
            summary_html: p.summary.as_deref().map(|s| self.md(s)),
            figures: self.figures(p, lang, 8),
            written_note: writer
                .as_ref()
                .filter(|_| {
                    sections
                        .iter()
                        .any(|s| s.written_html.is_some() || s.findings_html.is_some())
                })
                .and_then(|w| w.note())
                .map(String::from),
            sections,
            agreements,
            policies,
            rcps,
            climate: p.climate.as_ref().map(|c| ClimateView {
                napa: c.napa,
                napa_mentions_migration: c.napa_mentions_migration,
                notes_html: c.notes.as_deref().map(|s| self.md(s)),
            }),
            sources,
            gaps,
            gaps_notes_html: p.gaps_notes.as_deref().map(|s| self.md(s)),
            reference_year: site.reference_year,
            stale_after_years: config.stale_after_years,
            downloads,
            name,
        }
    }

    fn table(
        &self,
        p: &Profile,
        ind: &Indicator,
        lang: &str,
        num: &Numbers,
        cite: &mut dyn FnMut(&str) -> Option<usize>,
    ) -> Option<IndicatorTable> {
        let mut t = IndicatorTable {
            id: ind.id.clone(),
            kind: ind.kind.clone(),
            label: self.label(ind, lang),
            unit: ind.unit.clone(),
            unit_label: String::new(),
            definition: ind
                .definition
                .as_ref()
                .map(|d| d.get(lang, &self.site.config.default_language).to_string()),
            source_note: None,
            note: None,
            method: None,
            year: None,
            series: Rows::default(),
            has_sex: false,
            has_range: false,
            has_flags: false,
            partners: Rows::default(),
            other: None,
            age: Rows::default(),
            rows_html: String::new(),
            all_derived: false,
            chart: None,
        };
        match ind.kind.as_str() {
            "series" => {
                let s: &Series = p.series.get(&ind.id)?;
                t.source_note = cite(&s.source);
                t.note = s.note.clone();
                t.method = s.method.clone();
                let f = |v: Option<f64>| v.map(|v| num.full(v, &ind.unit));
                let rows: Vec<SeriesRow> = s
                    .points
                    .iter()
                    .map(|(y, pt)| SeriesRow {
                        year: *y,
                        value: num.full(pt.value, &ind.unit),
                        female: f(pt.female),
                        male: f(pt.male),
                        low: f(pt.low),
                        high: f(pt.high),
                        estimated: pt.estimated,
                        derived: pt.derived,
                    })
                    .collect();
                t.has_sex = s
                    .points
                    .values()
                    .any(|pt| pt.female.is_some() || pt.male.is_some());
                t.has_range = s
                    .points
                    .values()
                    .any(|pt| pt.low.is_some() || pt.high.is_some());
                let (estimated, derived) = (
                    self.word(lang, "estimated", ""),
                    self.word(lang, "derived", ""),
                );
                let flags = rows::Flags {
                    estimated: &estimated,
                    derived: &derived,
                };
                t.has_flags = s.points.values().any(|pt| pt.estimated || pt.derived);
                let columns = rows::Columns {
                    sex: t.has_sex,
                    range: t.has_range,
                    flags: t.has_flags,
                };
                t.rows_html = rows::series_html(&rows, columns, &flags);
                t.series = rows.into();
                t.all_derived = s.points.values().all(|pt| pt.derived);
            }
            "partners" => {
                let x = p.partners.get(&ind.id)?;
                t.source_note = cite(&x.source);
                t.note = x.note.clone();
                t.year = Some(x.year);
                let total: f64 =
                    x.values.iter().map(|(_, v)| v).sum::<f64>() + x.other.unwrap_or(0.0);
                let share =
                    |v: f64| (total > 0.0).then(|| num.with_unit(v / total * 100.0, "percent"));
                let rows: Vec<PartnerRow> = x
                    .values
                    .iter()
                    .map(|(code, v)| PartnerRow {
                        code: code.clone(),
                        name: self.country(code, lang),
                        value: num.full(*v, &ind.unit),
                        share: share(*v),
                    })
                    .collect();
                t.rows_html = rows::partners_html(&rows);
                t.partners = rows.into();
                t.other = x.other.map(|o| num.full(o, &ind.unit));
            }
            _ => {
                let a = p.age_sex.get(&ind.id)?;
                t.source_note = cite(&a.source);
                t.note = a.note.clone();
                t.year = Some(a.year);
                let rows: Vec<AgeRow> = a
                    .groups
                    .iter()
                    .zip(a.female.iter().zip(&a.male))
                    .map(|(g, (f, m))| AgeRow {
                        group: g.clone(),
                        female: num.full(*f, &ind.unit),
                        male: num.full(*m, &ind.unit),
                        total: num.full(f + m, &ind.unit),
                    })
                    .collect();
                t.rows_html = rows::age_html(&rows);
                t.age = rows.into();
            }
        }
        Some(t)
    }

    pub fn content(&self, page: &Page, lang: &str) -> ContentView {
        let config = &self.site.config;
        let path = routes::content(config, lang, &page.stem);
        let text_lang = match &page.lang {
            Some(l) if l != lang => Some(l.clone()),
            None if lang != config.default_language => Some(config.default_language.clone()),
            _ => None,
        };
        ContentView {
            common: self.common(
                lang,
                &path,
                &page.title,
                page.description.as_deref().unwrap_or(""),
                &|l| routes::content(config, l, &page.stem),
            ),
            title: page.title.clone(),
            body_html: self.md_with_calls(&page.body, lang, &path, None),
            text_lang,
            children: self
                .site
                .pages_in(lang)
                .into_iter()
                .filter(|c| {
                    c.stem
                        .strip_prefix(&format!("{}/", page.stem))
                        .is_some_and(|rest| !rest.contains('/'))
                })
                .map(|c| ChildLink {
                    title: c.title.clone(),
                    url: routes::link(&path, &routes::content(config, lang, &c.stem)),
                    description: c.description.clone(),
                })
                .collect(),
            parent: page.stem.rsplit_once('/').and_then(|(parent, _)| {
                self.site
                    .pages_in(lang)
                    .into_iter()
                    .find(|p| p.stem == parent)
                    .map(|p| Link {
                        title: p.title.clone(),
                        url: routes::link(&path, &routes::content(config, lang, &p.stem)),
                        current: false,
                    })
            }),
        }
    }

    /// A chart of a profile as shown on the page at `path`.
    pub fn chart_view(&self, p: &Profile, id: &str, lang: &str, path: &str) -> Option<ChartView> {
        let config = &self.site.config;
        let num = self.num(lang);
        let spec = self.charts.spec(lang, &p.iso3, id, num)?;
        let shape = self.charts.shape(lang, &p.iso3, id, num)?;
        let svg_path = routes::chart(config, lang, &p.iso3, id, "svg");
        let svg_url = routes::link(path, &svg_path);
        let mut downloads = vec![Link {
            title: "SVG".into(),
            url: svg_url.clone(),
            current: false,
        }];
        for (fmt, title) in [("png", "PNG"), ("pdf", "PDF")] {
            if config.charts.formats.iter().any(|f| f == fmt) {
                downloads.push(Link {
                    title: title.into(),
                    url: routes::link(path, &routes::chart(config, lang, &p.iso3, id, fmt)),
                    current: false,
                });
            }
        }
        downloads.push(Link {
            title: "CSV".into(),
            url: routes::link(path, &routes::chart_csv(&p.iso3, id)),
            current: false,
        });
        downloads.push(Link {
            title: "JSON".into(),
            // One file with every language's words, at the default language's address.
            url: routes::link(
                path,
                &routes::chart(config, &config.default_language, &p.iso3, id, "json"),
            ),
            current: false,
        });
        let embed = routes::embed(config, lang, &p.iso3);
        let embed_snippet = format!(
            "<iframe src=\"{}#{id}\" width=\"{}\" height=\"{}\" title=\"{}\" loading=\"lazy\" style=\"border:0;max-width:100%\"></iframe>",
            routes::absolute(config, &embed),
            config.charts.width,
            config.charts.height + 40,
            crate::render::charts::xml_escape(&spec.title)
        );
        Some(ChartView {
            id: id.to_string(),
            title: spec.title.clone(),
            svg: shape.object(&svg_url),
            png: PngButton::unless_files(config, &svg_path, path),
            desc: spec.desc.clone(),
            downloads,
            embed_url: format!("{}#{id}", routes::link(path, &embed)),
            embed_snippet,
        })
    }

    /// The embed page of a profile: every chart of it, each shown alone when the
    /// address names it.
    pub fn embed(&self, p: &Profile, lang: &str) -> Option<EmbedView> {
        let config = &self.site.config;
        let path = routes::embed(config, lang, &p.iso3);
        let charts: Vec<ChartView> = crate::render::charts::spec::profile_charts(self.site, p)
            .iter()
            .filter_map(|c| self.chart_view(p, &c.id, lang, &path))
            .collect();
        let first = charts.first()?;
        let profile_name = p.name.get(lang, &config.default_language).to_string();
        let title = format!("{} · {profile_name}", first.title);
        let profile_path = routes::profile(config, lang, &p.iso3);
        Some(EmbedView {
            common: self.common(lang, &path, &title, &first.desc, &|l| {
                routes::embed(config, l, &p.iso3)
            }),
            profile_name,
            profile_url: routes::link(&path, &profile_path),
            charts,
        })
    }

    pub fn not_found(&self, lang: &str) -> NotFoundView {
        let config = &self.site.config;
        let path = routes::not_found(config, lang);
        NotFoundView {
            common: self.common(lang, &path, "404", "", &|l| routes::home(config, l)),
        }
    }
}

/// What a section without a narrative says from the data.
#[derive(Default)]
struct Written {
    text: Option<String>,
    findings: Option<String>,
    recommendations: Option<String>,
}

impl Written {
    fn of(w: &super::prose::Writer, section: &str) -> Self {
        let (findings, recommendations) = if w.findings_section() == Some(section) {
            w.findings()
        } else {
            (None, None)
        };
        Written {
            text: w.section(section),
            findings,
            recommendations,
        }
    }
}

fn source_note(n: usize, s: &Source) -> SourceNote {
    SourceNote {
        n,
        id: s.id.clone(),
        title: s.title.clone(),
        publisher: s.publisher.clone(),
        edition: s.edition.clone(),
        year: s.year,
        url: s.url.clone(),
        note: s.note.clone(),
    }
}

/// The writing direction of a language: right to left for Arabic, Hebrew, Persian, Urdu
/// and the others written in their scripts.
pub fn direction(lang: &str) -> &'static str {
    let primary = lang.split(['-', '_']).next().unwrap_or(lang);
    if matches!(
        primary,
        "ar" | "he" | "fa" | "ur" | "ps" | "sd" | "yi" | "dv" | "ug" | "ckb" | "syr"
    ) {
        "rtl"
    } else {
        "ltr"
    }
}
