//! The schema of `profiles/<ISO3>.toml`: its tables keyed by the site's indicators,
//! sources, RCPs, sections and the world's country codes.

use serde_json::{Map, Value, json};

use super::{
    SLUG, Vocabulary, YEAR_KEY, boolean, closed, described, indicator_doc, list, localized, name,
    one_of, sections, source_ids, string, url, value, word, year,
};
use crate::load::profile as keys;
use crate::model::{Indicator, limits, vocab};

/// Where the country codes are defined once, with their names: ~250 codes, used by
/// `iso3`, agreements and every partners table.
const CODES: &str = "#/definitions/country_code";

pub fn profile(v: &Vocabulary) -> Value {
    let codes = json!({"$ref": CODES});
    let schema = closed(keys::TOP_KEYS, &["country"], |key| match key {
        "country" => country(v, &codes),
        "sources" => described(
            json!({"type": "object", "patternProperties": {SLUG: super::files::source_table()}, "additionalProperties": false}),
            "This profile's own sources, beside those of sources.toml: `[sources.<id>]`.",
        ),
        "series" => by_indicator(
            v,
            "series",
            |i| series(v, i),
            "Values by year: `[series.<indicator>]`.",
        ),
        "partners" => by_indicator(
            v,
            "partners",
            |i| partners(v, i),
            "Values by country for one year: `[partners.<indicator>]`.",
        ),
        "age_sex" => by_indicator(
            v,
            "age_sex",
            |i| age_sex(v, i),
            "A population by age group and sex: `[age_sex.<indicator>]`.",
        ),
        "agreements" => {
            json!({"type": "array", "items": agreement(&codes), "description": "Agreements the country is party to: `[[agreements]]`."})
        }
        "policies" => {
            json!({"type": "array", "items": policy(), "description": "Laws, strategies, programmes and institutions: `[[policies]]`."})
        }
        "climate" => described(
            closed(keys::CLIMATE_KEYS, &[], |key| match key {
                "napa" => {
                    boolean("Whether the country has a National Adaptation Programme of Action.")
                }
                "napa_mentions_migration" => boolean("Whether it mentions migration."),
                "notes" => string("Notes on climate and displacement, in Markdown."),
                _ => json!({}),
            }),
            "Climate change and displacement.",
        ),
        "gaps" => described(
            closed(keys::GAPS_KEYS, &[], |_| {
                string("Notes on what data is missing, in Markdown.")
            }),
            "Data gaps, besides those mpgen finds.",
        ),
        "narrative" => narrative(v),
        "charts" => json!({
            "type": "array", "items": chart(v), "maxItems": limits::MAX_CHARTS,
            "description": "Charts of several series, besides each indicator's own: `[[charts]]`.",
        }),
        _ => json!({}),
    });
    let mut schema = described(
        schema,
        "A Migration Profile: one country's file in `profiles/`.",
    );
    schema["definitions"] = definitions(v);
    schema
}

/// The country codes, and a partners table's values by code for each kind of bound
/// (signed or not, a percentage or not): a fixed size, however many indicators.
fn definitions(v: &Vocabulary) -> Value {
    let codes = v.country_codes();
    let mut defs = Map::new();
    defs.insert(
        "country_code".into(),
        one_of(
            &codes,
            "An ISO 3166-1 alpha-3 code in capitals, or a code of `[codes]` in site.toml.",
        ),
    );
    for ind in v.indicators_of("partners") {
        defs.entry(partner_values(ind)).or_insert_with(|| {
            let by_code: Map<String, Value> = codes
                .iter()
                .map(|(code, name)| (code.clone(), described(value(ind), name.clone())))
                .collect();
            json!({
                "type": "object", "properties": by_code, "additionalProperties": false,
                "description": "The value for each partner country, by its code: `USA = 10900000`.",
            })
        });
    }
    Value::Object(defs)
}

/// The name of the definition of a partners table's values.
fn partner_values(ind: &Indicator) -> String {
    let sign = if ind.signed { "signed" } else { "unsigned" };
    let scale = if ind.unit == "percent" {
        "_percent"
    } else {
        ""
    };
    format!("partner_values_{sign}{scale}")
}

