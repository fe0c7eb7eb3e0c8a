//! The sentences a theme writes from a profile's data (`phrases/<lang>.toml`), read
//! and checked against the catalogue and the site's sections.
//!
//! A phrase file says, section by section, which sentences to write about which
//! subject (an indicator, or the profile's agreements, policies, RCPs, climate plans
//! and data gaps), in words of its language with slots (`{value}`, `{country:in}`) that
//! `render::prose` fills from the data. Which sentences exist and what they may say is
//! fixed here (`Says`); how they are worded is the theme's. A phrase may have variants
//! chosen from the data: by trend (`rose`, `fell`, `flat`), sign, plural category or
//! climate plan. Every problem is a diagnostic at its file, line and column.
//!
//! In the embedded default theme, sentences about indicators or sections a site does
//! not have are left out without a word: the site did not write them.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use toml::de::DeValue;

use super::{Config, Indicator};
use crate::diagnostics::{Diagnostic, nearest, one_of};
use crate::load::theme::ThemeFiles;
use crate::load::toml_reader::{self, Table, Value};

/// What a sentence says: each has its slots and its variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Says {
    /// A series' latest value.
    Latest,
    /// A series from its first year to its latest.
    Change,
    /// Women's share of a series' latest value.
    FemaleShare,
    /// A partners table's largest partners.
    Top,
    /// Women's share of an age-sex table.
    Women,
    /// The share under 18 of an age-sex table.
    Children,
    /// How many agreements or policies the profile lists.
    Count,
    /// The RCPs the country takes part in.
    List,
    /// The national adaptation plan and migration.
    Napa,
    /// Core indicators of the section the profile lacks.
    Missing,
    /// Core indicators of the section whose latest value is old.
    Stale,
    /// A key finding: the profile's rank among all profiles.
    World,
    /// A key finding: its rank within its region.
    Region,
    /// A key finding: the largest change.
    Grew,
    /// A key finding: the most recent data gap.
    Gap,
    /// A key finding: a core indicator missing altogether.
    Absent,
    /// What stands for recommendations nobody has written.
    Recommendations,
}

/// How a phrase's variants are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    None,
    Trend,
    Sign,
    Plural,
    Napa,
}

impl Choice {
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            Choice::None => &[],
            Choice::Trend => &["rose", "multiplied", "fell", "flat", "other"],
            Choice::Sign => &["positive", "negative", "zero", "other"],
            Choice::Plural => &["zero", "one", "two", "few", "many", "other"],
            Choice::Napa => &["mentions", "silent", "none", "other"],
        }
    }
}

/// Slots every sentence may use: the profile's country and the indicator's label.
const COMMON: &[&str] = &["country", "label"];

impl Says {
    const ALL: &'static [(&'static str, Says)] = &[
        ("latest", Says::Latest),
        ("change", Says::Change),
        ("female_share", Says::FemaleShare),
        ("top", Says::Top),
        ("women", Says::Women),
        ("children", Says::Children),
        ("count", Says::Count),
        ("list", Says::List),
        ("napa", Says::Napa),
        ("missing", Says::Missing),
        ("stale", Says::Stale),
        ("world", Says::World),
        ("region", Says::Region),
        ("change", Says::Grew),
        ("gap", Says::Gap),
        ("missing", Says::Absent),
        ("recommendations", Says::Recommendations),
    ];

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, s)| *s == self)
            .map_or("", |(n, _)| n)
    }

    /// The slots its phrase may use besides `COMMON`.
    pub fn slots(self) -> &'static [&'static str] {
        match self {
            Says::Latest => &["value", "year"],
            Says::Change | Says::Grew => {
                &["value", "year", "first", "first_year", "percent", "times"]
            }
            Says::FemaleShare => &["share", "year", "first_share", "first_year"],
            Says::Top => &["list", "first", "value", "share", "year", "count"],
            Says::Women | Says::Children => &["share", "year"],
            Says::Count => &["count", "partners", "topics"],
            Says::List => &["count", "list"],
            Says::Napa | Says::Recommendations => &[],
            Says::Missing | Says::Stale => &["list", "count"],
            Says::World => &["rank", "count", "value", "year"],
            Says::Region => &["rank", "count", "value", "year", "region"],
            Says::Gap => &["year"],
            Says::Absent => &[],
        }
    }

    pub fn choice(self) -> Choice {
        match self {
            Says::Latest => Choice::Sign,
            Says::Change | Says::FemaleShare | Says::Grew => Choice::Trend,
            Says::Count | Says::List | Says::Missing | Says::Stale => Choice::Plural,
            Says::Napa => Choice::Napa,
            _ => Choice::None,
        }
    }
}

