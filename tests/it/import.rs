//! `mpgen import`: each format on a real cut (see tests/fixtures/import/PROVENANCE.md),
//! the known published values, hand edits kept, a second import a no-op, and bad
//! input refused with nothing touched.

use std::path::PathBuf;
use std::process::Command;

use mpgen::import::{self, Options, Outcome};

use crate::harness::{Site, fixtures, tree};

fn data(name: &str) -> PathBuf {
    fixtures().join("import/data").join(name)
}

fn site() -> Site {
    Site::fixture("import/site")
}

fn run(site: &Site, files: &[PathBuf], opts: &Options) -> Outcome {
    let outcome = import::run(&site.root, files, opts);
    assert!(
        !outcome.failed(),
        "{}",
        mpgen::diagnostics::render_human(&outcome.diags, &outcome.texts, false)
    );
    outcome
}

/// A profile as plain TOML, to read values back.
fn profile(site: &Site, code: &str) -> toml::Table {
    let text = std::fs::read_to_string(site.root.join(format!("profiles/{code}.toml"))).unwrap();
    text.parse().unwrap()
}

fn value(t: &toml::Table, path: &str) -> f64 {
    let mut v = toml::Value::Table(t.clone());
    for key in path.split('.') {
        v = v
            .get(key)
            .unwrap_or_else(|| panic!("no `{key}` in `{path}`"))
            .clone();
    }
    v.as_integer()
        .map(|i| i as f64)
        .or_else(|| v.as_float())
        .unwrap_or_else(|| panic!("`{path}` is {v:?}"))
}

fn only(codes: &[&str]) -> Options {
    Options {
        only: Some(codes.iter().map(|c| c.to_string()).collect()),
        ..Options::default()
    }
}

fn check_ok(site: &Site) {
    let checked = mpgen::pipeline::check(&site.root);
    assert!(
        !checked.has_errors(),
        "{}",
        mpgen::diagnostics::render_human(&checked.diags, &checked.texts, false)
    );
}

#[test]
fn undesa_2024_bilateral_gives_stocks_by_sex_and_partners() {
    let site = site();
    let outcome = run(
        &site,
        &[data("undesa_stocks_2024.csv")],
        &Options::default(),
    );
    let mex = profile(&site, "MEX");
    assert_eq!(value(&mex, "series.migrant_stock.values.2020"), 1_335_154.0);
    assert_eq!(value(&mex, "series.migrant_stock.values.2024"), 1_726_089.0);
    assert_eq!(value(&mex, "series.migrant_stock.female.2024"), 816_339.0);
    assert_eq!(value(&mex, "series.migrant_stock.male.2024"), 909_750.0);
    assert_eq!(
        value(&mex, "series.emigrant_stock.values.2020"),
        11_452_717.0
    );
    assert_eq!(
        value(&mex, "partners.immigrants_by_origin.values.USA"),
        823_502.0
    );
    assert_eq!(
        value(&mex, "partners.immigrants_by_origin.values.HND"),
        166_398.0
    );
    // The Philippines had no profile: one is started, with its real name and region.
    let phl = profile(&site, "PHL");
    assert_eq!(value(&phl, "series.migrant_stock.values.2020"), 87_212.0);
    assert_eq!(
        value(&phl, "partners.emigrants_by_destination.values.USA"),
        2_263_697.0
    );
    assert_eq!(
        value(&phl, "partners.emigrants_by_destination.values.SAU"),
        755_432.0
    );
    assert_eq!(phl["country"]["name"]["es"].as_str(), Some("Filipinas"));
    assert_eq!(phl["country"]["region"].as_str(), Some("Asia"));
    let report = outcome.report.unwrap();
    let phl_report = report.profiles.iter().find(|p| p.code == "PHL").unwrap();
    assert!(phl_report.created);
    // Without `--only`, every place in the data gets a profile (emigrants' destinations too).
    assert!(report.profiles.len() > 100);
    check_ok(&site);
}

#[test]
fn the_2020_workbook_is_read_by_m49_code_under_its_own_source() {
    let site = site();
    let opts = Options {
        source: Some("undesa-ims-2020".into()),
        ..only(&["MEX", "PHL", "XCX"])
    };
    let outcome = run(
        &site,
        &[data("undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx")],
        &opts,
    );
    let mex = profile(&site, "MEX");
    assert_eq!(value(&mex, "series.migrant_stock.values.2020"), 1_197_624.0);
    assert_eq!(value(&mex, "series.migrant_stock.female.2020"), 596_115.0);
    assert_eq!(value(&mex, "series.migrant_stock.male.2020"), 601_509.0);
    assert_eq!(
        mex["series"]["migrant_stock"]["source"].as_str(),
        Some("undesa-ims-2020")
    );
    assert_eq!(
        value(&profile(&site, "PHL"), "series.migrant_stock.values.2020"),
        225_525.0
    );
    // M49 830 is the Channel Islands, XCX in the site.
    assert_eq!(
        value(&profile(&site, "XCX"), "series.migrant_stock.values.2020"),
        84_087.0
    );
    // Regions and groups (900 World, 947 Sub-Saharan Africa ...) are skipped and counted.
    let report = outcome.report.unwrap();
    assert!(report.not_places.iter().any(|(c, _)| c == "M49 900"));
    check_ok(&site);
}