fn country(v: &Vocabulary, codes: &Value) -> Value {
    let words = |set: &std::collections::BTreeSet<String>| -> Vec<(String, String)> {
        set.iter().map(|r| (r.clone(), String::new())).collect()
    };
    let schema = closed(
        keys::COUNTRY_KEYS,
        &["iso3", "name", "region"],
        |key| match key {
            "iso3" => described(
                codes.clone(),
                "The country's code: the file name without `.toml`.",
            ),
            "name" => localized(
                v,
                name("the country's name"),
                "The country's name, once or by language.",
            ),
            "region" => one_of(
                &words(&v.regions),
                "The UN region (or one the site's profiles name).",
            ),
            "subregion" => one_of(
                &words(&v.subregions),
                "The UN subregion (or one the site's profiles name).",
            ),
            "roles" => list(
                word(vocab::ROLES, "a role"),
                "Whether it is a country of origin, transit or destination.",
            ),
            "updated" => {
                json!({"type": "string", "format": "date", "description": "When the profile was last updated: a TOML date such as 2025-06-30."})
            }
            "maintainer" => string("Who keeps the profile."),
            "rcps" => list(
                rcp_ids(v),
                "The regional consultative processes the country takes part in.",
            ),
            "summary" => string("A summary at the top of the profile, in Markdown."),
            _ => json!({}),
        },
    );
    described(schema, "The country the profile is about.")
}

fn rcp_ids(v: &Vocabulary) -> Value {
    let lang = v.lang();
    let values: Vec<(String, String)> = v
        .rcps
        .values()
        .map(|r| (r.id.clone(), r.name.get(lang, lang).to_string()))
        .collect();
    one_of(&values, "An id of rcps.toml.")
}

/// `[series]`, `[partners]` or `[age_sex]`: one table per indicator of that kind.
fn by_indicator(
    v: &Vocabulary,
    kind: &str,
    table: impl Fn(&Indicator) -> Value,
    text: &str,
) -> Value {
    let properties: Map<String, Value> = v
        .indicators_of(kind)
        .map(|i| (i.id.clone(), described(table(i), indicator_doc(v, i))))
        .collect();
    json!({"type": "object", "properties": properties, "additionalProperties": false, "description": text})
}

/// What every data table may say of itself besides its values.
fn meta(v: &Vocabulary, key: &str) -> Value {
    match key {
        "source" => source_ids(
            v,
            "The source of these figures (default: the indicator's `default_source`).",
        ),
        "note" => string("A note shown under the table."),
        "method" => string("How the figures were made."),
        _ => json!({}),
    }
}

fn by_year(ind: &Indicator, text: &str) -> Value {
    json!({
        "type": "object", "patternProperties": {YEAR_KEY: value(ind)}, "additionalProperties": false,
        "description": format!("{text}, by year: `{{ 2020 = 1000, 2024 = 1200 }}`."),
    })
}

fn series(v: &Vocabulary, ind: &Indicator) -> Value {
    closed(keys::SERIES_KEYS, &["values"], |key| match key {
        "values" => by_year(ind, "The values"),
        "female" => by_year(ind, "The female part of each year's value"),
        "male" => by_year(ind, "The male part of each year's value"),
        "low" => by_year(ind, "The low end of each year's range"),
        "high" => by_year(ind, "The high end of each year's range"),
        "estimated" => list(year("a year"), "The years whose figures are estimates."),
        other => meta(v, other),
    })
}

fn partners(v: &Vocabulary, ind: &Indicator) -> Value {
    closed(keys::PARTNERS_KEYS, &["year", "values"], |key| match key {
        "year" => year("The year of the values."),
        "values" => json!({"$ref": format!("#/definitions/{}", partner_values(ind))}),
        "other" => described(value(ind), "The rest of the world."),
        other => meta(v, other),
    })
}

