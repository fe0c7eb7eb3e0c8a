//! Texts written from the data: what each section says in each language, that a
//! profile says only what its data allow, and that every figure in them is its
//! table's value as the page formats it.

use proptest::prelude::*;

use crate::harness::Site;
use mpgen::render::numbers::{CompactWords, Numbers};

/// The basic fixture in three languages, with every section of the default site.
fn three_languages() -> Site {
    let site = Site::fixture("basic");
    site.edit("site.toml", "languages = [\"en\", \"fr\"]", "languages = [\"en\", \"fr\", \"es\"]")
        .edit(
            "site.toml",
            "order = [\"trends\", \"impacts\", \"governance\"]",
            "order = [\"trends\", \"labour\", \"impacts\", \"gender\", \"climate\", \"governance\", \"recommendations\"]",
        );
    site
}

/// Each section's text written from the data, as (section, text), figures in brackets.
fn written(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for part in html.split("<section class=\"section\" id=\"").skip(1) {
        let id = part.split('"').next().unwrap_or_default().to_string();
        let section = part.split("</section>").next().unwrap_or_default();
        let Some(start) = section.find("<div class=\"narrative written\">") else {
            continue;
        };
        let body = &section[start..];
        let body = &body[..body.find("</div>").unwrap_or(body.len())];
        out.push((id, plain(body)));
    }
    out
}

/// Text without tags, a figure as `[1.73 M]`.
fn plain(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let tag_end = rest[open..].find('>').map_or(rest.len(), |e| open + e + 1);
        let tag = &rest[open..tag_end];
        if tag.starts_with("<a class=\"figure\"") {
            out.push('[');
        } else if tag == "</a>" {
            out.push(']');
        } else if tag.starts_with("<li") || tag.starts_with("<p") {
            out.push('\n');
        }
        rest = &rest[tag_end..];
    }
    out.push_str(rest);
    out.replace("&#39;", "'")
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
}

/// Every figure of the written texts: (indicator, year, shown).
fn figures(html: &str) -> Vec<(String, i32, String)> {
    let mut out = Vec::new();
    for part in html.split("<div class=\"narrative written\">").skip(1) {
        let block = part.split("</div>").next().unwrap_or_default();
        for a in block.split("<a class=\"figure\" href=\"").skip(1) {
            let href = a.split('"').next().unwrap_or_default();
            let id = href.rsplit("#ind-").next().unwrap_or_default().to_string();
            let title = a.split("title=\"").nth(1).unwrap_or_default();
            let year = title
                .split(" · ")
                .next()
                .and_then(|t| t.rsplit(' ').next())
                .and_then(|y| y.parse().ok())
                .unwrap_or(0);
            let shown = a.split('>').nth(1).unwrap_or_default();
            let shown = shown.split("</a").next().unwrap_or_default().to_string();
            out.push((id, year, shown));
        }
    }
    out
}

#[test]
fn generated_text_of_a_fixture_profile_in_three_languages() {
    let site = three_languages();
    site.build();
    let mut text = String::new();
    for page in [
        "profiles/phl/index.html",
        "fr/profiles/phl/index.html",
        "es/profiles/phl/index.html",
    ] {
        text.push_str(&format!("== {page}\n"));
        for (section, said) in written(&site.output(page)) {
            text.push_str(&format!("-- {section}{said}\n"));
        }
    }
    insta::assert_snapshot!("written_phl", text);
}

#[test]
fn a_profile_with_one_series_says_only_what_its_data_allow() {
    let site = three_languages();
    site.write(
        "profiles/PHL.toml",
        "[country]\niso3 = \"PHL\"\nname = \"Philippines\"\nregion = \"Asia\"\n\n[series.migrant_stock]\nvalues = { 1990 = 134600, 2024 = 87212 }\n",
    );
    site.build();
    let said = written(&site.output("profiles/phl/index.html"));
    let trends = &said.iter().find(|(s, _)| s == "trends").unwrap().1;
    assert!(
        trends.contains("In 2024, [87.2 k] international migrants lived in the Philippines.")
            && trends.contains("Their number has fallen since 1990, when it was [135 k]."),
        "{trends}"
    );
    // The only other words are about the data that are missing: the core indicator
    // of the impacts section, in its section.
    let impacts = &said.iter().find(|(s, _)| s == "impacts").unwrap().1;
    assert!(
        impacts.contains("No figure for personal remittances received is available yet")
            || impacts.contains("No figure for remittances"),
        "{impacts}"
    );
    for (section, text) in &said {
        for absent in [
            "Women",
            "Net migration",
            "remittances received came",
            "agreement",
        ] {
            assert!(!text.contains(absent), "{section} says `{absent}`: {text}");
        }
    }
}

