//! LOAD: find a site's files, read their bytes and parse them, with no judgement of
//! meaning. Each file is read and parsed on its own, in parallel; every parse keeps
//! byte spans so later stages can point at a line. Problems with a file as a file
//! (not UTF-8, empty, too large, not TOML, unknown keys, wrong types) become diagnostics.

pub mod calls;
pub mod catalogue;
pub mod config;
pub mod content;
pub mod profile;
pub mod theme;
pub mod toml_reader;

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, SourceTexts};
use catalogue::{RawIndicator, RawRcp, RawSource};
use config::RawConfig;
use content::RawPage;
use profile::RawProfile;
use theme::{ThemeFile, ThemeFiles};
use toml_reader::Reader;

/// Larger input files are refused: no country profile comes near this, and it keeps a
/// mistaken data dump from eating the machine's memory.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// The settings and catalogue files, at the site's root.
pub const CATALOGUE_FILES: [&str; 4] =
    ["site.toml", "indicators.toml", "sources.toml", "rcps.toml"];

/// Everything read from a site folder.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub config: Option<RawConfig>,
    pub indicators: Vec<RawIndicator>,
    pub sources: Vec<RawSource>,
    pub rcps: Vec<RawRcp>,
    pub profiles: Vec<Arc<RawProfile>>,
    pub pages: Vec<RawPage>,
    pub theme: ThemeFiles,
    /// `static/**` of the site, copied as is: (path under `static/`, bytes).
    pub static_files: Vec<(String, Arc<[u8]>)>,
    pub texts: SourceTexts,
    pub diags: Vec<Diagnostic>,
}

/// A name to skip in every folder: hidden files and the temporary, backup, swap and
/// lock files of editors (vim, emacs, JetBrains, Kate).
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || (name.starts_with('#') && name.ends_with('#'))
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
        || name.ends_with(".kate-swp")
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".bak")
        || name.ends_with(".tmp")
        || name == "4913"
}

/// Files under `dir` (relative to `root`, `/`-separated), sorted, skipping ignored names.
///
/// A link is followed only to a place inside the site (the site's own real folder):
/// `static` linked to `/etc` would otherwise publish it. A link that leads out, or
/// nowhere, is a warning naming it; a folder that cannot be read is an error, never a
/// silent gap in the site.
fn walk(root: &Path, dir: &str, diags: &mut Vec<Diagnostic>) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(site) = root.canonicalize() else {
        return out;
    };
    let mut seen = HashSet::new();
    let mut stack = Vec::new();
    match fs::symlink_metadata(root.join(dir)) {
        Ok(_) => stack.push(dir.to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return out,
        Err(e) => diags.push(unreadable(dir, &e)),
    }
    while let Some(rel_dir) = stack.pop() {
        let path = root.join(&rel_dir);
        let real = match inside(&site, &path) {
            Ok(real) => real,
            Err(why) => {
                diags.push(left_out(&rel_dir, &why));
                continue;
            }
        };
        if !seen.insert(real) {
            continue; // a link back to a folder already read
        }
        let entries = match fs::read_dir(&path) {
            Ok(entries) => entries,
            Err(e) => {
                diags.push(unreadable(&rel_dir, &e));
                continue;
            }
        };
        let mut list = Vec::new();
        for e in entries {
            match e {
                Ok(e) => list.push(e),
                Err(e) => diags.push(unreadable(&rel_dir, &e)),
            }
        }
        // In name order, so that which of two ways to one folder is read is always
        // the same.
        list.sort_by_key(|e| e.file_name());
        for e in list {
            let name = e.file_name().to_string_lossy().into_owned();
            if is_ignored(&name) {
                continue;
            }
            let rel = format!("{rel_dir}/{name}");
            let Ok(mut ft) = e.file_type() else { continue };
            if ft.is_symlink() {
                match inside(&site, &e.path()).and_then(|real| {
                    fs::metadata(real).map_err(|e| format!("it leads nowhere ({e})"))
                }) {
                    Ok(m) => ft = m.file_type(),
                    Err(why) => {
                        diags.push(left_out(&rel, &why));
                        continue;
                    }
                }
            }
            if ft.is_dir() {
                stack.push(rel);
            } else if ft.is_file() {
                out.push(rel);
            }
        }
    }
    out.sort();
    out
}

