//! New files for country teams: `init` (a whole new site) and `new-profile` (a profile
//! skeleton with every core indicator of the site's catalogue, commented).

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The starter site: settings, catalogue, sources, one example profile and a page.
const INIT_FILES: &[(&str, &str)] = &[
    ("site.toml", include_str!("../scaffold/site.toml")),
    (
        "indicators.toml",
        include_str!("../scaffold/indicators.toml"),
    ),
    ("sources.toml", include_str!("../scaffold/sources.toml")),
    ("rcps.toml", include_str!("../scaffold/rcps.toml")),
    (
        "profiles/MEX.toml",
        include_str!("../scaffold/profiles/MEX.toml"),
    ),
    (
        "content/about.md",
        include_str!("../scaffold/content/about.md"),
    ),
    (".gitignore", "public/\n"),
];

/// Writes a new site into `dir`, which must be empty or absent. Returns the file count.
pub fn init(dir: &Path) -> Result<usize> {
    if dir.exists() {
        let mut entries = fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        if entries.next().is_some() {
            return Err(Error::Output(format!(
                "{} is not empty; init makes a new site in an empty folder",
                dir.display()
            )));
        }
    }
    for (rel, text) in INIT_FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    }
    Ok(INIT_FILES.len())
}

/// Writes `profiles/<ISO3>.toml` with every core indicator of the site stubbed and
/// commented. Refuses to overwrite a profile.
pub fn new_profile(root: &Path, code: &str) -> Result<PathBuf> {
    let loaded = crate::load::load(root);
    let declared = crate::model::check_config(loaded.config.as_ref(), &mut Vec::new()).codes;
    if !crate::model::vocab::is_country_code(code, &declared) {
        return Err(Error::Output(format!(
            "`{code}` is not an ISO 3166-1 alpha-3 code in capitals (such as MEX) nor a code of `[codes]` in site.toml"
        )));
    }
    let path = root.join("profiles").join(format!("{code}.toml"));
    if path.exists() {
        return Err(Error::Output(format!(
            "{} exists already; edit it instead",
            path.display()
        )));
    }
    let name = declared
        .get(code)
        .cloned()
        .or_else(|| rust_iso3166::from_alpha3(code).map(|c| c.name.to_string()))
        .unwrap_or_else(|| code.to_string());
    let mut text = format!(
        "# Migration Profile: {name} ({code}).\n# Every key is described in the format reference; run `mpgen check` after each edit.\n\n\
         [country]\niso3 = \"{code}\"\nname = \"{name}\"\nregion = \"Unassigned\"        # the region the home page groups it under\n\
         # subregion = \"\"\n# roles = [\"origin\", \"transit\", \"destination\"]\n# updated = 2026-01-31\n# maintainer = \"{name} country team\"\n\
         # rcps = []                      # ids from rcps.toml\n# summary = \"\"\"Markdown shown at the top of the profile.\"\"\"\n"
    );
    text.push_str(
        "\n# Core indicators: a profile without them has a data gap. Uncomment and fill in.\n",
    );
    for ind in &loaded.indicators {
        let core = ind.core.as_ref().is_some_and(|c| c.value);
        let derived = ind.derive.is_some();
        if !core || derived {
            continue;
        }
        let label = match ind.label.as_ref().map(|l| &l.value) {
            Some(crate::load::toml_reader::Localized::One(s)) => s.clone(),
            Some(crate::load::toml_reader::Localized::ByLang(items)) => {
                items.first().map(|(_, s)| s.clone()).unwrap_or_default()
            }
            None => String::new(),
        };
        let unit = ind.unit.as_ref().map_or("", |u| u.value.as_str());
        let source = ind
            .default_source
            .as_ref()
            .map_or(String::from("(name a source)"), |s| s.value.clone());
        let id = &ind.id.value;
        text.push_str(&format!(
            "\n# {label} ({unit}); source defaults to {source}\n"
        ));
        match ind.kind.as_ref().map_or("series", |k| k.value.as_str()) {
            "partners" => text.push_str(&format!("# [partners.{id}]\n# year = 2024\n# values = {{ USA = 0, ESP = 0 }}\n# other = 0\n")),
            "age_sex" => text.push_str(&format!(
                "# [age_sex.{id}]\n# year = 2024\n# groups = [\"0-14\", \"15-24\", \"25-64\", \"65+\"]\n# female = [0, 0, 0, 0]\n# male = [0, 0, 0, 0]\n"
            )),
            _ => text.push_str(&format!("# [series.{id}]\n# values = {{ 2020 = 0, 2024 = 0 }}\n# estimated = []\n")),
        }
    }
    text.push_str("\n# [narrative.trends]\n# en = \"\"\"Markdown.\"\"\"\n");
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    Ok(path)
}
