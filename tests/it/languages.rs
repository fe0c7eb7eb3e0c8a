//! Languages: what is not translated falls back and is listed by `check`; country names
//! come from the places table where a profile does not give them; a right-to-left
//! language gets a right-to-left page, with fallback text marked left to right.

use std::process::Command;

use crate::harness::Site;

#[test]
fn missing_translations_fall_back_and_are_listed() {
    let site = Site::fixture("basic");
    site.build();
    // The methodology page has no French text: the French page shows the English one,
    // marked as English, with a notice in French.
    let page = site.output("fr/methodology/index.html");
    assert!(page.contains("<article lang=\"en\" dir=\"ltr\">"), "{page}");
    assert!(
        page.contains(
            "<p class=\"notice\" lang=\"fr\" dir=\"ltr\">Cette page n’est pas encore traduite"
        ),
        "{page}"
    );
    // Dates in the page's words.
    assert!(
        site.output("fr/profiles/mex/index.html")
            .contains("<time datetime=\"2026-11-28\">28 novembre 2026</time>")
    );
    // An indicator label without French falls back to English on the French pages.
    assert!(
        site.output("fr/indicators/population/index.html")
            .contains("<h1>Population</h1>")
    );

    let out = Command::new(env!("CARGO_BIN_EXE_mpgen"))
        .args(["check", "--root"])
        .arg(&site.root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .contains("missing translations (pages show these in en, interface words in English):"),
        "{stderr}"
    );
    assert!(
        stderr.contains("  fr: 4 pages: methodology, themes, themes/money, themes/people\n"),
        "{stderr}"
    );
    assert!(stderr.contains("  fr: 6 indicators: population (label), migrant_share (label), net_migration (label), emigrants_by_destination (label), remittances_in_usd (label), idp_age_sex (label)\n"), "{stderr}");
    assert!(
        stderr.contains("  fr: 3 sections: trends, impacts, governance\n"),
        "{stderr}"
    );
    // A French label, the list shrinks by one.
    site.edit(
        "indicators.toml",
        "label = { en = \"Population\" }",
        "label = { en = \"Population\", fr = \"Population totale\" }",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_mpgen"))
        .args(["check", "--format", "json", "--root"])
        .arg(&site.root)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let missing = json["missing_translations"].as_array().unwrap();
    let indicators = missing
        .iter()
        .find(|m| m["lang"] == "fr" && m["kind"] == "indicators")
        .unwrap();
    assert_eq!(indicators["items"].as_array().unwrap().len(), 5);
    assert_eq!(json["errors"], 0);
}

#[test]
fn a_right_to_left_language_gets_a_right_to_left_page() {
    let site = Site::fixture("basic");
    site.edit(
        "site.toml",
        "languages = [\"en\", \"fr\"]",
        "languages = [\"en\", \"fr\", \"ar\"]",
    );
    site.build();
    let home = site.output("ar/index.html");
    assert!(
        home.starts_with("<!doctype html>\n<html lang=\"ar\" dir=\"rtl\">"),
        "{home}"
    );
    // Mexico's profile names it in English and French only: Arabic comes from the places
    // table; the Philippines' name is given once, for every language.
    let mex = site.output("ar/profiles/mex/index.html");
    assert!(
        mex.contains("<h1>المكسيك <span class=\"code\">MEX"),
        "{mex}"
    );
    assert!(
        site.output("ar/profiles/phl/index.html")
            .contains("Philippines")
    );
    // Text in another language is marked left to right inside the right-to-left page.
    let about = site.output("ar/methodology/index.html");
    assert!(
        about.contains("<article lang=\"en\" dir=\"ltr\">"),
        "{about}"
    );
    // The French pages are unchanged in direction.
    assert!(
        site.output("fr/index.html")
            .contains("<html lang=\"fr\" dir=\"ltr\">")
    );
    // And the stylesheet uses logical sides only, so tables and notices mirror.
    let css = site.output("style.css");
    for physical in [
        "text-align: left",
        "text-align: right",
        "padding-left",
        "margin-left",
        "border-left",
    ] {
        assert!(!css.contains(physical), "{physical} in the stylesheet");
    }
}
