//! Bringing a plan into a profile's text with `toml_edit`, so that everything the import
//! does not bring stays as it was: comments, key order, formatting, narratives, and
//! every value of a year or partner the data does not have.
//!
//! A value is rewritten only when it differs from the data at the unit's precision, and
//! then in place, keeping the comment beside it; a year is added in year order when the
//! table was in year order. So importing the same data twice changes nothing.

use std::collections::{BTreeMap, BTreeSet};

use toml_edit::{DocumentMut, InlineTable, Item, Table, TableLike, Value};

use super::map::{PartnersPlan, ProfilePlan, SeriesPlan, clean};
use super::report::{Change, ProfileReport};
use crate::diagnostics::Diagnostic;
use crate::model::Indicator;

/// Applies `plan` to a profile's text; `Err` when the text is not TOML or a table the
/// import must write into is something else (say `series = 3`).
pub fn apply(
    file: &str,
    text: &str,
    plan: &ProfilePlan,
    indicators: &BTreeMap<String, Indicator>,
    report: &mut ProfileReport,
) -> Result<String, Diagnostic> {
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        Diagnostic::error(file, e.span(), format!("not TOML: {}", e.message()))
    })?;
    let root = doc.as_item_mut();
    for (id, series) in &plan.series {
        let ind = &indicators[id];
        let t = child(child(root, "series", true, file)?, id, false, file)?;
        edit_series(t, id, series, ind, report, file)?;
    }
    for (id, partners) in &plan.partners {
        let ind = &indicators[id];
        let t = child(child(root, "partners", true, file)?, id, false, file)?;
        edit_partners(t, id, partners, ind, report, file)?;
    }
    Ok(doc.to_string())
}

/// The table under `parent` at `key`, made when missing: a standard table (`implicit`
/// when only its sub-tables show, as `[series]` does), or an inline one inside an
/// inline table.
fn child<'t>(
    parent: &'t mut Item,
    key: &str,
    implicit: bool,
    file: &str,
) -> Result<&'t mut Item, Diagnostic> {
    let inline = parent.is_inline_table();
    let t = parent
        .as_table_like_mut()
        .ok_or_else(|| not_a_table(file, key))?;
    if !t.contains_key(key) {
        let new = if inline {
            Item::Value(Value::InlineTable(InlineTable::new()))
        } else {
            let mut n = Table::new();
            n.set_implicit(implicit);
            Item::Table(n)
        };
        t.insert(key, new);
    }
    let item = t.get_mut(key).expect("inserted above");
    if item.is_table_like() {
        Ok(item)
    } else {
        Err(not_a_table(file, key))
    }
}

fn not_a_table(file: &str, key: &str) -> Diagnostic {
    Diagnostic::error(
        file,
        None,
        format!("`{key}` is not a table, so the import cannot write into it"),
    )
}

/// The table-like view of an item `child` returned.
fn table(item: &mut Item) -> &mut dyn TableLike {
    item.as_table_like_mut()
        .expect("`child` returns tables only")
}

fn edit_series(
    item: &mut Item,
    id: &str,
    plan: &SeriesPlan,
    ind: &Indicator,
    report: &mut ProfileReport,
    file: &str,
) -> Result<(), Diagnostic> {
    let t = table(item);
    let current = t
        .get("source")
        .and_then(Item::as_str)
        .or(ind.default_source.as_deref())
        .map(str::to_string);
    let written = t.get("source").is_some();
    if current.as_deref() != Some(plan.source.as_str()) || !written && t.is_empty() {
        set_value(t, "source", Value::from(plan.source.as_str()));
        if let Some(old) = current.filter(|_| written) {
            report.changed.push(Change {
                what: format!("{id}: source"),
                old,
                new: plan.source.clone(),
            });
        }
    }
    for (part, values, label) in [
        ("values", &plan.values, id.to_string()),
        ("female", &plan.female, format!("{id} (female)")),
        ("male", &plan.male, format!("{id} (male)")),
    ] {
        if values.is_empty() {
            continue; // a part the data does not give (sex, often) is not the import's
        }
        let years = child(item, part, false, file)?;
        let trailing = inline_trailing(years);
        edit_years(
            table(years),
            values,
            &ind.unit,
            &label,
            report,
            &format!("series.{id}.{part}"),
            file,
        )?;
        retrail(years, trailing);
        unfold(item, part);
    }
    if let Some(flags) = &plan.estimated {
        edit_estimated(table(item), &plan.values, flags, id, report);
    }
    Ok(())
}

