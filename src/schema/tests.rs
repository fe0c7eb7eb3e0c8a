use super::*;

fn basic() -> Vocabulary {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
    let (v, diags) = Vocabulary::of(&load::load(&root));
    assert!(diags.is_empty(), "{diags:?}");
    v
}

/// Every property of every table, with its path: a key the reader accepts that the
/// schema does not describe shows up as an empty schema.
fn properties<'a>(path: &str, schema: &'a Value, out: &mut Vec<(String, &'a Value)>) {
    match schema {
        Value::Object(o) => {
            for (k, x) in o {
                let here = format!("{path}/{k}");
                if k == "properties" {
                    for (name, p) in x.as_object().into_iter().flatten() {
                        out.push((format!("{here}/{name}"), p));
                    }
                }
                properties(&here, x, out);
            }
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| properties(&format!("{path}/{i}"), x, out)),
        _ => {}
    }
}

#[test]
fn every_key_the_reader_accepts_is_described() {
    let v = basic();
    for (file, text) in files(&v).iter().filter(|(f, _)| f.ends_with(".json")) {
        let schema: Value = serde_json::from_str(text).unwrap();
        let mut found = Vec::new();
        properties("", &schema, &mut found);
        assert!(found.len() > 5, "{file}");
        for (path, p) in found {
            let described = p.get("description").and_then(Value::as_str);
            // A reference is described where it leads (`definitions`).
            let reference = p.get("$ref").is_some();
            assert!(
                described.is_some_and(|d| !d.is_empty()) || path.contains("/anyOf/") || reference,
                "{file}: {path} has no description: {p}"
            );
        }
    }
}

#[test]
fn profile_tables_are_keyed_by_the_sites_indicators_of_their_kind() {
    let v = basic();
    let schema = profile::profile(&v);
    let series = schema["properties"]["series"]["properties"]
        .as_object()
        .unwrap();
    let ids: Vec<&str> = v.indicators_of("series").map(|i| i.id.as_str()).collect();
    assert_eq!(
        series.keys().map(String::as_str).collect::<Vec<_>>().len(),
        ids.len()
    );
    for id in &ids {
        assert!(series.contains_key(*id), "{id}");
    }
    let partners = schema["properties"]["partners"]["properties"]
        .as_object()
        .unwrap();
    assert!(
        partners
            .keys()
            .all(|k| v.indicators_of("partners").any(|i| &i.id == k))
    );
    assert_eq!(
        schema["properties"]["series"]["additionalProperties"],
        false
    );
}

#[test]
fn the_same_site_gives_the_same_bytes() {
    assert_eq!(files(&basic()), files(&basic()));
}

#[test]
fn a_file_mpgen_did_not_write_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join(".taplo.toml"),
        "[formatting]\nalign_entries = true\n",
    )
    .unwrap();
    let files = files(&basic());
    let err = write(dir.path(), &files).unwrap_err().to_string();
    assert!(err.contains("not written by mpgen"), "{err}");
    // Nothing was written: the check comes before any write.
    assert!(!dir.path().join(FOLDER).exists());
    fs::remove_file(dir.path().join(".taplo.toml")).unwrap();
    let first = write(dir.path(), &files).unwrap();
    assert_eq!(first.changed.len(), files.len());
    let again = write(dir.path(), &files).unwrap();
    assert_eq!((again.changed.len(), again.unchanged), (0, files.len()));
}

#[cfg(unix)]
#[test]
fn a_schemas_folder_that_is_a_link_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), dir.path().join(FOLDER)).unwrap();
    assert!(write(dir.path(), &files(&basic())).is_err());
    assert_eq!(fs::read_dir(elsewhere.path()).unwrap().count(), 0);
    // Nor is a file that is a link read or written through.
    fs::remove_file(dir.path().join(FOLDER)).unwrap();
    let outside = elsewhere.path().join("secret.toml");
    fs::write(&outside, "mine").unwrap();
    std::os::unix::fs::symlink(&outside, dir.path().join("tombi.toml")).unwrap();
    assert!(write(dir.path(), &files(&basic())).is_err());
    assert_eq!(fs::read_to_string(&outside).unwrap(), "mine");
}

#[test]
fn a_site_without_rcps_or_sources_gets_schemas_that_accept_no_id_rather_than_an_empty_list() {
    let dir = tempfile::tempdir().unwrap();
    let basic = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
    fs::copy(basic.join("site.toml"), dir.path().join("site.toml")).unwrap();
    // The indicators name a default source; without sources.toml that is an error.
    let text = fs::read_to_string(basic.join("indicators.toml")).unwrap();
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with("default_source"))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(dir.path().join("indicators.toml"), text).unwrap();
    let (v, diags) = Vocabulary::of(&load::load(dir.path()));
    assert!(diags.is_empty(), "{diags:?}");
    assert!(v.sources.is_empty() && v.rcps.is_empty());
    for (file, text) in files(&v) {
        assert!(!text.contains("\"enum\": []"), "{file} has an empty enum");
    }
}

#[test]
fn the_profile_schema_is_the_same_size_however_many_partners_indicators() {
    let mut v = basic();
    let before = to_text(profile::profile(&v)).len();
    let template = v.indicators_of("partners").next().unwrap().clone();
    for i in 0..50 {
        let mut more = template.clone();
        more.id = format!("partners_{i}");
        v.indicators.push(more);
    }
    let after = to_text(profile::profile(&v)).len();
    // Each indicator adds its own entry, not another copy of the codes.
    assert!(after < before + 50 * 2_000, "{before} -> {after}");
}

#[test]
fn check_warns_when_the_written_schemas_are_behind_the_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("x");
    crate::scaffold::init(&root).unwrap();
    assert_eq!(stale(&root), Vec::new());
    let text = fs::read_to_string(root.join("sources.toml")).unwrap();
    fs::write(
        root.join("sources.toml"),
        format!("{text}\n[new-survey]\ntitle = \"A new survey\"\n"),
    )
    .unwrap();
    let warned: Vec<String> = stale(&root).into_iter().map(|d| d.file).collect();
    assert!(
        warned.contains(&"schemas/profile.schema.json".to_string()),
        "{warned:?}"
    );
    write_for(&root).unwrap().unwrap();
    assert_eq!(stale(&root), Vec::new());
}
