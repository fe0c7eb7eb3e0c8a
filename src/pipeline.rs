//! The one place that orders the stages: load, check, plan, render, write.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, SourceTexts};
use crate::error::Error;
use crate::model::Site;
use crate::model::hosts::Size;
use crate::output::memory::{Deferred, MemoryStore, Put};
use crate::output::{self, Manifest, WriteReport};
use crate::plan::{self, Plan};
use crate::render::{Renderer, templates};

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Default: `<root>/public`.
    pub out: Option<PathBuf>,
    pub base_url: Option<String>,
    pub drafts: bool,
    /// Worker threads for parsing and rendering; default: one per core.
    pub threads: Option<usize>,
    /// Leave charts out: quick previews and benchmarks of the rest.
    pub no_charts: bool,
    /// Told how many outputs are rendered so far, of how many.
    pub progress: Option<Progress>,
}

/// A callback for progress: `(done, total)` outputs rendered. The library never draws;
/// the command line decides whether and how to show it.
#[derive(Clone)]
pub struct Progress(pub std::sync::Arc<dyn Fn(usize, usize) + Send + Sync>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress")
    }
}

impl BuildOptions {
    pub fn out_dir(&self) -> PathBuf {
        self.out.clone().unwrap_or_else(|| self.root.join("public"))
    }
}

/// A checked site, ready to plan.
pub struct Checked {
    pub site: Option<(Site, Arc<templates::Theme>)>,
    pub diags: Vec<Diagnostic>,
    pub texts: SourceTexts,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diags.iter().any(Diagnostic::is_error)
    }
}

/// Load and check: every problem of the site, and the site when there is none.
pub fn check(root: &Path) -> Checked {
    check_loaded(
        crate::load::load(root),
        &mut crate::model::Cache::default(),
        &mut ThemeCache::default(),
    )
}

/// Load and check for a build with `opts`: a `--base-url` (which the caller has
/// checked, as `base_url` is) stands in for the file's, so a wrong value there is no
/// error.
fn check_for(opts: &BuildOptions) -> Checked {
    let mut loaded = crate::load::load(&opts.root);
    if opts.base_url.is_some()
        && let Some(config) = &mut loaded.config
    {
        config.base_url = None;
    }
    check_loaded(
        loaded,
        &mut crate::model::Cache::default(),
        &mut ThemeCache::default(),
    )
}

fn check_base_url(url: &str) -> Result<(), Error> {
    if crate::model::is_base_url(url) {
        Ok(())
    } else {
        Err(Error::Refused(format!(
            "--base-url {url:?} is not an absolute http:// or https:// URL, such as https://example.org/profiles/"
        )))
    }
}

/// The last theme prepared without errors, kept while its files are the very same bytes
/// (shared with the parse cache) and the site's languages the same.
#[derive(Default)]
struct ThemeCache(
    Option<(
        crate::load::theme::ThemeFiles,
        Vec<String>,
        Arc<templates::Theme>,
    )>,
);

impl ThemeCache {
    fn prepare(
        &mut self,
        files: &crate::load::theme::ThemeFiles,
        languages: &[String],
    ) -> Result<Arc<templates::Theme>, Vec<Diagnostic>> {
        if let Some((held, langs, theme)) = &self.0 {
            let same = langs == languages
                && held.files.len() == files.files.len()
                && held
                    .files
                    .iter()
                    .zip(&files.files)
                    .all(|((ka, a), (kb, b))| {
                        ka == kb && a.origin == b.origin && Arc::ptr_eq(&a.bytes, &b.bytes)
                    });
            if same {
                return Ok(theme.clone());
            }
        }
        let theme = Arc::new(templates::prepare(files, languages)?);
        self.0 = Some((files.clone(), languages.to_vec(), theme.clone()));
        Ok(theme)
    }
}

/// The check's caches, kept between checks of a site an editor is changing
/// (`mpgen lsp`): a check after one file changed checks again only what it touches.
#[derive(Default)]
pub struct CheckCache {
    model: crate::model::Cache,
    themes: ThemeCache,
}

/// Checks what was loaded, reusing what `cache` holds of the last check.
pub fn check_again(loaded: crate::load::Loaded, cache: &mut CheckCache) -> Checked {
    check_loaded(loaded, &mut cache.model, &mut cache.themes)
}

