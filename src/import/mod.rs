//! IMPORT: international datasets into profiles, keeping every hand edit.
//!
//! `read` and `workbook` turn each file into measures keyed by code; `map` decides,
//! against the site, which measure is which indicator and which code is which profile,
//! and cleans the values; `edit` writes them into each profile's TOML with `toml_edit`;
//! `report` says what changed. All input files are read and all profiles edited in
//! memory before anything is written: an error anywhere writes nothing. Every edited
//! profile is checked as `mpgen check` would before it is written.

pub mod edit;
pub mod map;
pub mod read;
pub mod report;
pub mod workbook;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, SourceTexts};
use map::Catalogue;
pub use report::Report;

/// What the command line asks for.
#[derive(Debug, Clone)]
pub struct Options {
    /// Import into this indicator (a file with one measure), or only this indicator.
    pub indicator: Option<String>,
    /// The source every imported series names, instead of the indicator's default.
    pub source: Option<String>,
    /// Only these profiles.
    pub only: Option<BTreeSet<String>>,
    pub dry_run: bool,
    /// Partners a new partners table lists before `other`.
    pub top: usize,
    /// Start profiles for places the data has and the site has not.
    pub new_profiles: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            indicator: None,
            source: None,
            only: None,
            dry_run: false,
            top: 15,
            new_profiles: true,
        }
    }
}

/// The result: the report when the import went through, and every diagnostic.
pub struct Outcome {
    pub report: Option<Report>,
    pub diags: Vec<Diagnostic>,
    pub texts: SourceTexts,
    /// Profile files written (none on a dry run or an error).
    pub written: Vec<PathBuf>,
}

impl Outcome {
    pub fn failed(&self) -> bool {
        self.diags.iter().any(Diagnostic::is_error)
    }
}

pub fn run(root: &Path, files: &[PathBuf], opts: &Options) -> Outcome {
    let mut texts = SourceTexts::default();
    let mut diags = Vec::new();
    let failed = |diags: Vec<Diagnostic>, texts: SourceTexts| Outcome {
        report: None,
        diags,
        texts,
        written: Vec::new(),
    };

    let Some(cat) = catalogue(root, &mut texts, &mut diags) else {
        return failed(diags, texts);
    };
    let read: Vec<Read> = files.par_iter().map(|path| read_file(path)).collect();
    let mut datasets = Vec::new();
    for (dataset, d, text) in read {
        diags.extend(d);
        if let Some((name, text)) = text {
            texts.insert(&name, text);
        }
        datasets.extend(dataset);
    }
    if diags.iter().any(Diagnostic::is_error) {
        return failed(diags, texts);
    }
    let plan = map::plan(&datasets, &cat, opts, &mut diags);
    drop(datasets);
    if diags.iter().any(Diagnostic::is_error) {
        return failed(diags, texts);
    }

    let edited: Vec<Edited> = plan
        .profiles
        .par_iter()
        .map(|(code, p)| edit_profile(root, &cat, code, p))
        .collect();
    let mut reports = Vec::new();
    let mut writes = Vec::new();
    for e in edited {
        diags.extend(e.diags);
        for (name, text) in e.texts {
            texts.insert(&name, text);
        }
        if let Some(text) = e.text {
            writes.push((root.join(&e.report.file), text));
        }
        reports.push(e.report);
    }
    let report = Report::new(plan, reports, opts.dry_run);
    if diags.iter().any(Diagnostic::is_error) {
        return failed(diags, texts);
    }
    let mut written = Vec::new();
    if !opts.dry_run {
        for (path, text) in writes {
            match write_atomic(&path, &text) {
                Ok(()) => written.push(path),
                Err(e) => diags.push(Diagnostic::error(
                    &path.display().to_string(),
                    None,
                    format!("cannot write this file: {e}"),
                )),
            }
        }
    }
    Outcome {
        report: Some(report),
        diags,
        texts,
        written,
    }
}

/// The site's settings, catalogue and sources, which must be free of errors, and the
/// codes of the profiles it has.
fn catalogue(
    root: &Path,
    texts: &mut SourceTexts,
    diags: &mut Vec<Diagnostic>,
) -> Option<Catalogue> {
    let loaded = crate::load::load_catalogue(root);
    let catalogue_files = ["site.toml", "indicators.toml", "sources.toml"];
    let mut d: Vec<Diagnostic> = loaded
        .diags
        .iter()
        .filter(|d| catalogue_files.contains(&d.file.as_str()))
        .cloned()
        .collect();
    let config = crate::model::check_config(loaded.config.as_ref(), &mut d);
    let sources = crate::model::check_sources(&loaded.sources, "sources.toml", &mut d);
    let indicators = crate::model::check_indicators(&loaded.indicators, &config, &sources, &mut d);
    texts.merge(loaded.texts);
    let errors = d.iter().any(Diagnostic::is_error);
    diags.extend(d.into_iter().filter(Diagnostic::is_error));
    if errors {
        return None;
    }
    let profiles = std::fs::read_dir(root.join("profiles"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if crate::load::is_ignored(&name) {
                return None;
            }
            name.strip_suffix(".toml").map(str::to_string)
        })
        .collect();
    let mut cat = Catalogue::new(config, indicators, sources, profiles);
    cat.raw_indicators = loaded.indicators;
    cat.rcps = crate::model::check_rcps(&loaded.rcps, &mut Vec::new());
    Some(cat)
}

