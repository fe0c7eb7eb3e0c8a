//! WRITE: put rendered files in the output folder, which is never seen half-written.
//! A first build fills a staging folder beside it and renames it into place. Later
//! builds make the next version in a second folder beside it (`.public.mpgen-next`,
//! which holds the version before: only the files that differ are written, the others
//! hard-linked), then exchange the two folders in one step. Files whose bytes did not
//! change keep their inode and modification time; files the site no longer has go.
//! The manifest records each output's fingerprint and content hash, so the next
//! process knows what it can skip.

pub mod guard;
pub mod memory;

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The manifest's name in the output folder.
pub const MANIFEST: &str = ".mpgen-manifest.json";
const MANIFEST_VERSION: u32 = 3;

/// A digest as the manifest keeps it: 128 bits of blake3, in hex. As likely to collide
/// by chance as never, and the manifest is a file of the published site: at 18,000
/// outputs, whole digests and long names were 2 MB of it.
pub fn digest(hash: blake3::Hash) -> String {
    let mut hex = hash.to_hex().to_string();
    hex.truncate(32);
    hex
}

/// The manifest's length in `out` (0 when there is none): hosts count it with the site.
pub fn manifest_len(out: &Path) -> u64 {
    fs::metadata(out.join(MANIFEST)).map_or(0, |m| m.len())
}

/// About what the manifest of outputs at `paths`, with `diagnostics`, will weigh, before
/// it is written (its stamps are known only then): a little more, not less.
pub fn manifest_estimate<'p>(paths: impl Iterator<Item = &'p str>, diagnostics: &str) -> u64 {
    // An entry's two digests, its stamp's four numbers at their longest, and punctuation.
    const ENTRY: u64 = 160;
    let escaped = diagnostics.len() + diagnostics.matches(['\n', '"', '\\']).count();
    256 + escaped as u64 + paths.map(|p| p.len() as u64 + ENTRY).sum::<u64>()
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Entry {
    #[serde(rename = "f")]
    pub fingerprint: String,
    /// The [`digest`] of the bytes written.
    #[serde(rename = "h")]
    pub hash: String,
    /// How the file was on disk once written: a file whose stamp moved since was
    /// changed by someone else, and is made again.
    #[serde(default, rename = "s")]
    pub stamp: Option<Stamp>,
}

/// A file as the file system shows it: length, modification time and inode. Any
/// write to the file, in place or by replacing it, moves one of them.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Stamp {
    #[serde(rename = "l")]
    len: u64,
    #[serde(rename = "t")]
    secs: i64,
    #[serde(rename = "n")]
    nanos: u32,
    #[serde(rename = "i")]
    inode: u64,
}

impl Stamp {
    /// The file's length when stamped.
    pub fn bytes(&self) -> u64 {
        self.len
    }

    /// The stamp of a regular file; `None` for anything else.
    pub fn of(meta: &fs::Metadata) -> Option<Stamp> {
        if !meta.file_type().is_file() {
            return None;
        }
        let since = |t: std::time::SystemTime| match t.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => (d.as_secs() as i64, d.subsec_nanos()),
            Err(e) => (
                -(e.duration().as_secs() as i64),
                e.duration().subsec_nanos(),
            ),
        };
        let (secs, nanos) = meta.modified().map(since).unwrap_or_default();
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(meta);
        #[cfg(not(unix))]
        let inode = 0;
        Some(Stamp {
            len: meta.len(),
            secs,
            nanos,
            inode,
        })
    }

    /// The stamp of the file at `path`, not following a link.
    pub fn at(path: &Path) -> Option<Stamp> {
        fs::symlink_metadata(path).ok().as_ref().and_then(Stamp::of)
    }
}

/// The outputs found in a folder, as they are on disk, by path.
pub type OnDisk = rustc_hash::FxHashMap<String, Stamp>;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    /// A digest of every input file and build option: when it has not moved and every
    /// output is still there, the next build has nothing to do.
    #[serde(default)]
    pub input: String,
    /// The last build's warnings, as shown, so a build that does nothing still shows them.
    #[serde(default)]
    pub diagnostics: String,
    pub outputs: BTreeMap<String, Entry>,
}

impl Manifest {
    /// What the outputs a build recorded weigh, by their stamps.
    pub fn size(&self) -> crate::model::hosts::Size {
        let mut size = crate::model::hosts::Size::default();
        for (path, e) in &self.outputs {
            size.add(path, e.stamp.as_ref().map_or(0, Stamp::bytes));
        }
        size
    }

