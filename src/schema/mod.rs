//! `mpgen schema`: JSON Schemas (Draft 4, which taplo requires) of every site file, and
//! the `.taplo.toml` and `tombi.toml` that map the files to them, so that the TOML
//! language servers in editors check, complete and explain as a country team types.
//!
//! The schemas are made from the reader's own key lists (`load::*::*_KEYS`), the
//! format's vocabularies (`model::vocab`) and the site's catalogue: the keys under
//! `[series]` are the site's series indicators, `source` a source id, and so on. So they
//! are the site's at the time they were written; `mpgen schema` writes them again.

mod files;
mod profile;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use serde_json::{Map, Value, json};

use crate::diagnostics::{Diagnostic, Severity};
use crate::error::{Error, Result};
use crate::load::{self, Loaded};
use crate::model::{
    Config, Indicator, Rcp, Source, check_config, check_indicators, check_rcps, check_sources,
    limits, vocab,
};

/// The mark of a file `mpgen schema` wrote: it overwrites only files that carry it.
const MARK: &str = "Written by `mpgen schema`";

/// The site files and the schema each is checked against, as config globs.
const MAPPING: &[(&str, &str)] = &[
    ("site.toml", "site"),
    ("indicators.toml", "indicators"),
    ("sources.toml", "sources"),
    ("rcps.toml", "rcps"),
    ("profiles/*.toml", "profile"),
];

/// The folder the schemas go in, under the site root.
pub const FOLDER: &str = "schemas";

/// What the schemas are made from: the site's settings and catalogue, and the regions
/// and sources its profiles name.
pub struct Vocabulary {
    pub config: Config,
    /// In the order of indicators.toml.
    pub indicators: Vec<Indicator>,
    pub sources: BTreeMap<String, Source>,
    pub rcps: BTreeMap<String, Rcp>,
    pub regions: BTreeSet<String>,
    pub subregions: BTreeSet<String>,
    /// The theme's page templates (`page.html`), for front matter.
    pub templates: Vec<String>,
}

impl Vocabulary {
    /// The vocabulary of a loaded site, with the problems of its settings and
    /// catalogue: a schema made from a broken catalogue would mislead.
    pub fn of(loaded: &Loaded) -> (Self, Vec<Diagnostic>) {
        let mut diags: Vec<Diagnostic> = loaded
            .diags
            .iter()
            .filter(|d| is_catalogue_file(&d.file))
            .cloned()
            .collect();
        let config = check_config(loaded.config.as_ref(), &mut diags);
        let mut sources = check_sources(&loaded.sources, "sources.toml", &mut diags);
        let rcps = check_rcps(&loaded.rcps, &mut diags);
        let by_id = check_indicators(&loaded.indicators, &config, &sources, &mut diags);
        let indicators = loaded
            .indicators
            .iter()
            .filter_map(|raw| by_id.get(raw.id.as_str()).cloned())
            .collect();
        let (mut regions, mut subregions) = (BTreeSet::new(), BTreeSet::new());
        for place in crate::places::all() {
            regions.insert(place.region.clone());
            subregions.insert(place.subregion.clone());
        }
        for p in &loaded.profiles {
            if let Some(c) = &p.country {
                regions.extend(c.region.iter().map(|r| r.value.clone()));
                subregions.extend(c.subregion.iter().map(|r| r.value.clone()));
            }
            // A profile's own sources may be cited by other profiles' tables too: the
            // check allows a profile's own only, but the schema is one for all.
            let mut ignored = Vec::new();
            for (id, s) in check_sources(&p.sources, &p.file, &mut ignored) {
                sources.entry(id).or_insert(s);
            }
        }
        regions.remove("");
        subregions.remove("");
        let templates = loaded
            .theme
            .files
            .keys()
            .filter_map(|k| k.strip_prefix("templates/"))
            .filter(|t| t.ends_with(".html") && !t.contains('/'))
            .map(String::from)
            .collect();
        let vocabulary = Vocabulary {
            config,
            indicators,
            sources,
            rcps,
            regions,
            subregions,
            templates,
        };
        (vocabulary, diags)
    }

    pub fn lang(&self) -> &str {
        &self.config.default_language
    }

    pub fn indicators_of(&self, kind: &str) -> impl Iterator<Item = &Indicator> {
        self.indicators.iter().filter(move |i| i.kind == kind)
    }

