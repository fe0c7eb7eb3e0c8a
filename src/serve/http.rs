//! The preview's HTTP side: GET and HEAD of the in-memory site under its base path,
//! the live-reload script, and the server-sent events that carry reloads and errors.
//! Paths are decoded and normalised first; nothing outside the site is ever answered,
//! and there are no directory listings.

use std::convert::Infallible;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};

/// How often the event stream sends a comment when nothing happens: within the time
/// a quiet connection is closed after ([`super::idle::IDLE`]).
pub const KEEP_ALIVE: std::time::Duration = std::time::Duration::from_secs(4);
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::stream::{self, Stream, StreamExt};
use tokio::sync::broadcast;

use crate::output::memory::{Encoded, MemoryStore};

/// Where the preview's own files live; no site output can be there.
pub const RESERVED: &str = "/__mpgen/";
const LIVE_JS: &str = include_str!("live.js");

/// What the open pages are told.
#[derive(Debug, Clone)]
pub enum Notice {
    /// These output paths changed, appeared or went away.
    Reload(Vec<String>),
    /// The site has errors (as shown in the terminal, without colour).
    Errors(String),
    /// The errors are fixed.
    Ok,
}

impl Notice {
    fn event(&self) -> Event {
        match self {
            Notice::Reload(paths) => Event::default()
                .event("reload")
                .data(serde_json::json!({ "paths": paths }).to_string()),
            Notice::Errors(text) => Event::default()
                .event("errors")
                .data(serde_json::json!({ "text": text }).to_string()),
            Notice::Ok => Event::default().event("ok").data("{}"),
        }
    }
}

/// What the server shares with the rebuild loop.
pub struct Shared {
    pub store: Arc<MemoryStore>,
    /// The site's base path: `/`, or `/migration/` for a site published there.
    pub base: String,
    /// The site's current errors, shown to pages that open while they last.
    pub errors: RwLock<Option<String>>,
    pub notices: broadcast::Sender<Notice>,
    /// The site's 404 page, in the store.
    pub not_found: String,
    /// The output paths of the pages open in a browser (each with how many), as their
    /// live-reload scripts named them: a rebuild renders and announces them first.
    open: std::sync::Mutex<std::collections::BTreeMap<String, usize>>,
}

/// The longest page path an event stream may name: longer is not a page of the site.
const MAX_OPEN_PATH: usize = 1024;

/// A page's place in [`Shared`]'s open pages, held while its event stream lasts.
struct OpenPage {
    shared: Arc<Shared>,
    path: Option<String>,
}

impl Drop for OpenPage {
    fn drop(&mut self) {
        let Some(path) = self.path.take() else { return };
        let mut open = self.shared.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&path) {
            *n -= 1;
            if *n == 0 {
                open.remove(&path);
            }
        }
    }
}

impl Shared {
    pub fn new(store: Arc<MemoryStore>, base: String, not_found: String) -> Self {
        Shared {
            store,
            base,
            errors: RwLock::new(None),
            notices: broadcast::channel(64).0,
            not_found,
            open: Default::default(),
        }
    }

    /// The output paths of the pages open now.
    pub fn open_pages(&self) -> std::collections::BTreeSet<String> {
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.keys().cloned().collect()
    }

    /// Counts `page` (an output path, as the page's script names itself) open while
    /// the returned guard lives. A name that is no output of the site counts nothing.
    fn opened(self: &Arc<Self>, page: Option<String>) -> OpenPage {
        let path = page.filter(|p| p.len() <= MAX_OPEN_PATH && self.store.contains(p));
        if let Some(p) = &path {
            let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
            *open.entry(p.clone()).or_default() += 1;
        }
        OpenPage {
            shared: self.clone(),
            path,
        }
    }

    /// Tells the open pages, and remembers errors for pages opened later.
    pub fn notify(&self, notice: Notice) {
        {
            let mut errors = self.errors.write().unwrap_or_else(|e| e.into_inner());
            match &notice {
                Notice::Errors(text) => *errors = Some(text.clone()),
                Notice::Ok => *errors = None,
                Notice::Reload(_) => {}
            }
        }
        // No page open is not an error.
        let _ = self.notices.send(notice);
    }
}

/// The names the preview answers to: loopback names and addresses, or the address it
/// was told to bind, with its port. Anything else (a rebinding DNS name that now
/// points here) gets 403 and no body, as Vite and webpack-dev-server do.
#[derive(Debug, Clone, Copy)]
pub struct Hosts {
    pub bind: std::net::IpAddr,
    pub port: u16,
}

impl Hosts {
    /// Whether `authority` (a `Host` header: name or address, and port) is ours.
    pub fn allows(&self, authority: &str) -> bool {
        let Ok(authority) = authority.parse::<axum::http::uri::Authority>() else {
            return false;
        };
        // A port, when given, is the preview's (browsers always give it).
        if authority.port_u16().is_some_and(|p| p != self.port) {
            return false;
        }
        let host = authority.host();
        let ip = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .ok();
        host.eq_ignore_ascii_case("localhost")
            || ip.is_some_and(|ip| ip.is_loopback() || ip == self.bind)
    }

