//! `mpgen diff OLD`: what changed between an earlier version of the site and now, for a
//! government's sign-off round: every number (old → new, with its source), every page
//! and chart added or removed.
//!
//! OLD is an output folder of an earlier build (its `data/all.csv` and its files), or a
//! git revision of the site, whose files are taken from git and planned like the site
//! now. Now is the site at `--root`, checked and planned, not built: nothing is written.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read as _;
use std::path::Path;
use std::process::Command;

use serde::Serialize;

use crate::pipeline::{self, BuildError, BuildOptions};

/// One value's place: profile, indicator, year, sex, partner, age group.
pub type Key = (String, String, String, String, String, String);

/// A value as `all.csv` writes it, with its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Value {
    pub value: String,
    pub unit: String,
    pub source: String,
}

/// What one version of the site has: its values, pages and charts.
#[derive(Debug, Default)]
pub struct State {
    pub values: BTreeMap<Key, Value>,
    pub pages: BTreeSet<String>,
    pub charts: BTreeSet<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("{0}")]
    Old(String),
    #[error("{which} has errors")]
    Invalid {
        /// "the site now", or the revision.
        which: String,
        error: Box<BuildError>,
    },
}

/// One number that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub indicator: String,
    pub year: String,
    /// `total`, `female` or `male`; a partner code; an age group: what the value is of.
    pub of: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// By profile code.
    pub profiles: BTreeMap<String, Vec<Change>>,
    pub pages_added: Vec<String>,
    pub pages_removed: Vec<String>,
    pub charts_added: Vec<String>,
    pub charts_removed: Vec<String>,
}

/// The site at `root` now.
pub fn now(root: &Path) -> Result<State, DiffError> {
    state_of_site(root, "the site now")
}

/// An earlier version: an output folder, or else a git revision of the site at `root`.
pub fn old(root: &Path, old: &str) -> Result<State, DiffError> {
    let path = Path::new(old);
    if path.is_dir() {
        return state_of_output(path);
    }
    let tmp = tempfile::tempdir().map_err(|e| DiffError::Old(e.to_string()))?;
    checkout(root, old, tmp.path())?;
    state_of_site(
        tmp.path(),
        &format!("the site at `{old}`, read by this version of mpgen,"),
    )
}

fn state_of_site(root: &Path, which: &str) -> Result<State, DiffError> {
    let checked = pipeline::check(root);
    let Some((mut site, theme)) = checked.site else {
        return Err(DiffError::Invalid {
            which: which.to_string(),
            error: Box::new(BuildError::Invalid {
                diags: checked.diags,
                texts: checked.texts,
            }),
        });
    };
    let opts = BuildOptions {
        root: root.to_path_buf(),
        ..BuildOptions::default()
    };
    let plan = pipeline::plan_site(&mut site, &theme, &opts);
    let mut state = State::default();
    for o in plan.outputs() {
        classify(&o.path, &mut state);
    }
    let mut csv = crate::render::data::header();
    for p in site.profiles.values() {
        csv.extend(crate::render::data::csv_body(&site, p));
    }
    read_values(&csv, &mut state).map_err(DiffError::Old)?;
    Ok(state)
}

fn state_of_output(dir: &Path) -> Result<State, DiffError> {
    let all = dir.join("data/all.csv");
    let csv = std::fs::read(&all).map_err(|e| {
        DiffError::Old(format!(
            "{} is not an mpgen output folder: no data/all.csv ({e})",
            dir.display()
        ))
    })?;
    let mut state = State::default();
    read_values(&csv, &mut state).map_err(|e| DiffError::Old(format!("{}: {e}", all.display())))?;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| DiffError::Old(e.to_string()))?;
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                let rel: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                classify(&rel.join("/"), &mut state);
            }
        }
    }
    Ok(state)
}

/// Pages are HTML files other than chart embeds; charts are the pictures under
/// `charts/` (their CSV and JSON follow their data, which the numbers cover).
fn classify(path: &str, state: &mut State) {
    let parts: Vec<&str> = path.split('/').collect();
    let picture = [".svg", ".png", ".pdf"].iter().any(|e| path.ends_with(e));
    if parts.contains(&"charts") && picture {
        state.charts.insert(path.to_string());
    } else if path.ends_with(".html") && !parts.contains(&"embed") {
        state.pages.insert(path.to_string());
    }
}

