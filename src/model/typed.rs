//! Numbers typed into hand narratives, held against the profile's own tables. A text
//! that says "Net migration in 2024 was -104,000" while the table has -104,581 for 2024
//! has drifted from its data: that is a warning at the number, with the table's value.
//!
//! Which datum a typed number means is not written down, so it is inferred, and
//! inferred cautiously: a number is fine when any value of the profile for a year its
//! sentence names rounds to it; it is a warning only when no value does and the nearest
//! one, for the year written closest to it, is within a fifth of it. Sums over a span
//! of years ("between 2008 and 2023") are no single year's value and are left alone.

use std::collections::BTreeMap;
use std::ops::Range;

use super::sentences::{masked, sentences};
use super::{Indicator, Profile};
use crate::diagnostics::Diagnostic;
use crate::load::profile::RawProfile;

/// How far a typed number may sit from the datum it is taken to mean: nearer is a
/// datum typed wrong or left behind by new data; farther is some other number.
const NEAR: f64 = 0.2;

/// A number as a text types it.
#[derive(Debug, Clone, PartialEq)]
struct Typed {
    /// Where it stands in the text, its scale word and per cent sign included.
    span: Range<usize>,
    value: f64,
    /// The step it was rounded to: 0.01 M for "1.73 million", 1,000 for "12,000".
    step: f64,
    percent: bool,
    signed: bool,
}

/// A value of the profile a typed number may mean.
#[derive(Debug, Clone, PartialEq)]
struct Datum {
    indicator: String,
    /// `female_share`, `female`, `male`, a partner's code, or empty for the value.
    measure: String,
    value: f64,
    percent: bool,
}

/// The drifted numbers of one profile's hand narratives, as warnings. They read the
/// profile's own file and tables only, so a session keeps them with its check.
pub fn check(
    raw: &RawProfile,
    p: &Profile,
    indicators: &BTreeMap<String, Indicator>,
    file_text: &str,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for (_, by_lang) in &raw.narrative {
        for (lang, text) in by_lang {
            for (typed, year, datum) in drifts(&text.value, &lang.value, p, indicators) {
                let token = &text.value[typed.span.clone()];
                let at = file_text
                    .get(text.span.start + typed.span.start..text.span.end)
                    .and_then(|rest| rest.find(token))
                    .map(|i| {
                        let start = text.span.start + typed.span.start + i;
                        start..start + token.len()
                    })
                    .unwrap_or_else(|| text.span.clone());
                let full = typed.step <= 1.0 && !typed.percent;
                let found = Found {
                    token,
                    year,
                    datum: &datum,
                    full,
                };
                diags.push(warning(&raw.file, at, &found, p));
            }
        }
    }
    diags
}

/// A drifted number: as typed, the year it is for, the datum it is taken to mean, and
/// whether it was typed with every digit.
struct Found<'a> {
    token: &'a str,
    year: i32,
    datum: &'a Datum,
    full: bool,
}

fn warning(file: &str, at: Range<usize>, found: &Found, p: &Profile) -> Diagnostic {
    let Found {
        token,
        year,
        datum: d,
        full,
    } = *found;
    let table = format!("`{}`", d.indicator);
    let (what, help) = match d.measure.as_str() {
        "" | "female" | "male" | "female_share" => {
            let mut measure = if d.measure.is_empty() {
                String::new()
            } else {
                format!(", measure=\"{}\"", d.measure)
            };
            if full {
                measure.push_str(", format=\"full\"");
            }
            let of = if d.measure.is_empty() {
                table.clone()
            } else {
                format!("{table} ({})", d.measure.replace('_', " "))
            };
            (
                of,
                format!(
                    "correct the number, or write {{{{ value(\"{}\", {year}{measure}) }}}} and the text follows the data",
                    d.indicator
                ),
            )
        }
        partner => (
            format!("{table} for `{partner}`"),
            "correct the number to the table's".to_string(),
        ),
    };
    Diagnostic::warning(
        file,
        Some(at),
        format!(
            "this text types {token} for {year}, but the table of {what} in `{}` has {} for {year}",
            p.iso3,
            plain(d.value, d.percent)
        ),
    )
    .with_help(help)
}

/// A value as a warning shows it: every digit, English marks, as in the TOML file.
fn plain(v: f64, percent: bool) -> String {
    if percent || v.fract() != 0.0 {
        return format!("{v:.2}{}", if percent { " %" } else { "" });
    }
    crate::diagnostics::digits(v)
}

