//! The stages depend only on the stages before them (docs/architecture.md): the plan
//! reads the model and the loaded theme, never the renderer; the model never the plan
//! or the renderer. Checked on the sources, line by line, comments aside.

use std::path::Path;

/// The lines of `dir`'s Rust files that name any of `stages` as a path.
fn naming(dir: &str, stages: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir);
    let mut found = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for stage in stages {
                if code.contains(&format!("crate::{stage}")) || code.contains(&format!("{stage}::"))
                {
                    found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    found
}

#[test]
fn the_plan_does_not_use_the_renderer() {
    assert_eq!(naming("plan", &["render"]), Vec::<String>::new());
}

#[test]
fn the_model_does_not_use_the_plan_or_the_renderer() {
    assert_eq!(naming("model", &["render", "plan"]), Vec::<String>::new());
}