fn read_values(csv_bytes: &[u8], state: &mut State) -> Result<(), String> {
    let mut r = csv::Reader::from_reader(csv_bytes);
    let headers = r.headers().map_err(|e| e.to_string())?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or(format!("no `{name}` column"))
    };
    let cols: Vec<usize> = crate::render::data::COLUMNS
        .iter()
        .map(|c| col(c))
        .collect::<Result<_, _>>()?;
    for record in r.records() {
        let record = record.map_err(|e| e.to_string())?;
        let f = |i: usize| record.get(cols[i]).unwrap_or("").to_string();
        state.values.insert(
            (f(0), f(1), f(2), f(3), f(4), f(5)),
            Value {
                value: f(6),
                unit: f(9),
                source: f(10),
            },
        );
    }
    Ok(())
}

/// The site's files at a git revision, from `git archive`, into `to`.
fn checkout(root: &Path, rev: &str, to: &Path) -> Result<(), DiffError> {
    let git = |args: &[&str]| -> Result<Vec<u8>, DiffError> {
        let out = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .output()
            .map_err(|e| {
                DiffError::Old(format!(
                    "`{rev}` is not a folder, and git could not run: {e}"
                ))
            })?;
        if !out.status.success() {
            return Err(DiffError::Old(format!(
                "`{rev}` is neither an output folder nor a git revision of the site: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(out.stdout)
    };
    let prefix = String::from_utf8_lossy(&git(&["rev-parse", "--show-prefix"])?)
        .trim()
        .to_string();
    // The revision is resolved to a commit first, after `--end-of-options`, so that no
    // revision can reach git as an option (`--output=FILE`); the archive is then made
    // of that commit's hash.
    let commit = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        &format!("{rev}^{{commit}}"),
    ])?;
    let commit = String::from_utf8_lossy(&commit).trim().to_string();
    if commit.is_empty() || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(DiffError::Old(format!(
            "`{rev}` is neither an output folder nor a git revision of the site"
        )));
    }
    let tar = git(&["archive", "--format=tar", &commit, "--", "."])?;
    let mut archive = tar::Archive::new(tar.as_slice());
    let entries = archive
        .entries()
        .map_err(|e| DiffError::Old(e.to_string()))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| DiffError::Old(e.to_string()))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry
            .path()
            .map_err(|e| DiffError::Old(e.to_string()))?
            .to_string_lossy()
            .into_owned();
        let Some(rel) = path.strip_prefix(&prefix) else {
            continue;
        };
        // Only the site's own inputs; never a path that leaves the folder.
        let first = rel.split('/').next().unwrap_or("");
        let wanted = matches!(first, "profiles" | "content" | "themes" | "static")
            || (!rel.contains('/') && rel.ends_with(".toml"));
        if !wanted || rel.split('/').any(|c| c == ".." || c.is_empty()) {
            continue;
        }
        let target = to.join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| DiffError::Old(e.to_string()))?;
        }
        let mut bytes = Vec::new();
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| DiffError::Old(e.to_string()))?;
        std::fs::write(&target, bytes).map_err(|e| DiffError::Old(e.to_string()))?;
    }
    Ok(())
}

/// What differs from `old` to `new`.
pub fn compare(old: &State, new: &State) -> Report {
    let mut report = Report::default();
    let keys: BTreeSet<&Key> = old.values.keys().chain(new.values.keys()).collect();
    for key in keys {
        let (a, b) = (old.values.get(key), new.values.get(key));
        if a == b {
            continue;
        }
        // The same number with another source is a change too: the citation moves.
        let of = [&key.3, &key.4, &key.5]
            .into_iter()
            .filter(|s| !s.is_empty() && *s != "total")
            .cloned()
            .collect::<Vec<_>>()
            .join(" ");
        report
            .profiles
            .entry(key.0.clone())
            .or_default()
            .push(Change {
                indicator: key.1.clone(),
                year: key.2.clone(),
                of,
                old: a.cloned(),
                new: b.cloned(),
            });
    }
    report.pages_added = new.pages.difference(&old.pages).cloned().collect();
    report.pages_removed = old.pages.difference(&new.pages).cloned().collect();
    report.charts_added = new.charts.difference(&old.charts).cloned().collect();
    report.charts_removed = old.charts.difference(&new.charts).cloned().collect();
    report
}

/// A value as a reader checks it: grouped digits, and the decimals its unit is shown
/// with on the pages (the exact figure is in `--format json`).
fn number(v: &Value) -> String {
    let Ok(x) = v.value.parse::<f64>() else {
        return v.value.clone();
    };
    crate::render::numbers::Numbers::new("en", Default::default()).with_unit(x, &v.unit)
}

