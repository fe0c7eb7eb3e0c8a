//! What the pages and data files say: snapshots, escaping, links, data columns.

use crate::harness::Site;

#[test]
fn profile_page_snapshot() {
    let site = Site::fixture("basic");
    site.build();
    insta::assert_snapshot!("profile_mex_en", site.output("profiles/mex/index.html"));
}

#[test]
fn home_page_snapshot() {
    let site = Site::fixture("basic");
    site.build();
    insta::assert_snapshot!("home_en", site.output("index.html"));
    insta::assert_snapshot!("home_fr", site.output("fr/index.html"));
}

#[test]
fn data_files_are_tidy() {
    let site = Site::fixture("basic");
    site.build();
    insta::assert_snapshot!("mex_csv", site.output("data/mex.csv"));
    let all = site.output("data/all.csv");
    let mut lines = all.lines();
    assert_eq!(
        lines.next(),
        Some("iso3,indicator,year,sex,partner,age_group,value,low,high,unit,source,flag")
    );
    assert!(all.contains("MEX,migrant_share,2024,total,,,1.3190246961801233,,,percent,undesa-ims-2024+wdi-2026,derived\n"), "derived values are included");
    assert!(all.contains(",derived\n"));
    assert!(all.contains("MEX,net_migration,2024,total,,,-104581,,,persons,wdi-2026,estimated\n"));
    assert!(all.contains(
        "PHL,emigrants_by_destination,2024,total,other,,512053,,,persons,undesa-ims-2024,\n"
    ));
    assert!(all.contains("MEX,idp_age_sex,2024,female,,0-4,14833,,,persons,idmc-gidd,\n"));
    let json: serde_json::Value = serde_json::from_str(&site.output("data/mex.json")).unwrap();
    assert_eq!(json["iso3"], "MEX");
    assert_eq!(json["columns"][1], "indicator");
    assert_eq!(json["rows"][0][1], "migrant_stock");
    assert_eq!(json["rows"][0][6], 701513.0);
}

#[test]
fn every_value_is_escaped_and_raw_html_is_dropped() {
    let site = Site::fixture("basic");
    site.edit(
        "profiles/PHL.toml",
        "name = \"Philippines\"",
        "name = \"Phil<script>alert(1)</script>\"",
    );
    site.write(
        "profiles/PHL.toml",
        site.read("profiles/PHL.toml") + "\n[narrative.trends]\nen = \"Text <img src=x onerror=alert(1)> and [link](javascript:alert(1))\"\n",
    );
    site.build();
    let page = site.output("profiles/phl/index.html");
    assert!(!page.contains("<script>alert(1)"));
    assert!(page.contains("Phil&lt;script&gt;"));
    assert!(!page.contains("<img src=x"));
    assert!(!page.contains("javascript:"));
    assert!(site.output("index.html").contains("Phil&lt;script&gt;"));
}

#[test]
fn links_are_relative_and_point_at_files_that_exist() {
    let site = Site::fixture("basic");
    site.build();
    let tree = site.tree();
    for (path, bytes) in &tree {
        if !path.ends_with(".html") || path.ends_with("404.html") {
            continue;
        }
        let html = String::from_utf8(bytes.clone()).unwrap();
        let dir = std::path::Path::new(path).parent().unwrap().to_path_buf();
        for part in html.split("href=\"").skip(1) {
            let target = &part[..part.find('"').unwrap()];
            if target.starts_with("http") || target.starts_with('#') {
                continue;
            }
            assert!(!target.starts_with('/'), "{path}: absolute link {target}");
            let target = target.split('#').next().unwrap();
            let mut resolved = dir.clone();
            for seg in target.split('/') {
                match seg {
                    ".." => assert!(resolved.pop(), "{path}: {target} leaves the site"),
                    "" | "." => {}
                    s => resolved.push(s),
                }
            }
            let resolved = resolved.to_string_lossy().replace('\\', "/");
            assert!(
                tree.contains_key(&resolved),
                "{path}: link {target} -> {resolved} is missing"
            );
        }
    }
}

#[test]
fn content_pages_fall_back_to_the_default_language() {
    let site = Site::fixture("basic");
    site.build();
    let fr_about = site.output("fr/about/index.html");
    assert!(fr_about.contains("À propos"));
    let fr_method = site.output("fr/methodology/index.html");
    assert!(fr_method.contains("<article lang=\"en\">"), "{fr_method}");
    // The chart call becomes a link to the profile's table until charts exist.
    let about = site.output("about/index.html");
    assert!(
        about.contains("href=\"../profiles/mex/index.html#ind-migrant_stock\""),
        "{about}"
    );
}

#[test]
fn numbers_follow_the_page_language() {
    let site = Site::fixture("basic");
    site.build();
    assert!(site.output("profiles/mex/index.html").contains("1,726,089"));
    assert!(
        site.output("fr/profiles/mex/index.html")
            .contains("1\u{202f}726\u{202f}089")
    );
    assert!(site.output("fr/index.html").contains("1,73 M"));
}

#[test]
fn partner_countries_are_named_in_the_page_language() {
    let site = Site::fixture("basic");
    site.build();
    assert!(
        site.output("fr/profiles/mex/index.html")
            .contains("États-Unis d’Amérique")
    );
    assert!(
        site.output("profiles/mex/index.html")
            .contains("United States of America")
    );
    assert!(
        site.output("fr/charts/phl/emigrants_by_destination.svg")
            .contains("Arabie saoudite")
    );
}
