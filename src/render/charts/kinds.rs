//! The chart kinds: lines and areas over years, horizontal bars, the age pyramid.

use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::draw::{
    self, Area, DrawResult, GRID, INK, Layout, MUTED, Metrics, OTHER, Plot, Role, Scale, Swatch,
    text, text_style, text_width,
};
use super::{ChartData, ChartSpec, Line};
use crate::render::numbers::Numbers;

/// What every kind draws with.
pub struct Ctx<'c, 'a> {
    pub area: &'c Area<'a>,
    pub spec: &'c ChartSpec,
    pub numbers: &'c Numbers,
    pub m: Metrics,
}

/// Draws the chart as `layout`; returns the drawing's height.
pub fn draw(
    area: &Area,
    spec: &ChartSpec,
    numbers: &Numbers,
    layout: Layout,
) -> Result<i32, DrawingAreaErrorKind<std::io::Error>> {
    let c = Ctx {
        area,
        spec,
        numbers,
        m: Metrics::new(spec, layout),
    };
    if spec.data.is_empty() {
        let plot = draw::frame(area, spec, &c.m, &[], c.m.px(200.0))?;
        draw::centered_message(area, &plot, &c.m, &spec.words.no_data)?;
        return Ok(plot.height);
    }
    match &spec.data {
        ChartData::Series {
            lines,
            stacked,
            area: filled,
        } => series(&c, lines, *stacked, *filled),
        ChartData::Bars { bars, other } => bars_chart(&c, bars, other.as_ref()),
        ChartData::Pyramid { .. } => pyramid(&c, &spec.data),
        ChartData::Map { world, values } => super::map::draw_map(&c, world, values),
    }
}

/// How many labels `label` wide fit along `length` pixels with room between them.
fn labels_fitting(c: &Ctx, label: &str, length: i32) -> usize {
    let w = text_width(c.area, label, c.m.font(Role::Label)) + c.m.px(16.0);
    (length / w.max(1)).max(1) as usize
}

/// Horizontal grid lines with their labels at the left; returns the x where the plot starts.
fn y_axis(
    c: &Ctx,
    plot: &Plot,
    ticks: &[f64],
    y: &Scale,
) -> Result<i32, DrawingAreaErrorKind<std::io::Error>> {
    let (area, m) = (c.area, &c.m);
    let size = m.font(Role::Label);
    let labels: Vec<String> = ticks
        .iter()
        .map(|t| c.numbers.tick(*t, &c.spec.unit))
        .collect();
    let width = labels
        .iter()
        .map(|l| text_width(area, l, size))
        .max()
        .unwrap_or(0);
    let x0 = plot.left + width + m.px(8.0);
    let style = text_style(size, &MUTED, false, Pos::new(HPos::Right, VPos::Center));
    for (t, label) in ticks.iter().zip(&labels) {
        let py = y.at(*t);
        let line_style = if *t == 0.0 {
            INK.stroke_width(m.px(1.5) as u32)
        } else {
            GRID.stroke_width(1)
        };
        area.draw(&PathElement::new(
            vec![(x0, py), (plot.right, py)],
            line_style,
        ))?;
        text(area, label, (x0 - m.px(6.0), py), &style)?;
    }
    Ok(x0)
}

/// The legend of a series chart: one entry a line when there are several, and what
/// dashes and squares mean when they are drawn.
fn series_legend(spec: &ChartSpec, lines: &[&Line], filled: bool) -> Vec<(Swatch, String)> {
    let mut legend: Vec<(Swatch, String)> = Vec::new();
    if lines.len() > 1 {
        for (i, l) in lines.iter().enumerate() {
            let c = draw::palette(spec, i);
            let swatch = if filled {
                Swatch::Block(c)
            } else {
                Swatch::Line(c)
            };
            legend.push((swatch, l.label.clone()));
        }
    }
    let any = |f: fn(&super::Point) -> bool| lines.iter().any(|l| l.points.iter().any(f));
    if any(|p| p.estimated) {
        legend.push((Swatch::Dashed(MUTED), spec.words.estimate.clone()));
    }
    if any(|p| p.derived) && !lines.iter().all(|l| l.points.iter().all(|p| p.derived)) {
        legend.push((Swatch::Square(MUTED), spec.words.derived.clone()));
    }
    legend
}

