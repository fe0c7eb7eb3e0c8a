//! PLAN: every output the site will have, each with its fingerprint: a hash of exactly
//! the model data, theme and settings it is made from. Computing the plan is cheap (it
//! hashes inputs, it builds no page); rendering is not, so only outputs whose
//! fingerprint moved since the last build are rendered.
//!
//! What each output depends on:
//! - every page: the theme (templates and UI strings) and the site-wide data (settings,
//!   catalogue, sources, RCPs, the list of content pages and of profiles with their names);
//! - a profile page and its data files: that profile (derived values, gaps and agreement
//!   flags included, as they are part of the checked profile);
//! - the home page and `all.csv`: every profile;
//! - an indicator's page: every profile's latest value of that indicator (and region);
//!   the list of indicators and the data-gaps page: the same, for every indicator;
//! - a corridor's page: the two countries' figures for each other; the list of
//!   corridors: those of the largest corridors;
//! - the partnerships page: every profile's agreements and memberships; an RCP's page:
//!   those, and its members' core indicators' latest values;
//! - a content page: its own text.

pub mod routes;
mod shares;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::model::parts::hash_json;

use crate::load::theme::ThemeParts;
use crate::model::Site;

/// What to make for one output.
#[derive(Debug, Clone, PartialEq)]
pub enum Job {
    Home {
        lang: String,
    },
    Profile {
        lang: String,
        iso3: String,
    },
    Content {
        lang: String,
        stem: String,
        /// The template the page asks for.
        template: String,
    },
    NotFound {
        lang: String,
    },
    /// The list of indicators, with their coverage.
    Indicators {
        lang: String,
    },
    /// One indicator across every profile: ranking, map, top countries, totals, coverage.
    Indicator {
        lang: String,
        id: String,
        /// For a flow's indicator, the largest corridors, which it links to.
        corridors: Option<Arc<Vec<crate::model::corridors::Corridor>>>,
    },
    /// Profiles × core indicators: present, stale or missing.
    DataGaps {
        lang: String,
    },
    /// The largest corridors, ranked.
    Corridors {
        lang: String,
        list: Arc<Vec<crate::model::corridors::Corridor>>,
    },
    /// Every agreement once, by topic and by pair, with each partner's view.
    Partnerships {
        lang: String,
    },
    /// A regional consultative process: its members, their key figures, their
    /// agreements.
    Rcp {
        lang: String,
        id: String,
    },
    /// Both directions between two countries, as each end reports them.
    Corridor {
        lang: String,
        corridor: Arc<crate::model::corridors::Corridor>,
    },
    ProfileCsv {
        iso3: String,
    },
    ProfileJson {
        iso3: String,
    },
    AllCsv,
    Sitemap {
        pages: Vec<String>,
    },
    Robots,
    /// The search index of a language: countries (by their names in every language),
    /// indicators and pages.
    SearchIndex {
        lang: String,
    },
    Copy {
        bytes: Arc<[u8]>,
    },
    /// A chart of a profile, in a language, as a file of one format.
    Chart {
        lang: String,
        iso3: String,
        chart: String,
        format: ChartFormat,
    },
    /// The plotted values of a chart, language-neutral.
    ChartCsv {
        iso3: String,
        chart: String,
    },
    /// The bare page of a profile's charts, for an `<iframe>`: the one its address
    /// names (`#migrant_stock`) is shown.
    Embed {
        lang: String,
        iso3: String,
    },
    /// The bars of an indicator page: the largest latest values.
    Ranking {
        lang: String,
        indicator: String,
    },
    /// A world map of one indicator across profiles.
    WorldMap {
        lang: String,
        indicator: String,
        format: ChartFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartFormat {
    Svg,
    Png,
    Pdf,
    /// The chart's metadata: title, unit, source, edition, notes.
    Json,
    /// The plotted values (world maps only; a profile chart's CSV is `Job::ChartCsv`).
    Csv,
}

impl ChartFormat {
    pub fn ext(self) -> &'static str {
        match self {
            ChartFormat::Svg => "svg",
            ChartFormat::Png => "png",
            ChartFormat::Pdf => "pdf",
            ChartFormat::Json => "json",
            ChartFormat::Csv => "csv",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Output {
    /// Path in the output folder, `/`-separated.
    pub path: String,
    pub fingerprint: String,
    pub job: Job,
}

impl Job {
    /// The theme's templates an output is made with, the page's own first: the
    /// renderer makes the page with it, and its fingerprint reads them (with what
    /// they extend, include and import).
    pub fn templates(&self) -> Vec<&str> {
        match self {
            // The home page shows each profile's card.
            Job::Home { .. } => vec!["home.html", "card.html"],
            Job::Profile { .. } => vec!["profile.html"],
            Job::Content { template, .. } => vec![template.as_str()],
            Job::NotFound { .. } => vec!["404.html"],
            Job::Indicators { .. } => vec!["indicators.html"],
            Job::Indicator { .. } => vec!["indicator.html"],
            Job::DataGaps { .. } => vec!["data_gaps.html"],
            Job::Corridors { .. } => vec!["corridors.html"],
            Job::Partnerships { .. } => vec!["partnerships.html"],
            Job::Rcp { .. } => vec!["rcp.html"],
            Job::Corridor { .. } => vec!["corridor.html"],
            Job::Embed { .. } => vec!["embed.html"],
            Job::ProfileCsv { .. }
            | Job::ProfileJson { .. }
            | Job::AllCsv
            | Job::Sitemap { .. }
            | Job::Robots
            | Job::SearchIndex { .. }
            | Job::Copy { .. }
            | Job::Chart { .. }
            | Job::ChartCsv { .. }
            | Job::Ranking { .. }
            | Job::WorldMap { .. } => Vec::new(),
        }
    }

    /// The hash of the templates `templates` names, as the theme holds them.
    fn templates_hash(&self, theme: &BTreeMap<String, blake3::Hash>) -> Option<blake3::Hash> {
        let names = self.templates();
        if names.is_empty() {
            return None;
        }
        let mut h = blake3::Hasher::new();
        for name in names {
            h.update(name.as_bytes());
            match theme.get(name) {
                Some(t) => h.update(t.as_bytes()),
                None => h.update(b"-"),
            };
        }
        Some(h.finalize())
    }

    /// Raster and PDF charts: about 30 times the cost of an SVG.
    pub fn is_costly(&self) -> bool {
        matches!(
            self,
            Job::Chart { format, .. } | Job::WorldMap { format, .. }
                if matches!(format, ChartFormat::Png | ChartFormat::Pdf)
        )
    }
}

/// Every output, once, in a fixed order: the site-wide outputs by path, then each
/// profile's outputs (profiles by code, each profile's by path). Not sorted as a
/// whole, nor gathered into one list: at 1,000 profiles a sort of 80,000 paths, or
/// even a copy of the list, would be much of a rebuild.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    site_wide: Vec<Arc<Output>>,
    /// Each profile's outputs, by code; the same groups as the plan cache holds.
    groups: Vec<Arc<Group>>,
    len: usize,
    /// The outputs planned afresh; the others are a profile's outputs taken unchanged
    /// from the plan cache, which the last build already made.
    pub fresh: Vec<Arc<Output>>,
    /// Where each path is (group, place in it; the site-wide outputs are group 0),
    /// made on first lookup.
    index: std::sync::OnceLock<HashMap<String, (usize, usize)>>,
}

/// Each profile's outputs, kept between plans by everything they depend on.
#[derive(Debug, Default, Clone)]
pub struct Cache {
    /// (Fx: short codes, looked up for every profile on every plan.)
    groups: rustc_hash::FxHashMap<String, (GroupKey, Arc<Group>)>,
    /// Each profile's share of what the pages across countries show.
    shares: shares::Shares,
    /// The largest corridors and the hash of their list, by what they are made from.
    corridors: Option<(
        blake3::Hash,
        Arc<Vec<crate::model::corridors::Corridor>>,
        blake3::Hash,
    )>,
    /// Fingerprints of copied files, by the address of their bytes (held, so the
    /// address stays theirs).
    copies: HashMap<usize, (Arc<[u8]>, String)>,
}

/// What a profile's outputs depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct GroupKey {
    /// The site-wide parts (pages, charts, data files) and the chart formats.
    wide: blake3::Hash,
    profile: blake3::Hash,
    /// What the profile's texts read of other profiles.
    refs: blake3::Hash,
}

/// The outputs that belong to one profile, and its HTML pages (for the sitemap).
#[derive(Debug)]
struct Group {
    code: String,
    /// By path.
    outputs: Vec<Arc<Output>>,
    pages: Vec<String>,
    /// What its outputs are but for their fingerprints (`group_shape`).
    shape: blake3::Hash,
    /// Its outputs in the order they are made, which the next plan's slots follow.
    made: Vec<Arc<Output>>,
    /// `outputs[i]` is `made[order[i]]`.
    order: Vec<usize>,
}

impl Plan {
    /// Every output, in the plan's order.
    pub fn outputs(&self) -> impl Iterator<Item = &Output> {
        self.site_wide
            .iter()
            .chain(self.groups.iter().flat_map(|g| g.outputs.iter()))
            .map(|o| &**o)
    }

    /// Every output, gathered for a parallel walk.
    pub fn all(&self) -> Vec<&Output> {
        let mut all = Vec::with_capacity(self.len);
        all.extend(self.outputs());
        all
    }

    /// One profile's outputs.
    fn group(&self, code: &str) -> Option<&Group> {
        let i = self
            .groups
            .binary_search_by(|g| g.code.as_str().cmp(code))
            .ok()?;
        Some(&self.groups[i])
    }

    /// How many outputs there are.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// An output of a profile's, found without the index of every path (a rebuild
    /// asks for a few, and the index is most of a plan's cost).
    pub fn of_profile(&self, code: &str, path: &str) -> Option<&Output> {
        let g = self.group(code)?;
        let i = g
            .outputs
            .binary_search_by(|o| o.path.as_str().cmp(path))
            .ok()?;
        Some(&*g.outputs[i])
    }

    pub fn get(&self, path: &str) -> Option<&Output> {
        let index = self.index.get_or_init(|| {
            let lists =
                std::iter::once(&self.site_wide).chain(self.groups.iter().map(|g| &g.outputs));
            lists
                .enumerate()
                .flat_map(|(g, list)| {
                    list.iter()
                        .enumerate()
                        .map(move |(i, o)| (o.path.clone(), (g, i)))
                })
                .collect()
        });
        let (g, i) = *index.get(path)?;
        Some(match g {
            0 => &*self.site_wide[i],
            g => &*self.groups[g - 1].outputs[i],
        })
    }
}

/// A series, hashed field by field: the same as its JSON would be, without making it
/// (every profile's every series is hashed on a cold plan).
fn hash_series(h: &mut blake3::Hasher, s: &crate::model::Series) {
    // Bytes gathered first and hashed at once: an update per field costs more than the
    // hashing itself.
    let mut b: Vec<u8> = Vec::with_capacity(64 + 56 * s.points.len());
    for text in [Some(&s.source), s.note.as_ref(), s.method.as_ref()] {
        match text {
            Some(t) => {
                b.extend_from_slice(&(t.len() as u64).to_le_bytes());
                b.extend_from_slice(t.as_bytes());
            }
            None => b.extend_from_slice(&u64::MAX.to_le_bytes()),
        }
    }
    for (year, p) in &s.points {
        b.extend_from_slice(&year.to_le_bytes());
        b.extend_from_slice(&p.value.to_bits().to_le_bytes());
        for v in [p.female, p.male, p.low, p.high] {
            match v {
                Some(v) => {
                    b.push(1);
                    b.extend_from_slice(&v.to_bits().to_le_bytes());
                }
                None => b.push(0),
            }
        }
        b.extend_from_slice(&[u8::from(p.estimated), u8::from(p.derived)]);
    }
    h.update(&b);
}

struct Fingerprints<'c> {
    /// What every page in a language depends on besides its own data: the theme and
    /// site-wide data, the settings as that language shows them; by language.
    site_wide: Vec<(String, blake3::Hash)>,
    /// What every data file depends on besides its profile: no theme, no page list.
    data_wide: blake3::Hash,
    /// What every chart depends on besides its profile: the data-wide part, the chart
    /// style, the names charts show, and the theme's words (not its templates).
    chart_wide: blake3::Hash,
    /// Each profile's share of what the pages across countries show, and their sums.
    shares: &'c shares::Shares,
    /// For each profile whose texts draw other profiles' charts, their hashes.
    narrative_refs: rustc_hash::FxHashMap<&'c str, blake3::Hash>,
    /// Each profile's key findings (`model::findings::notable`): they read every
    /// profile's latest values, but move only when the facts they give move.
    findings: rustc_hash::FxHashMap<String, blake3::Hash>,
    /// The catalogue's parts.
    catalogue: Catalogue,
    /// Each template's hash, with what it reaches.
    templates: &'c BTreeMap<String, blake3::Hash>,
    /// What the search index is made from: names, labels, words and page titles.
    search_wide: blake3::Hash,
    /// For each indicator, what every profile has of it.
    indicators: BTreeMap<String, IndicatorHashes>,
}

impl Fingerprints<'_> {
    /// What every page in `lang` depends on besides its own data.
    fn sw(&self, lang: &str) -> &[u8] {
        self.site_wide
            .iter()
            .find(|(l, _)| l == lang)
            .map_or(&[][..], |(_, h)| h.as_bytes().as_slice())
    }