/// Where `path` really is, when that is inside `site` (a canonical path); else why not.
fn inside(site: &Path, path: &Path) -> Result<std::path::PathBuf, String> {
    match path.canonicalize() {
        Ok(real) if real.starts_with(site) => Ok(real),
        Ok(real) => Err(format!(
            "it is a link to {}, outside the site",
            real.display()
        )),
        Err(e) => Err(format!("it is a link that leads nowhere ({e})")),
    }
}

fn left_out(rel: &str, why: &str) -> Diagnostic {
    Diagnostic::warning(rel, None, format!("not read: {why}"))
        .with_help("mpgen reads only what is inside the site folder; copy the files in instead of linking to them")
}

fn unreadable(rel: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(rel, None, format!("cannot read this folder: {e}"))
        .with_help("every file of the site must be readable by whoever builds it")
}

/// Reads a text file: refuses files that are too large, empty or not UTF-8, and drops
/// a byte-order mark. On failure the text (lossy) is still recorded, so the diagnostic
/// can show the line.
pub fn read_text(
    root: &Path,
    rel: &str,
    texts: &mut SourceTexts,
    diags: &mut Vec<Diagnostic>,
) -> Option<Arc<str>> {
    match read_bytes(root, rel) {
        Ok(bytes) => record(rel, &bytes, texts, diags),
        Err(msg) => {
            diags.push(Diagnostic::error(rel, None, msg));
            None
        }
    }
}

/// Decodes a file's bytes and records its text, so that diagnostics can show its lines
/// even when it is refused.
fn record(
    rel: &str,
    bytes: &[u8],
    texts: &mut SourceTexts,
    diags: &mut Vec<Diagnostic>,
) -> Option<Arc<str>> {
    let (text, problem) = decode(rel, bytes);
    texts.insert(rel, text.clone());
    match problem {
        Some(d) => {
            diags.push(d);
            None
        }
        None => Some(text),
    }
}

fn read_bytes(root: &Path, rel: &str) -> Result<Vec<u8>, String> {
    let path = root.join(rel);
    // The listing follows no link out of the site; the site files (site.toml ...) are
    // not listed, and a link can change after listing: every read is checked.
    if let Ok(site) = root.canonicalize() {
        inside(&site, &path).map_err(|why| format!("not read: {why}"))?;
    }
    let meta = fs::metadata(&path).map_err(|e| format!("cannot read this file: {e}"))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    fs::read(&path).map_err(|e| format!("cannot read this file: {e}"))
}

fn too_large(bytes: u64) -> String {
    format!("this file is {bytes} bytes; input files may be at most {MAX_FILE_BYTES} bytes (10 MB)")
}

/// The text of a file: the one an editor holds open (`mpgen lsp`), else the one on disk,
/// under the same rules.
fn text_of(
    root: &Path,
    rel: &str,
    open: Option<&Arc<str>>,
    texts: &mut SourceTexts,
    diags: &mut Vec<Diagnostic>,
) -> Option<Arc<str>> {
    let Some(open) = open else {
        return read_text(root, rel, texts, diags);
    };
    if open.len() as u64 > MAX_FILE_BYTES {
        diags.push(Diagnostic::error(rel, None, too_large(open.len() as u64)));
        return None;
    }
    record(rel, open.as_bytes(), texts, diags)
}

/// Bytes to text: BOM dropped, UTF-8 required, empty refused.
pub fn decode(rel: &str, bytes: &[u8]) -> (Arc<str>, Option<Diagnostic>) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) if text.trim().is_empty() => (
            Arc::from(text),
            Some(Diagnostic::error(rel, None, "this file is empty")),
        ),
        Ok(text) => (Arc::from(text), None),
        Err(e) => {
            let at = e.valid_up_to();
            let lossy = String::from_utf8_lossy(bytes).into_owned();
            let d = Diagnostic::error(
                rel,
                Some(at..at + '\u{FFFD}'.len_utf8()),
                "this file is not UTF-8 text",
            )
            .with_help(
                "save the file with the UTF-8 encoding (most editors offer it under \"Save as\")",
            );
            (Arc::from(lossy), Some(d))
        }
    }
}

