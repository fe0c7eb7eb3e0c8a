//! WATCH: file-system events in, the site's changes out. Editors save in many ways
//! (write in place, write a temporary file and rename it over, keep a backup, touch a
//! lock file); [`Settle`] gathers each save into one batch, and `classify` keeps only
//! what a build reads: the root's TOML files and the files under `profiles/`,
//! `content/`, `themes/` and `static/`, never hidden or editor files and never the
//! output folder. A removal is a change like any other.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, CreateKind, EventKind, ModifyKind, RenameMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer_opt, notify};

use crate::load::is_ignored;

/// How long events are gathered before a rebuild where the platform does not say when
/// a writer is done (no close events, or polling), and after an input went away (the
/// first half of many editors' saves): long enough to take an editor's save
/// (temporary file, rename, backup) as one change, short enough not to be felt.
pub const DEBOUNCE: Duration = Duration::from_millis(10);

/// How long the events stay quiet before a batch goes, once every file written has
/// been closed: the gap between an editor's steps (close the temporary file, rename it
/// over) is microseconds.
pub const QUIET: Duration = Duration::from_millis(2);

/// The longest a file held open for writing holds a batch back.
pub const OPEN_WRITE_LIMIT: Duration = Duration::from_secs(1);

/// The folders of a site that a build reads, besides the root's own TOML files.
pub const SITE_FOLDERS: [&str; 4] = ["profiles", "content", "themes", "static"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    Created,
    Modified,
    Removed,
}

/// A change to one input of the site: a path relative to the root, `/`-separated.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    pub path: String,
    pub kind: ChangeKind,
}

/// Whether a path (relative to the root) is one a build reads.
pub fn is_input(rel: &str) -> bool {
    if rel.split('/').any(is_ignored) {
        return false;
    }
    match rel.split_once('/') {
        None => rel.ends_with(".toml") || SITE_FOLDERS.contains(&rel),
        Some((top, _)) => SITE_FOLDERS.contains(&top),
    }
}

/// The changes a debounced file-system event means for the site under `root`; events
/// under `out` (the output folder) mean nothing.
pub fn classify(root: &Path, out: &Path, event: &notify::Event) -> Vec<Change> {
    let rel = |p: &Path| -> Option<String> {
        if p.starts_with(out) {
            return None;
        }
        let r = p
            .strip_prefix(root)
            .ok()?
            .to_string_lossy()
            .replace('\\', "/");
        is_input(&r).then_some(r)
    };
    let one = |p: &Path, kind: ChangeKind| rel(p).map(|path| Change { path, kind });
    let all = |paths: &[PathBuf], kind| paths.iter().filter_map(|p| one(p, kind)).collect();
    let mut changes: Vec<Change> = match event.kind {
        EventKind::Access(_) | EventKind::Other => Vec::new(),
        EventKind::Create(_) => all(&event.paths, ChangeKind::Created),
        EventKind::Remove(_) => all(&event.paths, ChangeKind::Removed),
        EventKind::Modify(ModifyKind::Name(mode)) => match (mode, event.paths.as_slice()) {
            (RenameMode::Both, [from, to]) => one(from, ChangeKind::Removed)
                .into_iter()
                .chain(one(to, ChangeKind::Created))
                .collect(),
            (RenameMode::From, paths) => all(paths, ChangeKind::Removed),
            (RenameMode::To, paths) => all(paths, ChangeKind::Created),
            // The platform did not say which end of the rename this is: the disk does.
            (_, paths) => paths
                .iter()
                .filter_map(|p| {
                    let kind = if p.exists() {
                        ChangeKind::Created
                    } else {
                        ChangeKind::Removed
                    };
                    one(p, kind)
                })
                .collect(),
        },
        EventKind::Modify(_) | EventKind::Any => all(&event.paths, ChangeKind::Modified),
    };
    changes.sort();
    changes.dedup();
    changes
}

