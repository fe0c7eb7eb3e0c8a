//! SERVE: the live preview. The site is built into memory by a [`Session`], served
//! over HTTP on loopback, and rebuilt on every change the watcher reports: only the
//! changed files are read again and only the outputs whose fingerprints moved are
//! rendered. Open pages reload when their bytes (or the CSS) changed. A change that
//! makes the site invalid writes nothing: the last good site stays served, and the
//! errors show in the terminal and over every open page until the next good save.

pub mod http;
mod idle;

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::diagnostics::{Diagnostic, SourceTexts};
use crate::error::Error;
use crate::pipeline::{BuildError, BuildOptions, Rebuilt, Session};
use crate::watch::{self, Change};
use http::{Notice, Shared};

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub build: BuildOptions,
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    /// Poll the disk instead of waiting for file-system events.
    pub poll: bool,
}

/// What happened, for whoever shows it (the command line prints it).
#[derive(Debug)]
pub enum Report {
    /// A good build; `changes` is empty for the first one.
    Built {
        changes: Vec<Change>,
        rebuilt: Rebuilt,
    },
    /// The site has errors: nothing changed in what is served (`serving`: whether a
    /// good site was built before).
    Invalid {
        changes: Vec<Change>,
        diags: Vec<Diagnostic>,
        texts: SourceTexts,
        serving: bool,
    },
    /// Rendering failed (a template error, say): nothing changed in what is served.
    Failed {
        changes: Vec<Change>,
        error: String,
        serving: bool,
    },
}

pub type Reporter = Box<dyn Fn(&Report) + Send>;

/// A running preview server.
pub struct Server {
    pub addr: SocketAddr,
    /// The site's base path, where its home page is.
    pub base: String,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    rebuilds: Option<JoinHandle<()>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Server {
    /// The address of the site's home page.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.addr, self.base)
    }

    /// How many open pages listen for reloads.
    pub fn listeners(&self) -> usize {
        self.shared.notices.receiver_count()
    }

    /// Blocks until the rebuild loop ends (it does not, unless the watcher fails).
    pub fn wait(mut self) {
        if let Some(h) = self.rebuilds.take() {
            let _ = h.join();
        }
    }

    /// Stops serving and watching.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.rebuilds.take() {
            let _ = h.join();
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The base path named by `site.toml`'s `base_url`, read before the site is built
/// (the server must listen before the first build, which links to it); `/` when
/// there is none or the file does not parse yet.
fn base_path(root: &Path) -> String {
    let url = std::fs::read_to_string(root.join("site.toml"))
        .ok()
        .and_then(|t| t.parse::<toml::Table>().ok())
        .and_then(|t| t.get("base_url")?.as_str().map(String::from))
        .unwrap_or_default();
    crate::plan::routes::url_path(&url)
}

/// Builds the site into memory, starts serving it and watching its files. Returns once
/// the first build is done (good or not) and the server listens.
pub fn start(opts: ServeOptions, report: Reporter) -> Result<Server, Error> {
    let root = opts.build.root.clone();
    let listener = TcpListener::bind((opts.bind, opts.port)).map_err(|e| {
        Error::Output(format!(
            "cannot listen on {}:{}: {e} (pick another port with --port)",
            opts.bind, opts.port
        ))
    })?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::Output(e.to_string()))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Output(e.to_string()))?;
    let base = base_path(&root);

    let mut build = opts.build.clone();
    // Absolute links (the sitemap, embed snippets) point at the preview.
    build.base_url = Some(format!("http://{addr}{base}"));
    let out = build.out_dir();
    let mut session = Session::new(build)?;
    let not_found = "404.html".to_string();
    let shared = Arc::new(Shared::new(session.store.clone(), base.clone(), not_found));

    let watcher = watch::watch(&root, &out, opts.poll)
        .map_err(|e| Error::Output(format!("cannot watch {}: {e}", root.display())))?;
    rebuild(&mut session, &shared, Vec::new(), false, &report);
    session.release_memory();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("mpgen-http")
        .enable_all()
        .build()
        .map_err(|e| Error::Output(e.to_string()))?;
    let app = http::router(
        shared.clone(),
        http::Hosts {
            bind: opts.bind,
            port: addr.port(),
        },
    );
    runtime.spawn(async move {
        match tokio::net::TcpListener::from_std(listener) {
            Ok(inner) => {
                let _ = axum::serve(idle::IdleListener { inner }, app).await;
            }
            Err(e) => eprintln!("error: cannot serve: {e}"),
        }
    });

    let stop = Arc::new(AtomicBool::new(false));
    let poll = opts.poll;
    let rebuilds = {
        let (stop, shared) = (stop.clone(), shared.clone());
        std::thread::Builder::new()
            .name("mpgen-rebuild".into())
            .spawn(move || {
                let mut watcher = watcher;
                while !stop.load(Ordering::SeqCst) {
                    let Ok(first) = watcher.changes.recv_timeout(Duration::from_millis(100)) else {
                        continue;
                    };
                    // Saves that arrived meanwhile join this rebuild.
                    let watch::Batch {
                        mut changes,
                        mut missed,
                    } = first;
                    while let Ok(more) = watcher.changes.try_recv() {
                        changes.extend(more.changes);
                        missed |= more.missed;
                    }
                    changes.sort();
                    changes.dedup();
                    for c in &changes {
                        if c.kind == watch::ChangeKind::Created && !c.path.contains('/') {
                            watcher.add_folder(&session.options().root.join(&c.path));
                        }
                    }
                    // Native events name every change; polling and lost events do not.
                    let exact = !poll && !missed;
                    rebuild(&mut session, &shared, changes, exact, &report);
                    session.release_memory();
                }
            })
            .map_err(|e| Error::Output(e.to_string()))?
    };
    Ok(Server {
        addr,
        base,
        shared,
        stop,
        rebuilds: Some(rebuilds),
        runtime: Some(runtime),
    })
}

