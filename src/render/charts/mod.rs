//! Charts, drawn at build time with plotters. A chart is a pure function from a
//! [`ChartSpec`] (data already in the page's language, labels, style) to SVG text; PNG
//! and PDF are made from that same SVG (`raster`), so every format shows the same
//! picture. Text uses one embedded font (DejaVu Sans), never a system font, so the bytes
//! are the same on every machine.
//!
//! Building specs from the model is `spec`'s job; this module knows nothing of profiles.

mod canvas;
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

/// Where the site serves the chart font, from its root: the very bytes charts are
/// laid out with.
pub const FONT_REGULAR: &str = "fonts/DejaVuSans.ttf";
pub const FONT_BOLD: &str = "fonts/DejaVuSans-Bold.ttf";

/// Under this width (CSS px) an SVG file shows its narrow drawing. Pages show the wide
/// drawing at 640 px or more and the narrow one at 480 px or less, so a file's choice
/// and its page's agree even when they measure a little differently.
pub const NARROW_BELOW: u32 = 600;

/// One drawing of a chart: its size and its SVG elements.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawing {
    pub width: u32,
    pub height: u32,
    pub body: String,
}

/// A chart drawn for wide columns and for phones, with the style sheet both use.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawn {
    pub wide: Drawing,
    pub narrow: Drawing,
    css: String,
    id: String,
    title: String,
    desc: String,
}

/// What a page shows of a chart without drawing it: its words and the sizes of its
/// two drawings (the file holds the drawings). A session keeps it for every chart,
/// where the drawings would weigh a hundred times more.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    title: String,
    desc: String,
    wide: (u32, u32),
    narrow: (u32, u32),
}

impl Shape {
    /// The page's `<object>` showing the chart's file at `url`, shaped for either
    /// drawing by the theme's style sheet.
    pub fn object(&self, url: &str) -> String {
        let label = if self.desc.is_empty() {
            self.title.clone()
        } else {
            format!("{}: {}", self.title, self.desc)
        };
        let ((ww, wh), (nw, nh)) = (self.wide, self.narrow);
        format!(
            "<object class=\"chart-object\" data=\"{}\" type=\"image/svg+xml\" role=\"img\" aria-label=\"{}\" width=\"{ww}\" height=\"{wh}\" style=\"--wide:{ww}/{wh};--narrow:{nw}/{nh}\">{}</object>",
            xml_escape(url),
            xml_escape(&label),
            xml_escape(&self.title),
        )
    }
}

/// Draws the chart both ways.
pub fn draw(spec: &ChartSpec, numbers: &Numbers) -> Drawn {
    draw::ensure_fonts();
    let mut classes = canvas::Classes::default();
    let mut one = |layout: draw::Layout| {
        let (width, height) = match layout {
            draw::Layout::Wide => (spec.width, spec.height),
            // Laid out from the top down; the height is known once drawn.
            draw::Layout::Narrow => (draw::NARROW_WIDTH, 100_000),
        };
        let mut body = String::new();
        let drawn = {
            let area =
                canvas::Canvas::new((width, height), &mut body, &mut classes).into_drawing_area();
            // Drawing into a String cannot fail; an error would only lose part of a picture.
            kinds::draw(&area, spec, numbers, layout)
        };
        let height = match layout {
            draw::Layout::Wide => height,
            draw::Layout::Narrow => drawn.map_or(height.min(600), |h| h.max(1) as u32),
        };
        Drawing {
            width,
            height,
            body,
        }
    };
    let wide = one(draw::Layout::Wide);
    let narrow = one(draw::Layout::Narrow);
    Drawn {
        wide,
        narrow,
        css: classes.css(),
        id: spec.id.clone(),
        title: spec.title.clone(),
        desc: spec.desc.clone(),
    }
}

impl Drawn {
    /// The chart's SVG file: both drawings, the narrow one shown in a box under
    /// [`NARROW_BELOW`] px, text in the site's DejaVu Sans found at `fonts` (the
    /// relative address of the site's root from the file) or, off the site, in an
    /// installed DejaVu Sans. The root has no `viewBox`, so a box of any shape (a
    /// page's `<object>`) is the drawings' viewport and each fills it.
    pub fn svg(&self, root: &str) -> String {
        let (w, n) = (&self.wide, &self.narrow);
        let fonts = format!(
            "@font-face{{font-family:\"DejaVu Sans\";src:url(\"{root}{FONT_REGULAR}\"),local(\"DejaVu Sans\")}}\
             @font-face{{font-family:\"DejaVu Sans\";font-weight:700;src:url(\"{root}{FONT_BOLD}\"),local(\"DejaVu Sans Bold\")}}"
        );
        format!(
            "{}<style>{fonts}{}@media (max-width:{}px){{.w{{display:none}}.n{{display:inline}}}}</style>\n\
             <svg class=\"w\" viewBox=\"0 0 {} {}\" width=\"100%\" height=\"100%\">{}</svg>\n\
             <svg class=\"n\" display=\"none\" viewBox=\"0 0 {} {}\" width=\"100%\" height=\"100%\">{}</svg>\n</svg>\n",
            self.open(&format!("width=\"{}\" height=\"{}\"", w.width, w.height)),
            self.base_css(),
            NARROW_BELOW - 1,
            w.width,
            w.height,
            background(w),
            n.width,
            n.height,
            background(n),
        )
    }

    /// The wide drawing alone with nothing outside it, for PNG and PDF (drawn with the
    /// compiled-in font).
    pub fn print_svg(&self) -> String {
        let w = &self.wide;
        let size = format!(
            "width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\"",
            w.width, w.height
        );
        format!(
            "{}<style>{}</style>\n{}</svg>\n",
            self.open(&size),
            self.base_css(),
            background(w)
        )
    }

    /// How a page shows the chart drawn in its SVG file at `url`: an `<object>`, so the
    /// file's own style picks the drawing for the box's width and its text is set in
    /// the site's font. The theme's CSS gives the box the wide drawing's shape
    /// (`--wide`), or the narrow one's (`--narrow`) in a column under 640 px; `width`
    /// and `height` hold the wide shape where a theme's CSS says nothing.
    pub fn object(&self, url: &str) -> String {
        self.shape().object(url)
    }

    /// What a page shows of it.
    pub fn shape(&self) -> Shape {
        Shape {
            title: self.title.clone(),
            desc: self.desc.clone(),
            wide: (self.wide.width, self.wide.height),
            narrow: (self.narrow.width, self.narrow.height),
        }
    }

    /// The root's opening tag with `attrs`, and the elements that name and describe
    /// the picture.
    fn open(&self, attrs: &str) -> String {
        let tid = format!("{}-title", self.id);
        let did = format!("{}-desc", self.id);
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" {attrs} role=\"img\" aria-labelledby=\"{tid} {did}\">\n\
             <title id=\"{tid}\">{}</title>\n<desc id=\"{did}\">{}</desc>\n",
            xml_escape(&self.title),
            xml_escape(&self.desc)
        )
    }

    fn base_css(&self) -> String {
        format!(
            "text{{font-family:\"DejaVu Sans\",sans-serif}}path,circle{{fill:none}}{}",
            self.css
        )
    }
}

/// A drawing's elements on a white ground.
fn background(d: &Drawing) -> String {
    format!(
        "<rect width=\"{}\" height=\"{}\" fill=\"#fff\"/>{}",
        d.width, d.height, d.body
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
