//! The schemas of the settings and catalogue files, and of content front matter.

use serde_json::{Value, json};

use super::{
    SLUG, Vocabulary, boolean, closed, described, integer, languages, list, localized, name,
    one_of, sections, source_ids, string, units, url, word, year,
};
use crate::load::{catalogue, config, content};
use crate::model::{hosts, limits, vocab};

pub fn site(v: &Vocabulary) -> Value {
    let language = json!({"type": "string", "pattern": "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"});
    let schema = closed(config::SITE_KEYS, &["title", "base_url"], |key| match key {
        "title" => localized(
            v,
            name("the site's title"),
            "The site's title, once or by language.",
        ),
        "base_url" => url(
            "The address the site is published at, such as `https://example.org/profiles/`; `--base-url` overrides it.",
        ),
        "languages" => json!({
            "type": "array", "items": language, "uniqueItems": true, "minItems": 1,
            "maxItems": limits::MAX_LANGUAGES,
            "description": "The site's languages (`en`, `fr`, `pt-br`): every page exists in each.",
        }),
        "default_language" => described(
            language.clone(),
            "The language of the pages at the root; the others are under `/<lang>/`. One of `languages`.",
        ),
        "theme" => {
            json!({"type": "string", "pattern": super::SLUG, "description": "A folder under `themes/`; the embedded default theme fills in what it lacks. Default: `default`."})
        }
        "allow_raw_html" => {
            boolean("Whether raw HTML in Markdown is kept (default: false, it is dropped).")
        }
        "stale_after_years" => integer(
            0,
            limits::MAX_STALE_AFTER,
            "A core indicator whose latest value is older than `reference_year` minus this is a data gap (default: 5).",
        ),
        "reference_year" => {
            year("The year data gaps are measured from (default: the latest year of any value).")
        }
        "codes" => json!({
            "type": "object", "patternProperties": {"^[A-Z]{3}$": name("the area's name")},
            "additionalProperties": false,
            "description": "Codes that are not ISO 3166-1 alpha-3, with their names: `XKX = \"Kosovo\"`.",
        }),
        "sections" => sections_table(),
        "charts" => charts_table(),
        "corridors" => integer(
            1,
            limits::MAX_CORRIDORS,
            "How many bilateral corridors get a page, largest first (default: 100).",
        ),
        "publish" => described(
            closed(config::PUBLISH_KEYS, &[], |_| {
                word(
                    &hosts::host_ids(),
                    "The static host the site goes to: the build warns when the output passes its limits.",
                )
            }),
            "Where the site is published.",
        ),
        _ => json!({}),
    });
    described(schema, "mpgen's site settings (site.toml).")
}

fn sections_table() -> Value {
    let labels = json!({
        "type": "object",
        "additionalProperties": {"type": "object", "additionalProperties": {"type": "string"}},
        "description": "Section labels by language: `[sections.labels.fr]`, then `migrants = \"Migrants\"`.",
    });
    let schema = closed(config::SECTIONS_KEYS, &[], |key| match key {
        "order" => json!({
            "type": "array", "items": {"type": "string", "pattern": SLUG}, "uniqueItems": true,
            "description": "The sections of a profile page, in order.",
        }),
        "labels" => labels.clone(),
        _ => json!({}),
    });
    described(schema, "The sections of a profile page.")
}

fn charts_table() -> Value {
    let side = |what: &str, default: u32| {
        integer(
            1,
            limits::MAX_CHART_SIDE,
            &format!("The charts' {what} in pixels (default: {default})."),
        )
    };
    let schema = closed(config::CHARTS_KEYS, &[], |key| match key {
        "width" => side("width", 800),
        "height" => side("height", 450),
        "palette" => json!({
            "type": "array", "items": {"type": "string", "pattern": "^#[0-9A-Fa-f]{6}$"}, "minItems": 1,
            "description": "The charts' colours, `#RRGGBB` (default: Okabe and Ito's colour-blind-safe palette).",
        }),
        "formats" => list(
            word(vocab::CHART_FORMATS, "a chart format"),
            "The files each chart is written as (default: svg and png).",
        ),
        "png_scale" => json!({
            "type": "number", "minimum": 0, "maximum": limits::MAX_PNG_SCALE,
            "description": "How many times the web size a PNG is drawn, above 0 and at most 8 (default: 2).",
        }),
        "top_partners" => integer(
            1,
            limits::MAX_TOP_PARTNERS,
            "How many partners a partners chart shows (default: 10).",
        ),
        _ => json!({}),
    });
    described(schema, "How charts are drawn.")
}