    /// A profile, whole.
    fn profile(&self, code: &str) -> Option<blake3::Hash> {
        self.shares.get(code).map(|s| s.hash)
    }

    /// What a profile's texts read of other profiles: its narratives' calls, and the
    /// places among all profiles its key findings give.
    fn refs(&self, code: &str) -> blake3::Hash {
        let mut h = blake3::Hasher::new();
        if let Some(n) = self.narrative_refs.get(code) {
            h.update(n.as_bytes());
        }
        if let Some(f) = self.findings.get(code) {
            h.update(f.as_bytes());
        }
        h.finalize()
    }
}

fn fingerprints<'c>(
    site: &Site,
    theme: &'c ThemeParts,
    shares: &'c mut shares::Shares,
) -> Fingerprints<'c> {
    let catalogue = Catalogue::of(site);
    let mut h = blake3::Hasher::new();
    h.update(env!("MPGEN_BUILD_ID").as_bytes());
    h.update(catalogue.structure.as_bytes());
    hash_json(&mut h, &site.indicator_order);
    hash_json(&mut h, &site.sources);
    hash_json(&mut h, &site.config.default_language);
    let data_wide = h.finalize();

    shares.update(site, data_wide);
    let shares = &*shares;
    let sums = &shares.sums;
    let names = sums.names.hash();
    let mut h = blake3::Hasher::new();
    h.update(data_wide.as_bytes());
    h.update(theme.strings.as_bytes());
    hash_json(&mut h, &site.config.charts);
    hash_json(&mut h, &site.config.codes);
    hash_json(&mut h, &site.config.languages);
    h.update(names.as_bytes());
    if let Some(map) = &theme.map {
        h.update(map);
    }
    let chart_wide = h.finalize();

    let mut h = blake3::Hasher::new();
    h.update(env!("MPGEN_BUILD_ID").as_bytes());
    h.update(theme.words.as_bytes());
    h.update(data_wide.as_bytes());
    hash_json(&mut h, &site.rcps);
    hash_json(&mut h, &site.reference_year);
    let page_meta: Vec<_> = site
        .pages
        .iter()
        .map(|p| {
            (
                &p.stem,
                &p.lang,
                &p.title,
                &p.description,
                p.weight,
                p.draft,
            )
        })
        .collect();
    hash_json(&mut h, &page_meta);
    h.update(names.as_bytes());
    // Every page's menu links to the corridors when there are any.
    let corridors = crate::model::corridors::exist(site);
    hash_json(&mut h, &corridors);
    let site_wide = site
        .config
        .languages
        .iter()
        .map(|lang| {
            let mut h = h.clone();
            h.update(crate::model::parts::settings_in(&site.config, lang).as_bytes());
            // Pages show indicators' words in their language only.
            h.update(catalogue.all_words(Some(lang)).as_bytes());
            (lang.clone(), h.finalize())
        })
        .collect();

    // The search index: names, labels and words (as charts read them), page titles;
    // no template.
    let mut h = blake3::Hasher::new();
    h.update(chart_wide.as_bytes());
    hash_json(&mut h, &page_meta);
    hash_json(&mut h, &corridors);
    let search_wide = h.finalize();

    let indicators = site
        .indicators
        .keys()
        .zip(&sums.indicators)
        .enumerate()
        .map(|(at, (id, [data, years, tables]))| {
            let hashes = IndicatorHashes {
                at,
                data: data.hash(),
                years: years.hash(),
                tables: tables.hash(),
            };
            (id.clone(), hashes)
        })
        .collect();
    let mut f = Fingerprints {
        catalogue,
        templates: &theme.templates,
        search_wide,
        indicators,
        shares,
        narrative_refs: Default::default(),
        findings: findings_hashes(site),
        site_wide,
        data_wide,
        chart_wide,
    };
    // Texts that read other profiles: few profiles have them.
    f.narrative_refs = shares
        .all()
        .filter(|(_, s)| !s.reads.is_empty())
        .map(|(code, s)| (code, reads_hash(&f, &s.reads)))
        .collect();
    f
}

