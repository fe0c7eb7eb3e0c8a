//! What a careless user or an attacker does to mpgen: each test is named after what it
//! guards, and fails on the code before its fix.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::harness::Site;

fn mpgen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mpgen"))
        .args(args)
        .output()
        .unwrap()
}

fn build(root: &Path, out: &Path) -> Output {
    mpgen(&[
        "build",
        "--no-charts",
        "--root",
        root.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file and folder under `dir`, with each file's bytes.
fn snapshot(dir: &Path) -> Vec<(String, Option<Vec<u8>>)> {
    let mut all = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().display().to_string();
            if p.is_dir() {
                all.push((rel, None));
                stack.push(p);
            } else {
                all.push((rel, Some(fs::read(&p).unwrap())));
            }
        }
    }
    all.sort();
    all
}

#[test]
fn out_inside_the_site_is_refused() {
    let site = Site::fixture("basic");
    fs::create_dir_all(site.root.join("static")).unwrap();
    fs::write(site.root.join("static/robots.txt"), "User-agent: *\n").unwrap();
    let before = snapshot(&site.root);
    for out in [
        "content",
        "content/themes",
        "content/new",
        "profiles",
        "site.toml",
        "indicators.toml",
        "static",
        "themes",
        "themes/default",
        ".",
    ] {
        let o = build(&site.root, &site.root.join(out));
        assert_eq!(o.status.code(), Some(2), "{out}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("refusing --out"),
            "{out}: {}",
            stderr(&o)
        );
        assert_eq!(snapshot(&site.root), before, "--out {out} changed the site");
    }
    // The parent of the site holds it.
    let parent = site.root.parent().unwrap();
    let o = build(&site.root, parent);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(snapshot(&site.root), before);
}

#[test]
fn out_that_is_a_file_is_refused() {
    let site = Site::fixture("basic");
    let file = site.out.with_file_name("a-file");
    fs::write(&file, "mine").unwrap();
    for out in [file.clone(), file.join("below")] {
        let o = build(&site.root, &out);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    }
    assert_eq!(fs::read_to_string(&file).unwrap(), "mine");
}

#[test]
fn out_that_is_a_folder_mpgen_did_not_make_is_refused() {
    let site = Site::fixture("basic");
    fs::create_dir_all(site.out.join("notes")).unwrap();
    fs::write(site.out.join("notes/todo.txt"), "mine").unwrap();
    let before = snapshot(&site.out);
    let o = build(&site.root, &site.out);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("did not make"), "{}", stderr(&o));
    assert_eq!(snapshot(&site.out), before);
    let parent = site.out.parent().unwrap();
    let working: Vec<_> = fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("mpgen-"))
        .collect();
    assert!(working.is_empty(), "working folders left: {working:?}");
    // An empty folder is a new output folder.
    fs::remove_dir_all(&site.out).unwrap();
    fs::create_dir_all(&site.out).unwrap();
    assert!(build(&site.root, &site.out).status.success());
}

#[cfg(unix)]
#[test]
fn out_through_a_symlink_builds_into_its_folder() {
    let site = Site::fixture("basic");
    let real = site.out.with_file_name("real");
    fs::create_dir_all(&real).unwrap();
    let link = site.out.with_file_name("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    for title in ["One", "Two", "Three"] {
        site.edit(
            "site.toml",
            "title = ",
            &format!("title = \"{title}\"\n# was "),
        );
        let o = build(&site.root, &link);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        let home = fs::read_to_string(real.join("index.html")).unwrap();
        assert!(
            home.contains(title),
            "the build did not reach the link's folder"
        );
    }
    // A link to a file, or to nothing, is refused with nothing left behind.
    let dangling = site.out.with_file_name("dangling");
    std::os::unix::fs::symlink(site.out.with_file_name("nowhere"), &dangling).unwrap();
    let o = build(&site.root, &dangling);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!site.out.with_file_name(".dangling.mpgen-staging").exists());
}

