//! The common look of every chart: the embedded font, colours, the frame (title,
//! subtitle, legend, source line), scales and "nice" ticks.

use std::sync::Once;

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::ChartSpec;
use super::canvas::{Canvas, EM_PER_SCALE};

pub type Area<'a> = DrawingArea<Canvas<'a>, Shift>;
pub type DrawResult = Result<(), DrawingAreaErrorKind<std::io::Error>>;

/// The name DejaVu Sans is registered under with plotters (only it measures text).
pub const FONT: &str = "sans-serif";
pub const INK: RGBColor = RGBColor(0x1b, 0x1f, 0x24);
pub const MUTED: RGBColor = RGBColor(0x4a, 0x55, 0x61);
pub const GRID: RGBColor = RGBColor(0xdd, 0xe2, 0xe7);
pub const OTHER: RGBColor = RGBColor(0x9a, 0xa4, 0xae);

/// The width a chart's phone drawing is laid out at, in CSS pixels: a 390 px screen
/// shows it at about its size, so its text is as large on screen as it is here.
pub const NARROW_WIDTH: u32 = 340;

static FONTS: Once = Once::new();

/// Registers DejaVu Sans with plotters, once: charts never look for system fonts.
pub fn ensure_fonts() {
    FONTS.call_once(|| {
        // The bytes are DejaVu's own, compiled in; registering them cannot fail.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

pub fn color(hex: &str) -> RGBColor {
    let byte = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .unwrap_or(0)
    };
    RGBColor(byte(1), byte(3), byte(5))
}

pub fn palette(spec: &ChartSpec, i: usize) -> RGBColor {
    if spec.palette.is_empty() {
        return INK;
    }
    color(&spec.palette[i % spec.palette.len()])
}

/// What a piece of chart text is, for its size.
#[derive(Debug, Clone, Copy)]
pub enum Role {
    Title,
    Subtitle,
    /// Legend entries, axis labels, values, bar labels.
    Label,
    Source,
    Message,
}

/// The drawing a chart is laid out as: the wide one for a column of 640 CSS px or more
/// (and for PNG and PDF), or the narrow one for phones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Wide,
    Narrow,
}

/// Sizes for one drawing. The wide drawing's sizes scale with its width, so a
/// report-size chart is the web chart, larger; the narrow one is laid out in CSS pixels.
pub struct Metrics {
    pub scale: f64,
    pub layout: Layout,
    pub width: i32,
    /// The wide drawing's height; the narrow one's follows from what it holds.
    pub height: i32,
}

impl Metrics {
    pub fn new(spec: &ChartSpec, layout: Layout) -> Self {
        match layout {
            Layout::Wide => Metrics {
                scale: (spec.width as f64 / 800.0).clamp(0.5, 4.0),
                layout,
                width: spec.width as i32,
                height: spec.height as i32,
            },
            Layout::Narrow => Metrics {
                scale: 1.0,
                layout,
                width: NARROW_WIDTH as i32,
                height: 0,
            },
        }
    }
    pub fn narrow(&self) -> bool {
        self.layout == Layout::Narrow
    }
    pub fn px(&self, v: f64) -> i32 {
        (v * self.scale).round() as i32
    }
    /// The plotters size of text of `role`. The wide drawing is shown no smaller than
    /// 0.8 of its width and the narrow one at about its own, so these keep every word
    /// at 11 CSS px or more on screen.
    pub fn font(&self, role: Role) -> f64 {
        let css = match (self.layout, role) {
            (Layout::Wide, Role::Title) => 20.0,
            (Layout::Wide, Role::Subtitle) => 15.0,
            (Layout::Wide, Role::Message) => 17.0,
            (Layout::Wide, _) => 14.0,
            (Layout::Narrow, Role::Title) => 17.0,
            (Layout::Narrow, Role::Subtitle) => 14.0,
            (Layout::Narrow, Role::Message) => 15.0,
            (Layout::Narrow, Role::Label) => 13.0,
            (Layout::Narrow, Role::Source) => 12.5,
        };
        css * self.scale / EM_PER_SCALE
    }
    /// The height of a line of text of `role`.
    pub fn line(&self, role: Role) -> i32 {
        (self.font(role) * EM_PER_SCALE * 1.3).round() as i32
    }
}

pub fn text_style<'a>(size: f64, color: &RGBColor, bold: bool, pos: Pos) -> TextStyle<'a> {
    let style = if bold {
        FontStyle::Bold
    } else {
        FontStyle::Normal
    };
    FontDesc::new(FontFamily::Name(FONT), size, style)
        .color(color)
        .pos(pos)
}

pub fn left_top() -> Pos {
    Pos::new(HPos::Left, VPos::Top)
}

pub fn text(area: &Area, s: &str, at: (i32, i32), style: &TextStyle) -> DrawResult {
    area.draw(&Text::new(s.to_string(), at, style.clone()))
}

pub fn text_width(area: &Area, s: &str, size: f64) -> i32 {
    let style: TextStyle = FontDesc::new(FontFamily::Name(FONT), size, FontStyle::Normal).into();
    area.estimate_text_size(s, &style)
        .map_or((s.len() as f64 * size * 0.55) as i32, |(w, _)| w as i32)
}

fn bold_width(area: &Area, s: &str, size: f64) -> i32 {
    let style: TextStyle = FontDesc::new(FontFamily::Name(FONT), size, FontStyle::Bold).into();
    area.estimate_text_size(s, &style)
        .map_or((s.len() as f64 * size * 0.6) as i32, |(w, _)| w as i32)
}

/// Where the plot goes once the frame is drawn, and the drawing's height.
#[derive(Debug, Clone, Copy)]
pub struct Plot {
    pub left: i32,
    pub top: i32,
    pub right: i32,
    pub bottom: i32,
    pub height: i32,
}

/// A legend entry: a swatch and its label.
pub enum Swatch {
    Line(RGBColor),
    Dashed(RGBColor),
    Block(RGBColor),
    Square(RGBColor),
}

/// Lines of text drawn from `y` down; returns the y under them.
fn lines(
    area: &Area,
    lines: &[String],
    x: i32,
    y: i32,
    step: i32,
    style: &TextStyle,
) -> Result<i32, DrawingAreaErrorKind<std::io::Error>> {
    let mut y = y;
    for l in lines {
        text(area, l, (x, y), style)?;
        y += step;
    }
    Ok(y)
}

/// Draws the title, subtitle, legend and source line; returns the room left for the
/// plot (before axis labels). The narrow drawing's plot is `plot_h` high and the
/// drawing as high as it then needs.
pub fn frame(
    area: &Area,
    spec: &ChartSpec,
    m: &Metrics,
    legend: &[(Swatch, String)],
    plot_h: i32,
) -> Result<Plot, DrawingAreaErrorKind<std::io::Error>> {
    let pad = m.px(16.0);
    let w = m.width;
    let room = w - 2 * pad;
    let title_size = m.font(Role::Title);
    let title = wrap(area, &spec.title, title_size, room, 2, true);
    let title_style = text_style(title_size, &INK, true, left_top());
    let mut y = lines(area, &title, pad, pad, m.line(Role::Title), &title_style)?;
    if !spec.subtitle.is_empty() {
        let size = m.font(Role::Subtitle);
        let sub = wrap(area, &spec.subtitle, size, room, 2, false);
        y = lines(
            area,
            &sub,
            pad,
            y,
            m.line(Role::Subtitle),
            &text_style(size, &MUTED, false, left_top()),
        )?;
    }
    if !legend.is_empty() {
        y = draw_legend(area, m, legend, (pad, y + m.px(4.0)), w - pad)?;
    }
    let source_size = m.font(Role::Source);
    let source = wrap(area, &spec.source, source_size, room, 2, false);
    let source_h = m.line(Role::Source) * source.len() as i32;
    let top = y + m.px(12.0);
    // Room under the plot for the axis labels, then the source line.
    let (bottom, height) = if m.narrow() {
        let bottom = top + plot_h;
        (bottom, bottom + m.px(40.0) + source_h + pad)
    } else {
        (m.height - pad - m.px(36.0) - source_h, m.height)
    };
    let source_style = text_style(source_size, &MUTED, false, left_top());
    lines(
        area,
        &source,
        pad,
        height - pad - source_h,
        m.line(Role::Source),
        &source_style,
    )?;
    Ok(Plot {
        left: pad,
        top,
        right: w - pad,
        bottom: bottom.max(top + m.px(40.0)),
        height,
    })
}

/// The legend from `at`, wrapped onto as many rows as it needs; returns the y under it.
fn draw_legend(
    area: &Area,
    m: &Metrics,
    legend: &[(Swatch, String)],
    at: (i32, i32),
    right: i32,
) -> Result<i32, DrawingAreaErrorKind<std::io::Error>> {
    let size = m.font(Role::Label);
    let row = m.line(Role::Label) + m.px(2.0);
    let (left, mut y) = at;
    let mut x = left;
    for (swatch, label) in legend {
        let label = ellipsize(area, label, size, right - left - m.px(24.0));
        let width = m.px(24.0) + text_width(area, &label, size);
        if x > left && x + width > right {
            x = left;
            y += row;
        }
        let sy = y + m.px(7.0);
        match swatch {
            Swatch::Line(c) => area.draw(&PathElement::new(
                vec![(x, sy), (x + m.px(18.0), sy)],
                c.stroke_width(m.px(3.0) as u32),
            ))?,
            Swatch::Dashed(c) => area.draw(&DashedPathElement::new(
                vec![(x, sy), (x + m.px(18.0), sy)],
                m.px(4.0),
                m.px(3.0),
                c.stroke_width(m.px(2.0) as u32),
            ))?,
            Swatch::Block(c) => area.draw(&Rectangle::new(
                [(x, sy - m.px(6.0)), (x + m.px(18.0), sy + m.px(6.0))],
                c.filled(),
            ))?,
            Swatch::Square(c) => area.draw(&Rectangle::new(
                [
                    (x + m.px(5.0), sy - m.px(4.0)),
                    (x + m.px(13.0), sy + m.px(4.0)),
                ],
                c.stroke_width(m.px(2.0) as u32),
            ))?,
        }
        text(
            area,
            &label,
            (x + m.px(24.0), y),
            &text_style(size, &INK, false, left_top()),
        )?;
        x += width + m.px(18.0);
    }
    Ok(y + row)
}

/// `s` in at most `most` lines of `max` pixels, cut at spaces; what does not fit ends
/// the last line with an ellipsis.
pub fn wrap(area: &Area, s: &str, size: f64, max: i32, most: usize, bold: bool) -> Vec<String> {
    let width = |t: &str| {
        if bold {
            bold_width(area, t, size)
        } else {
            text_width(area, t, size)
        }
    };
    // No more characters than the lines could hold are ever measured.
    let cap = most * (f64::from(max.max(0)) / (size * 0.2)).ceil() as usize + 1;
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    let (mut used, mut cut) = (0, false);
    for word in s.split_whitespace() {
        if used > cap {
            cut = true;
            break;
        }
        used += word.chars().count() + 1;
        let tried = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if line.is_empty() || width(&tried) <= max {
            line = tried;
        } else if out.len() + 1 < most {
            out.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            // The last line is full: the word that overflows it is cut to an ellipsis.
            line = tried;
            cut = true;
            break;
        }
    }
    if cut {
        line.push('…');
    }
    if width(&line) > max {
        line = ellipsize_with(&line, size, max, width);
    }
    out.push(line);
    out
}

/// `s`, cut with an ellipsis to fit `max` pixels.
pub fn ellipsize(area: &Area, s: &str, size: f64, max: i32) -> String {
    ellipsize_with(s, size, max, |t| text_width(area, t, size))
}

/// `s`, cut with an ellipsis to fit `max` pixels as `width` measures them.
///
/// The cut is found by bisection over a prefix no longer than `max` pixels could hold
/// (no glyph is narrower than a fifth of the font size), so the work depends on the
/// room, not on how long the text is.
fn ellipsize_with(s: &str, size: f64, max: i32, width: impl Fn(&str) -> i32) -> String {
    let most_chars = (f64::from(max.max(0)) / (size * 0.2)).ceil() as usize + 1;
    let ends: Vec<usize> = s
        .char_indices()
        .map(|(i, c)| i + c.len_utf8())
        .take(most_chars + 1)
        .collect();
    if ends.len() <= most_chars && width(s) <= max {
        return s.to_string();
    }
    let fits = |n: usize| {
        let prefix = &s[..n.checked_sub(1).map_or(0, |k| ends[k])];
        width(&format!("{}…", prefix.trim_end())) <= max
    };
    // The longest prefix, in characters, that fits with its ellipsis.
    let (mut lo, mut hi) = (0, ends.len().min(most_chars));
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let prefix = &s[..lo.checked_sub(1).map_or(0, |k| ends[k])];
    format!("{}…", prefix.trim_end())
}

/// A message in the middle of the plot: "No data".
pub fn centered_message(area: &Area, plot: &Plot, m: &Metrics, message: &str) -> DrawResult {
    let style = text_style(
        m.font(Role::Message),
        &MUTED,
        false,
        Pos::new(HPos::Center, VPos::Center),
    );
    area.draw(&Rectangle::new(
        [(plot.left, plot.top), (plot.right, plot.bottom)],
        GRID.stroke_width(1),
    ))?;
    text(
        area,
        message,
        ((plot.left + plot.right) / 2, (plot.top + plot.bottom) / 2),
        &style,
    )
}

/// A linear map from data to pixels.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub d0: f64,
    pub d1: f64,
    pub p0: i32,
    pub p1: i32,
}