    /// Every code a profile or partner may have: ISO 3166-1 alpha-3 and `[codes]`, with
    /// their names in the site's default language.
    pub fn country_codes(&self) -> Vec<(String, String)> {
        let lang = self.lang();
        let mut codes: BTreeMap<String, String> = rust_iso3166::ALL_ALPHA3
            .iter()
            .map(|c| {
                let name = crate::places::get(c)
                    .map(|p| p.name(lang).to_string())
                    .or_else(|| rust_iso3166::from_alpha3(c).map(|x| x.name.to_string()))
                    .unwrap_or_default();
                (c.to_string(), name)
            })
            .collect();
        codes.extend(self.config.codes.clone());
        codes.into_iter().collect()
    }
}

fn is_catalogue_file(file: &str) -> bool {
    load::CATALOGUE_FILES.contains(&file)
}

/// Every file `mpgen schema` writes, by its path under the site root, with its text.
pub fn files(v: &Vocabulary) -> Vec<(String, String)> {
    let schemas = [
        ("site", files::site(v)),
        ("indicators", files::indicators(v)),
        ("sources", files::sources(v)),
        ("rcps", files::rcps(v)),
        ("profile", profile::profile(v)),
        ("front-matter", files::front_matter(v)),
    ];
    let mut out: Vec<(String, String)> = schemas
        .into_iter()
        .map(|(name, schema)| (schema_path(name), to_text(schema)))
        .collect();
    out.push((".taplo.toml".into(), taplo_config()));
    out.push(("tombi.toml".into(), tombi_config()));
    out
}

fn schema_path(name: &str) -> String {
    format!("{FOLDER}/{name}.schema.json")
}

fn to_text(mut schema: Value) -> String {
    if let Some(o) = schema.as_object_mut() {
        o.insert(
            "$schema".into(),
            json!("http://json-schema.org/draft-04/schema#"),
        );
        o.insert(
            "$comment".into(),
            json!(format!(
                "{MARK} from the site's catalogue; run it again after changing site.toml, indicators.toml, sources.toml or rcps.toml."
            )),
        );
    }
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

fn config_header() -> String {
    format!(
        "# {MARK}: the site's files and the JSON Schemas they are checked against, for\n\
         # TOML editors (taplo, tombi; VS Code's \"Even Better TOML\"). See docs/editors.md.\n\
         # mpgen overwrites this file; it leaves it alone once this first line is removed.\n"
    )
}

fn taplo_config() -> String {
    let globs: Vec<String> = MAPPING.iter().map(|(g, _)| format!("{g:?}")).collect();
    let mut out = config_header();
    out.push_str(&format!("\ninclude = [{}]\n", globs.join(", ")));
    for (glob, name) in MAPPING {
        out.push_str(&format!(
            "\n[[rule]]\ninclude = [{glob:?}]\n\n[rule.schema]\npath = \"./{}\"\n",
            schema_path(name)
        ));
    }
    out
}

fn tombi_config() -> String {
    let globs: Vec<String> = MAPPING.iter().map(|(g, _)| format!("{g:?}")).collect();
    let mut out = config_header();
    out.push_str("\ntoml-version = \"v1.0.0\"\n");
    out.push_str(&format!("\n[files]\ninclude = [{}]\n", globs.join(", ")));
    for (glob, name) in MAPPING {
        out.push_str(&format!(
            "\n[[schemas]]\npath = \"{}\"\ninclude = [{glob:?}]\n",
            schema_path(name)
        ));
    }
    out
}

/// Warnings for the schemas an earlier `mpgen schema` wrote that the site has moved
/// past (a new indicator, source or RCP): an editor would flag what is right. Nothing
/// when the site has none of mpgen's schemas, or its catalogue has errors.
pub fn stale(root: &Path) -> Vec<Diagnostic> {
    let ours = |rel: &str| fs::read_to_string(root.join(rel)).is_ok_and(|t| t.contains(MARK));
    if !ours(".taplo.toml") && !ours("tombi.toml") {
        return Vec::new();
    }
    let loaded = load::load(root);
    let (vocabulary, diags) = Vocabulary::of(&loaded);
    if diags.iter().any(Diagnostic::is_error) {
        return Vec::new();
    }
    files(&vocabulary)
        .into_iter()
        .filter(|(rel, text)| fs::read_to_string(root.join(rel)).is_ok_and(|old| old != *text))
        .map(|(rel, _)| {
            Diagnostic::warning(
                &rel,
                None,
                "this schema for editors is out of date with the site",
            )
            .with_help("run `mpgen schema` to write it again")
        })
        .collect()
}

/// What a write did: the files it changed, and how many were already as they are.
#[derive(Debug, Default, PartialEq)]
pub struct Written {
    pub changed: Vec<String>,
    pub unchanged: usize,
}

/// Makes the schemas of the site at `root` and writes those that changed. Errors in the
/// settings or catalogue come back as diagnostics, and nothing is written.
pub fn write_for(root: &Path) -> Result<std::result::Result<Written, Loaded>> {
    let loaded = load::load(root);
    let (vocabulary, diags) = Vocabulary::of(&loaded);
    if diags.iter().any(|d| d.severity == Severity::Error) {
        return Ok(Err(Loaded { diags, ..loaded }));
    }
    write(root, &files(&vocabulary)).map(Ok)
}

/// Writes `files` under `root`, each whole (a temporary file renamed over it), and only
/// where its text changed. A file in their place that mpgen did not write is an error,
/// checked for every file before any is written; so is a `schemas` folder that is a
/// link, which could lead out of the site.
pub fn write(root: &Path, files: &[(String, String)]) -> Result<Written> {
    let folder = root.join(FOLDER);
    if fs::symlink_metadata(&folder).is_ok_and(|m| !m.is_dir()) {
        return Err(Error::Output(format!(
            "{} is not a folder; mpgen writes the schemas in a `{FOLDER}` folder of the site",
            folder.display()
        )));
    }
    let mut todo = Vec::new();
    for (rel, text) in files {
        let path = root.join(rel);
        // A link is not followed: it could lead out of the site.
        if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(Error::Output(format!(
                "{} is a link; mpgen writes its schemas only into files of the site",
                path.display()
            )));
        }
        match fs::read_to_string(&path) {
            Ok(old) if old == *text => continue,
            Ok(old) if !old.contains(MARK) => {
                return Err(Error::Output(format!(
                    "{} was not written by mpgen, so it is left as it is; move it away to let `mpgen schema` write it",
                    path.display()
                )));
            }
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::io(&path, e)),
            _ => todo.push((rel, path, text)),
        }
    }
    fs::create_dir_all(&folder).map_err(|e| Error::io(&folder, e))?;
    let mut written = Written {
        unchanged: files.len() - todo.len(),
        ..Written::default()
    };
    for (rel, path, text) in todo {
        let dir = path.parent().unwrap_or(root);
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(dir, e))?;
        std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(|e| Error::io(&path, e))?;
        // A temporary file is private to its owner; these are the site's, like its others.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let readable = fs::Permissions::from_mode(0o644);
            fs::set_permissions(tmp.path(), readable).map_err(|e| Error::io(&path, e))?;
        }
        tmp.persist(&path).map_err(|e| Error::io(&path, e.error))?;
        written.changed.push(rel.clone());
    }
    Ok(written)
}

