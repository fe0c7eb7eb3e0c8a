//! The site in a real browser: Debian's `chromium`, headless, driven over the DevTools
//! protocol.
//! - The preview: a profile page is opened; its TOML is edited and the new value appears
//!   without a manual reload, at the same scroll position; the TOML is broken and the
//!   error overlay appears; it is fixed and the overlay goes.
//! - The search box of a built site, opened from the disk (`file://`), finds a country
//!   by another language's name and opens it.
//! - One page of every kind of the default site loads with no script error, no console
//!   error and no failed request, at phone and desktop widths, none wider than the
//!   screen; screenshots of a profile are kept in `target/browser-artifacts/`.
//! - axe-core finds no serious or critical violation on the key pages; printing a
//!   profile hides the menus and keeps figures and tables whole (the PDF is kept too).
//!
//! Needs `chromium` on the PATH and axe-core under `target/npm` (`.ci/run` installs
//! both). Without them the tests are skipped, except under CI, where they must be there.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mpgen::pipeline::BuildOptions;
use mpgen::serve::{self, ServeOptions};
use serde_json::{Value, json};

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join(name))
                    .find(|p| p.is_file())
            })
        })
}

/// Chromium, or `None` when it is missing outside CI (the test is then skipped); under
/// CI a missing browser is a failure.
fn chromium_or_skip() -> Option<PathBuf> {
    let exe = chromium();
    if exe.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is not installed; CI must install it (see .ci/run)"
        );
        eprintln!("skipped: no chromium on the PATH");
    }
    exe
}

/// A copy of the basic fixture site under `dir`.
fn basic_site(dir: &Path) -> PathBuf {
    let root = dir.join("site");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic"),
        &root,
    );
    root
}

/// The site at `root` built into `dir/out`, which is returned.
fn built(root: PathBuf, dir: &Path) -> PathBuf {
    let out = dir.join("out");
    mpgen::pipeline::build(&BuildOptions {
        root,
        out: Some(out.clone()),
        ..BuildOptions::default()
    })
    .unwrap();
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// A headless Chromium with one page, and its DevTools socket.
struct Browser {
    child: Child,
    ws: tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>,
    next_id: u64,
    /// Events that arrived while waiting for answers, oldest first.
    events: Vec<Value>,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start(exe: &Path) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(exe)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--remote-debugging-port=0",
                "--window-size=1200,800",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chromium starts");
        // "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID"
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find("ws://") {
                    let _ = tx.send(line[at..].trim().to_string());
                }
            }
        });
        let browser_ws = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("chromium tells its DevTools address");
        let host = browser_ws["ws://".len()..]
            .split('/')
            .next()
            .unwrap()
            .to_string();
        let targets: Value = serde_json::from_str(&http_get(&host, "/json/list")).unwrap();
        let page_ws = targets
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["type"] == "page")
            .and_then(|t| t["webSocketDebuggerUrl"].as_str())
            .expect("a page target")
            .to_string();
        let (ws, _) = tungstenite::connect(page_ws).expect("DevTools socket");
        if let tungstenite::stream::MaybeTlsStream::Plain(s) = ws.get_ref() {
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        }
        Browser {
            child,
            ws,
            next_id: 1,
            events: Vec::new(),
            _profile: profile,
        }
    }

    /// Sends a DevTools command and waits for its answer (events meanwhile are kept).
    fn call(&mut self, method: &str, params: Value) -> Value {
        match self.try_call(method, params) {
            Ok(v) => v,
            Err(e) => panic!("{method}: {e}"),
        }
    }

    /// As `call`, but DevTools' error answer is returned rather than failing the test.
    fn try_call(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        let id = self.next_id;
        self.next_id += 1;
        let msg = json!({ "id": id, "method": method, "params": params }).to_string();
        self.ws.send(tungstenite::Message::text(msg)).unwrap();
        loop {
            let m = self.ws.read().expect("a DevTools answer");
            if let tungstenite::Message::Text(t) = m {
                let v: Value = serde_json::from_str(t.as_str()).unwrap();
                if v["id"] == id {
                    return match v.get("error") {
                        Some(_) => Err(v),
                        None => Ok(v["result"].clone()),
                    };
                }
                if v.get("method").is_some() {
                    self.events.push(v);
                }
            }
        }
    }

    fn eval(&mut self, js: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({ "expression": js, "returnByValue": true }),
        );
        r["result"]["value"].clone()
    }

    /// Polls `js` until `ok` holds of its value. An evaluation cut short because
    /// the page navigated (a live reload in flight) counts as "not yet".
    fn wait(&mut self, what: &str, js: &str, ok: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let answer = self.try_call(
                "Runtime.evaluate",
                json!({ "expression": js, "returnByValue": true }),
            );
            let v = match answer {
                Ok(r) => r["result"]["value"].clone(),
                Err(e) if navigated(&e) => Value::Null,
                Err(e) => panic!("{what}: {e}"),
            };
            if ok(&v) {
                return v;
            }
            assert!(Instant::now() < deadline, "{what}: last value {v}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// DevTools' answer when the page went away under an evaluation.
fn navigated(error: &Value) -> bool {
    let message = error["error"]["message"].as_str().unwrap_or("");
    message.contains("navigated or closed") || message.contains("context was destroyed")
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn http_get(host: &str, path: &str) -> String {
    let mut s = TcpStream::connect(host).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    // DevTools answers with a length and may keep the connection open.
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = s.read(&mut buf).expect("an answer from DevTools");
        raw.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&raw).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse::<usize>().ok())?
            });
            if n == 0 || length.is_some_and(|len| body.len() >= len) {
                return body.to_string();
            }
        }
        assert!(n > 0, "DevTools closed the connection early");
    }
}

