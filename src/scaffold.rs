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
    (
        ".gitignore",
        "public/\n# mpgen's working folders beside the output: the next version, a first build, a swap\n.public.mpgen-next/\n.public.mpgen-staging/\n.public.mpgen-swap/\n",
    ),
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
    // The schemas for TOML editors, made from the new site's own catalogue.
    match crate::schema::write_for(dir)? {
        Ok(written) => Ok(INIT_FILES.len() + written.changed.len()),
        Err(_) => Err(Error::Output(
            "the starter site's catalogue has errors; this is a bug in mpgen".into(),
        )),
    }
}

/// Writes `profiles/<ISO3>.toml` with every core indicator of the site stubbed and
/// commented. Refuses to overwrite a profile.
pub fn new_profile(root: &Path, code: &str) -> Result<PathBuf> {
    let loaded = crate::load::load_catalogue(root);
    let config = crate::model::check_config(loaded.config.as_ref(), &mut Vec::new());
    if !crate::model::vocab::is_country_code(code, &config.codes) {
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
    let (head, tail) = skeleton(&loaded.indicators, &config, code, &Default::default());
    let text = head + &tail;
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    Ok(path)
}

/// A new profile's text in two parts: `[country]` with the name (in the site's
/// languages) and the region of the places table where it knows the code, then every
/// core indicator not in `filled` as a commented stub. `import` starts new profiles
/// from it, with the data tables between the two parts.
pub fn skeleton(
    indicators: &[crate::load::catalogue::RawIndicator],
    config: &crate::model::Config,
    code: &str,
    filled: &std::collections::BTreeSet<String>,
) -> (String, String) {
    let place = crate::places::get(code);
    let english = place
        .map(|p| p.name("en").to_string())
        .or_else(|| config.codes.get(code).cloned())
        .or_else(|| rust_iso3166::from_alpha3(code).map(|c| c.name.to_string()))
        .unwrap_or_else(|| code.to_string());
    let names: Vec<(&str, &str)> = match place {
        Some(p) => config
            .languages
            .iter()
            .filter(|l| p.has_name(l))
            .map(|l| (l.as_str(), p.name(l)))
            .collect(),
        None => Vec::new(),
    };
    let name = if names.len() > 1 {
        let items: Vec<String> = names
            .iter()
            .map(|(l, n)| format!("{l} = {}", quote(n)))
            .collect();
        format!("{{ {} }}", items.join(", "))
    } else {
        quote(&english)
    };
    let region = match place.filter(|p| !p.region.is_empty()) {
        Some(p) => format!(
            "region = {}\nsubregion = {}\n",
            quote(&p.region),
            quote(&p.subregion)
        ),
        None => "region = \"Unassigned\"        # the region the home page groups it under\n# subregion = \"\"\n".to_string(),
    };
    let head = format!(
        "# Migration Profile: {english} ({code}).\n# Every key is described in the format reference; run `mpgen check` after each edit.\n\n\
         [country]\niso3 = \"{code}\"\nname = {name}\n{region}\
         # roles = [\"origin\", \"transit\", \"destination\"]\n# updated = 2026-01-31\n# maintainer = \"{english} country team\"\n\
         # rcps = []                      # ids from rcps.toml\n# summary = \"\"\"Markdown shown at the top of the profile.\"\"\"\n"
    );
    let mut text = String::new();
    let stubs: Vec<_> = indicators
        .iter()
        .filter(|ind| ind.core.as_ref().is_some_and(|c| c.value))
        .filter(|ind| ind.derive.is_none() && !filled.contains(&ind.id.value))
        .collect();
    if !stubs.is_empty() {
        text.push_str(
            "\n# Core indicators: a profile without them has a data gap. Uncomment and fill in.\n",
        );
    }
    for ind in stubs {
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
    (head, text)
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    toml_edit::Value::from(s).to_string().trim().to_string()
}
