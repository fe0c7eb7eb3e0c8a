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
    // calamine is third-party code reading hostile bytes, and one of its sums overflows
    // on a cell named `AAAAAAAA1` (found by the `import_sheet` fuzz target): a panic in
    // it is this file's error, not mpgen's end.
    let opened = std::panic::catch_unwind(|| Xlsx::new(Cursor::new(bytes)))
        .unwrap_or_else(|_| Err(calamine::XlsxError::Unexpected("malformed parts")));
    let mut book = match opened {
        Ok(b) => b,
        Err(e) => {
            diags.push(error(format!("not a readable .xlsx workbook: {e}")));
            return None;
        }
    };
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sheet(&mut book)))
        .unwrap_or_else(|_| {
            Err(format!(
                "{SHEET} cannot be read: a cell's name or value is malformed"
            ))
        });
    let range = match read {
        Ok(r) => r,
        Err(e) => {
            diags.push(error(e).with_help(
                "`import` reads the UN DESA destination workbook, whose Table 1 is the migrant stock by sex",
            ));
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

/// The most cells with a value Table 1 may hold, and the most cells the rectangle
/// around them may span: the real table has about 15,000 of each. A sheet names its
/// cells' places itself, so one cell at `XFD1048576` must not make a grid of 17
/// billion.
const MAX_CELLS: usize = 1_000_000;
const MAX_SPAN: u64 = 2_000_000;

/// Table 1's cells with a value, streamed and bounded, as one range.
fn sheet(book: &mut Xlsx<Cursor<&[u8]>>) -> Result<calamine::Range<Cell>, String> {
    let mut reader = book
        .worksheet_cells_reader(SHEET)
        .map_err(|e| format!("no sheet `{SHEET}` ({e})"))?;
    let mut cells = Vec::new();
    let (mut low, mut high) = ((u32::MAX, u32::MAX), (0u32, 0u32));
    while let Some(cell) = reader
        .next_cell()
        .map_err(|e| format!("{SHEET} cannot be read: {e}"))?
    {
        if matches!(cell.get_value(), calamine::DataRef::Empty) {
            continue;
        }
        if cells.len() == MAX_CELLS {
            return Err(format!(
                "{SHEET} has more than {MAX_CELLS} cells with a value; is this the UN DESA workbook?"
            ));
        }
        let (r, c) = cell.get_position();
        low = (low.0.min(r), low.1.min(c));
        high = (high.0.max(r), high.1.max(c));
        let span = (u64::from(high.0 - low.0) + 1) * (u64::from(high.1 - low.1) + 1);
        if span > MAX_SPAN {
            return Err(format!(
                "{SHEET} spreads over {}:{}, more than {MAX_SPAN} cells; is this the UN DESA workbook?",
                cell_ref(low.0 as usize, low.1 as usize),
                cell_ref(high.0 as usize, high.1 as usize)
            ));
        }
        let value: Cell = cell.get_value().clone().into();
        cells.push(calamine::Cell::new((r, c), value));
    }
    Ok(calamine::Range::from_sparse(cells))
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

/// A workbook of one sheet, `Table 1`, holding `sheet_xml` (its `<worksheet>`) and
/// `strings_xml` (its `<sst>`): the smallest input of this reader, for regression tests
/// and the `import_sheet` fuzz target, which vary the sheet and not the zip around it.
#[doc(hidden)]
pub fn one_sheet_workbook(strings_xml: &[u8], sheet_xml: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    const PKG: &str = "http://schemas.openxmlformats.org/package/2006";
    let parts: [(&str, Vec<u8>); 6] = [
        ("[Content_Types].xml", format!(
            r#"<?xml version="1.0"?><Types xmlns="{PKG}/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#
        ).into_bytes()),
        ("_rels/.rels", format!(
            r#"<?xml version="1.0"?><Relationships xmlns="{PKG}/relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
        ).into_bytes()),
        ("xl/workbook.xml", format!(
            r#"<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="Table 1" sheetId="1" r:id="rId1"/></sheets></workbook>"#
        ).into_bytes()),
        ("xl/_rels/workbook.xml.rels", format!(
            r#"<?xml version="1.0"?><Relationships xmlns="{PKG}/relationships"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#
        ).into_bytes()),
        ("xl/worksheets/sheet1.xml", sheet_xml.to_vec()),
        ("xl/sharedStrings.xml", strings_xml.to_vec()),
    ];
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in parts {
        // Writing into memory fails only when memory does.
        let _ = zip.start_file(name, stored);
        let _ = zip.write_all(&bytes);
    }
    zip.finish().map(Cursor::into_inner).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn cell_refs() {
        assert_eq!(super::cell_ref(0, 0), "A1");
        assert_eq!(super::cell_ref(241, 5), "F242");
        assert_eq!(super::cell_ref(9, 26), "AA10");
    }

    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    fn read(sheet_data: &str) -> (Option<super::Dataset>, Vec<crate::diagnostics::Diagnostic>) {
        let strings = format!(
            r#"<sst xmlns="{MAIN}"><si><t>Location code</t></si><si><t>International migrant stock at mid-year (both sexes)</t></si></sst>"#
        );
        let sheet =
            format!(r#"<worksheet xmlns="{MAIN}"><sheetData>{sheet_data}</sheetData></worksheet>"#);
        let bytes = super::one_sheet_workbook(strings.as_bytes(), sheet.as_bytes());
        let mut diags = Vec::new();
        (super::read_workbook("t.xlsx", &bytes, &mut diags), diags)
    }

    #[test]
    fn a_small_table_reads() {
        let (d, diags) = read(
            r#"<row r="1"><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2"><v>2020</v></c></row><row r="3"><c r="A3"><v>484</v></c><c r="B3"><v>1197624</v></c></row>"#,
        );
        assert!(diags.is_empty(), "{diags:?}");
        let d = d.unwrap();
        let super::Data::Series(places) = &d.measures[0].data else {
            panic!()
        };
        assert_eq!(places["MEX"].values[&2020].value, 1197624.0);
    }
}
