//! Charts: what each kind draws (SVG snapshots), that PNGs are the same bytes at any
//! thread count, that every SVG is well-formed and accessible, and that only what a
//! change touches is drawn again.

use crate::harness::Site;

/// The basic fixture plus a profile that exercises the edge cases: a single point, a
/// range, a stacked area of two series, and a custom chart with nothing to draw.
fn edge_site() -> Site {
    let site = Site::fixture("basic");
    site.write(
        "indicators.toml",
        site.read("indicators.toml")
            + "\n[irregular_estimate]\nkind = \"series\"\nunit = \"persons\"\nsection = \"trends\"\nlabel = { en = \"Irregular migrants (estimate)\" }\ndefault_source = \"wdi-2026\"\n",
    );
    site.write(
        "profiles/SEN.toml",
        r#"[country]
iso3 = "SEN"
name = "Senegal"
region = "Africa"

[series.migrant_stock]
values = { 2024 = 281806 }

[series.population]
values = { 2010 = 12530121, 2020 = 16436120, 2024 = 18501984 }

[series.remittances_in_usd]
values = { 2020 = 2600000000, 2024 = 3300000000 }

[series.irregular_estimate]
values = { 2010 = 150000, 2015 = 160000, 2020 = 170000 }
low = { 2010 = 100000, 2015 = 120000, 2020 = 130000 }
high = { 2010 = 200000, 2015 = 210000, 2020 = 215000 }
estimated = [2020]
method = "Residual method."

[[charts]]
id = "stacked"
kind = "area"
series = ["irregular_estimate", "population"]
title = { en = "Two series stacked" }

[[charts]]
id = "nothing-to-draw"
kind = "line"
series = ["net_migration"]
title = { en = "A chart without data" }
"#,
    );
    site
}

#[test]
fn each_chart_kind_draws_what_the_data_says() {
    let site = edge_site();
    site.build();
    for (name, path) in [
        ("line_sex", "charts/mex/migrant_stock.svg"),
        ("line_negative_estimated", "charts/mex/net_migration.svg"),
        ("line_derived", "charts/mex/migrant_share.svg"),
        ("bar_partners", "charts/mex/emigrants_by_destination.svg"),
        ("pyramid", "charts/mex/idp_age_sex.svg"),
        ("line_single_point", "charts/sen/migrant_stock.svg"),
        ("line_range", "charts/sen/irregular_estimate.svg"),
        ("area_stacked", "charts/sen/stacked.svg"),
        ("empty", "charts/sen/nothing-to-draw.svg"),
        ("french_numbers", "fr/charts/mex/migrant_stock.svg"),
    ] {
        insta::assert_snapshot!(format!("chart__{name}"), site.output(path));
    }
    let empty = site.output("charts/sen/nothing-to-draw.svg");
    assert!(empty.contains(">No data</text>"), "{empty}");
    assert!(
        site.output("charts/mex/migrant_stock.svg")
            .contains("rose from 702 k in 1990 to 1.73 M in 2024")
    );
}

#[test]
fn chart_files_come_with_their_data_and_metadata() {
    let site = edge_site();
    site.build();
    let csv = site.output("charts/mex/migrant_stock.csv");
    assert!(
        csv.starts_with("series,year,value,low,high,flag\nTotal,1990,701513,,,\n"),
        "{csv}"
    );
    assert!(
        site.output("charts/sen/irregular_estimate.csv")
            .contains("Total,2020,170000,130000,215000,estimated\n")
    );
    let meta: serde_json::Value =
        serde_json::from_str(&site.output("charts/mex/migrant_stock.json")).unwrap();
    // One file, with the words of every language.
    assert_eq!(meta["title"]["en"], "International migrant stock");
    assert_eq!(meta["languages"], serde_json::json!(["en", "fr"]));
    assert!(
        meta["description"]["fr"]
            .as_str()
            .unwrap()
            .contains("Mexique")
    );
    assert!(!site.out.join("fr/charts/mex/migrant_stock.json").exists());
    assert!(
        site.output("fr/profiles/mex/index.html")
            .contains("href=\"../../../charts/mex/migrant_stock.json\"")
    );
    assert_eq!(meta["sources"][0]["edition"], "2024 revision");
    assert_eq!(meta["notes"][0], "Foreign-born population.");
    // One embed page holds every chart of the profile, each under its id.
    let embed = site.output("embed/mex/index.html");
    assert_eq!(
        embed
            .matches("<object class=\"chart-object\" data=\"../../charts/mex/")
            .count(),
        embed.matches("class=\"chart-figure embed-chart\"").count()
    );
    assert!(embed.contains("id=\"migrant_stock\""));
    assert!(embed.contains("href=\"../../profiles/mex/index.html\""));
    assert!(!site.out.join("embed/mex/migrant_stock").exists());
    let page = site.output("profiles/mex/index.html");
    assert!(
        page.contains(
            "&lt;iframe src=&quot;https://example.org/profiles/embed/mex/#migrant_stock&quot;"
        ),
        "the embed snippet, escaped in its text area"
    );
    assert!(page.contains("href=\"../../embed/mex/index.html#migrant_stock\""));
    assert!(page.contains("<details class=\"data\"><summary>Data table</summary>"));
    assert!(site.out.join("fonts/DejaVuSans.ttf").is_file());
}

