//! Calls in texts (`value`, `latest`, `total`, `ranking`, `map`, `agreements`, `rcps`):
//! the figures they show, in each language, the warnings for figures that are missing,
//! and the exactness of rebuilds of the pages that make them.

use crate::harness::Site;
use mpgen::diagnostics::render_human;

fn article(page: &str) -> &str {
    let start = page.find("<article").expect("an article");
    let end = page.find("</article>").expect("its end");
    &page[start..end]
}

#[test]
fn figures_are_formatted_linked_and_cite_their_source() {
    let site = Site::fixture("basic");
    site.build();
    let people = site.output("themes/people/index.html");
    let a = article(&people);
    // Latest: compact, with its year, linked to the profile's table, source in the title.
    assert!(
        a.contains("<a class=\"figure\" href=\"../../profiles/mex/index.html#ind-migrant_stock\" title=\"Mexico 2024 · International Migrant Stock 2024, 2024 revision\">1.73 M</a> (2024)"),
        "{a}"
    );
    // A value of a given year in full; the female share as a percentage.
    assert!(a.contains(">1,335,154</a> in 2020"), "{a}");
    // 816,339 of 1,726,089.
    assert!(a.contains(">47.3 %</a> (2024)"), "{a}");
    // The ranking: Mexico (1,726,089) before the Philippines (87,212).
    let mex = a
        .find(">Mexico</a></td><td>1,726,089</td><td>2024</td>")
        .expect("Mexico ranked");
    let phl = a
        .find(">Philippines</a></td><td>87,212</td><td>2024</td>")
        .expect("Philippines ranked");
    assert!(mex < phl);
    assert!(a.contains("the first 2 of 2 profiles with data"), "{a}");
    // The map: the page shows the world map's SVG file, which the build wrote.
    assert!(a.contains("<figure class=\"chart-figure map-figure\"><div class=\"chart\"><object class=\"chart-object\" data=\"../../charts/world/migrant_stock.svg\""), "{a}");
    assert!(
        site.output("charts/world/migrant_stock.svg")
            .contains("<svg")
    );
    // A call in a code span is text.
    assert!(
        a.contains("<code>{{ latest(&quot;MEX&quot;, &quot;migrant_stock&quot;) }}</code>"),
        "{a}"
    );
    assert!(!a.contains('\u{E000}'), "no token is left behind");

    let money = site.output("themes/money/index.html");
    let a = article(&money);
    // 67,637,913,797 + 40,279,405,932, both for 2024.
    assert!(a.contains(">US$ 107,917,319,729</a> (2024)"), "{a}");
    assert!(
        a.contains("title=\"Sum of the values of 2 countries and areas for 2024\""),
        "{a}"
    );
    // Ascending: the Philippines first.
    assert!(a.find(">Philippines</a>").unwrap() < a.find(">Mexico</a>").unwrap());
    // Agreements by topic, then on one topic, linked to the partnerships page.
    assert!(
        a.contains(
            "<a href=\"../../partnerships/index.html#topic-labour\">labour</a></td><td>1</td>"
        ),
        "{a}"
    );
    assert!(a.contains("<a href=\"../../partnerships/index.html#agreement-mex-can-sawp\">Seasonal Agricultural Workers Program</a> (Canada, Mexico, 1974)"), "{a}");
    assert!(a.contains("<a href=\"../../rcps/puebla-process/index.html\">Regional Conference on Migration (Puebla Process)</a> (1 profiles)"), "{a}");
    // The anchors the links point at exist.
    let partnerships = site.output("partnerships/index.html");
    assert!(partnerships.contains("id=\"topic-labour\""));
    assert!(partnerships.contains("id=\"agreement-mex-can-sawp\""));
}

#[test]
fn figures_follow_the_page_language() {
    let site = Site::fixture("basic");
    site.build();
    let fr = site.output("fr/themes/people/index.html");
    let a = article(&fr);
    // The text is English (no French version), its numbers French, its links French.
    assert!(a.starts_with("<article lang=\"en\" dir=\"ltr\">"), "{a}");
    assert!(
        a.contains(
            "href=\"../../../fr/profiles/mex/index.html#ind-migrant_stock\" title=\"Mexique 2024"
        ),
        "{a}"
    );
    assert!(a.contains(">1,73 M</a> (2024)"), "{a}");
    assert!(a.contains(">1\u{202f}335\u{202f}154</a>"), "{a}");
    assert!(
        a.contains(">Mexique</a></td><td>1\u{202f}726\u{202f}089</td>"),
        "{a}"
    );
}