fn edit_years(
    t: &mut dyn TableLike,
    values: &BTreeMap<i32, f64>,
    unit: &str,
    label: &str,
    report: &mut ProfileReport,
    path: &str,
    file: &str,
) -> Result<(), Diagnostic> {
    let sorted = is_sorted(t);
    let mut added = Vec::new();
    for (&year, &v) in values {
        let key = year.to_string();
        match t.get_mut(&key) {
            Some(item) => {
                let old = item.as_value().and_then(number).ok_or_else(|| {
                    Diagnostic::error(file, None, format!("`{path}.{key}` is not a number"))
                })?;
                if clean(old, unit) == v {
                    report.unchanged += 1;
                } else {
                    replace(item, number_value(v));
                    report.changed.push(Change {
                        what: format!("{label} {year}"),
                        old: show(old),
                        new: show(v),
                    });
                }
            }
            None => {
                t.insert(&key, Item::Value(number_value(v)));
                added.push(key);
            }
        }
    }
    for (key, _) in t.iter() {
        if key.parse::<i32>().is_ok_and(|y| !values.contains_key(&y)) {
            report.left.push(format!("{label} {key}"));
        }
    }
    if !added.is_empty() && sorted {
        t.sort_values();
    }
    report.add(label, added);
    Ok(())
}

/// Whether a table's keys are in order (years, as text of four digits, sort as numbers).
fn is_sorted(t: &dyn TableLike) -> bool {
    let keys: Vec<&str> = t.iter().map(|(k, _)| k).collect();
    keys.windows(2).all(|w| w[0] <= w[1])
}

fn edit_estimated(
    t: &mut dyn TableLike,
    values: &BTreeMap<i32, f64>,
    flags: &BTreeSet<i32>,
    id: &str,
    report: &mut ProfileReport,
) {
    let current: BTreeSet<i32> = t
        .get("estimated")
        .and_then(Item::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_integer())
                .map(|y| y as i32)
                .collect()
        })
        .unwrap_or_default();
    let mut wanted = current.clone();
    for year in values.keys() {
        if flags.contains(year) {
            wanted.insert(*year);
        } else {
            wanted.remove(year);
        }
    }
    if wanted == current {
        return;
    }
    let show_set = |s: &BTreeSet<i32>| format!("{:?}", s.iter().collect::<Vec<_>>());
    report.changed.push(Change {
        what: format!("{id}: estimated"),
        old: show_set(&current),
        new: show_set(&wanted),
    });
    let array: toml_edit::Array = wanted.iter().map(|y| i64::from(*y)).collect();
    set_value(t, "estimated", Value::Array(array));
}

