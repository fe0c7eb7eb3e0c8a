//! Times `mpgen serve` end to end: from saving one profile to the reload reaching an
//! open page. A real server on a loopback port, the real watcher, and a page's
//! live-reload channel (server-sent events) read over TCP. Each edit changes one value
//! of a different profile.
//!
//!   cargo run --release --example serve_bench -- SITE_DIR [EDITS]
//!
//!   cargo run --release --example serve_bench -- SITE_DIR [EDITS] --kinds
//!
//! With `--kinds`, the edits go round the kinds a country team makes on the default
//! site (a series value, a hand narrative, an agreement, an indicator's label, a content
//! page, a template, the site's title), and each kind's outputs rendered and changed are
//! printed beside its times.
//!
//! A tab is open on each page the edits show (its live-reload channel names its page,
//! as the page's script does); a save's time runs until the reload reached the tab
//! and the page's new bytes were fetched. Prints the median and 95th percentile, in
//! ms, of save → page fetched, and of the whole rebuild (re-read, check, plan, render
//! the open pages and then the rest, store).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use mpgen::pipeline::BuildOptions;
use mpgen::serve::{self, Report, ServeOptions};

// The allocator of the `mpgen` binary, so that this times what `mpgen serve` runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let root = PathBuf::from(args.get(1).expect("usage: serve_bench SITE_DIR [EDITS]"));
    let edits: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(25);
    let kinds = args.iter().any(|a| a == "--kinds");
    type Stages = Vec<(&'static str, Duration)>;
    type Counts = (usize, usize, Vec<String>, Vec<String>);
    let (tx, rx) = mpsc::channel::<(Duration, Stages, Counts)>();
    let tx = std::sync::Mutex::new(tx);
    let started = Instant::now();
    let server = serve::start(
        ServeOptions {
            build: BuildOptions {
                root: root.clone(),
                ..BuildOptions::default()
            },
            bind: "127.0.0.1".parse().unwrap(),
            port: 0,
            poll: false,
        },
        Box::new(move |r| match r {
            Report::Built { rebuilt, .. } => {
                let counts = (
                    rebuilt.rendered,
                    rebuilt.changed.len(),
                    rebuilt.rendered_paths.clone(),
                    rebuilt.changed.clone(),
                );
                let _ = tx
                    .lock()
                    .unwrap()
                    .send((rebuilt.elapsed, rebuilt.stages.clone(), counts));
            }
            Report::Invalid { diags, .. } => panic!("the site has errors: {diags:?}"),
            Report::Failed { error, .. } => panic!("{error}"),
        }),
    )
    .expect("serve starts");
    let (first, _, _) = rx.recv().unwrap();
    println!(
        "first build {:.0} ms (serving after {:.0} ms); {}",
        first.as_secs_f64() * 1000.0,
        started.elapsed().as_secs_f64() * 1000.0,
        resident()
    );

    // A browser tab on each page the edits show, each with its live-reload channel,
    // naming its page as the page's script does.
    let pages: Vec<String> = if kinds {
        (0..7).map(|i| kind_edit(&root, i).shows).collect()
    } else {
        Vec::new()
    };
    let mut tabs: Vec<(String, TcpStream, String)> = Vec::new();
    for page in pages.iter().map(String::as_str).chain([""]) {
        if tabs.iter().any(|(p, _, _)| p == page) {
            continue;
        }
        let mut events = TcpStream::connect(server.addr).unwrap();
        events
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        write!(
            events,
            "GET /__mpgen/events?page={page} HTTP/1.1\r\nHost: localhost\r\n\r\n"
        )
        .unwrap();
        let mut seen = String::new();
        wait(&mut events, &mut seen, "event: ok");
        tabs.push((page.to_string(), events, seen));
    }

    let mut profiles: Vec<PathBuf> = std::fs::read_dir(root.join("profiles"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    profiles.sort();
    let (mut e2e, mut rebuild) = (Vec::new(), Vec::new());
    let mut stages: Vec<(&'static str, Vec<f64>)> = Vec::new();
    // Each kind's times and (rendered, changed) counts.
    type ByKind = (&'static str, Vec<f64>, Vec<(usize, usize)>);
    let mut by_kind: Vec<ByKind> = Vec::new();
    for i in 0..edits {
        let edit = if kinds {
            kind_edit(&root, i)
        } else {
            profile_edit(&profiles[(i * 7 + 3) % profiles.len()])
        };
        // Let the watcher settle between edits, as between two saves by hand.
        std::thread::sleep(Duration::from_millis(100));
        while rx.try_recv().is_ok() {}
        // What the tabs were told of the last save is read and forgotten.
        for (_, events, seen) in &mut tabs {
            drain(events);
            seen.clear();
        }
        let tab = tabs
            .iter()
            .position(|(p, _, _)| *p == edit.shows)
            .unwrap_or(tabs.len() - 1);
        let (_, events, seen) = &mut tabs[tab];
        seen.clear();
        let t0 = Instant::now();
        std::fs::write(&edit.file, &edit.text).unwrap();
        wait(events, seen, &format!("\"{}\"", edit.shows));
        // The page shows the change once its new bytes are fetched.
        fetch(server.addr, &format!("{}{}", server.base, edit.shows));
        let took_e2e = t0.elapsed().as_secs_f64() * 1000.0;
        e2e.push(took_e2e);
        let (took, parts, (rendered, changed, rendered_paths, changed_paths)) =
            rx.recv_timeout(Duration::from_secs(10)).unwrap();
        rebuild.push(took.as_secs_f64() * 1000.0);
        let parts_seen = parts.clone();
        for (i, (name, d)) in parts.into_iter().enumerate() {
            if stages.len() <= i {
                stages.push((name, Vec::new()));
            }
            stages[i].1.push(d.as_secs_f64() * 1000.0);
        }
        if std::env::var_os("SERVE_BENCH_VERBOSE").is_some() {
            let unchanged: Vec<&String> = rendered_paths
                .iter()
                .filter(|p| !changed_paths.contains(p))
                .collect();
            println!("{}: rendered but unchanged: {unchanged:?}", edit.kind);
            let stages: Vec<String> = parts_seen
                .iter()
                .map(|(n, d)| format!("{n} {:.1}", d.as_secs_f64() * 1000.0))
                .collect();
            println!("{}: {took_e2e:.1} ms; {}", edit.kind, stages.join(", "));
        }
        match by_kind.iter_mut().find(|(k, _, _)| *k == edit.kind) {
            Some((_, times, counts)) => {
                times.push(took_e2e);
                counts.push((rendered, changed));
            }
            None => by_kind.push((edit.kind, vec![took_e2e], vec![(rendered, changed)])),
        }
    }
    if kinds {
        for (kind, mut times, counts) in by_kind {
            let (r, c) = counts.last().copied().unwrap_or_default();
            println!(
                "  {kind:>10}: median {:.1} ms over {} saves; {r} outputs rendered, {c} changed",
                pct(&mut times, 50),
                times.len()
            );
        }
    }
    println!(
        "save -> page shows it, {edits} edits: median {:.1} ms, p95 {:.1} ms",
        pct(&mut e2e, 50),
        pct(&mut e2e, 95)
    );
    println!(
        "rebuild alone:                median {:.1} ms, p95 {:.1} ms",
        pct(&mut rebuild, 50),
        pct(&mut rebuild, 95)
    );
    for (name, mut v) in stages {
        println!("  {name:>8}: median {:.1} ms", pct(&mut v, 50));
    }
    println!("after the saves: {}", resident());
    server.stop();
}

/// The process's resident memory now and at its peak, as Linux reports them.
fn resident() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map_or("unknown".to_string(), |v| v.trim().to_string())
    };
    format!("resident {}, peak {}", field("VmRSS:"), field("VmHWM:"))
}

/// Reads whatever has arrived on an event stream.
fn drain(s: &mut TcpStream) {
    s.set_read_timeout(Some(Duration::from_millis(1))).unwrap();
    let mut buf = [0u8; 65536];
    while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
}

/// GETs a path of the preview and reads the whole answer.
fn fetch(addr: std::net::SocketAddr, path: &str) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).unwrap();
    assert!(answer.starts_with(b"HTTP/1.1 200"), "GET {path}");
}

