//! RENDER: the bytes of one output, as a pure function of the site, the theme and the
//! output's job. No I/O; outputs are rendered in parallel by the pipeline, and order or
//! thread count never changes a byte.

pub mod across;
mod calls;
pub mod charts;
pub mod collate;
pub mod context;
pub mod data;
pub mod kept;
pub mod markdown;
pub mod numbers;
pub mod partnerships;
mod prose;
pub mod rows;
pub mod templates;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use minijinja::Value;
use minijinja::value::Serde;

use crate::error::{Error, Result};
use crate::model::Site;
use crate::plan::{ChartFormat, Job, Output};
use context::Env;
use numbers::{CompactWords, Numbers};
use templates::Theme;

/// A country or area in a language: a profile's own name, a `[codes]` name, the theme's
/// `country_<CODE>` string for the language, or the ISO 3166 English name.
pub fn country_name(
    site: &Site,
    strings: Option<&templates::Strings>,
    code: &str,
    lang: &str,
) -> String {
    if site.profiles.contains_key(code) || site.config.codes.contains_key(code) {
        return site.country_name(code, lang);
    }
    strings
        .and_then(|s| s.get(&format!("country_{code}")))
        .cloned()
        .unwrap_or_else(|| site.country_name(code, lang))
}

pub struct Renderer<'a> {
    pub site: &'a Site,
    pub theme: &'a Theme,
    numbers: BTreeMap<String, Numbers>,
    /// Each profile's CSV lines, made at most once a build: its own CSV and `all.csv`
    /// both need them.
    csv_bodies: BTreeMap<&'a str, std::sync::OnceLock<Arc<[u8]>>>,
    pub charts: Charts<'a>,
    /// Each profile's home-page card, by (language, code), rendered at most once.
    cards: Mutex<HashMap<(String, String), Arc<str>>>,
    /// What an earlier build made from the same inputs, asked before making it again
    /// and told what this one makes.
    kept: Option<&'a kept::KeptFor<'a>>,
    /// Whether the site has corridors, which every page's menu links to: known once.
    has_corridors: bool,
    /// What several pages of a build read of the whole site, worked out once.
    across: context::Across,
    /// Each language's UI strings as templates see them, converted once.
    strings_values: BTreeMap<String, Value>,
}

/// (language, profile code, chart id)
type ChartKey = (String, String, String);

/// A chart, once drawn (`None`: the chart has nothing to draw).
type Drawn = OnceLock<Option<Arc<charts::Drawn>>>;

/// Chart SVGs, each drawn at most once a build: the profile page shows it inline, and
/// its SVG, PNG and PDF files are made from the same text.
pub struct Charts<'a> {
    site: &'a Site,
    theme: &'a Theme,
    world: OnceLock<Option<Arc<charts::map::World>>>,
    maps: BTreeMap<(&'a str, &'a str), Drawn>,
    /// Made on first use: a rebuild in `serve` draws a handful of the site's charts.
    /// A drawing goes once its SVG file is made (`file_drawing`): pages need only its
    /// shape, and a build that held every drawing to its end held 60 MB of them.
    svgs: Mutex<HashMap<ChartKey, Arc<Drawn>>>,
    /// The shapes of the charts drawn in this build.
    shapes: Mutex<HashMap<ChartKey, Arc<charts::Shape>>>,
    /// Charts across profiles drawn in this build, by the hash of their spec.
    across: Mutex<HashMap<blake3::Hash, Arc<charts::Drawn>>>,
    /// What a session keeps between rebuilds: charts' shapes, world maps, the outlines.
    kept: Option<&'a kept::KeptFor<'a>>,
}

impl<'a> Charts<'a> {
    fn new(site: &'a Site, theme: &'a Theme) -> Self {
        let mut maps = BTreeMap::new();
        for ind in charts::spec::map_indicators(site) {
            for lang in &site.config.languages {
                maps.insert((lang.as_str(), ind.id.as_str()), OnceLock::new());
            }
        }
        Charts {
            site,
            theme,
            world: OnceLock::new(),
            maps,
            svgs: Mutex::default(),
            shapes: Mutex::default(),
            across: Mutex::default(),
            kept: None,
        }
    }

