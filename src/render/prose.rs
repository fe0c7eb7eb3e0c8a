//! Texts written from a profile's data: for each section without a narrative of its
//! own, the theme's sentences (`model::phrases`) whose slots the data fill, and the
//! key findings (`model::findings`) as a list. Every figure is made as the calls make
//! them (`FigureAt`), linked to its table with its source in the title; a sentence
//! missing any slot's data is left out, so nothing is said of what is not there
//! (except by the sentences about data gaps).

use icu_list::ListFormatter;
use icu_list::options::{ListFormatterOptions, ListLength};
use icu_locale_core::Locale;
use icu_plurals::{PluralCategory, PluralRuleType, PluralRules};

use super::calls::FigureAt;
use super::charts::xml_escape;
use super::context::Env;
use crate::model::calls::{self, Figure, Measure};
use crate::model::findings::Fact;
use crate::model::phrases::{Phrase, Phrases, Piece, Says, Subject};
use crate::model::{GapStatus, Profile};

/// What fills a slot.
enum Fill {
    /// A figure of the site, made as calls make it.
    Html(String),
    Text(String),
    /// Countries by code, written in the slot's form and listed in the language's way.
    Places(Vec<String>),
    /// A region, by the name profiles give it.
    Region(String),
    /// Words listed in the language's way ("refugees hosted and population").
    Words(Vec<String>),
}