fn wait(s: &mut TcpStream, seen: &mut String, want: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut buf = [0u8; 65536];
    while !seen.contains(want) {
        assert!(Instant::now() < deadline, "no event with {want}");
        if let Ok(n) = s.read(&mut buf) {
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    }
}

fn pct(v: &mut [f64], p: usize) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) * p + 50) / 100]
}

/// One save: the file, its new text, the kind of edit, and an output it changes.
struct Edit {
    kind: &'static str,
    file: PathBuf,
    text: String,
    shows: String,
}

/// A value of one profile moves by one.
fn profile_edit(path: &std::path::Path) -> Edit {
    let code = path.file_stem().unwrap().to_string_lossy().to_lowercase();
    let text = std::fs::read_to_string(path).unwrap();
    Edit {
        kind: "value",
        file: path.to_path_buf(),
        text: bump(&text).expect("a value to change"),
        shows: format!("profiles/{code}/index.html"),
    }
}

/// The `i`th save of the round of kinds, on the default site: each marks a passage
/// with the round's number, so every save changes the file.
fn kind_edit(root: &std::path::Path, i: usize) -> Edit {
    let n = i / 7;
    let (kind, file, from, to, shows): (_, _, &str, String, _) = match i % 7 {
        0 => {
            let path = root.join("profiles/MEX.toml");
            return Edit {
                kind: "value",
                text: bump_year(&std::fs::read_to_string(&path).unwrap(), "2024 = ")
                    .expect("a migrant stock in 2024"),
                file: path,
                shows: "profiles/mex/index.html".into(),
            };
        }
        1 => (
            "narrative",
            "profiles/MEX.toml",
            "counted more than once",
            format!("counted more than once (edit {n})"),
            "profiles/mex/index.html",
        ),
        2 => (
            "agreement",
            "profiles/MEX.toml",
            "with Mexico's labour ministry",
            format!("with Mexico's labour ministry (edit {n})"),
            "profiles/mex/index.html",
        ),
        3 => (
            "label",
            "indicators.toml",
            "en = \"International migrant stock",
            format!("en = \"International migrant stock ({n})"),
            "indicators/migrant_stock/index.html",
        ),
        4 => (
            "content",
            "content/about.md",
            "This site",
            format!("This site ({n})"),
            "about/index.html",
        ),
        5 => (
            "template",
            "themes/default/templates/page.html",
            "<h1>{{ title }}</h1>",
            format!("<h1>{{{{ title }}}}</h1><!-- {n} -->"),
            "about/index.html",
        ),
        _ => (
            "title",
            "site.toml",
            "en = \"Migration Profiles",
            format!("en = \"Migration Profiles ({n})"),
            "index.html",
        ),
    };
    let path = root.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    // Earlier saves' marks stay after the passage: each save adds one.
    let at = text
        .find(from)
        .unwrap_or_else(|| panic!("{file} has {from:?}"));
    Edit {
        kind,
        text: format!("{}{to}{}", &text[..at], &text[at + from.len()..]),
        file: path,
        shows: shows.into(),
    }
}

/// The first `year = value` line of a table is revised up by 2%, as a new edition of
/// a dataset may revise it (a change of one person would not show where the site
/// rounds).
fn bump_year(text: &str, key: &str) -> Option<String> {
    let start = text.find(&format!("\n{key}"))? + 1 + key.len();
    let end = start + text[start..].find(|c: char| !c.is_ascii_digit())?;
    let n: u64 = text[start..end].parse().ok()?;
    Some(format!(
        "{}{}{}",
        &text[..start],
        n + n / 50 + 1,
        &text[end..]
    ))
}

/// The first value of the first inline series moves by one.
fn bump(text: &str) -> Option<String> {
    let marker = "values = {";
    let at = text.find(marker)? + marker.len();
    let eq = text[at..].find('=')? + at + 1;
    let start = eq + text[eq..].find(|c: char| c.is_ascii_digit())?;
    let end = start + text[start..].find(|c: char| !c.is_ascii_digit())?;
    let n: u64 = text[start..end].parse().ok()?;
    Some(format!("{}{}{}", &text[..start], n + 1, &text[end..]))
}