/// Puts a new value in the fixture's first `2024 = 87212` (a migrant stock of PHL).
fn set_phl_stock(site: &Site, value: &str) {
    let text = site.read("profiles/PHL.toml");
    let at = text.find("2024 = ").unwrap() + "2024 = ".len();
    let end = at + text[at..].find(|c: char| !c.is_ascii_digit()).unwrap();
    site.write(
        "profiles/PHL.toml",
        format!("{}{value}{}", &text[..at], &text[end..]),
    );
}

#[test]
fn files_added_to_the_output_by_hand_do_not_survive_a_build() {
    let site = Site::fixture("basic");
    site.build();
    for (round, value) in ["90001", "90002", "90003"].iter().enumerate() {
        fs::write(site.out.join(format!("extra-{round}.txt")), "by hand").unwrap();
        fs::create_dir_all(site.out.join("profiles/junk")).unwrap();
        fs::write(site.out.join("profiles/junk/x.html"), "by hand").unwrap();
        set_phl_stock(&site, value);
        site.build();
        site.assert_same_as_full();
    }
    // A build with nothing to do clears them too.
    fs::write(site.out.join("extra.txt"), "by hand").unwrap();
    site.build();
    site.assert_same_as_full();
}

#[test]
fn hand_edited_output_files_are_made_again() {
    let site = Site::fixture("basic");
    site.build();
    // A second build, so that the two output versions share files by hard links.
    set_phl_stock(&site, "90001");
    site.build();
    for rel in ["index.html", "about/index.html", "data/all.csv"] {
        // The same length, written in place: through every hard link to the file.
        let path = site.out.join(rel);
        let mut bytes = fs::read(&path).unwrap();
        bytes[0] = if bytes[0] == b'X' { b'Y' } else { b'X' };
        fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, &bytes))
            .unwrap();
    }
    site.build();
    site.assert_same_as_full();
    set_phl_stock(&site, "90002");
    site.build();
    site.assert_same_as_full();
    set_phl_stock(&site, "90003");
    site.build();
    site.assert_same_as_full();
}

#[test]
fn init_gitignore_covers_the_working_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    assert!(mpgen(&["init", dir.to_str().unwrap()]).status.success());
    let ignore = fs::read_to_string(dir.join(".gitignore")).unwrap();
    for line in [
        "public/",
        ".public.mpgen-next/",
        ".public.mpgen-staging/",
        ".public.mpgen-swap/",
    ] {
        assert!(ignore.lines().any(|l| l == line), "{line} in {ignore}");
    }
}

