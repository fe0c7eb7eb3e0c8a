//! The calls a Markdown text may make: `{{ value("MEX", "migrant_stock", 2020) }}`,
//! `{{ chart(profile="MEX", id="migrant_stock") }}`. This module reads their syntax
//! only (names, arguments, spans); what they mean is `model::calls`.
//!
//! A call is `{{`, a name, arguments in parentheses, `}}`. Arguments are literals
//! (double-quoted strings, integers, `true`, `false`), by position or as `name=value`.
//! A `{{` not followed by a name and `(` is text, and so is anything in a code span or
//! a fenced code block, so a page can show the syntax.

use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Literal {
    Str(String),
    Int(i64),
    Bool(bool),
}

impl Literal {
    /// What kind of value it is, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Literal::Str(_) => "a string",
            Literal::Int(_) => "a number",
            Literal::Bool(_) => "true or false",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    pub name: Option<String>,
    pub value: Literal,
    /// Byte range of the argument in the text.
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub name: String,
    pub args: Vec<Arg>,
    /// Byte range of the whole call, `{{` to `}}`.
    pub range: Range<usize>,
    /// Whether the call is alone on its line (a table or a chart must be).
    pub own_line: bool,
}

/// A call that does not parse: where, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Range<usize>,
    pub message: String,
}