fn check_loaded(
    loaded: crate::load::Loaded,
    cache: &mut crate::model::Cache,
    themes: &mut ThemeCache,
) -> Checked {
    let theme_files = loaded.theme.clone();
    let mut checked = crate::model::check_cached(loaded, cache);
    let languages = match &checked.site {
        Some(s) => s.config.languages.clone(),
        None => vec!["en".to_string()],
    };
    let theme = match themes.prepare(&theme_files, &languages) {
        Ok(t) => Some(t),
        Err(d) => {
            checked.diags.extend(d);
            crate::diagnostics::sort(&mut checked.diags);
            None
        }
    };
    let site = match (checked.site, theme) {
        (Some(s), Some(t)) => Some((s, t)),
        _ => None,
    };
    Checked {
        site,
        diags: checked.diags,
        texts: checked.texts,
    }
}

#[derive(Debug, Clone, Default)]
pub struct BuildReport {
    pub diags: Vec<Diagnostic>,
    pub texts: SourceTexts,
    /// When the build had nothing to do: the last build's diagnostics, as shown then.
    pub replayed: Option<String>,
    pub pages: usize,
    pub outputs: usize,
    pub rendered: usize,
    /// The outputs rendered this time, by path: what a change affected.
    pub rendered_paths: Vec<String>,
    pub write: WriteReport,
    pub elapsed: Duration,
    /// Time spent in each stage, in order: (stage, duration).
    pub stages: Vec<(&'static str, Duration)>,
    /// What the output folder holds.
    pub size: Size,
}

#[derive(Debug)]
pub enum BuildError {
    /// The site has errors; nothing was written.
    Invalid {
        diags: Vec<Diagnostic>,
        texts: SourceTexts,
    },
    /// Rendering or writing failed.
    Failed(Error),
}

impl From<Error> for BuildError {
    fn from(e: Error) -> Self {
        BuildError::Failed(e)
    }
}

fn with_threads<T: Send>(threads: Option<usize>, f: impl FnOnce() -> T + Send) -> Result<T, Error> {
    match threads {
        None => Ok(f()),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n.max(1))
                .build()
                .map_err(|e| Error::Output(e.to_string()))?;
            Ok(pool.install(f))
        }
    }
}

/// The plan of a checked site, with the options applied.
pub fn plan_site(site: &mut Site, theme: &templates::Theme, opts: &BuildOptions) -> Plan {
    plan_site_cached(site, theme, opts, &mut plan::Cache::default())
}

fn plan_site_cached(
    site: &mut Site,
    theme: &templates::Theme,
    opts: &BuildOptions,
    cache: &mut plan::Cache,
) -> Plan {
    if let Some(url) = &opts.base_url {
        site.config.base_url = if url.ends_with('/') {
            url.clone()
        } else {
            format!("{url}/")
        };
    }
    if !opts.drafts {
        site.pages.retain(|p| !p.draft);
    }
    if opts.no_charts {
        site.config.charts.enabled = false;
    }
    plan::plan_cached(site, &theme.parts, cache)
}

/// Builds the site: renders the outputs whose fingerprints changed and writes the files
/// whose bytes changed. On any error nothing is written.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    with_threads(opts.threads, || build_inner(opts))?
}