#[test]
fn base_url_option_is_checked_like_base_url() {
    let site = Site::fixture("basic");
    let root = site.root.to_str().unwrap();
    let out = site.out.to_str().unwrap();
    for bad in [
        "not a url",
        "",
        "javascript:alert(1)",
        "https://",
        "ftp://x.org/",
    ] {
        let o = mpgen(&["build", "--root", root, "--out", out, "--base-url", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {}", stderr(&o));
        assert!(!site.out.exists(), "{bad:?} built a site");
    }
    // A good --base-url stands in for a wrong one in the file.
    site.edit(
        "site.toml",
        "base_url = ",
        "base_url = \"not a url\"\n# was ",
    );
    let o = mpgen(&["build", "--no-charts", "--root", root, "--out", out]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = mpgen(&[
        "build",
        "--no-charts",
        "--root",
        root,
        "--out",
        out,
        "--base-url",
        "https://example.net/mp/",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        site.output("sitemap.xml")
            .contains("https://example.net/mp/")
    );
}

#[test]
fn thread_counts_are_bounded() {
    let site = Site::fixture("basic");
    for n in ["0", "100000", "x"] {
        let o = mpgen(&[
            "build",
            "--root",
            site.root.to_str().unwrap(),
            "--threads",
            n,
        ]);
        assert_eq!(o.status.code(), Some(2), "--threads {n}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("threads from 1 to 256"),
            "{}",
            stderr(&o)
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_stderr_gives_the_exit_code_not_a_panic() {
    let site = Site::fixture("basic");
    site.edit("profiles/MEX.toml", "[series", "nonsense = 1\n[series");
    let full = || {
        fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let o = Command::new(env!("CARGO_BIN_EXE_mpgen"))
        .args(["check", "--root", site.root.to_str().unwrap()])
        .stderr(full())
        .stdout(full())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn a_diff_revision_never_reaches_git_as_an_option() {
    let site = Site::fixture("basic");
    site.git_commit_all();
    let victim = site.out.with_file_name("victim.txt");
    fs::write(&victim, "precious").unwrap();
    let option = format!("--output={}", victim.display());
    for rev in [option.as_str(), "--help", "-o"] {
        let o = mpgen(&["diff", "--root", site.root.to_str().unwrap(), "--", rev]);
        assert_eq!(o.status.code(), Some(1), "{rev}: {}", stderr(&o));
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious", "{rev}");
    }
}

/// The preview of `site` on a free loopback port, and its `host:port`.
fn preview(site: &Site) -> (mpgen::serve::Server, String) {
    let server = mpgen::serve::start(
        mpgen::serve::ServeOptions {
            build: site.options(),
            bind: "127.0.0.1".parse().unwrap(),
            port: 0,
            poll: false,
        },
        Box::new(|_| {}),
    )
    .unwrap();
    let authority = server
        .url()
        .strip_prefix("http://")
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    (server, authority)
}

#[test]
fn the_preview_answers_only_its_own_host() {
    use std::io::{Read, Write};
    let site = Site::fixture("basic");
    let (server, authority) = preview(&site);
    let url = server.url();
    let port = authority.rsplit(':').next().unwrap().to_string();
    let ask = |target: &str, headers: &str| {
        let mut s = std::net::TcpStream::connect(&authority).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        write!(
            s,
            "GET {target} HTTP/1.1\r\n{headers}Connection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        (
            head.split(' ').nth(1).unwrap_or("").to_string(),
            body.to_string(),
        )
    };
    let base = url.strip_prefix(&format!("http://{authority}")).unwrap();
    for host in [
        "evil.com",
        &format!("evil.com:{port}"),
        "127.0.0.1:1",
        "localhost.evil.com",
    ] {
        let (status, body) = ask(base, &format!("Host: {host}\r\n"));
        assert_eq!(status, "403", "{host}");
        assert!(body.is_empty(), "{host}: {body}");
    }
    let (status, _) = ask(base, "");
    assert_eq!(status, "403", "no Host");
    for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}")] {
        let (status, _) = ask(base, &format!("Host: {host}\r\n"));
        assert_eq!(status, "200", "{host}");
    }
    let (status, _) = ask(
        "/__mpgen/events",
        &format!("Host: localhost:{port}\r\nOrigin: http://evil.com\r\n"),
    );
    assert_eq!(status, "403", "events for another origin");
    server.stop();
}

/// Every error of `check`, as `file:line:col message` (`file message` for one about a
/// whole file).
fn error_places(site: &Site) -> Vec<String> {
    let checked = site.check();
    checked
        .diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            let text = checked.texts.get(&d.file).unwrap_or_default();
            match &d.span {
                Some(span) => {
                    let (line, col) = mpgen::diagnostics::line_col(text, span.start);
                    format!("{}:{line}:{col} {}", d.file, d.message)
                }
                None => format!("{} {}", d.file, d.message),
            }
        })
        .collect()
}

#[test]
fn urls_from_input_must_be_web_addresses() {
    let site = Site::fixture("basic");
    let bad = "javascript:alert(3)";
    site.edit(
        "sources.toml",
        "[undesa-ims-2024]\n",
        &format!("[undesa-ims-2024]\nurl = \"{bad}\"\n"),
    )
    .edit(
        "rcps.toml",
        "founded = 1996\n",
        "founded = 1996\nurl = \"data:text/html,x\"\n",
    )
    .edit(
        "profiles/MEX.toml",
        "status = \"in_force\"\n",
        "status = \"in_force\"\nurl = \"vbscript:x\"\n",
    )
    .edit(
        "profiles/MEX.toml",
        "year = 2011\n",
        "year = 2011\nurl = \"//evil.example/\"\n",
    );
    let errors = error_places(&site);
    let urls: Vec<&String> = errors
        .iter()
        .filter(|e| e.contains("web address"))
        .collect();
    assert_eq!(urls.len(), 4, "{errors:#?}");
    for want in [
        "sources.toml:2:7",
        "rcps.toml:5:7",
        "profiles/MEX.toml:55:7",
        "profiles/MEX.toml:60:7",
    ] {
        assert!(
            urls.iter().any(|e| e.starts_with(want)),
            "{want}: {urls:#?}"
        );
    }
    assert!(site.try_build().is_err());
}

#[test]
fn control_characters_in_texts_are_errors_at_their_place() {
    let site = Site::fixture("basic");
    site.edit(
        "profiles/MEX.toml",
        "name = { en = \"Mexico\", fr = \"Mexique\" }",
        "name = { en = \"Me\\u0001xico\", fr = \"Mexique\" }",
    )
    .edit(
        "profiles/MEX.toml",
        "summary = \"Mexico is",
        "summary = \"\\u0007Mexico is",
    )
    .edit("content/about.md", "Test profiles.", "Test \u{1b}profiles.");
    let errors = error_places(&site);
    let controls: Vec<&String> = errors
        .iter()
        .filter(|e| e.contains("control character"))
        .collect();
    assert_eq!(controls.len(), 3, "{errors:#?}");
    assert!(
        controls
            .iter()
            .any(|e| e.starts_with("profiles/MEX.toml:3:15") && e.contains("U+0001"))
    );
    assert!(
        controls
            .iter()
            .any(|e| e.starts_with("profiles/MEX.toml:9:11") && e.contains("U+0007"))
    );
    assert!(
        controls
            .iter()
            .any(|e| e.starts_with("content/about.md:5:6") && e.contains("U+001B"))
    );
}

#[test]
fn a_year_has_one_spelling() {
    let site = Site::fixture("basic");
    site.edit(
        "profiles/PHL.toml",
        "2024 = 87212 }",
        "2024 = 87212, \"02023\" = 1, \" 2022\" = 2, \"+2021\" = 3 }",
    );
    let errors = error_places(&site);
    for (year, written) in [(2023, "02023"), (2022, " 2022"), (2021, "+2021")] {
        assert!(
            errors.iter().any(|e| e.starts_with("profiles/PHL.toml:8:")
                && e.contains(&format!(
                    "`{written}` is not how a year is written; write {year}"
                ))),
            "{written}: {errors:#?}"
        );
    }
}

#[test]
fn values_beyond_what_can_be_charted_are_errors() {
    let site = Site::fixture("basic");
    set_phl_stock(&site, "1.7e308");
    let errors = error_places(&site);
    assert!(
        errors.iter().any(|e| e.starts_with("profiles/PHL.toml:8:")
            && e.contains("beyond what mpgen can write and chart")),
        "{errors:#?}"
    );
    let site = Site::fixture("basic");
    set_phl_stock(&site, "999999999999999");
    assert_eq!(error_places(&site), Vec::<String>::new());
}

#[test]
fn a_site_with_no_profiles_builds() {
    let site = Site::fixture("basic");
    site.build();
    for entry in fs::read_dir(site.root.join("profiles")).unwrap() {
        fs::remove_file(entry.unwrap().path()).unwrap();
    }
    for page in ["content/about.md", "content/themes/people.md"] {
        let text = site.read(page);
        let kept: Vec<&str> = text.lines().filter(|l| !l.contains("MEX")).collect();
        site.write(page, kept.join("\n") + "\n");
    }
    assert_eq!(error_places(&site), Vec::<String>::new());
    site.build();
    site.assert_same_as_full();
    assert!(site.output("index.html").contains("<html"));
    let root = site.root.to_str().unwrap();
    for args in [
        &["build", "--verify", "--root", root][..],
        &["check", "--links", "--root", root],
    ] {
        let o = mpgen(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn a_title_by_language_in_front_matter_says_what_form_it_takes() {
    let site = Site::fixture("basic");
    let text = site.read("content/about.md");
    let title = text
        .lines()
        .find(|l| l.starts_with("title"))
        .unwrap()
        .to_string();
    site.edit("content/about.md", &title, "title = { en = \"About\" }");
    let errors = error_places(&site);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].contains("`title` in front matter is one string"),
        "{errors:#?}"
    );
    assert!(!errors[0].contains("needs `title`"));
}

#[test]
fn chart_pictures_are_bounded_before_they_are_drawn() {
    let site = Site::fixture("basic");
    site.edit(
        "site.toml",
        "formats = [\"svg\"]",
        "formats = [\"svg\", \"png\"]\nwidth = 10000\nheight = 10000\npng_scale = 8",
    );
    let errors = error_places(&site);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("site.toml:") && e.contains("million pixels")),
        "{errors:#?}"
    );
    let site = Site::fixture("basic");
    let out = site.root.join("big.png");
    let o = mpgen(&[
        "chart",
        "MEX",
        "migrant_stock",
        "--format",
        "png",
        "--width",
        "20000",
        "--height",
        "20000",
        "--scale",
        "16",
        "--root",
        site.root.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("million pixels"), "{}", stderr(&o));
    assert!(!out.exists());
}

#[test]
fn names_too_long_to_draw_are_errors() {
    let site = Site::fixture("basic");
    let long = "Mexico ".repeat(2000);
    site.edit(
        "profiles/MEX.toml",
        "en = \"Mexico\"",
        &format!("en = \"{long}\""),
    )
    .edit(
        "sources.toml",
        "title = \"International Migrant Stock 2024\"",
        &format!("title = \"{long}\""),
    );
    let errors = error_places(&site);
    for at in ["profiles/MEX.toml:3:8", "sources.toml:2:9"] {
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with(at) && e.contains("characters long")),
            "{at}: {errors:#?}"
        );
    }
}

/// `mpgen import --dry-run` of a file holding `bytes`, written into the site folder.
fn import_dry_run(site: &Site, name: &str, bytes: impl AsRef<[u8]>) -> Output {
    let file = site.root.join(name);
    fs::write(&file, bytes).unwrap();
    mpgen(&[
        "import",
        "--dry-run",
        "--root",
        site.root.to_str().unwrap(),
        file.to_str().unwrap(),
    ])
}

#[test]
fn import_places_errors_of_crlf_files_on_their_lines() {
    let site = Site::fixture("basic");
    let o = import_dry_run(
        &site,
        "crlf.csv",
        "iso3,indicator,year,value\r\nMEX,population,2020,3\r\nMEX,population,2021,1x\r\n",
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("crlf.csv:3:21"), "{}", stderr(&o));
    assert!(!stderr(&o).contains('␍'), "{}", stderr(&o));
}

#[test]
fn import_refuses_two_values_for_one_year() {
    let site = Site::fixture("basic");
    let o = import_dry_run(
        &site,
        "dup.csv",
        "iso3,indicator,year,value\nMEX,population,2021,5\nMEX,population,2022,6\n\
         MEX,population,2021,7\nMEX,population,2022,6\n",
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("dup.csv:4:21"), "{err}");
    assert!(err.contains("is 7 here but 5 on line 2"), "{err}");
    assert_eq!(
        err.matches("error:").count(),
        1,
        "the same value twice is no conflict: {err}"
    );
    // Layouts that add rows up take a repeated row as an error, not as twice the people.
    let o = import_dry_run(
        &site,
        "unhcr.csv",
        "geo,t,from,group,n\nMEX,2022,HND,refugees,10\nMEX,2022,HND,refugees,10\n",
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("unhcr.csv:3:1"), "{}", stderr(&o));
    assert!(stderr(&o).contains("repeats line 2"), "{}", stderr(&o));
}

/// A zip whose one entry says it unpacks to `declared` bytes, in both of the places a
/// zip says so (its local header and the central directory).
fn zip_declaring(declared: u32) -> Vec<u8> {
    use std::io::Write as _;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("API_SM.POP.TOTL_DS2_en_csv_v2_1.csv", stored)
        .unwrap();
    zip.write_all(b"x").unwrap();
    let mut bytes = zip.finish().unwrap().into_inner();
    for (signature, at) in [(0x04034b50u32, 22), (0x02014b50, 24)] {
        let start = bytes
            .windows(4)
            .position(|w| w == signature.to_le_bytes())
            .unwrap();
        bytes[start + at..start + at + 4].copy_from_slice(&declared.to_le_bytes());
    }
    bytes
}

#[test]
fn archives_are_bounded_before_they_are_unpacked() {
    let site = Site::fixture("basic");
    let o = import_dry_run(&site, "big.zip", zip_declaring(600_000_000));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("unpacks to more than"),
        "{}",
        stderr(&o)
    );
    // An entry longer than it declares is cut off by an error, not read on.
    let o = import_dry_run(&site, "lie.zip", zip_declaring(0));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

#[test]
fn a_workbook_cell_far_away_is_an_error_not_a_grid_of_billions() {
    let site = Site::fixture("basic");
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let strings = format!(r#"<sst xmlns="{main}"><si><t>Location code</t></si></sst>"#);
    let sheet = format!(
        r#"<worksheet xmlns="{main}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>"#
    );
    let bytes = mpgen::import::workbook::one_sheet_workbook(strings.as_bytes(), sheet.as_bytes());
    let o = import_dry_run(&site, "far.xlsx", bytes);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("A1:XFD1048576"), "{}", stderr(&o));
}

/// Every warning of `check`, as `file: message`.
fn warnings(site: &Site) -> Vec<String> {
    site.check()
        .diags
        .iter()
        .filter(|d| !d.is_error())
        .map(|d| format!("{}: {}", d.file, d.message))
        .collect()
}

#[test]
fn links_out_of_the_site_are_not_followed_and_are_named() {
    use std::os::unix::fs::symlink;
    let site = Site::fixture("basic");
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("secret.txt"), "not yours").unwrap();
    fs::write(
        outside.path().join("XXA.toml"),
        site.read("profiles/MEX.toml"),
    )
    .unwrap();
    symlink(outside.path(), site.root.join("static")).unwrap();
    symlink(
        outside.path().join("XXA.toml"),
        site.root.join("profiles/XXA.toml"),
    )
    .unwrap();
    symlink(outside.path(), site.root.join("content/elsewhere")).unwrap();
    symlink("/nowhere/at/all", site.root.join("content/dangling.md")).unwrap();
    let warned = warnings(&site);
    for (path, why) in [
        ("static", "outside the site"),
        ("profiles/XXA.toml", "outside the site"),
        ("content/elsewhere", "outside the site"),
        ("content/dangling.md", "leads nowhere"),
    ] {
        assert!(
            warned
                .iter()
                .any(|w| w.starts_with(&format!("{path}: not read")) && w.contains(why)),
            "{path}: {warned:#?}"
        );
    }
    site.build();
    assert!(!site.out.join("secret.txt").exists());
    let everything: Vec<u8> = site.tree().into_values().flatten().collect();
    assert!(!everything.windows(9).any(|w| w == b"not yours"));
    // A site file linked out of the site is not read either.
    fs::rename(
        site.root.join("sources.toml"),
        outside.path().join("sources.toml"),
    )
    .unwrap();
    symlink(
        outside.path().join("sources.toml"),
        site.root.join("sources.toml"),
    )
    .unwrap();
    assert!(
        error_places(&site)
            .iter()
            .any(|e| e.starts_with("sources.toml") && e.contains("outside the site"))
    );
}

#[test]
fn links_inside_the_site_are_followed() {
    use std::os::unix::fs::symlink;
    let site = Site::fixture("basic");
    fs::create_dir_all(site.root.join("assets")).unwrap();
    fs::write(site.root.join("assets/logo.svg"), "<svg/>").unwrap();
    fs::create_dir_all(site.root.join("static")).unwrap();
    symlink("../assets", site.root.join("static/img")).unwrap();
    // A link back up makes no endless walk.
    symlink("..", site.root.join("static/img/up")).unwrap();
    assert_eq!(warnings(&site), Vec::<String>::new());
    site.build();
    assert_eq!(site.output("img/logo.svg"), "<svg/>");
}

#[test]
fn an_unreadable_folder_is_an_error() {
    use std::os::unix::fs::PermissionsExt;
    let site = Site::fixture("basic");
    let locked = site.root.join("content/locked");
    fs::create_dir_all(&locked).unwrap();
    fs::write(locked.join("page.md"), "+++\ntitle = \"Locked\"\n+++\n").unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    let root = site.root.to_str().unwrap();
    let o = if fs::read_dir(&locked).is_ok() {
        // Root reads folders whatever their mode: check as an ordinary user, with a
        // copy of the binary where that user can run it.
        let parent = site.root.parent().unwrap();
        for dir in [parent, &site.root] {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).unwrap();
        }
        let bin = parent.join("mpgen");
        fs::copy(env!("CARGO_BIN_EXE_mpgen"), &bin).unwrap();
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin)
            .args(["check", "--root", root])
            .output()
            .expect("setpriv (util-linux) runs the check as nobody")
    } else {
        mpgen(&["check", "--root", root])
    };
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("cannot read this folder"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("--> content/locked"), "{}", stderr(&o));
}

