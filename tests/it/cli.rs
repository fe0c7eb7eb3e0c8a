//! The command line: exit codes, `check --format json`, `init` and `new-profile`.

use std::process::Command;

use crate::harness::Site;

fn mpgen() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mpgen"))
}

#[test]
fn check_exit_codes() {
    let site = Site::fixture("basic");
    let ok = mpgen()
        .args(["check", "--root"])
        .arg(&site.root)
        .output()
        .unwrap();
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    site.edit("profiles/MEX.toml", "kind = \"law\"", "kind = \"decree\"");
    let bad = mpgen()
        .args(["check", "--format", "json", "--root"])
        .arg(&site.root)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&bad.stdout).unwrap();
    assert_eq!(json["errors"], 1);
    assert!(
        json["diagnostics"][0]["help"]
            .as_str()
            .unwrap()
            .contains("`law`")
    );

    let usage = mpgen().args(["check", "--format", "xml"]).output().unwrap();
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn check_counts_warnings_that_repeat_and_verbose_shows_each() {
    let site = Site::default_site();
    let run = |args: &[&str]| {
        let out = mpgen()
            .args(args)
            .arg("--root")
            .arg(&site.root)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let json = mpgen()
        .args(["check", "--format", "json", "--root"])
        .arg(&site.root)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let warnings = json["warnings"].as_u64().unwrap() as usize;
    // JSON is not grouped: it lists every problem.
    let errors = json["errors"].as_u64().unwrap() as usize;
    assert_eq!(
        json["diagnostics"].as_array().unwrap().len(),
        warnings + errors
    );
    assert_eq!(json["omitted"], 0);
    let short = run(&["check"]);
    let long = run(&["check", "--verbose"]);
    let shown = |text: &str| text.lines().filter(|l| l.starts_with("warning: ")).count();
    // Each warning one by one with --verbose (up to the most shown at all)...
    assert_eq!(
        shown(&long),
        warnings.min(mpgen::diagnostics::MAX_SHOWN),
        "{long}"
    );
    // ... and otherwise the kinds that repeat counted, so a report stays readable.
    if warnings > 50 {
        assert!(short.lines().count() < 200, "{short}");
        assert!(
            short.contains("that repeat (`--verbose` shows each one)"),
            "{short}"
        );
    }
    assert!(short.contains(&format!("{warnings} warnings")), "{short}");
}

#[test]
fn build_prints_a_summary_and_fails_on_errors() {
    let site = Site::fixture("basic");
    let out = mpgen()
        .args(["build", "--root"])
        .arg(&site.root)
        .arg("--out")
        .arg(&site.out)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("built 60 pages"), "{stderr}");

    site.edit(
        "profiles/PHL.toml",
        "region = \"Asia\"",
        "region = \"Asia\"\nregoin = \"x\"",
    );
    let out = mpgen()
        .args(["build", "--verify", "--root"])
        .arg(&site.root)
        .arg("--out")
        .arg(&site.out)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--> profiles/PHL.toml:5:1"), "{stderr}");
    assert!(stderr.contains("did you mean `region`?"), "{stderr}");
}

