//! The world map: TopoJSON outlines (Natural Earth, shipped in the theme) decoded and
//! projected with Equal Earth, an equal-area projection, so a choropleth does not
//! exaggerate the high latitudes.

use std::collections::BTreeMap;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Deserialize;

use super::draw::{self, GRID, INK, Role, text, text_style};
use super::kinds::Ctx;

/// One country or area: its ISO alpha-3 code (when it has one) and its rings, projected
/// (Equal Earth units, y up).
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub iso3: Option<String>,
    pub rings: Vec<Vec<(f64, f64)>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct World {
    pub shapes: Vec<Shape>,
    /// The hash of the TopoJSON it was decoded from: which outlines these are.
    pub source: blake3::Hash,
}

#[derive(Deserialize)]
struct Topology {
    arcs: Vec<Vec<[f64; 2]>>,
    transform: Transform,
    objects: BTreeMap<String, Collection>,
}

#[derive(Deserialize)]
struct Transform {
    scale: [f64; 2],
    translate: [f64; 2],
}

#[derive(Deserialize)]
struct Collection {
    geometries: Vec<Geometry>,
}

#[derive(Deserialize)]
struct Geometry {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    arcs: serde_json::Value,
    id: Option<String>,
    #[serde(default)]
    properties: BTreeMap<String, serde_json::Value>,
}

/// Equal Earth (Šavrič, Patterson and Jenny, 2018): longitude and latitude in degrees
/// to projected x, y.
pub fn equal_earth(lon: f64, lat: f64) -> (f64, f64) {
    const A1: f64 = 1.340264;
    const A2: f64 = -0.081106;
    const A3: f64 = 0.000893;
    const A4: f64 = 0.003796;
    let m = 3f64.sqrt() / 2.0;
    let (lam, phi) = (lon.to_radians(), lat.to_radians());
    let theta = (m * phi.sin()).asin();
    let t2 = theta * theta;
    let t6 = t2 * t2 * t2;
    let x = 2.0 * 3f64.sqrt() * lam * theta.cos()
        / (3.0 * (9.0 * A4 * t6 * t2 + 7.0 * A3 * t6 + 3.0 * A2 * t2 + A1));
    let y = theta * (A4 * t6 * t2 + A3 * t6 + A2 * t2 + A1);
    (x, y)
}

/// Decodes the `countries` object of a TopoJSON file: arcs are delta-encoded and
/// quantised; a negative arc index means the arc reversed (`!i`).
pub fn decode(bytes: &[u8]) -> Result<World, String> {
    let topo: Topology =
        serde_json::from_slice(bytes).map_err(|e| format!("the map is not TopoJSON: {e}"))?;
    let [sx, sy] = topo.transform.scale;
    let [tx, ty] = topo.transform.translate;
    let arcs: Vec<Vec<(f64, f64)>> = topo
        .arcs
        .iter()
        .map(|arc| {
            let (mut x, mut y) = (0.0, 0.0);
            arc.iter()
                .map(|[dx, dy]| {
                    x += dx;
                    y += dy;
                    equal_earth(x * sx + tx, y * sy + ty)
                })
                .collect()
        })
        .collect();
    let ring = |indices: &serde_json::Value| -> Vec<(f64, f64)> {
        let mut out: Vec<(f64, f64)> = Vec::new();
        for i in indices
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_i64())
        {
            let (arc, reversed) = if i < 0 {
                ((!i) as usize, true)
            } else {
                (i as usize, false)
            };
            let Some(points) = arcs.get(arc) else {
                continue;
            };
            let mut pts: Vec<(f64, f64)> = points.clone();
            if reversed {
                pts.reverse();
            }
            // Consecutive arcs share their end point.
            let skip = usize::from(!out.is_empty());
            out.extend(pts.into_iter().skip(skip));
        }
        out
    };
    let countries = topo
        .objects
        .get("countries")
        .ok_or("the map has no `countries` object")?;
    let mut shapes = Vec::new();
    for g in &countries.geometries {
        let polygons: Vec<&serde_json::Value> = match g.kind.as_str() {
            "Polygon" => vec![&g.arcs],
            "MultiPolygon" => g
                .arcs
                .as_array()
                .map(|a| a.iter().collect())
                .unwrap_or_default(),
            _ => continue,
        };
        let rings: Vec<Vec<(f64, f64)>> = polygons
            .iter()
            .flat_map(|p| p.as_array().into_iter().flatten().map(&ring))
            .filter(|r| r.len() >= 3)
            .collect();
        let name = g
            .properties
            .get("name")
            .and_then(|n| n.as_str())
            .unwrap_or("");
        let iso3 = match &g.id {
            // Antarctica takes a fifth of the picture and has no migration profile.
            Some(id) if id == "010" => continue,
            Some(id) => id
                .parse::<u16>()
                .ok()
                .and_then(rust_iso3166::from_numeric)
                .map(|c| c.alpha3.to_string()),
            None if name == "Kosovo" => Some("XKX".to_string()),
            None => None,
        };
        shapes.push(Shape { iso3, rings });
    }
    Ok(World {
        shapes,
        source: blake3::hash(bytes),
    })
}