fn age_sex(v: &Vocabulary, ind: &Indicator) -> Value {
    let numbers = |text: &str| json!({"type": "array", "items": value(ind), "description": text});
    closed(
        keys::AGE_SEX_KEYS,
        &["year", "groups", "female", "male"],
        |key| match key {
            "year" => year("The year of the figures."),
            "groups" => list(
                string("an age group"),
                "The age groups, youngest first: `[\"0-4\", \"5-9\", ...]`.",
            ),
            "female" => numbers("The women in each group, in the order of `groups`."),
            "male" => numbers("The men in each group, in the order of `groups`."),
            other => meta(v, other),
        },
    )
}

fn topics() -> Value {
    list(word(vocab::TOPICS, "a topic"), "What it is about.")
}

fn agreement(codes: &Value) -> Value {
    let mut schema = closed(keys::AGREEMENT_KEYS, &["title", "kind"], |key| match key {
        "id" => {
            json!({"type": "string", "pattern": SLUG, "description": "An id both parties' profiles give, so the two entries are known as one agreement."})
        }
        "title" => name("The agreement's title."),
        "partners" => list(codes.clone(), "The other countries party to it, by code."),
        "parties" => list(
            string("an organisation"),
            "The organisations party to it, by name (for a regional or multilateral agreement).",
        ),
        "kind" => word(vocab::AGREEMENT_KINDS, "What kind of agreement it is."),
        "topics" => topics(),
        "signed" => year("The year it was signed."),
        "status" => word(vocab::AGREEMENT_STATUS, "Where it stands."),
        "url" => url("Where its text is."),
        "summary" => string("What it does, in Markdown."),
        _ => json!({}),
    });
    schema["anyOf"] = json!([{"required": ["partners"]}, {"required": ["parties"]}]);
    described(
        schema,
        "An agreement: `partners` (countries) or `parties` (organisations) are required.",
    )
}

fn policy() -> Value {
    let schema = closed(keys::POLICY_KEYS, &["title", "kind"], |key| match key {
        "title" => name("The policy's title."),
        "year" => year("The year it was adopted."),
        "kind" => word(vocab::POLICY_KINDS, "What kind of policy it is."),
        "topics" => topics(),
        "url" => url("Where it is."),
        "summary" => string("What it does, in Markdown."),
        _ => json!({}),
    });
    described(schema, "A law, strategy, programme or institution.")
}

fn narrative(v: &Vocabulary) -> Value {
    let lang = v.lang().to_string();
    let by_section: Map<String, Value> = v
        .config
        .sections
        .iter()
        .map(|s| {
            let label = v.config.section_label(&lang, s);
            let by_lang = super::by_language(v, &string("the text"));
            (s.clone(), described(by_lang, format!("The text of the section “{label}”, one Markdown text per language: `en = \"\"\"...\"\"\"`.")))
        })
        .collect();
    json!({
        "type": "object", "properties": by_section, "additionalProperties": false,
        "description": "Texts written by hand, by section of site.toml: `[narrative.<section>]`.",
    })
}

fn chart(v: &Vocabulary) -> Value {
    let series: Vec<(String, String)> = v
        .indicators_of("series")
        .map(|i| (i.id.clone(), indicator_doc(v, i)))
        .collect();
    let schema = closed(
        keys::CHART_KEYS,
        &["id", "kind", "series"],
        |key| match key {
            "id" => {
                json!({"type": "string", "pattern": SLUG, "description": "The chart's id, used in its file names and in `chart()` calls."})
            }
            "kind" => word(
                vocab::CHART_KINDS,
                "How it is drawn; `area` with several series stacks them.",
            ),
            "series" => {
                json!({"type": "array", "items": one_of(&series, "a series indicator"), "minItems": 1, "uniqueItems": true, "description": "The series drawn, all in one unit."})
            }
            "title" => localized(
                v,
                name("the title"),
                "The chart's title, once or by language.",
            ),
            "section" => sections(v, "The section it is shown in."),
            _ => json!({}),
        },
    );
    described(schema, "A chart of several series.")
}