/// What the watcher saw in one debounce period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    pub changes: Vec<Change>,
    /// Events were lost (the kernel's queue overflowed, or watching failed): other
    /// files may have changed too, so the whole site should be looked at.
    pub missed: bool,
}

/// What one debounce period's events mean for the site under `root`: its changes,
/// and whether some were lost (the kernel asks for a rescan when its queue
/// overflowed; a watcher error loses events too). `None` when nothing happened to it.
pub fn batch(root: &Path, out: &Path, result: DebounceEventResult) -> Option<Batch> {
    match result {
        Ok(events) => batch_of(root, out, events.iter().map(|e| &e.event), false),
        Err(_) => batch_of(root, out, std::iter::empty(), true),
    }
}

/// The changes `events` mean for the site under `root`, and whether some were lost
/// (`failed`, or the kernel asked for a rescan); `None` when nothing happened to it.
fn batch_of<'e>(
    root: &Path,
    out: &Path,
    events: impl Iterator<Item = &'e notify::Event>,
    failed: bool,
) -> Option<Batch> {
    let mut missed = failed;
    let mut changes: Vec<Change> = Vec::new();
    for e in events {
        missed |= e.need_rescan();
        changes.extend(classify(root, out, e));
    }
    changes.sort();
    changes.dedup();
    (!changes.is_empty() || missed).then_some(Batch { changes, missed })
}

/// Gathers raw events into one save's batch. A batch goes as soon as every file written
/// has been closed (Linux says so: `IN_CLOSE_WRITE`) and the events have been quiet
/// for [`QUIET`]; where nobody says when a writer is done, or when an input's last
/// event is its removal (a save by backup and rename has begun), after [`DEBOUNCE`]
/// of quiet. A file held open for writing holds the batch back at most
/// [`OPEN_WRITE_LIMIT`].
#[derive(Debug)]
pub struct Settle {
    /// Whether the platform tells when a writer closes its file.
    close_events: bool,
    events: Vec<notify::Event>,
    /// Each path written since it was last closed, with when the write was seen.
    writing: BTreeMap<PathBuf, Instant>,
    /// Each path's last event: whether it took the path away.
    gone: BTreeMap<PathBuf, bool>,
    /// Errors of the watcher: events may have been lost.
    failed: bool,
    /// When the batch's first event came: a stream of events without a pause (a
    /// script writing thousands of files) still goes in batches, one at least every
    /// [`OPEN_WRITE_LIMIT`].
    first: Option<Instant>,
}

impl Settle {
    pub fn new(close_events: bool) -> Self {
        Settle {
            close_events,
            events: Vec::new(),
            writing: BTreeMap::new(),
            gone: BTreeMap::new(),
            failed: false,
            first: None,
        }
    }

    /// Takes one raw event (or a watcher's error); returns whether it is activity at
    /// all (a file opened or read is not).
    pub fn add(&mut self, event: notify::Result<notify::Event>, now: Instant) -> bool {
        let active = self.take_in(event, now);
        if active {
            self.first.get_or_insert(now);
        }
        active
    }