#[test]
fn quiet_connections_to_the_preview_are_closed_but_the_event_stream_lives() {
    use std::io::{Read, Write};
    use std::time::{Duration, Instant};
    let site = Site::fixture("basic");
    let (_server, authority) = preview(&site);
    let mut quiet = std::net::TcpStream::connect(&authority).unwrap();
    quiet
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut events = std::net::TcpStream::connect(&authority).unwrap();
    events
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        events,
        "GET /__mpgen/events HTTP/1.1\r\nHost: {authority}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    // The quiet one is closed by the preview (read gives 0), long before 30 s.
    let n = quiet.read(&mut buf).unwrap_or(0);
    assert_eq!(n, 0, "a quiet connection got an answer");
    let closed_after = started.elapsed();
    assert!(closed_after < Duration::from_secs(25), "{closed_after:?}");
    // Meanwhile the event stream was kept busy, and still is.
    let mut got = Vec::new();
    while got.len() < 1 << 16 {
        let n = events.read(&mut buf).expect("the event stream stays open");
        assert!(n > 0, "the event stream was closed");
        got.extend_from_slice(&buf[..n]);
        if started.elapsed() > closed_after + Duration::from_secs(6) {
            break;
        }
    }
    assert!(String::from_utf8_lossy(&got).contains("200 OK"));
}