// The pieces every schema is made of.

/// A table with exactly `keys`, each described by `describe`.
fn closed(keys: &[&str], required: &[&str], describe: impl Fn(&str) -> Value) -> Value {
    let properties: Map<String, Value> =
        keys.iter().map(|k| (k.to_string(), describe(k))).collect();
    let mut t = json!({"type": "object", "properties": properties, "additionalProperties": false});
    if !required.is_empty() {
        t["required"] = json!(required);
    }
    t
}

/// Adds a description (the hover text) to a schema.
fn described(mut schema: Value, text: impl Into<String>) -> Value {
    schema["description"] = Value::String(text.into());
    schema
}

/// A string from a closed list, each value with its own hover text (taplo's extension).
fn one_of(values: &[(String, String)], text: &str) -> Value {
    // An empty `enum` is no schema at all (Draft 4): nothing may be written instead.
    if values.is_empty() {
        return json!({"description": format!("{text} The site defines none."), "not": {}});
    }
    let names: Vec<&str> = values.iter().map(|(v, _)| v.as_str()).collect();
    let docs: Vec<&str> = values.iter().map(|(_, d)| d.as_str()).collect();
    json!({
        "type": "string",
        "enum": names,
        "description": text,
        "x-taplo": {"docs": {"enumValues": docs}},
    })
}

/// A string from one of the format's vocabularies, which need no more words.
fn word(list: &[&str], text: &str) -> Value {
    let values: Vec<(String, String)> = list
        .iter()
        .map(|w| (w.to_string(), String::new()))
        .collect();
    let mut s = one_of(&values, text);
    if let Some(o) = s.as_object_mut() {
        o.remove("x-taplo");
    }
    s
}

