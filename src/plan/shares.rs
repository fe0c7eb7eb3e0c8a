//! Each profile's share of the hashes that the pages across countries depend on, kept
//! between plans. Those hashes are multiset sums of the shares: after an edit of one
//! profile, a plan takes that profile's old share out of each sum and puts its new one
//! in, without going over the other profiles' data. A cold plan makes every share (in
//! parallel) and adds them up.

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::{hash_json, hash_series};
use crate::model::calls::Read;
use crate::model::{Profile, Site};

/// A multiset hash: the wrapping sum, lane by lane, of its members' hashes. Every
/// member's hash covers its profile's code, so no two members are alike and none can
/// cancel another out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sum([u64; 4]);

impl Sum {
    fn add(&mut self, member: &blake3::Hash) {
        for (lane, x) in self.0.iter_mut().zip(lanes(member)) {
            *lane = lane.wrapping_add(x);
        }
    }

    fn sub(&mut self, member: &blake3::Hash) {
        for (lane, x) in self.0.iter_mut().zip(lanes(member)) {
            *lane = lane.wrapping_sub(x);
        }
    }

    pub fn hash(&self) -> blake3::Hash {
        let mut bytes = [0u8; 32];
        for (chunk, lane) in bytes.chunks_exact_mut(8).zip(self.0) {
            chunk.copy_from_slice(&lane.to_le_bytes());
        }
        blake3::Hash::from_bytes(bytes)
    }
}

fn lanes(h: &blake3::Hash) -> [u64; 4] {
    let b = h.as_bytes();
    std::array::from_fn(|i| u64::from_le_bytes(b[i * 8..i * 8 + 8].try_into().unwrap_or_default()))
}

/// A member of a sum: what one profile adds, under a tag that keeps sums apart.
fn member(tag: &[u8], code: &str, parts: &[&[u8]]) -> blake3::Hash {
    // A cold plan makes a hundred and fifty of these per profile: their bytes are
    // gathered on the stack when they fit (they do, but for a very long code).
    let mut stack = [0u8; 192];
    let mut heap = Vec::new();
    let mut len = 0;
    for p in std::iter::once(tag)
        .chain(std::iter::once(code.as_bytes()))
        .chain(parts.iter().copied())
    {
        for bytes in [&(p.len() as u64).to_le_bytes()[..], p] {
            if heap.is_empty() && len + bytes.len() <= stack.len() {
                stack[len..len + bytes.len()].copy_from_slice(bytes);
                len += bytes.len();
            } else {
                if heap.is_empty() {
                    heap.extend_from_slice(&stack[..len]);
                }
                heap.extend_from_slice(bytes);
            }
        }
    }
    if heap.is_empty() {
        blake3::hash(&stack[..len])
    } else {
        blake3::hash(&heap)
    }
}

/// One profile's share.
#[derive(Debug)]
pub struct Share {
    /// The checked profile this is the share of: held, so its address stays its own
    /// and comparing addresses tells whether a profile is still the same.
    profile: Arc<Profile>,
    /// The profile itself: its file, and whether each agreement is listed by the
    /// partner too (which other profiles decide).
    pub hash: blake3::Hash,
    /// Each indicator's whole table, in the order of the site's indicators (by id).
    pub tables: Vec<blake3::Hash>,
    /// The parts a profile's outputs read, each hashed once: see [`Parts`].
    pub parts: Parts,
    /// What the calls of its narratives read.
    pub reads: Vec<Read>,
    members: Members,
}

/// A profile cut into the parts its own outputs read. Together they cover every field
/// of the profile, so an edit moves at least one of them.
#[derive(Debug)]
pub struct Parts {
    /// Everything but the tables and the narratives: name, region, sources,
    /// agreements (with whether each partner lists them too), policies, gaps, charts.
    pub head: blake3::Hash,
    /// What a chart shows of its profile besides its tables: the name and the
    /// profile's own charts.
    pub chart_head: blake3::Hash,
    /// What the data files show of the profile besides its tables: code, name,
    /// region, date, sources.
    pub data_head: blake3::Hash,
    /// Every table at once.
    pub tables: blake3::Hash,
    /// The narratives a page in each language shows, by language.
    pub texts: Vec<(String, blake3::Hash)>,
}

impl Parts {
    /// The narratives of one language (none: a hash of nothing).
    pub fn text(&self, lang: &str) -> blake3::Hash {
        self.texts
            .iter()
            .find(|(l, _)| l == lang)
            .map_or_else(|| blake3::hash(b""), |(_, h)| *h)
    }
}