#[test]
fn every_chart_is_well_formed_and_has_a_title_and_a_description() {
    let site = Site::default_site();
    let files = mpgen::pipeline::render_all(&site.options()).unwrap();
    let svgs: Vec<_> = files.iter().filter(|(p, _)| p.ends_with(".svg")).collect();
    assert!(svgs.len() > 400, "{}", svgs.len());
    for (path, bytes) in svgs {
        let text = std::str::from_utf8(bytes).unwrap();
        let doc = roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{path}: {e}"));
        let root = doc.root_element();
        assert_eq!(root.attribute("role"), Some("img"), "{path}");
        for tag in ["title", "desc"] {
            let el = root
                .children()
                .find(|n| n.has_tag_name(tag))
                .unwrap_or_else(|| panic!("{path} has no <{tag}>"));
            assert!(
                el.text().is_some_and(|t| !t.trim().is_empty()),
                "{path}: empty <{tag}>"
            );
        }
    }
}

#[test]
fn png_files_are_the_same_bytes_at_any_thread_count() {
    let site = Site::fixture("basic");
    site.edit(
        "site.toml",
        "formats = [\"svg\"]",
        "formats = [\"svg\", \"png\"]",
    );
    let one = site.render_with_threads(1);
    let four = site.render_with_threads(4);
    let pngs: Vec<&String> = one.keys().filter(|p| p.ends_with(".png")).collect();
    assert!(pngs.len() >= 10);
    for p in &pngs {
        assert!(one[*p] == four[*p], "{p} differs between 1 and 4 threads");
        assert!(one[*p].starts_with(b"\x89PNG"), "{p}");
    }
    // Twice the web size, `png_scale`'s default: print size.
    let png = &one["charts/mex/migrant_stock.png"];
    assert_eq!(
        &png[16..24],
        &[0, 0, 6, 64, 0, 0, 3, 132],
        "1600 × 900 pixels"
    );
    // Indexed: a palette of the chart's colours.
    assert_eq!(png[25], 3, "colour type 3, indexed");
    // The golden hash: same input, same bytes, on any machine (with Cargo.lock's crates).
    insta::assert_snapshot!(
        "png_hash_mex_migrant_stock",
        blake3::hash(png).to_hex().to_string()
    );
}

#[test]
fn a_template_edit_redraws_no_chart() {
    let site = Site::fixture("basic");
    site.build();
    site.edit_theme_page("<h1>{{ title }}</h1>", "<h1 class=\"x\">{{ title }}</h1>");
    let report = site.build();
    assert!(!report.rendered_paths.is_empty());
    for p in &report.rendered_paths {
        assert!(!p.contains("charts/"), "a template edit redrew {p}");
    }
}

#[test]
fn a_profile_edit_redraws_only_that_profiles_charts() {
    let site = Site::fixture("basic");
    site.build();
    site.edit("profiles/PHL.toml", "2024 = 87212", "2024 = 87213");
    let report = site.build();
    let charts: Vec<&String> = report
        .rendered_paths
        .iter()
        .filter(|p| p.contains("charts/"))
        .collect();
    assert!(!charts.is_empty());
    // Besides the charts across profiles (world maps, indicator pages' bars).
    for p in charts {
        let across = p.contains("charts/world/") || p.contains("charts/ranking/");
        assert!(p.contains("charts/phl/") || across, "{p} was redrawn");
    }
    site.assert_same_as_full();
}

#[test]
fn no_charts_leaves_them_out() {
    let site = Site::fixture("basic");
    let opts = mpgen::pipeline::BuildOptions {
        no_charts: true,
        ..site.options()
    };
    mpgen::pipeline::build(&opts).unwrap();
    assert!(!site.out.join("charts").exists());
    let page = site.output("profiles/mex/index.html");
    assert!(!page.contains("<svg") && !page.contains("<object"));
}