fn build_inner(opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    let start = Instant::now();
    // Refused before anything is made, moved or deleted.
    if let Some(url) = &opts.base_url {
        check_base_url(url)?;
    }
    let out = output::guard::output_folder(&opts.root, &opts.out_dir())?;
    let mut stages = Vec::new();
    let mut lap = Instant::now();
    let mut stage = |name: &'static str| {
        stages.push((name, lap.elapsed()));
        lap = Instant::now();
    };
    // Nothing changed since the last build (inputs, options, this mpgen) and every
    // output is in place: there is nothing to do.
    let input = {
        let mut h = blake3::Hasher::new();
        h.update(env!("MPGEN_BUILD_ID").as_bytes());
        h.update(crate::load::input_digest(&opts.root).as_bytes());
        h.update(format!("{:?}|{}|{}", opts.base_url, opts.drafts, opts.no_charts).as_bytes());
        h.finalize().to_hex().to_string()
    };
    let previous = Manifest::read(&out);
    // What was put in the output folder by hand goes; what was changed there is made
    // again: after every build, the folder is what a fresh full build makes.
    let on_disk = output::sweep(&out, &previous)?;
    if !previous.input.is_empty() && previous.input == input && previous.all_intact(&on_disk) {
        stage("no changes");
        return Ok(BuildReport {
            stages,
            replayed: Some(previous.diagnostics.clone()),
            pages: previous
                .outputs
                .keys()
                .filter(|p| p.ends_with(".html"))
                .count(),
            outputs: previous.outputs.len(),
            size: {
                let mut size = previous.size();
                size.add(output::MANIFEST, output::manifest_len(&out));
                size
            },
            elapsed: start.elapsed(),
            ..BuildReport::default()
        });
    }
    stage("input digest");

    let checked = check_for(opts);
    stage("load+check");
    let Some((mut site, theme)) = checked.site else {
        return Err(BuildError::Invalid {
            diags: checked.diags,
            texts: checked.texts,
        });
    };
    let plan = plan_site(&mut site, &theme, opts);
    stage("plan");

    let live = previous.live_fingerprints(&on_disk);
    let dirty = plan::dirty(&plan, &live);
    stage("manifest");
    let renderer = Renderer::new(&site, &theme);
    let fingerprints: BTreeMap<String, String> = plan
        .outputs()
        .map(|o| (o.path.clone(), o.fingerprint.clone()))
        .collect();
    // A first build writes each file as soon as it is rendered, into a folder that
    // becomes the output folder at the end: no file is held in memory, and writing
    // overlaps rendering.
    let staging = output::fresh_staging(&out, dirty.iter().map(|o| o.path.as_str()))?;
    let done = std::sync::atomic::AtomicUsize::new(0);
    let made: Result<Vec<(String, Made)>, Error> = dirty
        .par_iter()
        .map(|o| {
            let made = match (&staging, &o.job) {
                // all.csv is every profile's lines: written part by part, not joined
                // into one more copy of the site's data first.
                (Some(s), crate::plan::Job::AllCsv) => {
                    Made::Written(s.put_parts(&o.path, &renderer.all_csv_parts()?)?)
                }
                (Some(s), _) => Made::Written(s.put(&o.path, &renderer.render(o)?)?),
                (None, _) => Made::Bytes(renderer.render(o)?),
            };
            if let Some(p) = &opts.progress {
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                (p.0)(n, dirty.len());
            }
            Ok((o.path.clone(), made))
        })
        .collect();
    let made = match made {
        Ok(made) => made,
        Err(e) => {
            if let Some(s) = staging {
                s.abandon();
            }
            return Err(e.into());
        }
    };
    let mut size = output_size(&plan, &made, &on_disk);
    let mut diags = checked.diags;
    // Hosts count the manifest too; it is written last, so its weight is foreseen.
    let mut with_manifest = size.clone();
    let shown = crate::diagnostics::render_human(&diags, &checked.texts, false);
    let paths = plan.outputs().map(|o| o.path.as_str());
    with_manifest.add(output::MANIFEST, output::manifest_estimate(paths, &shown));
    diags.extend(host_warnings(
        &with_manifest,
        site.config.publish.as_deref(),
    ));
    let shown = crate::diagnostics::render_human(&diags, &checked.texts, false);
    let (mut written, mut rendered) = (BTreeMap::new(), Vec::new());
    for (path, m) in made {
        match m {
            Made::Written(w) => {
                written.insert(path, w);
            }
            Made::Bytes(bytes) => rendered.push((path, bytes)),
        }
    }
    let write = match staging {
        Some(staging) => {
            stage("render+write");
            staging.finish(&fingerprints, written, input, shown)?
        }
        None => {
            stage("render");
            output::write(
                &out,
                &previous,
                &on_disk,
                &fingerprints,
                rendered,
                input,
                shown,
            )?
        }
    };
    stage("write");
    size.add(output::MANIFEST, output::manifest_len(&out));
    Ok(BuildReport {
        stages,
        diags,
        size,
        texts: checked.texts,
        replayed: None,
        pages: plan.outputs().filter(|o| o.path.ends_with(".html")).count(),
        outputs: plan.len(),
        rendered: dirty.len(),
        rendered_paths: dirty.iter().map(|o| o.path.clone()).collect(),
        write,
        elapsed: start.elapsed(),
    })
}

