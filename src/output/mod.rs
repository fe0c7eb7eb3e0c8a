//! WRITE: put rendered files in the output folder. New and changed files are written
//! atomically (a temporary file in the same folder, then a rename); files whose bytes did
//! not change are left alone, so their modification times stay; files the site no
//! longer has are removed. The manifest records each output's fingerprint and content
//! hash, so the next process knows what it can skip.

pub mod memory;

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The manifest's name in the output folder.
pub const MANIFEST: &str = ".mpgen-manifest.json";
const MANIFEST_VERSION: u32 = 1;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Entry {
    pub fingerprint: String,
    /// blake3 of the bytes written.
    pub hash: String,
}

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
    /// The last build's manifest; empty when there is none or it cannot be read (then
    /// everything is rendered again, which is always correct).
    pub fn read(out: &Path) -> Manifest {
        fs::read(out.join(MANIFEST))
            .ok()
            .and_then(|b| serde_json::from_slice::<Manifest>(&b).ok())
            .filter(|m| m.version == MANIFEST_VERSION)
            .unwrap_or_default()
    }

    /// Whether every output the manifest lists is still on disk.
    pub fn all_present(&self, out: &Path) -> bool {
        self.outputs.keys().all(|path| out.join(path).is_file())
    }

    /// Fingerprints of outputs that are still on disk; a file deleted by hand is redone.
    pub fn live_fingerprints(&self, out: &Path) -> BTreeMap<String, String> {
        self.outputs
            .iter()
            .filter(|(path, _)| out.join(path).is_file())
            .map(|(p, e)| (p.clone(), e.fingerprint.clone()))
            .collect()
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

/// Writes the rendered files and removes stale ones. `rendered` holds only the outputs
/// that were rendered this time; `kept` the fingerprints of every output of the plan.
/// Runs `f` on a pool sized for file-system work: creating files is kernel time, not
/// CPU time, so more threads than cores keep the disk queue full.
fn io_pool<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    match POOL.get_or_init(|| rayon::ThreadPoolBuilder::new().num_threads(8).build().ok()) {
        Some(pool) => pool.install(f),
        None => f(),
    }
}

pub fn write(
    out: &Path,
    previous: &Manifest,
    plan_fingerprints: &BTreeMap<String, String>,
    rendered: Vec<(String, Vec<u8>)>,
    input: String,
    diagnostics: String,
) -> Result<WriteReport> {
    use rayon::prelude::*;
    let fresh = !out.exists() || fs::read_dir(out).is_ok_and(|mut d| d.next().is_none());
    if fresh {
        return write_fresh(out, plan_fingerprints, rendered, input, diagnostics);
    }
    let mut report = WriteReport::default();
    let mut next = Manifest {
        version: MANIFEST_VERSION,
        input,
        diagnostics,
        outputs: BTreeMap::new(),
    };

    // Files are independent: writing them in parallel keeps both cores busy with the
    // file system's own work (creating entries dominates a cold build's write stage).
    let written: Vec<(String, String, bool)> = io_pool(|| {
        rendered
            .par_iter()
            .map(|(rel, bytes)| {
                let path = safe_join(out, rel)?;
                let hash = blake3::hash(bytes).to_hex().to_string();
                let same = previous.outputs.get(rel).is_some_and(|e| e.hash == hash)
                    && fs::metadata(&path)
                        .is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64);
                if !same {
                    write_atomic(&path, bytes)?;
                }
                Ok((rel.clone(), hash, !same))
            })
            .collect::<Result<_>>()
    })?;
    let mut new_hashes: BTreeMap<String, String> = BTreeMap::new();
    for (rel, hash, wrote) in written {
        if wrote {
            report.written += 1;
        } else {
            report.unchanged += 1;
        }
        new_hashes.insert(rel, hash);
    }

    for (rel, fingerprint) in plan_fingerprints {
        let hash = match new_hashes.remove(rel) {
            Some(h) => h,
            None => previous
                .outputs
                .get(rel)
                .map(|e| e.hash.clone())
                .unwrap_or_default(),
        };
        next.outputs.insert(
            rel.clone(),
            Entry {
                fingerprint: fingerprint.clone(),
                hash,
            },
        );
    }

    for rel in previous.outputs.keys() {
        if plan_fingerprints.contains_key(rel) {
            continue;
        }
        let Ok(path) = safe_join(out, rel) else {
            continue;
        };
        if fs::remove_file(&path).is_ok() {
            report.removed += 1;
            remove_empty_parents(out, &path);
        }
    }

    let manifest = serde_json::to_vec(&next).map_err(|e| Error::Output(e.to_string()))?;
    write_atomic(&out.join(MANIFEST), &manifest)?;
    Ok(report)
}

/// A first build into a new (or empty) folder: every file goes into a staging folder
/// beside it, which is renamed into place at the end. The site appears whole or not at
/// all, and files need no temporary names of their own.
fn write_fresh(
    out: &Path,
    plan_fingerprints: &BTreeMap<String, String>,
    rendered: Vec<(String, Vec<u8>)>,
    input: String,
    diagnostics: String,
) -> Result<WriteReport> {
    use rayon::prelude::*;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::Output(format!("{} is not a folder name", out.display())))?;
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let staging = parent.join(format!(".{name}.mpgen-staging"));
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
    }
    // Folders first, each once; then the files, in parallel.
    let dirs: std::collections::BTreeSet<PathBuf> = rendered
        .iter()
        .filter_map(|(rel, _)| {
            safe_join(&staging, rel)
                .ok()?
                .parent()
                .map(Path::to_path_buf)
        })
        .collect();
    for dir in &dirs {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let hashes: Vec<(String, String)> = io_pool(|| {
        rendered
            .par_iter()
            .map(|(rel, bytes)| {
                let path = safe_join(&staging, rel)?;
                fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
                Ok((rel.clone(), blake3::hash(bytes).to_hex().to_string()))
            })
            .collect::<Result<_>>()
    })?;
    let mut hashes: BTreeMap<String, String> = hashes.into_iter().collect();
    let manifest = Manifest {
        version: MANIFEST_VERSION,
        input,
        diagnostics,
        outputs: plan_fingerprints
            .iter()
            .map(|(rel, fp)| {
                let hash = hashes.remove(rel).unwrap_or_default();
                (
                    rel.clone(),
                    Entry {
                        fingerprint: fp.clone(),
                        hash,
                    },
                )
            })
            .collect(),
    };
    let bytes = serde_json::to_vec(&manifest).map_err(|e| Error::Output(e.to_string()))?;
    fs::write(staging.join(MANIFEST), bytes).map_err(|e| Error::io(&staging, e))?;
    if out.exists() {
        fs::remove_dir(out).map_err(|e| Error::io(out, e))?;
    }
    fs::rename(&staging, out).map_err(|e| Error::io(out, e))?;
    Ok(WriteReport {
        written: rendered.len(),
        unchanged: 0,
        removed: 0,
    })
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
}
