//! `mpgen schema`: the default site's committed schemas are the ones it writes, and the
//! taplo CLI (from the npm registry, installed by `.ci/run`) run with them accepts every
//! file of the default site and refuses every invalid case a schema can express.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::{Site, fixtures};

/// The invalid cases a JSON Schema can express: an unknown key, a wrong type, a value
/// outside a list or a range, an unknown id of the catalogue, a missing required key.
/// The others need what one file cannot say (another file, the file's name, lengths
/// that must agree, the theme), or are not files a schema reads.
const EXPRESSIBLE: &[&str] = &[
    "base-url-not-absolute",
    "catalogue-errors",
    "empty-file",
    "iso3-differs-from-file",
    "negative-unsigned",
    "no-country-table",
    "not-toml",
    "not-utf8",
    "percent-above-100",
    "rcp-kind",
    "required-key-missing",
    "unknown-indicator",
    "unknown-key",
    "unknown-partner-code",
    "unknown-rcp",
    "unknown-section",
    "unknown-source",
    "value-not-allowed",
    "value-not-finite",
    "wrong-kind",
    "wrong-type",
    "year-out-of-range",
];

/// Cases a schema cannot catch, and why (each is caught by `mpgen check`).
const NOT_EXPRESSIBLE: &[(&str, &str)] = &[
    ("age-sex-lengths", "arrays that must have equal lengths"),
    (
        "chart-units",
        "the chart's series must share a unit of indicators.toml",
    ),
    ("content-bad-calls", "Markdown, not mapped"),
    ("content-bad-front-matter", "Markdown, not mapped"),
    ("content-unknown-chart", "Markdown, not mapped"),
    ("content-unknown-key", "Markdown, not mapped"),
    ("content-unknown-lang", "Markdown, not mapped"),
    ("content-unknown-template", "Markdown, not mapped"),
    ("default-language-not-listed", "one key against another"),
    ("estimated-without-value", "one key against another"),
    ("file-name-lower-case", "the file's name"),
    ("file-name-not-iso3", "the file's name"),
    ("low-above-value", "one key against another"),
    ("phrases-errors", "the theme"),
    ("range-without-value", "one key against another"),
    ("sex-without-value", "one key against another"),
    ("template-error", "the theme"),
];

/// The taplo CLI: `MPGEN_TAPLO`, the one `.ci/run` installs under `target/npm`, or one
/// on the PATH. `None` outside CI when there is none (the test is then skipped).
fn taplo() -> Option<PathBuf> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let found = std::env::var_os("MPGEN_TAPLO")
        .map(PathBuf::from)
        .or_else(|| Some(repo.join("target/npm/node_modules/.bin/taplo")).filter(|p| p.is_file()))
        .or_else(|| {
            std::env::split_paths(&std::env::var_os("PATH")?)
                .map(|d| d.join("taplo"))
                .find(|p| p.is_file())
        });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "taplo is not installed; CI must install it (see .ci/run)"
        );
        eprintln!("skipped: no taplo");
    }
    found
}

/// `taplo check` in `root`, with its `.taplo.toml`: whether every file passed, and what
/// it said.
fn taplo_check(taplo: &Path, root: &Path) -> (bool, String) {
    let out = Command::new(taplo)
        .arg("check")
        .current_dir(root)
        .env("RUST_LOG", "error")
        .output()
        .expect("taplo runs");
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), said)
}

#[test]
fn the_default_sites_schemas_are_the_ones_mpgen_schema_writes() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let loaded = mpgen::load::load(repo);
    let (vocabulary, diags) = mpgen::schema::Vocabulary::of(&loaded);
    assert!(diags.is_empty(), "{diags:?}");
    for (rel, text) in mpgen::schema::files(&vocabulary) {
        let committed = fs::read_to_string(repo.join(&rel)).unwrap_or_default();
        assert!(
            committed == text,
            "{rel} is not what `mpgen schema` writes for the default site: run `cargo run -- schema`"
        );
    }
}

#[test]
fn init_writes_the_schemas_and_taplo_accepts_the_new_site() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("x");
    mpgen::scaffold::init(&root).unwrap();
    for rel in [".taplo.toml", "tombi.toml", "schemas/profile.schema.json"] {
        assert!(root.join(rel).is_file(), "{rel}");
    }
    let Some(taplo) = taplo() else { return };
    let (ok, said) = taplo_check(&taplo, &root);
    assert!(ok, "{said}");
}

#[test]
fn taplo_accepts_the_default_site() {
    let Some(taplo) = taplo() else { return };
    let (ok, said) = taplo_check(&taplo, Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(ok, "{said}");
}

#[test]
fn taplo_refuses_every_invalid_case_a_schema_can_express() {
    let Some(taplo) = taplo() else { return };
    let dir = fixtures().join("invalid");
    let mut cases: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("warn-"))
        .collect();
    cases.sort();
    let known = |c: &str| EXPRESSIBLE.contains(&c) || NOT_EXPRESSIBLE.iter().any(|(n, _)| *n == c);
    let unsorted: Vec<&String> = cases.iter().filter(|c| !known(c)).collect();
    assert!(
        unsorted.is_empty(),
        "say whether a schema can express {unsorted:?}"
    );

    // The schemas come from the basic fixture: a case's own catalogue may be the
    // mistake. They are laid over each case, as a team would have them.
    let basic = Site::fixture("basic");
    mpgen::schema::write_for(&basic.root).unwrap().unwrap();
    let outcomes: Vec<(String, bool, String)> = std::thread::scope(|s| {
        let runs: Vec<_> = cases
            .iter()
            .map(|case| {
                let (taplo, dir, basic) = (&taplo, &dir, &basic.root);
                s.spawn(move || {
                    let site = Site::fixture("basic").overlay(&dir.join(case));
                    for rel in [".taplo.toml", "tombi.toml"] {
                        fs::copy(basic.join(rel), site.root.join(rel)).unwrap();
                    }
                    crate::harness::copy_dir(&basic.join("schemas"), &site.root.join("schemas"));
                    let (ok, said) = taplo_check(taplo, &site.root);
                    (case.clone(), ok, said)
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let (basic_ok, said) = taplo_check(&taplo, &basic.root);
    assert!(basic_ok, "the basic fixture: {said}");
    let wrong: Vec<String> = outcomes
        .into_iter()
        .filter(|(case, ok, _)| *ok == EXPRESSIBLE.contains(&case.as_str()))
        .map(|(case, ok, said)| match ok {
            true => format!("{case}: taplo accepted what the schema should refuse"),
            false => format!("{case}: taplo refused it: {}", &said[..said.len().min(300)]),
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