/// Cuts a profile into its parts. The profile is taken apart field by field, so that a
/// field added to it fails to compile here until it is given to a part.
fn parts(p: &Profile, tables: &[blake3::Hash], config: &crate::model::Config) -> Parts {
    let Profile {
        iso3,
        file,
        name,
        region,
        subregion,
        roles,
        updated,
        maintainer,
        rcps,
        summary,
        sources,
        series: _,
        partners: _,
        age_sex: _,
        agreements,
        policies,
        climate,
        gaps_notes,
        narrative,
        charts,
        gaps,
        text_hash: _,
    } = p;
    let mut h = blake3::Hasher::new();
    hash_json(&mut h, &(iso3, file, name, region, subregion, roles));
    hash_json(&mut h, &(updated, maintainer, rcps, summary, sources));
    hash_json(
        &mut h,
        &(agreements, policies, climate, gaps_notes, charts, gaps),
    );
    // Set by other profiles (whether a partner lists the agreement too).
    let flags: Vec<u8> = agreements.iter().map(|a| u8::from(a.one_sided)).collect();
    h.update(&flags);
    let head = h.finalize();
    let mut h = blake3::Hasher::new();
    hash_json(&mut h, &(iso3, name, charts));
    let chart_head = h.finalize();
    let mut h = blake3::Hasher::new();
    hash_json(&mut h, &(iso3, name, region, subregion, updated, sources));
    let data_head = h.finalize();
    let mut h = blake3::Hasher::new();
    for t in tables {
        h.update(t.as_bytes());
    }
    let tables = h.finalize();
    // What a page in each language shows: the very narratives it picks.
    let default = &config.default_language;
    let texts = config
        .languages
        .iter()
        .map(|lang| {
            let mut h = blake3::Hasher::new();
            for section in narrative.keys() {
                hash_json(&mut h, &(section, p.narrative_in(section, lang, default)));
            }
            (lang.clone(), h.finalize())
        })
        .collect();
    Parts {
        head,
        chart_head,
        data_head,
        tables,
        texts,
    }
}

/// What a profile adds to each sum.
#[derive(Debug)]
struct Members {
    profile: blake3::Hash,
    name: blake3::Hash,
    home: blake3::Hash,
    links: blake3::Hash,
    listed: blake3::Hash,
    corridors: blake3::Hash,
    /// For each indicator: its latest value (year, value, flags, source) with the
    /// profile's region; its latest year; its whole table. (The first and the last
    /// are the hashes of the share, which cover the profile's code.)
    indicators: Vec<[blake3::Hash; 3]>,
    /// For each RCP it belongs to: its key figures and its agreements as listed (an
    /// RCP's page lists those among its members).
    rcps: Vec<(String, blake3::Hash)>,
}

/// Sums over every profile.
#[derive(Debug, Clone, Default)]
pub struct Sums {
    /// Every profile's head and tables: `all.csv`.
    pub profiles: Sum,
    /// Codes and names, which every page and chart may show.
    pub names: Sum,
    /// Codes, regions and key figures: the home page.
    pub home: Sum,
    /// Agreements and memberships: the partnerships pages.
    pub links: Sum,
    /// The same without the agreements' summaries: lists of agreements.
    pub listed: Sum,
    /// The partners tables of flow indicators, and the agreements: the corridors.
    pub corridors: Sum,
    /// For each indicator (in the order of the site's indicators, by id): the latest
    /// values, the latest years, the tables.
    pub indicators: Vec<[Sum; 3]>,
    /// For each RCP: its members, their key figures and their agreements.
    pub rcps: BTreeMap<String, Sum>,
}

impl Sums {
    fn apply(&mut self, m: &Members, add: bool) {
        let op = if add { Sum::add } else { Sum::sub };
        op(&mut self.profiles, &m.profile);
        op(&mut self.names, &m.name);
        op(&mut self.home, &m.home);
        op(&mut self.links, &m.links);
        op(&mut self.listed, &m.listed);
        op(&mut self.corridors, &m.corridors);
        if self.indicators.len() < m.indicators.len() {
            self.indicators
                .resize(m.indicators.len(), Default::default());
        }
        for (sums, members) in self.indicators.iter_mut().zip(&m.indicators) {
            for (sum, member) in sums.iter_mut().zip(members) {
                op(sum, member);
            }
        }
        for (rcp, member) in &m.rcps {
            op(self.rcps.entry(rcp.clone()).or_default(), member);
        }
    }
}