    /// The last build's manifest; empty when there is none or it cannot be read (then
    /// everything is rendered again, which is always correct).
    pub fn read(out: &Path) -> Manifest {
        fs::read(out.join(MANIFEST))
            .ok()
            .and_then(|b| serde_json::from_slice::<Manifest>(&b).ok())
            .filter(|m| m.version == MANIFEST_VERSION)
            .unwrap_or_default()
    }

    /// Whether this output is on disk as mpgen wrote it.
    fn intact(&self, rel: &str, on_disk: &OnDisk) -> bool {
        self.outputs
            .get(rel)
            .is_some_and(|e| e.stamp.is_some() && e.stamp.as_ref() == on_disk.get(rel))
    }

    /// Whether every output the manifest lists is on disk as mpgen wrote it.
    pub fn all_intact(&self, on_disk: &OnDisk) -> bool {
        self.outputs.keys().all(|rel| self.intact(rel, on_disk))
    }

    /// Fingerprints of outputs that are on disk as written; a file deleted or changed
    /// by hand is made again.
    pub fn live_fingerprints(&self, on_disk: &OnDisk) -> BTreeMap<String, String> {
        self.outputs
            .iter()
            .filter(|(rel, _)| self.intact(rel, on_disk))
            .map(|(p, e)| (p.clone(), e.fingerprint.clone()))
            .collect()
    }
}

/// Removes from `dir` everything its manifest `keep` does not list (files put there by
/// hand, links, folders no output needs, temporary files of a stopped build) and says
/// how each listed file is on disk. A missing folder holds nothing.
pub fn sweep(dir: &Path, keep: &Manifest) -> Result<OnDisk> {
    let mut folders = std::collections::HashSet::new();
    for rel in keep.outputs.keys() {
        let mut at = rel.as_str();
        while let Some((parent, _)) = at.rsplit_once('/') {
            if !folders.insert(parent) {
                break;
            }
            at = parent;
        }
    }
    let found = std::sync::Mutex::new(Vec::new());
    let sweeper = Sweeper {
        keep,
        folders: &folders,
        found: &found,
    };
    io_pool(|| sweeper.folder(dir, ""))?;
    let found = found.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok(found.into_iter().collect())
}

struct Sweeper<'a> {
    keep: &'a Manifest,
    folders: &'a std::collections::HashSet<&'a str>,
    found: &'a std::sync::Mutex<Vec<(String, Stamp)>>,
}

impl Sweeper<'_> {
    fn folder(&self, dir: &Path, rel: &str) -> Result<()> {
        use rayon::prelude::*;
        let entries = match fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if rel.is_empty() && e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io(dir, e)),
        };
        let mut found = Vec::new();
        let mut below = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(dir, e))?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let inner = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let kind = entry.file_type().map_err(|e| Error::io(&path, e))?;
            if kind.is_dir() && self.folders.contains(inner.as_str()) {
                below.push((path, inner));
            } else if kind.is_dir() {
                fs::remove_dir_all(&path).map_err(|e| Error::io(&path, e))?;
            } else if kind.is_file() && rel.is_empty() && name == MANIFEST {
            } else if kind.is_file() && self.keep.outputs.contains_key(&inner) {
                let meta = entry.metadata().map_err(|e| Error::io(&path, e))?;
                found.extend(Stamp::of(&meta).map(|s| (inner, s)));
            } else {
                fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
            }
        }
        self.found
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(found);
        below
            .par_iter()
            .try_for_each(|(path, inner)| self.folder(path, inner))
    }
}

/// A path inside the output folder, refusing anything that could leave it.
pub fn safe_join(out: &Path, rel: &str) -> Result<PathBuf> {
    let rel_path = Path::new(rel);
    let ok = !rel.is_empty()
        && !rel.contains('\\')
        && rel_path
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    if ok {
        Ok(out.join(rel_path))
    } else {
        Err(Error::Output(format!(
            "refusing to write outside the output folder: {rel:?}"
        )))
    }
}

/// What a write did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteReport {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| Error::Output(format!("no parent folder for {}", path.display())))?;
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".mpgen-");
    // Temporary files are private (0600) by default; a published site must be readable
    // by the web server, as a file made by `fs::write` would be.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o644));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Runs `f` on a pool sized for file-system work: creating files is kernel time, not
