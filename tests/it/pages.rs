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
            if target.starts_with("http") || target.starts_with('#') || target.starts_with("data:")
            {
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
    assert!(
        fr_method.contains("<article lang=\"en\" dir=\"ltr\">"),
        "{fr_method}"
    );
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

/// The `<section id=...>` of a page, up to the next section.
fn section<'p>(page: &'p str, id: &str) -> &'p str {
    let start = page
        .find(&format!("<section id=\"{id}\""))
        .unwrap_or_else(|| panic!("no section {id}"));
    let rest = &page[start..];
    &rest[..rest.find("</section>").unwrap()]
}

#[test]
fn an_indicator_page_ranks_maps_totals_and_covers() {
    let site = Site::fixture("basic");
    site.build();
    let page = site.output("indicators/migrant_stock/index.html");
    let ranking = section(&page, "ranking");
    let (mex, phl) = (
        ranking.find("Mexico").unwrap(),
        ranking.find("Philippines").unwrap(),
    );
    assert!(mex < phl, "largest first");
    assert!(ranking.contains("<td class=\"num\">1,726,089</td><td class=\"num\">2024</td>"));
    assert!(ranking.contains("href=\"../../profiles/mex/index.html\""));
    // The world map and the chart of the largest values, drawn at build time into the
    // files the page shows.
    assert_eq!(
        page.matches("<object class=\"chart-object\"").count(),
        2,
        "a map and a bar chart"
    );
    assert!(page.contains("data=\"../../charts/world/migrant_stock.svg\""));
    assert!(page.contains("data=\"../../charts/ranking/migrant_stock.svg\""));
    let bars = site.output("charts/ranking/migrant_stock.svg");
    assert!(bars.contains("International migrant stock: the largest values"));
    // Persons add up: 1,726,089 + 87,212 in 2024, by region and for the world.
    let totals = section(&page, "totals");
    assert!(totals.contains("2024"));
    assert!(
        totals.contains("<td class=\"num\">1,813,301</td>"),
        "{totals}"
    );
    assert!(totals.contains(">Americas</th><td class=\"num\">1,726,089</td>"));
    assert!(section(&page, "coverage").contains("Every profile has a recent value."));

    // A profile without the indicator is listed as missing; percentages have no totals.
    let page = site.output("indicators/net_migration/index.html");
    let coverage = section(&page, "coverage");
    assert!(coverage.contains("Profiles without this indicator (1)"));
    assert!(coverage.contains(">Philippines</a>"));
    let share = site.output("indicators/migrant_share/index.html");
    assert!(!share.contains("<section id=\"totals\""));

    // Partners indicators rank their totals, and have no map.
    let page = site.output("indicators/emigrants_by_destination/index.html");
    assert_eq!(page.matches("<object class=\"chart-object\"").count(), 1);
    assert!(
        !site
            .out
            .join("charts/world/emigrants_by_destination.svg")
            .exists()
    );

    // In French: the words and the numbers.
    let fr = site.output("fr/indicators/migrant_stock/index.html");
    assert!(fr.contains("<h2 id=\"h-ranking\">Classement</h2>"));
    assert!(
        fr.contains("1\u{202f}726\u{202f}089"),
        "French digits grouping"
    );
}

#[test]
fn stale_and_missing_core_indicators_show_on_the_data_gaps_page() {
    let site = Site::fixture("basic");
    site.edit(
        "profiles/PHL.toml",
        "values = { 1990 = 1465000000, 2000 = 6924000000, 2010 = 21556633836, 2020 = 34882844550, 2024 = 40279405932 }",
        "values = { 1990 = 1465000000, 2000 = 6924000000, 2010 = 21556633836 }",
    );
    site.build();
    let gaps = site.output("data-gaps/index.html");
    insta::assert_snapshot!("data_gaps_en", gaps);
    assert!(gaps.contains("<td class=\"gap-stale\">stale (2010)</td>"));
    assert!(gaps.contains("1 / 2 profiles have every core indicator"));
    let page = site.output("indicators/remittances_in_usd/index.html");
    let coverage = section(&page, "coverage");
    assert!(coverage.contains("older than 2019 (1)"), "{coverage}");
    assert!(coverage.contains(">Philippines</a> (2010)"));
    // The list of indicators counts the profiles that have each.
    let list = site.output("indicators/index.html");
    assert!(list.contains("href=\"../indicators/net_migration/index.html\">Net migration</a>"));
    assert!(list.contains("1 / 2 profiles"));
}