/// The catalogue cut in two: what it says of each indicator but in words (kind, unit,
/// section, chart, derivation...), and its words (label, definition) in each language,
/// which a page or chart in one language reads in that language only.
struct Catalogue {
    structure: blake3::Hash,
    /// For each indicator, its words in each of the site's languages, in their order.
    words: BTreeMap<String, Vec<blake3::Hash>>,
    languages: Vec<String>,
}

impl Catalogue {
    fn of(site: &Site) -> Catalogue {
        let languages = site.config.languages.clone();
        let dl = &site.config.default_language;
        let mut structure = blake3::Hasher::new();
        let mut words = BTreeMap::new();
        for (key, ind) in &site.indicators {
            crate::model::parts::hash_structure(&mut structure, key, ind);
            let by_lang = languages
                .iter()
                .map(|lang| crate::model::parts::words_in(ind, lang, dl))
                .collect();
            words.insert(key.clone(), by_lang);
        }
        Catalogue {
            structure: structure.finalize(),
            words,
            languages,
        }
    }

    /// The words of the indicators `ids`, in `lang` (`None`: in every language).
    fn words<'i>(&self, ids: impl Iterator<Item = &'i str>, lang: Option<&str>) -> blake3::Hash {
        let at = lang.map(|l| self.languages.iter().position(|x| x == l));
        let mut h = blake3::Hasher::new();
        for id in ids {
            match (self.words.get(id), at) {
                (None, _) | (Some(_), Some(None)) => h.update(b"-"),
                (Some(w), Some(Some(i))) => h.update(w[i].as_bytes()),
                (Some(w), None) => {
                    for x in w {
                        h.update(x.as_bytes());
                    }
                    &mut h
                }
            };
        }
        h.finalize()
    }

    /// Every indicator's words, in `lang` (`None`: in every language).
    fn all_words(&self, lang: Option<&str>) -> blake3::Hash {
        self.words(self.words.keys().map(String::as_str), lang)
    }
}