/// Stacked areas add up, year by year, over the years every series has.
fn stacked_sums(years: &[i32], lines: &[&Line]) -> Vec<(i32, Vec<f64>)> {
    years
        .iter()
        .filter_map(|y| {
            let vals: Option<Vec<f64>> = lines
                .iter()
                .map(|l| {
                    l.points
                        .iter()
                        .find(|p| p.year == *y)
                        .map(|p| p.value.max(0.0))
                })
                .collect();
            vals.map(|v| {
                let mut acc = 0.0;
                let sums = v
                    .iter()
                    .map(|x| {
                        acc += x;
                        acc
                    })
                    .collect();
                (*y, sums)
            })
        })
        .collect()
}

/// The lowest and highest values drawn, with zero in view.
fn value_range(lines: &[&Line], stack: &[(i32, Vec<f64>)]) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for l in lines {
        for p in &l.points {
            lo = lo.min(p.value);
            hi = hi.max(p.value);
        }
        for (_, a, b) in &l.band {
            lo = lo.min(*a);
            hi = hi.max(*b);
        }
    }
    for (_, cum) in stack {
        hi = hi.max(cum.last().copied().unwrap_or(0.0));
    }
    // Amounts start at zero; signed series keep their zero line in view.
    (lo.min(0.0), hi.max(0.0))
}

fn series(
    c: &Ctx,
    lines: &[Line],
    stacked: bool,
    filled: bool,
) -> Result<i32, DrawingAreaErrorKind<std::io::Error>> {
    let (area, spec, m) = (c.area, c.spec, &c.m);
    let lines: Vec<&Line> = lines.iter().filter(|l| !l.points.is_empty()).collect();
    let legend = series_legend(spec, &lines, filled);
    let plot = draw::frame(area, spec, m, &legend, m.px(230.0))?;

    let mut years: Vec<i32> = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.year))
        .collect();
    years.sort_unstable();
    years.dedup();
    let (first, last) = (years[0], years[years.len() - 1]);
    let stack = if stacked {
        stacked_sums(&years, &lines)
    } else {
        Vec::new()
    };
    let (lo, hi) = value_range(&lines, &stack);
    let ticks = draw::nice_ticks(lo, hi, if m.narrow() { 4 } else { 5 });
    let y = Scale {
        d0: ticks[0],
        d1: ticks[ticks.len() - 1],
        p0: plot.bottom,
        p1: plot.top,
    };
    let x0 = y_axis(c, &plot, &ticks, &y)?;
    let inset = m.px(10.0);
    let (d0, d1) = if first == last {
        (first as f64 - 1.0, last as f64 + 1.0)
    } else {
        (first as f64, last as f64)
    };
    let x = Scale {
        d0,
        d1,
        p0: x0 + inset,
        p1: plot.right - inset,
    };
    year_axis(c, &plot, &x, &years)?;
    let series = Series {
        x: &x,
        y: &y,
        lines: &lines,
    };
    if stacked && !stack.is_empty() {
        stacked_areas(c, &series, &stack)?;
    } else {
        lines_and_points(c, &series, filled)?;
    }
    Ok(plot.height)
}

/// The years under the plot, as many as have room.
fn year_axis(c: &Ctx, plot: &Plot, x: &Scale, years: &[i32]) -> DrawResult {
    let (area, m) = (c.area, &c.m);
    let (first, last) = (years[0], years[years.len() - 1]);
    let tick_style = text_style(
        m.font(Role::Label),
        &MUTED,
        false,
        Pos::new(HPos::Center, VPos::Top),
    );
    let most = labels_fitting(c, "0000", x.p1 - x.p0 + m.px(30.0));
    for yr in draw::year_ticks(years, first, last, most) {
        let px = x.at(yr as f64);
        area.draw(&PathElement::new(
            vec![(px, plot.bottom), (px, plot.bottom + m.px(4.0))],
            MUTED.stroke_width(1),
        ))?;
        text(
            area,
            &yr.to_string(),
            (px, plot.bottom + m.px(7.0)),
            &tick_style,
        )?;
    }
    Ok(())
}