#[test]
fn a_map_indicator_draws_the_world_on_the_home_page() {
    let site = Site::fixture("basic");
    site.edit(
        "indicators.toml",
        "derive = { ratio = [\"migrant_stock\", \"population\"], scale = 100 }",
        "chart = \"map\"\nderive = { ratio = [\"migrant_stock\", \"population\"], scale = 100 }",
    );
    site.build();
    let map = site.output("charts/world/migrant_share.svg");
    assert!(map.contains("<desc id=\"map-migrant_share-desc\">Migrants as a share of the population, latest value of 2 profiles: highest in Mexico (1.32 %), lowest in Philippines (0.08 %).</desc>"), "{}", &map[..600]);
    assert!(map.contains("No data"));
    roxmltree::Document::parse(&map).unwrap();
    let csv = site.output("charts/world/migrant_share.csv");
    assert!(
        csv.starts_with("iso3,value\nMEX,1.3190246961801233\nPHL,0.07528"),
        "{csv}"
    );
    let meta: serde_json::Value =
        serde_json::from_str(&site.output("fr/charts/world/migrant_share.json")).unwrap();
    assert_eq!(meta["lang"], "fr");
    assert_eq!(meta["sources"][0]["id"], "undesa-ims-2024");
    let home = site.output("index.html");
    assert!(home.contains("<figure class=\"world-map\">"));
    assert!(home.contains("href=\"charts/world/migrant_share.svg\""));
    // On a profile, the same indicator is a line.
    assert!(site.output("charts/mex/migrant_share.svg").contains("<desc id=\"chart-mex-migrant_share-desc\">Migrants as a share of the population in Mexico rose"));
    // Any profile's edit redraws the map.
    site.edit("profiles/PHL.toml", "2024 = 87212", "2024 = 97212");
    let report = site.build();
    assert!(
        report
            .rendered_paths
            .contains(&"charts/world/migrant_share.svg".to_string())
    );
    site.assert_same_as_full();
}

#[test]
fn chart_calls_draw_charts_in_pages_and_narratives() {
    let site = Site::fixture("basic");
    site.write(
        "profiles/PHL.toml",
        site.read("profiles/PHL.toml") + "\n[narrative.trends]\nen = \"\"\"Compare with Mexico:\n\n{{ chart(profile=\"MEX\", id=\"migrant_stock\") }}\n\"\"\"\n",
    );
    site.build();
    let about = site.output("about/index.html");
    assert!(
        about.contains("<figure class=\"chart-figure\"><div class=\"chart\"><object class=\"chart-object\" data=\"../charts/mex/migrant_stock.svg\""),
        "{about}"
    );
    assert!(about.contains("<a href=\"../profiles/mex/index.html#ind-migrant_stock\">Mexico: International migrant stock</a>"));
    let phl = site.output("profiles/phl/index.html");
    assert!(
        phl.contains("Compare with Mexico:</p>\n<figure class=\"chart-figure\">"),
        "the call replaces its paragraph"
    );
    assert!(!phl.contains('\u{E000}'), "no token is left behind");

    // Editing Mexico redraws the pages that show Mexico's chart.
    site.edit("profiles/MEX.toml", "2024 = 1726089", "2024 = 1826089");
    site.edit("profiles/MEX.toml", "2024 = 909750", "2024 = 1009750");
    let report = site.build();
    for page in ["about/index.html", "profiles/phl/index.html"] {
        assert!(
            report.rendered_paths.contains(&page.to_string()),
            "{page} not redrawn"
        );
    }
    site.assert_same_as_full();
}

#[test]
fn a_chart_call_in_a_narrative_is_checked() {
    let site = Site::fixture("basic");
    site.write("profiles/PHL.toml", site.read("profiles/PHL.toml") + "\n[narrative.trends]\nen = \"See {{ chart(profile=\\\"MEX\\\", id=\\\"nope\\\") }}.\"\n");
    let checked = site.check();
    let text = mpgen::diagnostics::render_human(&checked.diags, &checked.texts, false);
    assert!(
        text.contains("error: `nope` is not a chart of the profile `MEX`"),
        "{text}"
    );
    assert!(text.contains("--> profiles/PHL.toml:"), "{text}");
}

#[test]
fn a_chart_shown_twice_on_a_page_is_one_file_and_no_id_twice() {
    let site = Site::fixture("basic");
    site.write(
        "profiles/MEX.toml",
        site.read("profiles/MEX.toml").replace(
            "en = \"Immigration to Mexico **more than doubled** between 1990 and 2024.\"",
            "en = \"\"\"Immigration more than doubled:\n\n{{ chart(profile=\"MEX\", id=\"migrant_stock\") }}\n\"\"\"",
        ),
    );
    site.build();
    let page = site.output("profiles/mex/index.html");
    let ids: Vec<&str> = page
        .split(" id=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(ids.len(), unique.len(), "duplicate ids on the page");
    // Both show the one drawing of the chart, its file.
    let file = "data=\"../../charts/mex/migrant_stock.svg\"";
    assert_eq!(page.matches(file).count(), 2, "{page}");
}