/// Each profile's key findings, hashed: the facts the data make notable.
fn findings_hashes(site: &Site) -> rustc_hash::FxHashMap<String, blake3::Hash> {
    if site.ranked.is_empty() {
        return Default::default();
    }
    site.findings
        .iter()
        .map(|(code, facts)| {
            let mut h = blake3::Hasher::new();
            hash_json(&mut h, facts);
            (code.clone(), h.finalize())
        })
        .collect()
}

/// What a text's calls read, as one hash.
fn reads_hash(f: &Fingerprints, reads: &[crate::model::calls::Read]) -> blake3::Hash {
    use crate::model::calls::Read;
    let sums = &f.shares.sums;
    let mut h = blake3::Hasher::new();
    for r in reads {
        let part = match r {
            Read::Profile(code) => f.profile(code),
            Read::Table(code, id) => f
                .shares
                .get(code)
                .zip(f.indicators.get(id))
                .map(|(s, i)| s.tables[i.at]),
            Read::Latest(id) => f.indicators.get(id).map(|i| i.data),
            Read::Tables(id) => f.indicators.get(id).map(|i| i.tables),
            Read::Map => Some(f.chart_wide),
            Read::Links => Some(sums.listed.hash()),
        };
        match part {
            Some(x) => h.update(x.as_bytes()),
            None => h.update(b"-"),
        };
    }
    h.finalize()
}

/// What every profile has of one indicator, and only their latest years.
#[derive(Debug, Clone, Copy)]
struct IndicatorHashes {
    /// The indicator's place among the site's indicators (by id): its place in each
    /// profile's share.
    at: usize,
    data: blake3::Hash,
    years: blake3::Hash,
    tables: blake3::Hash,
}

fn fp(parts: &[&[u8]]) -> String {
    let mut h = blake3::Hasher::new();
    for p in parts {
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p);
    }
    crate::output::digest(h.finalize())
}

/// The indicators a chart draws (a `+` joins two).
fn chart_ids(chart: &crate::model::charts::ChartRef) -> impl Iterator<Item = &str> {
    chart.series.iter().flat_map(|s| s.split('+'))
}

/// The language whose words a chart file of `format` in `lang` shows: its metadata
/// and values hold every language's (`None`).
fn words_in(format: ChartFormat, lang: &str) -> Option<&str> {
    match format {
        ChartFormat::Json | ChartFormat::Csv => None,
        ChartFormat::Svg | ChartFormat::Png | ChartFormat::Pdf => Some(lang),
    }
}

/// An output as made with its templates: their hash joins its fingerprint.
fn with_templates(mut o: Output, templates: &BTreeMap<String, blake3::Hash>) -> Output {
    if let Some(t) = o.job.templates_hash(templates) {
        o.fingerprint = fp(&[o.fingerprint.as_bytes(), t.as_bytes()]);
    }
    o
}

/// A group's outputs, made in a fixed order: each slot whose fingerprint is the one
/// the last plan's group held there takes that output again, so a title or label
/// edit, which moves a few outputs of every profile, makes (and hands to the store to
/// compare) only those.
struct Slots<'a> {
    /// The last group's outputs in the order they were made, when it had this shape.
    last: &'a [Arc<Output>],
    made: Vec<Arc<Output>>,
    /// Those not taken from the last group.
    fresh: Vec<Arc<Output>>,
}

impl Slots<'_> {
    /// The next output, by its fingerprint before templates (`templates`: the hash of
    /// those it is made with, `Job::templates_hash`) and, made only when needed, its
    /// path and job.
    fn push(
        &mut self,
        fingerprint: String,
        templates: Option<blake3::Hash>,
        make: impl FnOnce() -> (String, Job),
    ) {
        let fingerprint = match templates {
            Some(t) => fp(&[fingerprint.as_bytes(), t.as_bytes()]),
            None => fingerprint,
        };
        let o = match self.last.get(self.made.len()) {
            Some(o) if o.fingerprint == fingerprint => o.clone(),
            _ => {
                let (path, job) = make();
                let o = Arc::new(Output {
                    path,
                    fingerprint,
                    job,
                });
                self.fresh.push(o.clone());
                o
            }
        };
        self.made.push(o);
    }
}

/// What a group's outputs are, apart from their fingerprints: equal shapes make the
/// same paths and jobs in the same order.
fn group_shape(
    config: &crate::model::Config,
    formats: &[ChartFormat],
    code: &str,
    charts: &[crate::model::charts::ChartRef],
) -> blake3::Hash {
    let mut h = blake3::Hasher::new();
    hash_json(&mut h, &(code, &config.default_language, &config.languages));
    hash_json(
        &mut h,
        &(formats.iter().map(|f| f.ext()).collect::<Vec<_>>(), charts),
    );
    h.finalize()
}