/// Class breaks by quantiles: up to `n` classes, each holding about as many countries.
pub fn class_breaks(values: &[f64], n: usize) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v.dedup();
    if v.len() <= n {
        return v.iter().skip(1).copied().collect();
    }
    (1..n).map(|i| v[i * v.len() / n]).collect()
}

/// The class of a value: the number of breaks at or below it.
fn class_of(value: f64, breaks: &[f64]) -> usize {
    breaks.iter().filter(|b| value >= **b).count()
}

/// The bounds of the projected outlines: `(x0, x1, y0, y1)`.
fn bounds(world: &World) -> (f64, f64, f64, f64) {
    let (mut x0, mut x1, mut y0, mut y1) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for s in &world.shapes {
        for r in &s.rings {
            for (x, y) in r {
                x0 = x0.min(*x);
                x1 = x1.max(*x);
                y0 = y0.min(*y);
                y1 = y1.max(*y);
            }
        }
    }
    (x0, x1, y0, y1)
}

/// The legend's entries: a shade a class with its range, then "No data".
fn legend_entries(
    c: &Ctx,
    vals: &[f64],
    breaks: &[f64],
    shade: &dyn Fn(usize) -> RGBColor,
) -> Vec<(RGBColor, String)> {
    let unit = &c.spec.unit;
    let mut entries: Vec<(RGBColor, String)> = Vec::new();
    if !vals.is_empty() {
        let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut bounds = vec![lo];
        bounds.extend(breaks.iter().copied());
        bounds.push(hi);
        for (k, pair) in bounds.windows(2).enumerate() {
            let label = format!(
                "{}–{}",
                c.numbers.tick(pair[0], unit),
                c.numbers.tick(pair[1], unit)
            );
            entries.push((shade(k), label));
        }
    }
    entries.push((NO_DATA, c.spec.words.no_data.clone()));
    entries
}

const NO_DATA: RGBColor = RGBColor(0xe3, 0xe6, 0xea);

/// Where each legend entry goes, wrapped to `width`: `(x, row)` from the left.
fn legend_places(c: &Ctx, entries: &[(RGBColor, String)], width: i32) -> Vec<(i32, i32)> {
    let m = &c.m;
    let size = m.font(Role::Label);
    let (mut x, mut row) = (0, 0);
    entries
        .iter()
        .map(|(_, label)| {
            let w = m.px(20.0) + draw::text_width(c.area, label, size);
            if x > 0 && x + w > width {
                x = 0;
                row += 1;
            }
            let at = (x, row);
            x += w + m.px(14.0);
            at
        })
        .collect()
}