#[test]
fn world_bank_wide_download_skips_aggregates_and_maps_the_channel_islands() {
    let site = site();
    let outcome = run(
        &site,
        &[data("API_SM.POP.NETM_DS2_en_csv_v2.csv")],
        &Options::default(),
    );
    let mex = profile(&site, "MEX");
    assert_eq!(
        value(&mex, "series.net_migration.values.2012"),
        -1_200_191.0
    );
    assert!(
        mex["series"]["net_migration"]["values"]
            .get("2013")
            .is_none(),
        "an empty cell is missing, never zero"
    );
    assert!(site.root.join("profiles/XCX.toml").exists(), "CHI is XCX");
    let report = outcome.report.unwrap();
    let skipped: Vec<&str> = report.not_places.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(skipped, ["EUU", "WLD"]);
    assert_eq!(report.uncoded, ["Kosovo"]);
    let text = report.to_string();
    assert!(text.contains("skipped 2 codes that are no country or area of this site"));
    check_ok(&site);
}

#[test]
fn world_bank_tidy_knows_its_code_from_its_datapackage() {
    let site = site();
    run(
        &site,
        &[data("wdi-tidy/sm.pop.totl/data.csv")],
        &only(&["MEX"]),
    );
    let mex = profile(&site, "MEX");
    assert_eq!(value(&mex, "series.migrant_stock.values.2015"), 1_088_731.0);

    // Without its datapackage the file does not say; --indicator does.
    let site = self::site();
    let bare = site.root.join("data.csv");
    std::fs::copy(data("wdi-tidy/sm.pop.totl/data.csv"), &bare).unwrap();
    let outcome = import::run(&site.root, std::slice::from_ref(&bare), &only(&["MEX"]));
    assert!(outcome.failed());
    assert!(
        outcome.diags[0]
            .help
            .as_ref()
            .unwrap()
            .contains("--indicator")
    );
    let opts = Options {
        indicator: Some("migrant_stock".into()),
        ..only(&["MEX"])
    };
    run(&site, &[bare], &opts);
    assert_eq!(
        value(&profile(&site, "MEX"), "series.migrant_stock.values.2015"),
        1_088_731.0
    );
}

#[test]
fn tidy_csv_with_sources_and_flags() {
    let site = site();
    let file = site.root.join("national.csv");
    // World Bank figures for Mexico's remittances, with the last year flagged.
    std::fs::write(
        &file,
        "iso3,indicator,year,value,source,flag\nMEX,remittances_in_usd,2023,66237847600,census-2020,\nMEX,remittances_in_usd,2024,67637913797,census-2020,e\nMEX,BX.TRF.PWKR.CD.DT,2022,61460000000,census-2020,\n",
    )
    .unwrap();
    run(&site, &[file], &Options::default());
    let mex = profile(&site, "MEX");
    assert_eq!(
        value(&mex, "series.remittances_in_usd.values.2024"),
        67_637_913_797.0
    );
    assert_eq!(
        value(&mex, "series.remittances_in_usd.values.2022"),
        61_460_000_000.0
    );
    let series = &mex["series"]["remittances_in_usd"];
    assert_eq!(series["source"].as_str(), Some("census-2020"));
    assert_eq!(
        series["estimated"].as_array().unwrap(),
        &vec![toml::Value::Integer(2024)]
    );
}

#[test]
fn unhcr_and_idmc() {
    let site = site();
    run(
        &site,
        &[data("unhcr.csv"), data("idmc_flows.csv")],
        &only(&["MEX", "AFG", "PHL"]),
    );
    let mex = profile(&site, "MEX");
    assert_eq!(value(&mex, "series.refugees_hosted.values.2023"), 124_784.0);
    assert_eq!(
        value(&mex, "series.asylum_seekers_hosted.values.2023"),
        257_396.0
    );
    let afg = profile(&site, "AFG");
    assert_eq!(
        value(&afg, "series.refugees_abroad.values.2023"),
        6_403_144.0
    );
    let phl = profile(&site, "PHL");
    assert_eq!(
        value(&phl, "series.disaster_displacements.values.2022"),
        5_453_194.0
    );
    assert_eq!(
        value(&phl, "series.conflict_displacements.values.2022"),
        122_507.0
    );
    check_ok(&site);
}