/// Every output of one profile: its pages, its charts in every format and language,
/// their embeds and CSV, and its data files. Outputs whose fingerprints did not move
/// since `last` are taken from it.
fn profile_group(
    site: &Site,
    f: &Fingerprints,
    formats: &[ChartFormat],
    (code, p): (&str, &crate::model::Profile),
    last: Option<&Group>,
) -> (Group, Vec<Arc<Output>>) {
    let config = &site.config;
    let cw = f.chart_wide.as_bytes().as_slice();
    let dw = f.data_wide.as_bytes().as_slice();
    let Some(share) = f.shares.get(code) else {
        return (Group::empty(code), Vec::new());
    };
    let parts = &share.parts;
    let (head, tables) = (parts.head.as_bytes(), parts.tables.as_bytes());
    let chart_head = parts.chart_head.as_bytes();
    // A chart reads the tables of the indicators it draws.
    let chart_tables = |chart: &crate::model::charts::ChartRef| {
        let mut h = blake3::Hasher::new();
        for id in chart_ids(chart) {
            match f.indicators.get(id) {
                Some(i) => h.update(share.tables[i.at].as_bytes()),
                None => h.update(b"-"),
            };
        }
        h.finalize()
    };
    let refs = f.refs(code);
    let code = &code.to_string();
    let charts = crate::model::charts::profile_charts(site, p);
    let shape = group_shape(config, formats, code, &charts);
    let last = last.filter(|g| g.shape == shape);
    let mut slots = Slots {
        last: last.map_or(&[][..], |g| &g.made[..]),
        made: Vec::with_capacity(last.map_or(0, |g| g.made.len())),
        fresh: Vec::new(),
    };
    let (no_lang, no_code) = (String::new(), String::new());
    let page_templates = Job::Profile {
        lang: no_lang.clone(),
        iso3: no_code.clone(),
    }
    .templates_hash(f.templates);
    for lang in &config.languages {
        let text = parts.text(lang);
        let fingerprint = fp(&[
            b"profile",
            lang.as_bytes(),
            f.sw(lang),
            head,
            tables,
            text.as_bytes(),
            refs.as_bytes(),
        ]);
        slots.push(fingerprint, page_templates, || {
            let job = Job::Profile {
                lang: lang.clone(),
                iso3: code.clone(),
            };
            (routes::profile(config, lang, code), job)
        });
    }
    for chart in &charts {
        let id = chart.id.as_bytes();
        let data = chart_tables(chart);
        let data = data.as_bytes();
        let chart_words = |lang| f.catalogue.words(chart_ids(chart), lang);
        let csv = fp(&[
            b"chart.csv",
            cw,
            chart_head,
            data,
            id,
            chart_words(None).as_bytes(),
        ]);
        // Charts and data files are made with no template.
        slots.push(csv, None, || {
            let job = Job::ChartCsv {
                iso3: code.clone(),
                chart: chart.id.clone(),
            };
            (routes::chart_csv(code, &chart.id), job)
        });
        for lang in &config.languages {
            let l = lang.as_bytes();
            // The metadata holds every language's words: one file, at the default
            // language's address.
            let in_lang = formats
                .iter()
                .filter(|f| **f != ChartFormat::Json || *lang == config.default_language);
            for format in in_lang {
                let fingerprint = fp(&[
                    b"chart",
                    format.ext().as_bytes(),
                    l,
                    cw,
                    chart_head,
                    data,
                    id,
                    chart_words(words_in(*format, lang)).as_bytes(),
                ]);
                slots.push(fingerprint, None, || {
                    let job = Job::Chart {
                        lang: lang.clone(),
                        iso3: code.clone(),
                        chart: chart.id.clone(),
                        format: *format,
                    };
                    let path = routes::chart(config, lang, code, &chart.id, format.ext());
                    (path, job)
                });
            }
        }
    }
    // One embed page a language holds every chart of the profile; the address of one
    // chart is the page with the chart's id as its fragment.
    let embed_templates = Job::Embed {
        lang: no_lang,
        iso3: no_code,
    }
    .templates_hash(f.templates);
    for lang in config.languages.iter().filter(|_| !charts.is_empty()) {
        let fingerprint = fp(&[
            b"embed",
            lang.as_bytes(),
            f.sw(lang),
            cw,
            chart_head,
            tables,
        ]);
        slots.push(fingerprint, embed_templates, || {
            let job = Job::Embed {
                lang: lang.clone(),
                iso3: code.clone(),
            };
            (routes::embed(config, lang, code), job)
        });
    }
    for (kind, ext) in [(&b"csv"[..], "csv"), (&b"json"[..], "json")] {
        let fingerprint = fp(&[kind, dw, parts.data_head.as_bytes(), tables]);
        slots.push(fingerprint, None, || {
            let job = if ext == "csv" {
                Job::ProfileCsv { iso3: code.clone() }
            } else {
                Job::ProfileJson { iso3: code.clone() }
            };
            (routes::profile_data(code, ext), job)
        });
    }
    let Slots { made, fresh, .. } = slots;
    // The same shape sorts the same way: the last group's order is taken again.
    let order = match last {
        Some(g) => g.order.clone(),
        None => {
            let mut order: Vec<usize> = (0..made.len()).collect();
            order.sort_by(|&a, &b| made[a].path.cmp(&made[b].path));
            order
        }
    };
    let outputs: Vec<Arc<Output>> = order.iter().map(|&i| made[i].clone()).collect();
    debug_assert!(outputs.iter().all(|o| {
        let code = code.to_ascii_lowercase();
        o.path.split(['/', '.']).any(|seg| seg == code)
    }));
    let pages = made
        .iter()
        .filter(|o| matches!(o.job, Job::Profile { .. }))
        .map(|o| o.path.clone())
        .collect();
    let group = Group {
        code: code.clone(),
        outputs,
        pages,
        shape,
        made,
        order,
    };
    (group, fresh)
}

impl Group {
    /// The group of a profile with no share, which planning never makes.
    fn empty(code: &str) -> Group {
        Group {
            code: code.to_string(),
            outputs: Vec::new(),
            pages: Vec::new(),
            shape: blake3::Hash::from_bytes([0; 32]),
            made: Vec::new(),
            order: Vec::new(),
        }
    }
}