/// Every call of a text, and the calls that do not parse.
pub fn parse(text: &str) -> (Vec<Call>, Vec<SyntaxError>) {
    // Most texts have no call: no need to find their code spans. (At 1,000 profiles a
    // rebuild reads 3,000 narratives.)
    if !text.contains("{{") {
        return (Vec::new(), Vec::new());
    }
    let mut calls = Vec::new();
    let mut errors = Vec::new();
    let code = code_ranges(text);
    let mut from = 0;
    while let Some(found) = text[from..].find("{{") {
        let start = from + found;
        if let Some(r) = code.iter().find(|r| r.contains(&start)) {
            from = r.end.max(start + 2);
            continue;
        }
        let mut p = Parser {
            text,
            pos: start + 2,
        };
        p.skip_ws();
        let name_start = p.pos;
        let name = p.ident();
        p.skip_ws();
        if name.is_empty() || !p.eat('(') {
            // `{{ something }}` that is no call: text.
            from = start + 2;
            continue;
        }
        match p.rest_of_call() {
            Ok(args) => {
                let range = start..p.pos;
                let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
                let line_end = text[p.pos..].find('\n').map_or(text.len(), |i| p.pos + i);
                let own_line = text[line_start..start].trim().is_empty()
                    && text[p.pos..line_end].trim().is_empty();
                calls.push(Call {
                    name: name.to_string(),
                    args,
                    range,
                    own_line,
                });
                from = p.pos;
            }
            Err(e) => {
                let end = text[name_start..]
                    .find("}}")
                    .map_or(text.len(), |i| name_start + i + 2);
                let at = e.0.min(text.len());
                errors.push(SyntaxError {
                    span: at..text[at..].chars().next().map_or(at, |c| at + c.len_utf8()),
                    message: format!("the call `{name}` does not parse: {}", e.1),
                });
                from = end.max(start + 2);
            }
        }
    }
    (calls, errors)
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

type Fail = (usize, String);

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.peek().filter(|c| c.is_whitespace()) {
            self.pos += c.len_utf8();
        }
    }

    fn ident(&mut self) -> &'a str {
        let start = self.pos;
        while let Some(c) = self
            .peek()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        {
            self.pos += c.len_utf8();
        }
        let s = &self.text[start..self.pos];
        if s.starts_with(|c: char| c.is_ascii_digit()) {
            self.pos = start;
            return "";
        }
        s
    }

    /// After `name(`: the arguments, `)` and `}}`.
    fn rest_of_call(&mut self) -> Result<Vec<Arg>, Fail> {
        let mut args = Vec::new();
        self.skip_ws();
        if !self.eat(')') {
            loop {
                self.skip_ws();
                args.push(self.arg()?);
                self.skip_ws();
                if self.eat(')') {
                    break;
                }
                if !self.eat(',') {
                    return Err((self.pos, "expected `,` or `)` after an argument".into()));
                }
            }
        }
        self.skip_ws();
        if !self.text[self.pos..].starts_with("}}") {
            return Err((self.pos, "expected `}}` after the `)`".into()));
        }
        self.pos += 2;
        Ok(args)
    }

    fn arg(&mut self) -> Result<Arg, Fail> {
        let start = self.pos;
        let mut name = None;
        if self
            .peek()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        {
            let ident = self.ident().to_string();
            self.skip_ws();
            if self.eat('=') {
                self.skip_ws();
                name = Some(ident);
            } else {
                // A bare word: `true`, `false`, or a string missing its quotes.
                let value = match ident.as_str() {
                    "true" => Literal::Bool(true),
                    "false" => Literal::Bool(false),
                    _ => {
                        return Err((start, format!("`{ident}` needs double quotes: \"{ident}\"")));
                    }
                };
                return Ok(Arg {
                    name: None,
                    value,
                    span: start..self.pos,
                });
            }
        }
        let value = self.literal()?;
        Ok(Arg {
            name,
            value,
            span: start..self.pos,
        })
    }

    fn literal(&mut self) -> Result<Literal, Fail> {
        let start = self.pos;
        match self.peek() {
            Some('"') => {
                self.pos += 1;
                let mut s = String::new();
                loop {
                    match self.peek() {
                        None | Some('\n') => {
                            return Err((start, "a string is not closed with `\"`".into()));
                        }
                        Some('"') => {
                            self.pos += 1;
                            return Ok(Literal::Str(s));
                        }
                        Some('\\') => {
                            self.pos += 1;
                            match self.peek() {
                                Some(c @ ('"' | '\\')) => {
                                    s.push(c);
                                    self.pos += 1;
                                }
                                _ => {
                                    return Err((
                                        self.pos,
                                        "only `\\\"` and `\\\\` are escapes in a string".into(),
                                    ));
                                }
                            }
                        }
                        Some(c) => {
                            s.push(c);
                            self.pos += c.len_utf8();
                        }
                    }
                }
            }
            Some(c) if c.is_ascii_digit() || c == '-' => {
                self.pos += 1;
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.pos += 1;
                }
                self.text[start..self.pos]
                    .parse()
                    .map(Literal::Int)
                    .map_err(|_| (start, "expected a whole number".into()))
            }
            Some('t') if self.text[self.pos..].starts_with("true") => {
                self.pos += 4;
                Ok(Literal::Bool(true))
            }
            Some('f') if self.text[self.pos..].starts_with("false") => {
                self.pos += 5;
                Ok(Literal::Bool(false))
            }
            _ => Err((
                start,
                "expected a value: a \"string\", a number, true or false".into(),
            )),
        }
    }
}

/// Byte ranges of code in Markdown (fenced blocks and code spans), where calls are text.
fn code_ranges(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut fence: Option<(char, usize, usize)> = None; // (char, length, start)
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let run = |c: char| trimmed.chars().take_while(|x| *x == c).count();
        match fence {
            Some((c, n, start)) => {
                if indent < 4 && run(c) >= n && trimmed[run(c)..].trim().is_empty() {
                    out.push(start..pos + line.len());
                    fence = None;
                }
            }
            None => {
                let (b, t) = (run('`'), run('~'));
                if indent < 4 && (b >= 3 || t >= 3) {
                    let (c, n) = if b >= 3 { ('`', b) } else { ('~', t) };
                    fence = Some((c, n, pos));
                } else {
                    spans_in_line(line, pos, &mut out);
                }
            }
        }
        pos += line.len();
    }
    if let Some((_, _, start)) = fence {
        out.push(start..text.len());
    }
    out
}