/// Reads and parses the whole site under `root`.
pub fn load(root: &Path) -> Loaded {
    load_cached(
        root,
        &mut Cache::default(),
        &Changed::Maybe(&BTreeSet::new()),
    )
}

/// What changed since the last load, as far as the caller knows.
#[derive(Debug, Clone, Copy)]
pub enum Changed<'a> {
    /// These files (paths relative to the root), and any other whose length or
    /// modification time moved: every folder is listed again, every file looked at.
    Maybe(&'a BTreeSet<String>),
    /// Exactly these files and folders, created, changed or removed (a watcher's
    /// events): the last listing stands but for them, and no other file is looked at.
    /// A change the listing cannot take in by itself (a folder, a settings file) lists
    /// the site again.
    Exactly(&'a BTreeSet<String>),
}

impl Changed<'_> {
    fn paths(&self) -> &BTreeSet<String> {
        match self {
            Changed::Maybe(p) | Changed::Exactly(p) => p,
        }
    }
}

/// What one file of the site is to the build, by where it lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Config,
    Indicators,
    Sources,
    Rcps,
    Profile,
    Page,
    /// A file of `themes/<name>/`, with the length of that prefix.
    Theme(usize),
    Static,
}

/// One file, parsed: what it holds, its text and its problems as a file.
#[derive(Debug, Clone)]
struct Parsed {
    item: Option<Item>,
    texts: SourceTexts,
    diags: Vec<Diagnostic>,
}

#[derive(Debug, Clone)]
enum Item {
    Config(Box<RawConfig>),
    Indicators(Vec<RawIndicator>),
    Sources(Vec<RawSource>),
    Rcps(Vec<RawRcp>),
    Profile(Arc<RawProfile>),
    Page(Box<RawPage>),
    Theme(String, ThemeFile),
    Static(String, Arc<[u8]>),
}

/// How a file looked when it was parsed: its length and modification time. A file
/// whose stamp moved is read again, even when no watcher said so.
type Stamp = (u64, Option<std::time::SystemTime>);

fn stamp(root: &Path, rel: &str) -> Stamp {
    match fs::metadata(root.join(rel)) {
        Ok(m) => (m.len(), m.modified().ok()),
        Err(_) => (u64::MAX, None),
    }
}

/// Parsed files kept between builds, by path: a rebuild parses again only the files
/// that changed (named by the watcher, or with a new length or modification time).
#[derive(Debug, Default)]
pub struct Cache {
    files: rustc_hash::FxHashMap<String, (Stamp, Arc<Parsed>)>,
    /// The files the last load listed.
    listing: Option<Listing>,
    /// Files parsed by the last load: what a change cost.
    pub parsed: usize,
    /// Files listed by the load under way.
    listed: usize,
    /// The texts an editor holds open, by path: they stand in for the files on disk.
    /// A load must name a file whose text here changed (`Changed`) to read it again.
    pub open: rustc_hash::FxHashMap<String, Arc<str>>,
}

/// The files of a site, as a load listed them.
#[derive(Debug, Clone)]
struct Listing {
    /// Settings and catalogues, profiles, content pages and static files, in that
    /// order, each kind's by path.
    files: Vec<(String, Kind)>,
    /// `themes/<name>` of the theme in use, and its files by path.
    theme_dir: String,
    theme: Vec<(String, Kind)>,
    /// What listing found wrong (no site.toml, no such theme).
    diags: Vec<Diagnostic>,
}

impl Kind {
    /// The order of kinds in a listing.
    fn rank(self) -> u8 {
        match self {
            Kind::Config | Kind::Indicators | Kind::Sources | Kind::Rcps => 0,
            Kind::Profile => 1,
            Kind::Page => 2,
            Kind::Static => 3,
            Kind::Theme(_) => 4,
        }
    }
}

