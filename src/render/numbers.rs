//! Numbers for people, per language: grouping and decimal marks from CLDR (ICU4X), and
//! compact forms for key figures ("1.73 M", "US$ 67.6 bn", "0.93 %").

use std::str::FromStr;

use icu_decimal::DecimalFormatter;
use icu_decimal::input::Decimal;
use icu_locale_core::Locale;

/// The words and patterns of compact numbers in one language (from the theme's i18n).
#[derive(Debug, Clone)]
pub struct CompactWords {
    pub thousand: String,
    pub million: String,
    pub billion: String,
    /// A pattern with `{n}`: "US$ {n}".
    pub usd: String,
    pub percent: String,
    pub per_1000: String,
}

impl Default for CompactWords {
    /// The English words, which a theme's missing keys fall back to.
    fn default() -> Self {
        CompactWords {
            thousand: "k".into(),
            million: "M".into(),
            billion: "bn".into(),
            usd: "US$ {n}".into(),
            percent: "{n} %".into(),
            per_1000: "{n} ‰".into(),
        }
    }
}

/// Number formatting for one language. ICU's formatter is not `Sync`, so each worker
/// thread keeps its own, made on first use.
pub struct Numbers {
    lang: String,
    words: CompactWords,
    /// The language's way of writing numbers, when it is one `Shape` can write.
    shape: Option<Shape>,
}

/// How a language writes a decimal number: its digits, minus sign, decimal mark and
/// grouping. Learnt from ICU's own output and kept only when it writes every probe
/// exactly as ICU does, so that tables of thousands of numbers are written without
/// going through ICU number by number (a tenth of a build's time otherwise).
#[derive(Debug, Clone)]
struct Shape {
    digits: [String; 10],
    minus: (String, String),
    decimal: String,
    group: String,
    primary: usize,
    secondary: usize,
    /// Grouping starts at `primary + min_grouping` integer digits (Spanish: 2).
    min_grouping: usize,
}

impl Shape {
    /// The most decimal places the probes check, and so the most it writes.
    const PLACES: usize = 3;

    fn learn(icu: &DecimalFormatter) -> Option<Shape> {
        let fmt = |n: i64, places: i16| {
            let mut d = Decimal::from(n);
            d.multiply_pow10(-places);
            icu.format(&d).to_string()
        };
        let digits: [String; 10] = std::array::from_fn(|d| fmt(d as i64, 0));
        if digits.iter().any(|d| d.chars().count() != 1) {
            return None;
        }
        let negative = fmt(-1, 0);
        let (before, after) = negative.split_once(digits[1].as_str())?;
        let minus = (before.to_string(), after.to_string());
        let decimal = fmt(15, 1)
            .strip_prefix(digits[1].as_str())?
            .strip_suffix(digits[5].as_str())?
            .to_string();
        // Groups of the integer part of a long number, from the right.
        let long = fmt(1_234_567_890_123_456, 0);
        let is_digit = |c: char| digits.iter().any(|d| d.starts_with(c));
        let mut groups: Vec<usize> = Vec::new();
        let mut separators: Vec<String> = Vec::new();
        let mut in_digits = false;
        for c in long.chars() {
            if is_digit(c) {
                if in_digits {
                    *groups.last_mut()? += 1;
                } else {
                    groups.push(1);
                    in_digits = true;
                }
            } else {
                if groups.is_empty() {
                    return None;
                }
                if in_digits {
                    separators.push(String::new());
                    in_digits = false;
                }
                separators.last_mut()?.push(c);
            }
        }
        if !in_digits {
            return None;
        }
        let group = separators.first().cloned().unwrap_or_default();
        if separators.iter().any(|s| *s != group) {
            return None;
        }
        let primary = *groups.last()?;
        let secondary = if groups.len() > 2 {
            groups[groups.len() - 2]
        } else {
            primary
        };
        let min_grouping = (1..=8)
            .find(|k| fmt(10i64.pow((primary + k - 1) as u32), 0).chars().count() > primary + k)
            .unwrap_or(1);
        let shape = Shape {
            digits,
            minus,
            decimal,
            group,
            primary,
            secondary,
            min_grouping,
        };
        // Every length of integer part, every number of places used, both signs, and
        // numbers smaller than their last place.
        let probe = "1234567890123456";
        for places in 0..=Self::PLACES as i16 {
            for len in 1..=probe.len() {
                let n: i64 = probe[..len].parse().ok()?;
                for n in [n, -n] {
                    if shape.format(n, places as usize) != fmt(n, places) {
                        return None;
                    }
                }
            }
            if shape.format(0, places as usize) != fmt(0, places) {
                return None;
            }
        }
        Some(shape)
    }

