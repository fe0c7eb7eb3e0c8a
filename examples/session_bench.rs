//! Times `serve`'s rebuild after one profile edit, as the library does it: the site is
//! kept in memory (as `serve` keeps it), one value of one profile changes, a different
//! profile each time, and the rebuild renders what the change touched.
//!
//!   cargo run --release --example session_bench -- SITE_DIR [EDITS]
//!
//! Prints the median and 95th percentile of the whole rebuild and of each stage, in ms.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use mpgen::pipeline::{BuildOptions, Session};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let root = PathBuf::from(args.get(1).expect("usage: session_bench SITE_DIR [EDITS]"));
    let edits: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(25);
    let mut session = Session::new(BuildOptions {
        root: root.clone(),
        ..BuildOptions::default()
    })
    .expect("session");
    let first = session.rebuild(&BTreeSet::new()).expect("the site builds");
    println!(
        "first build: {:.0} ms, {} outputs",
        ms(first.elapsed),
        first.outputs
    );
    let mut profiles: Vec<PathBuf> = std::fs::read_dir(root.join("profiles"))
        .expect("profiles/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    profiles.sort();
    let mut totals = Vec::new();
    let mut stages: Vec<(&'static str, Vec<f64>)> = Vec::new();
    let mut rendered = Vec::new();
    for i in 0..edits {
        let path = &profiles[(i * 7) % profiles.len()];
        let text = std::fs::read_to_string(path).expect("profile");
        // The first population figure moves by one: a one-value edit.
        let edited = bump_first_number_after(&text, "values = {").expect("a series");
        std::fs::write(path, edited).expect("write");
        let rel = format!("profiles/{}", path.file_name().unwrap().to_string_lossy());
        let r = session
            .rebuild(&BTreeSet::from([rel]))
            .expect("the edit keeps the site valid");
        totals.push(ms(r.elapsed));
        rendered.push(r.rendered as f64);
        for (i, (name, d)) in r.stages.iter().enumerate() {
            if stages.len() <= i {
                stages.push((name, Vec::new()));
            }
            stages[i].1.push(ms(*d));
        }
    }
    println!(
        "one-profile edit, {} edits: median {:.1} ms, p95 {:.1} ms ({} outputs re-rendered)",
        edits,
        pct(&mut totals, 50),
        pct(&mut totals, 95),
        pct(&mut rendered, 50)
    );
    for (name, mut v) in stages {
        println!("  {name:>8}: median {:.1} ms", pct(&mut v, 50));
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn pct(v: &mut [f64], p: usize) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) * p + 50) / 100]
}

fn bump_first_number_after(text: &str, marker: &str) -> Option<String> {
    let at = text.find(marker)? + marker.len();
    let eq = text[at..].find('=')? + at + 1;
    let start = eq + text[eq..].find(|c: char| c.is_ascii_digit())?;
    let end = start + text[start..].find(|c: char| !c.is_ascii_digit())?;
    let n: u64 = text[start..end].parse().ok()?;
    Some(format!("{}{}{}", &text[..start], n + 1, &text[end..]))
}