/// Lists every output of the site with its fingerprint.
pub fn plan(site: &Site, theme: &ThemeParts) -> Plan {
    plan_cached(site, theme, &mut Cache::default())
}

/// Lists every output of the site, taking each profile's outputs from `cache` when
/// nothing they depend on moved.
pub fn plan_cached(site: &Site, theme: &ThemeParts, cache: &mut Cache) -> Plan {
    let theme_static = &theme.static_files;
    let f = fingerprints(site, theme, &mut cache.shares);
    let config = &site.config;
    let mut outputs = Vec::new();
    let mut html_pages = Vec::new();
    // Charts: every format of every chart of every profile, in every language.
    let cw = f.chart_wide.as_bytes().as_slice();
    let mut formats = vec![ChartFormat::Svg, ChartFormat::Json];
    for (name, format) in [("png", ChartFormat::Png), ("pdf", ChartFormat::Pdf)] {
        if config.charts.formats.iter().any(|f| f == name) {
            formats.push(format);
        }
    }

    // Each profile's outputs, planned again only when what they depend on moved.
    let wide = {
        let mut h = blake3::Hasher::new();
        for (_, part) in &f.site_wide {
            h.update(part.as_bytes());
        }
        for part in [&f.chart_wide, &f.data_wide] {
            h.update(part.as_bytes());
        }
        for format in &formats {
            h.update(format.ext().as_bytes());
        }
        // The templates of a profile's pages.
        let (lang, iso3) = (String::new(), String::new());
        for job in [
            Job::Profile { lang, iso3 },
            Job::Embed {
                lang: String::new(),
                iso3: String::new(),
            },
        ] {
            if let Some(t) = job.templates_hash(f.templates) {
                h.update(t.as_bytes());
            }
        }
        h.finalize()
    };
    // Each profile's group as kept (`None`: to plan again, from its last group), in
    // the order of profiles.
    let mut kept: Vec<Option<Arc<Group>>> = Vec::with_capacity(site.profiles.len());
    type Stale<'s> = (
        &'s String,
        &'s Arc<crate::model::Profile>,
        GroupKey,
        Option<Arc<Group>>,
    );
    let mut stale: Vec<Stale> = Vec::new();
    for (code, p) in &site.profiles {
        let Some(profile) = f.profile(code) else {
            continue;
        };
        let key = GroupKey {
            wide,
            profile,
            refs: f.refs(code),
        };
        match cache.groups.get(code) {
            Some((k, g)) if *k == key => kept.push(Some(g.clone())),
            last => {
                kept.push(None);
                stale.push((code, p, key, last.map(|(_, g)| g.clone())));
            }
        }
    }
    let made: Vec<(Arc<Group>, Vec<Arc<Output>>)> = {
        use rayon::prelude::*;
        stale
            .par_iter()
            .map(|(code, p, _, last)| {
                let (group, fresh) = profile_group(site, &f, &formats, (code, p), last.as_deref());
                (Arc::new(group), fresh)
            })
            .collect()
    };
    let mut fresh: Vec<Arc<Output>> = Vec::new();
    let mut made = stale.into_iter().zip(made);
    let mut groups: Vec<Arc<Group>> = Vec::with_capacity(kept.len());
    for g in kept {
        let group = match g {
            Some(g) => g,
            None => {
                let Some(((code, _, key, _), (group, new))) = made.next() else {
                    continue;
                };
                fresh.extend(new);
                cache.groups.insert(code.clone(), (key, group.clone()));
                group
            }
        };
        groups.push(group);
    }
    if cache.groups.len() > site.profiles.len() {
        cache
            .groups
            .retain(|code, _| site.profiles.contains_key(code));
    }
    for g in &groups {
        html_pages.extend(g.pages.iter().cloned());
    }

    let no_failed = std::collections::BTreeSet::new();
    let scope = crate::model::calls::Scope {
        indicators: &site.indicators,
        profiles: &site.profiles,
        failed: &no_failed,
        current: None,
    };
    // Each content page as a language shows it (`Site::pages_in`, the renderer's
    // choice too), and what its calls read.
    // Once a page file: a language without its own text shows another's.
    // (By address: `Site::pages_in` gives the very pages of `site.pages`.)
    let page_data: HashMap<*const crate::model::Page, blake3::Hash> = site
        .pages
        .iter()
        .map(|p| {
            let mut h = blake3::Hasher::new();
            hash_json(&mut h, p);
            let reads: Vec<_> = crate::model::calls::resolved(&p.body, &scope)
                .iter()
                .flat_map(|(_, kind)| crate::model::calls::reads(kind, &site.indicators))
                .collect();
            h.update(reads_hash(&f, &reads).as_bytes());
            (std::ptr::from_ref(p), h.finalize())
        })
        .collect();
    let page_data = |p: &crate::model::Page| {
        page_data
            .get(&std::ptr::from_ref(p))
            .copied()
            .unwrap_or_else(|| blake3::hash(b""))
    };
    // The home page shows each profile's name, region and key figures, and the first
    // world map: not every value, so an edit elsewhere in a profile leaves it alone.
    let home = {
        let mut h = blake3::Hasher::new();
        h.update(f.shares.sums.home.hash().as_bytes());
        h.update(f.chart_wide.as_bytes());
        if let Some(map) = crate::model::charts::map_indicators(site)
            .first()
            .and_then(|ind| f.indicators.get(&ind.id))
        {
            h.update(map.data.as_bytes());
        }
        h.finalize()
    };
    for lang in &config.languages {
        let l = lang.as_bytes();
        let path = routes::home(config, lang);
        html_pages.push(path.clone());
        outputs.push(Output {
            fingerprint: fp(&[b"home", l, f.sw(lang), home.as_bytes()]),
            path,
            job: Job::Home { lang: lang.clone() },
        });

        for page in site.pages_in(lang) {
            let path = routes::content(config, lang, &page.stem);
            html_pages.push(path.clone());
            outputs.push(Output {
                fingerprint: fp(&[b"content", l, f.sw(lang), page_data(page).as_bytes()]),
                path,
                job: Job::Content {
                    lang: lang.clone(),
                    stem: page.stem.clone(),
                    template: page.template.clone(),
                },
            });
        }

        outputs.push(Output {
            fingerprint: fp(&[b"404", l, f.sw(lang)]),
            path: routes::not_found(config, lang),
            job: Job::NotFound { lang: lang.clone() },
        });
    }

    // Across countries: each indicator's page, the list, the data gaps.
    // The list shows how many profiles have each indicator; the data gaps, each core
    // indicator's latest year in each profile: latest years are all they read.
    let years_of = |core_only: bool| {
        let mut h = blake3::Hasher::new();
        for ind in site.indicators.values().filter(|i| i.core || !core_only) {
            h.update(ind.id.as_bytes());
            h.update(f.indicators[&ind.id].years.as_bytes());
        }
        h.finalize()
    };
    let (all_indicators, core) = (years_of(false), years_of(true));
    // The largest corridors: their list, and the pages of the indicators they come from.
    // Worked out again only when a partners table of a flow indicator, an agreement or
    // the number of corridors changed (at 1,000 profiles it is most of a plan).
    let corridors_key = {
        let mut h = blake3::Hasher::new();
        h.update(&config.corridors.to_le_bytes());
        let flows: Vec<&str> = site
            .indicators
            .values()
            .filter(|i| i.kind == "partners" && i.flow.is_some())
            .map(|i| i.id.as_str())
            .collect();
        hash_json(&mut h, &flows);
        h.update(f.shares.sums.corridors.hash().as_bytes());
        h.finalize()
    };
    let (top, list_hash) = match &cache.corridors {
        Some((key, top, list_hash)) if *key == corridors_key => (top.clone(), *list_hash),
        _ => {
            let top = Arc::new(crate::model::corridors::largest(
                site,
                config.corridors as usize,
            ));
            let mut h = blake3::Hasher::new();
            hash_json(&mut h, &*top);
            (top, h.finalize())
        }
    };
    cache.corridors = Some((corridors_key, top.clone(), list_hash));
    for lang in &config.languages {
        let l = lang.as_bytes();
        for ind in site.indicators_in_order() {
            let path = routes::indicator(config, lang, &ind.id);
            html_pages.push(path.clone());
            outputs.push(Output {
                fingerprint: fp(&[
                    b"indicator",
                    l,
                    f.sw(lang),
                    cw,
                    ind.id.as_bytes(),
                    f.indicators[&ind.id].data.as_bytes(),
                    if ind.flow.is_some() {
                        list_hash.as_bytes()
                    } else {
                        b""
                    },
                ]),
                path,
                job: Job::Indicator {
                    lang: lang.clone(),
                    id: ind.id.clone(),
                    corridors: ind.flow.is_some().then(|| top.clone()),
                },
            });
            // The page's bars of its largest values: its data, names and chart words,
            // no template.
            let ranked = config.charts.enabled
                && site
                    .profiles
                    .values()
                    .any(|p| crate::model::latest_value(p, &ind.id).is_some());
            if ranked {
                outputs.push(Output {
                    fingerprint: fp(&[
                        b"ranking",
                        l,
                        cw,
                        ind.id.as_bytes(),
                        f.indicators[&ind.id].data.as_bytes(),
                        f.catalogue
                            .words([ind.id.as_str()].into_iter(), Some(lang))
                            .as_bytes(),
                    ]),
                    path: routes::ranking(config, lang, &ind.id),
                    job: Job::Ranking {
                        lang: lang.clone(),
                        indicator: ind.id.clone(),
                    },
                });
            }
        }
        for (name, path, job, data) in [
            (
                b"indicators".as_slice(),
                routes::indicators(config, lang),
                Job::Indicators { lang: lang.clone() },
                all_indicators,
            ),
            (
                b"data-gaps".as_slice(),
                routes::data_gaps(config, lang),
                Job::DataGaps { lang: lang.clone() },
                core,
            ),
        ] {
            html_pages.push(path.clone());
            outputs.push(Output {
                fingerprint: fp(&[name, l, f.sw(lang), data.as_bytes()]),
                path,
                job,
            });
        }
    }

    // Partnerships: every profile's agreements and memberships. An RCP's page: its
    // members, their key figures (their core indicators' latest values) and agreements.
    let all_links = f.shares.sums.links.hash();
    for lang in &config.languages {
        let path = routes::partnerships(config, lang);
        html_pages.push(path.clone());
        outputs.push(Output {
            fingerprint: fp(&[
                b"partnerships",
                lang.as_bytes(),
                f.sw(lang),
                all_links.as_bytes(),
            ]),
            path,
            job: Job::Partnerships { lang: lang.clone() },
        });
    }
    for rcp in site.rcps.keys() {
        let members = f.shares.sums.rcps.get(rcp).copied().unwrap_or_default();
        let data = members.hash();
        for lang in &config.languages {
            let path = routes::rcp(config, lang, rcp);
            html_pages.push(path.clone());
            outputs.push(Output {
                fingerprint: fp(&[
                    b"rcp",
                    lang.as_bytes(),
                    f.sw(lang),
                    rcp.as_bytes(),
                    data.as_bytes(),
                ]),
                path,
                job: Job::Rcp {
                    lang: lang.clone(),
                    id: rcp.clone(),
                },
            });
        }
    }

    // Corridors: each page shows its own pair's figures; the list, the largest ones.
    if !top.is_empty() {
        let list = top;
        for lang in &config.languages {
            let path = routes::corridors(config, lang);
            html_pages.push(path.clone());
            outputs.push(Output {
                fingerprint: fp(&[
                    b"corridors",
                    lang.as_bytes(),
                    f.sw(lang),
                    list_hash.as_bytes(),
                ]),
                path,
                job: Job::Corridors {
                    lang: lang.clone(),
                    list: list.clone(),
                },
            });
        }
        for c in list.iter() {
            let mut h = blake3::Hasher::new();
            hash_json(&mut h, c);
            let data = h.finalize();
            let c = Arc::new(c.clone());
            for lang in &config.languages {
                let path = routes::corridor(config, lang, &c.slug());
                html_pages.push(path.clone());
                outputs.push(Output {
                    fingerprint: fp(&[b"corridor", lang.as_bytes(), f.sw(lang), data.as_bytes()]),
                    path,
                    job: Job::Corridor {
                        lang: lang.clone(),
                        corridor: c.clone(),
                    },
                });
            }
        }
    }

    // World maps: every profile's latest value of their indicator. Those the home page
    // may show come in every format; the others, shown on their indicator's page, as
    // the SVG the page shows.
    let on_home = crate::model::charts::map_indicators(site);
    let series = site
        .indicators_in_order()
        .filter(|i| config.charts.enabled && i.kind == "series");
    for ind in series {
        let home = on_home.iter().any(|h| h.id == ind.id);
        for lang in &config.languages {
            // The values are language-neutral: one CSV, beside the default language's map.
            let csv = (home && *lang == config.default_language).then_some(ChartFormat::Csv);
            let all = if home {
                &formats[..]
            } else {
                &[ChartFormat::Svg][..]
            };
            for format in all.iter().chain(csv.iter()) {
                outputs.push(Output {
                    fingerprint: fp(&[
                        b"world",
                        format.ext().as_bytes(),
                        lang.as_bytes(),
                        cw,
                        f.indicators[&ind.id].data.as_bytes(),
                        ind.id.as_bytes(),
                        f.catalogue
                            .words([ind.id.as_str()].into_iter(), words_in(*format, lang))
                            .as_bytes(),
                    ]),
                    path: routes::world_map(config, lang, &ind.id, format.ext()),
                    job: Job::WorldMap {
                        lang: lang.clone(),
                        indicator: ind.id.clone(),
                        format: *format,
                    },
                });
            }
        }
    }

    let dw = f.data_wide.as_bytes().as_slice();
    outputs.push(Output {
        fingerprint: fp(&[b"all.csv", dw, f.shares.sums.profiles.hash().as_bytes()]),
        path: routes::ALL_CSV.to_string(),
        job: Job::AllCsv,
    });

    html_pages.sort();
    let mut h = blake3::Hasher::new();
    hash_json(&mut h, &config.base_url);
    hash_json(&mut h, &html_pages);
    outputs.push(Output {
        fingerprint: fp(&[b"sitemap", h.finalize().as_bytes()]),
        path: "sitemap.xml".into(),
        job: Job::Sitemap { pages: html_pages },
    });
    for lang in &config.languages {
        outputs.push(Output {
            fingerprint: fp(&[
                b"search",
                lang.as_bytes(),
                f.search_wide.as_bytes(),
                // Indicators are found by their names in every language.
                f.catalogue.all_words(None).as_bytes(),
            ]),
            path: routes::search_index(config, lang),
            job: Job::SearchIndex { lang: lang.clone() },
        });
    }
    outputs.push(Output {
        fingerprint: fp(&[b"robots", config.base_url.as_bytes()]),
        path: "robots.txt".into(),
        job: Job::Robots,
    });

    // The chart font, served to browsers so inline SVG looks like the PNG: the very
    // bytes the charts are laid out with. Then theme static files, then the site's own
    // `static/` files, each winning over the one before.
    static FONTS: std::sync::OnceLock<[Arc<[u8]>; 2]> = std::sync::OnceLock::new();
    let [regular, bold] = FONTS
        .get_or_init(|| {
            [
                Arc::from(dejavu::sans::regular()),
                Arc::from(dejavu::sans::bold()),
            ]
        })
        .clone();
    let mut copies: BTreeMap<String, Arc<[u8]>> = BTreeMap::new();
    copies.insert("fonts/DejaVuSans.ttf".into(), regular);
    copies.insert("fonts/DejaVuSans-Bold.ttf".into(), bold);
    for (rel, bytes) in theme_static.iter().chain(site.static_files.iter()) {
        copies.insert(rel.clone(), bytes.clone());
    }
    // A profile's outputs all name its code in their path (`charts/mex/..`,
    // `data/mex.csv`), so only those groups can hold a copy's path.
    let taken = |rel: &str| {
        outputs.iter().any(|o: &Output| o.path == rel)
            || rel.split(['/', '.']).any(|seg| {
                let code = seg.to_ascii_uppercase();
                groups
                    .binary_search_by(|g| g.code.as_str().cmp(&code))
                    .is_ok_and(|i| {
                        groups[i]
                            .outputs
                            .binary_search_by(|o| o.path.as_str().cmp(rel))
                            .is_ok()
                    })
            })
    };
    let copies: Vec<(String, Arc<[u8]>)> =
        copies.into_iter().filter(|(rel, _)| !taken(rel)).collect();
    let mut hashed = HashMap::new();
    for (rel, bytes) in copies {
        let at = bytes.as_ptr() as usize;
        let fingerprint = match cache.copies.get(&at) {
            Some((held, f)) if held.len() == bytes.len() => f.clone(),
            _ => fp(&[b"copy", &bytes]),
        };
        hashed.insert(at, (bytes.clone(), fingerprint.clone()));
        outputs.push(Output {
            fingerprint,
            path: rel,
            job: Job::Copy { bytes },
        });
    }
    cache.copies = hashed;

    let mut outputs: Vec<Output> = outputs
        .into_iter()
        .map(|o| with_templates(o, &theme.templates))
        .collect();
    outputs.sort_by(|a, b| a.path.cmp(&b.path));
    outputs.dedup_by(|a, b| a.path == b.path);
    let site_wide: Vec<Arc<Output>> = outputs.into_iter().map(Arc::new).collect();
    fresh.extend(site_wide.iter().cloned());
    let len = site_wide.len() + groups.iter().map(|g| g.outputs.len()).sum::<usize>();
    Plan {
        site_wide,
        groups,
        len,
        fresh,
        index: Default::default(),
    }
}

/// The outputs whose fingerprint differs from the last build's (or that are new).
pub fn dirty<'p>(plan: &'p Plan, previous: &BTreeMap<String, String>) -> Vec<&'p Output> {
    plan.outputs()
        .filter(|o| previous.get(&o.path) != Some(&o.fingerprint))
        .collect()
}
