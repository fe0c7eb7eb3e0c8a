//! The partnerships page (every agreement once, by topic and by pair of countries, each
//! partner's view side by side) and the page of each regional consultative process.

use std::collections::BTreeMap;

use serde::Serialize;

use super::context::{Common, Env, Figure, Link};
use crate::model::partnerships::{Partnership, members};
use crate::plan::routes;

#[derive(Debug, Clone, Serialize)]
pub struct PartnershipsView {
    pub common: Common,
    pub agreements: Vec<AgreementView>,
    /// Topic ids (`t["topic_" ~ id]` names them) with the agreements' anchors.
    pub topics: Vec<Group>,
    /// "Mexico – Canada" with the agreements' anchors, bilateral ones only.
    pub pairs: Vec<Group>,
    pub rcps: Vec<RcpLink>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub name: String,
    pub agreements: Vec<Link>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RcpLink {
    pub title: String,
    pub url: String,
    pub members: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgreementView {
    /// Its anchor on the page: `agreement-mex-can-sawp`.
    pub anchor: String,
    pub title: String,
    pub kind: String,
    pub signed: Option<i32>,
    pub countries: Vec<Link>,
    pub topics: Vec<String>,
    /// A bilateral agreement whose partner's profile does not list it.
    pub one_sided: bool,
    /// Each listing profile's account: `{by, title, status, signed, topics, url,
    /// summary_html}`.
    pub views: Vec<AccountView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountView {
    pub by: Link,
    pub title: String,
    pub status: Option<String>,
    pub signed: Option<i32>,
    pub topics: Vec<String>,
    pub url: Option<String>,
    pub summary_html: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RcpView {
    pub common: Common,
    pub name: String,
    pub kind: String,
    pub founded: Option<i64>,
    pub url: Option<String>,
    pub members: Vec<MemberView>,
    /// The key figures' labels, for the table's columns.
    pub columns: Vec<String>,
    pub agreements: Vec<Link>,
    pub partnerships_url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    pub link: Link,
    /// One per column; `none` where the member has no value.
    pub figures: Vec<Option<Figure>>,
}

impl Env<'_> {
    fn agreement_view(&self, g: &Partnership, from: &str, lang: &str) -> AgreementView {
        let a = g.first();
        AgreementView {
            anchor: g.anchor.clone(),
            title: a.title.clone(),
            kind: a.kind.clone(),
            signed: a.signed,
            countries: g
                .countries
                .iter()
                .map(|c| self.place_link(from, c, lang))
                .collect(),
            topics: g.topics.iter().cloned().collect(),
            one_sided: g.one_sided,
            views: g
                .views
                .iter()
                .map(|v| AccountView {
                    by: self.place_link(from, &v.by, lang),
                    title: v.agreement.title.clone(),
                    status: v.agreement.status.clone(),
                    signed: v.agreement.signed,
                    topics: v.agreement.topics.clone(),
                    url: v.agreement.url.clone(),
                    summary_html: v.agreement.summary.as_ref().map(|s| self.md(s)),
                })
                .collect(),
        }
    }

    pub fn partnerships(&self, lang: &str) -> PartnershipsView {
        let site = self.site;
        let config = &site.config;
        let dl = &config.default_language;
        let path = routes::partnerships(config, lang);
        let all = self.all_partnerships();
        let agreements: Vec<AgreementView> = all
            .iter()
            .map(|g| self.agreement_view(g, &path, lang))
            .collect();
        let anchor = |a: &AgreementView| Link {
            title: a.title.clone(),
            url: format!("#{}", a.anchor),
            current: false,
        };
        let mut topics: Vec<Group> = Vec::new();
        for topic in crate::model::vocab::TOPICS {
            let list: Vec<Link> = agreements
                .iter()
                .filter(|a| a.topics.iter().any(|t| t == topic))
                .map(anchor)
                .collect();
            if !list.is_empty() {
                topics.push(Group {
                    name: topic.to_string(),
                    agreements: list,
                });
            }
        }
        let mut pairs: BTreeMap<String, Vec<Link>> = BTreeMap::new();
        for (g, a) in all.iter().zip(&agreements) {
            if g.first().kind == "bilateral" && g.countries.len() == 2 {
                let names: Vec<String> =
                    g.countries.iter().map(|c| self.country(c, lang)).collect();
                pairs.entry(names.join(" – ")).or_default().push(anchor(a));
            }
        }
        let title = self.word(lang, "partnerships_title", "Partnerships");
        PartnershipsView {
            common: self.common(lang, &path, &title, "", &|l| {
                routes::partnerships(config, l)
            }),
            topics,
            pairs: {
                let mut pairs: Vec<Group> = pairs
                    .into_iter()
                    .map(|(name, agreements)| Group { name, agreements })
                    .collect();
                pairs.sort_by(|a, b| super::collate::compare(lang, &a.name, &b.name));
                pairs
            },
            rcps: site
                .rcps
                .values()
                .map(|r| RcpLink {
                    title: r.name.get(lang, dl).to_string(),
                    url: routes::link(&path, &routes::rcp(config, lang, &r.id)),
                    members: members(site, &r.id).len(),
                })
                .collect(),
            agreements,
        }
    }

    pub fn rcp(&self, id: &str, lang: &str) -> Option<RcpView> {
        let site = self.site;
        let config = &site.config;
        let dl = &config.default_language;
        let rcp = site.rcps.get(id)?;
        let path = routes::rcp(config, lang, id);
        let name = rcp.name.get(lang, dl).to_string();
        let members = members(site, id);
        let columns: Vec<&crate::model::Indicator> = site
            .indicators_in_order()
            .filter(|i| i.core && i.kind == "series")
            .collect();
        let member_codes: std::collections::BTreeSet<&str> =
            members.iter().map(|p| p.iso3.as_str()).collect();
        let agreements = self
            .all_partnerships()
            .iter()
            .filter(|g| {
                g.countries.len() > 1
                    && g.countries
                        .iter()
                        .all(|c| member_codes.contains(c.as_str()))
            })
            .map(|g| Link {
                title: g.first().title.clone(),
                url: String::new(),
                current: false,
            })
            .collect();
        Some(RcpView {
            common: self.common(lang, &path, &name, "", &|l| routes::rcp(config, l, id)),
            kind: rcp.kind.clone(),
            founded: rcp.founded,
            url: rcp.url.clone(),
            members: members
                .iter()
                .map(|p| {
                    let figures = self.figures(p, lang, usize::MAX);
                    MemberView {
                        link: self.place_link(&path, &p.iso3, lang),
                        figures: columns
                            .iter()
                            .map(|c| figures.iter().find(|f| f.indicator == c.id).cloned())
                            .collect(),
                    }
                })
                .collect(),
            columns: columns
                .iter()
                .map(|i| i.label.get(lang, dl).to_string())
                .collect(),
            agreements,
            partnerships_url: routes::link(&path, &routes::partnerships(config, lang)),
            name,
        })
    }
}
