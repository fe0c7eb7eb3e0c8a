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
        }
    }

    /// `v` rounded to `places` decimals, with the language's separators.
    pub fn decimal(&self, v: f64, places: usize) -> String {
        let scaled = (v * 10f64.powi(places as i32)).round();
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

    #[test]
    fn plain_numbers_round_trip() {
        assert_eq!(Numbers::plain(701088.0), "701088");
        assert_eq!(Numbers::plain(0.5), "0.5");
        assert_eq!(Numbers::plain(-147456.0), "-147456");
    }
}
