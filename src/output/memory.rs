//! The in-memory store that `serve` answers from. A rebuild changes it in one short
//! step under a write lock, so a request sees either the last site or the new one,
//! never half of each, and requests keep being answered while the next site renders.
//! A rebuild may show some outputs first (the pages open in a browser): they are
//! *staged*, answered at once, while a request for any other output the rebuild
//! changes waits until the rest is stored (or the rebuild fails, and the last site
//! stands). Costly outputs (PNG and PDF charts) may be deferred: they are rendered on
//! their first request, from the site they belong to, and kept. Text outputs (pages,
//! SVG, CSV, JSON) are held gzipped, as a browser takes them: a tenth of their bytes,
//! so the preview of a site of 150 MB holds 20.

use std::collections::{HashMap, HashSet};

use crate::plan::Output;
use std::sync::{Arc, Condvar, Mutex, RwLock};

/// Renders a deferred output of one generation of the site, by path.
pub type Deferred = Arc<dyn Fn(&str) -> Option<Vec<u8>> + Send + Sync>;

#[derive(Clone)]
enum Body {
    Ready(Arc<[u8]>),
    /// The bytes, gzipped (`pack`).
    Gzip(Arc<[u8]>),
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
    /// The next site's outputs stored ahead of the rest, while it renders.
    staged: Option<Staged>,
}

/// Outputs of a rebuild under way: those shown first, and the paths still to come.
struct Staged {
    files: HashMap<String, Stored>,
    pending: HashSet<String>,
}

impl State {
    /// Where the answer for `path` is: a staged output, none yet (it is still being
    /// rendered), or the site's own.
    fn lookup(&self, path: &str) -> Lookup<'_> {
        if let Some(staged) = &self.staged {
            if let Some(s) = staged.files.get(path) {
                return Lookup::Found(s);
            }
            if staged.pending.contains(path) {
                return Lookup::Pending;
            }
        }
        match self.files.get(path) {
            Some(s) => Lookup::Found(s),
            None => Lookup::Missing,
        }
    }
}

enum Lookup<'a> {
    Found(&'a Stored),
    Pending,
    Missing,
}

/// One output for the store: rendered now (whole or in parts), or left for its first
/// request.
pub enum Put {
    /// Made exactly as long as its bytes where it was rendered: a rendered page's spare
    /// capacity is let go at once instead of being held until the store takes it.
    Bytes(Arc<[u8]>),
    /// Gzipped where it was rendered (`pack`).
    Gzip(Arc<[u8]>),
    Parts(Vec<Arc<[u8]>>),
    Later,
}

#[derive(Default)]
pub struct MemoryStore {
    state: RwLock<State>,
    /// Rung whenever the staged outputs go (stored with the rest, or dropped): a
    /// request for a pending output waits on it.
    settled: (Mutex<()>, Condvar),
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

    /// Stores `put` ahead of the rest of a rebuild, whose outputs still to come are
    /// `pending`: until [`MemoryStore::apply`] (or [`MemoryStore::unstage`]), requests
    /// get the staged outputs, wait for the pending ones, and get the rest as they
    /// were. Returns the staged paths whose bytes changed, sorted.
    pub fn stage(&self, put: Vec<(String, String, Put)>, pending: HashSet<String>) -> Vec<String> {
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        let mut changed = Vec::new();
        let mut files = HashMap::with_capacity(put.len());
        for (path, fingerprint, body) in put {
            let (body, same) = stored_body(state.files.get(&path).map(|s| &s.body), body);
            if !same {
                changed.push(path.clone());
            }
            files.insert(path, Stored { fingerprint, body });
        }
        state.staged = Some(Staged { files, pending });
        changed.sort();
        changed
    }

    /// Drops what was staged (the rebuild failed): the last site stands whole.
    pub fn unstage(&self) {
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        if state.staged.take().is_some() {
            drop(state);
            self.ring();
        }
    }

