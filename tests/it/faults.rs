//! A build stopped at any moment leaves the output folder as it was or as the new build
//! makes it, never a mix; the next build finishes the job.

use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::harness::{Site, tree};

/// The output folder's files, without the manifest (whose input digest is the same
/// for the old and new trees only by chance of timing).
fn files(site: &Site) -> BTreeMap<String, Vec<u8>> {
    let mut t = tree(&site.out);
    t.remove(".mpgen-manifest.json");
    t
}

#[test]
fn the_next_version_is_made_beside_the_output_and_swapped_in() {
    let site = Site::fixture("basic");
    site.build();
    site.edit("profiles/MEX.toml", "2024 = 1726089", "2024 = 1826089");
    let report = site.build();
    assert!(report.write.written > 0);
    let next = site.out.parent().unwrap().join(".out.mpgen-next");
    // The folder beside the output holds the version before, ready for the next build.
    let before = std::fs::read_to_string(next.join("profiles/mex/index.html")).unwrap();
    assert!(before.contains("1,726,089") && !before.contains("1,826,089"));
    assert!(site.output("profiles/mex/index.html").contains("1,826,089"));
    site.assert_same_as_full();

    // Left unfinished (no manifest, a stray file): made again from the output folder.
    std::fs::remove_file(next.join(".mpgen-manifest.json")).unwrap();
    std::fs::write(next.join("stray.html"), "x").unwrap();
    site.edit("profiles/MEX.toml", "2024 = 1826089", "2024 = 1926089");
    site.build();
    assert!(!site.out.join("stray.html").exists());
    site.assert_same_as_full();
}

#[test]
fn a_build_killed_at_any_moment_leaves_the_old_or_the_new_site() {
    let site = Site::fixture("basic");
    site.build();
    let old = files(&site);
    // The new site, made once to compare with.
    site.edit("profiles/MEX.toml", "2024 = 1726089", "2024 = 1826089");
    site.remove("content/themes/money.md");
    let fresh = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_mpgen"))
        .args(["build", "--root"])
        .arg(&site.root)
        .arg("--out")
        .arg(fresh.path().join("out"))
        .output()
        .unwrap();
    assert!(status.status.success());
    let mut new = tree(&fresh.path().join("out"));
    new.remove(".mpgen-manifest.json");
    assert_ne!(old, new);

    // Time a whole build, then stop builds at moments spread over it.
    let run = |kill_after: Option<Duration>| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mpgen"))
            .args(["build", "--root"])
            .arg(&site.root)
            .arg("--out")
            .arg(&site.out)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        if let Some(d) = kill_after {
            std::thread::sleep(d);
            let _ = child.kill();
        }
        child.wait().unwrap()
    };
    let restore = || {
        // Back to the old site: from a full build of the old input.
        site.edit("profiles/MEX.toml", "2024 = 1826089", "2024 = 1726089");
        std::fs::write(site.root.join("content/themes/money.md"), MONEY).unwrap();
        assert!(run(None).success());
        assert_eq!(files(&site), old);
        site.edit("profiles/MEX.toml", "2024 = 1726089", "2024 = 1826089");
        site.remove("content/themes/money.md");
    };
    let start = Instant::now();
    assert!(run(None).success());
    let whole = start.elapsed();
    assert_eq!(files(&site), new);
    // Later and later, until builds finish before they are stopped (the machine's speed
    // varies, so the moments are fractions of a measured build, kept going until then).
    let (mut saw_old, mut saw_new) = (0, 0);
    let mut step = 0u32;
    while saw_new < 2 {
        assert!(step < 80, "no build finished before it was stopped");
        restore();
        run(Some(whole * step / 16));
        let now = files(&site);
        if now == old {
            saw_old += 1;
        } else if now == new {
            saw_new += 1;
        } else {
            let differ: Vec<&String> = now
                .keys()
                .chain(new.keys())
                .filter(|k| now.get(*k) != new.get(*k) && now.get(*k) != old.get(*k))
                .take(5)
                .collect();
            panic!("killed after {step}/16 of a build: a mixed folder ({differ:?})");
        }
        // And the next build completes it.
        assert!(run(None).success());
        assert_eq!(files(&site), new);
        step += 1;
    }
    assert!(saw_old > 0, "every build finished before it was stopped");
}

const MONEY: &str = include_str!("../fixtures/basic/content/themes/money.md");