    /// Whether `origin` (an `Origin` header) is a page of the preview itself.
    pub fn allows_origin(&self, origin: &str) -> bool {
        origin
            .strip_prefix("http://")
            .is_some_and(|rest| self.allows(rest))
    }
}

fn allowed(hosts: &Hosts, req: &axum::extract::Request) -> bool {
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    let host_ok = header(header::HOST).is_some_and(|h| hosts.allows(h));
    // The event stream carries error text with source lines: only the preview's own
    // pages may read it.
    let origin_ok = req.uri().path() != "/__mpgen/events"
        || header(header::ORIGIN).is_none_or(|o| hosts.allows_origin(o));
    host_ok && origin_ok
}

pub fn router(shared: Arc<Shared>, hosts: Hosts) -> Router {
    Router::new()
        .route("/__mpgen/events", get(events))
        .route("/__mpgen/live.js", get(live_js))
        .fallback(site)
        .with_state(shared)
        .layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| async move {
                if allowed(&hosts, &req) {
                    next.run(req).await
                } else {
                    StatusCode::FORBIDDEN.into_response()
                }
            },
        ))
}

async fn live_js() -> Response {
    respond(StatusCode::OK, "js", Body::from(LIVE_JS))
}

/// The output path of the page that opened an event stream: its query's `page`.
fn page_of(uri: &Uri) -> Option<String> {
    let value = uri
        .query()?
        .split('&')
        .find_map(|kv| kv.strip_prefix("page="))?;
    let path = percent_encoding::percent_decode_str(value)
        .decode_utf8()
        .ok()?;
    Some(path.into_owned())
}

