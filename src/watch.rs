//! WATCH: file-system events in, the site's changes out. Editors save in many ways
//! (write in place, write a temporary file and rename it over, keep a backup, touch a
//! lock file); a short debounce stitches each save into one event, and `classify`
//! keeps only what a build reads: the root's TOML files and the files under
//! `profiles/`, `content/`, `themes/` and `static/`, never hidden or editor files and
//! never the output folder. A removal is a change like any other.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify::event::{EventKind, ModifyKind, RenameMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer, new_debouncer_opt, notify};

use crate::load::is_ignored;

/// How long events are gathered before a rebuild: long enough to take an editor's
/// save (temporary file, rename, backup) as one change, short enough not to be felt.
pub const DEBOUNCE: Duration = Duration::from_millis(10);

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
    let (mut changes, missed): (Vec<Change>, bool) = match result {
        Ok(events) => (
            events.iter().flat_map(|e| classify(root, out, e)).collect(),
            events.iter().any(|e| e.need_rescan()),
        ),
        Err(_) => (Vec::new(), true),
    };
    changes.sort();
    changes.dedup();
    (!changes.is_empty() || missed).then_some(Batch { changes, missed })
}

/// A running watcher: batches of changes arrive on `changes`. Dropping it stops it.
pub struct Watcher {
    pub changes: mpsc::Receiver<Batch>,
    inner: Box<dyn Watches>,
}

/// A debouncer of either kind (native events or polling).
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
    let (r, o) = (root.clone(), out.clone());
    let handler = move |result: DebounceEventResult| {
        if let Some(b) = batch(&r, &o, result) {
            let _ = tx.send(b);
        }
    };
    use notify::RecursiveMode;
    let folders: Vec<PathBuf> = SITE_FOLDERS.iter().map(|f| root.join(f)).collect();
    macro_rules! start {
        ($debouncer:expr) => {{
            let mut d = $debouncer;
            d.watch(&root, RecursiveMode::NonRecursive)?;
            for f in folders.iter().filter(|f| f.is_dir()) {
                d.watch(f, RecursiveMode::Recursive)?;
            }
            Box::new(d) as Box<dyn Watches>
        }};
    }
    let guard = if poll {
        // notify compares modification times in whole seconds: without the contents,
        // two saves in one second would look like one.
        let config = notify::Config::default()
            .with_poll_interval(Duration::from_millis(500))
            .with_compare_contents(true);
        start!(new_debouncer_opt::<_, notify::PollWatcher, _>(
            DEBOUNCE,
            None,
            handler,
            notify_debouncer_full::NoCache,
            config,
        )?)
    } else {
        start!(new_debouncer(DEBOUNCE, None, handler)?)
    };
    Ok(Watcher {
        changes: rx,
        inner: guard,
    })
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