#[test]
fn output_files_get_ordinary_modes_never_the_sources() {
    use std::os::unix::fs::PermissionsExt;
    let site = Site::fixture("basic");
    fs::create_dir_all(site.root.join("static")).unwrap();
    for (name, mode) in [("private.txt", 0o600), ("run.sh", 0o4755)] {
        let path = site.root.join("static").join(name);
        fs::write(&path, "x").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
    }
    site.build();
    for name in ["private.txt", "run.sh", "index.html"] {
        let mode = fs::metadata(site.out.join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o7777, 0o644, "{name}: {mode:o}");
    }
}

#[test]
fn languages_and_import_files_are_bounded() {
    let site = Site::fixture("basic");
    let many: Vec<String> = (0..41)
        .map(|i| format!("\"{}{}\"", (b'a' + i / 26) as char, (b'a' + i % 26) as char))
        .collect();
    site.edit(
        "site.toml",
        "languages = [\"en\", \"fr\"]",
        &format!("languages = [\"en\", {}]", many.join(", ")),
    );
    let errors = error_places(&site);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("site.toml:4:") && e.contains("at most 40")),
        "{errors:#?}"
    );
    // A file of more than a gigabyte (sparse: it takes no room) is refused unread.
    let site = Site::fixture("basic");
    let huge = site.root.join("huge.csv");
    fs::File::create(&huge)
        .unwrap()
        .set_len(1_100_000_000)
        .unwrap();
    let o = mpgen(&[
        "import",
        "--dry-run",
        "--root",
        site.root.to_str().unwrap(),
        huge.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("larger than"), "{}", stderr(&o));
}

