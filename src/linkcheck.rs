//! `mpgen check --links`: every internal link and anchor of the built site points at a
//! file the site has and, for `#anchor`, an element with that id in it.
//!
//! Links are read from the HTML mpgen writes (double-quoted `href`, `src` and `data`
//! attributes); links to other hosts, `mailto:` and `data:` are not followed.

use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A link that leads nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The page the link is on (a path in the output).
    pub page: String,
    /// The link as written.
    pub link: String,
    pub reason: String,
}

/// What was checked, and what is broken.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub pages: usize,
    /// Distinct links per page, summed; external ones included.
    pub links: usize,
    pub broken: Vec<Broken>,
}

/// Checks the links of `pages` (HTML, by path) against `files` (every output path).
/// `base_path` is the path of the site's URL (`/profiles/`): links that start with it
/// (the 404 page's) are resolved from the output root.
pub fn check(
    pages: &BTreeMap<String, Vec<u8>>,
    files: &BTreeSet<String>,
    base_path: &str,
) -> Report {
    let ids: HashMap<&str, BTreeSet<String>> = pages
        .iter()
        .map(|(path, html)| (path.as_str(), ids_of(&String::from_utf8_lossy(html))))
        .collect();
    let mut broken = Vec::new();
    let mut links = 0;
    for (page, html) in pages {
        let html = String::from_utf8_lossy(html);
        let mut seen = BTreeSet::new();
        for link in links_of(&html) {
            if !seen.insert(link.clone()) {
                continue;
            }
            links += 1;
            if let Some(reason) = problem(page, &link, files, &ids, base_path) {
                broken.push(Broken {
                    page: page.clone(),
                    link,
                    reason,
                });
            }
        }
    }
    Report {
        pages: pages.len(),
        links,
        broken,
    }
}

fn problem(
    page: &str,
    link: &str,
    files: &BTreeSet<String>,
    ids: &HashMap<&str, BTreeSet<String>>,
    base_path: &str,
) -> Option<String> {
    let external = link.starts_with("//")
        || link.split_once(':').is_some_and(|(scheme, _)| {
            scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !scheme.is_empty()
        });
    if external {
        return None;
    }
    let (path_part, fragment) = match link.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (link, None),
    };
    let path_part = path_part.split('?').next().unwrap_or("");
    let target = if path_part.is_empty() {
        page.to_string()
    } else {
        let decoded = percent_encoding::percent_decode_str(path_part)
            .decode_utf8_lossy()
            .into_owned();
        match resolve(page, &decoded, base_path) {
            Some(t) => t,
            None => return Some("it leaves the site".into()),
        }
    };
    let target = if target.is_empty() || target.ends_with('/') {
        format!("{target}index.html")
    } else {
        target
    };
    if !files.contains(&target) {
        return Some(format!("there is no `{target}`"));
    }
    let fragment = fragment
        .map(|f| {
            percent_encoding::percent_decode_str(f)
                .decode_utf8_lossy()
                .into_owned()
        })
        .filter(|f| !f.is_empty() && f != "top");
    if let Some(f) = fragment {
        // Only pages have ids to check; an anchor into a chart file is left alone.
        if let Some(have) = ids.get(target.as_str())
            && !have.contains(&f)
        {
            return Some(format!("`{target}` has no element with the id `{f}`"));
        }
    }
    None
}

/// The output path a link on `page` leads to, or `None` when it climbs above the root.
fn resolve(page: &str, link: &str, base_path: &str) -> Option<String> {
    let mut parts: Vec<&str> = if let Some(abs) = link.strip_prefix(base_path) {
        return normalise(Vec::new(), abs);
    } else if link.starts_with('/') {
        return None;
    } else {
        page.split('/').collect()
    };
    parts.pop(); // the page's own file name
    normalise(parts, link)
}