/// What the output folder will hold once written: the outputs made now, and the rest
/// as they are on disk.
fn output_size(plan: &Plan, made: &[(String, Made)], on_disk: &output::OnDisk) -> Size {
    let now: rustc_hash::FxHashMap<&str, u64> = made
        .iter()
        .map(|(path, m)| {
            let len = match m {
                Made::Bytes(b) => b.len() as u64,
                Made::Written(w) => w.stamp.as_ref().map_or(0, output::Stamp::bytes),
            };
            (path.as_str(), len)
        })
        .collect();
    let mut size = Size::default();
    for o in plan.outputs() {
        let len = now
            .get(o.path.as_str())
            .copied()
            .or_else(|| on_disk.get(&o.path).map(output::Stamp::bytes))
            .unwrap_or(0);
        size.add(&o.path, len);
    }
    size
}

/// A warning for each limit of a common static host (or of the site's own, named in
/// `[publish]`) that the output passes.
fn host_warnings(size: &Size, host: Option<&str>) -> Vec<Diagnostic> {
    crate::model::hosts::over_limits(size, host)
        .into_iter()
        .map(|message| {
            Diagnostic::warning("site.toml", None, message).with_help(
                "name the host you publish on in `[publish] host` of site.toml, or make the output smaller (fewer chart formats)",
            )
        })
        .collect()
}

/// A rendered output: its bytes, or, once written to a first build's staging folder,
/// what the manifest records of it.
enum Made {
    Bytes(Vec<u8>),
    Written(output::Written),
}

/// The site checked and planned, or its diagnostics.
fn checked_plan(opts: &BuildOptions) -> Result<(Site, Arc<templates::Theme>, Plan), BuildError> {
    if let Some(url) = &opts.base_url {
        check_base_url(url)?;
    }
    let checked = check_for(opts);
    let Some((mut site, theme)) = checked.site else {
        return Err(BuildError::Invalid {
            diags: checked.diags,
            texts: checked.texts,
        });
    };
    let plan = plan_site(&mut site, &theme, opts);
    Ok((site, theme, plan))
}

/// Renders every output of the site in memory, ignoring any previous build: for
/// `--verify` and for tests of determinism.
pub fn render_all(opts: &BuildOptions) -> Result<BTreeMap<String, Vec<u8>>, BuildError> {
    with_threads(opts.threads, || {
        let (site, theme, plan) = checked_plan(opts)?;
        let renderer = Renderer::new(&site, &theme);
        let files = plan
            .all()
            .par_iter()
            .map(|o| renderer.render(o).map(|b| (o.path.clone(), b)))
            .collect::<Result<BTreeMap<_, _>, Error>>()?;
        Ok(files)
    })?
}

/// Renders the site's pages in memory and checks every internal link and anchor
/// (`mpgen check --links`). Files other than pages are planned, not made.
pub fn check_links(opts: &BuildOptions) -> Result<crate::linkcheck::Report, BuildError> {
    with_threads(opts.threads, || {
        let (site, theme, plan) = checked_plan(opts)?;
        let renderer = Renderer::new(&site, &theme);
        let files: BTreeSet<String> = plan.outputs().map(|o| o.path.clone()).collect();
        let pages = plan
            .all()
            .par_iter()
            .filter(|o| o.path.ends_with(".html"))
            .map(|o| renderer.render(o).map(|b| (o.path.clone(), b)))
            .collect::<Result<BTreeMap<_, _>, Error>>()?;
        Ok(crate::linkcheck::check(
            &pages,
            &files,
            &crate::plan::routes::base_path(&site.config),
        ))
    })?
}

/// One chart for a report (`mpgen chart`).
#[derive(Debug, Clone)]
pub struct ChartRequest {
    pub iso3: String,
    pub chart: String,
    pub format: crate::plan::ChartFormat,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub scale: Option<f32>,
    pub lang: Option<String>,
}