impl Listing {
    /// Takes in the files in `changed`, as they are on disk now. `false` when that
    /// takes listing the site again: a settings file, a folder, or a path the listing
    /// does not know gone with files under it.
    fn update(&mut self, root: &Path, changed: &BTreeSet<String>) -> bool {
        for path in changed {
            let Some((top, _)) = path.split_once('/') else {
                return false;
            };
            if path.split('/').any(is_ignored) {
                continue;
            }
            let theme = format!("{}/", self.theme_dir);
            let (list, kind) = match top {
                "profiles" => (&mut self.files, Kind::Profile),
                "content" => (&mut self.files, Kind::Page),
                "static" => (&mut self.files, Kind::Static),
                "themes" if path.starts_with(&theme) => (&mut self.theme, Kind::Theme(theme.len())),
                "themes" => continue,
                _ => return false,
            };
            let at =
                list.binary_search_by(|(p, k)| (k.rank(), p.as_str()).cmp(&(kind.rank(), path)));
            match fs::symlink_metadata(root.join(path)) {
                // A link is judged (inside the site or not) by listing again.
                Ok(m) if m.is_dir() || m.file_type().is_symlink() => return false,
                Ok(m) if m.is_file() => {
                    // `content/` holds pages and their images: only pages are read.
                    let listed = kind != Kind::Page || path.ends_with(".md");
                    if let (Err(at), true) = (at, listed) {
                        list.insert(at, (path.clone(), kind));
                    }
                }
                _ => match at {
                    Ok(at) => {
                        list.remove(at);
                    }
                    Err(_) => {
                        let under = format!("{path}/");
                        if list.iter().any(|(p, _)| p.starts_with(&under)) {
                            return false;
                        }
                    }
                },
            }
        }
        true
    }
}

/// Lists the site's files: its settings and catalogues, profiles, content pages and
/// static files, then (by the theme named in site.toml, parsed first) the theme's.
fn list(
    root: &Path,
    cache: &mut Cache,
    changed: &Changed,
) -> (Listing, Vec<(String, Arc<Parsed>)>) {
    let mut diags = Vec::new();
    let mut files = catalogue_files(root, &mut diags);
    files.extend(
        walk(root, "profiles", &mut diags)
            .into_iter()
            .map(|r| (r, Kind::Profile)),
    );
    files.extend(
        walk(root, "content", &mut diags)
            .into_iter()
            .filter(|r| r.ends_with(".md"))
            .map(|r| (r, Kind::Page)),
    );
    files.extend(
        walk(root, "static", &mut diags)
            .into_iter()
            .map(|r| (r, Kind::Static)),
    );
    let parsed = parse_all(root, cache, changed, files.clone());
    let theme_name = parsed
        .iter()
        .find_map(|p| match &p.1.item {
            Some(Item::Config(c)) => c.theme.as_ref().map(|t| t.value.clone()),
            _ => None,
        })
        .unwrap_or_else(|| "default".to_string());
    let theme_dir = format!("themes/{theme_name}");
    if theme_name != "default" && !root.join(&theme_dir).is_dir() {
        diags.push(Diagnostic::error(
            "site.toml",
            None,
            format!("the theme `{theme_name}` does not exist: there is no folder `{theme_dir}`"),
        ));
    }
    let theme = walk(root, &theme_dir, &mut diags)
        .into_iter()
        .map(|r| (r, Kind::Theme(theme_dir.len() + 1)))
        .collect();
    let listing = Listing {
        files,
        theme_dir,
        theme,
        diags,
    };
    (listing, parsed)
}