    fn take_in(&mut self, event: notify::Result<notify::Event>, now: Instant) -> bool {
        let event = match event {
            Ok(e) => e,
            Err(_) => {
                self.failed = true;
                return true;
            }
        };
        match event.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
                for p in &event.paths {
                    self.writing.remove(p);
                }
            }
            EventKind::Access(_) => return false,
            EventKind::Create(CreateKind::Folder) => self.mark(&event.paths, false),
            EventKind::Create(_) | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any) => {
                self.mark(&event.paths, false);
                if self.close_events {
                    for p in &event.paths {
                        self.writing.entry(p.clone()).or_insert(now);
                    }
                }
            }
            EventKind::Remove(_) => {
                self.mark(&event.paths, true);
                for p in &event.paths {
                    self.writing.remove(p);
                }
            }
            EventKind::Modify(ModifyKind::Name(mode)) => match (mode, event.paths.as_slice()) {
                (RenameMode::Both, [from, to]) => {
                    self.writing.remove(from);
                    self.mark(std::slice::from_ref(from), true);
                    self.mark(std::slice::from_ref(to), false);
                }
                (RenameMode::From, paths) => {
                    for p in paths {
                        self.writing.remove(p);
                    }
                    self.mark(paths, true);
                }
                (_, paths) => self.mark(paths, false),
            },
            _ => {}
        }
        self.events.push(event);
        true
    }

    fn mark(&mut self, paths: &[PathBuf], gone: bool) {
        for p in paths {
            self.gone.insert(p.clone(), gone);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty() && !self.failed
    }

    /// How long to wait for another event before the batch goes; `None`: it goes now.
    pub fn wait(&self, last_event: Instant, now: Instant) -> Option<Duration> {
        let limit = self
            .first
            .map(|t| (t + OPEN_WRITE_LIMIT).saturating_duration_since(now));
        match (self.settle(last_event, now), limit) {
            (Some(d), Some(l)) => Some(d.min(l)).filter(|d| !d.is_zero()),
            (d, _) => d,
        }
    }

    fn settle(&self, last_event: Instant, now: Instant) -> Option<Duration> {
        if let Some(oldest) = self.writing.values().min() {
            // Someone still writes: wait for the close, within the limit.
            return (*oldest + OPEN_WRITE_LIMIT)
                .checked_duration_since(now)
                .filter(|d| !d.is_zero());
        }
        let quiet = if !self.close_events || self.gone.values().any(|g| *g) {
            DEBOUNCE
        } else {
            QUIET
        };
        (last_event + quiet)
            .checked_duration_since(now)
            .filter(|d| !d.is_zero())
    }

    /// The batch gathered, for the site under `root` (events under `out` mean
    /// nothing); the gatherer is empty again.
    pub fn take(&mut self, root: &Path, out: &Path) -> Option<Batch> {
        let events = std::mem::take(&mut self.events);
        let failed = std::mem::take(&mut self.failed);
        self.first = None;
        self.writing.clear();
        self.gone.clear();
        batch_of(root, out, events.iter(), failed)
    }
}

/// A running watcher: batches of changes arrive on `changes`. Dropping it stops it.
pub struct Watcher {
    pub changes: mpsc::Receiver<Batch>,
    inner: Box<dyn Watches>,
}

/// A watcher of either kind (native events, or a debounced poller).
trait Watches: Send {
    fn add(&mut self, path: &Path);
}

impl<T: notify::Watcher + Send, C: notify_debouncer_full::FileIdCache + Send> Watches
    for notify_debouncer_full::Debouncer<T, C>
{
    fn add(&mut self, path: &Path) {
        let _ = self.watch(path, notify::RecursiveMode::Recursive);
    }
}

impl Watches for notify::RecommendedWatcher {
    fn add(&mut self, path: &Path) {
        let _ = notify::Watcher::watch(self, path, notify::RecursiveMode::Recursive);
    }
}

impl Watcher {
    /// Watches a site folder made after the watch began (`static/`, say).
    pub fn add_folder(&mut self, path: &Path) {
        if path.is_dir() {
            self.inner.add(path);
        }
    }
}