#[test]
fn float_artefacts_are_cleaned_to_the_unit() {
    let site = site();
    run(&site, &[data("wdi.csv")], &only(&["MEX"]));
    let text = std::fs::read_to_string(site.root.join("profiles/MEX.toml")).unwrap();
    // 128613116.00000001 persons are 128,613,116 people.
    assert!(text.contains("2022 = 128613116\n"), "{text}");
    // The short inline table grew long, so it became a table of its own.
    assert!(
        text.contains("[series.population.values]\n1950 = 27587943\n"),
        "{text}"
    );
    assert!(!text.contains("128613116.0"));
    let mex = profile(&site, "MEX");
    assert_eq!(
        value(&mex, "series.remittances_out_usd.values.2022"),
        883_189_736.0
    );
}

#[test]
fn hand_edits_and_comments_survive_and_a_second_import_changes_nothing() {
    let site = site();
    let before = std::fs::read_to_string(site.root.join("profiles/MEX.toml")).unwrap();
    let files = [
        data("undesa_stocks_2024.csv"),
        data("wdi.csv"),
        data("unhcr.csv"),
    ];
    let opts = only(&["MEX"]);
    let outcome = run(&site, &files, &opts);
    let after = std::fs::read_to_string(site.root.join("profiles/MEX.toml")).unwrap();
    // Every comment line and every hand-typed line the data does not replace is kept.
    for line in before.lines() {
        if line.starts_with('#') || line.starts_with("roles") || line.starts_with("en =") {
            assert!(after.contains(line), "lost `{line}`:\n{after}");
        }
    }
    assert!(after.contains("2023 = 1600000   # national estimate: the dataset has no 2023"));
    assert!(after.contains("1990 = 701513    # rounded by hand from the 1990 census"));
    assert!(after.contains("note = \"Foreign-born population.\""));
    // The short inline table grew long, into a table of its own, one year a line.
    assert!(
        after.contains("[series.population.values]\n1950 = 27587943\n"),
        "{after}"
    );
    // A hand partner the data lacks stays.
    assert!(after.contains("XKX = 12"), "{after}");
    let report = outcome.report.unwrap();
    let mex = &report.profiles[0];
    assert!(mex.left.contains(&"migrant_stock 2023".to_string()));
    for (what, old, new) in [
        ("migrant_stock 1990", "700,000", "701,513"),
        ("population 2000", "98,600,000", "98,625,554"),
    ] {
        assert!(
            mex.changed.contains(&mpgen::import::report::Change {
                what: what.into(),
                old: old.into(),
                new: new.into()
            }),
            "{:?}",
            mex.changed
        );
    }
    check_ok(&site);

    let outcome = run(&site, &files, &opts);
    let again = std::fs::read_to_string(site.root.join("profiles/MEX.toml")).unwrap();
    assert_eq!(again, after, "the second import changed bytes");
    assert_eq!(outcome.report.unwrap().changed_files(), 0);
    assert!(outcome.written.is_empty());
}

#[test]
fn dry_run_reports_and_writes_nothing() {
    let site = site();
    let before = tree(&site.root);
    let opts = Options {
        dry_run: true,
        ..Options::default()
    };
    let outcome = run(&site, &[data("undesa_stocks_2024.csv")], &opts);
    assert_eq!(tree(&site.root), before);
    let text = outcome.report.unwrap().to_string();
    assert!(text.contains("MEX profiles/MEX.toml:"), "{text}");
    assert!(
        text.contains("~ migrant_stock 1990: 700,000 → 701,513"),
        "{text}"
    );
    assert!(text.contains("PHL profiles/PHL.toml (new)"), "{text}");
    assert!(text.contains("dry run: nothing was written"));
}

/// A bad file: the error names the file, line and column, and no profile is touched,
/// even with a good file before it on the command line.
fn refused(site: &Site, name: &str, text: &[u8], expect: &[&str]) {
    let before = tree(&site.root);
    let bad = site.root.join(name);
    std::fs::write(&bad, text).unwrap();
    let outcome = import::run(
        &site.root,
        &[data("undesa_stocks_2024.csv"), bad.clone()],
        &Options::default(),
    );
    assert!(outcome.failed());
    assert!(outcome.report.is_none());
    let shown = mpgen::diagnostics::render_human(&outcome.diags, &outcome.texts, false);
    for e in expect {
        assert!(shown.contains(e), "`{e}` not in:\n{shown}");
    }
    std::fs::remove_file(&bad).unwrap();
    assert_eq!(tree(&site.root), before, "{name} touched the site");
}

