//! Writes a synthetic site for benchmarks: `cargo run --release --example synth_site -- DIR N [LANGS]`.
//!
//! N profiles (ISO codes first, then user-assigned `X..` codes declared in site.toml),
//! each with 12 series of 35 yearly values (1990 to 2024, female and male for the migrant
//! stock) and two partner tables of 15 countries, a narrative per section, over the
//! default site's catalogue. Values come from a fixed pseudo-random sequence, so every
//! run writes the same bytes.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

const SERIES: &[&str] = &[
    "migrant_stock",
    "population",
    "emigrant_stock",
    "net_migration",
    "refugees_hosted",
    "refugees_abroad",
    "asylum_seekers_hosted",
    "remittances_in_usd",
    "remittances_out_usd",
    "gdp_usd",
    "disaster_displacements",
    "conflict_displacements",
];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: small, fixed, good enough for test data.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = Path::new(args.get(1).map(String::as_str).unwrap_or("bench-site"));
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(250);
    let langs = args.get(3).cloned().unwrap_or_else(|| "en".into());
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));

    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir.join("profiles")).expect("create the site folder");
    fs::create_dir_all(dir.join("content")).expect("create content/");
    for f in ["sources.toml", "rcps.toml"] {
        fs::copy(repo.join(f), dir.join(f)).expect("copy the catalogue");
    }
    // The catalogue, with its texts in languages the synthetic site does not have removed.
    let keep: Vec<&str> = langs.split(',').collect();
    let mut catalogue: toml::Table = toml::from_str(
        &fs::read_to_string(repo.join("indicators.toml")).expect("read indicators.toml"),
    )
    .expect("parse indicators.toml");
    for (_, ind) in catalogue.iter_mut() {
        let Some(ind) = ind.as_table_mut() else {
            continue;
        };
        for key in ["label", "definition"] {
            if let Some(texts) = ind.get_mut(key).and_then(toml::Value::as_table_mut) {
                texts.retain(|lang, _| keep.contains(&lang));
            }
        }
    }
    fs::write(
        dir.join("indicators.toml"),
        toml::to_string(&catalogue).expect("write TOML"),
    )
    .expect("write indicators.toml");
    fs::copy(repo.join("content/about.md"), dir.join("content/about.md")).expect("copy a page");

    let mut codes: Vec<String> = rust_iso3166::ALL_ALPHA3
        .iter()
        .map(|c| c.to_string())
        .collect();
    codes.sort();
    let mut extra = Vec::new();
    // Codes the default site declares already (XKX, XCX) are not declared twice.
    let base_site = fs::read_to_string(repo.join("site.toml")).expect("read site.toml");
    let mut i = 0;
    while codes.len() < n {
        // User-assigned ranges of ISO 3166: X.. then Q.. (ISO codes are skipped).
        let code = format!(
            "{}{}{}",
            ['X', 'Q'][(i / 676) % 2],
            (b'A' + (i / 26 % 26) as u8) as char,
            (b'A' + (i % 26) as u8) as char
        );
        if rust_iso3166::from_alpha3(&code).is_none()
            && !base_site.contains(&format!("\n{code} = "))
        {
            codes.push(code.clone());
            extra.push(code);
        }
        i += 1;
    }
    codes.truncate(n);
    if !codes.iter().any(|c| c == "MEX") {
        codes[0] = "MEX".into();
    }

    let site = fs::read_to_string(repo.join("site.toml")).expect("read site.toml");
    let lang_list: Vec<String> = langs.split(',').map(|l| format!("\"{l}\"")).collect();
    let mut site = site.replace(
        "languages = [\"en\", \"fr\", \"es\"]",
        &format!("languages = [{}]", lang_list.join(", ")),
    );
    for lang in ["fr", "es"] {
        if !keep.contains(&lang) {
            // Drop the `[sections.labels.<lang>]` table: it runs to the next blank line.
            let header = format!("[sections.labels.{lang}]");
            if let Some(start) = site.find(&header) {
                let end = site[start..]
                    .find("\n\n")
                    .map_or(site.len(), |i| start + i + 2);
                site.replace_range(start..end, "");
            }
        }
    }
    let mut declared = String::new();
    for code in &extra {
        writeln!(declared, "{code} = \"Synthetic area {code}\"").unwrap();
    }
    site = site.replace("[codes]\n", &format!("[codes]\n{declared}"));
    fs::write(dir.join("site.toml"), site).expect("write site.toml");

    let regions = ["Africa", "Americas", "Asia", "Europe", "Oceania"];
    let mut rng = Rng(0x9E3779B97F4A7C15);
    for (k, code) in codes.iter().enumerate() {
        let mut t = String::new();
        writeln!(
            t,
            "[country]\niso3 = \"{code}\"\nname = \"Country {code}\"\nregion = \"{}\"",
            regions[k % regions.len()]
        )
        .unwrap();
        writeln!(t, "roles = [\"origin\", \"destination\"]\nrcps = [\"rabat-process\"]\nsummary = \"A synthetic profile for benchmarks.\"").unwrap();
        for id in SERIES {
            writeln!(t, "\n[series.{id}]").unwrap();
            let signed = *id == "net_migration";
            let base = 1_000 + rng.below(50_000_000);
            let mut values = Vec::new();
            for year in 1990..=2024 {
                let v = base as i64 + rng.below(base / 10 + 1) as i64;
                let v = if signed && rng.below(2) == 0 { -v } else { v };
                values.push((year, v));
            }
            let table = |vs: &[(i32, i64)]| {
                vs.iter()
                    .map(|(y, v)| format!("{y} = {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            writeln!(t, "values = {{ {} }}", table(&values)).unwrap();
            if *id == "migrant_stock" {
                let female: Vec<(i32, i64)> = values.iter().map(|(y, v)| (*y, v / 2)).collect();
                let male: Vec<(i32, i64)> = values.iter().map(|(y, v)| (*y, v - v / 2)).collect();
                writeln!(
                    t,
                    "female = {{ {} }}\nmale = {{ {} }}",
                    table(&female),
                    table(&male)
                )
                .unwrap();
            }
            if rng.below(4) == 0 {
                writeln!(t, "estimated = [2024]").unwrap();
            }
        }
        for id in ["immigrants_by_origin", "emigrants_by_destination"] {
            writeln!(
                t,
                "\n[partners.{id}]\nyear = 2024\nother = {}",
                rng.below(100_000)
            )
            .unwrap();
            writeln!(t, "[partners.{id}.values]").unwrap();
            let start = rng.below(200) as usize;
            for j in 0..15 {
                let partner =
                    &rust_iso3166::ALL_ALPHA3[(start + j * 3) % rust_iso3166::ALL_ALPHA3.len()];
                writeln!(t, "{partner} = {}", rng.below(5_000_000)).unwrap();
            }
        }
        for section in ["trends", "impacts", "climate"] {
            writeln!(t, "\n[narrative.{section}]\nen = \"\"\"Synthetic text for **{section}** in {code}. It has a [link](https://example.org) and a list:\n\n- one\n- two\n\"\"\"").unwrap();
        }
        fs::write(dir.join("profiles").join(format!("{code}.toml")), t).expect("write a profile");
    }
    eprintln!("wrote {} profiles into {}", codes.len(), dir.display());
}