/// CPU time, so more threads than cores keep the disk queue full.
fn io_pool<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    match POOL.get_or_init(|| rayon::ThreadPoolBuilder::new().num_threads(8).build().ok()) {
        Some(pool) => pool.install(f),
        None => f(),
    }
}

/// Writes the rendered files and removes stale ones. `rendered` holds only the outputs
/// that were rendered this time; `plan_fingerprints` the fingerprint of every output of
/// the plan.
/// `on_disk` is what [`sweep`] found of the previous build's outputs in `out`.
pub fn write(
    out: &Path,
    previous: &Manifest,
    on_disk: &OnDisk,
    plan_fingerprints: &BTreeMap<String, String>,
    rendered: Vec<(String, Vec<u8>)>,
    input: String,
    diagnostics: String,
) -> Result<WriteReport> {
    recover(out)?;
    if is_fresh(out) {
        return write_fresh(out, plan_fingerprints, rendered, input, diagnostics);
    }
    let changes = Changes::new(
        previous,
        on_disk,
        plan_fingerprints,
        rendered,
        input,
        diagnostics,
    );
    if changes.changed.is_empty() && changes.removed.is_empty() {
        // Only the manifest moves (an input changed without changing any output): one
        // atomic write leaves the folder whole.
        write_manifest(out, &changes.next)?;
        return Ok(changes.report());
    }
    match write_swapped(out, &changes) {
        Ok(()) => Ok(changes.report()),
        // A folder that cannot be swapped (a mount point, a parent that is read-only):
        // the files are replaced one by one, each atomically.
        Err(Swap::Unsupported) => write_in_place(out, previous, &changes),
        Err(Swap::Failed(e)) => Err(e),
    }
}

/// What one build changes in the output folder.
struct Changes {
    /// Rendered files whose bytes differ from the folder's (or that are missing there).
    changed: BTreeMap<String, Vec<u8>>,
    /// Rendered files whose bytes are those the folder has.
    unchanged: usize,
    /// Outputs of the last build the site no longer has.
    removed: Vec<String>,
    next: Manifest,
}

impl Changes {
    fn new(
        previous: &Manifest,
        on_disk: &OnDisk,
        plan_fingerprints: &BTreeMap<String, String>,
        rendered: Vec<(String, Vec<u8>)>,
        input: String,
        diagnostics: String,
    ) -> Changes {
        use rayon::prelude::*;
        let hashed: Vec<(String, Vec<u8>, String, bool)> = io_pool(|| {
            rendered
                .into_par_iter()
                .map(|(rel, bytes)| {
                    let hash = digest(blake3::hash(&bytes));
                    let same = previous.outputs.get(&rel).is_some_and(|e| e.hash == hash)
                        && previous.intact(&rel, on_disk);
                    (rel, bytes, hash, same)
                })
                .collect()
        });
        let mut hashes = BTreeMap::new();
        let mut changed = BTreeMap::new();
        let mut unchanged = 0;
        for (rel, bytes, hash, same) in hashed {
            if same {
                unchanged += 1;
            } else {
                changed.insert(rel.clone(), bytes);
            }
            hashes.insert(rel, hash);
        }
        // Files not written again are the ones on disk now; those written get their
        // stamps when they are.
        let outputs = plan_fingerprints
            .iter()
            .map(|(rel, fingerprint)| {
                let hash = hashes.remove(rel).unwrap_or_else(|| {
                    previous
                        .outputs
                        .get(rel)
                        .map(|e| e.hash.clone())
                        .unwrap_or_default()
                });
                let stamp = if changed.contains_key(rel) {
                    None
                } else {
                    on_disk.get(rel).copied()
                };
                (
                    rel.clone(),
                    Entry {
                        fingerprint: fingerprint.clone(),
                        hash,
                        stamp,
                    },
                )
            })
            .collect();
        Changes {
            changed,
            unchanged,
            removed: previous
                .outputs
                .keys()
                .filter(|rel| !plan_fingerprints.contains_key(*rel))
                .cloned()
                .collect(),
            next: Manifest {
                version: MANIFEST_VERSION,
                input,
                diagnostics,
                outputs,
            },
        }
    }

    fn report(&self) -> WriteReport {
        WriteReport {
            written: self.changed.len(),
            unchanged: self.unchanged,
            removed: self.removed.len(),
        }
    }
}

fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<()> {
    let bytes = serde_json::to_vec(manifest).map_err(|e| Error::Output(e.to_string()))?;
    write_atomic(&dir.join(MANIFEST), &bytes)
}