/// A series chart's plot and scales, once its axes are drawn.
struct Series<'s> {
    x: &'s Scale,
    y: &'s Scale,
    lines: &'s [&'s Line],
}

fn stacked_areas(c: &Ctx, s: &Series, stack: &[(i32, Vec<f64>)]) -> DrawResult {
    let (area, spec, m, x, y) = (c.area, c.spec, &c.m, s.x, s.y);
    if stack.len() == 1 {
        // One year in common: a stacked column, as an area needs two years to show.
        let (yr, cum) = &stack[0];
        let cx = x.at(*yr as f64);
        let half = m.px(24.0);
        for i in 0..s.lines.len() {
            let lo = if i == 0 { 0.0 } else { cum[i - 1] };
            area.draw(&Rectangle::new(
                [(cx - half, y.at(cum[i])), (cx + half, y.at(lo))],
                draw::palette(spec, i).mix(0.85).filled(),
            ))?;
        }
        return Ok(());
    }
    for i in (0..s.lines.len()).rev() {
        let c = draw::palette(spec, i);
        let mut poly: Vec<(i32, i32)> = stack
            .iter()
            .map(|(yr, cum)| (x.at(*yr as f64), y.at(cum[i])))
            .collect();
        let below = stack.iter().rev().map(|(yr, cum)| {
            (
                x.at(*yr as f64),
                y.at(if i == 0 { 0.0 } else { cum[i - 1] }),
            )
        });
        poly.extend(below);
        area.draw(&Polygon::new(poly, c.mix(0.85).filled()))?;
    }
    Ok(())
}

fn lines_and_points(c: &Ctx, s: &Series, filled: bool) -> DrawResult {
    let (area, spec, m, x, y) = (c.area, c.spec, &c.m, s.x, s.y);
    for (i, l) in s.lines.iter().enumerate() {
        let c = draw::palette(spec, i);
        if !l.band.is_empty() {
            let mut poly: Vec<(i32, i32)> = l
                .band
                .iter()
                .map(|(yr, a, _)| (x.at(*yr as f64), y.at(*a)))
                .collect();
            poly.extend(
                l.band
                    .iter()
                    .rev()
                    .map(|(yr, _, b)| (x.at(*yr as f64), y.at(*b))),
            );
            area.draw(&Polygon::new(poly, c.mix(0.2).filled()))?;
        }
        if filled {
            let mut poly: Vec<(i32, i32)> = l
                .points
                .iter()
                .map(|p| (x.at(p.year as f64), y.at(p.value)))
                .collect();
            poly.push((x.at(l.points[l.points.len() - 1].year as f64), y.at(0.0)));
            poly.push((x.at(l.points[0].year as f64), y.at(0.0)));
            area.draw(&Polygon::new(poly, c.mix(0.3).filled()))?;
        }
        let width = m.px(if i == 0 { 3.0 } else { 2.5 }) as u32;
        for pair in l.points.windows(2) {
            let seg = vec![
                (x.at(pair[0].year as f64), y.at(pair[0].value)),
                (x.at(pair[1].year as f64), y.at(pair[1].value)),
            ];
            // A segment that reaches an estimate is drawn dashed.
            if pair[0].estimated || pair[1].estimated {
                area.draw(&DashedPathElement::new(
                    seg,
                    m.px(6.0),
                    m.px(4.0),
                    c.stroke_width(width),
                ))?;
            } else {
                area.draw(&PathElement::new(seg, c.stroke_width(width)))?;
            }
        }
        let r = m.px(3.5);
        let few = l.points.len() <= 12;
        for p in &l.points {
            let at = (x.at(p.year as f64), y.at(p.value));
            if p.estimated {
                area.draw(&Circle::new(at, r + 1, WHITE.filled()))?;
                area.draw(&Circle::new(at, r + 1, c.stroke_width(m.px(2.0) as u32)))?;
            } else if p.derived && s.lines.iter().any(|l| l.points.iter().any(|p| !p.derived)) {
                area.draw(&Rectangle::new(
                    [(at.0 - r, at.1 - r), (at.0 + r, at.1 + r)],
                    c.stroke_width(m.px(2.0) as u32),
                ))?;
            } else if few || l.points.len() == 1 {
                area.draw(&Circle::new(at, r, c.filled()))?;
            }
        }
    }
    Ok(())
}

