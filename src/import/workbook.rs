//! The UN DESA "International Migrant Stock: Destination" workbook (`.xlsx`).
//!
//! Table 1 holds the migrant stock by destination at mid-year, in three blocks of year
//! columns (both sexes, males, females), one row per region or country keyed by its
//! M49 code. The reader finds the blocks by their titles and the years by the header
//! row (the one with "Location code"), so a later edition with more years reads too.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data as Cell, Reader as _, Xlsx};

use super::read::{Data, Dataset, Format, SeriesIn, measure};
use crate::diagnostics::Diagnostic;

const SHEET: &str = "Table 1";

#[derive(Clone, Copy, PartialEq)]
enum Part {
    Both,
    Male,
    Female,
}

pub fn read_workbook(file: &str, bytes: &[u8], diags: &mut Vec<Diagnostic>) -> Option<Dataset> {
    let error = |message: String| Diagnostic::error(file, None, message);
    let mut book = match Xlsx::new(Cursor::new(bytes)) {
        Ok(b) => b,
        Err(e) => {
            diags.push(error(format!("not a readable .xlsx workbook: {e}")));
            return None;
        }
    };
    let range = match book.worksheet_range(SHEET) {
        Ok(r) => r,
        Err(e) => {
            diags.push(
                error(format!("no sheet `{SHEET}` ({e})")).with_help(
                    "`import` reads the UN DESA destination workbook, whose Table 1 is the migrant stock by sex",
                ),
            );
            return None;
        }
    };
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let at = |r: usize, c: usize| cell_ref(row0 as usize + r, col0 as usize + c);
    let rows: Vec<&[Cell]> = range.rows().collect();
    let Some(header) = rows.iter().position(|row| {
        row.iter()
            .any(|c| text(c).is_some_and(|t| t.eq_ignore_ascii_case("location code")))
    }) else {
        diags.push(error(format!(
            "{SHEET} has no header row with a `Location code` column"
        )));
        return None;
    };
    let code_col = rows[header]
        .iter()
        .position(|c| text(c).is_some_and(|t| t.eq_ignore_ascii_case("location code")))?;
    // The block titles sit above the header: each covers the columns up to the next.
    let mut part_of = vec![None; rows[header].len()];
    for row in &rows[..header] {
        let mut current = None;
        for (c, cell) in row.iter().enumerate() {
            if let Some(t) = text(cell) {
                let t = t.to_ascii_lowercase();
                current = if t.contains("both sexes") {
                    Some(Part::Both)
                } else if t.contains("females") {
                    Some(Part::Female)
                } else if t.contains("males") {
                    Some(Part::Male)
                } else {
                    current
                };
            }
            if current.is_some() && c < part_of.len() {
                part_of[c] = current;
            }
        }
    }
    let mut columns = Vec::new();
    for (c, cell) in rows[header].iter().enumerate() {
        let year = match cell {
            Cell::Float(f) if f.fract() == 0.0 => Some(*f as i32),
            Cell::Int(i) => i32::try_from(*i).ok(),
            Cell::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        if let (Some(year), Some(part)) = (year.filter(|y| (1900..=2100).contains(y)), part_of[c]) {
            columns.push((c, year, part));
        }
    }
    if !columns.iter().any(|(_, _, p)| *p == Part::Both) {
        diags.push(error(format!(
            "{SHEET} has no year columns under a \"both sexes\" title"
        )));
        return None;
    }
    let mut places: BTreeMap<String, SeriesIn> = BTreeMap::new();
    let mut errors = 0;
    for (r, row) in rows.iter().enumerate().skip(header + 1) {
        let Some(m49) = (match row.get(code_col) {
            Some(Cell::Float(f)) if f.fract() == 0.0 && *f >= 0.0 => Some(*f as u32),
            Some(Cell::Int(i)) => u32::try_from(*i).ok(),
            Some(Cell::String(s)) => s.trim().parse().ok(),
            _ => None,
        }) else {
            continue; // notes and blank rows below the table
        };
        let code =
            crate::places::by_m49(m49).map_or_else(|| format!("M49 {m49}"), |p| p.code.clone());
        let series = places.entry(code).or_default();
        for &(c, year, part) in &columns {
            let value = match row.get(c) {
                Some(Cell::Float(f)) => Some(*f),
                Some(Cell::Int(i)) => Some(*i as f64),
                Some(Cell::Empty) | None => None,
                Some(Cell::String(s)) if matches!(s.trim(), "" | ".." | "-" | "…") => None,
                Some(other) => {
                    errors += 1;
                    diags.push(error(format!(
                        "{SHEET}, cell {}: `{other}` is not a number",
                        at(r, c)
                    )));
                    None
                }
            };
            let Some(v) = value else { continue };
            if v < 0.0 || !v.is_finite() {
                errors += 1;
                diags.push(error(format!(
                    "{SHEET}, cell {}: a count cannot be {v}",
                    at(r, c)
                )));
                continue;
            }
            let target = match part {
                Part::Both => &mut series.values,
                Part::Female => &mut series.female,
                Part::Male => &mut series.male,
            };
            target.insert(
                year,
                super::read::Cell {
                    value: v,
                    span: None,
                },
            );
        }
    }
    if errors > 0 {
        return None;
    }
    Some(Dataset {
        file: file.to_string(),
        format: Format::UndesaWorkbook,
        measures: vec![measure("undesa:immigrants", Data::Series(places))],
        uncoded: Vec::new(),
    })
}

fn text(cell: &Cell) -> Option<&str> {
    match cell {
        Cell::String(s) => Some(s.trim()),
        _ => None,
    }
}

/// `F242` for row 241, column 5 (both from zero).
fn cell_ref(row: usize, col: usize) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        letters.push(b'A' + ((c - 1) % 26) as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row + 1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn cell_refs() {
        assert_eq!(super::cell_ref(0, 0), "A1");
        assert_eq!(super::cell_ref(241, 5), "F242");
        assert_eq!(super::cell_ref(9, 26), "AA10");
    }
}
