//! The plotters backend charts draw on: it writes compact SVG. plotters' own SVG
//! backend repeats every attribute on every element (a text label carries its font,
//! size, colour, opacity and anchor), writes font sizes as computed floats and makes an
//! element of each segment; a profile's charts were most of its page's bytes. Here a
//! style is written once as a class, consecutive strokes or fills of one style become
//! one `<path>`, coordinates are integers and sizes have at most two decimals.
//!
//! Text is measured by plotters with DejaVu Sans at a "pixel scale" that is the font's
//! ascent-to-descent height; a browser's `font-size` is the em. The backend converts
//! one into the other, so text is drawn at exactly the width it was measured at.

use std::fmt::Write;

use plotters_backend::FontStyle;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

/// DejaVu Sans's em (2048 units) over its ascent-to-descent height (1901 + 483).
pub const EM_PER_SCALE: f64 = 2048.0 / 2384.0;

/// The styles of a drawing, each written once as `.cN{…}`; shared by every drawing in
/// one SVG file so their names do not clash.
#[derive(Debug, Default)]
pub struct Classes {
    rules: Vec<String>,
}

impl Classes {
    fn name(&mut self, rule: String) -> usize {
        match self.rules.iter().position(|r| *r == rule) {
            Some(i) => i,
            None => {
                self.rules.push(rule);
                self.rules.len() - 1
            }
        }
    }

    /// The style sheet: one rule a class, in the order they were first used.
    pub fn css(&self) -> String {
        let mut css = String::new();
        for (i, rule) in self.rules.iter().enumerate() {
            let _ = write!(css, ".c{i}{{{rule}}}");
        }
        css
    }
}

/// A path being written, extended while the next shape has its style.
struct Open {
    class: usize,
    d: String,
    end: BackendCoord,
}

pub struct Canvas<'a> {
    size: (u32, u32),
    out: &'a mut String,
    classes: &'a mut Classes,
    open: Option<Open>,
}

impl<'a> Canvas<'a> {
    pub fn new(size: (u32, u32), out: &'a mut String, classes: &'a mut Classes) -> Self {
        Canvas {
            size,
            out,
            classes,
            open: None,
        }
    }

    fn flush(&mut self) {
        if let Some(open) = self.open.take() {
            let _ = write!(
                self.out,
                "<path class=\"c{}\" d=\"{}\"/>",
                open.class, open.d
            );
        }
    }

    /// Adds `points` to the open path of `class` (a new one if the style changed).
    fn extend(&mut self, class: usize, points: &[BackendCoord], close: bool) {
        let Some(&first) = points.first() else {
            return;
        };
        if self.open.as_ref().is_some_and(|o| o.class != class) {
            self.flush();
        }
        let open = self.open.get_or_insert_with(|| Open {
            class,
            d: String::new(),
            end: (i32::MIN, i32::MIN),
        });
        let mut at = open.end;
        if close || at != first {
            let _ = write!(open.d, "M{} {}", first.0, first.1);
            at = first;
        }
        for &p in &points[1..] {
            segment(&mut open.d, at, p);
            at = p;
        }
        if close {
            open.d.push('z');
            // A closed subpath ends where it began; nothing continues it.
            open.end = (i32::MIN, i32::MIN);
        } else {
            open.end = at;
        }
    }

    fn stroke_class(&mut self, color: BackendColor, width: u32) -> usize {
        // Paths and circles are unfilled and strokes 1 px wide unless a class says
        // otherwise (the drawing's base style, `Drawn::base_css`).
        let mut rule = format!("stroke:{}", hex(color));
        if width != 1 {
            let _ = write!(rule, ";stroke-width:{width}");
        }
        if color.alpha < 1.0 {
            let _ = write!(rule, ";stroke-opacity:{}", short(color.alpha));
        }
        self.classes.name(rule)
    }

    /// A line through `points`, or a closed shape: nothing when too few points make one.
    fn trace(&mut self, class: usize, points: impl IntoIterator<Item = BackendCoord>, close: bool) {
        let points: Vec<BackendCoord> = points.into_iter().collect();
        if points.len() >= if close { 3 } else { 2 } {
            self.extend(class, &points, close);
        }
    }

    /// The class of a shape filled with, or outlined in, `style`.
    fn shape_class<S: BackendStyle>(&mut self, style: &S, fill: bool) -> usize {
        if fill {
            self.fill_class(style.color())
        } else {
            self.stroke_class(style.color(), style.stroke_width())
        }
    }

    fn fill_class(&mut self, color: BackendColor) -> usize {
        let mut rule = format!("fill:{}", hex(color));
        if color.alpha < 1.0 {
            let _ = write!(rule, ";fill-opacity:{}", short(color.alpha));
        }
        self.classes.name(rule)
    }
}

/// One segment of a path from `from` to `to`, as its shortest command.
fn segment(d: &mut String, from: BackendCoord, to: BackendCoord) {
    let _ = if to.1 == from.1 {
        write!(d, "H{}", to.0)
    } else if to.0 == from.0 {
        write!(d, "V{}", to.1)
    } else {
        write!(d, "L{} {}", to.0, to.1)
    };
}

fn hex(c: BackendColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.rgb.0, c.rgb.1, c.rgb.2)
}