/// Vertical grid lines with their labels under the plot, for each tick on each scale.
fn x_ticks(c: &Ctx, plot: &Plot, ticks: &[f64], scales: &[&Scale]) -> DrawResult {
    let (area, m) = (c.area, &c.m);
    let style = text_style(
        m.font(Role::Label),
        &MUTED,
        false,
        Pos::new(HPos::Center, VPos::Top),
    );
    for t in ticks {
        for s in scales {
            let px = s.at(*t);
            area.draw(&PathElement::new(
                vec![(px, plot.top), (px, plot.bottom)],
                GRID.stroke_width(1),
            ))?;
            text(
                area,
                &c.numbers.tick(*t, &c.spec.unit),
                (px, plot.bottom + m.px(7.0)),
                &style,
            )?;
        }
    }
    Ok(())
}

/// Round ticks from zero to `hi` whose labels have room along `length` pixels.
fn ticks_fitting(c: &Ctx, hi: f64, length: i32) -> Vec<f64> {
    let mut target = 5;
    loop {
        let ticks = draw::nice_ticks(0.0, hi, target);
        let widest = ticks
            .iter()
            .map(|t| c.numbers.tick(*t, &c.spec.unit))
            .max_by_key(|l| l.chars().count())
            .unwrap_or_default();
        if target == 1 || ticks.len() <= labels_fitting(c, &widest, length + c.m.px(30.0)) {
            return ticks;
        }
        target -= 1;
    }
}

fn bars_chart(
    c: &Ctx,
    bars: &[(String, f64)],
    other: Option<&(String, f64)>,
) -> Result<i32, DrawingAreaErrorKind<std::io::Error>> {
    let (area, spec, m) = (c.area, c.spec, &c.m);
    let rows: Vec<(&str, f64, bool)> = bars
        .iter()
        .map(|(l, v)| (l.as_str(), *v, false))
        .chain(other.map(|(l, v)| (l.as_str(), *v, true)))
        .collect();
    let plot = draw::frame(area, spec, m, &[], m.px(28.0) * rows.len().max(3) as i32)?;
    let size = m.font(Role::Label);
    let max_label = m.width / if m.narrow() { 3 } else { 4 };
    let labels: Vec<String> = rows
        .iter()
        .map(|(l, _, _)| draw::ellipsize(area, l, size, max_label))
        .collect();
    let label_w = labels
        .iter()
        .map(|l| text_width(area, l, size))
        .max()
        .unwrap_or(0);
    let x0 = plot.left + label_w + m.px(10.0);
    let hi = rows.iter().map(|r| r.1).fold(0.0, f64::max);
    let values: Vec<String> = rows
        .iter()
        .map(|(_, v, _)| c.numbers.compact(*v, &spec.unit))
        .collect();
    let value_room = values
        .iter()
        .map(|v| text_width(area, v, size))
        .max()
        .unwrap_or(0)
        + m.px(10.0);
    let ticks = ticks_fitting(c, hi, plot.right - value_room - x0);
    let x = Scale {
        d0: 0.0,
        d1: ticks[ticks.len() - 1],
        p0: x0,
        p1: plot.right - value_room,
    };
    x_ticks(c, &plot, &ticks, &[&x])?;
    let band = (plot.bottom - plot.top) as f64 / rows.len() as f64;
    let bar_h = (band * 0.7).max(2.0);
    let label_style = text_style(size, &INK, false, Pos::new(HPos::Right, VPos::Center));
    let value_style = text_style(size, &INK, false, Pos::new(HPos::Left, VPos::Center));
    for (i, (((_, v, is_other), label), value)) in rows.iter().zip(&labels).zip(&values).enumerate()
    {
        let cy = plot.top as f64 + band * (i as f64 + 0.5);
        let (t, b) = (
            (cy - bar_h / 2.0).round() as i32,
            (cy + bar_h / 2.0).round() as i32,
        );
        let c = if *is_other {
            OTHER
        } else {
            draw::palette(spec, 0)
        };
        area.draw(&Rectangle::new(
            [(x0, t), (x.at(v.max(0.0)).max(x0 + 1), b)],
            c.filled(),
        ))?;
        text(
            area,
            label,
            (x0 - m.px(6.0), cy.round() as i32),
            &label_style,
        )?;
        text(
            area,
            value,
            (x.at(v.max(0.0)) + m.px(5.0), cy.round() as i32),
            &value_style,
        )?;
    }
    area.draw(&PathElement::new(
        vec![(x0, plot.top), (x0, plot.bottom)],
        INK.stroke_width(1),
    ))?;
    Ok(plot.height)
}

