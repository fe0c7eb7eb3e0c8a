//! CHECK: raw parsed files in, the validated `Site` out.
//!
//! Every rule of the format spec lives here (or in a submodule), and every problem is
//! collected as a `Diagnostic` rather than stopping at the first. Derived series and data
//! gaps are computed here too, so no later stage can fail on input.

pub mod calls;
mod catalogue;
pub use catalogue::is_base_url;
pub mod charts;
pub mod corridors;
mod derive;
pub mod findings;
pub mod hosts;
mod links;
pub mod partnerships;
pub mod parts;
pub mod phrases;
mod profile;
pub mod regions;
mod sentences;
pub mod translations;
mod typed;
pub mod vocab;

pub use catalogue::{check_rcps, check_sources};
pub use derive::{Latest, latest_value};
pub use profile::{Ctx as ProfileCtx, check as check_profile};

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::diagnostics::{Diagnostic, SourceTexts};
use crate::load::Loaded;
use crate::load::profile::RawProfile;
use crate::load::theme::ThemeFiles;
use crate::load::toml_reader::Localized;

pub use catalogue::{check_config, check_indicators};
/// The bounds the check holds numbers to, which `schema` states too.
pub mod limits {
    pub use super::catalogue::{
        MAX_CHART_SIDE, MAX_CORRIDORS, MAX_LANGUAGES, MAX_PNG_SCALE, MAX_STALE_AFTER,
        MAX_TOP_PARTNERS,
    };
    pub use super::profile::{MAX_CHARTS, MAX_VALUE};
}

/// A text given once for all languages, or by language.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Text {
    /// `""` holds a text given once for every language.
    pub by_lang: BTreeMap<String, String>,
}

impl Text {
    pub fn plain(s: &str) -> Self {
        let mut by_lang = BTreeMap::new();
        by_lang.insert(String::new(), s.to_string());
        Text { by_lang }
    }

    pub fn from_raw(raw: &Localized) -> Self {
        match raw {
            Localized::One(s) => Text::plain(s),
            Localized::ByLang(items) => Text {
                by_lang: items
                    .iter()
                    .map(|(l, s)| (l.value.clone(), s.clone()))
                    .collect(),
            },
        }
    }

    /// The text in `lang`, else the language-neutral one, else the default language's,
    /// else any: a page is never left without a label.
    pub fn get(&self, lang: &str, default_lang: &str) -> &str {
        self.lookup(lang, default_lang).map_or("", |(_, s)| s)
    }