#[test]
fn an_open_page_follows_edits_and_shows_errors() {
    let Some(exe) = chromium_or_skip() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let root = basic_site(tmp.path());
    let server = serve::start(
        ServeOptions {
            build: BuildOptions {
                root: root.clone(),
                out: Some(tmp.path().join("out")),
                ..BuildOptions::default()
            },
            bind: "127.0.0.1".parse().unwrap(),
            port: 0,
            poll: false,
        },
        Box::new(|_| {}),
    )
    .unwrap();
    let mexico = format!("{}profiles/mex/", server.url());
    let profile = root.join("profiles/MEX.toml");
    let edit = |from: &str, to: &str| {
        let text = std::fs::read_to_string(&profile).unwrap();
        assert!(text.contains(from));
        std::fs::write(&profile, text.replacen(from, to, 1)).unwrap();
    };

    let mut b = Browser::start(&exe);
    b.call("Page.enable", json!({}));
    b.call("Page.navigate", json!({ "url": mexico }));
    // textContent: the data tables are folded under the charts.
    let text = "document.body ? document.body.textContent : ''";
    b.wait("the page loads", text, |v| {
        v.as_str().is_some_and(|t| t.contains("1,726,089"))
    });
    b.wait("the page listens for reloads", "1", |_| {
        server.listeners() > 0
    });
    b.eval("document.documentElement.style.minHeight = '4000px'; window.scrollTo(0, 700); window.scrollY");

    // An edit shows without a manual reload, where the reader was.
    edit("2024 = 1726089", "2024 = 1726090");
    b.wait("the new value appears", text, |v| {
        v.as_str().is_some_and(|t| t.contains("1,726,090"))
    });
    let y = b.wait("the scroll position is kept", "window.scrollY", |v| {
        v.as_f64().is_some_and(|y| y > 0.0)
    });
    assert!(y.as_f64().unwrap() > 0.0);

    // A broken file: the overlay, with file:line:col and the line.
    let overlay = "(document.getElementById('mpgen-overlay') || {}).innerText || ''";
    edit(
        "[series.migrant_stock.female]",
        "[series.migrant_stock.female",
    );
    let shown = b.wait("the overlay appears", overlay, |v| {
        v.as_str().is_some_and(|t| t.contains("profiles/MEX.toml:"))
    });
    assert!(
        shown
            .as_str()
            .unwrap()
            .contains("[series.migrant_stock.female"),
        "{shown}"
    );
    // The last good page is still there under it.
    assert!(b.eval(text).as_str().unwrap().contains("1,726,090"));

    // Fixed: the overlay goes.
    edit(
        "[series.migrant_stock.female",
        "[series.migrant_stock.female]",
    );
    b.wait("the overlay goes", overlay, |v| v.as_str() == Some(""));
    server.stop();
}

