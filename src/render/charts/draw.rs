//! The common look of every chart: the embedded font, colours, the frame (title,
//! subtitle, legend, source line), scales and "nice" ticks.

use std::sync::Once;

use plotters::backend::SVGBackend;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::ChartSpec;

pub type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
pub type DrawResult = Result<(), DrawingAreaErrorKind<std::io::Error>>;

pub const FONT: &str = "sans-serif";
pub const INK: RGBColor = RGBColor(0x1b, 0x1f, 0x24);
pub const MUTED: RGBColor = RGBColor(0x4a, 0x55, 0x61);
pub const GRID: RGBColor = RGBColor(0xdd, 0xe2, 0xe7);
pub const OTHER: RGBColor = RGBColor(0x9a, 0xa4, 0xae);

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

/// Sizes scale with the chart's width, so a report-size chart is the web chart, larger.
pub struct Metrics {
    pub scale: f64,
}

impl Metrics {
    pub fn new(spec: &ChartSpec) -> Self {
        Metrics {
            scale: (spec.width as f64 / 800.0).clamp(0.5, 4.0),
        }
    }
    pub fn px(&self, v: f64) -> i32 {
        (v * self.scale).round() as i32
    }
    pub fn font(&self, size: f64) -> f64 {
        size * self.scale
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

/// Where the plot goes once the frame is drawn.
#[derive(Debug, Clone, Copy)]
pub struct Plot {
    pub left: i32,
    pub top: i32,
    pub right: i32,
    pub bottom: i32,
}

/// A legend entry: a swatch and its label.
pub enum Swatch {
    Line(RGBColor),
    Dashed(RGBColor),
    Block(RGBColor),
    Square(RGBColor),
}

/// Draws the background, title, subtitle, legend and source line; returns the room
/// left for the plot (before axis labels).
pub fn frame(
    area: &Area,
    spec: &ChartSpec,
    m: &Metrics,
    legend: &[(Swatch, String)],
) -> Result<Plot, DrawingAreaErrorKind<std::io::Error>> {
    area.fill(&WHITE)?;
    let pad = m.px(16.0);
    let w = spec.width as i32;
    let h = spec.height as i32;
    text(
        area,
        &spec.title,
        (pad, pad),
        &text_style(m.font(21.0), &INK, true, left_top()),
    )?;
    let mut y = pad + m.px(26.0);
    if !spec.subtitle.is_empty() {
        text(
            area,
            &spec.subtitle,
            (pad, y),
            &text_style(m.font(15.0), &MUTED, false, left_top()),
        )?;
        y += m.px(20.0);
    }
    if !legend.is_empty() {
        y += m.px(4.0);
        let mut x = pad;
        let size = m.font(14.0);
        for (swatch, label) in legend {
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
            x += m.px(24.0);
            text(
                area,
                label,
                (x, y),
                &text_style(size, &INK, false, left_top()),
            )?;
            x += text_width(area, label, size) + m.px(18.0);
        }
        y += m.px(20.0);
    }
    let source_size = m.font(13.0);
    text(
        area,
        &ellipsize(area, &spec.source, source_size, w - 2 * pad),
        (pad, h - pad),
        &text_style(
            source_size,
            &MUTED,
            false,
            Pos::new(HPos::Left, VPos::Bottom),
        ),
    )?;
    // Room at the bottom for the source line and, above it, the axis labels.
    Ok(Plot {
        left: pad,
        top: y + m.px(12.0),
        right: w - pad,
        bottom: h - pad - m.px(46.0),
    })
}

/// `s`, cut with an ellipsis to fit `max` pixels.
///
/// The cut is found by bisection over a prefix no longer than `max` pixels could hold
/// (no glyph is narrower than a fifth of the font size), so the work depends on the
/// room, not on how long the text is.
pub fn ellipsize(area: &Area, s: &str, size: f64, max: i32) -> String {
    let most_chars = (f64::from(max.max(0)) / (size * 0.2)).ceil() as usize + 1;
    let ends: Vec<usize> = s
        .char_indices()
        .map(|(i, c)| i + c.len_utf8())
        .take(most_chars + 1)
        .collect();
    if ends.len() <= most_chars && text_width(area, s, size) <= max {
        return s.to_string();
    }
    let fits = |n: usize| {
        let prefix = &s[..n.checked_sub(1).map_or(0, |k| ends[k])];
        text_width(area, &format!("{}…", prefix.trim_end()), size) <= max
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
        m.font(18.0),
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

/// Years to label on a time axis: every year when there are few, else a round step.
pub fn year_ticks(years: &[i32], first: i32, last: i32) -> Vec<i32> {
    if years.len() <= 9 {
        return years.to_vec();
    }
    let span = (last - first).max(1);
    let step = [1, 2, 5, 10, 20, 25, 50]
        .into_iter()
        .find(|s| span / s <= 8)
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
        let mut out = String::new();
        let area = SVGBackend::with_string(&mut out, (800, 450)).into_drawing_area();
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
        assert_eq!(year_ticks(&uneven, 1990, 2024), uneven.to_vec());
        let annual: Vec<i32> = (1990..=2024).collect();
        assert_eq!(
            year_ticks(&annual, 1990, 2024),
            vec![1990, 1995, 2000, 2005, 2010, 2015, 2020]
        );
    }
}