fn edit_partners(
    item: &mut Item,
    id: &str,
    plan: &PartnersPlan,
    ind: &Indicator,
    report: &mut ProfileReport,
    file: &str,
) -> Result<(), Diagnostic> {
    let label = format!("{id} {}", plan.year);
    let t = table(item);
    let year = t.get("year").and_then(Item::as_integer);
    match year {
        Some(y) if y > i64::from(plan.year) => {
            report.left.push(format!(
                "{id}: year {y}, newer than the data's {}",
                plan.year
            ));
            return Ok(());
        }
        Some(y) if y == i64::from(plan.year) => {}
        _ => {
            // A new table, or one for an older year: the data's year replaces it whole.
            if let Some(y) = year {
                report.changed.push(Change {
                    what: format!("{id}: year"),
                    old: y.to_string(),
                    new: plan.year.to_string(),
                });
                if let Some(old) = t.get_mut("values").and_then(Item::as_table_like_mut) {
                    report.replaced += old.len();
                    old.clear();
                }
            } else {
                set_value(t, "year", Value::from(i64::from(plan.year)));
            }
            if year.is_some() {
                set_value(t, "year", Value::from(i64::from(plan.year)));
            }
        }
    }
    let source = t
        .get("source")
        .and_then(Item::as_str)
        .or(ind.default_source.as_deref())
        .map(str::to_string);
    if source.as_deref() != Some(plan.source.as_str())
        || t.get("source").is_none() && year.is_none()
    {
        if let Some(old) = source.filter(|_| t.get("source").is_some()) {
            report.changed.push(Change {
                what: format!("{id}: source"),
                old,
                new: plan.source.clone(),
            });
        }
        set_value(t, "source", Value::from(plan.source.as_str()));
    }
    let all: BTreeMap<&str, f64> = plan.all.iter().map(|(p, v)| (p.as_str(), *v)).collect();
    // The partners to list: those listed already that the data has, and the top ones.
    let listed: Vec<String> = t
        .get("values")
        .and_then(Item::as_table_like)
        .map(|v| v.iter().map(|(k, _)| k.to_string()).collect())
        .unwrap_or_default();
    let mut shown: Vec<(&str, f64)> = plan
        .all
        .iter()
        .take(plan.top)
        .map(|(p, v)| (p.as_str(), *v))
        .collect();
    for p in &listed {
        if let Some(&v) = all.get(p.as_str())
            && !shown.iter().any(|(q, _)| q == p)
        {
            shown.push((
                all.get_key_value(p.as_str()).map(|(k, _)| *k).unwrap_or(""),
                v,
            ));
        }
    }
    let values_item = child(item, "values", false, file)?;
    let trailing = inline_trailing(values_item);
    let values = table(values_item);
    let mut added = Vec::new();
    for (partner, v) in &shown {
        match values.get_mut(partner) {
            Some(item) => {
                let old = item.as_value().and_then(number);
                if old.is_some_and(|o| clean(o, &ind.unit) == *v) {
                    report.unchanged += 1;
                } else {
                    replace(item, number_value(*v));
                    report.changed.push(Change {
                        what: format!("{label} {partner}"),
                        old: old.map_or_else(|| "?".into(), show),
                        new: show(*v),
                    });
                }
            }
            None => {
                values.insert(partner, Item::Value(number_value(*v)));
                added.push(partner.to_string());
            }
        }
    }
    for (key, _) in values.iter() {
        if !all.contains_key(key) {
            report.left.push(format!("{label} {key}"));
        }
    }
    retrail(values_item, trailing);
    let t = table(item);
    let in_table: f64 = shown.iter().map(|(_, v)| v).sum();
    let other = clean(plan.total - in_table, &ind.unit);
    match t.get_mut("other") {
        Some(item) => {
            let old = item.as_value().and_then(number).unwrap_or(f64::NAN);
            if clean(old, &ind.unit) == other {
                report.unchanged += 1;
            } else {
                replace(item, number_value(other));
                report.changed.push(Change {
                    what: format!("{label} other"),
                    old: show(old),
                    new: show(other),
                });
            }
        }
        None if other > 0.0 => {
            set_value(t, "other", number_value(other));
            added.push("other".into());
        }
        None => {}
    }
    report.add(&label, added);
    Ok(())
}

/// Inline tables longer than this become tables of their own when the import grows
/// them: a line of seventy years is no one's idea of readable.
const INLINE_MAX: usize = 10;

/// `values = { ... }` in a standard table, grown past `INLINE_MAX`, becomes
/// `[series.x.values]` with one year per line.
fn unfold(parent: &mut Item, key: &str) {
    let Some(t) = parent.as_table_mut() else {
        return;
    };
    let long = t
        .get(key)
        .and_then(Item::as_inline_table)
        .is_some_and(|it| it.len() > INLINE_MAX);
    if long && let Some(Item::Value(Value::InlineTable(it))) = t.remove(key) {
        t.insert(key, Item::Table(it.into_table()));
    }
}

/// The space before an inline table's `}`, which `toml_edit` keeps on its last value.
fn inline_trailing(item: &Item) -> Option<String> {
    let t = item.as_inline_table()?;
    let (_, last) = t.iter().last()?;
    last.decor()
        .suffix()
        .and_then(|s| s.as_str())
        .filter(|s| s.trim().is_empty())
        .map(str::to_string)
}

/// After keys were added to an inline table, the space before `}` goes back after the
/// last value, so `{ a = 1, b = 2 }` grows into `{ a = 1, b = 2, c = 3 }`.
fn retrail(item: &mut Item, trailing: Option<String>) {
    let (Some(t), Some(trailing)) = (item.as_inline_table_mut(), trailing) else {
        return;
    };
    let n = t.len();
    for (i, (_, v)) in t.iter_mut().enumerate() {
        let blank = v
            .decor()
            .suffix()
            .and_then(|s| s.as_str())
            .is_none_or(|s| s.trim().is_empty());
        if i + 1 == n {
            v.decor_mut().set_suffix(trailing.as_str());
        } else if blank {
            v.decor_mut().set_suffix("");
        }
    }
}