/// The typed numbers of a text that drift from the profile's data, each with the year
/// and the datum it is taken to mean.
fn drifts(
    text: &str,
    lang: &str,
    p: &Profile,
    indicators: &BTreeMap<String, Indicator>,
) -> Vec<(Typed, i32, Datum)> {
    let masked = masked(text);
    let mut out = Vec::new();
    for sentence in sentences(&masked) {
        let part = &masked[sentence.clone()];
        let numbers = numbers(part, lang);
        let years = years(part, &numbers);
        if years.is_empty() {
            continue;
        }
        let of_year: Vec<Vec<Datum>> = years.iter().map(|(y, _)| data(p, indicators, *y)).collect();
        for n in numbers.iter().filter(|n| checked(n, &years)) {
            let means = |d: &Datum| d.percent == n.percent && rounds_to(n, d.value);
            if of_year.iter().flatten().any(means) {
                continue;
            }
            let (nearest, _) = years
                .iter()
                .enumerate()
                .min_by_key(|(_, (_, at))| distance(at, &n.span))
                .expect("years is not empty");
            let closest = of_year[nearest]
                .iter()
                .filter(|d| d.percent == n.percent && d.value != 0.0)
                .map(|d| (off_by(n, d.value), d))
                .filter(|(off, _)| *off <= NEAR)
                .min_by(|a, b| a.0.total_cmp(&b.0));
            if let Some((_, d)) = closest {
                let span = sentence.start + n.span.start..sentence.start + n.span.end;
                out.push((Typed { span, ..n.clone() }, years[nearest].0, d.clone()));
            }
        }
    }
    out
}

/// A number worth holding against the data: not a year, and not a small count such
/// as "the 15 largest", which any table may hold by chance.
fn checked(n: &Typed, years: &[(i32, Range<usize>)]) -> bool {
    !years.iter().any(|(_, at)| *at == n.span) && (n.percent || n.value.abs() >= 1000.0)
}

fn compared(n: &Typed, v: f64) -> f64 {
    if n.signed { v } else { v.abs() }
}

fn rounds_to(n: &Typed, v: f64) -> bool {
    (compared(n, v) - n.value).abs() <= n.step / 2.0 * (1.0 + 1e-9) + 1e-9
}

fn off_by(n: &Typed, v: f64) -> f64 {
    (compared(n, v) - n.value).abs() / v.abs()
}

fn distance(a: &Range<usize>, b: &Range<usize>) -> usize {
    if a.end <= b.start {
        b.start - a.end
    } else {
        a.start.saturating_sub(b.end)
    }
}

/// Every value of the profile for one year: series (with their split by sex), and
/// partner tables of that year.
fn data(p: &Profile, indicators: &BTreeMap<String, Indicator>, year: i32) -> Vec<Datum> {
    let mut out = Vec::new();
    let datum = |indicator: &str, measure: &str, value: f64, percent: bool| Datum {
        indicator: indicator.to_string(),
        measure: measure.to_string(),
        value,
        percent,
    };
    for (id, s) in &p.series {
        let Some(point) = s.points.get(&year) else {
            continue;
        };
        let percent = indicators.get(id).is_some_and(|i| i.unit == "percent");
        out.push(datum(id, "", point.value, percent));
        for (measure, v) in [("female", point.female), ("male", point.male)] {
            if let Some(v) = v {
                out.push(datum(id, measure, v, percent));
            }
        }
        if let Some(f) = point.female.filter(|_| point.value != 0.0 && !percent) {
            out.push(datum(id, "female_share", f / point.value * 100.0, true));
        }
    }
    for (id, t) in p.partners.iter().filter(|(_, t)| t.year == year) {
        for (code, v) in &t.values {
            out.push(datum(id, code, *v, false));
        }
    }
    out
}

