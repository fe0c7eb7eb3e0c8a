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
}

impl Partnership {
    pub fn first(&self) -> &Agreement {
        &self.views[0].agreement
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
