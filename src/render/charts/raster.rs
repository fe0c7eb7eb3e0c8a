//! PNG and PDF from a chart's SVG. resvg draws the SVG anti-aliased with the same
//! embedded font plotters laid it out with (no system fonts are loaded), so a PNG shows
//! exactly what the SVG does; svg2pdf keeps text as text for print.

use rustc_hash::FxHashMap;
use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

use crate::error::{Error, Result};

/// Parsing options with only DejaVu Sans, answering to `sans-serif`.
fn options() -> &'static usvg::Options<'static> {
    static OPTIONS: OnceLock<usvg::Options<'static>> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(dejavu::sans::regular().to_vec());
        db.load_font_data(dejavu::sans::bold().to_vec());
        db.set_sans_serif_family("DejaVu Sans");
        usvg::Options {
            font_family: "DejaVu Sans".into(),
            fontdb: Arc::new(db),
            ..usvg::Options::default()
        }
    })
}

fn tree(svg: &str) -> Result<usvg::Tree> {
    usvg::Tree::from_str(svg, options())
        .map_err(|e| Error::Output(format!("a chart's SVG could not be read: {e}")))
}

/// The chart as a PNG at `scale` times its size.
/// The most pixels any PNG mpgen draws may have (256 MB of pixels): the picture is
/// allocated whole, so a size from input is bounded before anything is allocated.
pub const MAX_PNG_PIXELS: f64 = 64e6;

pub fn png(svg: &str, scale: f32) -> Result<Vec<u8>> {
    let tree = tree(svg)?;
    let size = tree.size();
    let (w, h) = (size.width() * scale, size.height() * scale);
    let pixels = f64::from(w) * f64::from(h);
    if pixels.is_nan() || pixels > MAX_PNG_PIXELS {
        return Err(Error::Output(format!(
            "a {w:.0}×{h:.0} PNG is more than {:.0} million pixels; draw it smaller or as SVG or PDF",
            MAX_PNG_PIXELS / 1e6
        )));
    }
    let width = w.round().max(1.0) as u32;
    let height = h.round().max(1.0) as u32;
    let mut pixmap = tiny_skia::Pixmap::new(width, height)
        .ok_or_else(|| Error::Output(format!("a {width}×{height} chart is too large")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    encode(&pixmap)
}

/// An indexed PNG: a chart is a few flat colours and their anti-aliased edges, so 256
/// colours hold it with no difference a reader sees, at a sixth of the bytes of RGB
/// (the default site with every format fits a static host's 1 GB). Best compression
/// would save a tenth more at ten times the time.
fn encode(pixmap: &tiny_skia::Pixmap) -> Result<Vec<u8>> {
    // The background is opaque white: no pixel has any transparency to keep.
    let rgb: Vec<[u8; 3]> = pixmap
        .data()
        .chunks_exact(4)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    let (palette, indices) = indexed(&rgb);
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
        encoder.set_color(png::ColorType::Indexed);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_palette(palette.concat());
        encoder.set_compression(png::Compression::Default);
        encoder.set_filter(png::FilterType::NoFilter);
        let mut writer = encoder
            .write_header()
            .map_err(|e| Error::Output(format!("PNG: {e}")))?;
        writer
            .write_image_data(&indices)
            .map_err(|e| Error::Output(format!("PNG: {e}")))?;
    }
    Ok(out)
}

/// The 256 most frequent colours (ties by value, so the same pixels give the same
/// palette) and each pixel's index: a colour beyond them takes the nearest.
fn indexed(pixels: &[[u8; 3]]) -> (Vec<[u8; 3]>, Vec<u8>) {
    // Rows of a chart are mostly runs of one colour: each run is counted and looked up
    // once.
    let runs = pixels.chunk_by(|a, b| a == b);
    let mut counts: FxHashMap<[u8; 3], usize> = FxHashMap::default();
    for run in runs.clone() {
        *counts.entry(run[0]).or_default() += run.len();
    }
    let mut by_count: Vec<([u8; 3], usize)> = counts.into_iter().collect();
    by_count.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let palette: Vec<[u8; 3]> = by_count.iter().take(256).map(|(c, _)| *c).collect();
    let mut index: FxHashMap<[u8; 3], u8> = palette
        .iter()
        .enumerate()
        .map(|(i, c)| (*c, i as u8))
        .collect();
    let nearest = |c: &[u8; 3]| {
        let d = |p: &[u8; 3]| -> u32 {
            (0..3)
                .map(|k| (i32::from(p[k]) - i32::from(c[k])).pow(2) as u32)
                .sum()
        };
        (0..palette.len())
            .min_by_key(|i| d(&palette[*i]))
            .unwrap_or(0) as u8
    };
    let mut indices = Vec::with_capacity(pixels.len());
    for run in runs {
        let i = *index.entry(run[0]).or_insert_with(|| nearest(&run[0]));
        indices.resize(indices.len() + run.len(), i);
    }
    (palette, indices)
}

/// The chart as a one-page PDF, text kept as text.
pub fn pdf(svg: &str) -> Result<Vec<u8>> {
    let tree = tree(svg)?;
    svg2pdf::to_pdf(
        &tree,
        svg2pdf::ConversionOptions::default(),
        svg2pdf::PageOptions::default(),
    )
    .map_err(|e| Error::Output(format!("PDF: {e}")))
}

#[cfg(test)]
mod tests {
    use super::indexed;

    #[test]
    fn a_few_colours_are_kept_exactly_and_the_rest_take_the_nearest() {
        let white = [255, 255, 255];
        let blue = [0, 114, 178];
        let mut pixels = vec![white; 1000];
        pixels.extend(vec![blue; 10]);
        let (palette, indices) = indexed(&pixels);
        assert_eq!(palette, vec![white, blue]);
        assert_eq!(indices[0], 0);
        assert_eq!(indices[1005], 1);

        // 300 greys, each less common than the one before: the 44 least
        // common become the nearest kept grey.
        let greys: Vec<[u8; 3]> = (0..300u32)
            .flat_map(|i| {
                let g = (i * 255 / 299) as u8;
                std::iter::repeat_n([g, g, g], 600 - i as usize)
            })
            .collect();
        let (palette, indices) = indexed(&greys);
        assert_eq!(palette.len(), 256);
        for (p, i) in greys.iter().zip(&indices) {
            let kept = palette[*i as usize];
            assert!(
                (i32::from(kept[0]) - i32::from(p[0])).abs() <= 1,
                "{p:?} → {kept:?}"
            );
        }
        // The same pixels, the same palette.
        assert_eq!(indexed(&greys), (palette, indices));
    }
}