/// Every profile's share, and their sums.
#[derive(Debug, Clone, Default)]
pub struct Shares {
    /// What every share depends on besides its profile (the catalogue): shares made
    /// under another are made again.
    wide: Option<blake3::Hash>,
    by_code: rustc_hash::FxHashMap<String, Arc<Share>>,
    pub sums: Sums,
}

impl Shares {
    /// Brings the shares up to date with `site`: profiles that are not the very ones
    /// the shares were made of get theirs made again (in parallel), and the shares of
    /// profiles gone are taken out. `wide` is what every share depends on besides its
    /// profile.
    pub fn update(&mut self, site: &Site, wide: blake3::Hash) {
        if self.wide != Some(wide) {
            *self = Shares {
                wide: Some(wide),
                ..Shares::default()
            };
        }
        let stale: Vec<(&String, &Arc<Profile>)> = site
            .profiles
            .iter()
            .filter(|(code, p)| {
                !self
                    .by_code
                    .get(*code)
                    .is_some_and(|s| Arc::ptr_eq(&s.profile, p))
            })
            .collect();
        let made: Vec<Arc<Share>> = stale
            .par_iter()
            .map(|(code, p)| Arc::new(share(site, code, p)))
            .collect();
        for ((code, _), share) in stale.into_iter().zip(made) {
            self.sums.apply(&share.members, true);
            if let Some(old) = self.by_code.insert(code.clone(), share) {
                self.sums.apply(&old.members, false);
            }
        }
        // Every profile of the site has its share now, so only when there are more
        // are there shares to take out.
        if self.by_code.len() > site.profiles.len() {
            let sums = &mut self.sums;
            self.by_code.retain(|code, share| {
                let kept = site.profiles.contains_key(code);
                if !kept {
                    sums.apply(&share.members, false);
                }
                kept
            });
        }
        // With no profile at all, no member made the sums as long as the indicators:
        // each indicator still has its (empty) sums.
        if self.sums.indicators.len() < site.indicators.len() {
            self.sums
                .indicators
                .resize(site.indicators.len(), Default::default());
        }
    }

    pub fn get(&self, code: &str) -> Option<&Share> {
        self.by_code.get(code).map(|s| &**s)
    }

    /// Every share, in no particular order.
    pub fn all(&self) -> impl Iterator<Item = (&str, &Share)> {
        self.by_code.iter().map(|(code, s)| (code.as_str(), &**s))
    }
}

/// One profile's share of the hashes across countries.
fn share(site: &Site, code: &str, p: &Arc<Profile>) -> Share {
    let hash = {
        let mut b = p.text_hash.as_bytes().to_vec();
        b.extend(p.agreements.iter().map(|a| u8::from(a.one_sided)));
        blake3::hash(&b)
    };
    let links = {
        let mut h = blake3::Hasher::new();
        hash_json(&mut h, &p.agreements);
        hash_json(&mut h, &p.rcps);
        h.finalize()
    };
    let listed = listed(p);
    // The profile's own sources, which its values may cite: serialized once, fed into
    // every table's hash and every latest value's.
    let sources = {
        let mut h = blake3::Hasher::new();
        hash_json(&mut h, &p.sources);
        h.finalize()
    };
    let mut tables = Vec::with_capacity(site.indicators.len());
    let mut indicators = Vec::with_capacity(site.indicators.len());
    let mut figures = blake3::Hasher::new();
    let mut flows = blake3::Hasher::new();
    // The two hashes made for each indicator begin with the profile's code, so that
    // they can be members of their sums as they are.
    let code_len = (code.len() as u64).to_le_bytes();
    for (id, ind) in &site.indicators {
        // A whole table, with the profile's own sources its values may cite.
        let mut h = blake3::Hasher::new();
        h.update(&code_len);
        h.update(code.as_bytes());
        if let Some(series) = p.series.get(id) {
            hash_series(&mut h, series);
        }
        match p.partners.get(id) {
            Some(t) => hash_json(&mut h, t),
            None => {
                h.update(b"-");
            }
        }
        match p.age_sex.get(id) {
            Some(t) => hash_json(&mut h, t),
            None => {
                h.update(b"-");
            }
        }
        h.update(sources.as_bytes());
        let table = h.finalize();
        // The pages across countries show a profile's latest value only (its year,
        // flags and source) and group it by region.
        let latest = crate::model::latest_value(p, id);
        let mut h = blake3::Hasher::new();
        h.update(&code_len);
        h.update(code.as_bytes());
        h.update(p.region.as_bytes());
        if let Some(l) = &latest {
            h.update(&l.year.to_le_bytes());
            h.update(&l.value.to_bits().to_le_bytes());
            h.update(&[u8::from(l.estimated), u8::from(l.derived)]);
            h.update(l.source.as_bytes());
            // A source may be the profile's own: its title and edition are shown.
            h.update(sources.as_bytes());
        }
        let value = h.finalize();
        if ind.core {
            figures.update(value.as_bytes());
        }
        if ind.kind == "partners" && ind.flow.is_some() {
            flows.update(table.as_bytes());
        }
        let year = latest.map_or(-1, |l| i64::from(l.year)).to_le_bytes();
        indicators.push([value, member(b"year", code, &[&year]), table]);
        tables.push(table);
    }
    let figures = figures.finalize();
    let name = {
        let mut h = blake3::Hasher::new();
        hash_json(&mut h, &p.name);
        h.finalize()
    };
    let rcps = p
        .rcps
        .iter()
        .map(|r| {
            let parts = [figures.as_bytes().as_slice(), listed.as_bytes()];
            (r.clone(), member(b"rcp", code, &parts))
        })
        .collect();
    let parts = parts(p, &tables, &site.config);
    let members = Members {
        // `all.csv` holds the profile's rows.
        profile: member(
            b"profile",
            code,
            &[parts.data_head.as_bytes(), parts.tables.as_bytes()],
        ),
        name: member(b"name", code, &[name.as_bytes()]),
        home: member(b"home", code, &[p.region.as_bytes(), figures.as_bytes()]),
        links: member(b"links", code, &[links.as_bytes()]),
        listed: member(b"listed", code, &[listed.as_bytes()]),
        corridors: member(
            b"corridors",
            code,
            &[flows.finalize().as_bytes(), links.as_bytes()],
        ),
        indicators,
        rcps,
    };
    let reads = reads(site, code, p);
    Share {
        profile: p.clone(),
        hash,
        parts,
        tables,
        reads,
        members,
    }
}

