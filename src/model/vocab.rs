//! The format's closed vocabularies, and the checks that use them.

use crate::diagnostics::{Diagnostic, nearest, one_of};
use crate::load::toml_reader::Sp;

pub const UNITS: &[&str] = &[
    "persons", "usd", "percent", "per_1000", "years", "index", "count",
];
pub const INDICATOR_KINDS: &[&str] = &["series", "partners", "age_sex"];
pub const CHART_KINDS: &[&str] = &["line", "bar", "area", "pyramid", "map"];
pub const RCP_KINDS: &[&str] = &["rcp", "interregional"];
pub const ROLES: &[&str] = &["origin", "transit", "destination"];
pub const AGREEMENT_KINDS: &[&str] = &["bilateral", "regional", "multilateral", "mou"];
pub const AGREEMENT_STATUS: &[&str] = &["in_force", "signed", "negotiation", "ended"];
pub const POLICY_KINDS: &[&str] = &["law", "strategy", "programme", "institution"];
pub const TOPICS: &[&str] = &[
    "labour",
    "circular",
    "readmission",
    "social_security",
    "skills",
    "health",
    "education",
    "consular",
    "border",
    "trafficking",
    "return",
    "diaspora",
    "remittances",
    "climate",
    "protection",
    "irregular",
    "integration",
    "asylum",
    "gender",
    "children",
    "data",
];
pub const FLOWS: &[&str] = &["in", "out"];
pub const CHART_FORMATS: &[&str] = &["svg", "png", "pdf"];

/// Checks `value` against a closed list; on failure reports it with the list in the hint.
pub fn allowed(
    file: &str,
    value: &Sp<String>,
    list: &[&str],
    what: &str,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    if list.contains(&value.as_str()) {
        return true;
    }
    let help = match nearest(value, list) {
        Some(near) => format!(
            "did you mean `{near}`? The {what} values are {}",
            one_of(list)
        ),
        None => format!("the {what} values are {}", one_of(list)),
    };
    diags.push(
        Diagnostic::error(
            file,
            Some(value.span.clone()),
            format!("`{}` is not a known {what}", value.value),
        )
        .with_help(help),
    );
    false
}

/// Reports an id that names nothing known, with the nearest known id.
pub fn unknown_id<'a>(
    file: &str,
    value: &Sp<String>,
    known: impl Iterator<Item = &'a String>,
    what: &str,
    where_defined: &str,
    diags: &mut Vec<Diagnostic>,
) {
    let known: Vec<&str> = known.map(String::as_str).collect();
    let help = match nearest(value, &known) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!("{what}s are defined in {where_defined}"),
    };
    diags.push(
        Diagnostic::error(
            file,
            Some(value.span.clone()),
            format!("unknown {what} `{}`", value.value),
        )
        .with_help(help),
    );
}

/// A year the format accepts: 1900 to 2100.
pub fn year(file: &str, y: &Sp<i64>, diags: &mut Vec<Diagnostic>) -> Option<i32> {
    if (1900..=2100).contains(&y.value) {
        Some(y.value as i32)
    } else {
        diags.push(
            Diagnostic::error(
                file,
                Some(y.span.clone()),
                format!("the year {} is outside 1900 to 2100", y.value),
            )
            .with_help("years are four-digit calendar years, such as 2010"),
        );
        None
    }
}

/// An ISO 3166-1 alpha-3 code, or one declared in `[codes]` of site.toml.
pub fn is_country_code(code: &str, declared: &std::collections::BTreeMap<String, String>) -> bool {
    declared.contains_key(code)
        || (code.len() == 3
            && code.bytes().all(|b| b.is_ascii_uppercase())
            && rust_iso3166::from_alpha3(code).is_some())
}

/// A lower snake case id, safe in a URL and a file name: `migrant_stock`, `remittances-vs-aid`.
pub fn is_slug(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// A language tag usable as a folder name: `en`, `fr`, `pt-br`.
pub fn is_language(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first = parts.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        let declared = [("XKX".to_string(), "Kosovo".to_string())]
            .into_iter()
            .collect();
        assert!(is_country_code("MEX", &declared));
        assert!(is_country_code("XKX", &declared));
        assert!(!is_country_code("mex", &declared));
        assert!(!is_country_code("ZZZ", &declared));
        assert!(!is_country_code("../", &declared));
    }

    #[test]
    fn slugs_and_languages_are_path_safe() {
        assert!(is_slug("migrant_stock"));
        assert!(!is_slug("../x"));
        assert!(!is_slug("Migrant"));
        assert!(
            is_language("en") && is_language("pt-BR") && !is_language("../fr") && !is_language("e")
        );
    }
}
