//! PNG and PDF from a chart's SVG. resvg draws the SVG anti-aliased with the same
//! embedded font plotters laid it out with (no system fonts are loaded), so a PNG shows
//! exactly what the SVG does; svg2pdf keeps text as text for print.

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

/// RGB (the background is opaque white, so no alpha channel is needed), with a fast
/// compression level: charts are flat colours, which compress well at any level.
fn encode(pixmap: &tiny_skia::Pixmap) -> Result<Vec<u8>> {
    let data = pixmap.data();
    let mut rgb = Vec::with_capacity(data.len() / 4 * 3);
    for p in data.chunks_exact(4) {
        rgb.extend_from_slice(&p[..3]);
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Fast);
        encoder.set_filter(png::FilterType::Sub);
        let mut writer = encoder
            .write_header()
            .map_err(|e| Error::Output(format!("PNG: {e}")))?;
        writer
            .write_image_data(&rgb)
            .map_err(|e| Error::Output(format!("PNG: {e}")))?;
    }
    Ok(out)
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