    /// `n` × 10^-places.
    fn format(&self, n: i64, places: usize) -> String {
        let mut text = itoa::Buffer::new();
        let ascii = text.format(n.unsigned_abs());
        let padded;
        let ascii = if ascii.len() <= places {
            padded = format!("{ascii:0>width$}", width = places + 1);
            padded.as_str()
        } else {
            ascii
        };
        let (int, frac) = ascii.split_at(ascii.len() - places);
        let mut out = String::with_capacity(2 * ascii.len() + 8);
        if n < 0 {
            out.push_str(&self.minus.0);
        }
        let grouped = int.len() >= self.primary + self.min_grouping;
        for (i, b) in int.bytes().enumerate() {
            let left = int.len() - i;
            if grouped
                && i > 0
                && left >= self.primary
                && (left - self.primary).is_multiple_of(self.secondary)
            {
                out.push_str(&self.group);
            }
            out.push_str(&self.digits[(b - b'0') as usize]);
        }
        if places > 0 {
            out.push_str(&self.decimal);
            for b in frac.bytes() {
                out.push_str(&self.digits[(b - b'0') as usize]);
            }
        }
        if n < 0 {
            out.push_str(&self.minus.1);
        }
        out
    }
}

thread_local! {
    static FORMATTERS: std::cell::RefCell<std::collections::BTreeMap<String, DecimalFormatter>> =
        const { std::cell::RefCell::new(std::collections::BTreeMap::new()) };
}

fn formatter_for(lang: &str) -> DecimalFormatter {
    let locale = Locale::from_str(lang).unwrap_or(Locale::UNKNOWN);
    DecimalFormatter::try_new((&locale).into(), Default::default())
        .or_else(|_| DecimalFormatter::try_new(Default::default(), Default::default()))
        .expect("the root locale's decimal data is compiled in")
}

/// The fewest decimal places, up to `max`, that show `v` as exactly as `max` would.
fn needed_places(v: f64, max: usize) -> usize {
    (0..max)
        .find(|p| {
            let f = 10f64.powi(*p as i32);
            let g = 10f64.powi(max as i32);
            ((v * f).round() / f - (v * g).round() / g).abs() < 0.5 / g
        })
        .unwrap_or(max)
}

/// Decimal places a unit is shown with in tables.
fn decimals(unit: &str) -> usize {
    match unit {
        "persons" | "count" | "usd" => 0,
        "percent" => 2,
        _ => 1,
    }
}

impl Numbers {
    pub fn new(lang: &str, words: CompactWords) -> Self {
        Numbers {
            lang: lang.to_string(),
            words,
            shape: Shape::learn(&formatter_for(lang)),
        }
    }

    /// `v` rounded to `places` decimals, with the language's separators.
    pub fn decimal(&self, v: f64, places: usize) -> String {
        let scaled = (v * 10f64.powi(places as i32)).round();
        if let Some(shape) = &self.shape
            && places <= Shape::PLACES
            && scaled.is_finite()
            && scaled.abs() < 9.0e15
        {
            return shape.format(scaled as i64, places);
        }
        let decimal = if scaled.is_finite() && scaled.abs() < 9.0e15 {
            // An integer count of the last place: no text round trip, and `-0` cannot occur.
            let mut d = Decimal::from(scaled as i64);
            d.multiply_pow10(-(places as i16));
            d
        } else {
            match Decimal::from_str(&format!("{v:.places$}")) {
                Ok(d) => d,
                Err(_) => return format!("{v:.places$}"),
            }
        };
        FORMATTERS.with(|cell| {
            let mut map = cell.borrow_mut();
            if !map.contains_key(&self.lang) {
                map.insert(self.lang.clone(), formatter_for(&self.lang));
            }
            map[&self.lang].format(&decimal).to_string()
        })
    }

    /// A value in full, as in a table: "1,726,089", "0.93", "67,637,913,798".
    pub fn full(&self, v: f64, unit: &str) -> String {
        self.decimal(v, decimals(unit))
    }

    /// A value with its unit, in full: "1,726,089", "US$ 67,637,913,798", "0.93 %".
    pub fn with_unit(&self, v: f64, unit: &str) -> String {
        self.unit_pattern(self.full(v, unit), unit)
    }

    fn unit_pattern(&self, n: String, unit: &str) -> String {
        match unit {
            "usd" => self.words.usd.replace("{n}", &n),
            "percent" => self.words.percent.replace("{n}", &n),
            "per_1000" => self.words.per_1000.replace("{n}", &n),
            _ => n,
        }
    }

    /// A short form for key figures: three significant digits and a magnitude word.
    pub fn compact(&self, v: f64, unit: &str) -> String {
        self.compact_with(v, unit, false)
    }

    /// A compact axis label: no more decimals than the value needs ("1.5 M", "2 M").
    pub fn tick(&self, v: f64, unit: &str) -> String {
        self.compact_with(v, unit, true)
    }

