//! Markdown to HTML (comrak, GitHub flavour). Raw HTML is dropped unless the site allows
//! it; comrak also blanks `javascript:` links when raw HTML is off.

use comrak::{Options, markdown_to_html};

pub fn to_html(md: &str, allow_raw_html: bool) -> String {
    let mut options = Options::default();
    options.extension.table = true;
    options.extension.footnotes = true;
    options.extension.strikethrough = true;
    options.extension.autolink = true;
    options.extension.header_id_prefix = Some(String::new());
    options.render.r#unsafe = allow_raw_html;
    markdown_to_html(md, &options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_dropped_unless_allowed() {
        let md = "Hi <script>alert(1)</script> [x](javascript:alert(1))\n";
        let safe = to_html(md, false);
        assert!(!safe.contains("<script>"), "{safe}");
        assert!(!safe.contains("javascript:"), "{safe}");
        assert!(to_html(md, true).contains("<script>"));
    }

    #[test]
    fn tables_and_heading_anchors() {
        let html = to_html("# Sources\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", false);
        assert!(html.contains("id=\"sources\""), "{html}");
        assert!(html.contains("<table>"), "{html}");
    }
}
