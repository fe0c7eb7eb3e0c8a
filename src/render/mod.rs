//! RENDER: the bytes of one output, as a pure function of the site, the theme and the
//! output's job. No I/O; outputs are rendered in parallel by the pipeline, and order or
//! thread count never changes a byte.

pub mod context;
pub mod data;
pub mod markdown;
pub mod numbers;
pub mod templates;

use std::collections::BTreeMap;

use minijinja::Value;
use minijinja::value::Serde;

use crate::error::{Error, Result};
use crate::model::Site;
use crate::plan::{Job, Output};
use context::Env;
use numbers::{CompactWords, Numbers};
use templates::Theme;

pub struct Renderer<'a> {
    pub site: &'a Site,
    pub theme: &'a Theme,
    numbers: BTreeMap<String, Numbers>,
    /// Each profile's CSV lines, made at most once a build: its own CSV and `all.csv`
    /// both need them.
    csv_bodies: BTreeMap<&'a str, std::sync::OnceLock<Vec<u8>>>,
}

impl<'a> Renderer<'a> {
    pub fn new(site: &'a Site, theme: &'a Theme) -> Self {
        let numbers = site
            .config
            .languages
            .iter()
            .map(|lang| {
                let s = theme.strings.get(lang);
                let word = |key: &str, default: &str| {
                    s.and_then(|m| m.get(key))
                        .cloned()
                        .unwrap_or_else(|| default.to_string())
                };
                let words = CompactWords {
                    thousand: word("number_thousand", "k"),
                    million: word("number_million", "M"),
                    billion: word("number_billion", "bn"),
                    usd: word("number_usd", "US$ {n}"),
                    percent: word("number_percent", "{n} %"),
                    per_1000: word("number_per_1000", "{n} ‰"),
                };
                (lang.clone(), Numbers::new(lang, words))
            })
            .collect();
        Renderer {
            site,
            theme,
            numbers,
            csv_bodies: site
                .profiles
                .keys()
                .map(|k| (k.as_str(), std::sync::OnceLock::new()))
                .collect(),
        }
    }

    fn env(&self) -> Env<'_> {
        Env {
            site: self.site,
            numbers: &self.numbers,
        }
    }

    fn page<T: serde::Serialize>(
        &self,
        output: &Output,
        template: &str,
        lang: &str,
        view: &T,
    ) -> Result<Vec<u8>> {
        let strings = self.theme.strings.get(lang).cloned().unwrap_or_default();
        let ctx = minijinja::context! {
            t => Value::from(Serde(&*strings)),
            ..Value::from(Serde(view))
        };
        let tmpl = self
            .theme
            .env
            .get_template(template)
            .map_err(|source| Error::Template {
                output: output.path.clone(),
                source,
            })?;
        let mut html = tmpl.render(ctx).map_err(|source| Error::Template {
            output: output.path.clone(),
            source,
        })?;
        if !html.ends_with('\n') {
            html.push('\n');
        }
        Ok(html.into_bytes())
    }

    fn csv_body(&self, iso3: &str) -> Result<&[u8]> {
        let cell = self
            .csv_bodies
            .get(iso3)
            .ok_or_else(|| Error::Output(format!("no profile {iso3}")))?;
        let profile = self
            .site
            .profiles
            .get(iso3)
            .ok_or_else(|| Error::Output(format!("no profile {iso3}")))?;
        Ok(cell.get_or_init(|| data::csv_body(self.site, profile)))
    }

    pub fn render(&self, output: &Output) -> Result<Vec<u8>> {
        let env = self.env();
        let site = self.site;
        let profile = |iso3: &str| {
            site.profiles
                .get(iso3)
                .ok_or_else(|| Error::Output(format!("no profile {iso3}")))
        };
        match &output.job {
            Job::Home { lang } => self.page(output, "home.html", lang, &env.home(lang)),
            Job::Profile { lang, iso3 } => self.page(
                output,
                "profile.html",
                lang,
                &env.profile(profile(iso3)?, lang),
            ),
            Job::Content { lang, stem } => {
                let page = env
                    .pages_in(lang)
                    .into_iter()
                    .find(|p| &p.stem == stem)
                    .ok_or_else(|| Error::Output(format!("no page {stem}")))?;
                self.page(output, &page.template, lang, &env.content(page, lang))
            }
            Job::NotFound { lang } => self.page(output, "404.html", lang, &env.not_found(lang)),
            Job::ProfileCsv { iso3 } => Ok(data::profile_csv(self.csv_body(iso3)?)),
            Job::ProfileJson { iso3 } => Ok(data::profile_json(site, profile(iso3)?)),
            Job::AllCsv => {
                let bodies = site
                    .profiles
                    .keys()
                    .map(|k| self.csv_body(k))
                    .collect::<Result<Vec<_>>>()?;
                Ok(data::all_csv(bodies.into_iter()))
            }
            Job::Sitemap { pages } => Ok(data::sitemap(site, pages)),
            Job::Robots => Ok(data::robots(site)),
            Job::Copy { bytes } => Ok(bytes.to_vec()),
        }
    }
}