type Fills = Vec<(&'static str, Fill)>;

/// The variant the data choose, and the slots' fills.
type Said = (Option<&'static str>, Fills);

/// Writes one profile's texts in one language.
pub struct Writer<'a> {
    env: &'a Env<'a>,
    p: &'a Profile,
    lang: &'a str,
    path: &'a str,
    phrases: &'a Phrases,
    list: Option<ListFormatter>,
    cardinal: Option<PluralRules>,
    ordinal: Option<PluralRules>,
}

impl<'a> Writer<'a> {
    /// `None` when the theme has no phrases in `lang`.
    pub fn new(env: &'a Env<'a>, p: &'a Profile, lang: &'a str, path: &'a str) -> Option<Self> {
        let phrases = env.site.phrases.get(lang)?;
        let locale = lang.parse::<Locale>().unwrap_or(Locale::UNKNOWN);
        let prefs = (&locale).into();
        Some(Writer {
            env,
            p,
            lang,
            path,
            phrases,
            list: ListFormatter::try_new_and(
                prefs,
                ListFormatterOptions::default().with_length(ListLength::Wide),
            )
            .ok(),
            cardinal: PluralRules::try_new((&locale).into(), PluralRuleType::Cardinal.into()).ok(),
            ordinal: PluralRules::try_new((&locale).into(), PluralRuleType::Ordinal.into()).ok(),
        })
    }

    /// The note that marks a text as written from the data.
    pub fn note(&self) -> Option<&'a str> {
        self.phrases.note.as_deref()
    }

    /// The section's paragraph: its own sentences, the generic ones for indicators of
    /// the section the phrases do not name, then those said in every section.
    pub fn section(&self, section: &str) -> Option<String> {
        let site = self.env.site;
        let mut said: Vec<String> = Vec::new();
        for s in self.phrases.sections.get(section).into_iter().flatten() {
            said.extend(self.sentence(&s.subject, s.says, &s.phrase, section));
        }
        let unnamed = site
            .indicators_in_order()
            .filter(|i| i.section == section && !self.phrases.named.contains(&i.id));
        for ind in unnamed {
            let subject = Subject::Indicator(ind.id.clone());
            for s in &self.phrases.generic {
                if s.subject == Subject::AnyOf(ind.kind.clone()) {
                    said.extend(self.sentence(&subject, s.says, &s.phrase, section));
                }
            }
        }
        for s in &self.phrases.every_section {
            said.extend(self.sentence(&s.subject, s.says, &s.phrase, section));
        }
        (!said.is_empty()).then(|| format!("<p>{}</p>", said.join(" ")))
    }

    /// The key findings as a list, and the sentence that stands for recommendations.
    pub fn findings(&self) -> (Option<String>, Option<String>) {
        let site = self.env.site;
        let facts = site.findings.get(&self.p.iso3).map_or(&[][..], |f| f);
        let items: Vec<String> = facts
            .iter()
            .filter_map(|fact| self.fact(fact))
            .map(|s| format!("<li>{s}</li>"))
            .collect();
        let list =
            (!items.is_empty()).then(|| format!("<ul class=\"findings\">{}</ul>", items.concat()));
        let recommendations = self
            .phrases
            .findings
            .phrase(Says::Recommendations)
            .and_then(|ph| self.fill(ph.pick(None)?, &Vec::new()));
        (list, recommendations)
    }

    /// The section the key findings are shown in.
    pub fn findings_section(&self) -> Option<&'a str> {
        self.phrases.findings.section.as_deref()
    }

    fn fact(&self, fact: &Fact) -> Option<String> {
        let (says, id) = match fact {
            Fact::World { indicator, .. } => (Says::World, indicator),
            Fact::Region { indicator, .. } => (Says::Region, indicator),
            Fact::Change { indicator } => (Says::Grew, indicator),
            Fact::Stale { indicator, .. } => (Says::Gap, indicator),
            Fact::Missing { indicator } => (Says::Absent, indicator),
        };
        let phrase = self.phrases.findings.phrase(says)?;
        let (choice, mut fills) = match fact {
            Fact::World { place, .. } | Fact::Region { place, .. } => {
                let (_, mut fills) = self.latest(id)?;
                fills.push(("rank", Fill::Text(self.ordinal(place.rank)?)));
                fills.push(("count", Fill::Text(self.count(place.of))));
                if matches!(fact, Fact::Region { .. }) {
                    fills.push(("region", Fill::Region(self.p.region.clone())));
                }
                (None, fills)
            }
            Fact::Change { .. } => {
                let (trend, fills) = self.change(id)?;
                // Three times as much or more reads better as a multiple than in per cent.
                let multiplied = self.p.series.get(id.as_str()).and_then(|s| {
                    let first = s.points.values().next()?.value;
                    let last = s.points.values().next_back()?.value;
                    Some(first > 0.0 && last / first >= 3.0)
                });
                match trend {
                    Some("rose") if multiplied == Some(true) && phrase.has("multiplied") => {
                        (Some("multiplied"), fills)
                    }
                    _ => (trend, fills),
                }
            }
            Fact::Stale { year, .. } => (None, vec![("year", Fill::Text(year.to_string()))]),
            Fact::Missing { .. } => (None, Vec::new()),
        };
        fills.push(("label", Fill::Text(self.label(id))));
        fills.push(("country", Fill::Places(vec![self.p.iso3.clone()])));
        self.fill(phrase.pick(choice)?, &fills)
    }

    fn sentence(
        &self,
        subject: &Subject,
        says: Says,
        phrase: &Phrase,
        section: &str,
    ) -> Option<String> {
        let (choice, mut fills) = self.said(subject, says, section)?;
        if let Subject::Indicator(id) = subject {
            fills.push(("label", Fill::Text(self.label(id))));
        }
        fills.push(("country", Fill::Places(vec![self.p.iso3.clone()])));
        self.fill(phrase.pick(choice)?, &fills)
    }

    fn said(&self, subject: &Subject, says: Says, section: &str) -> Option<Said> {
        match (subject, says) {
            (Subject::Indicator(id), Says::Latest) => self.latest(id),
            (Subject::Indicator(id), Says::Change) => self.change(id),
            (Subject::Indicator(id), Says::FemaleShare) => self.female_share(id),
            (Subject::Indicator(id), Says::Top) => self.top(id),
            (Subject::Indicator(id), Says::Women) => self.age_share(id, false),
            (Subject::Indicator(id), Says::Children) => self.age_share(id, true),
            (Subject::Agreements, Says::Count) => self.agreements(),
            (Subject::Policies, Says::Count) => {
                let n = self.p.policies.len();
                (n > 0).then(|| (self.plural(n), vec![("count", Fill::Text(self.count(n)))]))
            }
            (Subject::Rcps, Says::List) => self.rcps(),
            (Subject::Climate, Says::Napa) => {
                let c = self.p.climate.as_ref()?;
                let choice = match (c.napa?, c.napa_mentions_migration) {
                    (true, Some(true)) => "mentions",
                    (true, Some(false)) => "silent",
                    (false, _) => "none",
                    (true, None) => return None,
                };
                Some((Some(choice), Vec::new()))
            }
            (Subject::Gaps, Says::Missing) => self.gaps(section, GapStatus::Missing),
            (Subject::Gaps, Says::Stale) => self.gaps(section, GapStatus::Stale),
            _ => None,
        }
    }

    fn figure(&self, id: &str, f: &Figure) -> Fill {
        let at = FigureAt {
            p: self.p,
            indicator: id,
            lang: self.lang,
            path: self.path,
        };
        Fill::Html(self.env.figure_html(&at, Some(f), false, false))
    }

    fn value_at(&self, id: &str, year: Option<i32>, measure: Measure) -> Option<Figure> {
        calls::figure(&self.env.site.indicators, self.p, id, year, measure)
    }

    fn latest(&self, id: &str) -> Option<Said> {
        let f = self.value_at(id, None, Measure::Value)?;
        let sign = if f.value < 0.0 {
            "negative"
        } else if f.value > 0.0 {
            "positive"
        } else {
            "zero"
        };
        let fills = vec![
            ("value", self.figure(id, &f)),
            ("year", Fill::Text(f.year.to_string())),
        ];
        Some((Some(sign), fills))
    }

    /// From the first year to the latest: risen or fallen by more than 5 %, or not.
    fn change(&self, id: &str) -> Option<Said> {
        let s = self.p.series.get(id)?;
        let first_year = *s.points.keys().next()?;
        let last = self.value_at(id, None, Measure::Value)?;
        let first = self.value_at(id, Some(first_year), Measure::Value)?;
        if first_year >= last.year || first.value <= 0.0 || last.value < 0.0 {
            return None;
        }
        let ratio = last.value / first.value;
        let trend = if ratio >= 1.05 {
            "rose"
        } else if ratio <= 0.95 {
            "fell"
        } else {
            "flat"
        };
        let num = self.env.num(self.lang);
        let percent = num.compact((ratio - 1.0).abs() * 100.0, "percent");
        let times = num.decimal(ratio, if ratio >= 10.0 { 0 } else { 1 });
        let fills = vec![
            ("times", Fill::Text(times)),
            ("value", self.figure(id, &last)),
            ("year", Fill::Text(last.year.to_string())),
            ("first", self.figure(id, &first)),
            ("first_year", Fill::Text(first_year.to_string())),
            ("percent", Fill::Text(percent)),
        ];
        Some((Some(trend), fills))
    }

    /// Women's share of the latest value, and of the first year that has one.
    fn female_share(&self, id: &str) -> Option<Said> {
        let last = self.value_at(id, None, Measure::FemaleShare)?;
        let mut fills = vec![
            ("share", self.figure(id, &last)),
            ("year", Fill::Text(last.year.to_string())),
        ];
        let s = self.p.series.get(id)?;
        let first = s
            .points
            .iter()
            .find_map(|(y, _)| self.value_at(id, Some(*y), Measure::FemaleShare))
            .filter(|f| f.year < last.year);
        let Some(first) = first else {
            return Some((None, fills));
        };
        let points = last.value - first.value;
        let trend = if points >= 1.0 {
            "rose"
        } else if points <= -1.0 {
            "fell"
        } else {
            "flat"
        };
        fills.push(("first_share", self.figure(id, &first)));
        fills.push(("first_year", Fill::Text(first.year.to_string())));
        Some((Some(trend), fills))
    }

    /// The three largest partners that are countries, the largest with its figure.
    fn top(&self, id: &str) -> Option<Said> {
        let t = self.p.partners.get(id)?;
        let unit = self.env.site.indicators.get(id)?.unit.clone();
        let countries: Vec<&(String, f64)> = t
            .values
            .iter()
            .filter(|(code, v)| *v > 0.0 && is_country(self.env.site, code))
            .collect();
        let (first, v) = countries.first()?;
        let total: f64 = t.values.iter().map(|(_, v)| v).sum::<f64>() + t.other.unwrap_or(0.0);
        let f = Figure {
            year: t.year,
            value: *v,
            unit,
            estimated: false,
            source: t.source.clone(),
        };
        let num = self.env.num(self.lang);
        let fills = vec![
            (
                "list",
                Fill::Places(countries.iter().take(3).map(|(c, _)| c.clone()).collect()),
            ),
            ("first", Fill::Places(vec![first.clone()])),
            ("value", self.figure(id, &f)),
            (
                "share",
                Fill::Text(num.compact(100.0 * v / total, "percent")),
            ),
            ("year", Fill::Text(t.year.to_string())),
            ("count", Fill::Text(self.count(countries.len()))),
        ];
        Some((None, fills))
    }

    /// Women's share of an age-sex table, or the share of its groups under 18.
    fn age_share(&self, id: &str, children: bool) -> Option<Said> {
        let t = self.p.age_sex.get(id)?;
        let total: f64 = t.female.iter().chain(&t.male).sum();
        if total <= 0.0 {
            return None;
        }
        let part: f64 = if children {
            let young: Vec<bool> = t
                .groups
                .iter()
                .map(|g| under_18(g))
                .collect::<Option<_>>()?;
            (0..t.groups.len())
                .filter(|i| young[*i])
                .map(|i| t.female.get(i).unwrap_or(&0.0) + t.male.get(i).unwrap_or(&0.0))
                .sum()
        } else {
            t.female.iter().sum()
        };
        let num = self.env.num(self.lang);
        Some((
            None,
            vec![
                (
                    "share",
                    Fill::Text(num.compact(100.0 * part / total, "percent")),
                ),
                ("year", Fill::Text(t.year.to_string())),
            ],
        ))
    }

    fn agreements(&self) -> Option<Said> {
        let a = &self.p.agreements;
        if a.is_empty() {
            return None;
        }
        let mut partners: Vec<String> = Vec::new();
        for code in a.iter().flat_map(|a| &a.partners) {
            if !partners.contains(code) && partners.len() < 3 {
                partners.push(code.clone());
            }
        }
        let mut topics: std::collections::BTreeMap<&str, usize> = Default::default();
        for t in a.iter().flat_map(|a| &a.topics) {
            *topics.entry(t).or_default() += 1;
        }
        let mut topics: Vec<(&str, usize)> = topics.into_iter().collect();
        topics.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
        let topics: Vec<String> = topics
            .iter()
            .take(3)
            .map(|(t, _)| self.env.word(self.lang, &format!("topic_{t}"), t))
            .collect();
        let mut fills = vec![("count", Fill::Text(self.count(a.len())))];
        if !partners.is_empty() {
            fills.push(("partners", Fill::Places(partners)));
        }
        if !topics.is_empty() {
            fills.push(("topics", Fill::Words(topics)));
        }
        Some((self.plural(a.len()), fills))
    }

    fn rcps(&self) -> Option<Said> {
        let site = self.env.site;
        let names: Vec<String> = self
            .p
            .rcps
            .iter()
            .filter_map(|id| site.rcps.get(id))
            .map(|r| {
                r.name
                    .get(self.lang, &site.config.default_language)
                    .to_string()
            })
            .collect();
        if names.is_empty() {
            return None;
        }
        let n = names.len();
        Some((
            self.plural(n),
            vec![
                ("count", Fill::Text(self.count(n))),
                ("list", Fill::Words(names)),
            ],
        ))
    }

    /// The section's core indicators the profile lacks, or has only old values of.
    fn gaps(&self, section: &str, status: GapStatus) -> Option<Said> {
        let site = self.env.site;
        let items: Vec<String> = self
            .p
            .gaps
            .iter()
            .filter(|g| g.status == status)
            .filter(|g| {
                site.indicators
                    .get(&g.indicator)
                    .is_some_and(|i| i.section == section)
            })
            .map(|g| {
                let label = lower_label(&self.label(&g.indicator));
                match g.latest_year {
                    Some(y) if g.status == GapStatus::Stale => format!("{label} ({y})"),
                    _ => label,
                }
            })
            .collect();
        if items.is_empty() {
            return None;
        }
        let n = items.len();
        Some((
            self.plural(n),
            vec![
                ("count", Fill::Text(self.count(n))),
                ("list", Fill::Words(items)),
            ],
        ))
    }

    fn label(&self, id: &str) -> String {
        let site = self.env.site;
        site.indicators.get(id).map_or_else(
            || id.to_string(),
            |i| {
                i.label
                    .get(self.lang, &site.config.default_language)
                    .to_string()
            },
        )
    }

    fn count(&self, n: usize) -> String {
        self.env.num(self.lang).decimal(n as f64, 0)
    }

    fn plural(&self, n: usize) -> Option<&'static str> {
        Some(category(self.cardinal.as_ref()?.category_for(n)))
    }

    fn ordinal(&self, n: usize) -> Option<String> {
        let key = category(self.ordinal.as_ref()?.category_for(n));
        let o = &self.phrases.ordinal;
        let pattern = o.get(key).or_else(|| o.get("other"))?;
        Some(pattern.replace("{n}", &self.count(n)))
    }

    fn listed(&self, items: Vec<String>) -> String {
        match &self.list {
            Some(l) => {
                use writeable::Writeable;
                l.format(items.iter()).write_to_string().into_owned()
            }
            None => items.join(", "),
        }
    }

    /// The phrase with its slots filled, or `None` when the data lack one.
    fn fill(&self, pieces: &[Piece], fills: &Fills) -> Option<String> {
        let mut out = String::new();
        for piece in pieces {
            match piece {
                Piece::Text(t) => out.push_str(&xml_escape(t)),
                Piece::Slot {
                    name,
                    form,
                    capital,
                } => {
                    let fill = fills.iter().find(|(n, _)| n == name).map(|(_, f)| f)?;
                    let form = form.as_deref().unwrap_or("the");
                    let text = match fill {
                        Fill::Html(h) => {
                            out.push_str(h);
                            continue;
                        }
                        Fill::Text(t) if name == "label" && !capital => lower_label(t),
                        Fill::Text(t) => t.clone(),
                        Fill::Places(codes) => {
                            let named: Vec<String> =
                                codes.iter().map(|c| self.place(c, form)).collect();
                            self.listed(named)
                        }
                        Fill::Region(r) => self
                            .phrases
                            .regions
                            .get(r)
                            .and_then(|forms| forms.get(form))
                            .cloned()?,
                        Fill::Words(w) => self.listed(w.clone()),
                    };
                    let text = if *capital { upper_first(&text) } else { text };
                    out.push_str(&xml_escape(&text));
                }
            }
        }
        Some(out)
    }

    fn place(&self, code: &str, form: &str) -> String {
        let name = self.env.country(code, self.lang);
        if form == "name" {
            return name;
        }
        self.phrases.countries.form(code, &name, form)
    }
}