/// Code spans of one line: a run of backticks up to the next run of the same length.
fn spans_in_line(line: &str, offset: usize, out: &mut Vec<Range<usize>>) {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'`' {
            i += 1;
            continue;
        }
        let open = i;
        while i < bytes.len() && bytes[i] == b'`' {
            i += 1;
        }
        let n = i - open;
        let mut j = i;
        let mut closed = None;
        while j < bytes.len() {
            if bytes[j] == b'`' {
                let run_start = j;
                while j < bytes.len() && bytes[j] == b'`' {
                    j += 1;
                }
                if j - run_start == n {
                    closed = Some(j);
                    break;
                }
            } else {
                j += 1;
            }
        }
        if let Some(end) = closed {
            out.push(offset + open..offset + end);
            i = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Call {
        let (calls, errors) = parse(text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(calls.len(), 1, "{calls:?}");
        calls.into_iter().next().unwrap()
    }

    #[test]
    fn reads_positional_and_named_arguments() {
        let text =
            "Stock: {{ value(\"MEX\", \"migrant_stock\", 2020, measure=\"female_share\") }}.";
        let c = one(text);
        assert_eq!(c.name, "value");
        assert_eq!(c.args.len(), 4);
        assert_eq!(c.args[0].value, Literal::Str("MEX".into()));
        assert_eq!(c.args[2].value, Literal::Int(2020));
        assert_eq!(c.args[3].name.as_deref(), Some("measure"));
        assert_eq!(&text[c.args[1].span.clone()], "\"migrant_stock\"");
        assert!(&text[c.range.clone()].starts_with("{{ value("));
        assert!(text[c.range.clone()].ends_with("}}"));
        assert!(!c.own_line);
    }

    #[test]
    fn a_call_alone_on_its_line_is_marked() {
        let c = one("Text.\n\n  {{ map(\"migrant_stock\") }}  \n\nMore.");
        assert!(c.own_line);
        assert_eq!(c.name, "map");
        let c = one("{{chart(profile=\"MEX\",id=\"x\")}}");
        assert!(c.own_line);
        assert_eq!(c.args[1].name.as_deref(), Some("id"));
    }

    #[test]
    fn other_braces_and_code_are_text() {
        let text =
            "{{ other }} and `{{ value(\"A\") }}` and\n```\n{{ latest(\"x\") }}\n```\n{{ x }}";
        let (calls, errors) = parse(text);
        assert!(calls.is_empty(), "{calls:?}");
        assert!(errors.is_empty());
    }

    #[test]
    fn bad_calls_say_where() {
        for (text, what) in [
            ("{{ value(\"MEX\" 2020) }}", "expected `,` or `)`"),
            ("{{ value(MEX) }}", "needs double quotes"),
            ("{{ value(\"MEX) }}", "not closed"),
            ("{{ value(\"MEX\") }", "expected `}}`"),
            ("{{ value(=) }}", "expected a value"),
            ("{{ value(\"a\\n\") }}", "escapes"),
        ] {
            let (calls, errors) = parse(text);
            assert!(calls.is_empty(), "{text}");
            assert_eq!(errors.len(), 1, "{text}");
            assert!(
                errors[0].message.contains(what),
                "{text}: {}",
                errors[0].message
            );
            assert!(errors[0].span.end <= text.len());
        }
    }

    #[test]
    fn escapes_in_strings() {
        let c = one(r#"{{ f("a \"b\" \\") }}"#);
        assert_eq!(c.args[0].value, Literal::Str(r#"a "b" \"#.into()));
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_without_panic(text in "(\\{\\{|\\}\\}|[a-z(),=\" `~\n0-9-]|\\\\){0,60}") {
            let (calls, errors) = parse(&text);
            for c in calls {
                proptest::prop_assert!(c.range.end <= text.len());
                proptest::prop_assert!(text.is_char_boundary(c.range.start));
            }
            for e in errors {
                proptest::prop_assert!(e.span.end <= text.len());
            }
        }
    }
}