/// Reads and parses the site under `root`, reusing every parse in `cache` whose file
/// has not changed (see [`Changed`]).
pub fn load_cached(root: &Path, cache: &mut Cache, changed: &Changed) -> Loaded {
    let mut loaded = Loaded::default();
    let mut texts = SourceTexts::default();
    cache.parsed = 0;
    cache.listed = 0;

    let mut kept = None;
    if let (Changed::Exactly(paths), Some(mut listing)) = (changed, cache.listing.take())
        && listing.update(root, paths)
    {
        let parsed = parse_all(root, cache, changed, listing.files.clone());
        kept = Some((listing, parsed));
    }
    let (listing, mut parsed) = match kept {
        Some(kept) => kept,
        None => list(root, cache, changed),
    };
    parsed.extend(parse_all(root, cache, changed, listing.theme.clone()));
    let diags = listing.diags.clone();
    cache.listing = Some(listing);
    // Files that are gone (or of another theme) leave the cache. Every file listed is
    // in it now, so only when it holds more is there anything to drop.
    if cache.files.len() > cache.listed {
        let listed: HashSet<&str> = parsed_paths(&parsed);
        cache.files.retain(|rel, _| listed.contains(rel.as_str()));
    }

    for (origin, text) in embedded_texts() {
        texts.insert(origin, text.clone());
    }
    loaded.theme = ThemeFiles::embedded();
    fill(&mut loaded, parsed, texts, diags);
    loaded
}

/// Puts parsed files into `loaded`, with their texts and diagnostics after `texts` and
/// `diags`.
fn fill(
    loaded: &mut Loaded,
    parsed: Vec<(String, Arc<Parsed>)>,
    mut texts: SourceTexts,
    mut diags: Vec<Diagnostic>,
) {
    texts.merge_all(parsed.iter().map(|(_, p)| &p.texts));
    for (_, p) in parsed {
        diags.extend(p.diags.iter().cloned());
        match p.item.clone() {
            Some(Item::Config(c)) => loaded.config = Some(*c),
            Some(Item::Indicators(v)) => loaded.indicators = v,
            Some(Item::Sources(v)) => loaded.sources = v,
            Some(Item::Rcps(v)) => loaded.rcps = v,
            Some(Item::Profile(prof)) => loaded.profiles.push(prof),
            Some(Item::Page(page)) => loaded.pages.push(*page),
            Some(Item::Theme(inner, file)) => loaded.theme.overlay(inner, file),
            Some(Item::Static(rel, bytes)) => loaded.static_files.push((rel, bytes)),
            None => {}
        }
    }
    loaded.texts = texts;
    loaded.diags = diags;
}

/// Reads the site's settings and catalogues only (`site.toml`, `indicators.toml`,
/// `sources.toml`, `rcps.toml`): what `import` and `new-profile` need of a site.
pub fn load_catalogue(root: &Path) -> Loaded {
    let mut diags = Vec::new();
    let files = catalogue_files(root, &mut diags);
    let parsed = parse_all(
        root,
        &mut Cache::default(),
        &Changed::Maybe(&BTreeSet::new()),
        files,
    );
    let mut loaded = Loaded::default();
    fill(&mut loaded, parsed, SourceTexts::default(), diags);
    loaded
}

/// The settings and catalogue files a site has; a missing `site.toml` or
/// `indicators.toml` is an error.
fn catalogue_files(root: &Path, diags: &mut Vec<Diagnostic>) -> Vec<(String, Kind)> {
    let mut files: Vec<(String, Kind)> = Vec::new();
    if root.join("site.toml").is_file() {
        files.push(("site.toml".into(), Kind::Config));
    } else {
        diags.push(
            Diagnostic::error("site.toml", None, "there is no site.toml here")
                .with_help("run mpgen in a site folder, pass `--root DIR`, or make a new site with `mpgen init DIR`"),
        );
    }
    for (file, kind) in [
        ("indicators.toml", Kind::Indicators),
        ("sources.toml", Kind::Sources),
        ("rcps.toml", Kind::Rcps),
    ] {
        if root.join(file).is_file() {
            files.push((file.into(), kind));
        } else if kind == Kind::Indicators {
            diags.push(Diagnostic::error(
                file,
                None,
                "there is no indicators.toml: a site needs its indicator catalogue",
            ));
        }
    }
    files
}

/// The paths of the files a load listed.
fn parsed_paths(parsed: &[(String, Arc<Parsed>)]) -> HashSet<&str> {
    parsed.iter().map(|(rel, _)| rel.as_str()).collect()
}