/// Slots whose value is a place, which take a form (`{country:in}`).
pub const PLACE_SLOTS: &[&str] = &["country", "list", "first", "partners", "region"];

/// What a sentence speaks of.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Subject {
    Indicator(String),
    /// Any indicator of this kind that no section's sentences name (`[generic]`).
    AnyOf(String),
    Agreements,
    Policies,
    Rcps,
    Climate,
    Gaps,
}

const SUBJECTS: &[&str] = &["agreements", "policies", "rcps", "climate", "gaps"];

impl Subject {
    fn says(&self, indicators: &BTreeMap<String, Indicator>) -> &'static [&'static str] {
        let kind = match self {
            Subject::Indicator(id) => indicators.get(id).map_or("", |i| i.kind.as_str()),
            Subject::AnyOf(kind) => kind.as_str(),
            Subject::Agreements | Subject::Policies => return &["count"],
            Subject::Rcps => return &["list"],
            Subject::Climate => return &["napa"],
            Subject::Gaps => return &["missing", "stale"],
        };
        match kind {
            "series" => &["latest", "change", "female_share"],
            "partners" => &["top"],
            _ => &["women", "children"],
        }
    }
}

/// A piece of a phrase: words, or a slot the data fill.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Piece {
    Text(String),
    Slot {
        name: String,
        form: Option<String>,
        /// Written with a capital (`{Country:the}`): the filled text starts with one.
        capital: bool,
    },
}

/// A phrase: one text, or variants by what the data show.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Phrase {
    /// `("", ..)` alone for a phrase without variants.
    pub variants: Vec<(String, Vec<Piece>)>,
}

impl Phrase {
    pub fn has(&self, key: &str) -> bool {
        self.variants.iter().any(|(v, _)| v == key)
    }

    /// The variant for `key`, else `other`, else (for a phrase without variants) the
    /// phrase itself.
    pub fn pick(&self, key: Option<&str>) -> Option<&[Piece]> {
        let find = |k: &str| {
            self.variants
                .iter()
                .find(|(v, _)| v == k)
                .map(|(_, p)| p.as_slice())
        };
        key.and_then(find)
            .or_else(|| find("other"))
            .or_else(|| find(""))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Sentence {
    pub subject: Subject,
    pub says: Says,
    pub phrase: Phrase,
}

/// How a country's name is written in a sentence: each name belongs to a class, and a
/// class gives each form (`the`, `in`, `of`) as a pattern of `{name}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Countries {
    pub default: String,
    pub forms: BTreeMap<String, BTreeMap<String, String>>,
    pub classes: BTreeMap<String, String>,
}

impl Countries {
    /// `name` (the code's name in this language) in `form`: "au Mexique".
    pub fn form(&self, code: &str, name: &str, form: &str) -> String {
        let class = self.classes.get(code).unwrap_or(&self.default);
        match self.forms.get(class).and_then(|f| f.get(form)) {
            Some(pattern) => pattern.replace("{name}", name),
            None => name.to_string(),
        }
    }