/// Draws one chart of a checked site, at the size and in the format asked for.
pub fn chart(root: &Path, req: &ChartRequest) -> Result<Vec<u8>, BuildError> {
    use crate::plan::ChartFormat;
    use crate::render::charts::raster::MAX_PNG_PIXELS;
    let checked = check(root);
    let Some((mut site, theme)) = checked.site else {
        return Err(BuildError::Invalid {
            diags: checked.diags,
            texts: checked.texts,
        });
    };
    let fail = |m: String| BuildError::Failed(Error::Output(m));
    for (v, name) in [(req.width, "width"), (req.height, "height")] {
        if v.is_some_and(|v| !(16..=20_000).contains(&v)) {
            return Err(fail(format!(
                "--{name} must be between 16 and 20000 pixels"
            )));
        }
    }
    if req.scale.is_some_and(|s| !(s > 0.0 && s <= 16.0)) {
        return Err(fail("--scale must be above 0 and at most 16".into()));
    }
    site.config.charts.width = req.width.unwrap_or(site.config.charts.width);
    site.config.charts.height = req.height.unwrap_or(site.config.charts.height);
    let scale = req.scale.unwrap_or(site.config.charts.png_scale as f32);
    let c = &site.config.charts;
    let pixels = c.png_pixels(f64::from(scale));
    if req.format == ChartFormat::Png && pixels > MAX_PNG_PIXELS {
        return Err(fail(format!(
            "a {}×{} chart at --scale {scale} is a PNG of {:.0} million pixels; at most {:.0} million: lower --width, --height or --scale, or ask for SVG or PDF",
            c.width,
            c.height,
            pixels / 1e6,
            MAX_PNG_PIXELS / 1e6
        )));
    }
    let lang = req
        .lang
        .clone()
        .unwrap_or_else(|| site.config.default_language.clone());
    if !site.config.languages.contains(&lang) {
        return Err(fail(format!(
            "`{lang}` is not one of the site's languages ({})",
            site.config.languages.join(", ")
        )));
    }
    let iso3 = req.iso3.to_ascii_uppercase();
    let Some(profile) = site.profiles.get(&iso3) else {
        return Err(fail(format!("there is no profile `{iso3}`")));
    };
    let charts = crate::render::charts::spec::profile_charts(&site, profile);
    if !charts.iter().any(|c| c.id == req.chart) {
        let ids: Vec<&str> = charts.iter().map(|c| c.id.as_str()).collect();
        return Err(fail(format!(
            "`{}` has no chart `{}`; its charts are {}",
            iso3,
            req.chart,
            ids.join(", ")
        )));
    }
    let renderer = Renderer::new(&site, &theme);
    let drawn = renderer
        .chart_drawn(&lang, &iso3, &req.chart)
        .ok_or_else(|| fail(format!("no chart {}", req.chart)))?;
    // A file of its own, off the site: the wide drawing, with nothing outside it.
    let svg = drawn.print_svg();
    match req.format {
        ChartFormat::Png => Ok(crate::render::charts::raster::png(&svg, scale)?),
        ChartFormat::Pdf => Ok(crate::render::charts::raster::pdf(&svg)?),
        _ => Ok(svg.into_bytes()),
    }
}

/// A site kept in memory between builds: `serve` rebuilds one on every change. Parsed
/// files, fingerprints and rendered bytes are kept, so a change costs what it touches;
/// what the store holds after a rebuild is what a full build would write.
pub struct Session {
    opts: BuildOptions,
    cache: crate::load::Cache,
    checks: crate::model::Cache,
    themes: ThemeCache,
    /// Each profile's planned outputs, as the store holds them.
    plans: plan::Cache,
    /// What rendering made that later rebuilds may take again.
    kept: crate::render::kept::Kept,
    pool: Option<rayon::ThreadPool>,
    pub store: Arc<MemoryStore>,
    /// PNG and PDF charts are rendered on their first request instead of on every
    /// change: they cost 30 times an SVG, and no page shows them.
    pub defer_costly: bool,
}

/// What a rebuild did.
#[derive(Debug, Default)]
pub struct Rebuilt {
    pub diags: Vec<Diagnostic>,
    pub texts: SourceTexts,
    /// Input files parsed again.
    pub parsed: usize,
    /// Outputs rendered (or deferred) because their fingerprint moved.
    pub rendered: usize,
    /// Their paths, in the plan's order.
    pub rendered_paths: Vec<String>,
    /// Output paths whose bytes changed, appeared or went away.
    pub changed: Vec<String>,
    /// Those of them announced first, through [`First::shown`].
    pub shown: Vec<String>,
    /// When they were announced, from the start of the rebuild.
    pub shown_after: Option<Duration>,
    pub outputs: usize,
    pub stages: Vec<(&'static str, Duration)>,
    pub elapsed: Duration,
}

/// The outputs a reader has open (a preview's pages), rendered, stored and announced
/// before the rest of a rebuild, the way Hugo's fast render mode goes: the page in
/// front of the writer shows the edit while the pages across the site still render.
pub struct First<'a> {
    /// Output paths open in a browser.
    pub open: &'a BTreeSet<String>,
    /// Told the paths among them whose bytes changed, once the store answers with them.
    pub shown: &'a mut (dyn FnMut(&[String]) + Send),
}

