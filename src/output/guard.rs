//! Where a build may write. Before anything is made, moved or deleted, the output folder
//! is resolved (through a symbolic link, to the folder it names) and refused when it is,
//! holds or lies inside any input of the site, when it is a file, or when it is a
//! non-empty folder that mpgen did not make. The working folders beside it must be
//! real folders, never links to somewhere else.

use std::fs;
use std::path::{Component, Path, PathBuf};

use super::{MANIFEST, sibling};
use crate::error::{Error, Result};

/// The folders of a site that a build reads; with the root's TOML files, its inputs.
const INPUT_FOLDERS: [&str; 4] = ["profiles", "content", "themes", "static"];

/// The output folder a build of `root` may write into `out`, resolved; a refusal
/// (`Error::Refused`) says why not.
pub fn output_folder(root: &Path, out: &Path) -> Result<PathBuf> {
    let refuse = |why: String| {
        Err(Error::Refused(format!(
            "refusing --out {}: {why}",
            out.display()
        )))
    };
    let root = root.canonicalize().map_err(|e| Error::io(root, e))?;
    let resolved = match resolve(out) {
        Ok(p) => p,
        Err(why) => return refuse(why),
    };
    if let Some(input) = inputs(&root).find(|i| overlaps(&resolved, i)) {
        let shown = input
            .strip_prefix(&root)
            .unwrap_or(&input)
            .display()
            .to_string();
        let what = if resolved == root || root.starts_with(&resolved) {
            "it holds the site itself".to_string()
        } else {
            format!("it overlaps the site's input `{shown}`, which a build must never change")
        };
        return refuse(format!(
            "{what}; pick a folder of its own, such as {}",
            root.join("public").display()
        ));
    }
    match fs::symlink_metadata(&resolved) {
        Ok(m) if !m.is_dir() => return refuse("it is a file, not a folder".into()),
        Ok(_) if !is_empty(&resolved) && !resolved.join(MANIFEST).is_file() => {
            return refuse(format!(
                "it is a folder that mpgen did not make (it has files but no {MANIFEST}); \
                 give an empty or new folder"
            ));
        }
        _ => {}
    }
    for what in ["next", "staging", "swap"] {
        let work = sibling(&resolved, what)?;
        if fs::symlink_metadata(&work).is_ok_and(|m| !m.is_dir()) {
            return refuse(format!(
                "{} is in the way: it is mpgen's working folder, but not a folder; remove it",
                work.display()
            ));
        }
    }
    Ok(resolved)
}

/// `out` as an absolute path with no link in it: a link is followed to its folder; a
/// path that does not exist yet is resolved from its nearest existing ancestor.
fn resolve(out: &Path) -> std::result::Result<PathBuf, String> {
    if fs::symlink_metadata(out).is_ok_and(|m| m.file_type().is_symlink()) {
        return match fs::metadata(out) {
            Ok(m) if m.is_dir() => out.canonicalize().map_err(|e| e.to_string()),
            _ => Err("it is a symbolic link, and not to a folder".into()),
        };
    }
    let mut missing = Vec::new();
    let mut existing = out;
    loop {
        if existing.as_os_str().is_empty() {
            existing = Path::new(".");
        }
        if let Ok(found) = existing.canonicalize() {
            if !missing.is_empty() && !found.is_dir() {
                return Err(format!("{} is a file, not a folder", found.display()));
            }
            let mut path = found;
            for part in missing.iter().rev() {
                path.push(part);
            }
            return Ok(path);
        }
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                missing.push(name.to_os_string());
                existing = parent;
            }
            _ => return Err("no part of this path exists".into()),
        }
        if existing.components().next_back() == Some(Component::ParentDir) {
            return Err("`..` after a folder that does not exist".into());
        }
    }
}

/// The root, its TOML files and its input folders, as absolute paths.
fn inputs(root: &Path) -> impl Iterator<Item = PathBuf> + '_ {
    let tomls = fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"));
    std::iter::once(root.to_path_buf())
        .chain(INPUT_FOLDERS.iter().map(|f| root.join(f)))
        .chain(tomls)
}

/// Whether writing `out` could touch `input`: the same path, one inside the other. The
/// root itself only counts when `out` holds it; a folder of its own inside it is fine.
fn overlaps(out: &Path, input: &Path) -> bool {
    let is_root_only = !INPUT_FOLDERS.iter().any(|f| input.ends_with(f))
        && input.extension().is_none_or(|x| x != "toml");
    if is_root_only {
        return input.starts_with(out);
    }
    out.starts_with(input) || input.starts_with(out)
}

fn is_empty(dir: &Path) -> bool {
    fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir_all(tmp.path().join("s/content")).unwrap();
        fs::create_dir_all(tmp.path().join("s/profiles")).unwrap();
        fs::write(tmp.path().join("s/site.toml"), "title = 'x'\n").unwrap();
        tmp
    }

    #[test]
    fn inputs_and_their_insides_are_refused() {
        let tmp = site();
        let root = tmp.path().join("s");
        for bad in [
            "s/content",
            "s/content/x",
            "s/profiles",
            "s/site.toml",
            "s/static",
            "s",
            ".",
        ] {
            let out = tmp.path().join(bad);
            assert!(
                matches!(output_folder(&root, &out), Err(Error::Refused(_))),
                "{bad}"
            );
        }
        for good in ["s/public", "out", "s/build/site"] {
            assert!(
                output_folder(&root, &tmp.path().join(good)).is_ok(),
                "{good}"
            );
        }
    }

    #[test]
    fn foreign_folders_and_files_are_refused() {
        let tmp = site();
        let root = tmp.path().join("s");
        fs::create_dir_all(tmp.path().join("theirs")).unwrap();
        fs::write(tmp.path().join("theirs/a.txt"), "keep").unwrap();
        fs::write(tmp.path().join("file"), "keep").unwrap();
        for bad in ["theirs", "file", "file/sub"] {
            assert!(
                output_folder(&root, &tmp.path().join(bad)).is_err(),
                "{bad}"
            );
        }
        fs::write(tmp.path().join("theirs").join(MANIFEST), "{}").unwrap();
        assert!(output_folder(&root, &tmp.path().join("theirs")).is_ok());
    }
}
