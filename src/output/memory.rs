//! The in-memory store that `serve` answers from. A rebuild changes it in one short
//! step under a write lock, so a request sees either the last site or the new one,
//! never half of each, and requests keep being answered while the next site renders.
//! Costly outputs (PNG and PDF charts) may be deferred: they are rendered on their
//! first request, from the site they belong to, and kept.

use std::collections::HashMap;

use crate::plan::Output;
use std::sync::{Arc, RwLock};

/// Renders a deferred output of one generation of the site, by path.
pub type Deferred = Arc<dyn Fn(&str) -> Option<Vec<u8>> + Send + Sync>;

#[derive(Clone)]
enum Body {
    Ready(Arc<[u8]>),
    /// Bytes kept in parts, joined on request (`data/all.csv`: one part a profile).
    Parts(Vec<Arc<[u8]>>),
    /// Rendered on request by the generation's `Deferred`.
    Later,
}

#[derive(Clone)]
struct Stored {
    fingerprint: String,
    body: Body,
}

#[derive(Default)]
struct State {
    files: HashMap<String, Stored>,
    deferred: Option<Deferred>,
    generation: u64,
}

/// One output for the store: rendered now (whole or in parts), or left for its first
/// request.
pub enum Put {
    /// Made exactly as long as its bytes where it was rendered: a rendered page's spare
    /// capacity is let go at once instead of being held until the store takes it.
    Bytes(Arc<[u8]>),
    Parts(Vec<Arc<[u8]>>),
    Later,
}

#[derive(Default)]
pub struct MemoryStore {
    state: RwLock<State>,
}

impl MemoryStore {
    /// The outputs of a plan that the store lacks or holds under another fingerprint.
    pub fn dirty<'p>(&self, outputs: &'p [Arc<Output>]) -> Vec<&'p Output> {
        let state = self.read();
        outputs
            .iter()
            .filter(|o| state.files.get(&o.path).map(|s| &s.fingerprint) != Some(&o.fingerprint))
            .map(|o| &**o)
            .collect()
    }

    #[cfg(test)]
    fn fingerprint(&self, path: &str) -> Option<String> {
        self.read().files.get(path).map(|s| s.fingerprint.clone())
    }

    /// Replaces the site: `put` holds the outputs that changed (with their new
    /// fingerprints), `outputs` counts the new site's outputs and `keep` tells them. Returns the paths whose bytes
    /// changed, appeared or went away, sorted.
    pub fn apply(
        &self,
        put: Vec<(String, String, Put)>,
        outputs: usize,
        keep: impl Fn(&str) -> bool,
        deferred: Deferred,
    ) -> Vec<String> {
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        let mut changed = Vec::new();
        for (path, fingerprint, body) in put {
            let body = match body {
                Put::Bytes(b) => {
                    let same = matches!(
                        state.files.get(&path).map(|s| &s.body),
                        Some(Body::Ready(old)) if **old == *b
                    );
                    if !same {
                        changed.push(path.clone());
                    }
                    Body::Ready(b)
                }
                Put::Parts(parts) => {
                    let same = match state.files.get(&path).map(|s| &s.body) {
                        Some(Body::Parts(old)) => {
                            old.len() == parts.len()
                                && old
                                    .iter()
                                    .zip(&parts)
                                    .all(|(a, b)| Arc::ptr_eq(a, b) || a == b)
                        }
                        _ => false,
                    };
                    if !same {
                        changed.push(path.clone());
                    }
                    Body::Parts(parts)
                }
                Put::Later => {
                    changed.push(path.clone());
                    Body::Later
                }
            };
            state.files.insert(path, Stored { fingerprint, body });
        }
        // Every output of the new site is now held (`put` covers what was missing), so
        // only when the store holds more are there outputs to drop.
        if state.files.len() > outputs {
            state.files.retain(|path, _| {
                let kept = keep(path);
                if !kept {
                    changed.push(path.clone());
                }
                kept
            });
        }
        let last = state.deferred.replace(deferred);
        state.generation += 1;
        drop(state);
        // The last site is freed off the rebuild's path: tens of thousands of small
        // allocations. Where no thread can be made, it is freed here.
        let _ = std::thread::Builder::new()
            .name("mpgen-free".into())
            .spawn(move || drop(last));
        changed.sort();
        changed
    }

    /// The bytes of an output, rendering it first when it was deferred.
    pub fn get(&self, path: &str) -> Option<Arc<[u8]>> {
        let (render, generation) = {
            let state = self.read();
            match &state.files.get(path)?.body {
                Body::Ready(b) => return Some(b.clone()),
                Body::Parts(parts) => return Some(Arc::from(parts.concat())),
                Body::Later => (state.deferred.clone()?, state.generation),
            }
        };
        // Rendered outside the lock: other requests go on meanwhile.
        let bytes: Arc<[u8]> = Arc::from(render(path)?);
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        if state.generation == generation
            && let Some(s) = state.files.get_mut(path)
        {
            s.body = Body::Ready(bytes.clone());
        }
        Some(bytes)
    }

    pub fn contains(&self, path: &str) -> bool {
        self.read().files.contains_key(path)
    }

    pub fn len(&self) -> usize {
        self.read().files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every path held, sorted.
    pub fn paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self.read().files.keys().cloned().collect();
        paths.sort();
        paths
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_reports_what_changed_and_defers_on_request() {
        let store = MemoryStore::default();
        let render: Deferred = Arc::new(|p: &str| Some(format!("drawn {p}").into_bytes()));
        let keep = |p: &str| ["a.html", "b.png"].contains(&p);
        let changed = store.apply(
            vec![
                (
                    "a.html".into(),
                    "1".into(),
                    Put::Bytes(Arc::from(&b"A"[..])),
                ),
                ("b.png".into(), "1".into(), Put::Later),
            ],
            2,
            keep,
            render.clone(),
        );
        assert_eq!(changed, ["a.html", "b.png"]);
        assert_eq!(&*store.get("b.png").unwrap(), b"drawn b.png");

        // Same bytes under a new fingerprint: not a change. A path left out: removed.
        let keep = |p: &str| p == "a.html";
        let changed = store.apply(
            vec![(
                "a.html".into(),
                "2".into(),
                Put::Bytes(Arc::from(&b"A"[..])),
            )],
            1,
            keep,
            render,
        );
        assert_eq!(changed, ["b.png"]);
        assert!(store.get("b.png").is_none());
        assert_eq!(store.fingerprint("a.html").as_deref(), Some("2"));
    }
}