    fn compact_with(&self, v: f64, unit: &str, trim: bool) -> String {
        let a = v.abs();
        let (scaled, word) = if a >= 1e9 {
            (v / 1e9, Some(&self.words.billion))
        } else if a >= 1e6 {
            (v / 1e6, Some(&self.words.million))
        } else if a >= 1e4 && unit != "percent" {
            (v / 1e3, Some(&self.words.thousand))
        } else {
            (v, None)
        };
        let n = match word {
            Some(w) => {
                let s = scaled.abs();
                let places = if s >= 100.0 {
                    0
                } else if s >= 10.0 {
                    1
                } else {
                    2
                };
                let places = if trim {
                    needed_places(scaled, places)
                } else {
                    places
                };
                format!("{} {w}", self.decimal(scaled, places))
            }
            None => {
                let places = match unit {
                    "persons" | "count" | "usd" => 0,
                    _ if a >= 100.0 => 0,
                    _ if a >= 10.0 => 1,
                    _ => 2,
                };
                let places = if trim {
                    needed_places(scaled, places)
                } else {
                    places
                };
                self.decimal(scaled, places)
            }
        };
        self.unit_pattern(n, unit)
    }

    /// A number as data: shortest round-trip text, no grouping (CSV and JSON).
    pub fn plain(v: f64) -> String {
        if v.fract() == 0.0 && v.abs() < 1e15 {
            format!("{}", v as i64)
        } else {
            format!("{v}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> CompactWords {
        CompactWords::default()
    }

    #[test]
    fn english_and_french_grouping() {
        let en = Numbers::new("en", words());
        assert_eq!(en.full(1726089.0, "persons"), "1,726,089");
        assert_eq!(en.full(-147456.0, "persons"), "-147,456");
        assert_eq!(en.with_unit(0.9285, "percent"), "0.93 %");
        let fr = Numbers::new("fr", words());
        assert_eq!(fr.full(1726089.0, "persons"), "1\u{202f}726\u{202f}089");
        assert_eq!(fr.compact(1_726_089.0, "persons"), "1,73 M");
    }

    #[test]
    fn compact_key_figures() {
        let en = Numbers::new("en", words());
        assert_eq!(en.compact(1_726_089.0, "persons"), "1.73 M");
        assert_eq!(en.compact(67_637_913_797.0, "usd"), "US$ 67.6 bn");
        assert_eq!(en.compact(87_212.0, "persons"), "87.2 k");
        assert_eq!(en.compact(3.21, "percent"), "3.21 %");
        assert_eq!(en.compact(950.0, "persons"), "950");
        assert_eq!(en.compact(-0.0001, "percent"), "0.00 %");
    }

    #[test]
    fn ticks_drop_needless_decimals() {
        let en = Numbers::new("en", words());
        assert_eq!(en.tick(2_000_000.0, "persons"), "2 M");
        assert_eq!(en.tick(1_500_000.0, "persons"), "1.5 M");
        assert_eq!(en.tick(500_000.0, "persons"), "500 k");
        assert_eq!(en.tick(2.5, "percent"), "2.5 %");
        assert_eq!(en.tick(-100_000.0, "persons"), "-100 k");
    }

    /// Languages with other digits, marks, signs and groupings (Indian, Spanish's
    /// minimum of two).
    const LANGS: [&str; 16] = [
        "en", "fr", "es", "ar", "fa", "hi", "bn", "en-IN", "de", "de-CH", "ru", "pt", "zh", "he",
        "ur", "my",
    ];

    #[test]
    fn shapes_are_learnt_for_common_languages() {
        for lang in LANGS {
            let shape = Shape::learn(&formatter_for(lang));
            assert!(shape.is_some(), "{lang}: no shape");
        }
        let en_in = Shape::learn(&formatter_for("en-IN")).unwrap();
        assert_eq!((en_in.primary, en_in.secondary), (3, 2));
        let es = Shape::learn(&formatter_for("es")).unwrap();
        assert_eq!(es.min_grouping, 2);
    }

    proptest::proptest! {
        #[test]
        fn shapes_write_what_icu_writes(
            lang in proptest::sample::select(LANGS.to_vec()),
            n in -9_000_000_000_000_000i64..9_000_000_000_000_000,
            digits in 1u32..17,
            places in 0usize..4,
        ) {
            // Numbers of every length, not only long ones.
            let n = n % 10i64.pow(digits);
            let icu = formatter_for(lang);
            if let Some(shape) = Shape::learn(&icu) {
                let mut d = Decimal::from(n);
                d.multiply_pow10(-(places as i16));
                proptest::prop_assert_eq!(shape.format(n, places), icu.format(&d).to_string());
            }
        }
    }

    #[test]
    fn plain_numbers_round_trip() {
        assert_eq!(Numbers::plain(701088.0), "701088");
        assert_eq!(Numbers::plain(0.5), "0.5");
        assert_eq!(Numbers::plain(-147456.0), "-147456");
    }
}