pub fn draw_map(
    c: &Ctx,
    world: &World,
    values: &BTreeMap<String, f64>,
) -> Result<i32, DrawingAreaErrorKind<std::io::Error>> {
    let (area, spec, m) = (c.area, c.spec, &c.m);
    let vals: Vec<f64> = values.values().copied().collect();
    let breaks = class_breaks(&vals, 5);
    let base = draw::palette(spec, 0);
    let classes = breaks.len() + 1;
    let shade = |k: usize| {
        // From a light tint of the main colour to the colour itself.
        let t = 0.25 + 0.75 * (k as f64 + 1.0) / classes as f64;
        let mix = |a: u8| (255.0 - (255.0 - a as f64) * t).round() as u8;
        RGBColor(mix(base.0), mix(base.1), mix(base.2))
    };
    let entries = legend_entries(c, &vals, &breaks, &shade);
    let pad = m.px(16.0);
    let places = legend_places(c, &entries, m.width - 2 * pad);
    let row_h = m.line(Role::Label) + m.px(4.0);
    let legend_h = row_h * (places.last().map_or(0, |p| p.1) + 1);
    let (x0, x1, y0, y1) = bounds(world);
    let map_h = (f64::from(m.width - 2 * pad) * (y1 - y0) / (x1 - x0)).round() as i32;
    let plot = draw::frame(area, spec, m, &[], map_h + legend_h - m.px(20.0))?;
    let (left, top, right, bottom) = (
        plot.left,
        plot.top,
        plot.right,
        plot.bottom + m.px(20.0) - legend_h,
    );
    let k = ((right - left) as f64 / (x1 - x0)).min((bottom - top) as f64 / (y1 - y0));
    let ox = left as f64 + ((right - left) as f64 - k * (x1 - x0)) / 2.0;
    let oy = top as f64 + ((bottom - top) as f64 - k * (y1 - y0)) / 2.0;
    let px = |(x, y): (f64, f64)| {
        (
            (ox + (x - x0) * k).round() as i32,
            (oy + (y1 - y) * k).round() as i32,
        )
    };
    let mut borders: Vec<Vec<(i32, i32)>> = Vec::new();
    for s in &world.shapes {
        let fill = match s.iso3.as_ref().and_then(|c| values.get(c)) {
            Some(v) => shade(class_of(*v, &breaks)),
            None => NO_DATA,
        };
        for r in &s.rings {
            let mut pts: Vec<(i32, i32)> = Vec::with_capacity(r.len());
            for p in r {
                let q = px(*p);
                // At this size most points fall within a pixel of the last one kept.
                if pts
                    .last()
                    .is_none_or(|l: &(i32, i32)| (l.0 - q.0).abs() > 1 || (l.1 - q.1).abs() > 1)
                {
                    pts.push(q);
                }
            }
            if pts.len() >= 3 {
                area.draw(&Polygon::new(pts.clone(), fill.filled()))?;
                pts.push(pts[0]);
                borders.push(pts);
            }
        }
    }
    // Borders last, all in one path: every border shows over both its countries.
    for b in borders {
        area.draw(&PathElement::new(b, WHITE.stroke_width(1)))?;
    }
    let size = m.font(Role::Label);
    let style = text_style(size, &INK, false, Pos::new(HPos::Left, VPos::Center));
    for ((shade, label), (x, row)) in entries.iter().zip(places) {
        let (x, y) = (plot.left + x, bottom + m.px(12.0) + row * row_h);
        let swatch = [(x, y - m.px(6.0)), (x + m.px(16.0), y + m.px(6.0))];
        area.draw(&Rectangle::new(swatch, shade.filled()))?;
        area.draw(&Rectangle::new(swatch, GRID.stroke_width(1)))?;
        text(area, label, (x + m.px(20.0), y), &style)?;
    }
    Ok(plot.height)
}

