//! Every rule of the format spec has a case under `tests/fixtures/invalid/<case>/`: files
//! laid over the `basic` fixture (and a `DELETE` list). The exact diagnostics, with
//! file, line, column and caret, are snapshots.

use std::fs;

use crate::harness::{Site, fixtures};
use mpgen::diagnostics::render_human;

#[test]
fn every_invalid_case_matches_its_snapshot() {
    let dir = fixtures().join("invalid");
    let mut cases: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let site = Site::fixture("basic").overlay(&case);
        let checked = site.check();
        assert!(!checked.diags.is_empty(), "{name}: no diagnostic");
        if name.starts_with("warn-") {
            assert!(!checked.has_errors(), "{name}: a warning case has errors");
            assert!(
                site.try_build().is_ok(),
                "{name}: warnings must not stop a build"
            );
        } else {
            assert!(checked.has_errors(), "{name}: no error");
            assert!(site.try_build().is_err(), "{name}: an invalid site built");
        }
        let text = render_human(&checked.diags, &checked.texts, false);
        insta::assert_snapshot!(format!("invalid__{name}"), text);
    }
}

#[test]
fn the_basic_fixture_is_clean() {
    let site = Site::fixture("basic");
    let checked = site.check();
    assert!(
        checked.diags.is_empty(),
        "{}",
        render_human(&checked.diags, &checked.texts, false)
    );
}

#[test]
fn a_file_over_ten_megabytes_is_refused() {
    let site = Site::fixture("basic");
    let mut big = site.read("profiles/PHL.toml");
    big.push_str(&"# padding\n".repeat(1_100_000));
    site.write("profiles/PHL.toml", big);
    let checked = site.check();
    let text = render_human(&checked.diags, &checked.texts, false);
    assert!(text.contains("error: this file is 11000"), "{text}");
    assert!(text.contains("profiles/PHL.toml"), "{text}");
}

#[test]
fn bom_and_crlf_are_accepted() {
    let site = Site::fixture("basic");
    let text = site.read("profiles/MEX.toml").replace('\n', "\r\n");
    site.write(
        "profiles/MEX.toml",
        [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
    );
    let page = site.read("content/about.md").replace('\n', "\r\n");
    site.write(
        "content/about.md",
        [b"\xEF\xBB\xBF".as_slice(), page.as_bytes()].concat(),
    );
    let checked = site.check();
    assert!(
        checked.diags.is_empty(),
        "{}",
        render_human(&checked.diags, &checked.texts, false)
    );
    site.build();
    assert!(site.output("profiles/mex/index.html").contains("1,726,089"));
}

#[test]
fn json_diagnostics_carry_positions() {
    let site = Site::fixture("basic");
    site.edit(
        "profiles/MEX.toml",
        "[series.population]\n",
        "[series.population]\nsorce = \"wdi-2026\"\n",
    );
    let checked = site.check();
    let json: serde_json::Value = serde_json::from_str(&mpgen::diagnostics::render_json(
        &checked.diags,
        &checked.texts,
    ))
    .unwrap();
    assert_eq!(json["errors"], 1);
    let d = &json["diagnostics"][0];
    assert_eq!(d["file"], "profiles/MEX.toml");
    assert_eq!(d["column"], 1);
    assert_eq!(d["help"], "did you mean `source`?");
    let line = d["line"].as_u64().unwrap() as usize;
    assert_eq!(
        site.read("profiles/MEX.toml").lines().nth(line - 1),
        Some("sorce = \"wdi-2026\"")
    );
}