/// Rebuilds after `changes`: when `exact`, they are every change there was (a
/// watcher's events, none lost), and no other file is looked at.
fn rebuild(
    session: &mut Session,
    shared: &Shared,
    changes: Vec<Change>,
    exact: bool,
    report: &Reporter,
) {
    let paths: BTreeSet<String> = changes.iter().map(|c| c.path.clone()).collect();
    let started = Instant::now();
    // A bug in mpgen must not end the preview: a panic is reported like a failed
    // render, the last good site stays served, and the next save tries again.
    let open = shared.open_pages();
    // The open pages are shown as soon as they are stored, before the rest renders.
    let mut shown = |changed: &[String]| {
        shared.notify(Notice::Ok);
        if !changed.is_empty() {
            shared.notify(Notice::Reload(changed.to_vec()));
        }
    };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let first = crate::pipeline::First {
            open: &open,
            shown: &mut shown,
        };
        session.rebuild_first(&paths, exact, first)
    }))
    .unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(BuildError::Failed(Error::Output(format!(
            "mpgen failed unexpectedly ({what}); please report this"
        ))))
    });
    match outcome {
        Ok(rebuilt) => {
            shared.notify(Notice::Ok);
            let rest: Vec<String> = (rebuilt.changed.iter())
                .filter(|p| rebuilt.shown.binary_search(p).is_err())
                .cloned()
                .collect();
            if !rest.is_empty() {
                shared.notify(Notice::Reload(rest));
            }
            let mut rebuilt = rebuilt;
            // Until the reload is sent.
            rebuilt.elapsed = started.elapsed();
            report(&Report::Built { changes, rebuilt });
        }
        Err(BuildError::Invalid { diags, texts }) => {
            let text = crate::diagnostics::render_human(&diags, &texts, false);
            shared.notify(Notice::Errors(text));
            report(&Report::Invalid {
                changes,
                diags,
                texts,
                serving: !session.store.is_empty(),
            });
        }
        Err(BuildError::Failed(e)) => {
            let error = format!("{e:#}");
            shared.notify(Notice::Errors(format!("error: {error}")));
            report(&Report::Failed {
                changes,
                error,
                serving: !session.store.is_empty(),
            });
        }
    }
}
