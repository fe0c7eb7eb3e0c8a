//! Property tests: no input makes the loader or checker panic.

use proptest::prelude::*;

use crate::harness::Site;

/// Pieces of profile TOML, right and wrong, to combine at random.
const SNIPPETS: &[&str] = &[
    "[country]\n",
    "iso3 = \"MEX\"\n",
    "name = \"Mexico\"\n",
    "name = { en = \"Mexico\", xx = 3 }\n",
    "region = \"Americas\"\n",
    "roles = [\"origin\", \"nowhere\"]\n",
    "rcps = [\"puebla-process\", 7]\n",
    "updated = 2010-03-15\n",
    "updated = 2010-03-15T10:00:00Z\n",
    "[series.migrant_stock]\n",
    "[series.migrant_stock.values]\n",
    "values = { 1990 = 1, 2000 = -5, 3000 = 2 }\n",
    "values = { 1990 = nan, 2000 = inf }\n",
    "female = { 1990 = 9e999 }\n",
    "male = { 1991 = 1 }\n",
    "low = { 1990 = 5 }\n",
    "high = { 1990 = 0 }\n",
    "estimated = [1990, 1800, \"x\"]\n",
    "1990 = 12\n",
    "-1 = 3\n",
    "99999999999999999999 = 1\n",
    "[series.emigrants_by_destination]\n",
    "[partners.emigrants_by_destination]\n",
    "year = 2024\n",
    "values = { USA = 1, usa = 2, \"../x\" = 3 }\n",
    "[age_sex.idp_age_sex]\n",
    "groups = [\"0-4\"]\n",
    "female = [1, 2, 3]\n",
    "male = []\n",
    "[[agreements]]\n",
    "title = \"T\"\n",
    "partners = [\"CAN\", \"ZZZ\"]\n",
    "kind = \"bilateral\"\n",
    "[[charts]]\n",
    "id = \"../../etc\"\n",
    "series = [\"nope\"]\n",
    "[narrative.trends]\n",
    "en = \"**x**\"\n",
    "[narrative.nowhere]\n",
    "source = \"nope\"\n",
    "= broken\n",
    "[\n",
    "\"\n",
    "x = [\n",
    "é = 1\n",
];

fn check_profile(bytes: &[u8]) {
    let site = Site::fixture("basic");
    site.write("profiles/MEX.toml", bytes);
    // Loading, checking and (when it checks) building must never panic.
    let checked = site.check();
    if !checked.has_errors() {
        site.build();
    }
    let _ = mpgen::diagnostics::render_human(&checked.diags, &checked.texts, false);
    let _ = mpgen::diagnostics::render_json(&checked.diags, &checked.texts);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        check_profile(&bytes);
    }

    #[test]
    fn arbitrary_toml_never_panics(parts in proptest::collection::vec(0..SNIPPETS.len(), 0..30), noise in "[ -~]{0,20}") {
        let mut text: String = parts.iter().map(|i| SNIPPETS[*i]).collect();
        text.push_str(&noise);
        check_profile(text.as_bytes());
    }
}