    /// Every form a class gives, and `name`.
    fn form_names(&self) -> BTreeSet<&str> {
        let mut names: BTreeSet<&str> = self
            .forms
            .values()
            .flat_map(|f| f.keys().map(String::as_str))
            .collect();
        names.insert("name");
        names
    }
}

/// The key findings' sentences, and the indicators whose ranks they may cite.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Findings {
    /// The section they are shown in (`section = "recommendations"`).
    pub section: Option<String>,
    pub rank: Vec<String>,
    pub sentences: Vec<(Says, Phrase)>,
}

impl Findings {
    pub fn phrase(&self, says: Says) -> Option<&Phrase> {
        self.sentences
            .iter()
            .find(|(s, _)| *s == says)
            .map(|(_, p)| p)
    }
}

/// One language's phrases, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Phrases {
    pub lang: String,
    /// The note under a text written from the data.
    pub note: Option<String>,
    /// Each section's sentences, in the file's order.
    pub sections: BTreeMap<String, Vec<Sentence>>,
    /// Sentences said in every section (its data gaps), after its own.
    pub every_section: Vec<Sentence>,
    /// Sentences for indicators no section names, said in the indicator's section.
    pub generic: Vec<Sentence>,
    pub findings: Findings,
    pub countries: Countries,
    /// A region's name (as profiles give it) -> form -> text.
    pub regions: BTreeMap<String, BTreeMap<String, String>>,
    /// Ordinal numbers by plural category (`one`, `two`, `few`, `other`): `{n}st`.
    pub ordinal: BTreeMap<String, String>,
    /// Indicators some section's sentences name: the generic ones are not said of them.
    pub named: BTreeSet<String>,
}

/// What phrases are checked against.
pub struct Against<'a> {
    pub indicators: &'a BTreeMap<String, Indicator>,
    pub config: &'a Config,
}

