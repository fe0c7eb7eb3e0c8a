//! `mpgen serve` over real HTTP on a random loopback port: pages and types, 404s, path
//! traversal, HEAD, methods, live reload and the error overlay's events, and answers
//! that stay whole while the site rebuilds.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use mpgen::serve::{self, ServeOptions, Server};

use crate::harness::Site;

fn start(site: &Site) -> Server {
    start_with(site, false)
}

fn start_with(site: &Site, poll: bool) -> Server {
    serve::start(
        ServeOptions {
            build: site.options(),
            bind: "127.0.0.1".parse().unwrap(),
            port: 0,
            poll,
        },
        Box::new(|_| {}),
    )
    .expect("the server starts")
}

struct Response {
    status: u16,
    headers: String,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One request, written by hand so that paths reach the server exactly as given.
fn request(addr: SocketAddr, method: &str, target: &str) -> Response {
    request_with(addr, method, target, "")
}

/// One request with more header lines (each ending in `\r\n`).
fn request_with(addr: SocketAddr, method: &str, target: &str, headers: &str) -> Response {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "{method} {target} HTTP/1.1\r\nHost: localhost\r\n{headers}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a full response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    Response {
        status,
        headers: head,
        body: raw[split + 4..].to_vec(),
    }
}

fn get(addr: SocketAddr, target: &str) -> Response {
    request(addr, "GET", target)
}