async fn events(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let open = shared.opened(page_of(&uri));
    // Subscribe before reading the state, so nothing falls between the two.
    let rx = shared.notices.subscribe();
    let now = match &*shared.errors.read().unwrap_or_else(|e| e.into_inner()) {
        Some(text) => Notice::Errors(text.clone()),
        None => Notice::Ok,
    };
    // The page counts as open for as long as the stream (holding `open`) lasts.
    let later = stream::unfold((rx, open), |(mut rx, open)| async move {
        loop {
            match rx.recv().await {
                Ok(n) => return Some((Ok(n.event()), (rx, open))),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream::once(async move { Ok(now.event()) }).chain(later))
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}

/// What a request path means for the site under `base`.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// An output path in the store (maybe missing).
    File(String),
    /// A folder asked for without its final `/`: send the browser there.
    Redirect(String),
    /// Not a path of the site: outside the base path, `..`, bad encoding.
    Outside,
}

/// Decodes and normalises a request path. `..` is refused, not resolved: a path that
/// needs it was not made by any link of the site.
pub fn target(base: &str, raw_path: &str) -> Target {
    let Ok(path) = percent_encoding::percent_decode_str(raw_path).decode_utf8() else {
        return Target::Outside;
    };
    if path.contains(['\0', '\\']) {
        return Target::Outside;
    }
    // The base path without its final `/`, or the host's root when the site lives
    // under a base path: the site's home page.
    if format!("{path}/") == base || (path == "/" && base != "/") {
        return Target::Redirect(base.to_string());
    }
    let Some(rest) = path.strip_prefix(base) else {
        return Target::Outside;
    };
    let mut parts = Vec::new();
    for seg in rest.split('/') {
        match seg {
            "" | "." => {}
            ".." => return Target::Outside,
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    if joined.is_empty() {
        Target::File("index.html".into())
    } else if path.ends_with('/') {
        Target::File(format!("{joined}/index.html"))
    } else {
        Target::File(joined)
    }
}

async fn site(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: axum::http::HeaderMap,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut r = respond(
            StatusCode::METHOD_NOT_ALLOWED,
            "txt",
            Body::from("mpgen serve answers GET and HEAD only\n"),
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let raw = uri.path();
    let file = match target(&shared.base, raw) {
        Target::Redirect(to) => return redirect(&to),
        Target::Outside => return not_found(shared).await,
        Target::File(f) => f,
    };
    if !shared.store.contains(&file) {
        let index = format!("{file}/index.html");
        if shared.store.contains(&index) {
            return redirect(&format!("{raw}/"));
        }
        return not_found(shared).await;
    }
    let Some(held) = fetch(&shared, &file).await else {
        return not_found(shared).await;
    };
    // A page gets the live-reload script, so it is sent as it is; the rest as held,
    // gzipped, to a browser that takes it so (every browser does).
    let takes_gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    if held.gzip && takes_gzip && !file.ends_with(".html") {
        let ext = file.rsplit_once('.').map_or("", |(_, e)| e);
        let mut r = respond(StatusCode::OK, ext, Body::from(held.bytes.to_vec()));
        let h = r.headers_mut();
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        return r;
    }
    match held.decoded() {
        Some(b) => page(StatusCode::OK, &file, b.to_vec()),
        None => not_found(shared).await,
    }
}

async fn not_found(shared: Arc<Shared>) -> Response {
    let body = match fetch(&shared, &shared.not_found)
        .await
        .and_then(|e| e.decoded())
    {
        Some(b) => b.to_vec(),
        // No good build yet: a bare page that still carries the overlay and reload.
        None => b"<!doctype html><html><head><meta charset=\"utf-8\"><title>mpgen</title></head>\
                  <body><p>Nothing to show yet: the site has not built.</p></body></html>"
            .to_vec(),
    };
    let path = shared.not_found.clone();
    page(StatusCode::NOT_FOUND, &path, body)
}

/// An output from the store, as held; a deferred chart is drawn here (and an output
/// the rebuild under way has yet to store waited for), off the async threads.
async fn fetch(shared: &Shared, path: &str) -> Option<Encoded> {
    let store = shared.store.clone();
    let key = path.to_string();
    tokio::task::spawn_blocking(move || store.get_encoded(&key))
        .await
        .ok()
        .flatten()
}

/// An HTML page gets the live-reload script, told which output it is.
fn page(status: StatusCode, path: &str, bytes: Vec<u8>) -> Response {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    if ext != "html" {
        return respond(status, ext, Body::from(bytes));
    }
    let me = serde_json::json!({ "path": path, "missing": status != StatusCode::OK });
    // `</` cannot appear in the JSON of a path written by the site, but be sure.
    let me = me.to_string().replace("</", "<\\/");
    let tag =
        format!("<script>window.__mpgen={me};</script><script src=\"{RESERVED}live.js\"></script>");
    let mut html = String::from_utf8_lossy(&bytes).into_owned();
    match html.rfind("</body>") {
        Some(at) => html.insert_str(at, &tag),
        None => html.push_str(&tag),
    }
    respond(status, ext, Body::from(html))
}

fn redirect(to: &str) -> Response {
    let mut r = StatusCode::MOVED_PERMANENTLY.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

fn respond(status: StatusCode, ext: &str, body: Body) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(ext)),
    );
    // A preview is always fresh.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

pub fn content_type(ext: &str) -> &'static str {
    match ext.to_ascii_lowercase().as_str() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_and_bound_hosts_are_answered() {
        let hosts = Hosts {
            bind: "127.0.0.1".parse().unwrap(),
            port: 1111,
        };
        for ok in [
            "localhost",
            "localhost:1111",
            "127.0.0.1:1111",
            "127.1.2.3:1111",
            "[::1]:1111",
            "LOCALHOST:1111",
        ] {
            assert!(hosts.allows(ok), "{ok}");
        }
        for bad in [
            "evil.com:1111",
            "evil.com",
            "localhost:80",
            "127.0.0.1:2222",
            "",
            "localhost.evil.com:1111",
            "10.0.0.1:1111",
        ] {
            assert!(!hosts.allows(bad), "{bad}");
        }
        assert!(hosts.allows_origin("http://localhost:1111"));
        assert!(!hosts.allows_origin("http://evil.com"));
        assert!(!hosts.allows_origin("null"));
        let lan = Hosts {
            bind: "10.0.0.5".parse().unwrap(),
            port: 80,
        };
        assert!(lan.allows("10.0.0.5:80") && !lan.allows("10.0.0.6:80"));
    }

    #[test]
    fn request_paths_are_normalised_or_refused() {
        let f = |s: &str| Target::File(s.to_string());
        let cases = [
            ("/", "/", f("index.html")),
            ("/", "/profiles/mex/", f("profiles/mex/index.html")),
            ("/", "/profiles/mex", f("profiles/mex")),
            ("/", "/./profiles//mex/", f("profiles/mex/index.html")),
            ("/", "/style.css", f("style.css")),
            ("/", "/fr/profils%20x/", f("fr/profils x/index.html")),
            ("/", "/../etc/passwd", Target::Outside),
            ("/", "/profiles/../../etc/passwd", Target::Outside),
            ("/", "/%2e%2e/etc/passwd", Target::Outside),
            ("/", "/%2E%2E%2Fetc%2Fpasswd", Target::Outside),
            ("/", "/..%5c..%5cwindows", Target::Outside),
            ("/", "/a%00b", Target::Outside),
            ("/", "/%ff", Target::Outside),
            ("/mp/", "/mp", Target::Redirect("/mp/".into())),
            ("/mp/", "/mp/", f("index.html")),
            ("/mp/", "/mp/data/all.csv", f("data/all.csv")),
            ("/mp/", "/other/", Target::Outside),
            ("/mp/", "/", Target::Redirect("/mp/".into())),
            ("/mp/", "/index.html", Target::Outside),
        ];
        for (base, path, want) in cases {
            assert_eq!(target(base, path), want, "{base} {path}");
        }
    }
}
