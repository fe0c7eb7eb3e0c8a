//! "Incremental equals full": sequences of edits applied through the incremental paths
//! (the in-memory session `serve` keeps, told the changed files either as hints or, as
//! a watcher tells them, exactly; and `mpgen build` run again on its output)
//! give, after every step, the very bytes of a fresh full build of the site as it is
//! then. When a step breaks the site, the session keeps the last good site whole.

use std::collections::{BTreeMap, BTreeSet};

use mpgen::pipeline::{self, BuildError, Session};
use proptest::prelude::*;

use crate::harness::Site;

#[derive(Debug, Clone)]
enum Edit {
    /// A new first value for a profile's first series.
    Value(usize, u32),
    /// A new profile, made from another's file.
    Add(usize),
    /// A profile deleted (MEX's chart is drawn by a content page: deleting MEX is an error).
    Delete(usize),
    /// A profile renamed, its code changed to match, as a user would.
    Rename(usize, usize),
    /// A profile broken, the site rebuilt, then fixed.
    BreakAndFix(usize),
    /// A template changed: `page.html`, `card.html` or `base.html`.
    Template(u32),
    /// The theme's English phrases changed: the note and a sentence of the findings.
    Phrases(u32),
    /// A content page changed.
    Content(u32),
    /// A profile's English narrative changed.
    Narrative(usize, u32),
    /// An agreement's title changed.
    Agreement(usize, u32),
    /// An indicator's English label changed.
    Label(u32),
    /// The site's English title changed.
    Title(u32),
    /// The indicator catalogue changed: a derived series' scale, which indicators
    /// are key figures.
    Catalogue(u32),
    /// A folder of content pages made (the watcher naming the folder or only its
    /// page), or removed with its page (the watcher naming only the folder).
    Folder(u32),
}

const NEW_CODES: [&str; 4] = ["GTM", "SLV", "HND", "NIC"];

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..4usize, 1..9_000_000u32).prop_map(|(p, v)| Edit::Value(p, v)),
        (0..4usize).prop_map(Edit::Add),
        (0..4usize).prop_map(Edit::Delete),
        (0..4usize, 0..4usize).prop_map(|(a, b)| Edit::Rename(a, b)),
        (0..4usize).prop_map(Edit::BreakAndFix),
        (0..1000u32).prop_map(Edit::Template),
        (0..1000u32).prop_map(Edit::Phrases),
        (0..1000u32).prop_map(Edit::Content),
        (0..6u32).prop_map(Edit::Catalogue),
        (0..2u32).prop_map(Edit::Folder),
        (0..4usize, 0..1000u32).prop_map(|(p, n)| Edit::Narrative(p, n)),
        (0..4usize, 0..1000u32).prop_map(|(p, n)| Edit::Agreement(p, n)),
        (0..1000u32).prop_map(Edit::Label),
        (0..1000u32).prop_map(Edit::Title),
    ]
}

/// The site and the two incremental builds of it, checked against a full build.
/// The pages a tab has open in the exact session's rebuilds: rendered and shown first.
const OPEN_PAGES: [&str; 5] = [
    "index.html",
    "fr/index.html",
    "profiles/mex/index.html",
    "indicators/migrant_stock/index.html",
    "about/index.html",
];

struct Harness {
    site: Site,
    session: Session,
    /// Told exactly what changed, as `serve` tells it a watcher's events.
    exact: Session,
    /// The full build of the last good state.
    last_good: BTreeMap<String, Vec<u8>>,
}

impl Harness {
    fn new(site: Site) -> Self {
        let mut session = Session::new(site.options()).unwrap();
        session.rebuild(&BTreeSet::new()).unwrap();
        let mut exact = Session::new(site.options()).unwrap();
        exact.rebuild(&BTreeSet::new()).unwrap();
        site.build();
        let last_good = full(&site).unwrap();
        let h = Harness {
            site,
            session,
            exact,
            last_good,
        };
        h.assert_store_is(&h.last_good);
        h
    }