/// A profile's agreements as lists of them show them (an RCP's page, `agreements()` in
/// a text): all but their summaries, which only the partnerships pages and the
/// profile's own show; and its memberships.
fn listed(p: &Profile) -> blake3::Hash {
    let shown: Vec<_> = p
        .agreements
        .iter()
        .map(|a| {
            let crate::model::Agreement {
                id,
                title,
                partners,
                parties,
                kind,
                topics,
                signed,
                status,
                url,
                summary: _,
                one_sided,
            } = a;
            (
                id,
                title,
                partners,
                parties,
                kind,
                topics,
                (signed, status, url, one_sided),
            )
        })
        .collect();
    let mut h = blake3::Hasher::new();
    hash_json(&mut h, &shown);
    hash_json(&mut h, &p.rcps);
    h.finalize()
}

/// What the calls in a profile's narratives read.
fn reads(site: &Site, code: &str, p: &Profile) -> Vec<Read> {
    let no_failed = std::collections::BTreeSet::new();
    let scope = crate::model::calls::Scope {
        indicators: &site.indicators,
        profiles: &site.profiles,
        failed: &no_failed,
        current: Some(code),
    };
    p.narrative
        .values()
        .flat_map(|by_lang| by_lang.values())
        .flat_map(|text| crate::model::calls::resolved(text, &scope))
        .flat_map(|(_, kind)| crate::model::calls::reads(&kind, &site.indicators))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_is_the_same_on_the_stack_as_on_the_heap() {
        let long = "X".repeat(300);
        let plain = |tag: &[u8], code: &str, parts: &[&[u8]]| {
            let mut b = Vec::new();
            for p in [tag, code.as_bytes()]
                .into_iter()
                .chain(parts.iter().copied())
            {
                b.extend_from_slice(&(p.len() as u64).to_le_bytes());
                b.extend_from_slice(p);
            }
            blake3::hash(&b)
        };
        let h = [7u8; 32];
        for code in ["MEX", long.as_str()] {
            assert_eq!(
                member(b"home", code, &[b"LAC", &h]),
                plain(b"home", code, &[b"LAC", &h])
            );
        }
    }

    #[test]
    fn a_sum_does_not_depend_on_order_and_takes_members_back_out() {
        let [a, b, c] = [b"a", b"b", b"c"].map(|x| blake3::hash(x));
        let (mut one, mut two) = (Sum::default(), Sum::default());
        for m in [&a, &b, &c] {
            one.add(m);
        }
        for m in [&c, &a, &b] {
            two.add(m);
        }
        assert_eq!(one, two);
        two.sub(&b);
        assert_ne!(one, two);
        let mut ac = Sum::default();
        ac.add(&a);
        ac.add(&c);
        assert_eq!(two, ac);
        assert_ne!(ac.hash(), Sum::default().hash());
    }
}