/// `x` with at most two decimals and no trailing zeros: `13.5`, `0.85`, `12`.
pub fn short(x: f64) -> String {
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

impl Drop for Canvas<'_> {
    fn drop(&mut self) {
        self.flush();
    }
}

impl DrawingBackend for Canvas<'_> {
    type ErrorType = std::io::Error;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.flush();
        Ok(())
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if color.alpha > 0.0 {
            let class = self.fill_class(color);
            let (x, y) = point;
            self.extend(
                class,
                &[(x, y), (x + 1, y), (x + 1, y + 1), (x, y + 1)],
                true,
            );
        }
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.draw_path([from, to], style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let class = self.shape_class(style, fill);
        let ((x0, y0), (x1, y1)) = (upper_left, bottom_right);
        self.extend(class, &[(x0, y0), (x1, y0), (x1, y1), (x0, y1)], true);
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let class = self.stroke_class(style.color(), style.stroke_width());
        self.trace(class, path, false);
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let class = self.fill_class(style.color());
        self.trace(class, vert, true);
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let class = self.shape_class(style, fill);
        self.flush();
        let _ = write!(
            self.out,
            "<circle class=\"c{class}\" cx=\"{}\" cy=\"{}\" r=\"{radius}\"/>",
            center.0, center.1
        );
        Ok(())
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let em = style.size() * EM_PER_SCALE;
        let mut rule = format!("font-size:{}px;fill:{}", short(em), hex(color));
        if matches!(style.style(), FontStyle::Bold) {
            rule.push_str(";font-weight:700");
        }
        match style.anchor().h_pos {
            HPos::Left => {}
            HPos::Center => rule.push_str(";text-anchor:middle"),
            HPos::Right => rule.push_str(";text-anchor:end"),
        }
        let class = self.classes.name(rule);
        // The baseline, from where plotters anchors the text: its top is at the cap
        // height, its centre half an x-height above the baseline (DejaVu's metrics).
        let baseline = f64::from(pos.1)
            + em * match style.anchor().v_pos {
                VPos::Top => 0.76,
                VPos::Center => 0.27,
                VPos::Bottom => -0.27,
            };
        self.flush();
        let _ = write!(
            self.out,
            "<text class=\"c{class}\" x=\"{}\" y=\"{}\">{}</text>",
            pos.0,
            // A tenth of a pixel is as fine as a baseline needs.
            short((baseline * 10.0).round() / 10.0),
            super::xml_escape(text)
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Canvas, Classes, short};
    use plotters::prelude::*;
    use plotters::style::text_anchor::{HPos, VPos};

    fn draw(f: impl FnOnce(&DrawingArea<Canvas, plotters::coord::Shift>)) -> (String, String) {
        super::super::draw::ensure_fonts();
        let (mut out, mut classes) = (String::new(), Classes::default());
        {
            let area = Canvas::new((100, 100), &mut out, &mut classes).into_drawing_area();
            f(&area);
        }
        (out, classes.css())
    }

    #[test]
    fn strokes_of_one_style_in_a_row_are_one_path() {
        let (svg, css) = draw(|a| {
            for y in [10, 20] {
                a.draw(&PathElement::new(
                    vec![(0, y), (90, y)],
                    BLACK.stroke_width(1),
                ))
                .unwrap();
            }
            a.draw(&PathElement::new(vec![(90, 20), (90, 60), (10, 70)], BLACK))
                .unwrap();
            a.draw(&PathElement::new(vec![(0, 5), (5, 5)], RED.stroke_width(2)))
                .unwrap();
        });
        assert_eq!(
            svg,
            r#"<path class="c0" d="M0 10H90M0 20H90V60L10 70"/><path class="c1" d="M0 5H5"/>"#
        );
        assert_eq!(css, ".c0{stroke:#000000}.c1{stroke:#ff0000;stroke-width:2}");
    }

    #[test]
    fn fills_close_their_shapes_and_keep_their_opacity() {
        let (svg, css) = draw(|a| {
            a.draw(&Rectangle::new([(1, 2), (11, 7)], BLUE.mix(0.85).filled()))
                .unwrap();
            a.draw(&Polygon::new(
                vec![(0, 0), (4, 0), (4, 4)],
                BLUE.mix(0.85).filled(),
            ))
            .unwrap();
        });
        assert_eq!(svg, r#"<path class="c0" d="M1 2H11V7H1zM0 0H4V4z"/>"#);
        assert_eq!(css, ".c0{fill:#0000ff;fill-opacity:0.85}");
    }

    #[test]
    fn text_is_sized_in_ems_and_anchored_on_its_baseline() {
        let (svg, css) = draw(|a| {
            let style = TextStyle::from(("sans-serif", 23.84).into_font())
                .color(&BLACK)
                .pos(plotters::style::text_anchor::Pos::new(
                    HPos::Right,
                    VPos::Top,
                ));
            a.draw(&Text::new("a < b", (50, 10), style)).unwrap();
        });
        assert_eq!(svg, r#"<text class="c0" x="50" y="25.6">a &lt; b</text>"#);
        assert_eq!(css, ".c0{font-size:20.48px;fill:#000000;text-anchor:end}");
    }

    #[test]
    fn short_numbers_have_two_decimals_at_most() {
        assert_eq!(short(16.935483870967744), "16.94");
        assert_eq!(short(12.0), "12");
        assert_eq!(short(0.85), "0.85");
        assert_eq!(short(-0.001), "0");
    }
}