    /// A chart across profiles (a world map, a ranking) drawn again only when what it
    /// shows changed: the home and indicator pages are rendered again whenever a
    /// profile's latest value changes, but their charts only when what they plot, a
    /// label or the style did (in a session, which keeps them). In one build, a page
    /// and the chart's file share one drawing.
    fn drawn_kept(&self, spec: &charts::ChartSpec, numbers: &Numbers) -> Arc<charts::Drawn> {
        let key = charts::map::spec_key(spec);
        let held = self.kept.and_then(|k| k.kept.map(key));
        if let Some(svg) = held.or_else(|| kept::lock(&self.across).get(&key).cloned()) {
            return svg;
        }
        let svg = Arc::new(charts::draw(spec, numbers));
        match self.kept {
            Some(k) => k.kept.keep_map(key, &svg),
            None => {
                kept::lock(&self.across).insert(key, svg.clone());
            }
        }
        svg
    }

    /// The theme's world outlines, decoded and projected once a build, and kept for
    /// a session's next builds while the theme's map stays the same.
    fn world(&self) -> Option<Arc<charts::map::World>> {
        self.world
            .get_or_init(|| {
                let bytes = self.theme.parts.map.as_ref()?;
                let key = blake3::hash(bytes);
                if let Some(w) = self.kept.and_then(|k| k.kept.world(key)) {
                    return Some(w);
                }
                let world = Arc::new(charts::map::decode(bytes).ok()?);
                if let Some(k) = self.kept {
                    k.kept.keep_world(key, &world);
                }
                Some(world)
            })
            .clone()
    }

    /// The world map of an indicator in a language.
    pub fn map_spec(
        &self,
        lang: &str,
        indicator: &str,
        numbers: &Numbers,
    ) -> Option<charts::ChartSpec> {
        let ind = self.site.indicators.get(indicator)?;
        let strings = self.theme.strings.get(lang)?;
        Some(charts::spec::map_spec(
            self.site,
            ind,
            lang,
            numbers,
            strings,
            self.world()?,
        ))
    }

    /// The world map of a series indicator: drawn once a build for the maps the home
    /// page may show, and kept while what it shows stays the same for the others.
    pub fn map(
        &self,
        lang: &str,
        indicator: &str,
        numbers: &Numbers,
    ) -> Option<Arc<charts::Drawn>> {
        let draw = || {
            self.map_spec(lang, indicator, numbers)
                .map(|spec| self.drawn_kept(&spec, numbers))
        };
        match self.maps.get(&(lang, indicator)) {
            Some(cell) => cell.get_or_init(draw).clone(),
            None => draw(),
        }
    }

    pub fn strings(&self, lang: &str) -> Option<&templates::Strings> {
        self.theme.strings.get(lang).map(|s| &**s)
    }

    /// The spec of a chart of a profile in a language.
    pub fn spec(
        &self,
        lang: &str,
        iso3: &str,
        id: &str,
        numbers: &Numbers,
    ) -> Option<charts::ChartSpec> {
        let p = self.site.profiles.get(iso3)?;
        let chart = charts::spec::profile_charts(self.site, p)
            .into_iter()
            .find(|c| c.id == id)?;
        let strings = self.theme.strings.get(lang)?;
        charts::spec::chart_spec(self.site, p, &chart, lang, numbers, strings)
    }

    /// What a page shows of the chart: kept in a session while its file's fingerprint
    /// holds, else drawn (once).
    pub fn shape(
        &self,
        lang: &str,
        iso3: &str,
        id: &str,
        numbers: &Numbers,
    ) -> Option<Arc<charts::Shape>> {
        if let Some(shape) = self.kept.and_then(|k| k.shape(lang, iso3, id)) {
            return Some(shape);
        }
        let key = (lang.to_string(), iso3.to_string(), id.to_string());
        if let Some(shape) = kept::lock(&self.shapes).get(&key) {
            return Some(shape.clone());
        }
        let drawn = self.drawn(lang, iso3, id, numbers)?;
        Some(self.record_shape(key, &drawn))
    }

    /// Holds a drawn chart's shape for this build's pages and the session's next.
    fn record_shape(&self, key: ChartKey, drawn: &charts::Drawn) -> Arc<charts::Shape> {
        let shape = Arc::new(drawn.shape());
        if let Some(k) = self.kept {
            k.keep_shape(&key.0, &key.1, &key.2, &shape);
        }
        kept::lock(&self.shapes).insert(key, shape.clone());
        shape
    }

    /// The chart for its SVG file, drawn (once) if no page drew it yet; its shape is
    /// kept and the drawing let go, since no page needs it once the file is made.
    pub fn file_drawing(
        &self,
        lang: &str,
        iso3: &str,
        id: &str,
        numbers: &Numbers,
    ) -> Option<Arc<charts::Drawn>> {
        let drawn = self.drawn(lang, iso3, id, numbers)?;
        let key = (lang.to_string(), iso3.to_string(), id.to_string());
        if !kept::lock(&self.shapes).contains_key(&key) {
            self.record_shape(key.clone(), &drawn);
        }
        kept::lock(&self.svgs).remove(&key);
        Some(drawn)
    }