#[test]
fn the_page_of_a_flow_indicator_links_to_its_largest_corridors() {
    let site = Site::fixture("basic");
    site.build();
    let page = site.output("indicators/emigrants_by_destination/index.html");
    let section = section(&page, "corridors");
    assert!(section.contains("<li><a href=\"../../corridors/mex-usa/index.html\">Mexico – United States of America (11.3 M)</a></li>"), "{section}");
    assert!(
        section.contains("../../corridors/phl-usa/index.html"),
        "{section}"
    );
    // Not on the pages of other indicators.
    assert!(
        !site
            .output("indicators/migrant_stock/index.html")
            .contains("id=\"corridors\"")
    );
    // A partner table's change moves the list: the page is rendered again.
    site.edit("profiles/PHL.toml", "USA = 2263697", "USA = 2263698");
    let report = site.build();
    assert!(
        report
            .rendered_paths
            .iter()
            .any(|p| p == "indicators/emigrants_by_destination/index.html")
    );
    site.assert_same_as_full();
}

#[test]
fn corridors_show_both_ends_and_where_they_disagree() {
    let site = Site::fixture("basic");
    // Mexico reports 1,000 emigrants in the Philippines; the Philippines, 900 from Mexico.
    let indicators = site.read("indicators.toml")
        + "\n[immigrants_by_origin]\nkind = \"partners\"\nflow = \"in\"\nunit = \"persons\"\nsection = \"trends\"\nlabel = { en = \"Immigrants by origin\" }\ndefault_source = \"undesa-ims-2024\"\n";
    site.write("indicators.toml", indicators);
    site.edit(
        "profiles/MEX.toml",
        "values = { USA = 11279561, CAN = 103620, ESP = 77724 }",
        "values = { USA = 11279561, CAN = 103620, ESP = 77724, PHL = 1000 }",
    );
    let phl = site.read("profiles/PHL.toml")
        + "\n[partners.immigrants_by_origin]\nyear = 2024\nvalues = { MEX = 900 }\n";
    site.write("profiles/PHL.toml", phl);
    site.build();

    let list = site.output("corridors/index.html");
    let (usa, phl) = (
        list.find("Mexico – United States").unwrap(),
        list.find("Mexico – Philippines").unwrap(),
    );
    assert!(usa < phl, "largest first");
    assert!(list.contains("<td class=\"num\">11,279,561</td>"));

    let page = site.output("corridors/mex-phl/index.html");
    assert!(page.contains("<h1>Mexico – Philippines</h1>"));
    assert!(page.contains("Migrants from Mexico living in Philippines"));
    assert!(page.contains("<th scope=\"row\">Philippines</th><td class=\"num\">900</td>"));
    assert!(page.contains("<th scope=\"row\">Mexico</th><td class=\"num\">1,000</td>"));
    assert!(
        page.contains("differ by more than 5 %, or are for different years (10.00 %)"),
        "{page}"
    );
    assert!(page.contains("href=\"../../profiles/phl/index.html\""));
    // The United States has no profile: the page names it, and says one end reports.
    let page = site.output("corridors/mex-usa/index.html");
    assert!(page.contains("Only one end reports this direction."));
    assert!(!page.contains("profiles/usa/"));
    // Every page's menu leads to the corridors.
    assert!(
        site.output("index.html")
            .contains("href=\"corridors/index.html\">Corridors</a>")
    );

    // `corridors` in site.toml caps how many get a page.
    let text = site.read("site.toml").replace(
        "stale_after_years = 5",
        "stale_after_years = 5\ncorridors = 1",
    );
    site.write("site.toml", text);
    site.build();
    assert!(site.out.join("corridors/mex-usa/index.html").exists());
    assert!(!site.out.join("corridors/mex-phl/index.html").exists());
    site.assert_same_as_full();
}

