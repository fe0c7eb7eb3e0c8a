//! Times `mpgen serve` end to end: from saving one profile to the reload reaching an
//! open page. A real server on a loopback port, the real watcher, and a page's
//! live-reload channel (server-sent events) read over TCP. Each edit changes one value
//! of a different profile.
//!
//!   cargo run --release --example serve_bench -- SITE_DIR [EDITS]
//!
//! Prints the median and 95th percentile, in ms, of save → reload received, and of the
//! rebuild alone (re-read, check, plan, render, store).

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
    type Stages = Vec<(&'static str, Duration)>;
    let (tx, rx) = mpsc::channel::<(Duration, Stages)>();
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
                let _ = tx
                    .lock()
                    .unwrap()
                    .send((rebuilt.elapsed, rebuilt.stages.clone()));
            }
            Report::Invalid { diags, .. } => panic!("the site has errors: {diags:?}"),
            Report::Failed { error, .. } => panic!("{error}"),
        }),
    )
    .expect("serve starts");
    let (first, _) = rx.recv().unwrap();
    println!(
        "first build {:.0} ms (serving after {:.0} ms)",
        first.as_secs_f64() * 1000.0,
        started.elapsed().as_secs_f64() * 1000.0
    );

    let mut events = TcpStream::connect(server.addr).unwrap();
    events
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    write!(
        events,
        "GET /__mpgen/events HTTP/1.1\r\nHost: localhost\r\n\r\n"
    )
    .unwrap();
    let mut seen = String::new();
    wait(&mut events, &mut seen, "event: ok");

    let mut profiles: Vec<PathBuf> = std::fs::read_dir(root.join("profiles"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    profiles.sort();
    let (mut e2e, mut rebuild) = (Vec::new(), Vec::new());
    let mut stages: Vec<(&'static str, Vec<f64>)> = Vec::new();
    for i in 0..edits {
        let path = &profiles[(i * 7 + 3) % profiles.len()];
        let code = path.file_stem().unwrap().to_string_lossy().to_lowercase();
        let text = std::fs::read_to_string(path).unwrap();
        let edited = bump(&text).expect("a value to change");
        // Let the watcher settle between edits, as between two saves by hand.
        std::thread::sleep(Duration::from_millis(100));
        while rx.try_recv().is_ok() {}
        seen.clear();
        let t0 = Instant::now();
        std::fs::write(path, edited).unwrap();
        wait(
            &mut events,
            &mut seen,
            &format!("\"profiles/{code}/index.html\""),
        );
        e2e.push(t0.elapsed().as_secs_f64() * 1000.0);
        let (took, parts) = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        rebuild.push(took.as_secs_f64() * 1000.0);
        for (i, (name, d)) in parts.into_iter().enumerate() {
            if stages.len() <= i {
                stages.push((name, Vec::new()));
            }
            stages[i].1.push(d.as_secs_f64() * 1000.0);
        }
    }
    println!(
        "save -> reload received, {edits} edits: median {:.1} ms, p95 {:.1} ms",
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
    server.stop();
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