    /// Like `get`, also telling which language the text is in (`""` when neutral).
    pub fn lookup(&self, lang: &str, default_lang: &str) -> Option<(&str, &str)> {
        [lang, "", default_lang]
            .iter()
            .find_map(|l| self.by_lang.get_key_value(*l))
            .or_else(|| self.by_lang.iter().next())
            .map(|(l, s)| (l.as_str(), s.as_str()))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChartStyle {
    pub width: u32,
    pub height: u32,
    pub palette: Vec<String>,
    pub formats: Vec<String>,
    pub png_scale: f64,
    pub top_partners: u32,
    /// False for `build --no-charts`: pages and outputs leave charts out.
    pub enabled: bool,
}

impl ChartStyle {
    /// How many pixels a PNG of a chart of this size has at `scale` PNG pixels per CSS
    /// pixel: what every bound on a picture's memory is judged by.
    pub fn png_pixels(&self, scale: f64) -> f64 {
        f64::from(self.width) * f64::from(self.height) * scale * scale
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Config {
    pub title: Text,
    pub base_url: String,
    pub default_language: String,
    /// The default language first, then the others in the order given.
    pub languages: Vec<String>,
    pub theme: String,
    pub allow_raw_html: bool,
    pub stale_after_years: i32,
    pub reference_year: Option<i32>,
    pub codes: BTreeMap<String, String>,
    pub sections: Vec<String>,
    /// language -> section id -> label
    pub section_labels: BTreeMap<String, BTreeMap<String, String>>,
    pub charts: ChartStyle,
    /// How many bilateral corridors get a page, largest first.
    pub corridors: u32,
    /// The host the site is published on (`[publish] host`), whose limits the build
    /// checks; `None`: every common host's.
    pub publish: Option<String>,
}

impl Config {
    /// "the languages of site.toml are `en`, `fr` or `es`": the hint for a wrong language.
    pub fn languages_hint(&self) -> String {
        let langs: Vec<&str> = self.languages.iter().map(String::as_str).collect();
        format!(
            "the languages of site.toml are {}",
            crate::diagnostics::one_of(&langs)
        )
    }

    pub fn section_label(&self, lang: &str, id: &str) -> String {
        [lang, self.default_language.as_str()]
            .iter()
            .find_map(|l| self.section_labels.get(*l).and_then(|m| m.get(id)))
            .cloned()
            .unwrap_or_else(|| id.replace('_', " "))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Derive {
    Ratio {
        numerator: String,
        denominator: String,
        scale: f64,
    },
    Sum(Vec<String>),
}

impl Derive {
    pub fn operands(&self) -> Vec<&str> {
        match self {
            Derive::Ratio {
                numerator,
                denominator,
                ..
            } => vec![numerator, denominator],
            Derive::Sum(ops) => ops.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    pub id: String,
    /// series | partners | age_sex
    pub kind: String,
    pub unit: String,
    pub signed: bool,
    pub section: String,
    pub chart: String,
    pub core: bool,
    pub label: Text,
    pub definition: Option<Text>,
    pub default_source: Option<String>,
    pub derive: Option<Derive>,
    pub wdi_code: Option<String>,
    /// Codes of the measures `import` brings into this indicator (besides `wdi_code`).
    pub import_codes: Vec<String>,
    /// For a partners indicator: `in` when its values are people from each partner
    /// living in the country, `out` when they are people of the country living in each
    /// partner. Corridors pair the two.
    pub flow: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Source {
    pub id: String,
    pub title: String,
    pub publisher: Option<String>,
    pub url: Option<String>,
    pub year: Option<i64>,
    pub edition: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rcp {
    pub id: String,
    pub name: Text,
    pub kind: String,
    pub founded: Option<i64>,
    pub url: Option<String>,
}

/// One year of a series. The `estimated` flag covers the year's total, female, male,
/// low and high alike.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    pub value: f64,
    pub female: Option<f64>,
    pub male: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub estimated: bool,
    pub derived: bool,
}

impl Point {
    /// A value as given: no split by sex, no range, neither estimated nor derived.
    pub fn of(value: f64) -> Self {
        Point {
            value,
            female: None,
            male: None,
            low: None,
            high: None,
            estimated: false,
            derived: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    /// The source id; for a series derived in full, the operands' sources joined by `+`.
    pub source: String,
    pub note: Option<String>,
    pub method: Option<String>,
    pub points: BTreeMap<i32, Point>,
}

impl Source {
    /// "International Migrant Stock 2024, 2024 revision": how a page cites it.
    pub fn cited(&self) -> String {
        match &self.edition {
            Some(e) => format!("{}, {e}", self.title),
            None => self.title.clone(),
        }
    }
}

impl Series {
    pub fn latest(&self) -> Option<(i32, &Point)> {
        self.points.iter().next_back().map(|(y, p)| (*y, p))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Partners {
    pub source: String,
    pub note: Option<String>,
    pub year: i32,
    /// Largest first; ties by code, so the order never depends on the file.
    pub values: Vec<(String, f64)>,
    pub other: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgeSex {
    pub source: String,
    pub note: Option<String>,
    pub year: i32,
    pub groups: Vec<String>,
    pub female: Vec<f64>,
    pub male: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    pub id: Option<String>,
    pub title: String,
    pub partners: Vec<String>,
    pub parties: Vec<String>,
    pub kind: String,
    pub topics: Vec<String>,
    pub signed: Option<i32>,
    pub status: Option<String>,
    pub url: Option<String>,
    pub summary: Option<String>,
    /// A bilateral agreement whose partner has a profile that does not list it.
    pub one_sided: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Policy {
    pub title: String,
    pub year: Option<i32>,
    pub kind: String,
    pub topics: Vec<String>,
    pub url: Option<String>,
    pub summary: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Climate {
    pub napa: Option<bool>,
    pub napa_mentions_migration: Option<bool>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomChart {
    pub id: String,
    pub kind: String,
    pub series: Vec<String>,
    pub title: Option<Text>,
    pub section: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GapStatus {
    Missing,
    Stale,
}

/// A core indicator that a profile lacks, or has only in old data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    pub indicator: String,
    pub status: GapStatus,
    pub latest_year: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    pub iso3: String,
    pub file: String,
    pub name: Text,
    pub region: String,
    pub subregion: Option<String>,
    pub roles: Vec<String>,
    pub updated: Option<String>,
    pub maintainer: Option<String>,
    pub rcps: Vec<String>,
    pub summary: Option<String>,
    pub sources: BTreeMap<String, Source>,
    pub series: BTreeMap<String, Series>,
    pub partners: BTreeMap<String, Partners>,
    pub age_sex: BTreeMap<String, AgeSex>,
    pub agreements: Vec<Agreement>,
    pub policies: Vec<Policy>,
    pub climate: Option<Climate>,
    pub gaps_notes: Option<String>,
    /// section -> language -> Markdown
    pub narrative: BTreeMap<String, BTreeMap<String, String>>,
    pub charts: Vec<CustomChart>,
    pub gaps: Vec<Gap>,
    /// blake3 of the profile's file: see `RawProfile::text_hash`.
    pub text_hash: String,
}

impl Profile {
    /// The narrative a page in `lang` shows for a section, with the language it is
    /// written in: the page's own, else the default language's, else the first there is.
    pub fn narrative_in<'a>(
        &'a self,
        section: &str,
        lang: &'a str,
        default: &'a str,
    ) -> Option<(&'a str, &'a String)> {
        let by_lang = self.narrative.get(section)?;
        by_lang
            .get(lang)
            .map(|t| (lang, t))
            .or_else(|| by_lang.get(default).map(|t| (default, t)))
            .or_else(|| by_lang.iter().next().map(|(l, t)| (l.as_str(), t)))
    }

    /// A source by id: the profile's own first, then the site's.
    pub fn source<'a>(&'a self, site: &'a Site, id: &str) -> Option<&'a Source> {
        self.sources.get(id).or_else(|| site.sources.get(id))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page {
    pub file: String,
    /// Path under `content/` without extension or language: `themes/labour`.
    pub stem: String,
    pub lang: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub template: String,
    pub weight: i64,
    pub draft: bool,
    pub body: String,
}

/// The validated site: everything a page, chart or data file is made from.
#[derive(Debug, Clone)]
pub struct Site {
    pub config: Config,
    pub indicators: BTreeMap<String, Indicator>,
    /// Indicator ids in the order of indicators.toml: the order of tables on a page.
    pub indicator_order: Vec<String>,
    pub sources: BTreeMap<String, Source>,
    pub rcps: BTreeMap<String, Rcp>,
    pub profiles: BTreeMap<String, Arc<Profile>>,
    pub pages: Vec<Page>,
    pub theme: ThemeFiles,
    pub static_files: Vec<(String, Arc<[u8]>)>,
    /// The year data gaps are measured from: `reference_year`, else the latest data year.
    pub reference_year: i32,
    /// The theme's phrases for texts written from the data, by language.
    pub phrases: BTreeMap<String, Arc<phrases::Phrases>>,
    /// The indicators key findings rank profiles by (every language's, in order).
    pub ranked: Vec<String>,
    /// Each profile's key findings, most notable first.
    pub findings: BTreeMap<String, Arc<[findings::Fact]>>,
}

impl Site {
    /// The content pages a language shows, one per stem (the page written in the
    /// language, else the one for every language, else another's), by weight.
    pub fn pages_in(&self, lang: &str) -> Vec<&Page> {
        let mut by_stem: BTreeMap<&str, &Page> = BTreeMap::new();
        // Drafts are removed by the pipeline unless `--drafts` asks for them.
        for p in &self.pages {
            let rank = |p: &Page| match &p.lang {
                Some(l) if l == lang => 0,
                None => 1,
                Some(_) => 2,
            };
            match by_stem.get(p.stem.as_str()) {
                Some(best) if rank(best) <= rank(p) => {}
                _ => {
                    by_stem.insert(&p.stem, p);
                }
            }
        }
        let mut pages: Vec<&Page> = by_stem.into_values().collect();
        pages.sort_by(|a, b| (a.weight, &a.stem).cmp(&(b.weight, &b.stem)));
        pages
    }

    pub fn indicators_in_order(&self) -> impl Iterator<Item = &Indicator> {
        self.indicator_order
            .iter()
            .filter_map(|id| self.indicators.get(id))
    }

    /// A country or area name for a code: a profile's name, a `[codes]` name, or the
    /// ISO 3166 name.
    pub fn country_name(&self, code: &str, lang: &str) -> String {
        if let Some(p) = self.profiles.get(code) {
            return p.name.get(lang, &self.config.default_language).to_string();
        }
        if let Some(n) = self.config.codes.get(code) {
            return n.clone();
        }
        if let Some(place) = crate::places::get(code).filter(|p| !p.name(lang).is_empty()) {
            return place.name(lang).to_string();
        }
        rust_iso3166::from_alpha3(code).map_or_else(|| code.to_string(), |c| c.name.to_string())
    }
}

/// The outcome of checking: the site when there are no errors, and every diagnostic.
pub struct Checked {
    pub site: Option<Site>,
    pub diags: Vec<Diagnostic>,
    pub texts: SourceTexts,
}

/// Each profile's check, kept between builds by its file and everything else it reads.
#[derive(Default)]
pub struct Cache {
    /// Everything a profile's check reads besides its own file: checks made under
    /// another are made again.
    ctx: Option<blake3::Hash>,
    /// By file: the parsed file checked (held, so that its address stays its own and
    /// a parse of the file is the same one when its address is), and the check.
    checked: rustc_hash::FxHashMap<String, (Arc<RawProfile>, Arc<Checked1>)>,
    /// The theme's phrases as last checked, under the hash of their files and of the
    /// settings and catalogue they are checked against.
    phrases: Option<(blake3::Hash, PhrasesChecked)>,
    findings: findings::Held,
    calls: calls::Parses,
}

/// The theme's phrases by language, and what their check said.
type PhrasesChecked = (BTreeMap<String, Arc<phrases::Phrases>>, Vec<Diagnostic>);

/// One profile, checked and with its derived series.
struct Checked1 {
    profile: Option<Profile>,
    diags: Vec<Diagnostic>,
    /// Numbers its hand narratives type that drift from its tables: warnings given
    /// only when the profile's own checks pass.
    typed: Vec<Diagnostic>,
    latest: Option<i32>,
    /// The profile with its data gaps and their warnings, for a reference year.
    gaps: std::sync::Mutex<Option<WithGaps>>,
}

/// (reference year and the catalogue's labels, the profile with its gaps, the gaps'
/// warnings)
type WithGaps = ((i32, blake3::Hash), Arc<Profile>, Vec<Diagnostic>);

/// Checks everything that was loaded and builds the `Site`.
pub fn check(loaded: Loaded) -> Checked {
    check_cached(loaded, &mut Cache::default())
}

/// Checks everything that was loaded, reusing each profile's check from `cache` when
/// its file and the catalogue it is checked against have not changed.
pub fn check_cached(loaded: Loaded, cache: &mut Cache) -> Checked {
    let Loaded {
        config,
        indicators,
        sources,
        rcps,
        profiles,
        pages,
        theme,
        static_files,
        texts,
        mut diags,
    } = loaded;

    let config = check_config(config.as_ref(), &mut diags);
    let site_sources = catalogue::check_sources(&sources, "sources.toml", &mut diags);
    let rcps = catalogue::check_rcps(&rcps, &mut diags);
    let raw_indicators = indicators;
    let indicators = check_indicators(&raw_indicators, &config, &site_sources, &mut diags);

    let ctx = profile::Ctx {
        config: &config,
        indicators: &indicators,
        sources: &site_sources,
        rcps: &rcps,
    };
    // Everything a profile's check reads besides its own file: not the words of the
    // settings and catalogue, so a title or label edit checks no profile again.
    let ctx_key = parts::check_context(&config, &indicators, &site_sources, &rcps);
    // The data-gap warnings name the indicators by their labels.
    let labels_key = parts::labels(&indicators);
    if cache.ctx != Some(ctx_key) {
        cache.checked.clear();
        cache.ctx = Some(ctx_key);
    }
    // The checks kept (`None`: to check), in the order of profiles; then those to
    // make, in parallel.
    let kept: Vec<Option<Arc<Checked1>>> = profiles
        .iter()
        .map(|raw| match cache.checked.get(&raw.file) {
            Some((held, c)) if Arc::ptr_eq(held, raw) => Some(c.clone()),
            _ => None,
        })
        .collect();
    let made: Vec<(&Arc<RawProfile>, Arc<Checked1>)> = {
        use rayon::prelude::*;
        profiles
            .par_iter()
            .zip(&kept)
            .filter(|(_, k)| k.is_none())
            .map(|(raw, _)| {
                let mut d = Vec::new();
                let profile = profile::check(raw, &ctx, &mut d).map(|mut p| {
                    derive::derive_series(&mut p, &indicators);
                    p
                });
                let typed = match &profile {
                    Some(p) if !d.iter().any(Diagnostic::is_error) => {
                        typed::check(raw, p, &indicators, texts.get(&raw.file).unwrap_or(""))
                    }
                    _ => Vec::new(),
                };
                let checked = Arc::new(Checked1 {
                    latest: profile.as_ref().and_then(latest_year),
                    profile,
                    diags: d,
                    typed,
                    gaps: Default::default(),
                });
                (raw, checked)
            })
            .collect()
    };
    for (raw, c) in &made {
        cache
            .checked
            .insert(raw.file.clone(), ((*raw).clone(), c.clone()));
    }
    if cache.checked.len() > profiles.len() {
        let files: std::collections::HashSet<&str> =
            profiles.iter().map(|r| r.file.as_str()).collect();
        cache
            .checked
            .retain(|file, _| files.contains(file.as_str()));
    }
    let mut made = made.into_iter().map(|(_, c)| c);
    let checked: Vec<Arc<Checked1>> = kept
        .into_iter()
        .filter_map(|k| k.or_else(|| made.next()))
        .collect();
    let mut failed: std::collections::HashSet<String> = diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.file.clone())
        .collect();
    for c in &checked {
        diags.extend(c.diags.iter().cloned());
        failed.extend(
            c.diags
                .iter()
                .filter(|d| d.is_error())
                .map(|d| d.file.clone()),
        );
    }
    let reference_year = config.reference_year.unwrap_or_else(|| {
        checked
            .iter()
            .filter_map(|c| c.latest)
            .max()
            .unwrap_or(2024)
    });
    // Each profile with its data gaps, in parallel: a profile is copied to hold them.
    let with_gaps: Vec<(Arc<Profile>, Vec<Diagnostic>)> = {
        use rayon::prelude::*;
        checked
            .par_iter()
            .filter_map(|c| {
                // A profile with problems in its own file (a misspelled `values`, say) is
                // left out, so it causes no second round of warnings about missing data.
                let p = c.profile.as_ref()?;
                if failed.contains(&p.file) {
                    return None;
                }
                let mut gaps = c.gaps.lock().unwrap_or_else(|e| e.into_inner());
                let (with_gaps, d) = match gaps.take() {
                    // The gaps stand while the reference year does; only their warnings
                    // word the labels, and the profile (the same `Arc`) is kept for
                    // what is worked out from it later.
                    Some(((year, labels), with_gaps, d)) if year == reference_year => {
                        if labels == labels_key {
                            (with_gaps, d)
                        } else {
                            let mut d = Vec::new();
                            derive::gap_warnings(&with_gaps, &indicators, reference_year, &mut d);
                            (with_gaps, d)
                        }
                    }
                    _ => {
                        let mut with_gaps = p.clone();
                        with_gaps.gaps =
                            derive::gaps(p, &indicators, reference_year, config.stale_after_years);
                        let mut d = Vec::new();
                        derive::gap_warnings(&with_gaps, &indicators, reference_year, &mut d);
                        (Arc::new(with_gaps), d)
                    }
                };
                let all = d.iter().chain(&c.typed).cloned().collect();
                *gaps = Some(((reference_year, labels_key), with_gaps.clone(), d));
                Some((with_gaps, all))
            })
            .collect()
    };
    let mut profile_map = BTreeMap::new();
    for (p, d) in with_gaps {
        diags.extend(d);
        profile_map.insert(p.iso3.clone(), p);
    }

    links::check_agreements(&mut profile_map, &profiles, &mut diags);
    links::unused_sources(&site_sources, &sources, &profiles, &profile_map, &mut diags);
    let failed_codes: std::collections::BTreeSet<String> = profiles
        .iter()
        .filter(|r| failed.contains(&r.file))
        .map(|r| r.file_id.clone())
        .collect();
    let scope = calls::Scope {
        indicators: &indicators,
        profiles: &profile_map,
        failed: &failed_codes,
        current: None,
    };
    calls::check(
        &pages,
        &profiles,
        &scope,
        (reference_year, config.stale_after_years),
        &texts,
        &mut cache.calls,
        &mut diags,
    );
    let pages = catalogue::check_pages(&pages, &config, &theme, &mut diags);
    let against = phrases::Against {
        indicators: &indicators,
        config: &config,
    };
    let phrases = phrases_cached(&theme, &against, (ctx_key, &mut cache.phrases), &mut diags);
    let mut ranked: Vec<String> = Vec::new();
    for id in phrases.values().flat_map(|p| &p.findings.rank) {
        if !ranked.contains(id) {
            ranked.push(id.clone());
        }
    }

    crate::diagnostics::sort(&mut diags);
    let has_errors = diags.iter().any(Diagnostic::is_error);
    let indicator_order = raw_indicators
        .iter()
        .map(|i| i.id.value.clone())
        .filter(|id| indicators.contains_key(id))
        .collect();
    let site = (!has_errors).then_some(Site {
        config,
        indicators,
        indicator_order,
        sources: site_sources,
        rcps,
        profiles: profile_map,
        pages,
        theme,
        static_files,
        reference_year,
        phrases,
        ranked,
        findings: BTreeMap::new(),
    });
    let site = site.map(|mut s| {
        s.findings = findings::all(&s, ctx_key, &mut cache.findings);
        s
    });
    Checked { site, diags, texts }
}

/// The theme's phrases checked, or as they were when neither their files nor what
/// they are checked against (`ctx`, the site's settings and catalogue) changed.
fn phrases_cached(
    theme: &ThemeFiles,
    against: &phrases::Against,
    (ctx, held): (blake3::Hash, &mut Option<(blake3::Hash, PhrasesChecked)>),
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Arc<phrases::Phrases>> {
    let mut h = blake3::Hasher::new();
    h.update(ctx.as_bytes());
    for (name, file) in theme.under("phrases/") {
        for part in [name.as_bytes(), file.origin.as_bytes(), &file.bytes] {
            h.update(&(part.len() as u64).to_le_bytes());
            h.update(part);
        }
    }
    let key = h.finalize();
    if let Some((k, (phrases, d))) = held
        && *k == key
    {
        diags.extend(d.iter().cloned());
        return phrases.clone();
    }
    let mut d = Vec::new();
    let phrases = phrases::check(theme, against, &mut d);
    diags.extend(d.iter().cloned());
    *held = Some((key, (phrases.clone(), d)));
    phrases
}

/// The latest year a profile has data for.
fn latest_year(p: &Profile) -> Option<i32> {
    p.series
        .values()
        .filter_map(|s| s.latest().map(|(y, _)| y))
        .chain(p.partners.values().map(|x| x.year))
        .chain(p.age_sex.values().map(|x| x.year))
        .max()
}