/// The embedded theme's text files, by origin, made once: diagnostics about a template
/// show its lines.
fn embedded_texts() -> &'static [(String, Arc<str>)] {
    static TEXTS: std::sync::OnceLock<Vec<(String, Arc<str>)>> = std::sync::OnceLock::new();
    TEXTS.get_or_init(|| {
        ThemeFiles::embedded()
            .files
            .values()
            .filter_map(|f| {
                Some((
                    f.origin.clone(),
                    Arc::from(std::str::from_utf8(&f.bytes).ok()?),
                ))
            })
            .collect()
    })
}

/// Parses `files` in parallel, from the cache where it is still good; the cache then
/// holds just these files' entries plus those it held for other folders.
fn parse_all(
    root: &Path,
    cache: &mut Cache,
    changed: &Changed,
    files: Vec<(String, Kind)>,
) -> Vec<(String, Arc<Parsed>)> {
    cache.listed += files.len();
    let exact = matches!(changed, Changed::Exactly(_));
    let changed = changed.paths();
    let open = &cache.open;
    let fresh: Vec<(String, Stamp, Arc<Parsed>, bool)> = files
        .into_par_iter()
        .map(|(rel, kind)| {
            if exact
                && !changed.contains(&rel)
                && let Some((old, p)) = cache.files.get(&rel)
            {
                return (rel, *old, p.clone(), false);
            }
            let st = stamp(root, &rel);
            match cache.files.get(&rel) {
                Some((old, p)) if *old == st && !changed.contains(&rel) => {
                    (rel, st, p.clone(), false)
                }
                _ => {
                    let p = Arc::new(parse_file(root, &rel, kind, open.get(&rel)));
                    (rel, st, p, true)
                }
            }
        })
        .collect();
    cache.parsed += fresh.iter().filter(|f| f.3).count();
    fresh
        .into_iter()
        .map(|(rel, st, p, is_fresh)| {
            if is_fresh {
                cache.files.insert(rel.clone(), (st, p.clone()));
            }
            (rel, p)
        })
        .collect()
}

fn parse_file(root: &Path, rel: &str, kind: Kind, open: Option<&Arc<str>>) -> Parsed {
    let mut texts = SourceTexts::default();
    let mut diags = Vec::new();
    let item = match kind {
        Kind::Profile => parse_profile(root, rel, open, &mut texts, &mut diags),
        Kind::Page => text_of(root, rel, open, &mut texts, &mut diags).map(|text| {
            let in_content = rel["content/".len()..].to_string();
            Item::Page(Box::new(content::read(rel, &in_content, &text, &mut diags)))
        }),
        Kind::Static => match read_bytes(root, rel) {
            Ok(b) => Some(Item::Static(
                rel["static/".len()..].to_string(),
                Arc::from(b),
            )),
            Err(msg) => {
                diags.push(Diagnostic::error(rel, None, msg));
                None
            }
        },
        Kind::Theme(prefix) => {
            let inner = rel[prefix..].to_string();
            let bytes: Option<Arc<[u8]>> = if ["templates/", "i18n/", "phrases/"]
                .iter()
                .any(|d| inner.starts_with(d))
            {
                text_of(root, rel, open, &mut texts, &mut diags).map(|t| Arc::from(t.as_bytes()))
            } else {
                match read_bytes(root, rel) {
                    Ok(b) => Some(Arc::from(b)),
                    Err(msg) => {
                        diags.push(Diagnostic::error(rel, None, msg));
                        None
                    }
                }
            };
            bytes.map(|bytes| {
                Item::Theme(
                    inner,
                    ThemeFile {
                        origin: rel.to_string(),
                        bytes,
                    },
                )
            })
        }
        Kind::Config | Kind::Indicators | Kind::Sources | Kind::Rcps => {
            text_of(root, rel, open, &mut texts, &mut diags).and_then(|text| {
                let doc = toml_reader::parse(rel, &text, &mut diags)?;
                let mut r = Reader::new(rel, &mut diags);
                Some(match kind {
                    Kind::Config => {
                        Item::Config(Box::new(config::read(&mut r, doc.get_ref(), doc.span())))
                    }
                    Kind::Indicators => {
                        Item::Indicators(catalogue::read_indicators(&mut r, doc.get_ref()))
                    }
                    Kind::Sources => {
                        Item::Sources(catalogue::read_sources(&mut r, doc.get_ref(), rel))
                    }
                    _ => Item::Rcps(catalogue::read_rcps(&mut r, doc.get_ref())),
                })
            })
        }
    };
    Parsed { item, texts, diags }
}