    /// The chart, drawn once.
    pub fn drawn(
        &self,
        lang: &str,
        iso3: &str,
        id: &str,
        numbers: &Numbers,
    ) -> Option<Arc<charts::Drawn>> {
        let cell = self
            .svgs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry((lang.to_string(), iso3.to_string(), id.to_string()))
            .or_default()
            .clone();
        cell.get_or_init(|| {
            self.spec(lang, iso3, id, numbers)
                .map(|spec| Arc::new(charts::draw(&spec, numbers)))
        })
        .clone()
    }
}

impl<'a> Renderer<'a> {
    pub fn new(site: &'a Site, theme: &'a Theme) -> Self {
        let numbers = site
            .config
            .languages
            .iter()
            .map(|lang| {
                let s = theme.strings.get(lang);
                let english = CompactWords::default();
                let word = |key: &str, default: String| {
                    s.and_then(|m| m.get(key)).cloned().unwrap_or(default)
                };
                let words = CompactWords {
                    thousand: word("number_thousand", english.thousand),
                    million: word("number_million", english.million),
                    billion: word("number_billion", english.billion),
                    usd: word("number_usd", english.usd),
                    percent: word("number_percent", english.percent),
                    per_1000: word("number_per_1000", english.per_1000),
                };
                (lang.clone(), Numbers::new(lang, words))
            })
            .collect();
        Renderer {
            site,
            theme,
            numbers,
            charts: Charts::new(site, theme),
            cards: Mutex::default(),
            kept: None,
            has_corridors: crate::model::corridors::exist(site),
            across: context::Across::default(),
            strings_values: site
                .config
                .languages
                .iter()
                .map(|lang| {
                    let strings = theme.strings.get(lang).cloned().unwrap_or_default();
                    (lang.clone(), Value::from(Serde(&*strings)))
                })
                .collect(),
            csv_bodies: site
                .profiles
                .keys()
                .map(|k| (k.as_str(), std::sync::OnceLock::new()))
                .collect(),
        }
    }