#[test]
fn partnerships_show_both_views_and_one_sided_agreements() {
    let site = Site::fixture("basic");
    let agreement = "\n[[agreements]]\nid = \"mex-phl-2020\"\ntitle = \"Memorandum on labour mobility\"\npartners = [\"MEX\"]\nkind = \"bilateral\"\ntopics = [\"labour\"]\nsigned = 2020\nstatus = \"signed\"\n";
    site.write(
        "profiles/PHL.toml",
        site.read("profiles/PHL.toml") + agreement,
    );
    site.build();
    let page = site.output("partnerships/index.html");
    // Listed by the Philippines only, while Mexico has a profile: one side only.
    let mou = &page[page.find("<h3>Memorandum on labour mobility</h3>").unwrap()..];
    let mou = &mou[..mou.find("</article>").unwrap()];
    assert!(mou.contains("reported by one side only"), "{mou}");
    assert!(page.contains("<h3>Mexico – Philippines</h3>"));
    assert!(page.contains("<h3 id=\"topic-labour\">labour</h3>"));
    // Canada has no profile here: Mexico's agreement with it is not one-sided.
    let sawp = &page[page
        .find("<h3>Seasonal Agricultural Workers Program</h3>")
        .unwrap()..];
    let sawp = &sawp[..sawp.find("</article>").unwrap()];
    assert!(!sawp.contains("one side only"));

    // Mexico lists it too, with another status: both views, side by side.
    let mexican = agreement
        .replace("[\"MEX\"]", "[\"PHL\"]")
        .replace("\"signed\"\n", "\"in_force\"\n");
    site.write(
        "profiles/MEX.toml",
        site.read("profiles/MEX.toml") + &mexican,
    );
    site.build();
    let page = site.output("partnerships/index.html");
    let mou = &page[page.find("<h3>Memorandum on labour mobility</h3>").unwrap()..];
    let mou = &mou[..mou.find("</article>").unwrap()];
    assert!(!mou.contains("one side only"), "{mou}");
    assert!(
        mou.contains(">in force</td>") && mou.contains(">signed</td>"),
        "{mou}"
    );
    site.assert_same_as_full();

    // The regional process pages: members and their key figures, agreements among them.
    let rcp = site.output("rcps/puebla-process/index.html");
    assert!(rcp.contains(">Mexico</a></th>"), "{rcp}");
    assert!(rcp.contains("1.73 M (2024)"), "{rcp}");
    assert!(page.contains("href=\"../rcps/puebla-process/index.html\""));
}

#[test]
fn a_corridor_links_to_the_partnership_between_its_countries() {
    let site = Site::fixture("basic");
    // Canada has no profile; Mexico's SAWP with it still makes the pair's partnership.
    site.build();
    let page = site.output("corridors/can-mex/index.html");
    assert!(
        page.contains("href=\"../../partnerships/index.html#agreement-mex-can-sawp\">Seasonal Agricultural Workers Program</a>"),
        "{page}"
    );
    let partnerships = site.output("partnerships/index.html");
    assert!(partnerships.contains("<article id=\"agreement-mex-can-sawp\""));
}

