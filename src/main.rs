//! The `mpgen` command line: arguments in, exit code out. It prints diagnostics and
//! summaries; all work is done by the library.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use mpgen::diagnostics::{self, Diagnostic, SourceTexts};
use mpgen::pipeline::{self, BuildError, BuildOptions};

// A build allocates many small strings and values across threads; mimalloc does that
// markedly faster than the system allocator (see benches/README.md). Without the
// transparent huge pages it asks for: where the kernel compacts memory to find them,
// a page fault can stall a build for milliseconds (a fifth of a cold build, measured).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// What mpgen prints goes to streams that may be closed or full (`2>/dev/full`, a pager
// that quit): a write that fails is dropped, and the exit code still says how the
// command went, instead of a panic.

/// A line to stderr; `say!(raw ..)` writes the text as it is.
macro_rules! say {
    (raw $($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
/// The same to stdout.
macro_rules! out {
    (raw $($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// The most worker threads a build takes: more only cost time to start.
const MAX_THREADS: usize = 256;

fn threads_arg(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        _ => Err(format!("a number of threads from 1 to {MAX_THREADS}")),
    }
}

#[derive(Parser)]
#[command(
    name = "mpgen",
    version,
    about = "Migration Profiles, from TOML to the web"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Show every warning one by one; otherwise warnings of a kind that repeats (the
    /// same data gap in many profiles) are counted in a line each
    #[arg(long, short, global = true)]
    verbose: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder
    Build(BuildArgs),
    /// Build into memory, serve on loopback, rebuild on every change, reload open pages
    Serve(ServeArgs),
    /// Check the site and report every problem; build nothing
    Check(CheckArgs),
    /// One chart of a profile for a report: SVG, PNG or PDF
    Chart(ChartArgs),
    /// Bring international datasets (World Bank, UN DESA, UNHCR, IDMC, tidy CSV) into
    /// the profiles, keeping every comment and hand edit
    Import(ImportArgs),
    /// What changed since an earlier output folder or git revision of the site: every
    /// number (old → new, source), every page and chart added or removed
    Diff(DiffArgs),
    /// Make a new site in DIR, with the embedded default theme
    Init(InitArgs),
    /// Add profiles/ISO3.toml, a skeleton with every core indicator
    NewProfile(NewProfileArgs),
    /// Write JSON Schemas of the site's files (schemas/) and the .taplo.toml and
    /// tombi.toml that map them, so TOML editors check and complete as you type
    Schema(SchemaArgs),
    /// A language server over stdio for the site (default: the folder the editor opened):
    /// the check's diagnostics as you type, hover and completion of ids (docs/editors.md)
    Lsp(SchemaArgs),
}

/// The arguments of `mpgen schema` and `mpgen lsp`: the site folder.
#[derive(Args)]
struct SchemaArgs {
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
}

/// The arguments of `mpgen build`.
#[derive(Args)]
struct BuildArgs {
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Output folder (default: ROOT/public)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Override `base_url` of site.toml
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Include pages marked `draft = true`
    #[arg(long)]
    drafts: bool,
    /// Leave charts out: quick previews, benchmarks
    #[arg(long)]
    no_charts: bool,
    /// Build twice in memory and fail on any differing byte
    #[arg(long)]
    verify: bool,
    /// Worker threads, 1 to 256 (default: one per core)
    #[arg(long, value_name = "N", value_parser = threads_arg)]
    threads: Option<usize>,
    /// Print the time each stage took
    #[arg(long)]
    timings: bool,
}

/// The arguments of `mpgen serve`.
#[derive(Args)]
struct ServeArgs {
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    #[arg(long, default_value_t = 1111)]
    port: u16,
    /// Address to listen on; anything but loopback exposes the preview to the network
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// Open the site in the default browser
    #[arg(long)]
    open: bool,
    /// Poll the disk for changes, where file-system events do not arrive
    #[arg(long)]
    poll: bool,
    /// Include pages marked `draft = true`
    #[arg(long)]
    drafts: bool,
    /// Worker threads, 1 to 256 (default: one per core)
    #[arg(long, value_name = "N", value_parser = threads_arg)]
    threads: Option<usize>,
}

/// The arguments of `mpgen check`.
#[derive(Args)]
struct CheckArgs {
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Also make the pages in memory and check every internal link and anchor
    #[arg(long)]
    links: bool,
}

/// The arguments of `mpgen chart`.
#[derive(Args)]
struct ChartArgs {
    /// The profile's code, such as MEX
    iso3: String,
    /// An indicator id, or the id of one of the profile's [[charts]]
    chart: String,
    #[arg(long, value_enum, default_value_t = ChartFormatArg::Svg)]
    format: ChartFormatArg,
    /// Width in CSS pixels (default: `width` of [charts] in site.toml)
    #[arg(long)]
    width: Option<u32>,
    /// Height in CSS pixels (default: `height` of [charts] in site.toml)
    #[arg(long)]
    height: Option<u32>,
    /// PNG pixels per CSS pixel (default: `png_scale` of site.toml)
    #[arg(long)]
    scale: Option<f32>,
    /// Language of labels and numbers (default: the site's default language)
    #[arg(long)]
    lang: Option<String>,
    /// Output file (default: ISO3-CHART.FORMAT in the current folder)
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
}

/// The arguments of `mpgen import`.
#[derive(Args)]
struct ImportArgs {
    /// CSV or .xlsx files; each one's layout is known by its header
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Import into this indicator (a file that does not say), or only into it
    #[arg(long, value_name = "ID")]
    indicator: Option<String>,
    /// The source every imported series names (default: the indicator's)
    #[arg(long, value_name = "ID")]
    source: Option<String>,
    /// Only these profiles, such as MEX,PHL
    #[arg(long, value_name = "ISO3,...", value_delimiter = ',')]
    only: Option<Vec<String>>,
    /// Print what would change and write nothing
    #[arg(long)]
    dry_run: bool,
    /// Partners a new partners table lists before "other"
    #[arg(long, value_name = "N", default_value_t = 15)]
    top: usize,
    /// Update existing profiles only; start none for countries the site lacks
    #[arg(long)]
    no_new: bool,
}

/// The arguments of `mpgen diff`.
#[derive(Args)]
struct DiffArgs {
    /// An output folder of an earlier build, or a git revision (HEAD~1, a tag)
    #[arg(value_name = "OLD_OUTPUT_OR_GIT_REV")]
    old: String,
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

/// The arguments of `mpgen init`.
#[derive(Args)]
struct InitArgs {
    dir: PathBuf,
}

/// The arguments of `mpgen new-profile`.
#[derive(Args)]
struct NewProfileArgs {
    iso3: String,
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ChartFormatArg {
    Svg,
    Png,
    Pdf,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

fn print_diags(diags: &[Diagnostic], texts: &SourceTexts, verbose: bool) {
    if diags.is_empty() {
        return;
    }
    let color = std::io::stderr().is_terminal();
    let text = if verbose {
        diagnostics::render_human(diags, texts, color)
    } else {
        diagnostics::render_grouped(diags, texts, color)
    };
    say!(raw "{}", text);
}

/// A progress bar on a terminal, shown only once a build has run for a second.
fn progress_bar() -> Option<(indicatif::ProgressBar, pipeline::Progress)> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::hidden());
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} outputs {elapsed}")
    {
        bar.set_style(style);
    }
    let started = std::time::Instant::now();
    let shown = std::sync::atomic::AtomicBool::new(false);
    let handle = bar.clone();
    let progress = pipeline::Progress(std::sync::Arc::new(move |done, total| {
        if !shown.load(std::sync::atomic::Ordering::Relaxed) && started.elapsed().as_secs() >= 1 {
            shown.store(true, std::sync::atomic::Ordering::Relaxed);
            handle.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
        handle.set_length(total as u64);
        handle.set_position(done as u64);
    }));
    Some((bar, progress))
}

fn summary(diags: &[Diagnostic]) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    format!(
        "{errors} error{}, {warnings} warning{}",
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" }
    )
}

/// What `serve` prints: one line a rebuild, and the diagnostics when there are any.
fn serve_report(report: &mpgen::serve::Report, verbose: bool) {
    use mpgen::serve::Report;
    let what = |changes: &[mpgen::watch::Change]| match changes {
        [] => String::new(),
        [one] => format!("{} ", one.path),
        [first, rest @ ..] => format!("{} and {} more ", first.path, rest.len()),
    };
    let now = || {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        format!(
            "{:02}:{:02}:{:02}",
            secs / 3600 % 24,
            secs / 60 % 60,
            secs % 60
        )
    };
    match report {
        Report::Built { changes, rebuilt } => {
            print_diags(&rebuilt.diags, &rebuilt.texts, verbose);
            let shown = match rebuilt.shown_after {
                Some(t) if !rebuilt.shown.is_empty() => {
                    format!(
                        " (open pages shown after {:.1} ms)",
                        t.as_secs_f64() * 1000.0
                    )
                }
                _ => String::new(),
            };
            say!(
                "{} {}{} in {:.1} ms{shown}: {} outputs rendered, {} changed ({} files read; {})",
                now(),
                what(changes),
                if changes.is_empty() {
                    "built"
                } else {
                    "rebuilt"
                },
                rebuilt.elapsed.as_secs_f64() * 1000.0,
                rebuilt.rendered,
                rebuilt.changed.len(),
                rebuilt.parsed,
                summary(&rebuilt.diags)
            );
        }
        Report::Invalid {
            changes,
            diags,
            texts,
            serving,
        } => {
            print_diags(diags, texts, verbose);
            say!(
                "{} {}has problems ({}); {}",
                now(),
                if changes.is_empty() {
                    "the site ".to_string()
                } else {
                    what(changes)
                },
                summary(diags),
                still(*serving)
            );
        }
        Report::Failed {
            changes,
            error,
            serving,
        } => {
            say!(
                "{} {}error: {error}; {}",
                now(),
                what(changes),
                still(*serving)
            );
        }
    }
}

fn still(serving: bool) -> &'static str {
    if serving {
        "still serving the last good site"
    } else {
        "pages show the errors until the site builds"
    }
}

/// Opens a URL in the default browser, as the platform does it.
fn open_browser(url: &str) {
    let cmd = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(cmd)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        say!("warning: cannot open a browser ({cmd}: {e}); open {url} yourself");
    }
}

fn main() -> ExitCode {
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    let cli = Cli::parse();
    let verbose = cli.verbose;
    match cli.command {
        Command::Serve(args) => serve(args, verbose),
        Command::Build(args) => build(args, verbose),
        Command::Check(args) => check(args, verbose),
        Command::Chart(args) => chart(args, verbose),
        Command::Init(args) => init(args),
        Command::Diff(args) => diff(args, verbose),
        Command::Import(args) => import(args, verbose),
        Command::NewProfile(args) => new_profile(args),
        Command::Schema(args) => schema(args, verbose),
        Command::Lsp(args) => lsp(args),
    }
}

fn serve(args: ServeArgs, verbose: bool) -> ExitCode {
    let ServeArgs {
        root,
        port,
        bind,
        open,
        poll,
        drafts,
        threads,
    } = args;
    let opts = mpgen::serve::ServeOptions {
        build: BuildOptions {
            root: root.unwrap_or_else(|| PathBuf::from(".")),
            drafts,
            threads,
            ..BuildOptions::default()
        },
        bind,
        port,
        poll,
    };
    if !bind.is_loopback() {
        say!("warning: serving on {bind}: other machines on the network can read the preview");
    }
    match mpgen::serve::start(opts, Box::new(move |r| serve_report(r, verbose))) {
        Ok(server) => {
            let url = server.url();
            say!("serving {url} (watching for changes; Ctrl-C stops)");
            if open {
                open_browser(&url);
            }
            server.wait();
            ExitCode::SUCCESS
        }
        Err(e) => {
            say!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn build(args: BuildArgs, verbose: bool) -> ExitCode {
    let BuildArgs {
        root,
        out,
        base_url,
        drafts,
        no_charts,
        verify,
        threads,
        timings,
    } = args;
    let bar = progress_bar();
    let opts = BuildOptions {
        root: root.unwrap_or_else(|| PathBuf::from(".")),
        out,
        base_url,
        drafts,
        threads,
        no_charts,
        progress: bar.as_ref().map(|(_, p)| p.clone()),
    };
    if verify {
        match (pipeline::render_all(&opts), pipeline::render_all(&opts)) {
            (Ok(a), Ok(b)) if a == b => {
                say!("verify: two builds gave the same {} files", a.len())
            }
            (Ok(a), Ok(b)) => {
                let differing: Vec<&String> = a
                    .keys()
                    .chain(b.keys())
                    .filter(|k| a.get(*k) != b.get(*k))
                    .collect();
                say!(
                    "error: two builds differ in {} files, first {:?}",
                    differing.len(),
                    differing.first()
                );
                return ExitCode::from(1);
            }
            _ => {}
        }
    }
    let result = pipeline::build(&opts);
    if let Some((bar, _)) = &bar {
        bar.finish_and_clear();
    }
    match result {
        Ok(report) => {
            print_diags(&report.diags, &report.texts, verbose);
            if let Some(shown) = &report.replayed {
                say!(raw "{shown}");
            }
            if timings {
                for (stage, d) in &report.stages {
                    say!("{stage:>12}: {:.1} ms", d.as_secs_f64() * 1000.0);
                }
            }
            say!(
                "built {} pages ({} files, {}) into {} in {:.0} ms: {} rendered, {} written, {} unchanged, {} removed; {}",
                report.pages,
                mpgen::model::hosts::thousands(report.size.files as u64),
                mpgen::model::hosts::megabytes(report.size.bytes),
                opts.out_dir().display(),
                report.elapsed.as_secs_f64() * 1000.0,
                report.rendered,
                report.write.written,
                report.write.unchanged,
                report.write.removed,
                match &report.replayed {
                    Some(shown) => {
                        let warnings = shown.lines().filter(|l| l.starts_with("warning:")).count();
                        format!(
                            "nothing changed; {warnings} warning{}",
                            if warnings == 1 { "" } else { "s" }
                        )
                    }
                    None => summary(&report.diags),
                }
            );
            ExitCode::SUCCESS
        }
        Err(BuildError::Invalid { diags, texts }) => {
            print_diags(&diags, &texts, verbose);
            say!(
                "error: the site has problems; nothing was written ({})",
                summary(&diags)
            );
            ExitCode::from(1)
        }
        Err(BuildError::Failed(e)) => {
            say!("error: {e}");
            ExitCode::from(if e.is_refusal() { 2 } else { 1 })
        }
    }
}

fn check(args: CheckArgs, verbose: bool) -> ExitCode {
    let CheckArgs {
        root,
        format,
        links,
    } = args;
    let root = root.unwrap_or_else(|| PathBuf::from("."));
    let mut checked = pipeline::check(&root);
    checked.diags.extend(mpgen::schema::stale(&root));
    let missing = checked
        .site
        .as_ref()
        .map(|(site, _)| mpgen::model::translations::missing(site))
        .unwrap_or_default();
    match format {
        Format::Json => {
            let report = diagnostics::render_json(&checked.diags, &checked.texts);
            let mut value: serde_json::Value = serde_json::from_str(&report).unwrap_or_default();
            if let Some(map) = value.as_object_mut() {
                map.insert(
                    "missing_translations".into(),
                    serde_json::to_value(&missing).unwrap_or_default(),
                );
            }
            out!("{}", serde_json::to_string_pretty(&value).unwrap_or(report));
        }
        Format::Human => {
            print_diags(&checked.diags, &checked.texts, verbose);
            if let Some((site, _)) = &checked.site {
                say!(raw
                    "{}",
                    mpgen::model::translations::summary(
                        &missing,
                        &site.config.default_language
                    )
                );
            }
            say!("checked {}: {}", root.display(), summary(&checked.diags));
        }
    }
    if checked.has_errors() {
        return ExitCode::from(1);
    }
    if links {
        let opts = BuildOptions {
            root: root.clone(),
            ..BuildOptions::default()
        };
        match pipeline::check_links(&opts) {
            Ok(report) => {
                for b in &report.broken {
                    say!(
                        "error: a broken link in {}: `{}`: {}",
                        b.page,
                        b.link,
                        b.reason
                    );
                }
                say!(
                    "checked {} links on {} pages: {} broken",
                    report.links,
                    report.pages,
                    report.broken.len()
                );
                if !report.broken.is_empty() {
                    return ExitCode::from(1);
                }
            }
            Err(BuildError::Failed(e)) => {
                say!("error: {e}");
                return ExitCode::from(1);
            }
            // Checked above: the site has no errors.
            Err(BuildError::Invalid { diags, texts }) => {
                print_diags(&diags, &texts, verbose);
                return ExitCode::from(1);
            }
        }
    }
    ExitCode::SUCCESS
}

fn chart(args: ChartArgs, verbose: bool) -> ExitCode {
    let ChartArgs {
        iso3,
        chart,
        format,
        width,
        height,
        scale,
        lang,
        output,
        root,
    } = args;
    let root = root.unwrap_or_else(|| PathBuf::from("."));
    let format = match format {
        ChartFormatArg::Svg => mpgen::plan::ChartFormat::Svg,
        ChartFormatArg::Png => mpgen::plan::ChartFormat::Png,
        ChartFormatArg::Pdf => mpgen::plan::ChartFormat::Pdf,
    };
    let request = pipeline::ChartRequest {
        iso3: iso3.clone(),
        chart: chart.clone(),
        format,
        width,
        height,
        scale,
        lang,
    };
    match pipeline::chart(&root, &request) {
        Ok(bytes) => {
            let path = output.unwrap_or_else(|| {
                PathBuf::from(format!(
                    "{}-{chart}.{}",
                    iso3.to_ascii_lowercase(),
                    format.ext()
                ))
            });
            match std::fs::write(&path, bytes) {
                Ok(()) => {
                    say!("wrote {}", path.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    say!("error: {}: {e}", path.display());
                    ExitCode::from(1)
                }
            }
        }
        Err(BuildError::Invalid { diags, texts }) => {
            print_diags(&diags, &texts, verbose);
            say!("error: the site has problems ({})", summary(&diags));
            ExitCode::from(1)
        }
        Err(BuildError::Failed(e)) => {
            say!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn schema(args: SchemaArgs, verbose: bool) -> ExitCode {
    let root = args.root.unwrap_or_else(|| PathBuf::from("."));
    match mpgen::schema::write_for(&root) {
        Ok(Ok(written)) => {
            for file in &written.changed {
                say!("wrote {}", root.join(file).display());
            }
            say!(
                "schemas of {}: {} written, {} unchanged",
                root.display(),
                written.changed.len(),
                written.unchanged
            );
            ExitCode::SUCCESS
        }
        Ok(Err(loaded)) => {
            print_diags(&loaded.diags, &loaded.texts, verbose);
            say!("no schema written: fix the settings and catalogue first");
            ExitCode::from(1)
        }
        Err(e) => {
            say!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn lsp(args: SchemaArgs) -> ExitCode {
    match mpgen::lsp::run(args.root.as_deref()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            say!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn init(args: InitArgs) -> ExitCode {
    let InitArgs { dir } = args;
    match mpgen::scaffold::init(&dir) {
        Ok(files) => {
            say!(
                "made a new site in {} ({} files); build it with `mpgen build --root {}`",
                dir.display(),
                files,
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            say!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn diff(args: DiffArgs, verbose: bool) -> ExitCode {
    let DiffArgs { old, root, format } = args;
    let root = root.unwrap_or_else(|| PathBuf::from("."));
    let states =
        mpgen::diff::old(&root, &old).and_then(|o| mpgen::diff::now(&root).map(|n| (o, n)));
    match states {
        Ok((o, n)) => {
            let report = mpgen::diff::compare(&o, &n);
            match format {
                Format::Json => out!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                ),
                Format::Human => out!(raw "{}", mpgen::diff::human(&report)),
            }
            ExitCode::SUCCESS
        }
        Err(mpgen::diff::DiffError::Invalid { which, error }) => {
            // Warnings are `check`'s business; a diff needs both sites whole.
            if let pipeline::BuildError::Invalid { diags, texts } = *error {
                let errors: Vec<Diagnostic> =
                    diags.into_iter().filter(Diagnostic::is_error).collect();
                print_diags(&errors, &texts, verbose);
                say!("diff: {which} has errors: {}", summary(&errors));
            }
            ExitCode::from(1)
        }
        Err(e) => {
            say!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn import(args: ImportArgs, verbose: bool) -> ExitCode {
    let ImportArgs {
        files,
        root,
        indicator,
        source,
        only,
        dry_run,
        top,
        no_new,
    } = args;
    let root = root.unwrap_or_else(|| PathBuf::from("."));
    let opts = mpgen::import::Options {
        indicator,
        source,
        only: only.map(|codes| {
            codes
                .iter()
                .map(|c| c.trim().to_ascii_uppercase())
                .collect()
        }),
        dry_run,
        top,
        new_profiles: !no_new,
    };
    let outcome = mpgen::import::run(&root, &files, &opts);
    print_diags(&outcome.diags, &outcome.texts, verbose);
    if let Some(report) = &outcome.report {
        out!(raw "{report}");
    }
    if outcome.failed() {
        let changed = match outcome.written.len() {
            0 => "no profile was changed".to_string(),
            n => format!("{n} profiles were written before it stopped"),
        };
        say!("import failed: {}; {changed}", summary(&outcome.diags));
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn new_profile(args: NewProfileArgs) -> ExitCode {
    let NewProfileArgs { iso3, root } = args;
    let root = root.unwrap_or_else(|| PathBuf::from("."));
    match mpgen::scaffold::new_profile(&root, &iso3) {
        Ok(path) => {
            say!("wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            say!("error: {e}");
            ExitCode::from(1)
        }
    }
}