#[test]
fn search_works_offline_from_file_urls() {
    let Some(exe) = chromium_or_skip() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = built(basic_site(tmp.path()), tmp.path());
    // The French pages, opened from the disk: no server at all.
    let page = format!("file://{}", out.join("fr/indicators/index.html").display());
    let mut b = Browser::start(&exe);
    b.call("Page.enable", json!({}));
    b.call("Page.navigate", json!({ "url": page }));
    b.wait(
        "the search box shows",
        "document.querySelector('form.search') && !document.querySelector('form.search').hidden",
        |v| v.as_bool() == Some(true),
    );
    // Typed without accents, in another language's name: "Mexico" finds "Mexique".
    b.eval(
        "var i = document.getElementById('search-q'); i.focus(); i.value = 'mexico'; \
         i.dispatchEvent(new Event('input')); 1",
    );
    let first = b.wait(
        "results",
        "(document.querySelector('.search-results a') || {}).textContent || ''",
        |v| v.as_str().is_some_and(|t| !t.is_empty()),
    );
    assert_eq!(first.as_str(), Some("Mexique"));
    // Submitting goes to the first result, the French profile, from the disk.
    b.eval("document.querySelector('form.search').requestSubmit(); 1");
    b.wait("the profile opens", "location.href", |v| {
        v.as_str()
            .is_some_and(|u| u.starts_with("file://") && u.ends_with("fr/profiles/mex/index.html"))
    });
}

/// The repository's own site, with its twelve hand-written profiles (the others are
/// imported data: the same pages, many more of them).
fn default_site(dir: &Path) -> PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = dir.join("default");
    std::fs::create_dir_all(root.join("profiles")).unwrap();
    for f in ["site.toml", "indicators.toml", "sources.toml", "rcps.toml"] {
        std::fs::copy(repo.join(f), root.join(f)).unwrap();
    }
    copy_dir(&repo.join("content"), &root.join("content"));
    for code in [
        "BGD", "DEU", "ESP", "IND", "MAR", "MEX", "NGA", "PHL", "SEN", "SLV", "TUR", "USA",
    ] {
        let rel = format!("profiles/{code}.toml");
        std::fs::copy(repo.join(&rel), root.join(&rel)).unwrap();
    }
    root
}

/// One page of every kind, in the three languages between them.
const PAGE_KINDS: [&str; 16] = [
    "",
    "profiles/mex/",
    "fr/profiles/phl/",
    "indicators/",
    "indicators/migrant_stock/",
    "es/indicators/emigrants_by_destination/",
    "corridors/",
    "corridors/mex-usa/",
    "partnerships/",
    "rcps/puebla-process/",
    "data-gaps/",
    "about/",
    "themes/",
    "themes/labour-mobility/",
    "embed/mex/",
    "no-such-page/",
];

/// `mpgen serve` of the default site's hand profiles, copied under `dir`, and its address.
fn serve_default_site(dir: &Path) -> (serve::Server, String) {
    let root = default_site(dir);
    let server = serve::start(
        ServeOptions {
            build: BuildOptions {
                root,
                out: Some(dir.join("unused")),
                ..BuildOptions::default()
            },
            bind: "127.0.0.1".parse().unwrap(),
            port: 0,
            poll: false,
        },
        Box::new(|_| {}),
    )
    .expect("the server starts");
    let base = server.url();
    (server, base)
}

/// The default site served from a folder of its own (kept while the first value
/// lives), its address, and a browser with pages and scripts to drive.
fn browse_default_site(exe: &Path) -> (tempfile::TempDir, serve::Server, String, Browser) {
    let tmp = tempfile::tempdir().unwrap();
    let (server, base) = serve_default_site(tmp.path());
    let mut b = Browser::start(exe);
    b.call("Page.enable", json!({}));
    b.call("Runtime.enable", json!({}));
    (tmp, server, base, b)
}