pub type Read = (
    Option<read::Dataset>,
    Vec<Diagnostic>,
    Option<(String, Arc<str>)>,
);

/// The largest input file `import` reads whole: the UN DESA bilateral table, the
/// largest dataset it knows, is about 100 MB.
const MAX_IMPORT_BYTES: u64 = 1024 * 1024 * 1024;

/// Reads one input file: a workbook by its bytes, any other by its header.
fn read_file(path: &Path) -> Read {
    let name = path.display().to_string();
    let mut diags = Vec::new();
    let too_large = std::fs::metadata(path).is_ok_and(|m| m.len() > MAX_IMPORT_BYTES);
    if too_large {
        diags.push(Diagnostic::error(
            &name,
            None,
            format!(
                "this file is larger than {} MB, more than any dataset `import` reads",
                MAX_IMPORT_BYTES / 1_000_000
            ),
        ));
        return (None, diags, None);
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            diags.push(Diagnostic::error(
                &name,
                None,
                format!("cannot read this file: {e}"),
            ));
            return (None, diags, None);
        }
    };
    read_bytes(&name, bytes, wdi_code_hint(path))
}

/// Reads one input file's bytes (`name` for messages; `code_hint` the World Bank code
/// its folder names): a zip as a World Bank download or a workbook, else CSV by its
/// header. A pure function of its input, so the fuzz targets call it.
pub fn read_bytes(name: &str, bytes: Vec<u8>, code_hint: Option<String>) -> Read {
    let mut diags = Vec::new();
    let name = name.to_string();
    let (name, bytes) = if bytes.starts_with(b"PK\x03\x04") {
        match unzip_world_bank(&name, &bytes) {
            Ok(Some(csv)) => csv,
            Ok(None) => {
                let d = workbook::read_workbook(&name, &bytes, &mut diags);
                return (d, diags, None);
            }
            Err(d) => return (None, vec![d], None),
        }
    } else {
        (name, bytes)
    };
    let (text, problem) = crate::load::decode(&name, &bytes);
    if let Some(p) = problem {
        diags.push(p);
        return (None, diags, Some((name, text)));
    }
    let d = read::read_csv(&name, &text, code_hint, &mut diags);
    (d, diags, Some((name, text)))
}

/// The data file of a World Bank download as served (`API_<code>_DS2_en_csv_v2_<n>.zip`,
/// holding `API_....csv` and two metadata files), as `archive.zip/API_....csv`; `None`
/// for a zip that is a workbook.
fn unzip_world_bank(name: &str, bytes: &[u8]) -> Result<Option<(String, Vec<u8>)>, Diagnostic> {
    use std::io::Read as _;
    let bad = |e: &dyn std::fmt::Display| {
        Diagnostic::error(name, None, format!("not a readable zip archive: {e}"))
    };
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| bad(&e))?;
    unzipped_sizes_fit(name, &mut zip)?;
    if zip.index_for_name("xl/workbook.xml").is_some() {
        return Ok(None);
    }
    let Some(entry) = zip
        .file_names()
        .filter_map(Result::ok)
        .filter(|f| {
            let base = f.rsplit('/').next().unwrap_or(f);
            base.starts_with("API_") && base.ends_with(".csv")
        })
        .map(|f| f.into_owned())
        .min()
    else {
        return Err(Diagnostic::error(
            name,
            None,
            "this zip archive holds neither a World Bank data file (`API_*.csv`) nor a workbook",
        ));
    };
    let mut data = Vec::new();
    // The reader stops with an error past the size the entry declares, and that was
    // checked above: what is read is bounded.
    zip.by_name(&entry)
        .map_err(|e| bad(&e))?
        .read_to_end(&mut data)
        .map_err(|e| bad(&e))?;
    Ok(Some((format!("{name}/{entry}"), data)))
}

/// A World Bank file is well under a megabyte, and the UN DESA workbook under 20 MB
/// unpacked; these keep a zip bomb out.
const MAX_UNZIPPED: u64 = 256 * 1024 * 1024;
const MAX_UNZIPPED_TOTAL: u64 = 1024 * 1024 * 1024;

