//! Checks across profiles: agreements both partners should list, and sources nobody cites.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Agreement, Profile, Source};
use crate::diagnostics::Diagnostic;
use crate::load::profile::RawProfile;

/// Two profiles list the same agreement when their ids are equal, or, when either lacks
/// an id, when kind and signed year agree and the partner sets name each other.
pub(crate) fn same_agreement(a: &Agreement, a_owner: &str, b: &Agreement, b_owner: &str) -> bool {
    match (&a.id, &b.id) {
        (Some(x), Some(y)) => x == y,
        _ => {
            a.kind == b.kind
                && a.signed == b.signed
                && a.partners.iter().any(|p| p == b_owner)
                && b.partners.iter().any(|p| p == a_owner)
        }
    }
}

/// Marks bilateral agreements that the partner's profile does not list, and warns.
pub fn check_agreements(
    profiles: &mut BTreeMap<String, Arc<Profile>>,
    raw: &[Arc<RawProfile>],
    diags: &mut Vec<Diagnostic>,
) {
    let mut one_sided: Vec<(String, usize, String)> = Vec::new();
    for (code, p) in profiles.iter() {
        for (i, a) in p.agreements.iter().enumerate() {
            if a.kind != "bilateral" {
                continue;
            }
            for partner in &a.partners {
                let Some(other) = profiles.get(partner) else {
                    continue;
                };
                if !other
                    .agreements
                    .iter()
                    .any(|b| same_agreement(a, code, b, partner))
                {
                    one_sided.push((code.clone(), i, partner.clone()));
                }
            }
        }
    }
    for (code, i, partner) in one_sided {
        let Some(p) = profiles.get_mut(&code) else {
            continue;
        };
        let p = Arc::make_mut(p);
        p.agreements[i].one_sided = true;
        let span = raw
            .iter()
            .find(|r| r.file_id == code)
            .and_then(|r| r.agreements.get(i))
            .map(|a| a.span.clone());
        diags.push(
            Diagnostic::warning(&p.file, span, format!("the bilateral agreement \"{}\" is not listed in `profiles/{partner}.toml`", p.agreements[i].title))
                .with_help(format!("add it to `profiles/{partner}.toml` too (with the same `id`), so both partners' views agree")),
        );
    }
}

/// Warns about sources that no data table cites.
pub fn unused_sources(
    site_sources: &BTreeMap<String, Source>,
    raw_sources: &[crate::load::catalogue::RawSource],
    raw: &[Arc<RawProfile>],
    profiles: &BTreeMap<String, Arc<Profile>>,
    diags: &mut Vec<Diagnostic>,
) {
    // Whether a profile's tables cite a source; a search that stops at the first
    // citation, so a save does not walk every table of every profile.
    let cites = |p: &Profile, id: &str| {
        p.series
            .values()
            .any(|s| s.source.split('+').any(|x| x == id))
            || p.partners.values().any(|x| x.source == id)
            || p.age_sex.values().any(|x| x.source == id)
    };
    for p in profiles.values() {
        for (id, src) in &p.sources {
            if !cites(p, id) {
                let span = raw
                    .iter()
                    .find(|r| r.file_id == p.iso3)
                    .and_then(|r| r.sources.iter().find(|s| s.id.value == *id))
                    .map(|s| s.span.clone());
                diags.push(
                    Diagnostic::warning(
                        &p.file,
                        span,
                        format!("the source `{}` is not cited by any data table", src.id),
                    )
                    .with_help("cite it with `source = \"...\"` in a series, or remove it"),
                );
            }
        }
    }
    // With no profile loaded (errors elsewhere), every source would look unused.
    if profiles.is_empty() {
        return;
    }
    for id in site_sources.keys() {
        if !profiles.values().any(|p| cites(p, id)) {
            let span = raw_sources
                .iter()
                .find(|s| s.id.value == *id)
                .map(|s| s.span.clone());
            diags.push(
                Diagnostic::warning(
                    "sources.toml",
                    span,
                    format!("the source `{id}` is not cited by any data table"),
                )
                .with_help("cite it with `source = \"...\"` in a profile, or remove it"),
            );
        }
    }
}
