//! What an import did (or, with `--dry-run`, would do): per profile, the values added,
//! changed (old → new) and left as they were, then the totals and what was skipped.

use std::fmt::{self, Write as _};

use super::map::{FilePlan, Plan};

/// One changed value or setting.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub what: String,
    pub old: String,
    pub new: String,
}

#[derive(Debug, Default, Clone)]
pub struct ProfileReport {
    pub code: String,
    pub file: String,
    pub created: bool,
    /// (table, keys added: years or partner codes)
    pub added: Vec<(String, Vec<String>)>,
    pub changed: Vec<Change>,
    pub unchanged: usize,
    /// Values the data does not have, kept as they were ("migrant_stock 2023").
    pub left: Vec<String>,
    /// Partners of an older year, replaced by the data's year.
    pub replaced: usize,
}

impl ProfileReport {
    pub fn add(&mut self, table: &str, keys: Vec<String>) {
        if !keys.is_empty() {
            self.added.push((table.to_string(), keys));
        }
    }

    pub fn added_count(&self) -> usize {
        self.added.iter().map(|(_, k)| k.len()).sum()
    }

    pub fn touched(&self) -> bool {
        self.created || !self.added.is_empty() || !self.changed.is_empty()
    }
}

/// The whole import.
#[derive(Debug, Default)]
pub struct Report {
    pub dry_run: bool,
    pub files: Vec<FilePlan>,
    pub profiles: Vec<ProfileReport>,
    pub not_places: Vec<(String, usize)>,
    pub no_profile: Vec<String>,
    pub uncoded: Vec<String>,
}

impl Report {
    pub fn new(plan: Plan, profiles: Vec<ProfileReport>, dry_run: bool) -> Self {
        Report {
            dry_run,
            files: plan.files,
            profiles,
            not_places: plan.not_places.into_iter().collect(),
            no_profile: plan.no_profile.into_iter().collect(),
            uncoded: plan.uncoded.into_iter().collect(),
        }
    }

    pub fn changed_files(&self) -> usize {
        self.profiles.iter().filter(|p| p.touched()).count()
    }
}

/// `1990–2024` for years, `USA, CAN, ESP` for a few partners, a count for many.
fn keys(keys: &[String]) -> String {
    let years: Option<Vec<i32>> = keys.iter().map(|k| k.parse().ok()).collect();
    match years {
        Some(y) if y.len() > 2 => format!(
            "{} values, {}–{}",
            y.len(),
            y.iter().min().unwrap_or(&0),
            y.iter().max().unwrap_or(&0)
        ),
        _ if keys.len() > 6 => format!("{} ({}, …)", keys.len(), keys[..3].join(", ")),
        _ => keys.join(", "),
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for file in &self.files {
            let brought: Vec<String> = file
                .imported
                .iter()
                .map(|(code, id)| {
                    if code == id {
                        id.clone()
                    } else {
                        format!("{code} → {id}")
                    }
                })
                .collect();
            writeln!(
                f,
                "{} ({}): {}",
                file.file,
                file.format.describe(),
                brought.join(", ")
            )?;
            if !file.unmapped.is_empty() {
                writeln!(
                    f,
                    "  not imported, no indicator names them: {}",
                    file.unmapped.join(", ")
                )?;
            }
        }
        writeln!(f)?;
        let (mut created, mut added, mut changed, mut unchanged, mut left) = (0, 0, 0, 0, 0);
        for p in &self.profiles {
            created += usize::from(p.created);
            added += p.added_count();
            changed += p.changed.len();
            unchanged += p.unchanged;
            left += p.left.len();
            if !p.touched() {
                continue;
            }
            let mut line = format!(
                "{} {}{}: {} added, {} changed, {} unchanged",
                p.code,
                p.file,
                if p.created { " (new)" } else { "" },
                p.added_count(),
                p.changed.len(),
                p.unchanged
            );
            if !p.left.is_empty() {
                let _ = write!(line, ", {} left as they were", p.left.len());
            }
            writeln!(f, "{line}")?;
            for (table, k) in &p.added {
                writeln!(f, "  + {table}: {}", keys(k))?;
            }
            for c in &p.changed {
                writeln!(f, "  ~ {}: {} → {}", c.what, c.old, c.new)?;
            }
            if p.replaced > 0 {
                writeln!(f, "  - {} partners of an older year replaced", p.replaced)?;
            }
            if !p.left.is_empty() && !p.created {
                let shown: Vec<&str> = p.left.iter().take(8).map(String::as_str).collect();
                let more = p.left.len().saturating_sub(shown.len());
                let more = if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                };
                writeln!(f, "  = left: {}{more}", shown.join(", "))?;
            }
        }
        let untouched = self.profiles.iter().filter(|p| !p.touched()).count();
        writeln!(
            f,
            "\n{} profiles {} ({} new), {} unchanged; {added} values added, {changed} changed, {unchanged} unchanged, {left} left as they were",
            self.changed_files(),
            if self.dry_run {
                "would change"
            } else {
                "changed"
            },
            created,
            untouched,
        )?;
        if !self.not_places.is_empty() {
            let codes: Vec<&str> = self.not_places.iter().map(|(c, _)| c.as_str()).collect();
            let values: usize = self.not_places.iter().map(|(_, n)| n).sum();
            writeln!(
                f,
                "skipped {} codes that are no country or area of this site ({values} values): {}",
                codes.len(),
                codes.join(", ")
            )?;
        }
        if !self.no_profile.is_empty() {
            writeln!(
                f,
                "skipped codes with no profile that import does not start one for: {}",
                self.no_profile.join(", ")
            )?;
        }
        if !self.uncoded.is_empty() {
            writeln!(
                f,
                "skipped rows with no country code: {}",
                self.uncoded.join(", ")
            )?;
        }
        if self.dry_run {
            writeln!(f, "dry run: nothing was written")?;
        }
        Ok(())
    }
}
