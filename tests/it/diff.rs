//! `mpgen diff`: against an earlier output folder and against a git revision.

use std::process::Command;

use crate::harness::Site;

fn diff(site: &Site, old: &str) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mpgen"))
        .args(["diff", old, "--root"])
        .arg(&site.root)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn against_an_output_folder() {
    let site = Site::fixture("basic");
    site.build();
    let old = site.out.to_string_lossy().into_owned();
    let (code, stdout, _) = diff(&site, &old);
    assert_eq!(code, 0);
    assert_eq!(
        stdout,
        "0 numbers changed in 0 profiles; 0 pages added, 0 removed; 0 charts added, 0 removed\n"
    );

    site.edit("profiles/MEX.toml", "2024 = 1726089", "2024 = 1826089");
    site.remove("content/themes/money.md");
    let (code, stdout, stderr) = diff(&site, &old);
    assert_eq!(code, 0, "{stderr}");
    // The value, and the share derived from it, with their sources.
    assert!(stdout.starts_with("MEX: 2 numbers\n  migrant_share 2024: 1.32 % → 1.40 % (undesa-ims-2024+wdi-2026)\n  migrant_stock 2024: 1,726,089 → 1,826,089 (undesa-ims-2024)\n"), "{stdout}");
    assert!(
        stdout.contains(
            "pages removed: 2\n  fr/themes/money/index.html\n  themes/money/index.html\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.ends_with(
            "2 numbers changed in 1 profiles; 0 pages added, 2 removed; 0 charts added, 0 removed\n"
        ),
        "{stdout}"
    );

    // A new profile: every number listed, its pages and charts added.
    site.write(
        "profiles/SEN.toml",
        "[country]\niso3 = \"SEN\"\nname = \"Senegal\"\nregion = \"Africa\"\n\n[series.migrant_stock]\nvalues = { 2024 = 274929 }\n",
    );
    let (_, stdout, stderr) = diff(&site, &old);
    assert!(
        stdout.contains("SEN: 1 numbers\n  migrant_stock 2024: added 274,929 (undesa-ims-2024)\n"),
        "{stdout}{stderr}"
    );
    assert!(stdout.contains("  profiles/sen/index.html\n"), "{stdout}");
    assert!(
        stdout.contains("  charts/sen/migrant_stock.svg\n"),
        "{stdout}"
    );
}

#[test]
fn against_a_git_revision_and_bad_input() {
    let site = Site::fixture("basic");
    site.git_commit_all();
    site.edit("profiles/PHL.toml", "2024 = 87212", "2024 = 90000");
    let (code, stdout, stderr) = diff(&site, "HEAD");
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("PHL: 2 numbers\n"), "{stdout}");
    assert!(
        stdout.contains("  migrant_stock 2024: 87,212 → 90,000 (undesa-ims-2024)\n"),
        "{stdout}"
    );

    // Neither a folder nor a revision; a folder that is no output.
    let (code, _, stderr) = diff(&site, "no-such-rev");
    assert_eq!(code, 1);
    assert!(
        stderr.contains("`no-such-rev` is neither an output folder nor a git revision of the site"),
        "{stderr}"
    );
    let (code, _, stderr) = diff(&site, &site.root.join("profiles").to_string_lossy());
    assert_eq!(code, 1);
    assert!(
        stderr.contains("is not an mpgen output folder: no data/all.csv"),
        "{stderr}"
    );
}
