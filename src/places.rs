//! Countries and areas: codes, UN M49 numbers, UN regions and names in the six UN
//! languages, from a table embedded in the binary (`places/countries.csv`, with its
//! provenance beside it). `import` reads it to map M49 codes and to start profiles for
//! new countries with their real name and region.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The languages the table has names in; `en` is always present.
pub const LANGUAGES: [&str; 6] = ["en", "fr", "es", "ar", "zh", "ru"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub code: String,
    pub m49: Option<u32>,
    /// UN M49 region ("Americas"); empty for codes that are no place (`OOO`, `STL`).
    pub region: String,
    pub subregion: String,
    names: [String; 6],
}

impl Place {
    /// The name in `lang`, or the English one where the table has none.
    pub fn name(&self, lang: &str) -> &str {
        LANGUAGES
            .iter()
            .position(|l| *l == lang)
            .map(|i| self.names[i].as_str())
            .filter(|n| !n.is_empty())
            .unwrap_or(&self.names[0])
    }

    /// Whether the table has its own name in `lang` (not the English fallback).
    pub fn has_name(&self, lang: &str) -> bool {
        LANGUAGES
            .iter()
            .position(|l| *l == lang)
            .is_some_and(|i| !self.names[i].is_empty())
    }
}

struct Table {
    places: Vec<Place>,
    by_code: HashMap<String, usize>,
    by_m49: HashMap<u32, usize>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut reader = csv::Reader::from_reader(include_str!("places/countries.csv").as_bytes());
        let mut places = Vec::new();
        for row in reader.records() {
            // The table is ours and fixed at build time; the unit test below reads it all.
            let row = row.expect("places/countries.csv is valid CSV");
            let field = |i: usize| row.get(i).unwrap_or("").to_string();
            places.push(Place {
                code: field(0),
                m49: field(1).parse().ok(),
                region: field(2),
                subregion: field(3),
                names: std::array::from_fn(|i| field(4 + i)),
            });
        }
        let by_code = places
            .iter()
            .enumerate()
            .map(|(i, p)| (p.code.clone(), i))
            .collect();
        let by_m49 = places
            .iter()
            .enumerate()
            .filter_map(|(i, p)| Some((p.m49?, i)))
            .collect();
        Table {
            places,
            by_code,
            by_m49,
        }
    })
}

/// The place with this code (ISO 3166-1 alpha-3 or a source's own code such as `XKX`).
pub fn get(code: &str) -> Option<&'static Place> {
    let t = table();
    t.by_code.get(code).map(|&i| &t.places[i])
}

/// Every place of the table, in its order.
pub fn all() -> &'static [Place] {
    &table().places
}

/// The place with this UN M49 number; regions and groups (900 World, 419 Latin America)
/// are not places.
pub fn by_m49(m49: u32) -> Option<&'static Place> {
    let t = table();
    t.by_m49.get(&m49).map(|&i| &t.places[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_reads_whole() {
        assert!(table().places.len() > 250);
        let mex = get("MEX").unwrap();
        assert_eq!(mex.m49, Some(484));
        assert_eq!(mex.region, "Americas");
        assert_eq!(mex.subregion, "Latin America and the Caribbean");
        assert_eq!(mex.name("es"), "México");
        assert_eq!(by_m49(608).unwrap().code, "PHL");
        assert_eq!(by_m49(830).unwrap().code, "XCX");
        assert!(by_m49(900).is_none(), "the world is no place");
        // A missing translation falls back to English.
        let xkx = get("XKX").unwrap();
        assert_eq!(xkx.name("fr"), "Kosovo (SCR 1244)");
        assert!(!xkx.has_name("fr"));
        assert_eq!(get("OOO").unwrap().region, "");
    }

    #[test]
    fn codes_are_unique_and_iso_codes_agree_with_iso_numeric() {
        let t = table();
        assert_eq!(t.by_code.len(), t.places.len());
        for p in &t.places {
            if let (Some(iso), Some(m49)) = (rust_iso3166::from_alpha3(&p.code), p.m49) {
                assert_eq!(iso.numeric as u32, m49, "{}", p.code);
            }
        }
    }
}