/// Every language's phrases that the theme has (`phrases/<lang>.toml`), for the site's
/// languages.
pub fn check(
    theme: &ThemeFiles,
    against: &Against,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, std::sync::Arc<Phrases>> {
    let mut all = BTreeMap::new();
    for (name, file) in theme.under("phrases/") {
        let Some(lang) = name.strip_suffix(".toml") else {
            continue;
        };
        if !against.config.languages.iter().any(|l| l == lang) {
            continue;
        }
        let Ok(text) = std::str::from_utf8(&file.bytes) else {
            diags.push(Diagnostic::error(
                &file.origin,
                None,
                "this phrase file is not UTF-8 text",
            ));
            continue;
        };
        let mut reader = FileReader {
            file: &file.origin,
            text,
            embedded: file.origin.starts_with("<embedded>"),
            against,
            diags,
        };
        if let Some(p) = reader.read(lang) {
            all.insert(lang.to_string(), std::sync::Arc::new(p));
        }
    }
    all
}

struct FileReader<'a, 'd> {
    file: &'a str,
    text: &'a str,
    embedded: bool,
    against: &'a Against<'a>,
    diags: &'d mut Vec<Diagnostic>,
}

const TOP_KEYS: &[&str] = &[
    "note",
    "sections",
    "every_section",
    "generic",
    "findings",
    "country",
    "regions",
    "ordinal",
];

const GENERIC_KINDS: &[&str] = &["series", "partners", "age_sex"];

impl FileReader<'_, '_> {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>, help: Option<String>) {
        let mut d = Diagnostic::error(self.file, Some(span), message);
        if let Some(h) = help {
            d = d.with_help(h);
        }
        self.diags.push(d);
    }

    fn unknown(&mut self, span: Range<usize>, what: &str, got: &str, known: &[&str]) {
        let help = match nearest(got, known) {
            Some(n) => format!("did you mean `{n}`? {what} is {}", one_of(known)),
            None => format!("{what} is {}", one_of(known)),
        };
        self.error(span, format!("`{got}` is not {what}"), Some(help));
    }

    fn read(&mut self, lang: &str) -> Option<Phrases> {
        let text = self.text;
        let root = toml_reader::parse(self.file, text, self.diags)?;
        let mut p = Phrases {
            lang: lang.to_string(),
            ..Phrases::default()
        };
        // Forms first: slots are checked against them.
        if let Some(v) = root.get_ref().get("country") {
            p.countries = self.countries(v);
        }
        let forms: Vec<String> = p
            .countries
            .form_names()
            .into_iter()
            .map(String::from)
            .collect();
        for (key, value) in root.get_ref() {
            let span = key.span();
            match key.get_ref().as_ref() {
                "note" => p.note = self.plain(value),
                "sections" => {
                    for (section, sentences) in self.sections(value, &forms) {
                        p.sections.insert(section, sentences);
                    }
                }
                "every_section" => {
                    p.every_section = self.subjects(value, &forms, &["gaps"]);
                }
                "generic" => p.generic = self.subjects(value, &forms, GENERIC_KINDS),
                "findings" => p.findings = self.findings(value, &forms),
                "country" => {}
                "regions" => p.regions = self.nested_strings(value),
                "ordinal" => p.ordinal = self.ordinal(value),
                other => self.unknown(span, "a key of a phrase file", other, TOP_KEYS),
            }
        }
        p.named = p
            .sections
            .values()
            .flatten()
            .filter_map(|s| match &s.subject {
                Subject::Indicator(id) => Some(id.clone()),
                _ => None,
            })
            .collect();
        Some(p)
    }

    fn table<'t, 'i>(&mut self, v: &'t Value<'i>, what: &str) -> Option<&'t Table<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => {
                self.error(v.span(), format!("{what} must be a table"), None);
                None
            }
        }
    }

    fn plain(&mut self, v: &Value<'_>) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.error(v.span(), "this must be a string", None);
                None
            }
        }
    }

    fn sections(&mut self, v: &Value<'_>, forms: &[String]) -> Vec<(String, Vec<Sentence>)> {
        let Some(t) = self.table(v, "`sections`") else {
            return Vec::new();
        };
        let known: Vec<&str> = self
            .against
            .config
            .sections
            .iter()
            .map(String::as_str)
            .collect();
        let mut out = Vec::new();
        for (key, value) in t {
            let id = key.get_ref().as_ref();
            if !known.contains(&id) {
                if !self.embedded {
                    self.unknown(key.span(), "a section of site.toml", id, &known);
                }
                continue;
            }
            let mut subjects: Vec<&str> = SUBJECTS.to_vec();
            subjects.retain(|s| *s != "gaps");
            out.push((id.to_string(), self.subjects(value, forms, &subjects)));
        }
        out
    }

    /// `subject.says = "phrase"` lines: `subjects` are the words allowed besides
    /// indicator ids (or, in `[generic]`, instead of them).
    fn subjects(&mut self, v: &Value<'_>, forms: &[String], subjects: &[&str]) -> Vec<Sentence> {
        let Some(t) = self.table(v, "this") else {
            return Vec::new();
        };
        let generic = subjects == GENERIC_KINDS;
        let mut out = Vec::new();
        for (key, value) in t {
            let name = key.get_ref().as_ref();
            let subject = match name {
                _ if generic && subjects.contains(&name) => Subject::AnyOf(name.to_string()),
                "agreements" if subjects.contains(&name) => Subject::Agreements,
                "policies" if subjects.contains(&name) => Subject::Policies,
                "rcps" if subjects.contains(&name) => Subject::Rcps,
                "climate" if subjects.contains(&name) => Subject::Climate,
                "gaps" if subjects.contains(&name) => Subject::Gaps,
                id if !generic && self.against.indicators.contains_key(id) => {
                    Subject::Indicator(id.to_string())
                }
                other => {
                    if !self.embedded || generic {
                        let mut known: Vec<&str> = subjects.to_vec();
                        if !generic {
                            known.extend(self.against.indicators.keys().map(String::as_str));
                        }
                        let what = if generic {
                            "a kind of indicator"
                        } else {
                            "an indicator id or a subject"
                        };
                        self.unknown(key.span(), what, other, &known);
                    }
                    continue;
                }
            };
            let Some(says_table) = self.table(value, &format!("`{name}`")) else {
                continue;
            };
            let allowed = subject.says(self.against.indicators);
            for (k, phrase) in says_table {
                let said = k.get_ref().as_ref();
                if !allowed.contains(&said) {
                    self.unknown(k.span(), &format!("what `{name}` can say"), said, allowed);
                    continue;
                }
                let Some(says) = sentence_kind(said) else {
                    continue;
                };
                if let Some(phrase) = self.phrase(phrase, says, forms) {
                    out.push(Sentence {
                        subject: subject.clone(),
                        says,
                        phrase,
                    });
                }
            }
        }
        out
    }

    fn findings(&mut self, v: &Value<'_>, forms: &[String]) -> Findings {
        const KEYS: &[(&str, Says)] = &[
            ("world", Says::World),
            ("region", Says::Region),
            ("change", Says::Grew),
            ("gap", Says::Gap),
            ("missing", Says::Absent),
            ("recommendations", Says::Recommendations),
        ];
        let mut f = Findings::default();
        let Some(t) = self.table(v, "`findings`") else {
            return f;
        };
        for (key, value) in t {
            let name = key.get_ref().as_ref();
            if name == "rank" {
                f.rank = self.rank_list(value);
                continue;
            }
            if name == "section" {
                let id = self.plain(value).unwrap_or_default();
                let sections = &self.against.config.sections;
                if sections.contains(&id) {
                    f.section = Some(id);
                } else if !self.embedded {
                    let known: Vec<&str> = sections.iter().map(String::as_str).collect();
                    self.unknown(value.span(), "a section of site.toml", &id, &known);
                }
                continue;
            }
            let Some((_, says)) = KEYS.iter().find(|(k, _)| *k == name) else {
                let mut known: Vec<&str> = KEYS.iter().map(|(k, _)| *k).collect();
                known.extend(["rank", "section"]);
                self.unknown(key.span(), "a key of `[findings]`", name, &known);
                continue;
            };
            if let Some(p) = self.phrase(value, *says, forms) {
                f.sentences.push((*says, p));
            }
        }
        f
    }

    fn rank_list(&mut self, v: &Value<'_>) -> Vec<String> {
        let DeValue::Array(items) = v.get_ref() else {
            self.error(v.span(), "`rank` must be an array of indicator ids", None);
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            let DeValue::String(id) = item.get_ref() else {
                self.error(item.span(), "an indicator id is a string", None);
                continue;
            };
            match self.against.indicators.get(id.as_ref()) {
                Some(i) if i.kind == "series" => out.push(id.to_string()),
                Some(_) => self.error(
                    item.span(),
                    format!("`{id}` is not a series; only series are ranked"),
                    None,
                ),
                None if self.embedded => {}
                None => {
                    let known: Vec<&str> =
                        self.against.indicators.keys().map(String::as_str).collect();
                    self.unknown(item.span(), "an indicator id", id, &known);
                }
            }
        }
        out
    }

    /// A phrase: a string, or a table of variants.
    fn phrase(&mut self, v: &Value<'_>, says: Says, forms: &[String]) -> Option<Phrase> {
        match v.get_ref() {
            DeValue::String(s) => Some(Phrase {
                variants: vec![(String::new(), self.pieces(s, v.span(), says, forms)?)],
            }),
            DeValue::Table(t) => {
                let keys = says.choice().keys();
                if keys.is_empty() {
                    self.error(
                        v.span(),
                        format!("`{}` has no variants: write one string", says.name()),
                        None,
                    );
                    return None;
                }
                let mut variants = Vec::new();
                for (k, text) in t {
                    let key = k.get_ref().as_ref();
                    if !keys.contains(&key) {
                        self.unknown(k.span(), "a variant", key, keys);
                        continue;
                    }
                    let DeValue::String(s) = text.get_ref() else {
                        self.error(text.span(), "a variant is a string", None);
                        continue;
                    };
                    if let Some(p) = self.pieces(s, text.span(), says, forms) {
                        variants.push((key.to_string(), p));
                    }
                }
                Some(Phrase { variants })
            }
            _ => {
                self.error(
                    v.span(),
                    "a phrase is a string, or a table of variants",
                    None,
                );
                None
            }
        }
    }

    /// A phrase's text in pieces, each slot checked; errors point at the slot.
    fn pieces(
        &mut self,
        s: &str,
        span: Range<usize>,
        says: Says,
        forms: &[String],
    ) -> Option<Vec<Piece>> {
        let raw = self.text.get(span.clone()).unwrap_or("");
        let mut found_in_raw = 0;
        let mut at_raw = |slot: &str| -> Range<usize> {
            match raw[found_in_raw..].find(slot) {
                Some(i) => {
                    let start = span.start + found_in_raw + i;
                    found_in_raw += i + slot.len();
                    start..start + slot.len()
                }
                None => span.clone(),
            }
        };
        let mut pieces = Vec::new();
        let mut rest = s;
        let mut ok = true;
        while let Some(open) = rest.find(['{', '}']) {
            if open > 0 {
                pieces.push(Piece::Text(rest[..open].to_string()));
            }
            let Some(close) = rest[open..]
                .find('}')
                .filter(|_| rest[open..].starts_with('{'))
            else {
                let at = at_raw(&rest[open..open + 1]);
                self.error(
                    at,
                    "a brace that opens or closes no slot",
                    Some("slots are written `{value}`; the text itself has no braces".into()),
                );
                return None;
            };
            let inner = &rest[open + 1..open + close];
            let at = at_raw(&rest[open..=open + close]);
            rest = &rest[open + close + 1..];
            match self.slot(inner, at, says, forms) {
                Some(p) => pieces.push(p),
                None => ok = false,
            }
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_string()));
        }
        ok.then_some(pieces)
    }

    fn slot(
        &mut self,
        inner: &str,
        at: Range<usize>,
        says: Says,
        forms: &[String],
    ) -> Option<Piece> {
        let (name, form) = match inner.split_once(':') {
            Some((n, f)) => (n.trim(), Some(f.trim())),
            None => (inner.trim(), None),
        };
        let capital = name.chars().next().is_some_and(char::is_uppercase);
        let lower = lower_first(name);
        let mut known: Vec<&str> = COMMON.to_vec();
        known.extend(says.slots());
        if !known.contains(&lower.as_str()) {
            self.unknown(at, &format!("a slot of `{}`", says.name()), name, &known);
            return None;
        }
        if let Some(f) = form {
            if !PLACE_SLOTS.contains(&lower.as_str()) {
                self.error(
                    at,
                    format!("`{{{name}}}` is not a place, so it takes no form"),
                    Some(format!("forms are for {}", one_of(PLACE_SLOTS))),
                );
                return None;
            }
            if !forms.iter().any(|k| k == f) {
                let known: Vec<&str> = forms.iter().map(String::as_str).collect();
                self.unknown(at, "a form of `[country.forms]`", f, &known);
                return None;
            }
        }
        Some(Piece::Slot {
            name: lower,
            form: form.map(String::from),
            capital,
        })
    }

    fn countries(&mut self, v: &Value<'_>) -> Countries {
        let mut c = Countries::default();
        let Some(t) = self.table(v, "`country`") else {
            return c;
        };
        for (key, value) in t {
            match key.get_ref().as_ref() {
                "default" => c.default = self.plain(value).unwrap_or_default(),
                "forms" => c.forms = self.nested_strings(value),
                "classes" => {
                    let Some(classes) = self.table(value, "`classes`") else {
                        continue;
                    };
                    for (class, codes) in classes {
                        for code in self.codes(codes) {
                            let class = class.get_ref().to_string();
                            if let Some(before) = c.classes.insert(code.value.clone(), class) {
                                self.error(
                                    code.span,
                                    format!("`{}` is also in the class `{before}`", code.value),
                                    None,
                                );
                            }
                        }
                    }
                }
                other => self.unknown(
                    key.span(),
                    "a key of `[country]`",
                    other,
                    &["default", "forms", "classes"],
                ),
            }
        }
        let classes: BTreeSet<&String> = c.classes.values().collect();
        for class in classes.into_iter().chain(std::iter::once(&c.default)) {
            if !c.forms.contains_key(class) {
                self.error(
                    v.span(),
                    format!("the class `{class}` has no forms in `[country.forms]`"),
                    None,
                );
            }
        }
        c
    }

    fn codes(&mut self, v: &Value<'_>) -> Vec<toml_reader::Sp<String>> {
        let DeValue::Array(items) = v.get_ref() else {
            self.error(v.span(), "a class is an array of codes", None);
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            match item.get_ref() {
                DeValue::String(s) if s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase()) => {
                    out.push(toml_reader::Sp::new(s.to_string(), item.span()));
                }
                _ => self.error(
                    item.span(),
                    "a country is written by its code, three capital letters",
                    None,
                ),
            }
        }
        out
    }

    /// `[a] b = "text"` tables, as name -> key -> text.
    fn nested_strings(&mut self, v: &Value<'_>) -> BTreeMap<String, BTreeMap<String, String>> {
        let mut out = BTreeMap::new();
        let Some(t) = self.table(v, "this") else {
            return out;
        };
        for (key, value) in t {
            let Some(inner) = self.table(value, &format!("`{}`", key.get_ref())) else {
                continue;
            };
            let mut forms = BTreeMap::new();
            for (k, text) in inner {
                if let Some(s) = self.plain(text) {
                    forms.insert(k.get_ref().to_string(), s);
                }
            }
            out.insert(key.get_ref().to_string(), forms);
        }
        out
    }

    fn ordinal(&mut self, v: &Value<'_>) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let Some(t) = self.table(v, "`ordinal`") else {
            return out;
        };
        let keys = Choice::Plural.keys();
        for (key, value) in t {
            let k = key.get_ref().as_ref();
            if !keys.contains(&k) {
                self.unknown(key.span(), "a plural category", k, keys);
                continue;
            }
            if let Some(s) = self.plain(value) {
                out.insert(k.to_string(), s);
            }
        }
        out
    }
}