#[test]
fn a_text_shows_a_bounded_number_of_charts() {
    let site = Site::fixture("basic");
    let text = site.read("content/about.md");
    let calls = "{{ chart(profile=\"MEX\", id=\"migrant_stock\") }}\n\n".repeat(101);
    site.write("content/about.md", format!("{text}\n{calls}"));
    let errors = error_places(&site);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].contains("at most 100 tables and charts"),
        "{errors:#?}"
    );
}

#[test]
fn a_profile_has_a_bounded_number_of_charts_of_its_own() {
    let site = Site::fixture("basic");
    let text = site.read("profiles/MEX.toml");
    let charts: String = (0..41)
        .map(|i| {
            format!("\n[[charts]]\nid = \"c{i}\"\nkind = \"line\"\nseries = [\"migrant_stock\"]\n")
        })
        .collect();
    site.write("profiles/MEX.toml", format!("{text}{charts}"));
    let errors = error_places(&site);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("profiles/MEX.toml:") && e.contains("at most 40")),
        "{errors:#?}"
    );
}

#[test]
fn a_list_names_each_thing_once() {
    let site = Site::fixture("basic");
    site.edit("profiles/MEX.toml", "\"5-11\"", "\"0-4\"")
        .edit(
            "profiles/MEX.toml",
            "topics = [\"labour\", \"circular\"]",
            "topics = [\"labour\", \"labour\"]",
        )
        .edit(
            "site.toml",
            "languages = [\"en\", \"fr\"]",
            "languages = [\"en\", \"fr\", \"en\"]",
        );
    let errors = error_places(&site);
    for (at, what) in [
        (
            "profiles/MEX.toml:43:18",
            "`0-4` is listed twice in `groups`",
        ),
        (
            "profiles/MEX.toml:52:21",
            "`labour` is listed twice in `topics`",
        ),
        ("site.toml:4:26", "`en` is listed twice in `languages`"),
    ] {
        assert!(
            errors.iter().any(|e| e.starts_with(at) && e.contains(what)),
            "{at}: {errors:#?}"
        );
    }
    assert_eq!(errors.len(), 3, "{errors:#?}");
}

#[test]
fn a_workbook_cell_named_past_any_column_is_an_error_not_a_panic() {
    // Found by the import_sheet fuzz target: calamine's column sum overflows.
    let site = Site::fixture("basic");
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let strings = format!(r#"<sst xmlns="{main}"><si><t>Location code</t></si></sst>"#);
    let sheet = format!(
        r#"<worksheet xmlns="{main}"><sheetData><row r="1"><c r="AAAAAAAAAAAAAAAA1"><v>1</v></c></row></sheetData></worksheet>"#
    );
    let bytes = mpgen::import::workbook::one_sheet_workbook(strings.as_bytes(), sheet.as_bytes());
    let o = import_dry_run(&site, "wide.xlsx", bytes);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("wide.xlsx"), "{}", stderr(&o));
}
