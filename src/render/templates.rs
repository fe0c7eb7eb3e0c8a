//! The theme made ready to render: a minijinja environment with every template
//! compiled, the UI strings of each language, and one hash of it all for fingerprints.
//! Template and i18n problems become diagnostics at check time, naming the file and line.

use std::collections::BTreeMap;
use std::sync::Arc;

use minijinja::{Environment, UndefinedBehavior};

use crate::diagnostics::Diagnostic;
use crate::load::theme::{ThemeFiles, ThemeParts};

pub type Strings = BTreeMap<String, String>;

pub struct Theme {
    pub env: Environment<'static>,
    /// language -> key -> text, with English filling in what a language lacks.
    pub strings: BTreeMap<String, Arc<Strings>>,
    /// What the plan reads of the theme: its parts' hashes, static files and map.
    pub parts: ThemeParts,
}

/// Compiles the theme; every problem is a diagnostic.
pub fn prepare(theme: &ThemeFiles, languages: &[String]) -> Result<Theme, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut env = Environment::new();
    env.set_debug(true);
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    env.set_formatter(escape_html);
    // `dir(lang)`: `rtl` or `ltr`, for text shown in another language than the page's.
    env.add_function("dir", |lang: String| super::context::direction(&lang));

    for (name, file) in theme.under("templates/") {
        let Ok(text) = std::str::from_utf8(&file.bytes) else {
            diags.push(Diagnostic::error(
                &file.origin,
                None,
                "this template is not UTF-8 text",
            ));
            continue;
        };
        if let Err(e) = env.add_template_owned(name.to_string(), text.to_string()) {
            diags.push(template_diagnostic(&file.origin, text, &e));
        }
    }
    for required in [
        "base.html",
        "home.html",
        "profile.html",
        "page.html",
        "404.html",
        "embed.html",
        "card.html",
    ] {
        if !theme.files.contains_key(&format!("templates/{required}")) {
            diags.push(Diagnostic::error(
                "site.toml",
                None,
                format!("the theme has no `templates/{required}`"),
            ));
        }
    }

    let mut raw: BTreeMap<String, Strings> = BTreeMap::new();
    for (name, file) in theme.under("i18n/") {
        let Some(lang) = name.strip_suffix(".toml") else {
            continue;
        };
        let text = String::from_utf8_lossy(&file.bytes);
        match toml::from_str::<Strings>(&text) {
            Ok(map) => {
                controls_in_strings(&file.origin, &text, &map, &mut diags);
                raw.insert(lang.to_string(), map);
            }
            Err(e) => diags.push(Diagnostic::error(
                &file.origin,
                e.span(),
                format!(
                    "the UI strings are not a TOML table of texts: {}",
                    e.message().trim()
                ),
            )),
        }
    }
    let english = raw.get("en").cloned().unwrap_or_default();
    let mut strings = BTreeMap::new();
    for lang in languages {
        let mut merged = english.clone();
        if let Some(own) = raw.get(lang) {
            merged.extend(own.clone());
        }
        strings.insert(lang.clone(), Arc::new(merged));
    }

    if diags.is_empty() {
        Ok(Theme {
            env,
            strings,
            parts: ThemeParts::of(theme),
        })
    } else {
        Err(diags)
    }
}

/// A page without the indentation its templates give its lines: a tenth of a site's
/// HTML, and nothing a reader sees (a line break stays, and HTML shows any run of
/// spaces as one). Lines inside `<pre>`, `<textarea>` and `<script>` keep theirs.
pub fn unindent(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut keep: Option<&'static str> = None;
    for line in html.split_inclusive('\n') {
        match keep {
            None => out.push_str(line.trim_start_matches([' ', '\t'])),
            Some(_) => out.push_str(line),
        }
        keep = kept_after(line, keep);
    }
    out
}