/// A list of distinct items.
fn list(items: Value, text: &str) -> Value {
    json!({"type": "array", "items": items, "uniqueItems": true, "description": text})
}

fn string(text: &str) -> Value {
    json!({"type": "string", "description": text})
}

fn boolean(text: &str) -> Value {
    json!({"type": "boolean", "description": text})
}

fn integer(min: i64, max: i64, text: &str) -> Value {
    json!({"type": "integer", "minimum": min, "maximum": max, "description": text})
}

fn year(text: &str) -> Value {
    integer(1900, 2100, text)
}

/// A key that is a year, 1900 to 2100, written as the format wants it (no `02024`).
const YEAR_KEY: &str = "^(19[0-9][0-9]|20[0-9][0-9]|2100)$";

/// An id: lower case, digits, `-` and `_`, at most 64 characters.
const SLUG: &str = "^[a-z][a-z0-9_-]{0,63}$";

fn url(text: &str) -> Value {
    json!({"type": "string", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://[^/?#\\s]+\\S*$", "description": text})
}

/// A name or title: shown on charts and in menus, so at most 300 characters.
fn name(text: &str) -> Value {
    json!({"type": "string", "maxLength": load::toml_reader::MAX_NAME_CHARS, "description": text})
}

/// A text given once, or by language (`{ en = "...", fr = "..." }`).
fn localized(v: &Vocabulary, one: Value, text: &str) -> Value {
    json!({"description": text, "anyOf": [one, by_language(v, &one)]})
}

/// A table of texts by language: the site's languages offered, any other allowed (the
/// check warns that it is not shown).
fn by_language(v: &Vocabulary, one: &Value) -> Value {
    let by_lang: Map<String, Value> = v
        .config
        .languages
        .iter()
        .map(|l| (l.clone(), described(one.clone(), format!("in `{l}`"))))
        .collect();
    json!({"type": "object", "properties": by_lang, "additionalProperties": one})
}

fn source_ids(v: &Vocabulary, text: &str) -> Value {
    let values: Vec<(String, String)> = v
        .sources
        .values()
        .map(|s| (s.id.clone(), s.cited()))
        .collect();
    one_of(&values, text)
}

fn sections(v: &Vocabulary, text: &str) -> Value {
    let lang = v.lang().to_string();
    let values: Vec<(String, String)> = v
        .config
        .sections
        .iter()
        .map(|s| (s.clone(), v.config.section_label(&lang, s)))
        .collect();
    one_of(&values, text)
}

fn languages(v: &Vocabulary, text: &str) -> Value {
    word(
        &v.config
            .languages
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        text,
    )
}

/// What an indicator is, for hover: its label, definition and unit.
pub fn indicator_doc(v: &Vocabulary, ind: &Indicator) -> String {
    let lang = v.lang();
    let mut doc = format!(
        "**{}** ({})",
        ind.label.get(lang, lang),
        unit_doc(&ind.unit)
    );
    if let Some(d) = &ind.definition {
        doc.push_str("\n\n");
        doc.push_str(d.get(lang, lang));
    }
    if ind.core {
        doc.push_str("\n\nA core indicator: a profile without recent values of it has a data gap.");
    }
    if let Some(derive) = &ind.derive {
        doc.push_str(&format!(
            "\n\nDerived by mpgen from {}, for the years a profile does not give.",
            derive.operands().join(", ")
        ));
    }
    doc
}

fn unit_doc(unit: &str) -> &'static str {
    match unit {
        "persons" => "persons",
        "usd" => "US dollars",
        "percent" => "per cent, 0 to 100",
        "per_1000" => "per 1,000 people",
        "years" => "years",
        "index" => "an index",
        "count" => "a count",
        _ => "a number",
    }
}

fn units() -> Vec<(String, String)> {
    vocab::UNITS
        .iter()
        .map(|u| (u.to_string(), unit_doc(u).to_string()))
        .collect()
}

/// One value of an indicator: not negative unless it is signed, a percentage at most 100.
fn value(ind: &Indicator) -> Value {
    let max = limits::MAX_VALUE;
    let min = if ind.signed { -max } else { 0.0 };
    let top = if ind.unit == "percent" { 100.0 } else { max };
    json!({"type": "number", "minimum": min, "maximum": top, "description": unit_doc(&ind.unit)})
}

#[cfg(test)]
mod tests;