fn pyramid(c: &Ctx, data: &ChartData) -> Result<i32, DrawingAreaErrorKind<std::io::Error>> {
    let ChartData::Pyramid {
        groups,
        male,
        female,
        male_label,
        female_label,
    } = data
    else {
        return Ok(c.m.height);
    };
    let (area, spec, m) = (c.area, c.spec, &c.m);
    let c_male = draw::palette(spec, 0);
    let c_female = draw::palette(spec, 1);
    let legend = [
        (Swatch::Block(c_male), male_label.to_string()),
        (Swatch::Block(c_female), female_label.to_string()),
    ];
    let plot_h = (m.px(14.0) * groups.len() as i32).max(m.px(180.0));
    let plot = draw::frame(area, spec, m, &legend, plot_h)?;
    let size = m.font(Role::Label);
    let label_w = groups
        .iter()
        .map(|g| text_width(area, g, size))
        .max()
        .unwrap_or(0);
    let left = plot.left + label_w + m.px(10.0);
    let mid = (left + plot.right) / 2;
    let hi = male.iter().chain(female).copied().fold(0.0, f64::max);
    let half = (plot.right - left) / 2 - m.px(4.0);
    let mut ticks = ticks_fitting(c, hi, half);
    let top = ticks[ticks.len() - 1];
    let right_scale = Scale {
        d0: 0.0,
        d1: top,
        p0: mid,
        p1: mid + half,
    };
    let left_scale = Scale {
        d0: 0.0,
        d1: top,
        p0: mid,
        p1: mid - half,
    };
    // Zero is labelled once, at the middle.
    let zero = ticks.remove(0);
    x_ticks(c, &plot, &[zero], &[&right_scale])?;
    x_ticks(c, &plot, &ticks, &[&right_scale, &left_scale])?;
    let n = groups.len();
    let band = (plot.bottom - plot.top) as f64 / n as f64;
    let bar_h = (band * 0.8).max(2.0);
    let label_style = text_style(size, &INK, false, Pos::new(HPos::Right, VPos::Center));
    for (i, g) in groups.iter().enumerate() {
        // The youngest group at the bottom.
        let cy = plot.bottom as f64 - band * (i as f64 + 0.5);
        let (t, b) = (
            (cy - bar_h / 2.0).round() as i32,
            (cy + bar_h / 2.0).round() as i32,
        );
        let mv = male.get(i).copied().unwrap_or(0.0).max(0.0);
        let fv = female.get(i).copied().unwrap_or(0.0).max(0.0);
        area.draw(&Rectangle::new(
            [(left_scale.at(mv), t), (mid, b)],
            c_male.filled(),
        ))?;
        area.draw(&Rectangle::new(
            [(mid, t), (right_scale.at(fv), b)],
            c_female.filled(),
        ))?;
        text(
            area,
            g,
            (plot.left + label_w, cy.round() as i32),
            &label_style,
        )?;
    }
    area.draw(&PathElement::new(
        vec![(mid, plot.top), (mid, plot.bottom)],
        INK.stroke_width(1),
    ))?;
    Ok(plot.height)
}