#[test]
fn pages_types_404_traversal_head_and_methods() {
    let site = Site::fixture("basic");
    let server = start(&site);
    let addr = server.addr;
    assert_eq!(server.base, "/profiles/");

    let home = get(addr, "/profiles/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    let html = home.text();
    assert!(html.contains("/__mpgen/live.js"), "the live-reload script");
    assert!(html.trim_end().ends_with("</html>"));
    // The same page, as a build writes it, has no script.
    site.build();
    assert!(!site.output("index.html").contains("__mpgen"));

    for (path, ty) in [
        ("/profiles/style.css", "text/css; charset=utf-8"),
        ("/profiles/data/all.csv", "text/csv; charset=utf-8"),
        ("/profiles/data/mex.json", "application/json"),
        ("/profiles/charts/mex/migrant_stock.svg", "image/svg+xml"),
        ("/profiles/fonts/DejaVuSans.ttf", "font/ttf"),
    ] {
        let r = get(addr, path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type").as_deref(), Some(ty), "{path}");
        assert_eq!(
            r.body,
            std::fs::read(site.out.join(path.trim_start_matches("/profiles/"))).unwrap(),
            "{path}: served bytes are the built bytes"
        );
    }
    // Absolute links point at the preview, not at the published site.
    let sitemap = get(addr, "/profiles/sitemap.xml");
    assert_eq!(
        sitemap.header("content-type").as_deref(),
        Some("application/xml")
    );
    assert!(
        sitemap
            .text()
            .contains(&format!("<loc>http://{addr}/profiles/profiles/mex/</loc>")),
        "{}",
        sitemap.text()
    );

    // A folder without its final slash, and the host's root, lead to the page.
    let r = get(addr, "/profiles/profiles/mex");
    assert_eq!(r.status, 301);
    assert_eq!(
        r.header("location").as_deref(),
        Some("/profiles/profiles/mex/")
    );
    assert_eq!(
        get(addr, "/").header("location").as_deref(),
        Some("/profiles/")
    );

    let missing = get(addr, "/profiles/no/such/page.html");
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("</html>"), "the site's 404 page");

    for attack in [
        "/profiles/../Cargo.toml",
        "/../../../../etc/passwd",
        "/profiles/%2e%2e/%2e%2e/etc/passwd",
        "/profiles/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/profiles/..%5c..%5cprofiles%5cMEX.toml",
        "/profiles/profiles/../../site/profiles/MEX.toml",
        "//etc/passwd",
        "/etc/passwd",
        "/profiles/%00",
        "/profiles/site.toml",
        "/profiles/profiles/MEX.toml",
        "http://localhost/../../etc/passwd",
    ] {
        let r = get(addr, attack);
        assert!(
            r.status == 404 || r.status == 400,
            "{attack}: status {}",
            r.status
        );
        let body = r.text();
        assert!(
            !body.contains("root:") && !body.contains("[country]") && !body.contains("[package]"),
            "{attack} leaked a file"
        );
    }

    let head = request(addr, "HEAD", "/profiles/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "HEAD has no body");
    assert_eq!(
        head.header("content-length"),
        Some(home.body.len().to_string())
    );

    for method in ["POST", "PUT", "DELETE"] {
        let r = request(addr, method, "/profiles/");
        assert_eq!(r.status, 405, "{method}");
        assert_eq!(r.header("allow").as_deref(), Some("GET, HEAD"));
    }
    server.stop();
}

#[test]
fn text_is_sent_gzipped_to_a_browser_that_takes_it() {
    let site = Site::fixture("basic");
    let server = start(&site);
    let addr = server.addr;
    let gzip = "Accept-Encoding: gzip, deflate, br\r\n";
    for path in [
        "/profiles/charts/mex/migrant_stock.svg",
        "/profiles/data/mex.csv",
        "/profiles/style.css",
    ] {
        let plain = get(addr, path);
        assert_eq!(plain.status, 200, "{path}");
        assert_eq!(plain.header("content-encoding"), None, "{path}");
        let zipped = request_with(addr, "GET", path, gzip);
        assert_eq!(zipped.header("content-encoding").as_deref(), Some("gzip"));
        assert_eq!(zipped.header("vary").as_deref(), Some("Accept-Encoding"));
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(&zipped.body[..])
            .read_to_end(&mut unzipped)
            .unwrap();
        assert_eq!(unzipped, plain.body, "{path}");
    }
    // A page carries the live-reload script, so it goes as it is.
    let page = request_with(addr, "GET", "/profiles/", gzip);
    assert_eq!(page.header("content-encoding"), None);
    assert!(page.text().contains("live.js"));
    server.stop();
}

/// The basic fixture served, with a page's event stream open and its first state read.
fn previewing(poll: bool) -> (Site, Server, Events) {
    let site = Site::fixture("basic");
    let server = start_with(&site, poll);
    let mut events = Events::open(server.addr);
    events.wait_for("ok", "");
    (site, server, events)
}

/// Server-sent events, read as they come.
struct Events {
    stream: TcpStream,
    seen: String,
    /// Everything received, never trimmed.
    log: String,
}

impl Events {
    fn open(addr: SocketAddr) -> Events {
        Events::open_on(addr, "")
    }

    /// The event stream of a tab showing `page` (an output path), named as the page's
    /// script names it.
    fn open_on(addr: SocketAddr, page: &str) -> Events {
        let query = if page.is_empty() {
            String::new()
        } else {
            format!("?page={page}")
        };
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        write!(
            stream,
            "GET /__mpgen/events{query} HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        Events {
            stream,
            seen: String::new(),
            log: String::new(),
        }
    }

    /// Waits for an event whose text contains `want`; returns its text.
    fn wait_for(&mut self, event: &str, want: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut buf = [0u8; 65536];
        loop {
            let mut start = 0;
            while let Some(at) = self.seen[start..].find(&format!("event: {event}\n")) {
                let from = start + at;
                let end = self.seen[from..]
                    .find("\n\n")
                    .map_or(self.seen.len(), |e| from + e);
                let text = self.seen[from..end].to_string();
                if text.contains(want) && end < self.seen.len() {
                    self.seen.drain(..end);
                    return text;
                }
                start = from + 1;
            }
            assert!(
                Instant::now() < deadline,
                "no `{event}` event with {want:?}; saw:\n{}",
                self.seen
            );
            match self.stream.read(&mut buf) {
                Ok(0) => panic!("the event stream closed"),
                Ok(n) => {
                    let got = String::from_utf8_lossy(&buf[..n]);
                    self.seen.push_str(&got);
                    self.log.push_str(&got);
                }
                Err(_) => {}
            }
        }
    }
}

#[test]
fn edits_reload_pages_and_errors_show_until_fixed() {
    let (site, server, mut events) = previewing(false);
    let addr = server.addr;
    assert!(
        get(addr, "/profiles/profiles/mex/")
            .text()
            .contains("1,726,089")
    );

    site.edit("profiles/MEX.toml", "2024 = 1726089", "2024 = 1726090");
    events.wait_for("reload", "\"profiles/mex/index.html\"");
    let page = get(addr, "/profiles/profiles/mex/").text();
    assert!(page.contains("1,726,090") && !page.contains("1,726,089"));

    // A broken file: the errors go to the pages, the last good site stays.
    site.edit(
        "profiles/MEX.toml",
        "[series.migrant_stock.female]",
        "[series.migrant_stock.female",
    );
    let errors = events.wait_for("errors", "profiles/MEX.toml:");
    assert!(
        errors.contains("[series.migrant_stock.female"),
        "the line is shown"
    );
    let page = get(addr, "/profiles/profiles/mex/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("1,726,090"));
    // A page opened now learns of the errors at once.
    Events::open(addr).wait_for("errors", "profiles/MEX.toml:");

    site.edit(
        "profiles/MEX.toml",
        "[series.migrant_stock.female",
        "[series.migrant_stock.female]",
    );
    events.wait_for("ok", "");

    // A new profile appears, a deleted one goes.
    let phl = site.read("profiles/PHL.toml");
    site.write(
        "profiles/GTM.toml",
        phl.replace("iso3 = \"PHL\"", "iso3 = \"GTM\"")
            .replace("name = \"Philippines\"", "name = \"Guatemala\""),
    );
    events.wait_for("reload", "\"profiles/gtm/index.html\"");
    assert_eq!(get(addr, "/profiles/profiles/gtm/").status, 200);
    site.remove("profiles/GTM.toml");
    events.wait_for("reload", "\"profiles/gtm/index.html\"");
    assert_eq!(get(addr, "/profiles/profiles/gtm/").status, 404);
    server.stop();
}

/// The paths a `reload` event names.
fn reloaded(event: &str) -> Vec<String> {
    let data = event.split_once("data: ").expect("a reload has data").1;
    let json: serde_json::Value = serde_json::from_str(data.trim()).unwrap();
    json["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn an_open_page_is_shown_before_the_rest_of_the_site_renders() {
    let (site, server, mut any) = previewing(false);
    let addr = server.addr;
    let mut tab = Events::open_on(addr, "profiles/mex/index.html");
    tab.wait_for("ok", "");
    // The title is on every page: the open one is rendered, stored and announced
    // alone first, the others after it.
    site.edit(
        "site.toml",
        "en = \"Test Profiles\"",
        "en = \"Test Profiles 2\"",
    );
    let first = tab.wait_for("reload", "");
    assert_eq!(reloaded(&first), ["profiles/mex/index.html"]);
    assert!(
        get(addr, "/profiles/profiles/mex/")
            .text()
            .contains("Test Profiles 2")
    );
    let rest = reloaded(&tab.wait_for("reload", ""));
    assert!(rest.contains(&"index.html".to_string()), "{rest:?}");
    assert!(!rest.contains(&"profiles/mex/index.html".to_string()));
    // A tab that names no page (or one the site lacks) is told of every change.
    let both: Vec<String> = [any.wait_for("reload", ""), any.wait_for("reload", "")]
        .iter()
        .flat_map(|e| reloaded(e))
        .collect();
    assert!(both.contains(&"profiles/mex/index.html".to_string()));
    assert!(get(addr, "/profiles/").text().contains("Test Profiles 2"));
    drop(tab);

    // Once the tab is closed, nothing goes first.
    let mut unknown = Events::open_on(addr, "no/such/page.html");
    unknown.wait_for("ok", "");
    std::thread::sleep(Duration::from_millis(100));
    site.edit("site.toml", "Test Profiles 2", "Test Profiles 3");
    let all = reloaded(&unknown.wait_for("reload", ""));
    assert!(
        all.contains(&"index.html".to_string())
            && all.contains(&"profiles/mex/index.html".to_string())
    );
    server.stop();
}

#[test]
fn answers_stay_whole_while_the_site_rebuilds() {
    let (site, server, mut events) = previewing(false);
    let addr = server.addr;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..4)
        .map(|i| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let path = [
                    "/profiles/profiles/mex/",
                    "/profiles/",
                    "/profiles/data/all.csv",
                ][i % 3];
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let r = get(addr, path);
                    assert_eq!(r.status, 200, "{path}");
                    if path.ends_with('/') {
                        assert!(r.text().trim_end().ends_with("</html>"), "{path} cut short");
                    }
                    n += 1;
                }
                n
            })
        })
        .collect();
    let mut value = "1726089".to_string();
    for v in 0..6 {
        let next = format!("17261{v:02}");
        site.edit(
            "profiles/MEX.toml",
            &format!("2024 = {value}"),
            &format!("2024 = {next}"),
        );
        events.wait_for("reload", "\"profiles/mex/index.html\"");
        value = next;
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let answered: usize = readers.into_iter().map(|r| r.join().unwrap()).sum();
    assert!(answered > 0);
    assert!(
        get(addr, "/profiles/profiles/mex/")
            .text()
            .contains("1,726,105")
    );
    server.stop();
}

