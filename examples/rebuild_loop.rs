//! Rebuilds a site in one session again and again, after a save of Mexico's profile
//! each time: what a profiler looks at for the cost of a small edit.
//!
//!   cargo run --release --example rebuild_loop -- SITE_DIR [TIMES] [narrative|value|agreement|label|title]
//!
//! The edit changes a hand narrative of Mexico's profile (the default), its first value
//! for 2024 (to a new value each time, so nothing drawn from it before is taken
//! again), an agreement's summary, the migrant stock's English label in
//! `indicators.toml`, or the site's English title in `site.toml`. With `REBUILD_LOOP_PATHS` set, the last rebuild's rendered
//! outputs are listed.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Instant;

use mpgen::pipeline::{BuildOptions, Session};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let root = PathBuf::from(args.get(1).expect("usage: rebuild_loop SITE_DIR [TIMES]"));
    let times: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(50);
    let kind = args.get(3).map_or("narrative", String::as_str);
    let mut session = Session::new(BuildOptions {
        root: root.clone(),
        ..BuildOptions::default()
    })
    .expect("a session");
    session.rebuild(&BTreeSet::new()).expect("a first build");
    println!("after the first build: {}", resident());
    let rel = match kind {
        "label" => "indicators.toml",
        "title" => "site.toml",
        _ => "profiles/MEX.toml",
    }
    .to_string();
    let path = root.join(&rel);
    let original = std::fs::read_to_string(&path).unwrap();
    let mut stages: Vec<(&'static str, Vec<f64>)> = Vec::new();
    let start = Instant::now();
    for i in 0..times {
        let text = edit(&original, kind, i);
        std::fs::write(&path, text).unwrap();
        let r = session
            .rebuild_exact(&BTreeSet::from([rel.clone()]))
            .unwrap_or_else(|_| panic!("the site has errors"));
        if i + 1 == times && std::env::var_os("REBUILD_LOOP_PATHS").is_some() {
            println!("rendered: {:?}", r.rendered_paths);
        }
        for (i, (name, d)) in r.stages.into_iter().enumerate() {
            if stages.len() <= i {
                stages.push((name, Vec::new()));
            }
            stages[i].1.push(d.as_secs_f64() * 1000.0);
        }
    }
    std::fs::write(&path, original).unwrap();
    println!("after the rebuilds: {}", resident());
    println!(
        "{times} rebuilds: {:.1} ms each",
        start.elapsed().as_secs_f64() * 1000.0 / times as f64
    );
    for (name, mut v) in stages {
        v.sort_by(f64::total_cmp);
        println!("  {name:>8}: median {:.2} ms", v[v.len() / 2]);
    }
}

/// Mexico's profile after the `i`th edit of `kind`.
fn edit(original: &str, kind: &str, i: usize) -> String {
    match kind {
        "value" => {
            let at = original.find("2024 = ").expect("a value for 2024") + "2024 = ".len();
            let end = at + original[at..].find(|c: char| !c.is_ascii_digit()).unwrap();
            let n: u64 = original[at..end].parse().unwrap();
            format!(
                "{}{}{}",
                &original[..at],
                n + 1000 * (1 + i as u64),
                &original[end..]
            )
        }
        "agreement" => original.replacen(
            "with Mexico's labour ministry",
            &format!("with Mexico's labour ministry ({i})"),
            1,
        ),
        "label" => original.replacen(
            "en = \"International migrant stock",
            &format!("en = \"International migrant stock ({i})"),
            1,
        ),
        "title" => original.replacen(
            "en = \"Migration Profiles",
            &format!("en = \"Migration Profiles ({i})"),
            1,
        ),
        _ => original.replacen("counted more than once", &format!("counted {i} times"), 1),
    }
}

/// The process's resident memory now, as Linux reports it.
fn resident() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS"))
                .map(str::to_string)
        })
        .unwrap_or_else(|| "resident memory unknown".into())
}
