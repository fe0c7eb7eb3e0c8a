//! Any bytes as a content page: front matter read, the body's calls parsed and resolved
//! against the `basic` fixture's site, the body made into HTML. Spans stay in the text.
#![no_main]

use std::collections::BTreeSet;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mpgen::model::Site;

fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/basic");
        let checked = mpgen::pipeline::check(std::path::Path::new(root));
        checked.site.expect("the basic fixture checks clean").0
    })
}

fuzz_target!(|data: &[u8]| {
    let rel = "content/page.md";
    let (text, problem) = mpgen::load::decode(rel, data);
    if problem.is_some() {
        return;
    }
    let mut diags = Vec::new();
    let page = mpgen::load::content::read(rel, "page.md", &text, &mut diags);
    for d in &diags {
        if let Some(span) = &d.span {
            assert!(span.end <= text.len(), "{d:?}");
        }
    }
    let (calls, errors) = mpgen::load::calls::parse(&page.body);
    for e in &errors {
        assert!(e.span.end <= page.body.len());
    }
    let site = site();
    let failed = BTreeSet::new();
    let scope = mpgen::model::calls::Scope {
        indicators: &site.indicators,
        profiles: &site.profiles,
        failed: &failed,
        current: Some("MEX"),
    };
    for call in &calls {
        assert!(call.range.end <= page.body.len());
        if let Ok(kind) = mpgen::model::calls::resolve(call, &scope) {
            let _ = mpgen::model::calls::data_warning(&kind, &scope, 2024, 5);
        }
    }
    let _ = mpgen::render::markdown::to_html(&page.body, false);
});
