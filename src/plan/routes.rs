//! Where every output lives: its path in the output folder, and the links between
//! pages. Links are relative (`../../profiles/mex/index.html`) so the site works from
//! any sub-path of any static host and when opened from `file://`.

use crate::model::Config;

/// `""` for the default language, `fr/` for the others.
pub fn lang_prefix(config: &Config, lang: &str) -> String {
    if lang == config.default_language {
        String::new()
    } else {
        format!("{lang}/")
    }
}

pub fn home(config: &Config, lang: &str) -> String {
    format!("{}index.html", lang_prefix(config, lang))
}

pub fn profile(config: &Config, lang: &str, iso3: &str) -> String {
    format!(
        "{}profiles/{}/index.html",
        lang_prefix(config, lang),
        iso3.to_ascii_lowercase()
    )
}

pub fn content(config: &Config, lang: &str, stem: &str) -> String {
    format!("{}{stem}/index.html", lang_prefix(config, lang))
}

/// The list of indicators.
pub fn indicators(config: &Config, lang: &str) -> String {
    format!("{}indicators/index.html", lang_prefix(config, lang))
}

/// One indicator across every profile (ids are lower snake case, safe in a path).
pub fn indicator(config: &Config, lang: &str, id: &str) -> String {
    format!("{}indicators/{id}/index.html", lang_prefix(config, lang))
}

/// The list of corridors.
pub fn corridors(config: &Config, lang: &str) -> String {
    format!("{}corridors/index.html", lang_prefix(config, lang))
}

/// One corridor: `slug` is its two codes in lower case, `mex-usa`.
pub fn corridor(config: &Config, lang: &str, slug: &str) -> String {
    format!("{}corridors/{slug}/index.html", lang_prefix(config, lang))
}

pub fn partnerships(config: &Config, lang: &str) -> String {
    format!("{}partnerships/index.html", lang_prefix(config, lang))
}

/// A regional consultative process (ids are lower case slugs, safe in a path).
pub fn rcp(config: &Config, lang: &str, id: &str) -> String {
    format!("{}rcps/{id}/index.html", lang_prefix(config, lang))
}

/// The search index of a language: a script (not JSON) so that it loads from `file://`.
pub fn search_index(config: &Config, lang: &str) -> String {
    format!("{}search-index.js", lang_prefix(config, lang))
}

pub fn data_gaps(config: &Config, lang: &str) -> String {
    format!("{}data-gaps/index.html", lang_prefix(config, lang))
}

pub fn not_found(config: &Config, lang: &str) -> String {
    format!("{}404.html", lang_prefix(config, lang))
}

pub fn profile_data(iso3: &str, ext: &str) -> String {
    format!("data/{}.{ext}", iso3.to_ascii_lowercase())
}

pub const ALL_CSV: &str = "data/all.csv";

/// A chart file in a language: `fr/charts/mex/migrant_stock.svg`.
pub fn chart(config: &Config, lang: &str, iso3: &str, id: &str, ext: &str) -> String {
    format!(
        "{}charts/{}/{id}.{ext}",
        lang_prefix(config, lang),
        iso3.to_ascii_lowercase()
    )
}

/// A chart's plotted values, language-neutral: `charts/mex/migrant_stock.csv`.
pub fn chart_csv(iso3: &str, id: &str) -> String {
    format!("charts/{}/{id}.csv", iso3.to_ascii_lowercase())
}

/// A world map of an indicator: `fr/charts/world/migrant_share.svg`. Profile codes have
/// three letters, so `world` never collides with one.
pub fn world_map(config: &Config, lang: &str, indicator: &str, ext: &str) -> String {
    format!(
        "{}charts/world/{indicator}.{ext}",
        lang_prefix(config, lang)
    )
}

/// The bars of an indicator page's largest values: `fr/charts/ranking/migrant_share.svg`.
pub fn ranking(config: &Config, lang: &str, indicator: &str) -> String {
    format!(
        "{}charts/ranking/{indicator}.svg",
        lang_prefix(config, lang)
    )
}

/// The bare page of a profile's charts, for an `<iframe>`; one chart's address is this
/// with the chart's id as the fragment (`embed/mex/#migrant_stock`), and the page
/// shows that chart alone.
pub fn embed(config: &Config, lang: &str, iso3: &str) -> String {
    format!(
        "{}embed/{}/index.html",
        lang_prefix(config, lang),
        iso3.to_ascii_lowercase()
    )
}

/// The relative prefix from a page to the output root: `../../` for `fr/about/index.html`.
pub fn root_of(from: &str) -> String {
    "../".repeat(from.matches('/').count())
}

/// A relative link from one output path to another.
pub fn link(from: &str, to: &str) -> String {
    format!("{}{to}", root_of(from))
}

/// The public URL of an output: `base_url` plus the path, with `index.html` dropped.
pub fn absolute(config: &Config, path: &str) -> String {
    format!(
        "{}{}",
        config.base_url,
        path.strip_suffix("index.html").unwrap_or(path)
    )
}

/// The path part of `base_url` (`/profiles/`): 404 pages are served at any depth, so
/// their links must start from the site's root rather than from the page.
pub fn base_path(config: &Config) -> String {
    url_path(&config.base_url)
}

/// The path of a URL, ending with `/`: `https://example.org/mp?x` gives `/mp/`.
pub fn url_path(url: &str) -> String {
    let after_scheme = url.split("://").nth(1).unwrap_or("");
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    let path = path.split(['?', '#']).next().unwrap_or("/");
    if path.ends_with('/') {
        path.to_string()
    } else {
        format!("{path}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_relative() {
        assert_eq!(
            link("index.html", "profiles/mex/index.html"),
            "profiles/mex/index.html"
        );
        assert_eq!(
            link("fr/profiles/mex/index.html", "style.css"),
            "../../../style.css"
        );
    }

    #[test]
    fn url_paths_end_with_a_slash() {
        for (url, path) in [
            ("https://example.org/", "/"),
            ("https://example.org", "/"),
            ("https://example.org/mp", "/mp/"),
            ("https://example.org/a/b/?q=1#x", "/a/b/"),
            ("", "/"),
        ] {
            assert_eq!(url_path(url), path, "{url}");
        }
    }
}