impl First<'_> {
    /// Whether an output goes first: an open page, or a style sheet (every page
    /// reloads for one, so it must not come after them). Never a costly chart.
    fn takes(&self, o: &plan::Output) -> bool {
        !o.job.is_costly() && (self.open.contains(&o.path) || o.path.ends_with(".css"))
    }
}

/// Renders `outputs` in parallel for the memory store (`defer`: costly charts are left
/// for their first request).
fn render_for_store(
    renderer: &Renderer,
    outputs: &[&plan::Output],
    defer: bool,
) -> Result<Vec<(String, String, Put)>, Error> {
    outputs
        .par_iter()
        .map(|o| {
            let body = if defer && o.job.is_costly() {
                Put::Later
            } else if let crate::plan::Job::AllCsv = o.job {
                Put::Parts(renderer.all_csv_parts()?)
            } else {
                crate::output::memory::pack(&o.path, renderer.render(o)?)
            };
            Ok((o.path.clone(), o.fingerprint.clone(), body))
        })
        .collect()
}

/// Drops what a rebuild staged unless the rebuild stored it (a failure, a panic): the
/// last site stands whole.
struct Unstage(Arc<MemoryStore>);

impl Drop for Unstage {
    fn drop(&mut self) {
        self.0.unstage();
    }
}

/// One good generation of the site, kept to render its deferred outputs.
struct Snapshot {
    site: Site,
    theme: Arc<templates::Theme>,
    plan: Plan,
}