#[test]
fn init_makes_a_site_that_builds_with_nothing_else_on_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("new-site");
    let out = mpgen().arg("init").arg(&dir).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let check = mpgen()
        .args(["check", "--format", "json", "--root"])
        .arg(&dir)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(json["errors"], 0, "{json}");
    assert_eq!(json["warnings"], 0, "{json}");
    let build = mpgen()
        .args(["build", "--root"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(
        build.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    assert!(dir.join("public/profiles/mex/index.html").is_file());
    assert!(dir.join("public/style.css").is_file());
    // A second init into the same folder refuses.
    assert_eq!(
        mpgen()
            .arg("init")
            .arg(&dir)
            .output()
            .unwrap()
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn new_profile_writes_a_skeleton_that_checks() {
    let site = Site::fixture("basic");
    let out = mpgen()
        .args(["new-profile", "SEN", "--root"])
        .arg(&site.root)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = site.read("profiles/SEN.toml");
    assert!(text.contains("iso3 = \"SEN\""));
    // Its UN name in the site's languages (en, fr), and its UN region.
    assert!(
        text.contains("name = { en = \"Senegal\", fr = \"Sénégal\" }"),
        "{text}"
    );
    assert!(
        text.contains("region = \"Africa\"\nsubregion = \"Sub-Saharan Africa\""),
        "{text}"
    );
    assert!(text.contains("# [series.migrant_stock]"));
    assert!(text.contains("# [series.remittances_in_usd]"));
    let checked = site.check();
    assert!(!checked.has_errors());
    // Its missing core indicators are reported as data gaps.
    assert!(
        checked
            .diags
            .iter()
            .any(|d| d.file == "profiles/SEN.toml" && d.message.contains("migrant_stock"))
    );

    assert_eq!(
        mpgen()
            .args(["new-profile", "SEN", "--root"])
            .arg(&site.root)
            .output()
            .unwrap()
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        mpgen()
            .args(["new-profile", "sen", "--root"])
            .arg(&site.root)
            .output()
            .unwrap()
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        mpgen()
            .args(["new-profile", "../x", "--root"])
            .arg(&site.root)
            .output()
            .unwrap()
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn chart_writes_a_figure_for_a_report() {
    let site = Site::fixture("basic");
    let dir = tempfile::tempdir().unwrap();
    for (format, magic) in [
        ("svg", &b"<svg"[..]),
        ("png", &b"\x89PNG"[..]),
        ("pdf", &b"%PDF"[..]),
    ] {
        let file = dir.path().join(format!("fig.{format}"));
        let out = mpgen()
            .args([
                "chart",
                "MEX",
                "migrant_stock",
                "--format",
                format,
                "--width",
                "1000",
                "--height",
                "600",
                "--lang",
                "fr",
                "-o",
            ])
            .arg(&file)
            .arg("--root")
            .arg(&site.root)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let bytes = std::fs::read(&file).unwrap();
        assert!(bytes.starts_with(magic), "{format}");
        if format == "svg" {
            let svg = String::from_utf8(bytes).unwrap();
            assert!(svg.contains("width=\"1000\" height=\"600\""));
            assert!(svg.contains("Stock de migrants internationaux"));
        }
    }
    let missing = mpgen()
        .args(["chart", "MEX", "nope", "--root"])
        .arg(&site.root)
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("its charts are migrant_stock"));
}

#[test]
fn check_links_finds_broken_links_and_anchors() {
    let site = Site::fixture("basic");
    let run = || {
        mpgen()
            .args(["check", "--links", "--root"])
            .arg(&site.root)
            .output()
            .unwrap()
    };
    let ok = run();
    let stderr = String::from_utf8_lossy(&ok.stderr);
    assert_eq!(ok.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(" broken\n") && stderr.contains(": 0 broken"),
        "{stderr}"
    );

    site.write(
        "content/links.md",
        "+++\ntitle = \"Links\"\n+++\n[gone](../nowhere/index.html), [anchor](../profiles/mex/index.html#no-such-id), [fine](../profiles/mex/index.html#ind-migrant_stock).\n",
    );
    let bad = run();
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(1), "{stderr}");
    // Every language's page has the two broken links.
    assert!(stderr.contains("error: a broken link in links/index.html: `../nowhere/index.html`: there is no `nowhere/index.html`"), "{stderr}");
    assert!(stderr.contains("error: a broken link in links/index.html: `../profiles/mex/index.html#no-such-id`: `profiles/mex/index.html` has no element with the id `no-such-id`"), "{stderr}");
    assert!(stderr.contains("error: a broken link in fr/links/index.html: `../nowhere/index.html`: there is no `fr/nowhere/index.html`"), "{stderr}");
    assert!(stderr.contains(": 4 broken\n"), "{stderr}");
}

#[test]
fn the_default_site_has_no_broken_link() {
    let site = Site::default_site();
    let report = mpgen::pipeline::check_links(&site.options())
        .unwrap_or_else(|_| panic!("the default site has errors"));
    assert!(report.pages > 300, "{} pages", report.pages);
    assert!(
        report.broken.is_empty(),
        "{:?}",
        &report.broken[..report.broken.len().min(10)]
    );
}