/// Where the test run keeps what a reviewer may want to look at (screenshots).
fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What went wrong on a page, from the events since it was opened: script errors,
/// console errors, requests that failed.
fn problems(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| {
            let p = &e["params"];
            match e["method"].as_str()? {
                "Runtime.exceptionThrown" => Some(format!(
                    "script error: {}",
                    p["exceptionDetails"]["exception"]["description"]
                )),
                "Runtime.consoleAPICalled" if p["type"] == "error" => {
                    Some(format!("console error: {}", p["args"]))
                }
                // The 404 page is meant to answer 404.
                "Log.entryAdded"
                    if p["entry"]["level"] == "error"
                        && !p["entry"]["url"]
                            .as_str()
                            .unwrap_or("")
                            .contains("no-such-page") =>
                {
                    Some(format!(
                        "log error: {} {}",
                        p["entry"]["text"], p["entry"]["url"]
                    ))
                }
                "Network.loadingFailed" if p["canceled"] != true => {
                    Some(format!("failed request: {}", p["errorText"]))
                }
                "Network.responseReceived" => {
                    let status = p["response"]["status"].as_i64().unwrap_or(0);
                    let url = p["response"]["url"].as_str().unwrap_or("");
                    (status >= 400 && !url.contains("no-such-page"))
                        .then(|| format!("HTTP {status}: {url}"))
                }
                _ => None,
            }
        })
        .collect()
}

#[test]
fn every_page_kind_loads_cleanly_at_phone_and_desktop_widths() {
    let Some(exe) = chromium_or_skip() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let (server, base) = serve_default_site(tmp.path());
    let mut b = Browser::start(&exe);
    for domain in ["Page", "Runtime", "Log", "Network"] {
        b.call(&format!("{domain}.enable"), json!({}));
    }
    let mut failures = Vec::new();
    for (width, height, mobile, name) in [(390, 844, true, "phone"), (1280, 800, false, "desktop")]
    {
        b.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": if mobile { 2 } else { 1 }, "mobile": mobile }),
        );
        for page in PAGE_KINDS {
            b.events.clear();
            b.call("Page.navigate", json!({ "url": format!("{base}{page}") }));
            b.wait(&format!("{page} loads"), "document.readyState", |v| {
                v == "complete"
            });
            // Late requests (fonts, images) settle within a moment of the load event.
            std::thread::sleep(Duration::from_millis(150));
            b.eval("1");
            for p in problems(&b.events) {
                failures.push(format!("{name} {page}: {p}"));
            }
            // Nothing wider than the screen: wide tables scroll in their own box.
            let overflow = b.eval(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth",
            );
            if overflow.as_i64().unwrap_or(0) > 1 {
                failures.push(format!(
                    "{name} {page}: the page is {overflow} px wider than the screen"
                ));
            }
        }
        b.call(
            "Page.navigate",
            json!({ "url": format!("{base}profiles/mex/") }),
        );
        b.wait("the profile loads", "document.readyState", |v| {
            v == "complete"
        });
        let shot = b.call(
            "Page.captureScreenshot",
            json!({ "format": "png", "captureBeyondViewport": false }),
        );
        let png = base64_decode(shot["data"].as_str().unwrap());
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        std::fs::write(artifacts().join(format!("profile-mex-{name}.png")), png).unwrap();
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    server.stop();
}

/// Standard base64, as DevTools sends screenshots and PDFs.
fn base64_decode(s: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let bytes: Vec<u8> = s
        .bytes()
        .filter(|c| *c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let v: Vec<u32> = chunk.iter().map(|c| u32::from(value(*c))).collect();
        let n = v
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, x)| acc | (x << (18 - 6 * i)));
        out.push((n >> 16) as u8);
        if v.len() > 2 {
            out.push((n >> 8) as u8);
        }
        if v.len() > 3 {
            out.push(n as u8);
        }
    }
    out
}

/// axe-core's script, installed from the npm registry by `.ci/run` (or named by
/// `AXE_CORE_JS`); `None` when missing outside CI, where the check is then skipped.
fn axe_core() -> Option<String> {
    let path = std::env::var_os("AXE_CORE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target/npm/node_modules/axe-core/axe.min.js")
        });
    match std::fs::read_to_string(&path) {
        Ok(js) => Some(js),
        Err(_) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "axe-core is not installed at {}; CI must install it (see .ci/run)",
                path.display()
            );
            eprintln!("skipped: no axe-core at {}", path.display());
            None
        }
    }
}