/// Refuses an archive whose entries declare more than [`MAX_UNZIPPED`] each, or
/// [`MAX_UNZIPPED_TOTAL`] together, before anything is unpacked. The zip reader holds
/// every entry to its declared size, so a lie about it ends in an error, not a bomb.
fn unzipped_sizes_fit<R: std::io::Read + std::io::Seek>(
    name: &str,
    zip: &mut zip::ZipArchive<R>,
) -> Result<(), Diagnostic> {
    let mut total = 0u64;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| {
            Diagnostic::error(name, None, format!("not a readable zip archive: {e}"))
        })?;
        total = total.saturating_add(entry.size());
        if entry.size() > MAX_UNZIPPED || total > MAX_UNZIPPED_TOTAL {
            return Err(Diagnostic::error(
                name,
                None,
                format!(
                    "this archive unpacks to more than {} MB (`{}` alone is {} MB); `import` reads archives up to {} MB, entries up to {} MB",
                    total / 1_000_000,
                    entry.name().unwrap_or_default(),
                    entry.size() / 1_000_000,
                    MAX_UNZIPPED_TOTAL / 1_000_000,
                    MAX_UNZIPPED / 1_000_000
                ),
            ));
        }
    }
    Ok(())
}

/// The World Bank code a tidy World Bank file holds: its `datapackage.json` says
/// (`"worldbank": {"indicator": "sm.pop.totl"}`), else a folder named like a code.
fn wdi_code_hint(path: &Path) -> Option<String> {
    let dir = path.parent()?;
    let from_package = std::fs::read(dir.join("datapackage.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| v["worldbank"]["indicator"].as_str().map(str::to_string));
    let from_folder = || {
        let name = dir.file_name()?.to_str()?;
        let looks_like_code = name.contains('.')
            && name
                .split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()));
        looks_like_code.then(|| name.to_string())
    };
    from_package
        .or_else(from_folder)
        .map(|c| c.to_ascii_uppercase())
}

struct Edited {
    report: report::ProfileReport,
    /// The new text, when it differs from the file's.
    text: Option<String>,
    diags: Vec<Diagnostic>,
    texts: Vec<(String, Arc<str>)>,
}

fn edit_profile(root: &Path, cat: &Catalogue, code: &str, plan: &map::ProfilePlan) -> Edited {
    let file = format!("profiles/{code}.toml");
    let mut report = report::ProfileReport {
        code: code.to_string(),
        file: file.clone(),
        ..Default::default()
    };
    let mut diags = Vec::new();
    let mut texts = Vec::new();
    let edited = if cat.profiles.contains(code) {
        let original = match std::fs::read(root.join(&file)) {
            Ok(bytes) => {
                let (text, problem) = crate::load::decode(&file, &bytes);
                texts.push((file.clone(), text.clone()));
                if let Some(p) = problem {
                    diags.push(p);
                    return Edited {
                        report,
                        text: None,
                        diags,
                        texts,
                    };
                }
                text
            }
            Err(e) => {
                diags.push(Diagnostic::error(
                    &file,
                    None,
                    format!("cannot read this file: {e}"),
                ));
                return Edited {
                    report,
                    text: None,
                    diags,
                    texts,
                };
            }
        };
        edit::apply(&file, &original, plan, &cat.indicators, &mut report)
            .map(|text| (text != *original).then_some(text))
    } else {
        // The data tables go between the skeleton's `[country]` and its stubs.
        report.created = true;
        let filled: BTreeSet<String> = plan
            .series
            .keys()
            .chain(plan.partners.keys())
            .cloned()
            .collect();
        let (head, tail) =
            crate::scaffold::skeleton(&cat.raw_indicators, &cat.config, code, &filled);
        edit::apply(&file, "", plan, &cat.indicators, &mut report)
            .map(|data| Some(format!("{head}\n{}{tail}", data.trim_start())))
    };
    let text = match edited {
        Ok(Some(t)) => t,
        Ok(None) => {
            return Edited {
                report,
                text: None,
                diags,
                texts,
            };
        }
        Err(d) => {
            diags.push(d);
            return Edited {
                report,
                text: None,
                diags,
                texts,
            };
        }
    };
    // The edited profile must pass the checks its file would; a problem it had before
    // is the team's to fix first, and is reported the same way.
    let shown = if report.created {
        file.clone()
    } else {
        format!("{file} (as imported)")
    };
    let mut check = Vec::new();
    let raw = crate::load::profile_from_text(&shown, code, &text, &mut check);
    if let Some(raw) = raw {
        let ctx = crate::model::ProfileCtx {
            config: &cat.config,
            indicators: &cat.indicators,
            sources: &cat.sources,
            rcps: &cat.rcps,
        };
        crate::model::check_profile(&raw, &ctx, &mut check);
    }
    if check.iter().any(Diagnostic::is_error) {
        texts.push((shown, Arc::from(text.as_str())));
        diags.extend(check.into_iter().filter(Diagnostic::is_error));
        return Edited {
            report,
            text: None,
            diags,
            texts,
        };
    }
    Edited {
        report,
        text: Some(text),
        diags,
        texts,
    }
}

/// Writes a whole file or nothing: a temporary file beside it, renamed over it.
fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".import-")
        .tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
