//! Full and incremental builds: what is rendered, what is written, and that both agree.

use std::fs;
use std::path::Path;
use std::time::SystemTime;

use crate::harness::Site;

fn mtimes(site: &Site) -> Vec<(String, SystemTime)> {
    site.tree()
        .keys()
        .map(|p| {
            (
                p.clone(),
                fs::metadata(site.out.join(p)).unwrap().modified().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_second_build_renders_and_writes_nothing() {
    let site = Site::fixture("basic");
    let first = site.build();
    assert!(first.rendered > 0);
    assert_eq!(first.write.written, first.outputs);
    let before = mtimes(&site);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let second = site.build();
    assert!(
        second.replayed.is_some(),
        "a build with no changes takes the short path"
    );
    assert_eq!(
        second.rendered, 0,
        "rendered again: {:?}",
        second.rendered_paths
    );
    assert_eq!(second.write.written, 0);
    assert_eq!(mtimes(&site), before, "modification times changed");
}

/// The paths `keep` keeps, in order.
fn sorted(paths: &[String], keep: impl Fn(&str) -> bool) -> Vec<&str> {
    let mut kept: Vec<&str> = paths
        .iter()
        .map(String::as_str)
        .filter(|p| keep(p))
        .collect();
    kept.sort();
    kept
}

#[test]
fn a_profile_edit_renders_only_what_depends_on_it() {
    let site = Site::fixture("basic");
    site.build();
    let phl_page = site.out.join("profiles/phl/index.html");
    let phl_time = fs::metadata(&phl_page).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));

    site.edit("profiles/MEX.toml", "2024 = 1726089", "2024 = 1726090");
    site.edit("profiles/MEX.toml", "2024 = 909750", "2024 = 909751");
    let report = site.build();
    let rendered = sorted(&report.rendered_paths, |p| {
        !p.contains("charts/") && !p.contains("embed/")
    });
    assert_eq!(
        rendered,
        [
            // The about page draws Mexico's migrant stock (its French text does not).
            "about/index.html",
            "data/all.csv",
            "data/mex.csv",
            "data/mex.json",
            "fr/index.html",
            // The pages of the indicators whose values changed: the stock, and the share
            // derived from it. Not the data gaps nor the list: no latest year moved.
            "fr/indicators/migrant_share/index.html",
            "fr/indicators/migrant_stock/index.html",
            "fr/profiles/mex/index.html",
            // Mexico's regional process shows its key figures; the Philippines' does not.
            "fr/rcps/puebla-process/index.html",
            // The theme page that shows its stock.
            "fr/themes/people/index.html",
            "index.html",
            "indicators/migrant_share/index.html",
            "indicators/migrant_stock/index.html",
            "profiles/mex/index.html",
            "rcps/puebla-process/index.html",
            "themes/people/index.html",
        ]
    );
    // Charts and their embed pages: Mexico's only, and the charts across profiles.
    for p in report.rendered_paths.iter().filter(|p| {
        (p.contains("charts/") || p.contains("embed/"))
            && !p.contains("charts/world/")
            && !p.contains("charts/ranking/")
    }) {
        assert!(p.contains("/mex/"), "{p}");
    }
    assert_eq!(
        fs::metadata(&phl_page).unwrap().modified().unwrap(),
        phl_time
    );
    assert!(site.output("profiles/mex/index.html").contains("1,726,090"));
    site.assert_same_as_full();
}

#[test]
fn an_old_value_edit_leaves_the_pages_of_latest_values_alone() {
    let site = Site::fixture("basic");
    site.build();
    // 1990 is nobody's latest year: the home page's key figures and map, the
    // indicator pages' rankings and the data gaps do not show it.
    site.edit("profiles/MEX.toml", "1990 = 701513", "1990 = 701514");
    let report = site.build();
    let rendered = sorted(&report.rendered_paths, |p| !p.contains("/mex"));
    assert_eq!(
        rendered,
        [
            // The about page draws Mexico's migrant stock, every year of it.
            "about/index.html",
            "data/all.csv",
            // The people theme page reads women's share of every stock table.
            "fr/themes/people/index.html",
            "themes/people/index.html",
        ],
        "{:?}",
        report.rendered_paths
    );
    assert!(
        site.output("data/mex.csv")
            .contains(",1990,total,,,701514,")
    );
    site.assert_same_as_full();
}

#[test]
fn a_comment_in_a_profile_renders_and_writes_nothing() {
    let site = Site::fixture("basic");
    site.build();
    // A comment changes the file but no part of the profile an output reads.
    site.edit("profiles/PHL.toml", "[country]", "# edited\n[country]");
    let report = site.build();
    assert_eq!(report.rendered_paths, Vec::<String>::new());
    assert_eq!(report.write.written, 0);
    site.assert_same_as_full();
}

#[test]
fn outputs_rendered_again_to_the_same_bytes_are_not_written() {
    let site = Site::fixture("basic");
    site.build();
    // One person more in the population: the share of migrants, rounded, stays.
    site.edit("profiles/PHL.toml", "2024 = 115843670", "2024 = 115843671");
    let report = site.build();
    assert!(report.write.unchanged > 0, "{report:?}");
    assert_eq!(
        report.write.written + report.write.unchanged,
        report.rendered
    );
    site.assert_same_as_full();
}

#[test]
fn a_narrative_in_one_language_renders_only_its_page() {
    let site = Site::fixture("basic");
    site.build();
    // The French narrative of a section that has one in French moves; the English
    // page, which shows the English one, is rendered only if its part moved.
    let text = site.read("profiles/MEX.toml");
    let fr = text.find("\nfr = \"").expect("a French narrative") + "\nfr = \"".len();
    site.write(
        "profiles/MEX.toml",
        format!("{}Edit. {}", &text[..fr], &text[fr..]),
    );
    let report = site.build();
    assert_eq!(report.rendered_paths, ["fr/profiles/mex/index.html"]);
    assert_eq!(report.write.written, 1);
    site.assert_same_as_full();
}

#[test]
fn removed_and_added_profiles_are_reflected() {
    let site = Site::fixture("basic");
    site.build();
    site.remove("profiles/PHL.toml");
    let report = site.build();
    assert!(report.write.removed >= 4, "{report:?}");
    assert!(!site.out.join("profiles/phl").exists());
    assert!(!site.out.join("data/phl.csv").exists());
    site.assert_same_as_full();

    site.write("profiles/SEN.toml", "[country]\niso3 = \"SEN\"\nname = \"Senegal\"\nregion = \"Africa\"\n\n[series.migrant_stock]\nvalues = { 2024 = 281806 }\n[series.remittances_in_usd]\nvalues = { 2024 = 3300000000 }\n");
    site.build();
    assert!(site.output("index.html").contains("Senegal"));
    site.assert_same_as_full();
}

#[test]
fn content_and_template_edits() {
    let site = Site::fixture("basic");
    site.build();
    site.edit(
        "content/methodology.md",
        "## Sources",
        "## Sources and notes",
    );
    let report = site.build();
    let mut rendered = report.rendered_paths.clone();
    rendered.sort();
    assert_eq!(
        rendered,
        ["fr/methodology/index.html", "methodology/index.html"]
    );
    site.assert_same_as_full();

    let page = mpgen::load::theme::ThemeFiles::embedded().files["templates/page.html"]
        .bytes
        .clone();
    let page = String::from_utf8(page.to_vec())
        .unwrap()
        .replace("<h1>{{ title }}</h1>", "<h1 class=\"t\">{{ title }}</h1>");
    site.write("themes/default/templates/page.html", page);
    let report = site.build();
    assert!(
        report
            .rendered_paths
            .iter()
            .all(|p| p.ends_with(".html") || p == "sitemap.xml"),
        "{:?}",
        report.rendered_paths
    );
    assert!(!report.rendered_paths.iter().any(|p| p.starts_with("data/")));
    assert!(
        site.output("about/index.html")
            .contains("<h1 class=\"t\">About</h1>")
    );
    site.assert_same_as_full();
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let site = Site::fixture("basic");
    site.build();
    let before = site.tree();
    site.edit("profiles/MEX.toml", "region = \"Americas\"", "region = ");
    assert!(matches!(
        site.try_build(),
        Err(mpgen::pipeline::BuildError::Invalid { .. })
    ));
    assert_eq!(site.tree(), before);
    site.edit("profiles/MEX.toml", "region = ", "region = \"Americas\"");
    let report = site.build();
    assert_eq!(
        report.write.written, 0,
        "fixing the file restores the same site"
    );
    site.assert_same_as_full();
}

#[test]
fn a_deleted_output_file_is_made_again() {
    let site = Site::fixture("basic");
    site.build();
    fs::remove_file(site.out.join("profiles/mex/index.html")).unwrap();
    let report = site.build();
    assert_eq!(report.rendered_paths, ["profiles/mex/index.html"]);
    site.assert_same_as_full();
}

#[test]
fn same_bytes_at_any_thread_count() {
    let site = Site::fixture("basic");
    let one = site.render_with_threads(1);
    let four = site.render_with_threads(4);
    assert!(one == four, "1 and 4 threads differ");

    // And the default site, which exercises every part of the theme (its charts are SVG
    // only; PNG determinism has its own test).
    let site = crate::harness::Site::default_site();
    let one = site.render_with_threads(1);
    let four = site.render_with_threads(4);
    assert!(one.len() > 500);
    assert!(
        one == four,
        "the default site differs between 1 and 4 threads"
    );
}

#[test]
fn base_url_override_and_drafts() {
    let site = Site::fixture("basic");
    site.write(
        "content/draft.md",
        "+++\ntitle = \"Draft\"\ndraft = true\n+++\nNot yet.\n",
    );
    let opts = mpgen::pipeline::BuildOptions {
        base_url: Some("https://mirror.example.net/mp".into()),
        ..site.options()
    };
    mpgen::pipeline::build(&opts).unwrap();
    assert!(
        site.output("sitemap.xml")
            .contains("<loc>https://mirror.example.net/mp/profiles/mex/</loc>")
    );
    assert!(!site.out.join("draft/index.html").exists());
    let opts = mpgen::pipeline::BuildOptions {
        drafts: true,
        ..site.options()
    };
    mpgen::pipeline::build(&opts).unwrap();
    assert!(site.out.join("draft/index.html").exists());
}

#[test]
fn a_build_with_nothing_to_do_still_shows_the_warnings() {
    let site = Site::fixture("basic");
    site.edit(
        "profiles/PHL.toml",
        "[series.remittances_in_usd]",
        "[sources.unused]\ntitle = \"Unused\"\n\n[series.remittances_in_usd]",
    );
    let first = site.build();
    assert_eq!(first.diags.len(), 1);
    let second = site.build();
    let shown = second.replayed.expect("nothing to do");
    assert!(
        shown.contains("warning: the source `unused` is not cited"),
        "{shown}"
    );
    assert!(shown.contains("--> profiles/PHL.toml:"), "{shown}");
}

#[test]
fn a_first_build_appears_whole() {
    let site = Site::fixture("basic");
    let report = site.build();
    assert_eq!(report.write.written, report.outputs);
    // The staging folder is gone and the output folder holds the site and its manifest.
    let parent = site.out.parent().unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().contains("staging"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert!(site.out.join(mpgen::output::MANIFEST).is_file());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(site.out.join("index.html"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o044,
            0o044,
            "pages must be readable by a web server"
        );
        site.edit("profiles/MEX.toml", "2024 = 1726089", "2024 = 1726091");
        site.edit("profiles/MEX.toml", "2024 = 909750", "2024 = 909752");
        site.build();
        let mode = std::fs::metadata(site.out.join("profiles/mex/index.html"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o044, 0o044, "rewritten pages too");
    }
}

#[test]
fn a_first_build_that_fails_while_rendering_leaves_nothing() {
    let site = Site::fixture("basic");
    // Checked templates, but one that fails once it runs: files were already written
    // into the staging folder by then.
    site.write(
        "themes/default/templates/page.html",
        "{% extends \"base.html\" %}{% block main %}{{ title|no_such_filter }}{% endblock %}",
    );
    assert!(matches!(
        site.try_build(),
        Err(mpgen::pipeline::BuildError::Failed(_))
    ));
    assert!(!site.out.exists());
    let parent = site.out.parent().unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().contains("mpgen"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn progress_is_reported_for_every_rendered_output() {
    use std::sync::{Arc, Mutex};
    let site = Site::fixture("basic");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let opts = mpgen::pipeline::BuildOptions {
        progress: Some(mpgen::pipeline::Progress(Arc::new(move |done, total| {
            sink.lock().unwrap().push((done, total))
        }))),
        ..site.options()
    };
    let report = mpgen::pipeline::build(&opts).unwrap();
    let mut seen = seen.lock().unwrap().clone();
    seen.sort();
    assert_eq!(seen.len(), report.rendered);
    assert_eq!(seen.last(), Some(&(report.rendered, report.rendered)));
}

#[test]
fn the_whole_default_site_checks_clean() {
    // Every country and area of the UN DESA data, imported (scripts/refresh-data.sh),
    // read in place: checking builds nothing.
    let checked = mpgen::pipeline::check(std::path::Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(
        !checked.has_errors(),
        "{}",
        mpgen::diagnostics::render_human(&checked.diags, &checked.texts, false)
    );
    let (site, _) = checked.site.as_ref().expect("a site with no errors");
    assert!(site.profiles.len() >= 230, "{}", site.profiles.len());
    let mex = &site.profiles["MEX"];
    assert_eq!(mex.series["migrant_stock"].points[&2020].value, 1_335_154.0);
}

#[test]
fn an_older_value_re_renders_no_page_across_countries() {
    // Indicator pages show each profile's latest value: an edit of an older year
    // changes the profile's own pages and charts, not theirs.
    let site = Site::fixture("basic");
    site.build();
    site.edit("profiles/MEX.toml", "1990 = 701513", "1990 = 701514");
    let report = site.build();
    assert!(
        report
            .rendered_paths
            .iter()
            .any(|p| p == "profiles/mex/index.html"),
        "{:?}",
        report.rendered_paths
    );
    assert!(
        !report
            .rendered_paths
            .iter()
            .any(|p| p.contains("indicators/") || p.contains("data-gaps/")),
        "{:?}",
        report.rendered_paths
    );
    site.assert_same_as_full();
}

#[test]
fn the_report_weighs_the_output_as_hosts_count_it() {
    let site = Site::fixture("basic");
    let report = site.build();
    // Every file a host is given, mpgen's manifest too (the harness's tree leaves it out).
    let manifest = || {
        std::fs::metadata(site.out.join(".mpgen-manifest.json"))
            .unwrap()
            .len()
    };
    let mut files: Vec<(String, usize)> = site
        .tree()
        .into_iter()
        .map(|(path, bytes)| (path, bytes.len()))
        .collect();
    files.push((".mpgen-manifest.json".into(), manifest() as usize));
    assert_eq!(report.size.files, files.len());
    assert_eq!(
        report.size.bytes,
        files.iter().map(|(_, n)| *n as u64).sum::<u64>()
    );
    let largest = files.iter().map(|(_, n)| *n as u64).max().unwrap();
    assert_eq!(report.size.largest.as_ref().unwrap().1, largest);
    // A build with nothing to do weighs the same folder the same.
    assert_eq!(site.build().size, report.size);
    // After an edit, what was made now and what was kept add up alike.
    site.edit("profiles/PHL.toml", "2024 = 87212", "2024 = 9000000");
    let edited = site.build();
    let total: u64 = site.tree().values().map(|b| b.len() as u64).sum::<u64>() + manifest();
    assert_eq!(edited.size.bytes, total);
}

#[test]
fn publish_names_a_known_host() {
    let site = Site::fixture("basic");
    site.edit(
        "site.toml",
        "stale_after_years = 5\n",
        "stale_after_years = 5\n\n[publish]\nhost = \"github-page\"\n",
    );
    let checked = site.check();
    let d = checked
        .diags
        .iter()
        .find(|d| d.message.contains("github-page"))
        .unwrap_or_else(|| panic!("{:?}", checked.diags));
    assert!(d.is_error());
    assert!(
        d.help
            .as_deref()
            .unwrap()
            .contains("did you mean `github-pages`?")
    );
    site.edit("site.toml", "\"github-page\"", "\"github-pages\"");
    assert!(!site.check().has_errors());
}

/// Whether an output belongs to the profile `code` (lower case): its pages, charts,
/// embeds and data files.
fn of_profile(path: &str, code: &str) -> bool {
    path.split('/')
        .any(|c| c == code || c.split('.').next() == Some(code))
}

#[test]
fn the_default_site_fits_the_common_hosts() {
    // The file count is exact: the whole default site's plan, which renders nothing.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let checked = mpgen::pipeline::check(repo);
    let (mut whole, theme) = checked.site.expect("the default site checks clean");
    let opts = mpgen::pipeline::BuildOptions {
        root: repo.to_path_buf(),
        ..Default::default()
    };
    let files = mpgen::pipeline::plan_site(&mut whole, &theme, &opts).len();
    // The bytes are bounded from the twelve hand profiles, built: what they share, plus
    // for every profile as many bytes as the largest of them has.
    let site = Site::default_site();
    let report = site.build();
    let tree = site.tree();
    let codes: Vec<String> = crate::harness::HAND_PROFILES
        .iter()
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let shared: u64 = tree
        .iter()
        .filter(|(p, _)| !codes.iter().any(|c| of_profile(p, c)))
        .map(|(_, b)| b.len() as u64)
        .sum();
    let most = codes
        .iter()
        .map(|c| {
            tree.iter()
                .filter(|(p, _)| of_profile(p, c))
                .map(|(_, b)| b.len() as u64)
                .sum::<u64>()
        })
        .max()
        .unwrap();
    // The largest file: all.csv, which grows with the profiles, or what is largest now.
    let n = whole.profiles.len() as u64;
    let all_csv = tree["data/all.csv"].len() as u64 * n / codes.len() as u64;
    let largest = report
        .size
        .largest
        .clone()
        .filter(|(_, len)| *len > all_csv)
        .unwrap_or(("data/all.csv".into(), all_csv));
    let size = mpgen::model::hosts::Size {
        files,
        bytes: shared + n * most,
        largest: Some(largest),
    };
    assert_eq!(
        mpgen::model::hosts::over_limits(&size, None),
        Vec::<String>::new(),
        "{} profiles; {files} files; at most {most} bytes a profile, {shared} shared",
        whole.profiles.len()
    );
}

#[test]
fn a_template_edit_renders_only_the_pages_made_with_it() {
    let site = Site::fixture("basic");
    site.build();
    site.edit_theme_page("<h1>{{ title }}</h1>", "<h1>{{ title }}</h1><hr>");
    let report = site.build();
    assert!(!report.rendered_paths.is_empty());
    // Content pages only: `page.html` makes them, and nothing else.
    for p in &report.rendered_paths {
        let other = [
            "profiles/",
            "indicators",
            "charts/",
            "embed/",
            "data",
            "rcps/",
        ];
        assert!(!other.iter().any(|o| p.contains(o)), "{p}");
        assert!(p != "index.html" && p != "fr/index.html", "{p}");
    }
    assert!(site.output("about/index.html").contains("<hr>"));
    site.assert_same_as_full();
}

#[test]
fn the_title_in_one_language_renders_only_that_languages_pages() {
    let site = Site::fixture("basic");
    site.build();
    site.edit(
        "site.toml",
        "en = \"Test Profiles",
        "en = \"Tested Profiles",
    );
    let report = site.build();
    assert!(
        report
            .rendered_paths
            .contains(&"profiles/mex/index.html".to_string())
    );
    assert!(
        !report.rendered_paths.iter().any(|p| p.starts_with("fr/")),
        "{:?}",
        report.rendered_paths
    );
    site.assert_same_as_full();
}

#[test]
fn a_label_in_one_language_renders_no_page_of_another() {
    let site = Site::fixture("basic");
    site.build();
    site.edit(
        "indicators.toml",
        "fr = \"Stock de migrants internationaux\"",
        "fr = \"Effectif des migrants internationaux\"",
    );
    let report = site.build();
    assert!(
        report
            .rendered_paths
            .contains(&"fr/profiles/mex/index.html".to_string())
    );
    // English pages and charts stay; the charts' metadata and the search indexes
    // hold every language's words.
    for p in &report.rendered_paths {
        let every_language = p.ends_with(".json") || p.ends_with(".csv") || p.contains("search");
        assert!(p.starts_with("fr/") || every_language, "{p}");
    }
    site.assert_same_as_full();
}