pub fn indicators(v: &Vocabulary) -> Value {
    let series: Vec<(String, String)> = v
        .indicators_of("series")
        .map(|i| (i.id.clone(), super::indicator_doc(v, i)))
        .collect();
    let operand = one_of(&series, "a series indicator");
    let derive = closed(catalogue::DERIVE_KEYS, &[], |key| match key {
        "ratio" => {
            json!({"type": "array", "items": operand, "minItems": 2, "maxItems": 2, "description": "`[numerator, denominator]`: series indicators."})
        }
        "sum" => {
            json!({"type": "array", "items": operand, "minItems": 1, "uniqueItems": true, "description": "The series indicators added up."})
        }
        "scale" => {
            json!({"type": "number", "description": "What a ratio is multiplied by: 100 for a percentage."})
        }
        _ => json!({}),
    });
    let mut derive = described(
        derive,
        "How mpgen works the indicator out from others: `{ ratio = [a, b], scale = 100 }` or `{ sum = [a, b] }`.",
    );
    derive["oneOf"] = json!([{"required": ["ratio"]}, {"required": ["sum"]}]);
    let indicator = closed(
        catalogue::INDICATOR_KEYS,
        &["kind", "unit", "section", "label"],
        |key| match key {
            "kind" => word(
                vocab::INDICATOR_KINDS,
                "`series` (values by year), `partners` (values by country, one year) or `age_sex` (a population pyramid).",
            ),
            "unit" => one_of(&units(), "The indicator's unit."),
            "signed" => boolean("Whether values may be negative (net migration)."),
            "section" => sections(
                v,
                "The section of a profile page the indicator is shown in.",
            ),
            "chart" => word(
                vocab::CHART_KINDS,
                "How it is drawn (default: line for series, bar for partners, pyramid for age_sex).",
            ),
            "core" => boolean("Whether a profile without recent values of it has a data gap."),
            "label" => localized(
                v,
                name("the label"),
                "The indicator's name on pages and charts, once or by language.",
            ),
            "definition" => localized(
                v,
                string("the definition"),
                "What the indicator measures, shown under its table.",
            ),
            "default_source" => source_ids(v, "The source of a profile's table that names none."),
            "derive" => derive.clone(),
            "wdi_code" => string("The World Bank code `mpgen import` maps to this indicator."),
            "import_codes" => list(
                string("a code"),
                "Other codes `mpgen import` maps to this indicator, such as `undesa:immigrants`.",
            ),
            "flow" => word(
                vocab::FLOWS,
                "For a partners indicator: `in` for immigrants by origin, `out` for emigrants by destination.",
            ),
            _ => json!({}),
        },
    );
    let indicator = described(
        indicator,
        "An indicator: the table name is its id, in lower snake case.",
    );
    described(
        json!({"type": "object", "patternProperties": {"^[a-z][a-z0-9_]{0,63}$": indicator}, "additionalProperties": false}),
        "mpgen's indicator catalogue (indicators.toml): one table per indicator.",
    )
}

/// A source, as in sources.toml and a profile's `[sources.<id>]`.
pub fn source_table() -> Value {
    let schema = closed(catalogue::SOURCE_KEYS, &["title"], |key| match key {
        "title" => name("The source's title, such as `International Migrant Stock 2024`."),
        "publisher" => string("Who published it."),
        "url" => url("Where it is, `https://...`."),
        "year" => year("The year it was published."),
        "edition" => string("Which release the figures come from (shown in source notes)."),
        "note" => string("A note on the source."),
        _ => json!({}),
    });
    described(
        schema,
        "A source: the table name is its id, lower case with `-` or `_`.",
    )
}

pub fn sources(_: &Vocabulary) -> Value {
    described(
        json!({"type": "object", "patternProperties": {SLUG: source_table()}, "additionalProperties": false}),
        "Sources cited by many profiles (sources.toml).",
    )
}

pub fn rcps(v: &Vocabulary) -> Value {
    let rcp = closed(catalogue::RCP_KEYS, &["name", "kind"], |key| match key {
        "name" => localized(
            v,
            name("the name"),
            "The process's name, once or by language.",
        ),
        "kind" => word(
            vocab::RCP_KINDS,
            "`rcp` (a regional consultative process) or `interregional` (an inter-regional forum).",
        ),
        "founded" => year("The year it was founded."),
        "url" => url("Its web site."),
        _ => json!({}),
    });
    described(
        json!({"type": "object", "patternProperties": {SLUG: described(rcp, "A regional consultative process: the table name is its id.")}, "additionalProperties": false}),
        "Regional consultative processes and inter-regional fora (rcps.toml).",
    )
}

/// Front matter: mapped by no config (it is inside Markdown files), but `mpgen lsp`
/// and other tools can use it.
pub fn front_matter(v: &Vocabulary) -> Value {
    let templates: Vec<&str> = v.templates.iter().map(String::as_str).collect();
    let schema = closed(content::FRONT_MATTER_KEYS, &["title"], |key| match key {
        "title" => name("The page's title."),
        "description" => {
            string("The page's description, for its meta description and its folder's list.")
        }
        "template" => word(&templates, "A template of the theme (default: page.html)."),
        "weight" => {
            json!({"type": "integer", "description": "The page's place in the navigation: lighter first."})
        }
        "lang" => languages(
            v,
            "The page's language, when the file name does not give it (`about.fr.md`).",
        ),
        "draft" => boolean("A draft is built only with `--drafts`."),
        _ => json!({}),
    });
    described(
        schema,
        "A content page's front matter, between `+++` lines.",
    )
}