    fn env(&self) -> Env<'_> {
        Env {
            site: self.site,
            numbers: &self.numbers,
            charts: &self.charts,
            has_corridors: self.has_corridors,
            across: &self.across,
        }
    }

    /// A page, made with the template its job names (`Job::templates`, which the
    /// plan's fingerprint reads too).
    fn page<T: serde::Serialize>(&self, output: &Output, lang: &str, view: &T) -> Result<Vec<u8>> {
        let template =
            output.job.templates().first().copied().ok_or_else(|| {
                Error::Output(format!("{} is made with no template", output.path))
            })?;
        let ctx = minijinja::context! {
            t => self.strings_value(lang),
            ..Value::from(Serde(view))
        };
        let tmpl = self
            .theme
            .env
            .get_template(template)
            .map_err(|source| Error::Template {
                output: output.path.clone(),
                source,
            })?;
        let mut html = tmpl.render(ctx).map_err(|source| Error::Template {
            output: output.path.clone(),
            source,
        })?;
        if !html.ends_with('\n') {
            html.push('\n');
        }
        Ok(templates::unindent(&html).into_bytes())
    }

    /// A chart, drawn once a build.
    pub fn chart_drawn(&self, lang: &str, iso3: &str, id: &str) -> Option<Arc<charts::Drawn>> {
        self.charts.drawn(lang, iso3, id, self.numbers(lang))
    }

    fn numbers(&self, lang: &str) -> &Numbers {
        self.numbers
            .get(lang)
            .or_else(|| self.numbers.values().next())
            .expect("a Numbers for every language")
    }

    fn csv_body(&self, iso3: &str) -> Result<&Arc<[u8]>> {
        let cell = self
            .csv_bodies
            .get(iso3)
            .ok_or_else(|| Error::Output(format!("no profile {iso3}")))?;
        let profile = self
            .site
            .profiles
            .get(iso3)
            .ok_or_else(|| Error::Output(format!("no profile {iso3}")))?;
        Ok(cell.get_or_init(|| {
            if let Some(body) = self.kept.and_then(|k| k.csv(iso3)) {
                return body;
            }
            let body: Arc<[u8]> = Arc::from(data::csv_body(self.site, profile));
            if let Some(k) = self.kept {
                k.keep_csv(iso3, &body);
            }
            body
        }))
    }

    /// Offers the renderer what a session's earlier builds made, and takes what this
    /// one makes.
    pub fn with_kept(mut self, kept: &'a kept::KeptFor<'a>) -> Self {
        self.kept = Some(kept);
        self.charts.kept = Some(kept);
        self
    }

    /// `data/all.csv` in parts: the header, then each profile's lines. `serve` keeps
    /// the parts as they are, so an edit costs one profile's lines, not the whole file.
    pub fn all_csv_parts(&self) -> Result<Vec<Arc<[u8]>>> {
        use rayon::prelude::*;
        // The profiles' lines in parallel: the first job to need them would otherwise
        // make every profile's alone while the other workers wait for their own.
        let codes: Vec<&String> = self.site.profiles.keys().collect();
        let bodies = codes
            .par_iter()
            .map(|code| self.csv_body(code).cloned())
            .collect::<Result<Vec<_>>>()?;
        Ok(std::iter::once(Arc::from(data::header()))
            .chain(bodies)
            .collect())
    }

    /// The UI strings of a language, as templates see them (`t`).
    fn strings_value(&self, lang: &str) -> Value {
        self.strings_values.get(lang).cloned().unwrap_or_else(|| {
            let strings = self.theme.strings.get(lang).cloned().unwrap_or_default();
            Value::from(Serde(&*strings))
        })
    }

    /// A profile's card for the home page (`card.html`), rendered once.
    fn card_html(
        &self,
        env: &Env<'_>,
        p: &crate::model::Profile,
        lang: &str,
        output: &Output,
    ) -> Result<Arc<str>> {
        let key = (lang.to_string(), p.iso3.clone());
        if let Some(html) = self.cards().get(&key) {
            return Ok(html.clone());
        }
        if let Some(html) = self.kept.and_then(|k| k.card(lang, &p.iso3)) {
            self.cards().insert(key, html.clone());
            return Ok(html);
        }
        let ctx = minijinja::context! {
            t => self.strings_value(lang),
            p => Value::from(Serde(&env.card(p, lang))),
        };
        let template_error = |source| Error::Template {
            output: output.path.clone(),
            source,
        };
        let html: Arc<str> = Arc::from(
            self.theme
                .env
                .get_template("card.html")
                .map_err(template_error)?
                .render(ctx)
                .map_err(template_error)?,
        );
        self.cards().insert(key, html.clone());
        if let Some(k) = self.kept {
            k.keep_card(lang, &p.iso3, &html);
        }
        Ok(html)
    }

    fn cards(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Arc<str>>> {
        self.cards.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn render(&self, output: &Output) -> Result<Vec<u8>> {
        let env = self.env();
        let site = self.site;
        let profile = |iso3: &str| {
            site.profiles
                .get(iso3)
                .ok_or_else(|| Error::Output(format!("no profile {iso3}")))
        };
        match &output.job {
            Job::Home { lang } => {
                let card = |p: &crate::model::Profile| self.card_html(&env, p, lang, output);
                self.page(output, lang, &env.home(lang, &card)?)
            }
            Job::Profile { lang, iso3 } => {
                self.page(output, lang, &env.profile(profile(iso3)?, lang))
            }
            Job::Content { lang, stem, .. } => {
                let page = site
                    .pages_in(lang)
                    .into_iter()
                    .find(|p| &p.stem == stem)
                    .ok_or_else(|| Error::Output(format!("no page {stem}")))?;
                self.page(output, lang, &env.content(page, lang))
            }
            Job::NotFound { lang } => self.page(output, lang, &env.not_found(lang)),
            Job::Indicators { lang } => self.page(output, lang, &env.indicators(lang)),
            Job::Indicator {
                lang,
                id,
                corridors,
            } => {
                let ind = site
                    .indicators
                    .get(id)
                    .ok_or_else(|| Error::Output(format!("no indicator {id}")))?;
                let corridors = corridors.as_deref().map_or(&[][..], |c| c.as_slice());
                let view = env.indicator(ind, lang, corridors);
                self.page(output, lang, &view)
            }
            Job::DataGaps { lang } => self.page(output, lang, &env.data_gaps(lang)),
            Job::Partnerships { lang } => self.page(output, lang, &env.partnerships(lang)),
            Job::Rcp { lang, id } => {
                let view = env
                    .rcp(id, lang)
                    .ok_or_else(|| Error::Output(format!("no RCP {id}")))?;
                self.page(output, lang, &view)
            }
            Job::Corridors { lang, list } => self.page(output, lang, &env.corridors(list, lang)),
            Job::Corridor { lang, corridor } => {
                self.page(output, lang, &env.corridor(corridor, lang))
            }
            Job::ProfileCsv { iso3 } => Ok(data::profile_csv(self.csv_body(iso3)?)),
            Job::ProfileJson { iso3 } => Ok(data::profile_json(site, profile(iso3)?)),
            Job::AllCsv => Ok(self.all_csv_parts()?.concat()),
            Job::Sitemap { pages } => Ok(data::sitemap(site, pages)),
            Job::Robots => Ok(data::robots(site)),
            Job::SearchIndex { lang } => Ok(env.search_index(lang)),
            Job::Copy { bytes } => Ok(bytes.to_vec()),
            Job::Chart {
                lang,
                iso3,
                chart,
                format,
            } => {
                let numbers = self.numbers(lang);
                let missing = || Error::Output(format!("no chart {chart} for {iso3}"));
                match format {
                    ChartFormat::Json => {
                        let specs = site
                            .config
                            .languages
                            .iter()
                            .map(|l| self.charts.spec(l, iso3, chart, self.numbers(l)))
                            .collect::<Option<Vec<_>>>()
                            .ok_or_else(missing)?;
                        Ok(data::chart_meta(site, profile(iso3)?, chart, &specs))
                    }
                    ChartFormat::Svg => {
                        let drawn = self
                            .charts
                            .file_drawing(lang, iso3, chart, numbers)
                            .ok_or_else(missing)?;
                        picture(&drawn, *format, &output.path, site.config.charts.png_scale)
                    }
                    _ => {
                        let drawn = self
                            .charts
                            .drawn(lang, iso3, chart, numbers)
                            .ok_or_else(missing)?;
                        picture(&drawn, *format, &output.path, site.config.charts.png_scale)
                    }
                }
            }
            Job::ChartCsv { iso3, chart } => {
                let lang = &site.config.default_language;
                let spec = self
                    .charts
                    .spec(lang, iso3, chart, self.numbers(lang))
                    .ok_or_else(|| Error::Output(format!("no chart {chart} for {iso3}")))?;
                Ok(charts::spec::chart_csv(&spec.data))
            }
            Job::WorldMap {
                lang,
                indicator,
                format,
            } => {
                let numbers = self.numbers(lang);
                let drawn = self.charts.map(lang, indicator, numbers).ok_or_else(|| {
                    Error::Output(format!("no world map for {indicator}: the theme has no readable map/countries-50m.json"))
                })?;
                match format {
                    ChartFormat::Json | ChartFormat::Csv => {
                        let spec =
                            self.charts
                                .map_spec(lang, indicator, numbers)
                                .ok_or_else(|| {
                                    Error::Output(format!("no world map for {indicator}"))
                                })?;
                        Ok(if *format == ChartFormat::Csv {
                            charts::spec::chart_csv(&spec.data)
                        } else {
                            data::map_meta(site, indicator, &spec)
                        })
                    }
                    _ => picture(&drawn, *format, &output.path, site.config.charts.png_scale),
                }
            }
            Job::Ranking { lang, indicator } => {
                let drawn = site
                    .indicators
                    .get(indicator)
                    .and_then(|ind| env.ranking_drawn(ind, lang))
                    .ok_or_else(|| Error::Output(format!("no values of {indicator} to rank")))?;
                picture(
                    &drawn,
                    ChartFormat::Svg,
                    &output.path,
                    site.config.charts.png_scale,
                )
            }
            Job::Embed { lang, iso3 } => {
                let view = env
                    .embed(profile(iso3)?, lang)
                    .ok_or_else(|| Error::Output(format!("no chart for {iso3}")))?;
                self.page(output, lang, &view)
            }
        }
    }
}

/// A drawn chart as the file at `path`: the SVG the site shows (its font found from
/// `path`), or a PNG or PDF of its wide drawing.
fn picture(
    drawn: &charts::Drawn,
    format: ChartFormat,
    path: &str,
    png_scale: f64,
) -> Result<Vec<u8>> {
    match format {
        ChartFormat::Png => charts::raster::png(&drawn.print_svg(), png_scale as f32),
        ChartFormat::Pdf => charts::raster::pdf(&drawn.print_svg()),
        _ => Ok(drawn.svg(&crate::plan::routes::root_of(path)).into_bytes()),
    }
}
