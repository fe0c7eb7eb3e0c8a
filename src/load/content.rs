//! `content/**/*.md`: a free page split into its TOML front matter and Markdown body.

use std::ops::Range;

use super::toml_reader::{Reader, Sp, each_entry, parse};
use crate::diagnostics::Diagnostic;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawPage {
    pub file: String,
    /// Path under `content/` without the extension and language: `themes/labour`.
    pub stem: String,
    /// Language from the file name (`about.fr.md`), with the span of the name.
    pub file_lang: Option<String>,
    pub title: Option<Sp<String>>,
    pub description: Option<Sp<String>>,
    pub template: Option<Sp<String>>,
    pub weight: Option<Sp<i64>>,
    pub lang: Option<Sp<String>>,
    pub draft: Option<Sp<bool>>,
    pub body: String,
    /// Byte offset of the body in the file, so body problems can point into it.
    pub body_offset: usize,
    pub front_span: Range<usize>,
}

pub const FRONT_MATTER_KEYS: &[&str] = &[
    "title",
    "description",
    "template",
    "weight",
    "lang",
    "draft",
];

/// Splits `+++\n...\n+++\n` from the body and reads the front matter.
pub fn read(file: &str, rel_in_content: &str, text: &str, diags: &mut Vec<Diagnostic>) -> RawPage {
    let (stem, file_lang) = stem_and_lang(rel_in_content);
    let mut page = RawPage {
        file: file.to_string(),
        stem,
        file_lang,
        ..RawPage::default()
    };
    let Some((front, front_start, body_offset)) = split_front_matter(text) else {
        diags.push(
            Diagnostic::error(file, Some(0..0), "this page has no front matter").with_help(
                "start the file with a `+++` line, `title = \"...\"`, and another `+++` line",
            ),
        );
        page.body = text.to_string();
        return page;
    };
    page.front_span = front_start..front_start + front.len();
    page.body = text[body_offset..].to_string();
    page.body_offset = body_offset;
    body_controls(file, &page.body, body_offset, diags);

    // Parse the front matter on its own, then shift spans to the file's offsets.
    let mut local = Vec::new();
    if let Some(doc) = parse(file, front, &mut local) {
        let mut r = Reader::new(file, &mut local);
        r.known_keys(doc.get_ref(), FRONT_MATTER_KEYS, "front matter");
        for (key, v) in each_entry(doc.get_ref()) {
            match key.as_str() {
                "title" => page.title = read_title(&mut r, v),
                "description" => page.description = r.string("description", v),
                "template" => page.template = r.string("template", v),
                "weight" => page.weight = r.integer("weight", v),
                "lang" => page.lang = r.string("lang", v),
                "draft" => page.draft = r.boolean("draft", v),
                _ => {}
            }
        }
        if Reader::get(doc.get_ref(), "title").is_none() {
            r.missing(0..0, "title", "front matter");
        }
    }
    let shift = |s: &mut Range<usize>| *s = s.start + front_start..s.end + front_start;
    for mut d in local {
        if let Some(s) = d.span.as_mut() {
            shift(s);
        }
        diags.push(d);
    }
    for s in [
        &mut page.title,
        &mut page.description,
        &mut page.template,
        &mut page.lang,
    ]
    .into_iter()
    .flatten()
    {
        shift(&mut s.span);
    }
    if let Some(w) = page.weight.as_mut() {
        shift(&mut w.span);
    }
    if let Some(d) = page.draft.as_mut() {
        shift(&mut d.span);
    }
    page
}

/// A page's title is one string: a page is in one language, and its translations are
/// sibling files (`about.fr.md`), so a table by language is pointed at with that advice.
fn read_title(r: &mut Reader, v: &super::toml_reader::Value<'_>) -> Option<Sp<String>> {
    if matches!(v.get_ref(), toml::de::DeValue::Table(_)) {
        r.error(
            v.span(),
            "`title` in front matter is one string, such as `title = \"About\"`",
        )
        .help = Some(
            "a page is in one language; put its French version in a sibling file such as `about.fr.md`, with its own title".to_string(),
        );
        return None;
    }
    r.title("title", v)
}

/// The first control character of a Markdown body, at its place, as in TOML texts (one
/// is enough to find them: a page of a million would otherwise make a million errors).
fn body_controls(file: &str, body: &str, offset: usize, diags: &mut Vec<Diagnostic>) {
    let mut found = body
        .char_indices()
        .filter(|(_, c)| super::toml_reader::is_forbidden_control(*c));
    if let Some((i, c)) = found.next() {
        let at = offset + i;
        let more = found.count();
        let what = match more {
            0 => "this page".to_string(),
            n => format!("this page ({n} more after this one)"),
        };
        diags.push(super::toml_reader::control_error(
            file,
            at..at + c.len_utf8(),
            &what,
            c,
        ));
    }
}

/// `(front matter, its offset, offset of the body)`, or `None` without `+++` fences.
fn split_front_matter(text: &str) -> Option<(&str, usize, usize)> {
    let first_end = text.find('\n')?;
    if text[..first_end].trim_end() != "+++" {
        return None;
    }
    let front_start = first_end + 1;
    let mut pos = front_start;
    while pos <= text.len() {
        let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        if text[pos..line_end].trim_end() == "+++" {
            let body = (line_end + 1).min(text.len());
            return Some((&text[front_start..pos], front_start, body));
        }
        if line_end == text.len() {
            break;
        }
        pos = line_end + 1;
    }
    None
}

/// `themes/labour.fr.md` -> (`themes/labour`, Some(`fr`)); `about.md` -> (`about`, None).
fn stem_and_lang(rel: &str) -> (String, Option<String>) {
    let without_md = rel.strip_suffix(".md").unwrap_or(rel);
    let (dir, name) = match without_md.rfind('/') {
        Some(i) => (&without_md[..=i], &without_md[i + 1..]),
        None => ("", without_md),
    };
    match name.rsplit_once('.') {
        Some((base, lang)) if !base.is_empty() && !lang.is_empty() => {
            (format!("{dir}{base}"), Some(lang.to_string()))
        }
        _ => (without_md.to_string(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_spans_point_into_the_file() {
        let text = "+++\ntitle = \"About\"\nwieght = 3\n+++\nHello\n";
        let mut diags = Vec::new();
        let page = read("content/about.md", "about.md", text, &mut diags);
        assert_eq!(page.title.as_ref().unwrap().value, "About");
        assert_eq!(page.body, "Hello\n");
        assert_eq!(diags.len(), 1);
        let span = diags[0].span.clone().unwrap();
        assert_eq!(&text[span], "wieght");
        assert_eq!(diags[0].help.as_deref(), Some("did you mean `weight`?"));
    }

    #[test]
    fn language_comes_from_the_file_name() {
        assert_eq!(
            stem_and_lang("about.fr.md"),
            ("about".into(), Some("fr".into()))
        );
        assert_eq!(
            stem_and_lang("themes/labour.md"),
            ("themes/labour".into(), None)
        );
    }

    #[test]
    fn missing_fence_is_an_error() {
        let mut diags = Vec::new();
        read("content/a.md", "a.md", "+++\ntitle = \"x\"\n", &mut diags);
        assert!(diags[0].message.contains("no front matter"));
    }
}