/// Watches the site under `root`: its own folder (for the TOML files and for site
/// folders made later) and each site folder, not the rest (a `target/` or `.git/`
/// beside the site is none of our business). `poll` checks the disk every half
/// second instead, for file systems that send no events (network and container mounts).
pub fn watch(root: &Path, out: &Path, poll: bool) -> notify::Result<Watcher> {
    let (tx, rx) = mpsc::channel();
    let root: PathBuf = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let out: PathBuf = out.canonicalize().unwrap_or_else(|_| out.to_path_buf());
    let folders: Vec<PathBuf> = SITE_FOLDERS.iter().map(|f| root.join(f)).collect();
    let watch_site = |w: &mut dyn FnMut(&Path, notify::RecursiveMode) -> notify::Result<()>| {
        w(&root, notify::RecursiveMode::NonRecursive)?;
        for f in folders.iter().filter(|f| f.is_dir()) {
            w(f, notify::RecursiveMode::Recursive)?;
        }
        Ok::<(), notify::Error>(())
    };
    let inner: Box<dyn Watches> = if poll {
        let (r, o) = (root.clone(), out.clone());
        let handler = move |result: DebounceEventResult| {
            if let Some(b) = batch(&r, &o, result) {
                let _ = tx.send(b);
            }
        };
        // notify compares modification times in whole seconds: without the contents,
        // two saves in one second would look like one.
        let config = notify::Config::default()
            .with_poll_interval(Duration::from_millis(500))
            .with_compare_contents(true);
        let mut d = new_debouncer_opt::<_, notify::PollWatcher, _>(
            DEBOUNCE,
            None,
            handler,
            notify_debouncer_full::NoCache,
            config,
        )?;
        watch_site(&mut |p, m| d.watch(p, m))?;
        Box::new(d)
    } else {
        let (raw_tx, raw_rx) = mpsc::channel();
        let mut w = notify::recommended_watcher(move |e| {
            let _ = raw_tx.send(e);
        })?;
        watch_site(&mut |p, m| notify::Watcher::watch(&mut w, p, m))?;
        let close_events = cfg!(any(target_os = "linux", target_os = "android"));
        std::thread::Builder::new()
            .name("mpgen-watch".into())
            .spawn(move || settle_loop(&raw_rx, Settle::new(close_events), &tx, (&root, &out)))
            .map_err(|e| notify::Error::generic(&e.to_string()))?;
        Box::new(w)
    };
    Ok(Watcher { changes: rx, inner })
}