#[test]
fn key_pages_have_no_serious_accessibility_violation_and_print_tidily() {
    let Some(exe) = chromium_or_skip() else {
        return;
    };
    let Some(axe) = axe_core() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = built(default_site(tmp.path()), tmp.path());
    let mut b = Browser::start(&exe);
    b.call("Page.enable", json!({}));
    let mut found = Vec::new();
    for page in [
        "index.html",
        "profiles/mex/index.html",
        "indicators/migrant_stock/index.html",
        "fr/indicators/emigrants_by_destination/index.html",
        "themes/labour-mobility/index.html",
    ] {
        let url = format!("file://{}", out.join(page).display());
        b.call("Page.navigate", json!({ "url": url }));
        b.wait(&format!("{page} loads"), "document.readyState", |v| {
            v == "complete"
        });
        b.eval(&format!("{axe}\n;1"));
        assert_eq!(b.eval("typeof axe"), "object", "axe-core loads on {page}");
        let r = b.call(
            "Runtime.evaluate",
            json!({
                "expression": "axe.run(document, { resultTypes: ['violations'] }).then(r => JSON.stringify(\
                    r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')\
                    .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' (' + v.nodes.length + ', e.g. ' + v.nodes[0].target.join(' ') + ')')))",
                "awaitPromise": true,
                "returnByValue": true,
            }),
        );
        let list: Vec<String> = match r["result"]["value"].as_str() {
            Some(json) => serde_json::from_str(json).unwrap(),
            None => panic!("axe did not run on {page}: {r}"),
        };
        found.extend(list.into_iter().map(|v| format!("{page}: {v}")));
    }
    assert!(found.is_empty(), "{}", found.join("\n"));

    // Printing a profile: no menu, no downloads; figures and tables are not cut across
    // pages; the PDF is kept with the screenshots.
    let url = format!("file://{}", out.join("profiles/mex/index.html").display());
    b.call("Page.navigate", json!({ "url": url }));
    b.wait("the profile loads", "document.readyState", |v| {
        v == "complete"
    });
    b.call("Emulation.setEmulatedMedia", json!({ "media": "print" }));
    let style = b.eval(
        "const s = (q, p) => getComputedStyle(document.querySelector(q))[p]; \
         [s('.site-header', 'display'), s('#downloads', 'display'), s('figure.indicator', 'breakInside'), \
          s('table', 'breakInside'), s('details.data', 'display')].join(' ')",
    );
    assert_eq!(style.as_str(), Some("none none avoid avoid block"));
    let pdf = b.call("Page.printToPDF", json!({ "printBackground": false }));
    let pdf = base64_decode(pdf["data"].as_str().unwrap());
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    assert!(pdf.len() > 10_000, "{} bytes", pdf.len());
    std::fs::write(artifacts().join("profile-mex.pdf"), &pdf).unwrap();
}

/// What the charts of the open page show, once each has loaded its file and font: the
/// smallest text on screen (its computed size times the drawing's scale), which text
/// overlaps which, and whether the drawings use the site's font.
const CHART_TEXT: &str = r#"(() => {
  const out = { ready: true, charts: 0, min: 1e9, at: "", overlaps: [], font: true };
  for (const o of document.querySelectorAll("object.chart-object")) {
    if (o.getBoundingClientRect().width === 0) continue;
    const d = o.contentDocument;
    if (!d || d.readyState !== "complete" || d.fonts.status !== "loaded") { out.ready = false; continue; }
    const view = d.defaultView;
    const svg = [...d.querySelectorAll("svg > svg")].find(s => view.getComputedStyle(s).display !== "none");
    if (!svg) { out.ready = false; continue; }
    out.charts++;
    const name = o.getAttribute("data").split("/").slice(-2).join("/") + (svg.classList.contains("n") ? " (narrow)" : " (wide)");
    const k = svg.getScreenCTM().a;
    const boxes = [];
    for (const t of svg.querySelectorAll("text")) {
      const px = parseFloat(view.getComputedStyle(t).fontSize) * k;
      if (px < out.min) { out.min = px; out.at = `${name}: "${t.textContent}"`; }
      boxes.push([t.getBoundingClientRect(), t.textContent]);
    }
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const [a, ta] = boxes[i], [b, tb] = boxes[j];
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 0.25 * Math.min(a.height, b.height)) out.overlaps.push(`${name}: "${ta}" and "${tb}"`);
    }
    if (![...d.fonts].some(f => f.family.replaceAll('"', "") === "DejaVu Sans" && f.status === "loaded")) out.font = false;
  }
  return JSON.stringify(out);
})()"#;