#[test]
fn a_section_page_lists_its_pages_and_they_are_not_in_the_menu() {
    let site = Site::fixture("basic");
    site.build();
    let themes = site.output("themes/index.html");
    assert!(
        themes.contains(
            "<li><a href=\"../themes/people/index.html\">People</a>: Migrant stocks.</li>"
        ),
        "{themes}"
    );
    assert!(themes.contains(
        "<li><a href=\"../themes/money/index.html\">Money</a>: Remittances and agreements.</li>"
    ));
    let nav = &themes[themes.find("<nav").unwrap()..themes.find("</nav>").unwrap()];
    assert!(nav.contains(">Themes</a>"), "{nav}");
    assert!(!nav.contains(">People</a>"), "{nav}");
    let people = site.output("themes/people/index.html");
    assert!(
        people
            .contains("<p class=\"breadcrumb\"><a href=\"../../themes/index.html\">Themes</a></p>")
    );
}

#[test]
fn a_narrative_reads_its_own_profile() {
    let site = Site::fixture("basic");
    site.edit(
        "profiles/MEX.toml",
        "en = \"Immigration to Mexico **more than doubled** between 1990 and 2024.\"",
        "en = \"Immigration reached {{ latest(\\\"migrant_stock\\\") }}; in 2020, {{ value(\\\"migrant_stock\\\", 2020) }}.\"",
    );
    site.build();
    let page = site.output("profiles/mex/index.html");
    // On the profile's own page, a figure links to its table by anchor alone.
    assert!(
        page.contains("Immigration reached <a class=\"figure\" href=\"#ind-migrant_stock\""),
        "{page}"
    );
    assert!(
        page.contains(">1.73 M</a> (2024); in 2020, <a class=\"figure\""),
        "{page}"
    );
}

#[test]
fn a_missing_figure_warns_with_its_line_and_shows_a_dash() {
    let site = Site::fixture("basic");
    site.write(
        "profiles/PHL.toml",
        site.read("profiles/PHL.toml")
            + "\n[narrative.trends]\nen = \"\"\"\nRemittances: {{ latest(\"net_migration\") }}.\n\"\"\"\n",
    );
    let checked = site.check();
    let text = render_human(&checked.diags, &checked.texts, false);
    assert!(!checked.has_errors(), "{text}");
    assert!(
        text.contains("warning: `PHL` has no `net_migration` value; the page shows “–”"),
        "{text}"
    );
    // The line of the call in the profile's file, and the call underlined.
    let line = site
        .read("profiles/PHL.toml")
        .lines()
        .position(|l| l.starts_with("Remittances: "))
        .unwrap()
        + 1;
    assert!(
        text.contains(&format!("--> profiles/PHL.toml:{line}:14")),
        "{text}"
    );
    site.build();
    let page = site.output("profiles/phl/index.html");
    assert!(
        page.contains("Remittances: <span class=\"figure missing\" title=\"No data\">–</span>."),
        "{page}"
    );
}

#[test]
fn an_edit_rerenders_exactly_the_texts_that_show_it() {
    let site = Site::fixture("basic");
    site.build();

    // Mexico's remittances: the money page, not the people page.
    site.edit(
        "profiles/MEX.toml",
        "2024 = 67637913797",
        "2024 = 67637913798",
    );
    let report = site.build();
    let rendered = |p: &str| report.rendered_paths.iter().any(|r| r == p);
    assert!(rendered("themes/money/index.html"));
    assert!(rendered("fr/themes/money/index.html"));
    assert!(!rendered("themes/people/index.html"));
    assert!(!rendered("themes/index.html"));
    // The about page draws Mexico's migrant stock, not its remittances.
    assert!(!rendered("about/index.html"));
    site.assert_same_as_full();

    // The Philippines' stock: the people page ranks it; the money page does not show it.
    site.edit("profiles/PHL.toml", "2024 = 87212", "2024 = 87213");
    let report = site.build();
    let rendered = |p: &str| report.rendered_paths.iter().any(|r| r == p);
    assert!(rendered("themes/people/index.html"));
    assert!(!rendered("themes/money/index.html"));
    site.assert_same_as_full();

    // An agreement: the money page lists them.
    site.edit("profiles/MEX.toml", "signed = 1974", "signed = 1975");
    let report = site.build();
    let rendered = |p: &str| report.rendered_paths.iter().any(|r| r == p);
    assert!(rendered("themes/money/index.html"));
    assert!(!rendered("themes/people/index.html"));
    site.assert_same_as_full();
}
