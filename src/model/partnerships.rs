//! Partnerships across profiles: each agreement once, with the view of every profile
//! that lists it, so two partners' accounts can be read side by side.

use std::collections::BTreeSet;

use serde::Serialize;

use super::links::same_agreement;
use super::{Agreement, Site};

/// One profile's account of an agreement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct View {
    /// The profile that lists it.
    pub by: String,
    pub agreement: Agreement,
}

/// One agreement, as every profile that lists it tells it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Partnership {
    pub views: Vec<View>,
    /// The countries it binds: the profiles that list it and the partners they name.
    pub countries: BTreeSet<String>,
    /// Topics any view gives.
    pub topics: BTreeSet<String>,
    /// A bilateral agreement whose partner has a profile that does not list it.
    pub one_sided: bool,
    /// Its anchor on the partnerships page, unique there.
    pub anchor: String,
}

impl Partnership {
    pub fn first(&self) -> &Agreement {
        &self.views[0].agreement
    }

    /// Its anchor, the same whatever else the site lists: from its `id` where a view
    /// gives one, else from kind, year and countries.
    fn slug(&self) -> String {
        let raw = match self.views.iter().find_map(|v| v.agreement.id.as_deref()) {
            Some(id) => id.to_string(),
            None => {
                let a = self.first();
                let countries: Vec<&str> = self.countries.iter().map(String::as_str).collect();
                format!(
                    "{}-{}-{}",
                    a.kind,
                    a.signed.map_or("undated".into(), |y| y.to_string()),
                    countries.join("-")
                )
            }
        };
        let slug: String = raw
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        format!("agreement-{slug}")
    }

    /// Whether it binds exactly these two countries.
    pub fn between(&self, a: &str, b: &str) -> bool {
        self.countries.len() == 2 && self.countries.contains(a) && self.countries.contains(b)
    }
}

/// Every agreement of the site once, in order of signature (unknown last), then title.
pub fn partnerships(site: &Site) -> Vec<Partnership> {
    let mut out: Vec<Partnership> = Vec::new();
    for (code, p) in &site.profiles {
        for a in &p.agreements {
            let found = out.iter_mut().find(|g| {
                g.views
                    .iter()
                    .any(|v| same_agreement(a, code, &v.agreement, &v.by))
            });
            let g = match found {
                Some(g) => g,
                None => {
                    out.push(Partnership {
                        views: Vec::new(),
                        countries: BTreeSet::new(),
                        topics: BTreeSet::new(),
                        one_sided: false,
                        anchor: String::new(),
                    });
                    out.last_mut().expect("pushed above")
                }
            };
            g.views.push(View {
                by: code.clone(),
                agreement: a.clone(),
            });
            g.countries.insert(code.clone());
            g.countries.extend(a.partners.iter().cloned());
            g.topics.extend(a.topics.iter().cloned());
            g.one_sided |= a.one_sided;
        }
    }
    out.sort_by(|x, y| {
        let key = |p: &Partnership| {
            (
                p.first().signed.unwrap_or(i32::MAX),
                p.first().title.clone(),
            )
        };
        key(x).cmp(&key(y))
    });
    // Two agreements without ids, of one kind, year and pair, would share a slug.
    let mut seen = std::collections::BTreeMap::new();
    for g in &mut out {
        let slug = g.slug();
        let n: &mut usize = seen.entry(slug.clone()).or_default();
        *n += 1;
        g.anchor = if *n == 1 { slug } else { format!("{slug}-{n}") };
    }
    out
}

/// The profiles that belong to a regional process.
pub fn members<'s>(site: &'s Site, rcp: &str) -> Vec<&'s super::Profile> {
    site.profiles
        .values()
        .filter(|p| p.rcps.iter().any(|r| r == rcp))
        .map(|p| &**p)
        .collect()
}