#[test]
fn polling_sees_edits_and_new_folders() {
    let (site, server, mut events) = previewing(true);
    let addr = server.addr;
    site.edit("profiles/MEX.toml", "2024 = 1726089", "2024 = 1726091");
    events.wait_for("reload", "\"profiles/mex/index.html\"");
    assert!(
        get(addr, "/profiles/profiles/mex/")
            .text()
            .contains("1,726,091")
    );
    // `static/` did not exist when the watch began.
    site.write("static/note.txt", "hello");
    events.wait_for("reload", "\"note.txt\"");
    assert_eq!(get(addr, "/profiles/note.txt").text(), "hello");
    server.stop();
}

#[test]
fn a_folder_made_after_the_start_is_watched() {
    let (site, server, mut events) = previewing(false);
    let addr = server.addr;
    site.write("static/note.txt", "hello");
    events.wait_for("reload", "\"note.txt\"");
    // A file added inside the new folder later is seen too.
    site.write("static/more.txt", "more");
    events.wait_for("reload", "\"more.txt\"");
    assert_eq!(get(addr, "/profiles/more.txt").text(), "more");
    server.stop();
}

#[test]
fn a_save_by_rename_is_one_change() {
    let (site, server, mut events) = previewing(false);
    let addr = server.addr;
    // As vim saves by default: the file moves to a backup, a new one is written, and
    // the backup goes. The profile is never missing as far as the preview can tell:
    // a missing MEX would be an error (a content page draws its chart).
    let path = site.root.join("profiles/MEX.toml");
    let text = site
        .read("profiles/MEX.toml")
        .replace("2024 = 1726089", "2024 = 1726093");
    std::fs::rename(&path, site.root.join("profiles/MEX.toml~")).unwrap();
    std::fs::write(site.root.join("profiles/4913"), "").unwrap();
    std::fs::remove_file(site.root.join("profiles/4913")).unwrap();
    std::fs::write(&path, text).unwrap();
    std::fs::remove_file(site.root.join("profiles/MEX.toml~")).unwrap();
    events.wait_for("reload", "\"profiles/mex/index.html\"");
    assert!(
        !events.log.contains("event: errors"),
        "a half-done save was seen: {}",
        events.log
    );
    assert!(
        get(addr, "/profiles/profiles/mex/")
            .text()
            .contains("1,726,093")
    );
    server.stop();
}