fn normalise<'a>(mut parts: Vec<&'a str>, link: &'a str) -> Option<String> {
    let trailing = link.ends_with('/')
        || link.ends_with("/.")
        || link.ends_with("/..")
        || link == "."
        || link == "..";
    for seg in link.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut out = parts.join("/");
    if trailing && !out.is_empty() {
        out.push('/');
    }
    Some(out)
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

/// Values of double-quoted attributes named `name` (` href="..."`).
fn attributes<'a>(html: &'a str, name: &str) -> impl Iterator<Item = String> + 'a {
    let needle = format!(" {name}=\"");
    let mut rest = html;
    std::iter::from_fn(move || {
        let start = rest.find(&needle)? + needle.len();
        let end = rest[start..].find('"')? + start;
        let value = unescape(&rest[start..end]);
        rest = &rest[end..];
        Some(value)
    })
}

fn links_of(html: &str) -> Vec<String> {
    // Inline SVG may hold `href` too; so may a `<code>` sample, which is escaped text.
    // A chart is an `<object data="…svg">`.
    attributes(html, "href")
        .chain(attributes(html, "src"))
        .chain(attributes(html, "data"))
        .collect()
}

fn ids_of(html: &str) -> BTreeSet<String> {
    attributes(html, "id")
        .chain(attributes(html, "name"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(pages: &[(&str, &str)], others: &[&str]) -> Vec<Broken> {
        let pages: BTreeMap<String, Vec<u8>> = pages
            .iter()
            .map(|(p, h)| (p.to_string(), h.as_bytes().to_vec()))
            .collect();
        let mut files: BTreeSet<String> = pages.keys().cloned().collect();
        files.extend(others.iter().map(|s| s.to_string()));
        check(&pages, &files, "/mp/").broken
    }

    #[test]
    fn good_links_pass() {
        let broken = site(
            &[
                (
                    "index.html",
                    "<a href=\"profiles/mex/index.html#ind-x\">M</a> <a href=\"https://example.org/x\">e</a> <a href=\"mailto:a@b\">m</a> <link href=\"style.css\">",
                ),
                (
                    "profiles/mex/index.html",
                    "<h2 id=\"ind-x\">x</h2><a href=\"../../index.html\">home</a><a href=\"#ind-x\">self</a><img src=\"../../charts/mex/a.svg\"><object data=\"../../charts/mex/a.svg\" data-x=\"y\"></object><a href=\"../../fr/\">fr</a><a href=\"?q=1\">q</a>",
                ),
                ("fr/index.html", ""),
                (
                    "404.html",
                    "<a href=\"/mp/index.html\">home</a><a href=\"/mp/fr/index.html\">fr</a>",
                ),
            ],
            &["style.css", "charts/mex/a.svg"],
        );
        assert!(broken.is_empty(), "{broken:?}");
    }

    #[test]
    fn broken_links_and_anchors_are_found() {
        let broken = site(
            &[
                (
                    "index.html",
                    "<a href=\"profiles/phl/index.html\">P</a><a href=\"profiles/mex/index.html#nope\">M</a><a href=\"../../x.html\">up</a><a href=\"/elsewhere/\">abs</a><a href=\"a&amp;b.html\">amp</a><object data=\"charts/mex/gone.svg\"></object>",
                ),
                ("profiles/mex/index.html", "<h2 id=\"ind-x\">x</h2>"),
            ],
            &[],
        );
        let reasons: Vec<(&str, &str)> = broken
            .iter()
            .map(|b| (b.link.as_str(), b.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                (
                    "profiles/phl/index.html",
                    "there is no `profiles/phl/index.html`"
                ),
                (
                    "profiles/mex/index.html#nope",
                    "`profiles/mex/index.html` has no element with the id `nope`"
                ),
                ("../../x.html", "it leaves the site"),
                ("/elsewhere/", "it leaves the site"),
                ("a&b.html", "there is no `a&b.html`"),
                ("charts/mex/gone.svg", "there is no `charts/mex/gone.svg`"),
            ]
        );
    }
}