/// What a chart across profiles (a map, a ranking) shows, as a hash: its words, style,
/// values and, for a map, outlines. Two specs with the same key draw the same SVG.
pub fn spec_key(spec: &super::ChartSpec) -> blake3::Hash {
    // Every field, named: a new field of the spec does not compile until it is hashed.
    let super::ChartSpec {
        id,
        width,
        height,
        palette,
        title,
        subtitle,
        source,
        desc,
        unit,
        lang,
        words:
            super::ChartWords {
                no_data,
                estimate,
                derived,
            },
        data,
    } = spec;
    let mut h = blake3::Hasher::new();
    let texts = [
        id, title, subtitle, source, desc, unit, lang, no_data, estimate, derived,
    ];
    for text in texts.into_iter().chain(palette) {
        h.update(text.as_bytes());
        h.update(b"\0");
    }
    h.update(&width.to_le_bytes());
    h.update(&height.to_le_bytes());
    match data {
        super::ChartData::Map { world, values } => {
            h.update(world.source.as_bytes());
            for (code, v) in values {
                h.update(code.as_bytes());
                h.update(&v.to_bits().to_le_bytes());
            }
        }
        // Other charts (rankings) by their data's debug form, which writes every
        // number exactly.
        other => {
            h.update(format!("{other:?}").as_bytes());
        }
    }
    h.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_key_moves_with_what_the_map_shows_only() {
        let world = std::sync::Arc::new(World {
            shapes: Vec::new(),
            source: blake3::hash(b"outlines"),
        });
        let spec = |mex: f64, title: &str| super::super::ChartSpec {
            id: "map-migrant_share".into(),
            width: 800,
            height: 450,
            palette: vec!["#0072B2".into()],
            title: title.into(),
            subtitle: String::new(),
            source: String::new(),
            desc: String::new(),
            unit: "percent".into(),
            lang: "en".into(),
            words: super::super::ChartWords {
                no_data: "No data".into(),
                estimate: "e".into(),
                derived: "d".into(),
            },
            data: super::super::ChartData::Map {
                world: world.clone(),
                values: [("MEX".to_string(), mex)].into_iter().collect(),
            },
        };
        let key = spec_key(&spec(1.0, "Share"));
        assert_eq!(key, spec_key(&spec(1.0, "Share")));
        assert_ne!(key, spec_key(&spec(1.5, "Share")));
        assert_ne!(key, spec_key(&spec(1.0, "Part")));
    }

    #[test]
    fn equal_earth_known_points() {
        assert_eq!(equal_earth(0.0, 0.0), (0.0, 0.0));
        let (x, y) = equal_earth(180.0, 0.0);
        assert!((x - 2.7059).abs() < 1e-3, "{x}");
        assert_eq!(y, 0.0);
        let (_, y) = equal_earth(0.0, 90.0);
        assert!((y - 1.3173).abs() < 1e-3, "{y}");
    }

    #[test]
    fn decodes_arcs_with_reversal_and_shared_points() {
        let topo = br#"{"type":"Topology","transform":{"scale":[1,1],"translate":[0,0]},
            "arcs":[[[0,0],[10,0],[0,10]],[[10,10],[-10,0],[0,-10]]],
            "objects":{"countries":{"type":"GeometryCollection","geometries":[
              {"type":"Polygon","id":"484","arcs":[[0,1]],"properties":{"name":"Mexico"}},
              {"type":"Polygon","arcs":[[~0]],"properties":{"name":"Kosovo"}}]}}}"#;
        let text = String::from_utf8_lossy(topo).replace("~0", "-1");
        let world = decode(text.as_bytes()).unwrap();
        assert_eq!(world.shapes[0].iso3.as_deref(), Some("MEX"));
        assert_eq!(
            world.shapes[0].rings[0].len(),
            5,
            "the shared point is kept once"
        );
        assert_eq!(world.shapes[1].iso3.as_deref(), Some("XKX"));
        assert_eq!(
            world.shapes[1].rings[0][0],
            equal_earth(10.0, 10.0),
            "arc -1 is arc 0 reversed"
        );
    }

    #[test]
    fn quantile_breaks() {
        assert_eq!(
            class_breaks(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 5),
            vec![3.0, 5.0, 7.0, 9.0]
        );
        assert_eq!(class_breaks(&[1.0, 1.0, 2.0], 5), vec![2.0]);
    }

    #[test]
    fn the_shipped_map_has_small_states() {
        let theme = crate::load::theme::ThemeFiles::embedded();
        let world = decode(&theme.files["map/countries-50m.json"].bytes).unwrap();
        for code in ["SGP", "MLT", "MEX", "PHL"] {
            assert!(
                world.shapes.iter().any(|s| s.iso3.as_deref() == Some(code)),
                "{code}"
            );
        }
        assert!(
            !world
                .shapes
                .iter()
                .any(|s| s.iso3.as_deref() == Some("ATA"))
        );
    }
}