impl Session {
    pub fn new(opts: BuildOptions) -> Result<Self, Error> {
        let pool = match opts.threads {
            Some(n) => Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n.max(1))
                    .build()
                    .map_err(|e| Error::Output(e.to_string()))?,
            ),
            None => None,
        };
        Ok(Session {
            opts,
            cache: crate::load::Cache::default(),
            checks: crate::model::Cache::default(),
            themes: ThemeCache::default(),
            plans: plan::Cache::default(),
            kept: Default::default(),
            pool,
            store: Arc::default(),
            defer_costly: true,
        })
    }

    pub fn options(&self) -> &BuildOptions {
        &self.opts
    }

    /// Gives the memory that rebuilds freed back to the system. mimalloc (the
    /// binary's allocator) keeps freed pages in each thread's heap until that thread
    /// allocates again, and between two saves neither the renderer's threads nor the
    /// rebuild's do: without this a preview holds a fifth more than it uses. Takes a
    /// few milliseconds; `serve` calls it once the open pages have their reload.
    pub fn release_memory(&self) {
        // SAFETY: `mi_collect` takes no pointer and may be called from any thread at
        // any time; it only returns freed pages of the calling thread's heap (and
        // abandoned ones) to the system.
        let collect = || unsafe { libmimalloc_sys::mi_collect(true) };
        match &self.pool {
            Some(pool) => pool.broadcast(|_| collect()),
            None => rayon::broadcast(|_| collect()),
        };
        collect();
    }

    /// Reads the files in `changed` (paths relative to the root) and any other whose
    /// stamp moved, checks the site, and renders the outputs whose fingerprint moved.
    /// On errors the store keeps the last good site.
    pub fn rebuild(&mut self, changed: &BTreeSet<String>) -> Result<Rebuilt, BuildError> {
        self.rebuild_with(crate::load::Changed::Maybe(changed), None)
    }

    /// Like [`Session::rebuild`], told exactly which files and folders were created,
    /// changed or removed (a watcher's events): no other file is looked at.
    pub fn rebuild_exact(&mut self, changed: &BTreeSet<String>) -> Result<Rebuilt, BuildError> {
        self.rebuild_with(crate::load::Changed::Exactly(changed), None)
    }

    /// Like [`Session::rebuild`] (or, when `exact`, [`Session::rebuild_exact`]), with
    /// the outputs open in a browser rendered and shown first.
    pub fn rebuild_first(
        &mut self,
        changed: &BTreeSet<String>,
        exact: bool,
        first: First<'_>,
    ) -> Result<Rebuilt, BuildError> {
        let changed = if exact {
            crate::load::Changed::Exactly(changed)
        } else {
            crate::load::Changed::Maybe(changed)
        };
        self.rebuild_with(changed, Some(first))
    }

    fn rebuild_with(
        &mut self,
        changed: crate::load::Changed,
        first: Option<First<'_>>,
    ) -> Result<Rebuilt, BuildError> {
        match self.pool.take() {
            Some(pool) => {
                let r = pool.install(|| self.rebuild_inner(&changed, first));
                self.pool = Some(pool);
                r
            }
            None => self.rebuild_inner(&changed, first),
        }
    }

    fn rebuild_inner(
        &mut self,
        changed: &crate::load::Changed,
        first: Option<First<'_>>,
    ) -> Result<Rebuilt, BuildError> {
        let start = Instant::now();
        let mut stages = Vec::new();
        let mut lap = Instant::now();
        let mut stage = |name: &'static str| {
            stages.push((name, lap.elapsed()));
            lap = Instant::now();
        };
        let mut loaded = crate::load::load_cached(&self.opts.root, &mut self.cache, changed);
        // The preview's own address stands in for `base_url`.
        if let (Some(config), Some(_)) = (&mut loaded.config, &self.opts.base_url) {
            config.base_url = None;
        }
        stage("load");
        let checked = check_loaded(loaded, &mut self.checks, &mut self.themes);
        stage("check");
        let Some((mut site, theme)) = checked.site else {
            return Err(BuildError::Invalid {
                diags: checked.diags,
                texts: checked.texts,
            });
        };
        // Committed only once the store holds what it plans.
        let mut plans = self.plans.clone();
        let plan = plan_site_cached(&mut site, &theme, &self.opts, &mut plans);
        stage("plan");
        let snapshot = Arc::new(Snapshot { site, theme, plan });
        let mut dirty = self.store.dirty(&snapshot.plan.fresh);
        // Pages that list every profile first: on few cores the longest job should not
        // start last.
        dirty.sort_by_key(|o| !matches!(o.job, crate::plan::Job::Home { .. }));
        stage("dirty");
        // What earlier rebuilds made from the same parts of the model (each profile's
        // CSV lines and cards, the world maps) is taken again.
        let kept = crate::render::kept::KeptFor {
            kept: &self.kept,
            plan: &snapshot.plan,
            config: &snapshot.site.config,
            card_template: snapshot.theme.parts.templates.get("card.html").copied(),
        };
        let renderer = Renderer::new(&snapshot.site, &snapshot.theme).with_kept(&kept);
        stage("renderer");
        let render_all =
            |outputs: &[&plan::Output]| render_for_store(&renderer, outputs, self.defer_costly);
        let (ahead, dirty): (Vec<&plan::Output>, Vec<&plan::Output>) = match &first {
            Some(f) if !f.open.is_empty() => dirty.into_iter().partition(|o| f.takes(o)),
            _ => (Vec::new(), dirty),
        };
        let _unstage = Unstage(self.store.clone());
        let (mut shown, mut shown_after) = (Vec::new(), None);
        if let (Some(first), false) = (first, ahead.is_empty()) {
            let put = render_all(&ahead)?;
            let pending = dirty.iter().map(|o| o.path.clone()).collect();
            shown = self.store.stage(put, pending);
            (first.shown)(&shown);
            shown_after = Some(start.elapsed());
            stage("first");
        }
        let put = render_all(&dirty)?;
        drop(renderer);
        stage("render");
        let rendered = ahead.len() + put.len();
        let rendered_paths = ahead
            .iter()
            .map(|o| o.path.clone())
            .chain(put.iter().map(|(path, _, _)| path.clone()))
            .collect();
        let outputs = snapshot.plan.len();
        let later = snapshot.clone();
        let deferred: Deferred = Arc::new(move |path: &str| {
            let output = later.plan.get(path)?;
            Renderer::new(&later.site, &later.theme).render(output).ok()
        });
        let mut changed =
            self.store
                .apply(put, outputs, |p| snapshot.plan.get(p).is_some(), deferred);
        changed.extend(shown.iter().cloned());
        changed.sort();
        self.kept
            .retain_profiles(|code| snapshot.site.profiles.contains_key(code));
        self.plans = plans;
        stage("store");
        Ok(Rebuilt {
            diags: checked.diags,
            texts: checked.texts,
            parsed: self.cache.parsed,
            rendered,
            rendered_paths,
            changed,
            shown,
            shown_after,
            outputs,
            stages,
            elapsed: start.elapsed(),
        })
    }
}