fn sentence_kind(name: &str) -> Option<Says> {
    Says::ALL
        .iter()
        .find(|(n, s)| *n == name && !matches!(s, Says::Grew | Says::Absent))
        .map(|(_, s)| *s)
}

/// `Country` -> `country`.
fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The sentences of the default language's phrases that another language's lack,
/// as `section.subject.says` keys: what `check` lists as missing translations.
pub fn missing_in(english: &Phrases, other: &Phrases) -> Vec<String> {
    let keys = |p: &Phrases| -> BTreeSet<String> {
        let mut keys = BTreeSet::new();
        for (section, sentences) in &p.sections {
            for s in sentences {
                keys.insert(format!(
                    "{section}.{}.{}",
                    subject_name(&s.subject),
                    s.says.name()
                ));
            }
        }
        for s in p.every_section.iter().chain(&p.generic) {
            keys.insert(format!("{}.{}", subject_name(&s.subject), s.says.name()));
        }
        for (says, _) in &p.findings.sentences {
            keys.insert(format!("findings.{}", says.name()));
        }
        keys
    };
    let theirs = keys(other);
    keys(english)
        .into_iter()
        .filter(|k| !theirs.contains(k))
        .collect()
}

fn subject_name(s: &Subject) -> &str {
    match s {
        Subject::Indicator(id) | Subject::AnyOf(id) => id,
        Subject::Agreements => "agreements",
        Subject::Policies => "policies",
        Subject::Rcps => "rcps",
        Subject::Climate => "climate",
        Subject::Gaps => "gaps",
    }
}