/// A partner that is a country or area, not "unknown" or "stateless".
fn is_country(site: &crate::model::Site, code: &str) -> bool {
    site.profiles.contains_key(code) || rust_iso3166::from_alpha3(code).is_some()
}

/// Whether an age group ("0-4", "12-17", "60+") lies under 18; `None` when it cannot
/// be read.
fn under_18(group: &str) -> Option<bool> {
    let g = group.trim();
    if let Some(from) = g.strip_suffix('+') {
        return from.trim().parse::<u32>().ok().map(|_| false);
    }
    let (_, to) = g.split_once(['-', '–'])?;
    to.trim().parse::<u32>().ok().map(|to| to < 18)
}

fn category(c: PluralCategory) -> &'static str {
    match c {
        PluralCategory::Zero => "zero",
        PluralCategory::One => "one",
        PluralCategory::Two => "two",
        PluralCategory::Few => "few",
        PluralCategory::Many => "many",
        PluralCategory::Other => "other",
    }
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A label as it reads inside a sentence: its first letter in lower case, unless it
/// starts with an abbreviation ("GDP").
fn lower_label(s: &str) -> String {
    let mut c = s.chars();
    match (c.next(), c.next()) {
        (Some(a), Some(b)) if b.is_uppercase() => format!("{a}{b}{}", c.as_str()),
        (Some(a), _) => a.to_lowercase().chain(s.chars().skip(1)).collect(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_groups_under_18_are_read_from_their_upper_bound() {
        assert_eq!(under_18("0-4"), Some(true));
        assert_eq!(under_18("12-17"), Some(true));
        assert_eq!(under_18("18-59"), Some(false));
        assert_eq!(under_18("60+"), Some(false));
        assert_eq!(under_18("children"), None);
    }

    #[test]
    fn labels_keep_abbreviations_and_lower_words() {
        assert_eq!(lower_label("Net migration"), "net migration");
        assert_eq!(lower_label("GDP per person"), "GDP per person");
        assert_eq!(upper_first("les Philippines"), "Les Philippines");
    }
}