/// Sets a key to a value; a value already there keeps its comment and spacing.
fn set_value(t: &mut dyn TableLike, key: &str, v: Value) {
    match t.get_mut(key) {
        Some(item) => replace(item, v),
        None => {
            t.insert(key, Item::Value(v));
        }
    }
}

fn replace(item: &mut Item, mut v: Value) {
    if let Some(old) = item.as_value() {
        *v.decor_mut() = old.decor().clone();
    }
    *item = Item::Value(v);
}

fn number(v: &Value) -> Option<f64> {
    v.as_integer().map(|i| i as f64).or_else(|| v.as_float())
}

/// Whole values as TOML integers (as a person would type them), the rest as floats.
fn number_value(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        Value::from(v as i64)
    } else {
        Value::from(v)
    }
}

/// `1,335,154` and `0.9291`, for the report.
pub fn show(v: f64) -> String {
    if v.is_nan() {
        return "none".into();
    }
    if v.fract() != 0.0 {
        return format!("{v}");
    }
    crate::diagnostics::digits(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Text;

    fn indicator(id: &str, kind: &str, unit: &str) -> Indicator {
        Indicator {
            id: id.into(),
            kind: kind.into(),
            unit: unit.into(),
            signed: false,
            section: "trends".into(),
            chart: "line".into(),
            core: false,
            label: Text::plain(id),
            definition: None,
            default_source: Some("undesa".into()),
            derive: None,
            wdi_code: None,
            import_codes: Vec::new(),
            flow: None,
        }
    }

    fn indicators() -> BTreeMap<String, Indicator> {
        [
            indicator("migrant_stock", "series", "persons"),
            indicator("by_origin", "partners", "persons"),
        ]
        .into_iter()
        .map(|i| (i.id.clone(), i))
        .collect()
    }

    fn series(values: &[(i32, f64)]) -> SeriesPlan {
        SeriesPlan {
            source: "undesa".into(),
            values: values.iter().copied().collect(),
            female: BTreeMap::new(),
            male: BTreeMap::new(),
            estimated: None,
        }
    }

    fn run(text: &str, plan: &ProfilePlan) -> (String, ProfileReport) {
        let mut report = ProfileReport::default();
        let out = apply("p.toml", text, plan, &indicators(), &mut report).unwrap();
        (out, report)
    }

    fn with_series(values: &[(i32, f64)]) -> ProfilePlan {
        let mut plan = ProfilePlan::default();
        plan.series.insert("migrant_stock".into(), series(values));
        plan
    }

    #[test]
    fn comments_order_and_hand_values_stay() {
        let text = "# A profile.\n[country]\niso3 = \"MEX\" # the code\n\n[series.migrant_stock]\nnote = \"Hand note.\"\n[series.migrant_stock.values]\n1990 = 700000 # checked by hand\n2023 = 1700000 # national estimate\n\n[narrative.trends]\nen = \"Text.\"\n";
        let (out, report) = run(text, &with_series(&[(1990, 701513.0), (2020, 1335154.0)]));
        assert_eq!(
            out,
            "# A profile.\n[country]\niso3 = \"MEX\" # the code\n\n[series.migrant_stock]\nnote = \"Hand note.\"\n[series.migrant_stock.values]\n1990 = 701513 # checked by hand\n2020 = 1335154\n2023 = 1700000 # national estimate\n\n[narrative.trends]\nen = \"Text.\"\n"
        );
        assert_eq!(report.changed.len(), 1);
        assert_eq!(report.changed[0].old, "700,000");
        assert_eq!(
            report.added,
            vec![("migrant_stock".to_string(), vec!["2020".to_string()])]
        );
        assert_eq!(report.left, vec!["migrant_stock 2023".to_string()]);
        // Twice is once.
        let (again, report) = run(&out, &with_series(&[(1990, 701513.0), (2020, 1335154.0)]));
        assert_eq!(again, out);
        assert!(!report.touched());
        assert_eq!(report.unchanged, 2);
    }

    #[test]
    fn inline_tables_stay_inline_and_equal_values_keep_their_spelling() {
        let text = "[series.migrant_stock]\nvalues = { 2000 = 5.38e5, 2024 = 1726089 }\n";
        let (out, _) = run(text, &with_series(&[(2000, 538000.0), (2010, 957593.0)]));
        assert_eq!(
            out,
            "[series.migrant_stock]\nvalues = { 2000 = 5.38e5, 2010 = 957593, 2024 = 1726089 }\n"
        );
    }

    #[test]
    fn an_inline_table_grown_long_becomes_a_table() {
        let text = "[series.migrant_stock]\nvalues = { 2000 = 1 }\nnote = \"n\"\n";
        let years: Vec<(i32, f64)> = (2000..2012).map(|y| (y, 1.0)).collect();
        let (out, _) = run(text, &with_series(&years));
        assert!(out.starts_with("[series.migrant_stock]\nnote = \"n\"\n\n[series.migrant_stock.values]\n2000 = 1\n2001 = 1\n"), "{out}");
        assert!(out.ends_with("2011 = 1\n"), "{out}");
    }

    #[test]
    fn a_table_out_of_order_is_appended_to_not_sorted() {
        let text = "[series.migrant_stock.values]\n2020 = 1\n1990 = 2\n";
        let (out, _) = run(text, &with_series(&[(2000, 3.0)]));
        assert_eq!(
            out,
            "[series.migrant_stock.values]\n2020 = 1\n1990 = 2\n2000 = 3\n"
        );
    }

    #[test]
    fn a_new_series_names_its_source_and_a_different_source_is_a_change() {
        let (out, _) = run("[country]\niso3 = \"MEX\"\n", &with_series(&[(2020, 1.0)]));
        assert_eq!(
            out,
            "[country]\niso3 = \"MEX\"\n\n[series.migrant_stock]\nsource = \"undesa\"\n\n[series.migrant_stock.values]\n2020 = 1\n"
        );
        let text =
            "[series.migrant_stock]\nsource = \"census\" # national\nvalues = { 2020 = 1 }\n";
        let (out, report) = run(text, &with_series(&[(2020, 1.0)]));
        assert!(out.contains("source = \"undesa\" # national"), "{out}");
        assert_eq!(report.changed[0].what, "migrant_stock: source");
    }

    #[test]
    fn partners_of_the_same_year_are_updated_and_other_recomputed() {
        let mut plan = ProfilePlan::default();
        plan.partners.insert(
            "by_origin".into(),
            PartnersPlan {
                source: "undesa".into(),
                year: 2024,
                all: vec![
                    ("USA".into(), 800.0),
                    ("HND".into(), 150.0),
                    ("GTM".into(), 40.0),
                    ("CAN".into(), 10.0),
                ],
                top: 2,
                total: 1100.0,
            },
        );
        // A hand-listed partner the data has (CAN) stays listed; one it lacks (XKX) is left.
        let text = "[partners.by_origin]\nyear = 2024\nvalues = { USA = 700, CAN = 9, XKX = 5 }\nother = 1\n";
        let (out, report) = run(text, &plan);
        assert_eq!(
            out,
            "[partners.by_origin]\nyear = 2024\nvalues = { USA = 800, CAN = 10, XKX = 5, HND = 150 }\nother = 140\n"
        );
        assert_eq!(report.left, vec!["by_origin 2024 XKX".to_string()]);
        // An older year is replaced whole.
        let text = "[partners.by_origin]\nyear = 2020\nsource = \"undesa\"\nvalues = { USA = 1, MEX = 2 }\n";
        let (out, report) = run(text, &plan);
        assert!(out.contains("year = 2024"), "{out}");
        assert!(!out.contains("MEX"), "{out}");
        assert_eq!(report.replaced, 2);
        // A newer one is the team's.
        let text = "[partners.by_origin]\nyear = 2025\nvalues = { USA = 1 }\n";
        let (out, report) = run(text, &plan);
        assert_eq!(out, text);
        assert_eq!(report.left.len(), 1);
    }

    #[test]
    fn what_is_not_a_table_is_an_error() {
        let mut report = ProfileReport::default();
        let err = apply(
            "p.toml",
            "series = 3\n",
            &with_series(&[(2020, 1.0)]),
            &indicators(),
            &mut report,
        )
        .unwrap_err();
        assert!(err.message.contains("`series` is not a table"));
        let err = apply(
            "p.toml",
            "[series\n",
            &with_series(&[(2020, 1.0)]),
            &indicators(),
            &mut report,
        )
        .unwrap_err();
        assert!(err.message.starts_with("not TOML"));
        assert!(err.span.is_some());
    }

    #[test]
    fn numbers_for_people() {
        assert_eq!(show(1335154.0), "1,335,154");
        assert_eq!(show(-147456.0), "-147,456");
        assert_eq!(show(0.9291), "0.9291");
        assert_eq!(number_value(5.0).to_string(), "5");
        assert_eq!(number_value(0.5).to_string(), "0.5");
    }
}