/// The default theme writes the rows mpgen lays out (`tb.rows_html`); a theme that
/// loops over `tb.series`, `tb.partners` and `tb.age` itself, as the default theme
/// once did, gets every value and the very same page.
#[test]
fn a_theme_that_lays_out_its_own_rows_gets_the_same_page() {
    let loops = [
        (
            "{{ tb.rows_html|safe }}      </tbody>\n    </table>\n    {% elif",
            "{% set has_sex = tb.has_sex %}{% set has_range = tb.has_range %}\n      {% for r in tb.series %}\n        <tr><th scope=\"row\">{{ r.year }}</th><td>{{ r.value }}</td>{% if has_sex %}<td>{{ r.female or \"–\" }}</td><td>{{ r.male or \"–\" }}</td>{% endif %}{% if has_range %}<td>{{ r.low or \"–\" }}</td><td>{{ r.high or \"–\" }}</td>{% endif %}{% if tb.has_flags %}<td>{% if r.estimated %}<abbr class=\"flag\" title=\"{{ t.estimated }}\">e</abbr>{% endif %}{% if r.derived %}<abbr class=\"flag\" title=\"{{ t.derived }}\">d</abbr>{% endif %}</td>{% endif %}</tr>\n      {% endfor %}\n      </tbody>\n    </table>\n    {% elif",
        ),
        (
            "{{ tb.rows_html|safe -}}\n",
            "{% for r in tb.partners %}\n        <tr><th scope=\"row\">{{ r.name }}</th><td>{{ r.value }}</td><td>{{ r.share or \"–\" }}</td></tr>\n      {% endfor %}\n",
        ),
        (
            "{{ tb.rows_html|safe }}      </tbody>",
            "{% for r in tb.age %}\n        <tr><th scope=\"row\">{{ r.group }}</th><td>{{ r.female }}</td><td>{{ r.male }}</td><td>{{ r.total }}</td></tr>\n      {% endfor %}\n      </tbody>",
        ),
    ];
    let (default, themed) = built_with_own_loops("profile.html", &loops);
    for page in [
        "profiles/mex/index.html",
        "fr/profiles/mex/index.html",
        "profiles/phl/index.html",
    ] {
        let (a, b) = (default.output(page), themed.output(page));
        assert!(a.contains("<tbody>\n<tr><th scope=\"row\">"), "{page}");
        assert!(
            a == b,
            "{page} differs when the theme lays out its own rows"
        );
    }
}

/// The same for an indicator's page: its ranking and its tables by region.
#[test]
fn a_theme_that_lays_out_its_own_ranking_gets_the_same_page() {
    let loops = [
        (
            "{{ ranking_html|safe }}",
            "{% for r in ranking %}\n      <tr{% if r.stale %} class=\"stale\"{% endif %}><td class=\"num\">{{ r.rank }}</td><th scope=\"row\"><a href=\"{{ r.url }}\">{{ r.name }}</a></th><td class=\"num\">{{ r.value }}</td><td class=\"num\">{{ r.year }}</td><td>{% if r.flag %}{{ t[r.flag ~ \"_short\"] }}{% endif %}{% if r.stale %}{% if r.flag %}, {% endif %}{{ t.gap_stale }}{% endif %}</td></tr>\n    {% endfor %}\n",
        ),
        (
            "{{ region.rows_html|safe }}",
            "{% for r in region.rows %}\n      <tr><th scope=\"row\"><a href=\"{{ r.url }}\">{{ r.name }}</a></th><td class=\"num\">{{ r.value }}</td><td class=\"num\">{{ r.year }}</td></tr>\n    {% endfor %}\n",
        ),
    ];
    let (default, themed) = built_with_own_loops("indicator.html", &loops);
    let mut compared = 0;
    for entry in std::fs::read_dir(default.out.join("indicators"))
        .unwrap()
        .flatten()
    {
        let page = format!(
            "indicators/{}/index.html",
            entry.file_name().to_string_lossy()
        );
        if !default.out.join(&page).is_file() {
            continue;
        }
        let (a, b) = (default.output(&page), themed.output(&page));
        assert!(
            a == b,
            "{page} differs when the theme lays out its own rows"
        );
        compared += 1;
    }
    assert!(compared > 3);
    let migrant_share = default.output("indicators/migrant_share/index.html");
    assert!(migrant_share.contains("<td class=\"num\">1</td><th scope=\"row\">"));
}

/// The fixture built twice: with the default theme, and with one whose `template` has
/// each `(from, to)` of `loops` replaced (a loop of the theme's own for mpgen's rows).
fn built_with_own_loops(template: &str, loops: &[(&str, &str)]) -> (Site, Site) {
    let theme = mpgen::load::theme::ThemeFiles::embedded();
    let path = format!("templates/{template}");
    let mut own = String::from_utf8(theme.files[&path].bytes.to_vec()).unwrap();
    for (from, to) in loops {
        assert_eq!(own.matches(from).count(), 1, "{from}");
        own = own.replacen(from, to, 1);
    }
    assert!(
        !own.contains("rows_html") && !own.contains("ranking_html"),
        "rows laid out by mpgen are left"
    );
    let default = Site::fixture("basic");
    default.build();
    let themed = Site::fixture("basic");
    themed.write(&format!("themes/default/{path}"), own);
    themed.build();
    (default, themed)
}
