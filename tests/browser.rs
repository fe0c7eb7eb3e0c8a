//! The preview in a real browser: Debian's `chromium`, headless, driven over the
//! DevTools protocol. A profile page is opened; its TOML is edited and the new value
//! appears without a manual reload, at the same scroll position; the TOML is broken and
//! the error overlay appears; it is fixed and the overlay goes. And the search box of a
//! built site, opened from the disk (`file://`), finds a country by another language's
//! name and opens it.
//!
//! Needs `chromium` on the PATH (`.ci/run` installs it). Without it the test is skipped,
//! except under CI, where a missing browser is a failure.

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
            _profile: profile,
        }
    }

    /// Sends a DevTools command and waits for its answer (events meanwhile are dropped).
    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let msg = json!({ "id": id, "method": method, "params": params }).to_string();
        self.ws.send(tungstenite::Message::text(msg)).unwrap();
        loop {
            let m = self.ws.read().expect("a DevTools answer");
            if let tungstenite::Message::Text(t) = m {
                let v: Value = serde_json::from_str(t.as_str()).unwrap();
                if v["id"] == id {
                    assert!(v.get("error").is_none(), "{method}: {v}");
                    return v["result"].clone();
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

    /// Polls `js` until `ok` holds of its value.
    fn wait(&mut self, what: &str, js: &str, ok: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let v = self.eval(js);
            if ok(&v) {
                return v;
            }
            assert!(Instant::now() < deadline, "{what}: last value {v}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
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
    let root = basic_site(tmp.path());
    let out = tmp.path().join("out");
    mpgen::pipeline::build(&BuildOptions {
        root,
        out: Some(out.clone()),
        ..BuildOptions::default()
    })
    .unwrap();
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