#[test]
fn bad_input_is_refused_with_file_line_and_column() {
    let site = site();
    let good = std::fs::read(data("undesa_stocks_2024.csv")).unwrap();
    // Truncated mid-row.
    let cut = &good[..good.len() - 9];
    let last_line = String::from_utf8_lossy(cut).lines().count();
    refused(
        &site,
        "truncated.csv",
        cut,
        &[&format!("truncated.csv:{last_line}:1"), "cut short"],
    );
    refused(
        &site,
        "header.csv",
        b"country,year,value\nMEX,2020,5\n",
        &["header.csv:1:1", "not a layout `import` reads"],
    );
    refused(
        &site,
        "number.csv",
        b"iso3,indicator,year,value\nMEX,migrant_stock,2020,1335154\nMEX,migrant_stock,2024,1.7 million\n",
        &["number.csv:3:24", "`1.7 million` is not a number"],
    );
    refused(
        &site,
        "code.csv",
        b"Country Name,Country Code,Year,Value\nMexico,MEX,2020,5\n",
        &["this file does not say which indicator"],
    );
    refused(
        &site,
        "unknown.csv",
        b"iso3,indicator,year,value\nMEX,SM.POP.TOTAL,2020,5\n",
        &[
            "unknown.csv:2:5",
            "`SM.POP.TOTAL` is no indicator of this site",
        ],
    );
    refused(
        &site,
        "negative.csv",
        b"iso3,indicator,year,value\nMEX,migrant_stock,2020,-5\n",
        &["negative.csv:2:24", "not signed"],
    );
    refused(
        &site,
        "latin1.csv",
        b"iso3,indicator,year,value\nMEX,migrant_stock,2020,5 # M\xe9xico\n",
        &["latin1.csv:2", "not UTF-8"],
    );
}

#[test]
fn a_broken_profile_stops_the_import_before_anything_is_written() {
    let site = site();
    site.write("profiles/PHL.toml", "[country\niso3 = \"PHL\"\n");
    let before = tree(&site.root);
    let outcome = import::run(
        &site.root,
        &[data("undesa_stocks_2024.csv")],
        &Options::default(),
    );
    assert!(outcome.failed());
    let shown = mpgen::diagnostics::render_human(&outcome.diags, &outcome.texts, false);
    assert!(shown.contains("profiles/PHL.toml:1:"), "{shown}");
    assert_eq!(tree(&site.root), before);
}

#[test]
fn the_command_line_prints_the_report_and_exits_by_the_outcome() {
    let site = site();
    let out = Command::new(env!("CARGO_BIN_EXE_mpgen"))
        .args(["import", "--dry-run", "--only", "mex", "--root"])
        .arg(&site.root)
        .arg(data("undesa_stocks_2024.csv"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("undesa:immigrants → migrant_stock"),
        "{stdout}"
    );
    assert!(stdout.contains("1 profiles would change"), "{stdout}");

    let out = Command::new(env!("CARGO_BIN_EXE_mpgen"))
        .args(["import", "--indicator", "migrant_stok", "--root"])
        .arg(&site.root)
        .arg(data("wdi.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("did you mean `migrant_stock`?"), "{stderr}");
    assert!(stderr.contains("no profile was changed"), "{stderr}");
}

#[test]
fn a_world_bank_download_is_read_from_its_zip() {
    use std::io::Write as _;
    let site = site();
    let zipped = |entries: &[(&str, &[u8])]| {
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in entries {
            out.start_file(*name, opts).unwrap();
            out.write_all(bytes).unwrap();
        }
        out.finish().unwrap().into_inner()
    };
    let csv = std::fs::read(data("API_SM.POP.NETM_DS2_en_csv_v2.csv")).unwrap();
    let archive = site.root.join("API_SM.POP.NETM_DS2_en_csv_v2_4770.zip");
    std::fs::write(
        &archive,
        zipped(&[
            (
                "Metadata_Country_API_SM.POP.NETM_DS2_en_csv_v2_4770.csv",
                b"\"Country Code\",\"Region\",\"IncomeGroup\",\n",
            ),
            ("API_SM.POP.NETM_DS2_en_csv_v2_4770.csv", &csv),
        ]),
    )
    .unwrap();
    run(&site, &[archive], &only(&["MEX"]));
    assert_eq!(
        value(&profile(&site, "MEX"), "series.net_migration.values.2012"),
        -1_200_191.0
    );

    let other = site.root.join("other.zip");
    std::fs::write(&other, zipped(&[("notes.txt", b"hello")])).unwrap();
    let outcome = import::run(&site.root, &[other], &Options::default());
    assert!(outcome.failed());
    assert!(
        outcome.diags[0]
            .message
            .contains("neither a World Bank data file")
    );
}