fn shown(v: &Value) -> String {
    format!("{} ({})", number(v), v.source)
}

/// The report as text, for reading in a terminal or pasting in a mail.
pub fn human(report: &Report) -> String {
    let mut s = String::new();
    let changes: usize = report.profiles.values().map(Vec::len).sum();
    for (code, list) in &report.profiles {
        // A profile removed whole is one line; a new one is listed, as each of its
        // numbers needs signing off.
        if list.iter().all(|c| c.new.is_none()) {
            s.push_str(&format!(
                "{code}: removed, with its {} numbers\n",
                list.len()
            ));
            continue;
        }
        s.push_str(&format!("{code}: {} numbers\n", list.len()));
        for c in list {
            let what = if c.of.is_empty() || c.of == "total" {
                format!("{} {}", c.indicator, c.year)
            } else {
                format!("{} {} {}", c.indicator, c.year, c.of)
            };
            let line = match (&c.old, &c.new) {
                (Some(a), Some(b)) if a.value == b.value => {
                    format!("{} source {} → {}", number(a), a.source, b.source)
                }
                (Some(a), Some(b)) => format!("{} → {} ({})", number(a), number(b), b.source),
                (None, Some(b)) => format!("added {}", shown(b)),
                (Some(a), None) => format!("removed {}", shown(a)),
                (None, None) => continue,
            };
            s.push_str(&format!("  {what}: {line}\n"));
        }
    }
    for (title, list) in [
        ("pages added", &report.pages_added),
        ("pages removed", &report.pages_removed),
        ("charts added", &report.charts_added),
        ("charts removed", &report.charts_removed),
    ] {
        if !list.is_empty() {
            s.push_str(&format!("{title}: {}\n", list.len()));
            for p in list {
                s.push_str(&format!("  {p}\n"));
            }
        }
    }
    s.push_str(&format!(
        "{changes} numbers changed in {} profiles; {} pages added, {} removed; {} charts added, {} removed\n",
        report.profiles.len(),
        report.pages_added.len(),
        report.pages_removed.len(),
        report.charts_added.len(),
        report.charts_removed.len()
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(rows: &[(&str, &str, &str, &str)], pages: &[&str]) -> State {
        let mut s = State::default();
        for (code, ind, year, v) in rows {
            s.values.insert(
                (
                    code.to_string(),
                    ind.to_string(),
                    year.to_string(),
                    "total".into(),
                    String::new(),
                    String::new(),
                ),
                Value {
                    value: v.to_string(),
                    unit: "persons".into(),
                    source: "undesa".into(),
                },
            );
        }
        for p in pages {
            classify(p, &mut s);
        }
        s
    }

    #[test]
    fn changes_additions_and_removals() {
        let old = state(
            &[
                ("MEX", "migrant_stock", "2020", "1"),
                ("MEX", "migrant_stock", "2015", "5"),
            ],
            &[
                "index.html",
                "profiles/mex/index.html",
                "charts/mex/migrant_stock.svg",
            ],
        );
        let new = state(
            &[
                ("MEX", "migrant_stock", "2020", "2"),
                ("PHL", "migrant_stock", "2020", "3"),
            ],
            &[
                "index.html",
                "profiles/phl/index.html",
                "embed/x/index.html",
                "fr/charts/phl/a.svg",
            ],
        );
        let r = compare(&old, &new);
        assert_eq!(r.profiles["MEX"].len(), 2);
        assert_eq!(r.profiles["PHL"].len(), 1);
        assert_eq!(r.pages_added, ["profiles/phl/index.html"]);
        assert_eq!(r.pages_removed, ["profiles/mex/index.html"]);
        assert_eq!(r.charts_added, ["fr/charts/phl/a.svg"]);
        let text = human(&r);
        assert!(text.contains("MEX: 2 numbers\n  migrant_stock 2015: removed 5 (undesa)\n  migrant_stock 2020: 1 → 2 (undesa)\n"), "{text}");
        let gone = compare(&new, &State::default());
        assert!(
            human(&gone).starts_with("MEX: removed, with its 1 numbers\nPHL: removed"),
            "{}",
            human(&gone)
        );
        assert!(
            text.contains("PHL: 1 numbers\n  migrant_stock 2020: added 3 (undesa)\n"),
            "{text}"
        );
        assert!(text.ends_with("3 numbers changed in 2 profiles; 1 pages added, 1 removed; 1 charts added, 1 removed\n"), "{text}");
        assert!(compare(&new, &new).profiles.is_empty());
    }
}