/// A working folder beside the output folder: `.public.mpgen-<what>`.
pub(crate) fn sibling(out: &Path, what: &str) -> Result<PathBuf> {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::Output(format!("{} is not a folder name", out.display())))?;
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Ok(parent.join(format!(".{name}.mpgen-{what}")))
}

/// Puts back an output folder that a build killed in the middle of a two-step swap (on
/// systems without an atomic exchange) left under its working name.
fn recover(out: &Path) -> Result<()> {
    let moved = sibling(out, "swap")?;
    if !out.exists() && moved.is_dir() {
        fs::rename(&moved, out).map_err(|e| Error::io(out, e))?;
    }
    Ok(())
}

enum Swap {
    /// The folder cannot be swapped here; nothing in it was touched.
    Unsupported,
    Failed(Error),
}

/// The next version of the site is made in a second folder beside the output folder,
/// which holds the version before the last one: only the files that differ between the
/// two are written (or hard-linked from the output folder), then the two folders are
/// exchanged in one step. The output folder is never seen half-written, whenever the
/// build is stopped, and the second folder is ready for the next build.
fn write_swapped(out: &Path, changes: &Changes) -> std::result::Result<(), Swap> {
    use rayon::prelude::*;
    let next = sibling(out, "next").map_err(|_| Swap::Unsupported)?;
    let held = prepare_next(out, &next).map_err(|_| Swap::Unsupported)?;
    // Until the folder is complete, it has no manifest: a build stopped now makes it
    // again from the output folder next time.
    match fs::remove_file(next.join(MANIFEST)) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(_) => return Err(Swap::Unsupported),
    }
    // What the folder holds that the next version does not (the outputs it drops,
    // whatever was put there by hand) goes; what it keeps is checked as it is on disk.
    let there = sweep(&next, &changes.next).map_err(Swap::Failed)?;
    let stamps: Vec<(String, Option<Stamp>)> = io_pool(|| {
        changes
            .next
            .outputs
            .par_iter()
            .map(|(rel, entry)| {
                let target = safe_join(&next, rel)?;
                if held.outputs.get(rel).is_some_and(|e| e.hash == entry.hash)
                    && held.intact(rel, &there)
                {
                    return Ok((rel.clone(), there.get(rel).copied()));
                }
                match changes.changed.get(rel) {
                    Some(bytes) => write_atomic(&target, bytes)?,
                    None => link_atomic(&safe_join(out, rel)?, &target)?,
                }
                Ok((rel.clone(), Stamp::at(&target)))
            })
            .collect::<Result<_>>()
    })
    .map_err(Swap::Failed)?;
    let mut manifest = changes.next.clone();
    for (rel, stamp) in stamps {
        if let Some(e) = manifest.outputs.get_mut(&rel) {
            e.stamp = stamp;
        }
    }
    write_manifest(&next, &manifest).map_err(Swap::Failed)?;
    exchange(out, &next)
}

/// The second folder, with the manifest of the version it holds. Made again from the
/// output folder (hard links, no copies) when it is missing or was left unfinished.
fn prepare_next(out: &Path, next: &Path) -> Result<Manifest> {
    use rayon::prelude::*;
    let held = Manifest::read(next);
    if held.version == MANIFEST_VERSION && !held.outputs.is_empty() {
        return Ok(held);
    }
    if next.exists() {
        fs::remove_dir_all(next).map_err(|e| Error::io(next, e))?;
    }
    let current = Manifest::read(out);
    let dirs: std::collections::BTreeSet<PathBuf> = current
        .outputs
        .keys()
        .filter_map(|rel| safe_join(next, rel).ok()?.parent().map(Path::to_path_buf))
        .chain(std::iter::once(next.to_path_buf()))
        .collect();
    for dir in &dirs {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let linked: Vec<(String, Entry)> = io_pool(|| {
        current
            .outputs
            .par_iter()
            .filter_map(|(rel, entry)| {
                let from = safe_join(out, rel).ok()?;
                let to = safe_join(next, rel).ok()?;
                fs::hard_link(&from, &to).ok()?;
                Some((rel.clone(), entry.clone()))
            })
            .collect()
    });
    Ok(Manifest {
        outputs: linked.into_iter().collect(),
        ..current
    })
}

/// `to` becomes another name of `from`'s file, replacing what `to` was in one step.
fn link_atomic(from: &Path, to: &Path) -> Result<()> {
    let dir = to
        .parent()
        .ok_or_else(|| Error::Output(format!("no parent folder for {}", to.display())))?;
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let name = to
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".mpgen-link-{name}"));
    let _ = fs::remove_file(&tmp);
    fs::hard_link(from, &tmp).map_err(|e| Error::io(from, e))?;
    fs::rename(&tmp, to).map_err(|e| Error::io(to, e))
}