    /// Wakes the requests waiting for pending outputs.
    fn ring(&self) {
        let _lock = self.settled.0.lock().unwrap_or_else(|e| e.into_inner());
        self.settled.1.notify_all();
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
        // What was staged was compared with the last site when it was staged.
        let staged = state.staged.take();
        for (path, fingerprint, body) in put {
            let (body, same) = stored_body(state.files.get(&path).map(|s| &s.body), body);
            if !same {
                changed.push(path.clone());
            }
            state.files.insert(path, Stored { fingerprint, body });
        }
        let was_staged = staged.is_some();
        if let Some(staged) = staged {
            state.files.extend(staged.files);
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
        if was_staged {
            self.ring();
        }
        // The last site is freed off the rebuild's path: tens of thousands of small
        // allocations. Where no thread can be made, it is freed here.
        let _ = std::thread::Builder::new()
            .name("mpgen-free".into())
            .spawn(move || drop(last));
        changed.sort();
        changed
    }

    /// The bytes of an output, rendering it first when it was deferred, and waiting
    /// for it when the rebuild under way has yet to store it.
    pub fn get(&self, path: &str) -> Option<Arc<[u8]>> {
        self.get_encoded(path)?.decoded()
    }

    /// An output as held (gzipped or not), rendering it first when it was deferred,
    /// and waiting for it when the rebuild under way has yet to store it.
    pub fn get_encoded(&self, path: &str) -> Option<Encoded> {
        let ready = |bytes: &Arc<[u8]>, gzip| Encoded {
            bytes: bytes.clone(),
            gzip,
        };
        let (render, generation) = {
            let state = self.settled(path);
            let Lookup::Found(stored) = state.lookup(path) else {
                return None;
            };
            match &stored.body {
                Body::Ready(b) => return Some(ready(b, false)),
                Body::Gzip(b) => return Some(ready(b, true)),
                Body::Parts(parts) => return Some(ready(&Arc::from(parts.concat()), false)),
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
        Some(ready(&bytes, false))
    }

    /// The state once `path` is no longer pending, read-locked.
    fn settled(&self, path: &str) -> std::sync::RwLockReadGuard<'_, State> {
        let mut lock = self.settled.0.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let state = self.read();
            if !matches!(state.lookup(path), Lookup::Pending) {
                return state;
            }
            drop(state);
            // Woken when the rest is stored or dropped; the time-out only guards
            // against a ring missed by a panic between the two locks.
            lock = self
                .settled
                .1
                .wait_timeout(lock, std::time::Duration::from_millis(100))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    pub fn contains(&self, path: &str) -> bool {
        !matches!(self.read().lookup(path), Lookup::Missing)
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

/// An output's bytes for the store: gzipped where they are text (a tenth of the
/// bytes; the compression is deterministic, so equal bytes stay equal packed), as
/// they are otherwise (PNG, PDF and fonts are compressed already).
pub fn pack(path: &str, bytes: Vec<u8>) -> Put {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    if !matches!(
        ext,
        "html" | "svg" | "css" | "js" | "json" | "csv" | "xml" | "txt"
    ) {
        return Put::Bytes(Arc::from(bytes));
    }
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 4 + 64),
        flate2::Compression::fast(),
    );
    // Writing into memory cannot fail.
    let packed = gz.write_all(&bytes).and_then(|()| gz.finish());
    match packed {
        Ok(packed) => Put::Gzip(Arc::from(packed)),
        Err(_) => Put::Bytes(Arc::from(bytes)),
    }
}

/// The bytes of gzipped `packed`.
fn unpack(packed: &[u8]) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::with_capacity(packed.len() * 4);
    flate2::read::GzDecoder::new(packed)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

/// An output as the store holds it: gzipped or not.
#[derive(Clone)]
pub struct Encoded {
    pub bytes: Arc<[u8]>,
    pub gzip: bool,
}

impl Encoded {
    /// The output's own bytes.
    pub fn decoded(&self) -> Option<Arc<[u8]>> {
        if self.gzip {
            unpack(&self.bytes).map(Arc::from)
        } else {
            Some(self.bytes.clone())
        }
    }
}

/// The body `put` is stored as, and whether its bytes are those of `old`.
fn stored_body(old: Option<&Body>, put: Put) -> (Body, bool) {
    match put {
        Put::Bytes(b) => {
            let same = matches!(old, Some(Body::Ready(old)) if **old == *b);
            (Body::Ready(b), same)
        }
        Put::Gzip(b) => {
            let same = matches!(old, Some(Body::Gzip(old)) if **old == *b);
            (Body::Gzip(b), same)
        }
        Put::Parts(parts) => {
            let same = match old {
                Some(Body::Parts(old)) => {
                    old.len() == parts.len()
                        && old
                            .iter()
                            .zip(&parts)
                            .all(|(a, b)| Arc::ptr_eq(a, b) || a == b)
                }
                _ => false,
            };
            (Body::Parts(parts), same)
        }
        // Rendered on request: whether it changed is not known, so it did.
        Put::Later => (Body::Later, false),
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

    #[test]
    fn staged_outputs_show_first_and_pending_ones_wait_for_the_rest() {
        let store = Arc::new(MemoryStore::default());
        let render: Deferred = Arc::new(|_: &str| None);
        let bytes = |b: &str| Put::Bytes(Arc::from(b.as_bytes()));
        let put = |p: &str, b: &str| (p.to_string(), "1".to_string(), bytes(b));
        let all = |p: &str| ["open.html", "other.html", "same.html"].contains(&p);
        store.apply(
            vec![
                put("open.html", "old"),
                put("other.html", "old"),
                put("same.html", "same"),
            ],
            3,
            all,
            render.clone(),
        );

        // The open page goes first; `other.html` and a new page are still rendering.
        let pending: HashSet<String> = ["other.html", "new.html"].map(String::from).into();
        let shown = store.stage(vec![put("open.html", "new")], pending.clone());
        assert_eq!(shown, ["open.html"]);
        assert_eq!(&*store.get("open.html").unwrap(), b"new");
        assert_eq!(&*store.get("same.html").unwrap(), b"same");
        assert!(store.contains("new.html"));
        // A request for what is still rendering waits for it, and gets the new bytes.
        let waiting = {
            let store = store.clone();
            std::thread::spawn(move || store.get("other.html"))
        };
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(
            !waiting.is_finished(),
            "answered before the rest was stored"
        );
        let all = |p: &str| ["open.html", "other.html", "same.html", "new.html"].contains(&p);
        let rest = store.apply(
            vec![put("other.html", "new"), put("new.html", "new")],
            4,
            all,
            render.clone(),
        );
        assert_eq!(
            rest,
            ["new.html", "other.html"],
            "the staged page is not told twice"
        );
        assert_eq!(&*waiting.join().unwrap().unwrap(), b"new");
        assert_eq!(&*store.get("open.html").unwrap(), b"new");

        // A rebuild that fails after staging leaves the last site whole, and wakes the
        // requests that waited.
        store.stage(vec![put("open.html", "broken")], pending);
        let waiting = {
            let store = store.clone();
            std::thread::spawn(move || store.get("other.html"))
        };
        std::thread::sleep(std::time::Duration::from_millis(20));
        store.unstage();
        assert_eq!(&*waiting.join().unwrap().unwrap(), b"new");
        assert_eq!(&*store.get("open.html").unwrap(), b"new");
        assert!(!store.contains("gone.html"));
    }

    #[test]
    fn text_is_held_gzipped_and_given_back_whole() {
        let page = "<!doctype html><p>Remittances</p>".repeat(200);
        let put = pack("profiles/mex/index.html", page.clone().into_bytes());
        let packed = match &put {
            Put::Gzip(b) => b.clone(),
            _ => panic!("a page is held gzipped"),
        };
        assert!(packed.len() * 10 < page.len());
        // The same bytes pack the same way: a rebuild that makes them again changes nothing.
        let again = pack("profiles/mex/index.html", page.clone().into_bytes());
        assert!(matches!(&again, Put::Gzip(b) if *b == packed));
        assert!(matches!(
            pack("charts/mex/a.png", vec![1, 2]),
            Put::Bytes(_)
        ));

        let store = MemoryStore::default();
        let render: Deferred = Arc::new(|_: &str| None);
        let keep = |_: &str| true;
        let path = "profiles/mex/index.html".to_string();
        let changed = store.apply(
            vec![(path.clone(), "1".into(), put)],
            1,
            keep,
            render.clone(),
        );
        assert_eq!(changed, std::slice::from_ref(&path));
        assert_eq!(&*store.get(&path).unwrap(), page.as_bytes());
        let held = store.get_encoded(&path).unwrap();
        assert!(held.gzip && held.bytes == packed);
        let changed = store.apply(vec![(path.clone(), "2".into(), again)], 1, keep, render);
        assert!(changed.is_empty());
    }
}
