//! Charts, drawn at build time with plotters. A chart is a pure function from a
//! [`ChartSpec`] (data already in the page's language, labels, style) to SVG text; PNG
//! and PDF are made from that same SVG (`raster`), so every format shows the same
//! picture. Text uses one embedded font (DejaVu Sans), never a system font, so the bytes
//! are the same on every machine.
//!
//! Building specs from the model is `spec`'s job; this module knows nothing of profiles.

mod draw;
mod kinds;
pub mod map;
pub mod raster;
pub mod spec;

use plotters::prelude::*;

use super::numbers::Numbers;

/// One point of a series.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub year: i32,
    pub value: f64,
    pub estimated: bool,
    pub derived: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub label: String,
    pub points: Vec<Point>,
    /// `(year, low, high)` where a range is given.
    pub band: Vec<(i32, f64, f64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ChartData {
    /// Lines over years (`line`), or the same stacked (`area`).
    Series {
        lines: Vec<Line>,
        stacked: bool,
        area: bool,
    },
    /// Horizontal bars, largest first; `other` is drawn last, in grey.
    Bars {
        bars: Vec<(String, f64)>,
        other: Option<(String, f64)>,
    },
    /// Age groups from youngest to oldest, men to the left and women to the right.
    Pyramid {
        groups: Vec<String>,
        male: Vec<f64>,
        female: Vec<f64>,
        male_label: String,
        female_label: String,
    },
    /// A choropleth of the world: a value for each country code that has one.
    Map {
        world: std::sync::Arc<map::World>,
        values: std::collections::BTreeMap<String, f64>,
    },
}

impl ChartData {
    pub fn is_empty(&self) -> bool {
        match self {
            ChartData::Series { lines, .. } => lines.iter().all(|l| l.points.is_empty()),
            ChartData::Bars { bars, other } => bars.is_empty() && other.is_none(),
            ChartData::Pyramid { groups, .. } => groups.is_empty(),
            // A map with no value still shows the world, every country as "no data".
            ChartData::Map { .. } => false,
        }
    }
}

/// Words a chart shows besides its data, in the page's language.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartWords {
    pub no_data: String,
    pub estimate: String,
    pub derived: String,
}

/// Everything a chart is drawn from.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSpec {
    /// Unique on a page: `mex-migrant_stock`. Used for the ids of `<title>` and `<desc>`.
    pub id: String,
    pub width: u32,
    pub height: u32,
    /// `#RRGGBB` colours; the first is the main series.
    pub palette: Vec<String>,
    pub title: String,
    /// The unit, and anything else a reader needs to read the axis.
    pub subtitle: String,
    /// "Source: ..., edition".
    pub source: String,
    /// The `<desc>`: the chart in a sentence, written from the data.
    pub desc: String,
    pub unit: String,
    pub lang: String,
    pub words: ChartWords,
    pub data: ChartData,
}

/// The chart as SVG text.
pub fn svg(spec: &ChartSpec, numbers: &Numbers) -> String {
    draw::ensure_fonts();
    let mut out = String::new();
    {
        let backend = SVGBackend::with_string(&mut out, (spec.width, spec.height));
        let root = backend.into_drawing_area();
        // Drawing into a String cannot fail; an error would only lose part of a picture.
        let _ = kinds::draw(&root, spec, numbers);
        let _ = root.present();
    }
    accessible(short_numbers(&out), spec)
}

/// The SVG with every number inside a tag written to at most two decimals. plotters
/// writes font sizes as computed (`16.935483870967744`); a hundredth of a pixel is
/// below what any screen or print shows, and the long forms are most of some charts'
/// attribute bytes. Text between tags (labels, titles) is left as it is.
fn short_numbers(svg: &str) -> String {
    let b = svg.as_bytes();
    let mut out = String::with_capacity(svg.len());
    let (mut i, mut in_tag, mut copied) = (0, false, 0);
    while i < b.len() {
        match b[i] {
            b'<' => in_tag = true,
            b'>' => in_tag = false,
            c if in_tag && c.is_ascii_digit() => {
                let start = i;
                let part_of_name = start > 0
                    && (b[start - 1].is_ascii_alphabetic() || matches!(b[start - 1], b'_' | b'#'));
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
                    let dot = i;
                    i += 1;
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                    if !part_of_name
                        && i - dot > 3
                        && let Ok(x) = svg[start..i].parse::<f64>()
                    {
                        out.push_str(&svg[copied..start]);
                        let two = format!("{x:.2}");
                        out.push_str(two.trim_end_matches('0').trim_end_matches('.'));
                        copied = i;
                    }
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out.push_str(&svg[copied..]);
    out
}

/// Adds `<title>`, `<desc>` and the ARIA attributes that make an inline SVG an image
/// with a name and a description.
fn accessible(svg: String, spec: &ChartSpec) -> String {
    let Some(open_end) = svg.find('>') else {
        return svg;
    };
    let (head, rest) = svg.split_at(open_end);
    let tid = format!("{}-title", spec.id);
    let did = format!("{}-desc", spec.id);
    format!(
        "{head} role=\"img\" aria-labelledby=\"{tid} {did}\">\n<title id=\"{tid}\">{}</title>\n<desc id=\"{did}\">{}</desc>{}",
        xml_escape(&spec.title),
        xml_escape(&spec.desc),
        &rest[1..]
    )
}

pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_in_tags_get_two_decimals_and_texts_keep_theirs() {
        let svg = r##"<text x="16" dy="0.76em" font-size="16.935483870967744" id="c1.23456" fill="#1B1F24">1.23456 and 2.5</text><path d="M-3.14159,2.0001"/>"##;
        assert_eq!(
            super::short_numbers(svg),
            r##"<text x="16" dy="0.76em" font-size="16.94" id="c1.23456" fill="#1B1F24">1.23456 and 2.5</text><path d="M-3.14,2"/>"##
        );
    }
}