    fn profiles(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.site.root.join("profiles"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .collect();
        v.sort();
        v
    }

    fn pick(&self, i: usize) -> Option<String> {
        let p = self.profiles();
        (!p.is_empty()).then(|| format!("profiles/{}", p[i % p.len()]))
    }

    /// Applies an edit, rebuilding after each change to the files, and checks; false
    /// (nothing done) when the site as it stands has nothing the edit can change.
    fn apply(&mut self, edit: &Edit) -> bool {
        match edit {
            Edit::Narrative(p, n) => {
                let Some(rel) = self.pick(*p) else {
                    return false;
                };
                return self.insert_after(
                    &rel,
                    &["[narrative.", "en = \""],
                    &format!("Edit {n}. "),
                );
            }
            Edit::Agreement(p, n) => {
                let Some(rel) = self.pick(*p) else {
                    return false;
                };
                return self.insert_after(
                    &rel,
                    &["[[agreements]]", "title = \""],
                    &format!("{n} "),
                );
            }
            Edit::Label(n) => {
                let anchor = ["en = \"International migrant stock"];
                return self.insert_after("indicators.toml", &anchor, &format!(" {n}"));
            }
            Edit::Title(n) => {
                let anchor = ["en = \"Test Profiles"];
                return self.insert_after("site.toml", &anchor, &format!(" {n}"));
            }
            Edit::Value(p, v) => {
                let Some(rel) = self.pick(*p) else {
                    return false;
                };
                let text = self.site.read(&rel);
                let at = text.find("values = { ").unwrap() + "values = { ".len();
                let eq = at + text[at..].find("= ").unwrap() + 2;
                let end = eq + text[eq..].find([',', ' ']).unwrap();
                let edited = format!("{}{v}{}", &text[..eq], &text[end..]);
                self.site.write(&rel, edited);
                self.step(&[rel]);
            }
            Edit::Add(c) => {
                let code = NEW_CODES[*c];
                let rel = format!("profiles/{code}.toml");
                if self.site.root.join(&rel).exists() {
                    return false;
                }
                let Some(from) = self.pick(0) else {
                    return false;
                };
                let old = from
                    .trim_start_matches("profiles/")
                    .trim_end_matches(".toml");
                let text = self
                    .site
                    .read(&from)
                    .replace(&format!("iso3 = \"{old}\""), &format!("iso3 = \"{code}\""));
                self.site.write(&rel, text);
                self.step(&[rel]);
            }
            Edit::Delete(p) => {
                let Some(rel) = self.pick(*p) else {
                    return false;
                };
                self.site.remove(&rel);
                self.step(&[rel]);
            }
            Edit::Rename(p, c) => {
                let Some(from) = self.pick(*p) else {
                    return false;
                };
                let old = from
                    .trim_start_matches("profiles/")
                    .trim_end_matches(".toml");
                let code = NEW_CODES[*c];
                let to = format!("profiles/{code}.toml");
                if self.site.root.join(&to).exists() {
                    return false;
                }
                let text = self
                    .site
                    .read(&from)
                    .replace(&format!("iso3 = \"{old}\""), &format!("iso3 = \"{code}\""));
                self.site.remove(&from);
                self.site.write(&to, text);
                self.step(&[from, to]);
            }
            Edit::BreakAndFix(p) => {
                let Some(rel) = self.pick(*p) else {
                    return false;
                };
                let text = self.site.read(&rel);
                self.site.write(&rel, format!("{text}\noops = [\n"));
                self.step(std::slice::from_ref(&rel));
                self.site.write(&rel, text);
                self.step(&[rel]);
            }
            Edit::Template(n) => {
                // A page's own template, one the renderer uses inside another page
                // (the home page's cards), and one every page extends.
                let name = ["page.html", "card.html", "base.html"][*n as usize % 3];
                let rel = format!("themes/default/templates/{name}");
                let theme = mpgen::load::theme::ThemeFiles::embedded();
                let page =
                    String::from_utf8(theme.files[&format!("templates/{name}")].bytes.to_vec())
                        .unwrap();
                let at = page
                    .find("</main>")
                    .or_else(|| page.find("{% endblock"))
                    .or_else(|| page.rfind("</li>"))
                    .unwrap();
                let edited = format!("{}<p>edit {n}</p>{}", &page[..at], &page[at..]);
                self.site.write(&rel, edited);
                self.step(&[rel]);
            }
            Edit::Phrases(n) => {
                let rel = "themes/default/phrases/en.toml".to_string();
                let theme = mpgen::load::theme::ThemeFiles::embedded();
                let text =
                    String::from_utf8(theme.files["phrases/en.toml"].bytes.to_vec()).unwrap();
                let edited = text
                    .replacen("note = \"", &format!("note = \"Edit {n}. "), 1)
                    .replacen("gap = \"", &format!("gap = \"({n}) "), 1);
                assert_ne!(edited, text, "the phrases edit changes nothing");
                self.site.write(&rel, edited);
                self.step(&[rel]);
            }
            Edit::Catalogue(n) => {
                let rel = "indicators.toml".to_string();
                let text = self.site.read(&rel);
                let scale = if n % 2 == 0 { 100 } else { 1000 };
                let core = "[population]\ncore = true\n";
                let text = text
                    .replace("scale = 1000 }", "scale = 100 }")
                    .replace("scale = 100 }", &format!("scale = {scale} }}"))
                    .replace(core, "[population]\n");
                let text = if n % 3 == 0 {
                    text.replace("[population]\n", core)
                } else {
                    text
                };
                self.site.write(&rel, text);
                self.step(&[rel]);
            }
            Edit::Folder(n) => {
                let dir = "content/notes".to_string();
                let page = format!("{dir}/note.md");
                if self.site.root.join(&dir).exists() {
                    std::fs::remove_dir_all(self.site.root.join(&dir)).unwrap();
                    self.step(&[dir]);
                } else {
                    self.site
                        .write(&page, "+++\ntitle = \"A note\"\n+++\nA note.\n");
                    self.step(&[if n % 2 == 0 { dir } else { page }]);
                }
            }
            Edit::Content(n) => {
                let rel = "content/methodology.md".to_string();
                let text = self.site.read(&rel);
                self.site.write(&rel, format!("{text}\nEdit number {n}.\n"));
                self.step(&[rel]);
            }
        }
        true
    }

    /// Puts `text` after the last of `anchors`, each looked for after the one before;
    /// false if one is missing.
    fn insert_after(&mut self, rel: &str, anchors: &[&str], text: &str) -> bool {
        let old = self.site.read(rel);
        let mut at = 0;
        for a in anchors {
            let Some(i) = old[at..].find(a) else {
                return false;
            };
            at += i + a.len();
        }
        self.site
            .write(rel, format!("{}{text}{}", &old[..at], &old[at..]));
        self.step(&[rel.to_string()]);
        true
    }

    /// One rebuild through both incremental paths, told which files changed.
    fn step(&mut self, changed: &[String]) {
        let changed: BTreeSet<String> = changed.iter().cloned().collect();
        let session = self.session.rebuild(&changed);
        // The exact session shows some pages first, as `serve` does the open ones.
        let open: BTreeSet<String> = OPEN_PAGES.iter().map(|p| p.to_string()).collect();
        let mut told = Vec::new();
        let mut shown = |paths: &[String]| told.extend_from_slice(paths);
        let first = pipeline::First {
            open: &open,
            shown: &mut shown,
        };
        let exact = self.exact.rebuild_first(&changed, true, first);
        if let Ok(exact) = &exact {
            assert_eq!(told, exact.shown);
            assert!(
                told.iter().all(|p| open.contains(p) || p.ends_with(".css")),
                "{told:?} were shown first but are not open"
            );
        }
        let disk = pipeline::build(&self.site.options());
        match full(&self.site) {
            Some(now) => {
                let rebuilt = session.unwrap_or_else(|e| panic!("session failed: {e:?}"));
                let exact = exact.unwrap_or_else(|e| panic!("exact session failed: {e:?}"));
                assert!(
                    disk.is_ok(),
                    "the warm build failed where a full one did not"
                );
                self.assert_store_is(&now);
                assert_same_store(&self.exact, &now);
                assert_eq!(exact.changed, rebuilt.changed);
                let changed_outputs: Vec<&String> = now
                    .keys()
                    .chain(self.last_good.keys())
                    .filter(|k| now.get(*k) != self.last_good.get(*k))
                    .collect();
                for path in changed_outputs {
                    assert!(
                        rebuilt.changed.contains(path),
                        "{path} changed but the session did not report it"
                    );
                }
                self.site.assert_same_as_full();
                self.last_good = now;
            }
            None => {
                assert!(matches!(session, Err(BuildError::Invalid { .. })));
                assert!(matches!(exact, Err(BuildError::Invalid { .. })));
                assert_same_store(&self.exact, &self.last_good);
                assert!(matches!(disk, Err(BuildError::Invalid { .. })));
                // The last good site, whole, is what is still served.
                self.assert_store_is(&self.last_good);
            }
        }
    }

    fn assert_store_is(&self, want: &BTreeMap<String, Vec<u8>>) {
        assert_same_store(&self.session, want);
    }
}

fn assert_same_store(session: &Session, want: &BTreeMap<String, Vec<u8>>) {
    {
        let store = &session.store;
        let paths = store.paths();
        let want_paths: Vec<&String> = want.keys().collect();
        assert_eq!(
            paths.iter().collect::<Vec<_>>(),
            want_paths,
            "the session holds other files than a full build makes"
        );
        for (path, bytes) in want {
            let got = store.get(path).unwrap();
            assert!(
                *got == **bytes,
                "{path} differs between the session and a full build"
            );
        }
    }
}

/// A fresh full build in memory; `None` when the site has errors.
fn full(site: &Site) -> Option<BTreeMap<String, Vec<u8>>> {
    match pipeline::render_all(&site.options()) {
        Ok(files) => Some(files),
        Err(BuildError::Invalid { .. }) => None,
        Err(BuildError::Failed(e)) => panic!("full build failed: {e}"),
    }
}

#[test]
fn every_kind_of_edit_in_turn() {
    let mut h = Harness::new(Site::fixture("basic"));
    for edit in [
        Edit::Value(0, 4242),
        Edit::Add(0),
        Edit::Value(0, 17),
        Edit::Rename(2, 1),
        Edit::BreakAndFix(1),
        Edit::Template(0),
        Edit::Template(1),
        Edit::Template(2),
        Edit::Content(2),
        Edit::Catalogue(3),
        Edit::Value(1, 5),
        Edit::Catalogue(2),
        Edit::Folder(0),
        Edit::Folder(1),
        Edit::Folder(1),
        Edit::Folder(0),
        Edit::Narrative(0, 3),
        Edit::Agreement(0, 4),
        Edit::Label(5),
        Edit::Title(6),
        Edit::Delete(0),
        Edit::Delete(0),
    ] {
        h.apply(&edit);
    }
}

#[test]
fn deferred_charts_are_what_a_full_build_draws() {
    let site = Site::fixture("basic");
    site.edit(
        "site.toml",
        "formats = [\"svg\"]",
        "formats = [\"svg\", \"png\"]",
    );
    let mut h = Harness::new(site);
    h.apply(&Edit::Value(0, 99));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// An edit the site cannot take at its turn (a profile added twice, say) makes
    /// proptest draw another sequence: every case counted ran all its edits.
    #[test]
    fn random_edits_keep_incremental_equal_to_full(edits in proptest::collection::vec(edit(), 1..5)) {
        let mut h = Harness::new(Site::fixture("basic"));
        for e in &edits {
            prop_assume!(h.apply(e), "{:?} cannot be applied here", e);
        }
    }
}
