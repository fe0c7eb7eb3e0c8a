//! A text as a reader sees it: its calls and code blanked out, cut into sentences.
//! The stale-figure check (`calls`) and the typed-number check (`typed`) both read
//! sentences this way.

use std::ops::Range;

/// The text with its calls and code blanked out, offsets kept: numbers there are
/// not typed by the writer.
pub fn masked(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let mut blank = |range: Range<usize>| bytes[range].fill(b' ');
    let mut at = 0;
    while let Some(open) = text[at..].find("{{").map(|i| at + i) {
        let close = text[open..].find("}}").map_or(text.len(), |i| open + i + 2);
        blank(open..close);
        at = close;
    }
    let mut at = 0;
    while let Some(open) = text[at..].find('`').map(|i| at + i) {
        let close = text[open + 1..]
            .find('`')
            .map_or(text.len(), |i| open + i + 2);
        blank(open..close);
        at = close;
    }
    // Only whole characters were blanked (the delimiters are ASCII), so this holds.
    String::from_utf8(bytes).unwrap_or_default()
}

/// Sentences end at a mark followed by a space or the end: "1.73" ends none.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|(_, n)| *n);
        if matches!(c, '.' | ';' | '!' | '?' | '\n') && next.is_none_or(char::is_whitespace) {
            out.push(start..i + c.len_utf8());
            start = i + c.len_utf8();
        }
    }
    if start < text.len() {
        out.push(start..text.len());
    }
    out
}