/// The years a sentence names, each where it stands, without those that bound a span
/// ("between 2008 and 2023", "1990–2024").
fn years(text: &str, numbers: &[Typed]) -> Vec<(i32, Range<usize>)> {
    let all: Vec<(i32, Range<usize>)> = numbers
        .iter()
        .filter(|n| {
            let token = &text[n.span.clone()];
            token.len() == 4 && token.bytes().all(|b| b.is_ascii_digit())
        })
        .map(|n| (n.value as i32, n.span.clone()))
        .filter(|(y, _)| (1900..=2100).contains(y))
        .collect();
    let joins = |between: &str| {
        let w = between.trim().to_lowercase();
        matches!(
            w.as_str(),
            "-" | "–"
                | "—"
                | "to"
                | "and"
                | "until"
                | "through"
                | "et"
                | "à"
                | "au"
                | "y"
                | "a"
                | "al"
                | "hasta"
        )
    };
    let spanned: Vec<bool> = (0..all.len())
        .map(|i| {
            let before = i > 0 && joins(&text[all[i - 1].1.end..all[i].1.start]);
            let after = i + 1 < all.len() && joins(&text[all[i].1.end..all[i + 1].1.start]);
            before || after
        })
        .collect();
    all.into_iter()
        .zip(spanned)
        .filter(|(_, s)| !s)
        .map(|(y, _)| y)
        .collect()
}

/// Marks of a language: the group separators and the decimal mark.
fn marks(lang: &str) -> (&'static [char], char) {
    match lang.split('-').next().unwrap_or(lang) {
        "fr" => (&[' ', '\u{a0}', '\u{202f}'], ','),
        "es" | "de" | "it" | "pt" => (&['.', '\u{a0}', '\u{202f}'], ','),
        _ => (&[','], '.'),
    }
}

/// Scale words after a number, longest first, with their power of ten.
fn scales(lang: &str) -> &'static [(&'static str, i32)] {
    match lang.split('-').next().unwrap_or(lang) {
        "fr" => &[
            ("milliards", 9),
            ("milliard", 9),
            ("millions", 6),
            ("million", 6),
            ("Md", 9),
            ("M", 6),
            ("k", 3),
        ],
        "es" => &[
            ("mil millones", 9),
            ("mil M", 9),
            ("millones", 6),
            ("millón", 6),
            ("M", 6),
            ("mil", 3),
        ],
        _ => &[
            ("billion", 9),
            ("million", 6),
            ("thousand", 3),
            ("bn", 9),
            ("M", 6),
            ("k", 3),
        ],
    }
}

/// Every number of a text, as its language writes them.
fn numbers(text: &str, lang: &str) -> Vec<Typed> {
    let (groups, decimal) = marks(lang);
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        let prev = i.checked_sub(1).map(|j| chars[j].1);
        let sign = matches!(c, '-' | '+' | '−')
            && chars.get(i + 1).is_some_and(|(_, d)| d.is_ascii_digit());
        // A digit after a group mark after a digit is inside a number the scan passed.
        let grouped = prev.is_some_and(|p| groups.contains(&p))
            && i.checked_sub(2)
                .is_some_and(|j| chars[j].1.is_ascii_digit());
        let begins = (c.is_ascii_digit() || sign)
            && !grouped
            && !prev.is_some_and(|p| p.is_alphanumeric() || p == decimal);
        if !begins {
            i += 1;
            continue;
        }
        let (n, next) = number_at(text, &chars, i, groups, decimal, lang);
        if let Some(n) = n {
            out.push(n);
        }
        i = next.max(i + 1);
    }
    out
}