/// Whether a line ends inside an element whose text is kept as written (the tag that
/// closes it), given whether it started in one.
fn kept_after(line: &str, mut keep: Option<&'static str>) -> Option<&'static str> {
    const KEPT: &[(&str, &str)] = &[
        ("<pre", "</pre>"),
        ("<textarea", "</textarea>"),
        ("<script", "</script>"),
    ];
    if !line.contains('<') {
        return keep;
    }
    let bytes = line.as_bytes();
    let mut at = 0;
    loop {
        match keep {
            Some(close) => match find_ignoring_case(&bytes[at..], close) {
                Some(i) => {
                    at += i + close.len();
                    keep = None;
                }
                None => return keep,
            },
            None => {
                let next = KEPT
                    .iter()
                    .filter_map(|(open, close)| {
                        let mut from = at;
                        while let Some(i) = find_ignoring_case(&bytes[from..], open) {
                            let end = from + i + open.len();
                            let after = bytes.get(end);
                            if after.is_none_or(|c| *c == b'>' || c.is_ascii_whitespace()) {
                                return Some((end, *close));
                            }
                            from = end;
                        }
                        None
                    })
                    .min_by_key(|(end, _)| *end);
                match next {
                    Some((end, close)) => {
                        at = end;
                        keep = Some(close);
                    }
                    None => return None,
                }
            }
        }
    }
}

/// Where `needle` (bytes-case ASCII) first stands in `hay`, in any case: a page's
/// lines are searched without making bytes-case copies of them.
fn find_ignoring_case(hay: &[u8], needle: &str) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// A template error as a diagnostic pointing into the template file.
pub fn template_diagnostic(origin: &str, text: &str, e: &minijinja::Error) -> Diagnostic {
    let span = e.range().or_else(|| {
        let line = e.line()?;
        let start: usize = text
            .split_inclusive('\n')
            .take(line.saturating_sub(1))
            .map(str::len)
            .sum();
        let len = text[start..].find('\n').unwrap_or(text.len() - start);
        Some(start..start + len)
    });
    let detail = e.detail().map(|d| format!(": {d}")).unwrap_or_default();
    Diagnostic::error(
        origin,
        span,
        format!("template error ({}){detail}", e.kind()),
    )
}

/// minijinja's HTML escaping also escapes `/`, which turns every URL into
/// `..&#x2f;style.css`: valid but unreadable. This escapes the five characters that
/// matter in text and quoted attributes, and defers to minijinja for everything else.
fn escape_html(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    let html = matches!(state.auto_escape(), minijinja::AutoEscape::Html);
    match value.as_str() {
        Some(s) if html && !value.is_safe() => {
            // Most strings need no escape: written as they are.
            if !s
                .bytes()
                .any(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\''))
            {
                return out.write_str(s).map_err(minijinja::Error::from);
            }
            let mut escaped = String::with_capacity(s.len() + 16);
            super::rows::escape_into(&mut escaped, s);
            out.write_str(&escaped).map_err(minijinja::Error::from)
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// UI strings go into every page and chart, as site texts do: a control character in
/// one is an error at its key, not a broken SVG later.
fn controls_in_strings(file: &str, text: &str, map: &Strings, diags: &mut Vec<Diagnostic>) {
    for (key, value) in map {
        if let Some(c) = value
            .chars()
            .find(|&c| crate::load::toml_reader::is_forbidden_control(c))
        {
            let at = text
                .match_indices(key.as_str())
                .map(|(i, _)| i)
                .find(|&i| i == 0 || text.as_bytes()[i - 1] == b'\n')
                .unwrap_or(0);
            diags.push(crate::load::toml_reader::control_error(
                file,
                at..at + key.len(),
                &format!("`{key}`"),
                c,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_template_names_what_it_extends_includes_and_imports() {
        let text = r#"{% extends "base.html" %}{%- include 'row.html' ignore missing -%}
            {% from "macros.html" import cell %}{% import "m.html" as m %}{% if x %}"#;
        assert_eq!(
            crate::load::theme::referenced(text),
            Some(vec![
                "base.html".into(),
                "row.html".into(),
                "macros.html".into(),
                "m.html".into()
            ])
        );
        for dynamic in [
            "{% include name %}",
            "{% include ['a.html', 'b.html'] %}",
            "{% include 'a' ~ lang ~ '.html' %}",
            "{% include 'a.html' if x else 'b.html' %}",
        ] {
            assert_eq!(crate::load::theme::referenced(dynamic), None, "{dynamic}");
        }
    }

    #[test]
    fn a_template_hash_moves_with_what_it_reaches_only() {
        use crate::load::theme::ThemeFiles;
        let hashes = |page: &str, card: &str| {
            let mut t = ThemeFiles::embedded();
            for (name, text) in [("templates/page.html", page), ("templates/card.html", card)] {
                t.files.get_mut(name).unwrap().bytes = text.as_bytes().into();
            }
            crate::load::theme::ThemeParts::of(&t).templates
        };
        let a = hashes("{% extends \"base.html\" %}A", "card");
        let b = hashes("{% extends \"base.html\" %}B", "card");
        let c = hashes("{% extends \"base.html\" %}A", "card 2");
        assert_ne!(a["page.html"], b["page.html"]);
        assert_eq!(a["home.html"], b["home.html"]);
        assert_eq!(a["page.html"], c["page.html"]);
        assert_ne!(a["card.html"], c["card.html"]);
    }

    use super::*;
    use crate::model::vocab;

    fn strings(lang: &str) -> Strings {
        let theme = ThemeFiles::embedded();
        let file = &theme.files[&format!("i18n/{lang}.toml")];
        toml::from_str(std::str::from_utf8(&file.bytes).unwrap()).unwrap()
    }

    #[test]
    fn every_allowed_value_has_a_ui_string() {
        let en = strings("en");
        let lists: [(&str, &[&str]); 6] = [
            ("role_", vocab::ROLES),
            ("unit_", vocab::UNITS),
            ("agreement_", vocab::AGREEMENT_KINDS),
            ("status_", vocab::AGREEMENT_STATUS),
            ("policy_", vocab::POLICY_KINDS),
            ("topic_", vocab::TOPICS),
        ];
        for (prefix, values) in lists {
            for v in values {
                assert!(
                    en.contains_key(&format!("{prefix}{v}")),
                    "en.toml lacks {prefix}{v}"
                );
            }
        }
    }

    #[test]
    fn translations_use_only_english_keys() {
        let en = strings("en");
        for lang in ["fr", "es"] {
            for key in strings(lang).keys().filter(|k| !k.starts_with("country_")) {
                assert!(
                    en.contains_key(key),
                    "{lang}.toml has `{key}`, which en.toml does not"
                );
            }
        }
    }

    #[test]
    fn control_characters_in_ui_strings_are_errors_at_their_key() {
        let mut theme = ThemeFiles::embedded();
        let file = theme.files.get_mut("i18n/fr.toml").unwrap();
        let mut text = String::from_utf8(file.bytes.to_vec()).unwrap();
        text.push_str("\nbroken = \"a\\u0001b\"\n");
        file.bytes = std::sync::Arc::from(text.into_bytes());
        let diags = prepare(&theme, &["en".into(), "fr".into()]).err().unwrap();
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(diags[0].message.contains("`broken`") && diags[0].message.contains("U+0001"));
    }

    #[test]
    fn indentation_goes_but_preformatted_text_stays() {
        let html = "<div>\n    <p>a</p>\n  <pre><code>x\n    y\n</code></pre>\n    <prefix>\n  <script>\n  let a = 1;\n  </script>\n  <b>z</b>\n";
        assert_eq!(
            unindent(html),
            "<div>\n<p>a</p>\n<pre><code>x\n    y\n</code></pre>\n<prefix>\n<script>\n  let a = 1;\n  </script>\n<b>z</b>\n"
        );
    }

    #[test]
    fn the_embedded_theme_compiles() {
        let theme = prepare(&ThemeFiles::embedded(), &["en".into(), "de".into()])
            .unwrap_or_else(|d| panic!("{d:?}"));
        // A language without its own strings gets English.
        assert_eq!(theme.strings["de"]["key_figures"], "Key figures");
    }
}
