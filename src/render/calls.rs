//! Markdown with its calls (`model::calls`) made into HTML: a figure becomes a number
//! linked to the table it comes from, with its source in the link's title; a ranking,
//! a map, a chart or a list becomes a block in the call's place.
//!
//! Raw HTML stays off in Markdown, so each call first becomes a token Markdown cannot
//! touch (private-use characters), and the rendered HTML gets the call's HTML there.

use std::collections::BTreeSet;

use super::charts::xml_escape;
use super::context::Env;
use crate::model::Profile;
use crate::model::calls::{self, Figure, Kind, Measure, Scope};
use crate::plan::routes;

/// Where a figure is shown: whose table it links to, on which page, in which language.
#[derive(Clone, Copy)]
pub(crate) struct FigureAt<'a> {
    pub p: &'a Profile,
    pub indicator: &'a str,
    pub lang: &'a str,
    pub path: &'a str,
}

impl Env<'_> {
    /// `body` as HTML, its calls made; `current` is the profile whose narrative it is.
    pub fn md_with_calls(
        &self,
        body: &str,
        lang: &str,
        path: &str,
        current: Option<&str>,
    ) -> String {
        let no_failed = BTreeSet::new();
        let scope = Scope {
            indicators: &self.site.indicators,
            profiles: &self.site.profiles,
            failed: &no_failed,
            current,
        };
        let calls = calls::resolved(body, &scope);
        if calls.is_empty() {
            return self.md(body);
        }
        let mut text = String::with_capacity(body.len());
        let mut made = Vec::new();
        let mut last = 0;
        for (i, (call, kind)) in calls.iter().enumerate() {
            text.push_str(&body[last..call.range.start]);
            last = call.range.end;
            let token = format!("\u{E000}{i}\u{E001}");
            match self.call_html(kind, lang, path) {
                Made::Html(html) => {
                    text.push_str(&token);
                    made.push((token, html, kind.is_block()));
                }
                Made::Markdown(md) => text.push_str(&md),
            }
        }
        text.push_str(&body[last..]);
        let mut html = self.md(&text);
        for (token, made, block) in made {
            // A block alone in its paragraph replaces the paragraph.
            let paragraph = format!("<p>{token}</p>");
            html = if block && html.contains(&paragraph) {
                html.replace(&paragraph, &made)
            } else {
                html.replace(&token, &made)
            };
        }
        html
    }

    fn call_html(&self, kind: &Kind, lang: &str, path: &str) -> Made {
        let site = self.site;
        let config = &site.config;
        match kind {
            Kind::Chart { profile, id } => self.chart_call(profile, id, lang, path),
            Kind::Value {
                profile,
                indicator,
                year,
                measure,
                full,
            } => {
                let p = &site.profiles[profile];
                let f = calls::figure(&site.indicators, p, indicator, Some(*year), *measure);
                let at = FigureAt {
                    p,
                    indicator,
                    lang,
                    path,
                };
                Made::Html(self.figure_html(&at, f.as_ref(), *full, false))
            }
            Kind::Latest {
                profile,
                indicator,
                measure,
                full,
            } => {
                let p = &site.profiles[profile];
                let f = calls::figure(&site.indicators, p, indicator, None, *measure);
                let at = FigureAt {
                    p,
                    indicator,
                    lang,
                    path,
                };
                Made::Html(self.figure_html(&at, f.as_ref(), *full, true))
            }
            Kind::Total {
                indicator,
                region,
                full,
            } => {
                let ind = &site.indicators[indicator];
                let url = routes::link(path, &routes::indicator(config, lang, indicator));
                let sum = calls::sums(site, indicator).and_then(|s| match region {
                    None => Some((s.year, s.world)),
                    Some(r) => s.regions.get(r).map(|v| (s.year, *v)),
                });
                Made::Html(match sum {
                    Some((year, (v, count))) => {
                        let num = self.num(lang);
                        let n = if *full {
                            num.with_unit(v, &ind.unit)
                        } else {
                            num.compact(v, &ind.unit)
                        };
                        let title = self
                            .word(
                                lang,
                                "total_title",
                                "Sum of {count} countries and areas' values for {year}",
                            )
                            .replace("{count}", &count.to_string())
                            .replace("{year}", &year.to_string());
                        format!(
                            "<a class=\"figure\" href=\"{url}\" title=\"{}\">{}</a> ({year})",
                            xml_escape(&title),
                            xml_escape(&n)
                        )
                    }
                    None => self.missing_html(lang),
                })
            }
            Kind::Ranking {
                indicator,
                top,
                ascending,
                region,
                measure,
            } => Made::Html(self.ranking_html(
                indicator,
                *top,
                *ascending,
                region.as_deref(),
                *measure,
                lang,
                path,
            )),
            Kind::Map { indicator } => {
                let ind = &site.indicators[indicator];
                let url = routes::link(path, &routes::indicator(config, lang, indicator));
                let label = ind.label.get(lang, &config.default_language);
                let drawn = config
                    .charts
                    .enabled
                    .then(|| self.charts.map(lang, indicator, self.num(lang)))
                    .flatten();
                match drawn {
                    Some(drawn) => Made::Html(format!(
                        "<figure class=\"chart-figure map-figure\"><div class=\"chart\">{}</div><figcaption><a href=\"{url}\">{}</a></figcaption></figure>",
                        drawn.object(&routes::link(
                            path,
                            &routes::world_map(config, lang, indicator, "svg")
                        )),
                        xml_escape(label)
                    )),
                    None => Made::Markdown(format!("[{}]({url})", escape_md(label))),
                }
            }
            Kind::Agreements { topic } => {
                Made::Html(self.agreements_html(topic.as_deref(), lang, path))
            }
            Kind::Rcps => Made::Html(self.rcps_html(lang, path)),
        }
    }

    /// A number linked to the profile's table of it, its source and flags in the title.
    pub(crate) fn figure_html(
        &self,
        at: &FigureAt,
        f: Option<&Figure>,
        full: bool,
        with_year: bool,
    ) -> String {
        let FigureAt {
            p,
            indicator,
            lang,
            path,
        } = *at;
        let Some(f) = f else {
            return self.missing_html(lang);
        };
        let config = &self.site.config;
        let num = self.num(lang);
        let n = if full {
            num.with_unit(f.value, &f.unit)
        } else {
            num.compact(f.value, &f.unit)
        };
        // On the profile's own page, the table is an anchor away.
        let page = routes::profile(config, lang, &p.iso3);
        let url = if page == path {
            format!("#ind-{indicator}")
        } else {
            format!("{}#ind-{indicator}", routes::link(path, &page))
        };
        let mut title: Vec<String> = f
            .source
            .split('+')
            .filter_map(|id| p.source(self.site, id))
            .map(|s| s.cited())
            .collect();
        title.insert(0, format!("{} {}", self.country(&p.iso3, lang), f.year));
        if f.estimated {
            title.push(self.word(lang, "estimated", "estimate or provisional value"));
        }
        let year = if with_year {
            format!(" ({})", f.year)
        } else {
            String::new()
        };
        format!(
            "<a class=\"figure\" href=\"{url}\" title=\"{}\">{}</a>{year}",
            xml_escape(&title.join(" · ")),
            xml_escape(&n)
        )
    }

    pub(crate) fn missing_html(&self, lang: &str) -> String {
        format!(
            "<span class=\"figure missing\" title=\"{}\">–</span>",
            xml_escape(&self.word(lang, "chart_no_data", "No data"))
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn ranking_html(
        &self,
        indicator: &str,
        top: usize,
        ascending: bool,
        region: Option<&str>,
        measure: Measure,
        lang: &str,
        path: &str,
    ) -> String {
        let site = self.site;
        let config = &site.config;
        let ind = &site.indicators[indicator];
        let num = self.num(lang);
        let mut rows: Vec<(&Profile, Figure)> = site
            .profiles
            .values()
            .filter(|p| region.is_none_or(|r| p.region == r))
            .filter_map(|p| calls::ranked(site, p, indicator, measure).map(|f| (&**p, f)))
            .collect();
        rows.sort_by(|a, b| {
            let by = if ascending {
                a.1.value.total_cmp(&b.1.value)
            } else {
                b.1.value.total_cmp(&a.1.value)
            };
            by.then_with(|| a.0.iso3.cmp(&b.0.iso3))
        });
        let count = rows.len();
        rows.truncate(top);
        let mut label = ind.label.get(lang, &config.default_language).to_string();
        if measure != Measure::Value {
            let key = match measure {
                Measure::Female => "measure_female",
                Measure::Male => "measure_male",
                _ => "measure_female_share",
            };
            label = format!("{label}: {}", self.word(lang, key, key));
        }
        let url = routes::link(path, &routes::indicator(config, lang, indicator));
        let caption = self
            .word(
                lang,
                "ranking_caption",
                "{label}: the {top} of {count} profiles with data",
            )
            .replace("{label}", &label)
            .replace("{top}", &rows.len().to_string())
            .replace("{count}", &count.to_string());
        let caption = match region {
            Some(r) => format!("{caption} ({r})"),
            None => caption,
        };
        let mut html = format!(
            "<div class=\"table-wrap\"><table class=\"data ranking\">\n<caption><a href=\"{url}\">{}</a></caption>\n<thead><tr><th scope=\"col\">#</th><th scope=\"col\" class=\"text\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>\n",
            xml_escape(&caption),
            xml_escape(&self.word(lang, "country", "Country or area")),
            xml_escape(&self.word(lang, "value", "Value")),
            xml_escape(&self.word(lang, "year", "Year")),
        );
        for (rank, (p, f)) in rows.iter().enumerate() {
            let to = format!(
                "{}#ind-{indicator}",
                routes::link(path, &routes::profile(config, lang, &p.iso3))
            );
            html.push_str(&format!(
                "<tr><td>{}</td><td class=\"text\"><a href=\"{to}\">{}</a></td><td>{}</td><td>{}</td></tr>\n",
                rank + 1,
                xml_escape(&self.country(&p.iso3, lang)),
                xml_escape(&num.with_unit(f.value, &f.unit)),
                f.year
            ));
        }
        html.push_str("</tbody>\n</table></div>");
        html
    }

    fn agreements_html(&self, topic: Option<&str>, lang: &str, path: &str) -> String {
        let config = &self.site.config;
        let all = self.all_partnerships();
        let page = routes::link(path, &routes::partnerships(config, lang));
        let topic_word = |t: &str| self.word(lang, &format!("topic_{t}"), t);
        let Some(topic) = topic else {
            // The count of agreements by topic, each linked to its list.
            let mut html = format!(
                "<div class=\"table-wrap\"><table class=\"data\">\n<thead><tr><th scope=\"col\" class=\"text\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>\n",
                xml_escape(&self.word(lang, "topics", "Topics")),
                xml_escape(&self.word(lang, "agreements", "Agreements")),
            );
            for t in crate::model::vocab::TOPICS {
                let n = all.iter().filter(|g| g.topics.contains(*t)).count();
                if n > 0 {
                    html.push_str(&format!(
                        "<tr><td class=\"text\"><a href=\"{page}#topic-{t}\">{}</a></td><td>{n}</td></tr>\n",
                        xml_escape(&topic_word(t))
                    ));
                }
            }
            html.push_str("</tbody>\n</table></div>");
            return html;
        };
        let items: Vec<String> = all
            .iter()
            .filter(|g| g.topics.contains(topic))
            .map(|g| {
                let a = g.first();
                let countries: Vec<String> =
                    g.countries.iter().map(|c| self.country(c, lang)).collect();
                let signed = a.signed.map_or(String::new(), |y| format!(", {y}"));
                format!(
                    "<li><a href=\"{page}#{}\">{}</a> ({}{signed})</li>",
                    g.anchor,
                    xml_escape(&a.title),
                    xml_escape(&countries.join(", "))
                )
            })
            .collect();
        if items.is_empty() {
            return format!(
                "<p>{}</p>",
                xml_escape(&self.word(lang, "none_reported", "None reported."))
            );
        }
        format!("<ul class=\"agreements\">\n{}\n</ul>", items.join("\n"))
    }

    fn rcps_html(&self, lang: &str, path: &str) -> String {
        let site = self.site;
        let config = &site.config;
        let items: Vec<String> = site
            .rcps
            .values()
            .map(|r| {
                let members = crate::model::partnerships::members(site, &r.id).len();
                let word = self
                    .word(lang, "members_count", "{n} profiles")
                    .replace("{n}", &members.to_string());
                format!(
                    "<li><a href=\"{}\">{}</a> ({})</li>",
                    routes::link(path, &routes::rcp(config, lang, &r.id)),
                    xml_escape(r.name.get(lang, &config.default_language)),
                    xml_escape(&word)
                )
            })
            .collect();
        format!("<ul class=\"rcps\">\n{}\n</ul>", items.join("\n"))
    }

    /// A profile's chart in a text, or where charts are left out (`--no-charts`), a link
    /// to the profile's table of the same data.
    fn chart_call(&self, profile: &str, id: &str, lang: &str, path: &str) -> Made {
        let config = &self.site.config;
        let url = format!(
            "{}#ind-{id}",
            routes::link(path, &routes::profile(config, lang, profile))
        );
        let name = self.country(profile, lang);
        let view = self
            .site
            .profiles
            .get(profile)
            .and_then(|p| self.chart_view(p, id, lang, path));
        match view {
            Some(v) => Made::Html(format!(
                "<figure class=\"chart-figure\"><div class=\"chart\">{}</div><figcaption><a href=\"{url}\">{}: {}</a></figcaption></figure>",
                v.svg,
                xml_escape(&name),
                xml_escape(&v.title)
            )),
            None => {
                let label = self.site.indicators.get(id).map_or(id.to_string(), |i| {
                    i.label.get(lang, &config.default_language).to_string()
                });
                Made::Markdown(format!(
                    "[{}: {}]({url})",
                    escape_md(&name),
                    escape_md(&label)
                ))
            }
        }
    }
}

enum Made {
    /// HTML put in place of the call's token after Markdown.
    Html(String),
    /// Markdown put in place of the call before Markdown.
    Markdown(String),
}

pub(crate) fn escape_md(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if "[]()*_`\\<>".contains(c) {
                vec!['\\', c]
            } else {
                vec![c]
            }
        })
        .collect()
}