/// Exchanges the two folders: atomically where the system can (Linux's `renameat2`),
/// else in three renames, which `recover` completes if the build is stopped between them.
fn exchange(out: &Path, next: &Path) -> std::result::Result<(), Swap> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, out, CWD, next, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(()),
            // Not supported by this file system: try the renames.
            Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {}
            Err(_) => return Err(Swap::Unsupported),
        }
    }
    let moved = sibling(out, "swap").map_err(|_| Swap::Unsupported)?;
    fs::rename(out, &moved).map_err(|_| Swap::Unsupported)?;
    if fs::rename(next, out).is_err() {
        let _ = fs::rename(&moved, out);
        return Err(Swap::Unsupported);
    }
    fs::rename(&moved, next).map_err(|e| Swap::Failed(Error::io(next, e)))
}

/// The files replaced one by one in the output folder, each atomically: for folders
/// that cannot be swapped.
fn write_in_place(out: &Path, previous: &Manifest, changes: &Changes) -> Result<WriteReport> {
    use rayon::prelude::*;
    let stamps: Vec<(String, Option<Stamp>)> = io_pool(|| {
        changes
            .changed
            .par_iter()
            .map(|(rel, bytes)| {
                let path = safe_join(out, rel)?;
                write_atomic(&path, bytes)?;
                Ok((rel.clone(), Stamp::at(&path)))
            })
            .collect::<Result<_>>()
    })?;
    for rel in &changes.removed {
        if !previous.outputs.contains_key(rel) {
            continue;
        }
        if let Ok(path) = safe_join(out, rel)
            && fs::remove_file(&path).is_ok()
        {
            remove_empty_parents(out, &path);
        }
    }
    let mut manifest = changes.next.clone();
    for (rel, stamp) in stamps {
        if let Some(e) = manifest.outputs.get_mut(&rel) {
            e.stamp = stamp;
        }
    }
    write_manifest(out, &manifest)?;
    Ok(changes.report())
}

/// For a first build into `out`, a staging folder that can take every file of `paths`;
/// `None` when `out` already holds a site (after putting back one that a stopped build
/// left under its working name).
pub fn fresh_staging<'a>(
    out: &Path,
    paths: impl Iterator<Item = &'a str>,
) -> Result<Option<Staging>> {
    recover(out)?;
    if !is_fresh(out) {
        return Ok(None);
    }
    Staging::new(out, paths).map(Some)
}

/// Whether a build into `out` is a first one: no folder yet, or an empty one.
fn is_fresh(out: &Path) -> bool {
    !out.exists() || fs::read_dir(out).is_ok_and(|mut d| d.next().is_none())
}

/// What the manifest records of a file put in a staging folder.
#[derive(Debug, Clone, Default)]
pub struct Written {
    pub hash: String,
    pub stamp: Option<Stamp>,
}

/// A first build into a new (or empty) folder: every file goes into a staging folder
/// beside it, which is renamed into place at the end. The site appears whole or not at
/// all, and files need no temporary names of their own. Files can be put in as they
/// are rendered, so a cold build writes while it renders and holds no file in memory.
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
}

