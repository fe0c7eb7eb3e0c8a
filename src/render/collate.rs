//! Names in a language's alphabetical order: "Égypte" sorts with the E's in French, not
//! after "Zimbabwe" as bytes would put it.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::str::FromStr;

use icu_collator::{Collator, CollatorBorrowed, CollatorPreferences};
use icu_locale_core::Locale;

thread_local! {
    static COLLATORS: RefCell<HashMap<String, CollatorBorrowed<'static>>> = RefCell::new(HashMap::new());
}

fn collator_for(lang: &str) -> CollatorBorrowed<'static> {
    let locale = Locale::from_str(lang).unwrap_or(Locale::UNKNOWN);
    Collator::try_new(CollatorPreferences::from(&locale), Default::default())
        .or_else(|_| Collator::try_new(Default::default(), Default::default()))
        .expect("the root collation is compiled in")
}

/// `a` against `b` in `lang`'s order; equal names are then compared as bytes, so the
/// order is total and never depends on anything else.
pub fn compare(lang: &str, a: &str, b: &str) -> Ordering {
    COLLATORS.with(|cell| {
        let mut map = cell.borrow_mut();
        let c = map
            .entry(lang.to_string())
            .or_insert_with(|| collator_for(lang));
        c.compare(a, b).then_with(|| a.cmp(b))
    })
}

#[cfg(test)]
mod tests {
    use super::compare;
    use std::cmp::Ordering;

    #[test]
    fn accents_sort_with_their_letter() {
        let mut names = vec!["Zimbabwe", "Égypte", "Espagne", "Éthiopie", "Allemagne"];
        names.sort_by(|a, b| compare("fr", a, b));
        assert_eq!(
            names,
            ["Allemagne", "Égypte", "Espagne", "Éthiopie", "Zimbabwe"]
        );
        let mut names = vec!["Perú", "Panamá", "Ñandú", "Nicaragua", "Omán"];
        names.sort_by(|a, b| compare("es", a, b));
        assert_eq!(names, ["Nicaragua", "Ñandú", "Omán", "Panamá", "Perú"]);
        assert_eq!(compare("xx-unknown", "a", "b"), Ordering::Less);
    }
}