/// The number starting at `chars[i]`, and where scanning goes on.
fn number_at(
    text: &str,
    chars: &[(usize, char)],
    i: usize,
    groups: &[char],
    decimal: char,
    lang: &str,
) -> (Option<Typed>, usize) {
    let start = chars[i].0;
    let digit = |k: usize| chars.get(k).is_some_and(|(_, c)| c.is_ascii_digit());
    let mut k = i;
    let negative = matches!(chars[k].1, '-' | '−');
    let signed = !chars[k].1.is_ascii_digit();
    if signed {
        k += 1;
    }
    let mut int = String::new();
    while k < chars.len() {
        let c = chars[k].1;
        if c.is_ascii_digit() {
            int.push(c);
            k += 1;
        } else if groups.contains(&c) && (1..=3).all(|d| digit(k + d)) && !digit(k + 4) {
            k += 1;
        } else {
            break;
        }
    }
    let mut frac = String::new();
    if chars.get(k).is_some_and(|(_, c)| *c == decimal) && digit(k + 1) {
        k += 1;
        while digit(k) {
            frac.push(chars[k].1);
            k += 1;
        }
    }
    let mut end = chars.get(k).map_or(text.len(), |(b, _)| *b);
    let mut power = 0;
    let rest = &text[end..];
    let gap = rest.len() - rest.trim_start_matches([' ', '\u{a0}', '\u{202f}']).len();
    let after = &rest[gap..];
    if let Some((word, p)) = scales(lang)
        .iter()
        .find(|(w, _)| after.starts_with(w) && !after[w.len()..].starts_with(char::is_alphanumeric))
    {
        power = *p;
        end += gap + word.len();
    }
    let rest = &text[end..];
    let gap = rest.len() - rest.trim_start_matches([' ', '\u{a0}', '\u{202f}']).len();
    let percent = rest[gap..].starts_with('%');
    if percent {
        end += gap + 1;
    }
    // Parsed with its power of ten, so "67,6 mil millones" is exactly 67.6e9.
    let sign = if negative { "-" } else { "" };
    let frac_or_zero = if frac.is_empty() { "0" } else { &frac };
    let Ok(value) = format!("{sign}{int}.{frac_or_zero}e{power}").parse::<f64>() else {
        return (None, k.max(i + 1));
    };
    let significant = int.trim_start_matches('0');
    let zeros = if frac.is_empty() {
        significant.len() - significant.trim_end_matches('0').len()
    } else {
        0
    };
    let step = 10f64.powi(zeros as i32 - frac.len() as i32 + power);
    let next = chars
        .iter()
        .position(|(b, _)| *b >= end)
        .unwrap_or(chars.len());
    let typed = Typed {
        span: start..end,
        value,
        step,
        percent,
        signed,
    };
    (Some(typed), next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str, lang: &str) -> Vec<(f64, f64, bool)> {
        numbers(text, lang)
            .into_iter()
            .map(|n| (n.value, n.step, n.percent))
            .collect()
    }

    #[test]
    fn numbers_are_read_as_each_language_writes_them() {
        assert_eq!(
            values("In 2024, 1.73 million; -104,581 and 48% of 12,000.", "en"),
            vec![
                (2024.0, 1.0, false),
                (1_730_000.0, 10_000.0, false),
                (-104_581.0, 1.0, false),
                (48.0, 1.0, true),
                (12_000.0, 1000.0, false)
            ]
        );
        assert_eq!(
            values("2,68 millions ; 823\u{202f}502 ; 47,3 %", "fr"),
            vec![
                (2_680_000.0, 10_000.0, false),
                (823_502.0, 1.0, false),
                (47.3, 0.1, true)
            ]
        );
        assert_eq!(
            values("67,6 mil millones; 823.502; 1,25 millones", "es"),
            vec![
                (67_600_000_000.0, 100_000_000.0, false),
                (823_502.0, 1.0, false),
                (1_250_000.0, 10_000.0, false)
            ]
        );
    }

    #[test]
    fn years_that_bound_a_span_are_not_named_years() {
        let text = "18.84 million between 2008 and 2023, and 4.4 million in 2020";
        let ys: Vec<i32> = years(text, &numbers(text, "en"))
            .into_iter()
            .map(|y| y.0)
            .collect();
        assert_eq!(ys, vec![2020]);
        let text = "entre 2008 y 2023; 1990–2024; en 2010";
        let ys: Vec<i32> = years(text, &numbers(text, "es"))
            .into_iter()
            .map(|y| y.0)
            .collect();
        assert_eq!(ys, vec![2010]);
    }

    #[test]
    fn calls_and_code_are_not_typed_numbers() {
        let text = "In 2024, {{ value(\"migrant_stock\", 2024) }} and `1,234,567` lived there.";
        let m = masked(text);
        assert_eq!(m.len(), text.len());
        assert_eq!(values(&m, "en"), vec![(2024.0, 1.0, false)]);
    }

    #[test]
    fn values_are_shown_with_every_digit() {
        assert_eq!(plain(-104_581.0, false), "-104,581");
        assert_eq!(plain(47.34, true), "47.34 %");
        assert_eq!(plain(950.0, false), "950");
    }

    proptest::proptest! {
        /// Any text, in any of the languages: no panic, and every number's span is
        /// whole characters of the text, so a warning can show it.
        #[test]
        fn any_text_reads_without_panic(
            text in "[0-9 ,.%\u{a0}\u{202f}a-zé{}`$MkmilónesbMd-]{0,60}",
            lang in proptest::sample::select(vec!["en", "fr", "es"]),
        ) {
            let m = masked(&text);
            proptest::prop_assert_eq!(m.len(), text.len());
            for n in numbers(&m, lang) {
                proptest::prop_assert!(text.get(n.span.clone()).is_some());
            }
            for s in sentences(&m) {
                let part = &m[s];
                let _ = years(part, &numbers(part, lang));
            }
        }
    }
}