#[test]
fn chart_text_is_eleven_css_px_or_more_at_phone_and_desktop_widths() {
    let Some(exe) = chromium_or_skip() else {
        return;
    };
    let (_tmp, server, base, mut b) = browse_default_site(&exe);
    let mut failures = Vec::new();
    let pages = [
        ("home", ""),
        ("profile", "profiles/mex/"),
        ("indicator", "indicators/migrant_stock/"),
        ("embed", "embed/mex/#emigrants_by_destination"),
        ("profile-fr", "fr/profiles/phl/"),
    ];
    for (width, mobile, name) in [(390, true, "phone"), (1280, false, "desktop")] {
        b.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": mobile }),
        );
        for (kind, page) in pages {
            b.call("Page.navigate", json!({ "url": format!("{base}{page}") }));
            b.wait(&format!("{page} loads"), "document.readyState", |v| {
                v == "complete"
            });
            // Every page here shows charts: it is ready when each shown one is.
            let seen = b.wait(&format!("{page}'s charts load"), CHART_TEXT, |v| {
                v.as_str()
                    .and_then(|s| serde_json::from_str::<Value>(s).ok())
                    .is_some_and(|o| o["ready"] == true && o["charts"] != 0)
            });
            let seen: Value = serde_json::from_str(seen.as_str().unwrap()).unwrap();
            let at = format!("{name} {page}");
            if seen["charts"].as_u64().unwrap_or(0) == 0 {
                failures.push(format!("{at}: no chart shown"));
            }
            let min = seen["min"].as_f64().unwrap_or(0.0);
            if min < 11.0 {
                failures.push(format!("{at}: text {min:.1} px high, {}", seen["at"]));
            }
            for o in seen["overlaps"].as_array().into_iter().flatten() {
                failures.push(format!("{at}: overlapping labels {o}"));
            }
            if seen["font"] != true {
                failures.push(format!(
                    "{at}: a chart is not drawn in the site's DejaVu Sans"
                ));
            }
            // The screenshot shows the first chart shown.
            b.eval("[...document.querySelectorAll('object.chart-object')].find(o => o.getBoundingClientRect().width > 0).scrollIntoView()");
            let shot = b.call(
                "Page.captureScreenshot",
                json!({ "format": "png", "captureBeyondViewport": false }),
            );
            let png = base64_decode(shot["data"].as_str().unwrap());
            std::fs::write(artifacts().join(format!("charts-{kind}-{width}.png")), png).unwrap();
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    server.stop();
}

#[test]
fn a_chart_png_made_in_the_browser_is_twice_the_drawing_and_the_same_every_time() {
    let Some(exe) = chromium_or_skip() else {
        return;
    };
    let (_tmp, server, base, mut b) = browse_default_site(&exe);
    b.call(
        "Page.navigate",
        json!({ "url": format!("{base}profiles/mex/") }),
    );
    b.wait("the profile loads", "document.readyState", |v| {
        v == "complete"
    });
    let shown = b.eval(
        "[...document.querySelectorAll('.chart-png')].filter(s => !s.hidden && mpgenChartPngSource(s.querySelector('button')).file === 'mex-migrant_stock.png').length",
    );
    assert_eq!(
        shown, 1,
        "the PNG button shows where the script runs, and names its file"
    );
    let svg = b.eval(
        "mpgenChartPngSource(document.querySelector('#ind-migrant_stock .chart-png button')).svg",
    );
    assert_eq!(svg, format!("{base}charts/mex/migrant_stock.svg"));
    let make = r#"(async () => {
        const blob = await window.mpgenChartPng(new URL("../../charts/mex/migrant_stock.svg", location.href).href);
        const bytes = new Uint8Array(await blob.arrayBuffer());
        let s = ""; for (const x of bytes) s += String.fromCharCode(x);
        return btoa(s);
    })()"#;
    let mut pngs = Vec::new();
    for _ in 0..2 {
        let r = b.call(
            "Runtime.evaluate",
            json!({ "expression": make, "awaitPromise": true, "returnByValue": true }),
        );
        let data = r["result"]["value"].as_str().expect("a PNG").to_string();
        pngs.push(base64_decode(&data));
    }
    let png = &pngs[0];
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    // IHDR: twice the wide drawing of the fixture's [charts] size (800 × 450).
    assert_eq!((be(16), be(20)), (1600, 900));
    assert_eq!(pngs[0], pngs[1], "the same picture every time");
    std::fs::write(artifacts().join("browser-png-mex-migrant_stock.png"), png).unwrap();
    server.stop();
}