fn parse_profile(
    root: &Path,
    rel: &str,
    open: Option<&Arc<str>>,
    texts: &mut SourceTexts,
    diags: &mut Vec<Diagnostic>,
) -> Option<Item> {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_string();
    // Only `*.toml` files are profiles.
    let file_id = name.strip_suffix(".toml")?;
    if rel.matches('/').count() > 1 {
        diags.push(
            Diagnostic::error(
                rel,
                None,
                "profiles live directly in `profiles/`, not in sub-folders",
            )
            .with_help(format!("move it to `profiles/{name}`")),
        );
        return None;
    }
    let text = text_of(root, rel, open, texts, diags)?;
    let profile = profile_from_text(rel, file_id, &text, diags)?;
    Some(Item::Profile(Arc::new(profile)))
}

/// Reads a profile's text (`rel` is its path in the site, `file_id` its file name
/// without `.toml`).
pub fn profile_from_text(
    rel: &str,
    file_id: &str,
    text: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<RawProfile> {
    let doc = toml_reader::parse(rel, text, diags)?;
    let mut r = Reader::new(rel, diags);
    let mut profile = profile::read(&mut r, doc.get_ref(), rel, file_id);
    profile.text_hash = blake3::hash(text.as_bytes()).to_hex().to_string();
    Some(profile)
}

/// A digest of every file a build reads: names and bytes, in a fixed order. Reading and
/// hashing a few megabytes takes milliseconds, so a build can tell it has nothing to do
/// before it parses anything.
pub fn input_digest(root: &Path) -> blake3::Hash {
    let mut files: Vec<String> = CATALOGUE_FILES
        .into_iter()
        .filter(|f| root.join(f).is_file())
        .map(String::from)
        .collect();
    for dir in ["profiles", "content", "themes", "static"] {
        // What the listing says of the files is the build's to report.
        files.extend(walk(root, dir, &mut Vec::new()));
    }
    let hashes: Vec<blake3::Hash> = files
        .par_iter()
        .map(|rel| {
            let mut h = blake3::Hasher::new();
            h.update(rel.as_bytes());
            h.update(b"\0");
            match fs::read(root.join(rel)) {
                Ok(bytes) => h.update(&bytes),
                Err(e) => h.update(e.to_string().as_bytes()),
            };
            h.finalize()
        })
        .collect();
    let mut h = blake3::Hasher::new();
    for x in hashes {
        h.update(x.as_bytes());
    }
    h.finalize()
}

/// The folder a command works on: `--root`, or the current folder.
pub fn site_root(root: Option<PathBuf>) -> PathBuf {
    root.unwrap_or_else(|| PathBuf::from("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_accepts_bom_and_refuses_bad_bytes() {
        let (t, d) = decode("a.toml", b"\xEF\xBB\xBFa = 1\r\n");
        assert_eq!(&*t, "a = 1\r\n");
        assert!(d.is_none());

        let (t, d) = decode("a.toml", b"a = 1\nb = \"\xFF\"\n");
        let d = d.unwrap();
        assert_eq!(
            crate::diagnostics::line_col(&t, d.span.unwrap().start),
            (2, 6)
        );

        let (_, d) = decode("a.toml", b"  \n");
        assert!(d.unwrap().message.contains("empty"));
    }

    #[test]
    fn editor_files_are_ignored() {
        for name in [
            ".MEX.toml.swp",
            "MEX.toml~",
            "MEX.toml.bak",
            ".hidden",
            "4913",
            ".#MEX.toml",
        ] {
            assert!(is_ignored(name), "{name}");
        }
        assert!(!is_ignored("MEX.toml"));
    }
}