impl Scale {
    pub fn at(&self, v: f64) -> i32 {
        if self.d1 == self.d0 {
            return (self.p0 + self.p1) / 2;
        }
        let t = (v - self.d0) / (self.d1 - self.d0);
        (self.p0 as f64 + t * (self.p1 - self.p0) as f64).round() as i32
    }
}

/// Round tick values covering `[lo, hi]`: steps of 1, 2, 2.5 or 5 times a power of ten,
/// about `target` of them. Returns the ticks; the first and last bound the axis.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else if hi == 0.0 {
        (0.0, 1.0)
    } else {
        (lo.min(0.0), hi.abs().max(lo.abs()) * 1.1)
    };
    let raw = (hi - lo) / target.max(1) as f64;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power);
    let start = (lo / step).floor();
    let end = (hi / step).ceil();
    let n = ((end - start) as i64).clamp(1, 50);
    (0..=n)
        .map(|i| (start + i as f64) * step)
        .map(|v| if v.abs() < step * 1e-9 { 0.0 } else { v })
        .collect()
}

/// Years to label on a time axis: every year when there are few, else a round step;
/// never more than `most`, the labels the axis has room for.
pub fn year_ticks(years: &[i32], first: i32, last: i32, most: usize) -> Vec<i32> {
    let most = most.clamp(2, 9) as i32;
    if years.len() as i32 <= most {
        return years.to_vec();
    }
    let span = (last - first).max(1);
    let step = [1, 2, 5, 10, 20, 25, 50]
        .into_iter()
        .find(|s| span / s < most)
        .unwrap_or(100);
    let start = (first + step - 1).div_euclid(step) * step;
    (0..)
        .map(|i| start + i * step)
        .take_while(|y| *y <= last)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_area(f: impl FnOnce(&Area)) {
        ensure_fonts();
        let (mut out, mut classes) = (String::new(), super::super::canvas::Classes::default());
        let area = Canvas::new((800, 450), &mut out, &mut classes).into_drawing_area();
        f(&area);
    }

    #[test]
    fn ellipsize_keeps_what_fits_and_cuts_the_rest_to_the_room() {
        with_area(|area| {
            assert_eq!(ellipsize(area, "Mexico", 14.0, 200), "Mexico");
            let cut = ellipsize(area, &"Mexico ".repeat(20), 14.0, 200);
            assert!(
                cut.ends_with('…') && cut.starts_with("Mexico Mexico"),
                "{cut}"
            );
            assert!(text_width(area, &cut, 14.0) <= 200);
            let longer = ellipsize(area, &"Mexico ".repeat(21), 14.0, 200);
            assert_eq!(cut, longer);
            // A text of a million characters is cut as fast as a short one: only what
            // the room could hold is ever measured.
            let huge = "é".repeat(1_000_000);
            let cut = ellipsize(area, &huge, 14.0, 200);
            assert!(cut.chars().count() < 200 && cut.ends_with('…'));
            assert_eq!(ellipsize(area, "Mexico", 14.0, 0), "…");
        });
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(
            nice_ticks(0.0, 1_726_089.0, 5),
            vec![0.0, 500_000.0, 1_000_000.0, 1_500_000.0, 2_000_000.0]
        );
        assert_eq!(
            nice_ticks(-356_433.0, 0.0, 5),
            vec![-400_000.0, -300_000.0, -200_000.0, -100_000.0, 0.0]
        );
        assert_eq!(
            nice_ticks(0.0, 0.0, 5),
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
    }

    #[test]
    fn year_ticks_follow_the_data_or_a_round_step() {
        let uneven = [1990, 1995, 2000, 2005, 2010, 2015, 2020, 2024];
        assert_eq!(year_ticks(&uneven, 1990, 2024, 9), uneven.to_vec());
        let annual: Vec<i32> = (1990..=2024).collect();
        assert_eq!(
            year_ticks(&annual, 1990, 2024, 9),
            vec![1990, 1995, 2000, 2005, 2010, 2015, 2020]
        );
        // A phone's axis has room for four labels: every tenth year.
        assert_eq!(
            year_ticks(&uneven, 1990, 2024, 4),
            vec![1990, 2000, 2010, 2020]
        );
    }
}