impl Staging {
    /// The staging folder, with every folder that `paths` need.
    pub fn new<'a>(out: &Path, paths: impl Iterator<Item = &'a str>) -> Result<Staging> {
        let dir = sibling(out, "staging")?;
        if let Some(parent) = dir.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        // Folders first, each once; then the files, in parallel.
        let mut dirs = std::collections::BTreeSet::new();
        for rel in paths {
            if let Some(parent) = safe_join(&dir, rel)?.parent() {
                dirs.insert(parent.to_path_buf());
            }
        }
        dirs.insert(dir.clone());
        for d in &dirs {
            fs::create_dir_all(d).map_err(|e| Error::io(d, e))?;
        }
        Ok(Staging {
            out: out.to_path_buf(),
            dir,
        })
    }

    /// Writes one file; returns what the manifest records of it.
    pub fn put(&self, rel: &str, bytes: &[u8]) -> Result<Written> {
        self.put_parts(rel, &[bytes])
    }

    /// Writes one file made of `parts`, one after the other.
    pub fn put_parts<B: AsRef<[u8]>>(&self, rel: &str, parts: &[B]) -> Result<Written> {
        let path = safe_join(&self.dir, rel)?;
        let mut file =
            std::io::BufWriter::new(fs::File::create(&path).map_err(|e| Error::io(&path, e))?);
        let mut hash = blake3::Hasher::new();
        for part in parts {
            file.write_all(part.as_ref())
                .map_err(|e| Error::io(&path, e))?;
            hash.update(part.as_ref());
        }
        file.flush().map_err(|e| Error::io(&path, e))?;
        let stamp = file.get_ref().metadata().ok().as_ref().and_then(Stamp::of);
        Ok(Written {
            hash: digest(hash.finalize()),
            stamp,
        })
    }

    /// Writes the manifest and puts the folder in place.
    pub fn finish(
        self,
        plan_fingerprints: &BTreeMap<String, String>,
        mut written: BTreeMap<String, Written>,
        input: String,
        diagnostics: String,
    ) -> Result<WriteReport> {
        let count = written.len();
        let manifest = Manifest {
            version: MANIFEST_VERSION,
            input,
            diagnostics,
            outputs: plan_fingerprints
                .iter()
                .map(|(rel, fp)| {
                    let w = written.remove(rel).unwrap_or_default();
                    (
                        rel.clone(),
                        Entry {
                            fingerprint: fp.clone(),
                            hash: w.hash,
                            stamp: w.stamp,
                        },
                    )
                })
                .collect(),
        };
        let bytes = serde_json::to_vec(&manifest).map_err(|e| Error::Output(e.to_string()))?;
        fs::write(self.dir.join(MANIFEST), bytes).map_err(|e| Error::io(&self.dir, e))?;
        if self.out.exists() {
            fs::remove_dir(&self.out).map_err(|e| Error::io(&self.out, e))?;
        }
        fs::rename(&self.dir, &self.out).map_err(|e| Error::io(&self.out, e))?;
        Ok(WriteReport {
            written: count,
            unchanged: 0,
            removed: 0,
        })
    }

    /// Removes the staging folder of a build that failed.
    pub fn abandon(self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn write_fresh(
    out: &Path,
    plan_fingerprints: &BTreeMap<String, String>,
    rendered: Vec<(String, Vec<u8>)>,
    input: String,
    diagnostics: String,
) -> Result<WriteReport> {
    use rayon::prelude::*;
    let staging = Staging::new(out, rendered.iter().map(|(rel, _)| rel.as_str()))?;
    let written: BTreeMap<String, Written> = io_pool(|| {
        rendered
            .par_iter()
            .map(|(rel, bytes)| Ok((rel.clone(), staging.put(rel, bytes)?)))
            .collect::<Result<_>>()
    })?;
    staging.finish(plan_fingerprints, written, input, diagnostics)
}

fn remove_empty_parents(out: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == out || !d.starts_with(out) || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_join_refuses_escapes() {
        let out = Path::new("public");
        assert!(safe_join(out, "profiles/mex/index.html").is_ok());
        for bad in ["../x", "/etc/passwd", "a/../../b", "", "a\\..\\b", "./a"] {
            assert!(safe_join(out, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_manifest_estimate_is_a_little_over_the_manifest() {
        let paths: Vec<String> = (0..2000)
            .map(|i| format!("fr/charts/c{:03}/migrant_stock_{i}.svg", i % 300))
            .collect();
        let diagnostics = "warning: data gap: \"x\" is missing\n--> profiles/ABW.toml\n".repeat(40);
        let stamp = Stamp {
            len: 1_234_567,
            secs: 1_796_240_087,
            nanos: 676_086_763,
            inode: 100_275_700,
        };
        let outputs = paths
            .iter()
            .map(|p| {
                let entry = Entry {
                    fingerprint: digest(blake3::hash(p.as_bytes())),
                    hash: digest(blake3::hash(b"bytes")),
                    stamp: Some(stamp),
                };
                (p.clone(), entry)
            })
            .collect();
        let manifest = Manifest {
            version: MANIFEST_VERSION,
            input: digest(blake3::hash(b"input")),
            diagnostics: diagnostics.clone(),
            outputs,
        };
        let real = serde_json::to_vec(&manifest).unwrap().len() as u64;
        let guess = manifest_estimate(paths.iter().map(String::as_str), &diagnostics);
        assert!(
            guess >= real && guess < real + real / 10,
            "{guess} for {real}"
        );
    }
}