/// Gathers raw events into batches until the watcher is dropped (its sender with it).
fn settle_loop(
    raw: &mpsc::Receiver<notify::Result<notify::Event>>,
    mut settle: Settle,
    tx: &mpsc::Sender<Batch>,
    (root, out): (&Path, &Path),
) {
    let mut last = Instant::now();
    loop {
        let next = if settle.is_empty() {
            raw.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected)
        } else {
            match settle.wait(last, Instant::now()) {
                Some(d) => raw.recv_timeout(d),
                None => Err(mpsc::RecvTimeoutError::Timeout),
            }
        };
        match next {
            Ok(event) => {
                let now = Instant::now();
                if settle.add(event, now) {
                    last = now;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Some(b) = settle.take(root, out)
                    && tx.send(b).is_err()
                {
                    return;
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, CreateKind, DataChange, Flag, RemoveKind};
    use notify_debouncer_full::DebouncedEvent;

    #[test]
    fn lost_events_ask_for_the_whole_site() {
        let (root, out) = (Path::new("/site"), Path::new("/site/public"));
        let debounced = |e: notify::Event| DebouncedEvent::new(e, std::time::Instant::now());
        let write = event(
            EventKind::Modify(ModifyKind::Data(DataChange::Content)),
            &["profiles/MEX.toml"],
        );
        let named = batch(root, out, Ok(vec![debounced(write.clone())])).unwrap();
        assert!(!named.missed);
        assert_eq!(named.changes.len(), 1);
        // The kernel's queue overflowed: what else changed is unknown.
        let rescan = event(EventKind::Other, &[]).set_flag(Flag::Rescan);
        let lost = batch(root, out, Ok(vec![debounced(write), debounced(rescan)])).unwrap();
        assert!(lost.missed);
        assert_eq!(lost.changes.len(), 1);
        let failed = batch(root, out, Err(vec![notify::Error::generic("gone")])).unwrap();
        assert!(failed.missed && failed.changes.is_empty());
        // Events of no input are no batch at all.
        let other = event(EventKind::Access(AccessKind::Any), &["profiles/MEX.toml"]);
        assert_eq!(batch(root, out, Ok(vec![debounced(other)])), None);
    }

    #[test]
    fn a_batch_goes_once_every_write_is_closed_or_after_a_removal_settles() {
        use notify::event::{DataChange, RemoveKind};
        let (root, out) = (Path::new("/site"), Path::new("/site/public"));
        let t0 = Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        let write = EventKind::Modify(ModifyKind::Data(DataChange::Content));
        let close = EventKind::Access(AccessKind::Close(AccessMode::Write));

        // A save in place: held while the file is open for writing, then QUIET.
        let mut s = Settle::new(true);
        assert!(s.add(Ok(event(write, &["profiles/MEX.toml"])), at(0)));
        assert_eq!(
            s.wait(at(0), at(5)),
            Some(OPEN_WRITE_LIMIT - Duration::from_millis(5))
        );
        assert!(s.add(Ok(event(close, &["profiles/MEX.toml"])), at(6)));
        assert_eq!(s.wait(at(6), at(6)), Some(QUIET));
        assert_eq!(s.wait(at(6), at(6) + QUIET), None);
        let b = s.take(root, out).unwrap();
        assert_eq!(b.changes.len(), 1);
        assert!(s.is_empty());

        // Reading a file is no activity at all.
        let open = EventKind::Access(AccessKind::Open(AccessMode::Any));
        assert!(!s.add(Ok(event(open, &["profiles/MEX.toml"])), at(7)));
        assert!(s.is_empty());

        // A writer that never closes holds the batch back no longer than the limit.
        s.add(Ok(event(write, &["profiles/MEX.toml"])), at(0));
        assert_eq!(s.wait(at(0), at(0) + OPEN_WRITE_LIMIT), None);
        s.take(root, out);

        // vim's save: the file moves to a backup (a removal: DEBOUNCE), a new one is
        // written and closed (QUIET again), the backup goes.
        let rename = EventKind::Modify(ModifyKind::Name(RenameMode::Both));
        s.add(
            Ok(event(rename, &["profiles/MEX.toml", "profiles/MEX.toml~"])),
            at(0),
        );
        assert_eq!(s.wait(at(0), at(0)), Some(DEBOUNCE));
        s.add(
            Ok(event(
                EventKind::Create(CreateKind::File),
                &["profiles/MEX.toml"],
            )),
            at(1),
        );
        s.add(Ok(event(write, &["profiles/MEX.toml"])), at(1));
        s.add(Ok(event(close, &["profiles/MEX.toml"])), at(1));
        let remove = EventKind::Remove(RemoveKind::File);
        s.add(Ok(event(remove, &["profiles/MEX.toml~"])), at(2));
        // The backup's removal counts too: it went away last.
        assert_eq!(s.wait(at(2), at(2)), Some(DEBOUNCE));
        // One batch, of the profile only (the backup is an editor's file).
        let b = s.take(root, out).unwrap();
        assert!(b.changes.iter().all(|c| c.path == "profiles/MEX.toml"));

        // Events without a pause still go, a batch at least every OPEN_WRITE_LIMIT.
        let created = EventKind::Create(CreateKind::File);
        let mut ms = 0;
        while s.wait(at(ms), at(ms)).is_some() {
            s.add(Ok(event(created, &["static/a.txt"])), at(ms));
            s.add(Ok(event(close, &["static/a.txt"])), at(ms));
            ms += 1;
        }
        assert_eq!(at(ms), at(0) + OPEN_WRITE_LIMIT);
        assert!(s.take(root, out).is_some());

        // Where the platform tells no closes, every batch waits DEBOUNCE.
        let mut s = Settle::new(false);
        s.add(Ok(event(write, &["profiles/MEX.toml"])), at(0));
        assert_eq!(s.wait(at(0), at(0)), Some(DEBOUNCE));

        // A watcher's error: events may be lost, the whole site is looked at.
        let mut s = Settle::new(true);
        s.add(Err(notify::Error::generic("gone")), at(0));
        assert!(s.take(root, out).unwrap().missed);
    }

    fn event(kind: EventKind, paths: &[&str]) -> notify::Event {
        let mut e = notify::Event::new(kind);
        for p in paths {
            e = e.add_path(PathBuf::from("/site").join(p));
        }
        e
    }

    #[test]
    fn events_become_changes() {
        use ChangeKind::*;
        let write = EventKind::Modify(ModifyKind::Data(DataChange::Content));
        let create = EventKind::Create(CreateKind::File);
        let remove = EventKind::Remove(RemoveKind::File);
        let rename = |m| EventKind::Modify(ModifyKind::Name(m));
        // (event, its paths, the changes it means)
        type Row<'a> = (EventKind, Vec<&'a str>, Vec<(&'a str, ChangeKind)>);
        let table: Vec<Row> = vec![
            // A save in place.
            (
                write,
                vec!["profiles/MEX.toml"],
                vec![("profiles/MEX.toml", Modified)],
            ),
            // A save by temporary file and rename arrives stitched as a create.
            (
                create,
                vec!["profiles/MEX.toml"],
                vec![("profiles/MEX.toml", Created)],
            ),
            // Editors' temporary, backup, swap and lock files are nothing.
            (create, vec!["profiles/.MEX.toml.swp"], vec![]),
            (create, vec!["profiles/MEX.toml~"], vec![]),
            (create, vec!["profiles/4913"], vec![]),
            (create, vec!["profiles/.#MEX.toml"], vec![]),
            (create, vec!["profiles/#MEX.toml#"], vec![]),
            (create, vec!["profiles/MEX.toml___jb_tmp___"], vec![]),
            (remove, vec!["profiles/MEX.toml___jb_old___"], vec![]),
            // Deletes and renames: a rename is a removal and a creation.
            (
                remove,
                vec!["profiles/SEN.toml"],
                vec![("profiles/SEN.toml", Removed)],
            ),
            (
                rename(RenameMode::Both),
                vec!["profiles/SEN.toml", "profiles/GMB.toml"],
                vec![
                    ("profiles/GMB.toml", Created),
                    ("profiles/SEN.toml", Removed),
                ],
            ),
            (
                rename(RenameMode::From),
                vec!["content/a.md"],
                vec![("content/a.md", Removed)],
            ),
            (
                rename(RenameMode::To),
                vec!["content/b.md"],
                vec![("content/b.md", Created)],
            ),
            // Renaming a temporary file over the real one.
            (
                rename(RenameMode::Both),
                vec!["profiles/.MEX.toml.tmp", "profiles/MEX.toml"],
                vec![("profiles/MEX.toml", Created)],
            ),
            // Root files, theme and static files are inputs; the rest of the root is not.
            (write, vec!["site.toml"], vec![("site.toml", Modified)]),
            (
                write,
                vec!["themes/default/templates/base.html"],
                vec![("themes/default/templates/base.html", Modified)],
            ),
            (
                create,
                vec!["static/logo.svg"],
                vec![("static/logo.svg", Created)],
            ),
            (write, vec!["README.md"], vec![]),
            (write, vec!["target/debug/x"], vec![]),
            (write, vec![".git/index"], vec![]),
            // The output folder, even inside a site folder, is never an input.
            (write, vec!["public/index.html"], vec![]),
            (write, vec!["static/out/x.html"], vec![]),
            // Reading a file changes nothing.
            (
                EventKind::Access(AccessKind::Any),
                vec!["profiles/MEX.toml"],
                vec![],
            ),
        ];
        for (kind, paths, want) in table {
            let got = classify(
                Path::new("/site"),
                Path::new("/site/static/out"),
                &event(kind, &paths),
            );
            let want: Vec<Change> = want
                .into_iter()
                .map(|(p, kind)| Change {
                    path: p.to_string(),
                    kind,
                })
                .collect();
            assert_eq!(got, want, "{kind:?} {paths:?}");
        }
    }
}
