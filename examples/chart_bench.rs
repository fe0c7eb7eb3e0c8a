//! Times chart drawing on a site: `cargo run --release --example chart_bench -- DIR [N]`.
//! Draws the default charts of the first N profiles (default 25) as SVG, then as PNG at
//! the site's `png_scale`, and prints the median milliseconds per chart of each.

use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let root = std::path::PathBuf::from(args.next().unwrap_or_else(|| ".".into()));
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(25);
    let checked = mpgen::pipeline::check(&root);
    let Some((site, theme)) = checked.site else {
        eprintln!("the site has errors; run mpgen check");
        std::process::exit(1);
    };
    let lang = site.config.default_language.clone();
    let scale = site.config.charts.png_scale as f32;
    let (mut svg_ms, mut png_ms) = (Vec::new(), Vec::new());
    let mut svg_bytes = 0usize;
    let mut png_bytes = 0usize;
    for p in site.profiles.values().take(n) {
        for chart in mpgen::render::charts::spec::profile_charts(&site, p) {
            // A fresh renderer each time, so nothing is cached between measurements.
            let renderer = mpgen::render::Renderer::new(&site, &theme);
            let t = Instant::now();
            let drawn = renderer
                .chart_drawn(&lang, &p.iso3, &chart.id)
                .expect("a chart");
            let svg = drawn.svg("../../");
            svg_ms.push(t.elapsed().as_secs_f64() * 1e3);
            svg_bytes += svg.len();
            let t = Instant::now();
            let png = mpgen::render::charts::raster::png(&drawn.print_svg(), scale).expect("a PNG");
            png_ms.push(t.elapsed().as_secs_f64() * 1e3);
            png_bytes += png.len();
        }
    }
    let count = svg_ms.len();
    println!(
        "{count} charts: SVG median {:.3} ms/chart ({} bytes avg); PNG at {scale}x median {:.1} ms/chart ({} bytes avg)",
        median(svg_ms),
        svg_bytes / count.max(1),
        median(png_ms),
        png_bytes / count.max(1)
    );
}