#[test]
fn a_hand_narrative_replaces_the_text_written_from_the_data_in_its_section() {
    let site = three_languages();
    let text = site.read("profiles/PHL.toml");
    site.write(
        "profiles/PHL.toml",
        format!("{text}\n[narrative.trends]\nen = \"The team's own words.\"\n"),
    );
    site.build();
    let page = site.output("profiles/phl/index.html");
    let said = written(&page);
    assert!(said.iter().all(|(s, _)| s != "trends"), "{said:?}");
    assert!(said.iter().any(|(s, _)| s == "impacts"));
    assert!(page.contains("The team&#39;s own words.") || page.contains("The team's own words."));
    // In French, the English narrative is shown (marked), not the French text from data.
    let fr = written(&site.output("fr/profiles/phl/index.html"));
    assert!(fr.iter().all(|(s, _)| s != "trends"));
}

/// A profile of random values for the indicators its text speaks of.
fn profile_text(
    stock: &[(i32, u32, u32)],
    remittances: &[(i32, u64)],
    net: &[(i32, i32)],
) -> String {
    let table = |pairs: Vec<(i32, String)>| {
        let inner: Vec<String> = pairs.iter().map(|(y, v)| format!("{y} = {v}")).collect();
        format!("{{ {} }}", inner.join(", "))
    };
    let mut t = String::from(
        "[country]\niso3 = \"MEX\"\nname = \"Mexico\"\nregion = \"Americas\"\n\n[series.migrant_stock]\n",
    );
    t.push_str(&format!(
        "values = {}\n",
        table(stock.iter().map(|(y, v, _)| (*y, v.to_string())).collect())
    ));
    t.push_str(&format!(
        "female = {}\n",
        table(
            stock
                .iter()
                .map(|(y, v, f)| (*y, (f % (v + 1)).to_string()))
                .collect()
        )
    ));
    t.push_str(&format!(
        "\n[series.remittances_in_usd]\nvalues = {}\n",
        table(
            remittances
                .iter()
                .map(|(y, v)| (*y, v.to_string()))
                .collect()
        )
    ));
    t.push_str(&format!(
        "\n[series.net_migration]\nvalues = {}\n",
        table(net.iter().map(|(y, v)| (*y, v.to_string())).collect())
    ));
    t
}

fn years<T: std::fmt::Debug + Clone>(
    values: impl Strategy<Value = T>,
) -> impl Strategy<Value = Vec<(i32, T)>> {
    proptest::collection::btree_map(1990..2025i32, values, 1..6)
        .prop_map(|m| m.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn every_figure_in_generated_text_is_its_tables_value_as_the_page_formats_it(
        stock in years((0..20_000_000u32, any::<u32>())),
        remittances in years(0..90_000_000_000u64),
        net in years(-900_000..900_000i32),
    ) {
        let stock: Vec<(i32, u32, u32)> = stock.into_iter().map(|(y, (v, f))| (y, v, f)).collect();
        let site = Site::fixture("basic");
        site.write("profiles/MEX.toml", profile_text(&stock, &remittances, &net));
        site.build();
        let num = Numbers::new("en", CompactWords::default());
        let page = site.output("profiles/mex/index.html");
        let shown = figures(&page);
        prop_assert!(!shown.is_empty());
        for (id, year, text) in shown {
            let expected: Vec<String> = match id.as_str() {
                "migrant_stock" => stock
                    .iter()
                    .filter(|(y, _, _)| *y == year)
                    .flat_map(|(_, v, f)| {
                        let f = f % (v + 1);
                        let mut e = vec![num.compact(*v as f64, "persons")];
                        if *v > 0 {
                            e.push(num.compact(100.0 * f as f64 / *v as f64, "percent"));
                        }
                        e
                    })
                    .collect(),
                "remittances_in_usd" => remittances
                    .iter()
                    .filter(|(y, _)| *y == year)
                    .map(|(_, v)| num.compact(*v as f64, "usd"))
                    .collect(),
                "net_migration" => net
                    .iter()
                    .filter(|(y, _)| *y == year)
                    .map(|(_, v)| num.compact(*v as f64, "persons"))
                    .collect(),
                _ => Vec::new(),
            };
            prop_assert!(expected.contains(&text), "{id} {year}: shows {text}, the table has {expected:?}");
        }
    }
}

/// A value edit in one profile re-renders the other profile's page only when it moves
/// that profile's place among all profiles, which its key findings give.
#[test]
fn key_findings_follow_the_ranks_a_value_edit_moves_and_nothing_else() {
    let site = three_languages();
    site.build();
    // PHL has 87,212 migrants in 2024, MEX 1,726,089: a MEX edit that keeps its lead
    // leaves PHL's places as they were.
    site.edit("profiles/MEX.toml", "2024 = 1726089", "2024 = 1726090");
    let report = site.build();
    assert!(
        !report
            .rendered_paths
            .iter()
            .any(|p| p.contains("profiles/phl/")),
        "{:?}",
        report.rendered_paths
    );
    site.assert_same_as_full();
    // Below PHL, MEX moves PHL up to first.
    site.edit("profiles/MEX.toml", "2024 = 1726090", "2024 = 1000");
    let report = site.build();
    assert!(
        report
            .rendered_paths
            .iter()
            .any(|p| p == "profiles/phl/index.html"),
        "{:?}",
        report.rendered_paths
    );
    assert!(
        site.output("profiles/phl/index.html")
            .contains("ranks 1st of 2 profiles")
    );
    site.assert_same_as_full();
}
