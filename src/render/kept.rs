//! What the renderer keeps between the rebuilds of a `serve` session, each thing with
//! the fingerprint of what it was made from: a profile's CSV lines (`data/all.csv`
//! joins them all), its home-page cards, its charts' shapes (what its page shows of
//! them), the charts across profiles drawn (world maps, rankings) and the decoded map
//! outlines. An edit of one profile then makes that profile's again, not every one's.
//! Owned by the session, never global: two sessions (or tests) share nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use super::charts;
use crate::plan::{Plan, routes};

/// A thing made, with the key it was made under.
type Made<T> = (String, T);

/// Cards by (language, code), under their page's fingerprint and their template's.
type Cards = HashMap<(String, String), (CardKey, Arc<str>)>;
type CardKey = (String, Option<blake3::Hash>);

/// Profile charts' shapes by code, then (language, chart): a rebuild lets go of a
/// profile's at once.
type Shapes = HashMap<String, HashMap<(String, String), Made<Arc<charts::Shape>>>>;

/// Made things, by what they are of, each with the key it was made under.
#[derive(Default)]
pub struct Kept {
    csv: Mutex<HashMap<String, Made<Arc<[u8]>>>>,
    cards: Mutex<Cards>,
    shapes: Mutex<Shapes>,
    /// Charts across profiles (world maps, rankings) by the hash of their spec.
    maps: Mutex<HashMap<blake3::Hash, Arc<charts::Drawn>>>,
    /// The outlines, by the hash of the theme's map file.
    world: Mutex<Option<(blake3::Hash, Arc<charts::map::World>)>>,
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Kept {
    /// Lets go of what belongs to profiles the site no longer has.
    pub fn retain_profiles(&self, has: impl Fn(&str) -> bool) {
        lock(&self.csv).retain(|code, _| has(code));
        lock(&self.cards).retain(|(_, code), _| has(code));
        lock(&self.shapes).retain(|code, _| has(code));
    }

    pub(super) fn map(&self, key: blake3::Hash) -> Option<Arc<charts::Drawn>> {
        lock(&self.maps).get(&key).cloned()
    }

    pub(super) fn keep_map(&self, key: blake3::Hash, drawn: &Arc<charts::Drawn>) {
        let mut maps = lock(&self.maps);
        // A site has a map per series indicator and language; more keys are old
        // generations.
        if maps.len() >= 512 {
            maps.clear();
        }
        maps.insert(key, drawn.clone());
    }

    pub(super) fn world(&self, key: blake3::Hash) -> Option<Arc<charts::map::World>> {
        lock(&self.world)
            .as_ref()
            .filter(|(k, _)| *k == key)
            .map(|(_, w)| w.clone())
    }

    pub(super) fn keep_world(&self, key: blake3::Hash, world: &Arc<charts::map::World>) {
        *lock(&self.world) = Some((key, world.clone()));
    }
}

/// The kept things as one generation of the site may use them: each is taken only
/// under the key this plan gives it (the fingerprint of the output made of the same
/// parts of the model, and the template a card is made with).
pub struct KeptFor<'a> {
    pub kept: &'a Kept,
    pub plan: &'a Plan,
    pub config: &'a crate::model::Config,
    pub card_template: Option<blake3::Hash>,
}

impl KeptFor<'_> {
    /// A profile's CSV lines are what its CSV file holds.
    fn csv_key(&self, iso3: &str) -> Option<String> {
        let path = routes::profile_data(iso3, "csv");
        Some(self.plan.of_profile(iso3, &path)?.fingerprint.clone())
    }

    /// A card shows what the profile's page in its language reads, through its own
    /// template.
    fn card_key(&self, lang: &str, iso3: &str) -> Option<CardKey> {
        Some((self.card_page(lang, iso3)?.to_string(), self.card_template))
    }

    /// The fingerprint of the profile page a card shows.
    fn card_page(&self, lang: &str, iso3: &str) -> Option<&str> {
        let path = routes::profile(self.config, lang, iso3);
        Some(&self.plan.of_profile(iso3, &path)?.fingerprint)
    }

    pub(super) fn csv(&self, iso3: &str) -> Option<Arc<[u8]>> {
        let key = self.csv_key(iso3)?;
        let csv = lock(&self.kept.csv);
        csv.get(iso3)
            .filter(|(k, _)| *k == key)
            .map(|(_, b)| b.clone())
    }

    pub(super) fn keep_csv(&self, iso3: &str, body: &Arc<[u8]>) {
        if let Some(key) = self.csv_key(iso3) {
            lock(&self.kept.csv).insert(iso3.to_string(), (key, body.clone()));
        }
    }

    /// A chart's shape is its SVG file's.
    fn shape_key(&self, lang: &str, iso3: &str, id: &str) -> Option<String> {
        let path = routes::chart(self.config, lang, iso3, id, "svg");
        Some(self.plan.of_profile(iso3, &path)?.fingerprint.clone())
    }

    pub(super) fn shape(&self, lang: &str, iso3: &str, id: &str) -> Option<Arc<charts::Shape>> {
        let key = self.shape_key(lang, iso3, id)?;
        let at = (lang.to_string(), id.to_string());
        lock(&self.kept.shapes)
            .get(iso3)?
            .get(&at)
            .filter(|(k, _)| *k == key)
            .map(|(_, s)| s.clone())
    }

    pub(super) fn keep_shape(&self, lang: &str, iso3: &str, id: &str, shape: &Arc<charts::Shape>) {
        if let Some(key) = self.shape_key(lang, iso3, id) {
            let at = (lang.to_string(), id.to_string());
            let mut shapes = lock(&self.kept.shapes);
            let of = shapes.entry(iso3.to_string()).or_default();
            of.insert(at, (key, shape.clone()));
        }
    }

    pub(super) fn card(&self, lang: &str, iso3: &str) -> Option<Arc<str>> {
        let page = self.card_page(lang, iso3)?;
        let cards = lock(&self.kept.cards);
        // Compared in place, not copied into a key: the home page asks for every card.
        cards
            .get(&(lang.to_string(), iso3.to_string()))
            .filter(|((f, t), _)| f == page && *t == self.card_template)
            .map(|(_, h)| h.clone())
    }

    pub(super) fn keep_card(&self, lang: &str, iso3: &str, html: &Arc<str>) {
        if let Some(key) = self.card_key(lang, iso3) {
            let at = (lang.to_string(), iso3.to_string());
            lock(&self.kept.cards).insert(at, (key, html.clone()));
        }
    }
}
