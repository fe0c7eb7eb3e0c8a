//! Any bytes as `profiles/MEX.toml` of the `basic` fixture: decoded, read, checked with
//! the rest of the site (agreements, calls, gaps), and its diagnostics rendered with
//! their lines. Nothing may panic, and every span must lie inside the file.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mpgen::load::Loaded;

fn site() -> &'static Loaded {
    static SITE: OnceLock<Loaded> = OnceLock::new();
    SITE.get_or_init(|| {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/basic");
        let mut loaded = mpgen::load::load(std::path::Path::new(root));
        loaded.profiles.retain(|p| p.file_id != "MEX");
        loaded
    })
}

fuzz_target!(|data: &[u8]| {
    let rel = "profiles/MEX.toml";
    let mut loaded = site().clone();
    let (text, problem) = mpgen::load::decode(rel, data);
    loaded.texts.insert(rel, text.clone());
    if let Some(p) = problem {
        loaded.diags.push(p);
    } else if let Some(raw) = mpgen::load::profile_from_text(rel, "MEX", &text, &mut loaded.diags) {
        loaded.profiles.push(std::sync::Arc::new(raw));
    }
    let checked = mpgen::model::check(loaded);
    for d in checked.diags.iter().filter(|d| d.file == rel) {
        if let Some(span) = &d.span {
            assert!(span.start <= span.end && span.end <= text.len(), "{d:?}");
        }
    }
    let _ = mpgen::diagnostics::render_human(&checked.diags, &checked.texts, false);
    let _ = mpgen::diagnostics::render_json(&checked.diags, &checked.texts);
});
