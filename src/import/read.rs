//! Reading the CSV datasets `import` understands into measures keyed by code.
//!
//! A reader knows a layout, not a site: it turns rows into series and partner tables
//! keyed by the codes the file uses (`MEX`, `WLD`, `CHI` ...) and by a measure code
//! (`SM.POP.TOTL`, `undesa:immigrants`). Which codes are places and which measures are
//! indicators is decided later, against the site (`map`).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use crate::diagnostics::Diagnostic;
use crate::load::toml_reader::Sp;

/// The layouts `import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// World Bank download: preamble, then one column per year.
    WdiWide,
    /// World Bank `Country Name,Country Code,Year,Value`.
    WdiTidy,
    /// `iso3,indicator,year,value[,source,flag]`.
    Tidy,
    /// UN DESA International Migrant Stock as `geo,t,from,sex,n`.
    UndesaBilateral,
    /// The UN DESA "Destination" workbook (`.xlsx`), keyed by M49 codes.
    UndesaWorkbook,
    /// UNHCR `geo,t,from,group,n`.
    Unhcr,
    /// IDMC internal displacements `geo,t,cause,n`.
    IdmcFlows,
    /// IOM gdidata's long WDI table `geo,var,t,v`.
    GdidataWdi,
}

impl Format {
    pub fn describe(self) -> &'static str {
        match self {
            Format::WdiWide => "World Bank WDI, wide download",
            Format::WdiTidy => "World Bank WDI, tidy",
            Format::Tidy => "tidy CSV",
            Format::UndesaBilateral => "UN DESA migrant stock, bilateral",
            Format::UndesaWorkbook => "UN DESA migrant stock, destination workbook",
            Format::Unhcr => "UNHCR forcibly displaced populations",
            Format::IdmcFlows => "IDMC internal displacements",
            Format::GdidataWdi => "WDI long table (IOM gdidata)",
        }
    }
}

/// The headers a CSV may start with, for the error when it has none of them.
pub const LAYOUTS: &str = "`iso3,indicator,year,value[,source,flag]`, `Country Name,Country Code,Year,Value`, \
a World Bank download (`\"Data Source\",...`), `geo,t,from,sex,n` (UN DESA), `geo,t,from,group,n` (UNHCR), \
`geo,t,cause,n` (IDMC), `geo,var,t,v`, or a UN DESA `.xlsx` workbook";

/// One file, read.
#[derive(Debug)]
pub struct Dataset {
    pub file: String,
    pub format: Format,
    pub measures: Vec<Measure>,
    /// Rows with no country code at all (a World Bank row for Kosovo has none): names.
    pub uncoded: Vec<String>,
}

/// One measure of a file: what a code counts, by place.
#[derive(Debug)]
pub struct Measure {
    /// `None` when the file does not say (a tidy World Bank file without its
    /// `datapackage.json`): `--indicator` must.
    pub code: Option<String>,
    /// Where the code is written, for an error about it.
    pub span: Option<Range<usize>>,
    pub data: Data,
}

#[derive(Debug)]
pub enum Data {
    /// place -> series
    Series(BTreeMap<String, SeriesIn>),
    /// place -> year -> partner -> value
    Partners(BTreeMap<String, BTreeMap<i32, BTreeMap<String, f64>>>),
}

/// A series as a file gives it.
#[derive(Debug, Default)]
pub struct SeriesIn {
    pub values: BTreeMap<i32, Cell>,
    pub female: BTreeMap<i32, Cell>,
    pub male: BTreeMap<i32, Cell>,
    /// The years flagged as estimates, when the file flags them at all.
    pub estimated: Option<BTreeSet<i32>>,
    /// A source named by the file itself (tidy CSV).
    pub source: Option<Sp<String>>,
}

/// A value and where it was read (`None` for sums over many rows).
#[derive(Debug, Clone)]
pub struct Cell {
    pub value: f64,
    pub span: Option<Range<usize>>,
}

/// How many errors one file reports before it stops listing them.
const MAX_ERRORS: usize = 20;

/// Reads a CSV file's text. `code_hint` is the World Bank code a tidy World Bank file
/// is about, from its folder (see `mod.rs`).
pub fn read_csv(
    file: &str,
    text: &str,
    code_hint: Option<String>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Dataset> {
    let mut rows = Rows::new(file, text);
    let Some(header) = rows.next_row(diags) else {
        diags.push(Diagnostic::error(file, None, "the file is empty"));
        return None;
    };
    let names: Vec<String> = header
        .fields
        .iter()
        .map(|f| f.trim().to_ascii_lowercase())
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut r = Reader {
        file,
        rows,
        diags,
        errors: 0,
        width: header.fields.len(),
    };
    let dataset = match names.as_slice() {
        ["data source", ..] => r.wdi_wide(),
        ["country name", "country code", "year", "value"] => r.wdi_tidy(code_hint),
        ["iso3", "indicator", "year", "value", rest @ ..] => r.tidy(&header, rest),
        ["geo", "t", "from", "sex", "n", ..] => r.undesa(),
        ["geo", "t", "from", "group", "n"] => r.unhcr(),
        ["geo", "t", "cause", "n"] => r.idmc(),
        ["geo", "var", "t", "v"] => r.gdidata_wdi(),
        _ => {
            r.diags.push(
                Diagnostic::error(
                    file,
                    Some(header.line_span(text)),
                    "not a layout `import` reads",
                )
                .with_help(format!("the first line must be one of {LAYOUTS}")),
            );
            return None;
        }
    };
    if r.errors > MAX_ERRORS {
        r.diags.push(Diagnostic::error(
            file,
            None,
            format!(
                "{} more errors in this file are not shown",
                r.errors - MAX_ERRORS
            ),
        ));
    }
    (r.errors == 0).then_some(dataset)
}

/// One CSV record: its fields and where it starts.
struct Row {
    fields: csv::StringRecord,
    start: usize,
}

impl Row {
    /// The byte span of field `i` in the file's text (quotes included).
    fn span(&self, text: &str, i: usize) -> Range<usize> {
        let bytes = text.as_bytes();
        let (mut pos, mut field, mut quoted, mut field_start) = (self.start, 0, false, self.start);
        while pos < bytes.len() {
            match bytes[pos] {
                b'"' => quoted = !quoted,
                b',' if !quoted => {
                    if field == i {
                        return field_start..pos;
                    }
                    field += 1;
                    field_start = pos + 1;
                }
                b'\n' | b'\r' if !quoted => break,
                _ => {}
            }
            pos += 1;
        }
        if field == i {
            field_start..pos
        } else {
            // Past the end of a short row: point at its end.
            pos..pos
        }
    }

    fn line_span(&self, text: &str) -> Range<usize> {
        let end = text[self.start..]
            .find(['\n', '\r'])
            .map_or(text.len(), |n| self.start + n);
        self.start..end
    }

    fn get(&self, i: usize) -> &str {
        self.fields.get(i).unwrap_or("").trim()
    }
}

struct Rows<'t> {
    text: &'t str,
    inner: csv::StringRecordsIntoIter<&'t [u8]>,
}

impl<'t> Rows<'t> {
    fn new(_file: &str, text: &'t str) -> Self {
        let inner = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes())
            .into_records();
        Rows { text, inner }
    }

    /// The next non-blank record; a CSV syntax error is reported and ends the file.
    fn next_row(&mut self, diags: &mut Vec<Diagnostic>) -> Option<Row> {
        loop {
            match self.inner.next()? {
                Ok(fields) => {
                    if fields.iter().all(|f| f.trim().is_empty()) {
                        continue;
                    }
                    let mut start = fields.position().map_or(0, |p| p.byte() as usize);
                    // After a `\r\n`, the reader's position is the `\n`: the row
                    // starts on the next line.
                    while self
                        .text
                        .as_bytes()
                        .get(start)
                        .is_some_and(|b| matches!(b, b'\r' | b'\n'))
                    {
                        start += 1;
                    }
                    return Some(Row { fields, start });
                }
                Err(e) => {
                    let start = e.position().map_or(0, |p| p.byte() as usize);
                    let end = self.text[start..]
                        .find(['\n', '\r'])
                        .map_or(self.text.len(), |n| start + n);
                    diags.push(Diagnostic::error(
                        "",
                        Some(start..end),
                        format!("not valid CSV: {e}"),
                    ));
                    return None;
                }
            }
        }
    }
}

struct Reader<'a, 't> {
    file: &'a str,
    rows: Rows<'t>,
    diags: &'a mut Vec<Diagnostic>,
    errors: usize,
    /// The header's field count: a shorter row is cut short.
    width: usize,
}

impl Reader<'_, '_> {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.errors += 1;
        if self.errors <= MAX_ERRORS {
            self.diags
                .push(Diagnostic::error(self.file, Some(span), message));
        }
    }

    fn next(&mut self) -> Option<Row> {
        let before = self.diags.len();
        let row = self.rows.next_row(self.diags);
        // A syntax error comes back without the file name; it is this file's.
        for d in &mut self.diags[before..] {
            d.file = self.file.to_string();
            self.errors += 1;
        }
        row
    }

    /// Every data row with at least `width` fields (and as many as the header has);
    /// shorter rows (a truncated file) are errors.
    fn each_row(&mut self, width: usize, mut f: impl FnMut(&mut Self, &Row)) {
        let width = width.max(self.width);
        while let Some(row) = self.next() {
            if row.fields.len() < width {
                let span = row.line_span(self.rows.text);
                self.error(
                    span,
                    format!(
                        "this row has {} fields where the header has {width}; is the file cut short?",
                        row.fields.len()
                    ),
                );
                continue;
            }
            f(self, &row);
        }
    }

    fn year(&mut self, row: &Row, i: usize) -> Option<i32> {
        let raw = row.get(i);
        match raw.parse::<i32>() {
            Ok(y) if (1900..=2100).contains(&y) => Some(y),
            Ok(_) => {
                let span = row.span(self.rows.text, i);
                self.error(span, format!("year {raw} is outside 1900..=2100"));
                None
            }
            Err(_) => {
                let span = row.span(self.rows.text, i);
                self.error(span, format!("`{raw}` is not a year"));
                None
            }
        }
    }

    /// A value; `Ok(None)` for an empty cell (a missing value, never zero), or the
    /// missing-value marks of the World Bank (`..`) and R (`NA`).
    fn value(&mut self, row: &Row, i: usize) -> Result<Option<f64>, ()> {
        let raw = row.get(i);
        if raw.is_empty() || raw == ".." || raw == "NA" {
            return Ok(None);
        }
        match raw.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            _ => {
                let span = row.span(self.rows.text, i);
                self.error(span, format!("`{raw}` is not a number"));
                Err(())
            }
        }
    }

    /// A count (persons, displacements): a number that is not negative.
    fn count(&mut self, row: &Row, i: usize) -> Option<f64> {
        let v = self.value(row, i).ok()??;
        if v < 0.0 {
            let span = row.span(self.rows.text, i);
            self.error(span, format!("a count cannot be negative ({v})"));
            return None;
        }
        Some(v)
    }

    /// Puts a year's value into a series; a second, different value for the same place,
    /// measure and year is an error naming both lines, never a silent last-one-wins.
    fn put(&mut self, values: &mut BTreeMap<i32, Cell>, year: i32, cell: Cell, what: (&str, &str)) {
        use std::collections::btree_map::Entry;
        match values.entry(year) {
            Entry::Vacant(e) => {
                e.insert(cell);
            }
            Entry::Occupied(e) if e.get().value == cell.value => {}
            Entry::Occupied(e) => {
                let here = cell.span.clone().unwrap_or(0..0);
                let message = if self.errors < MAX_ERRORS {
                    let first = e.get().span.as_ref().map_or(0, |s| s.start);
                    let (line, _) = crate::diagnostics::line_col(self.rows.text, first);
                    format!(
                        "{} `{}` in {year} is {} here but {} on line {line}; keep one of the two rows",
                        what.0,
                        what.1,
                        cell.value,
                        e.get().value
                    )
                } else {
                    String::new()
                };
                self.error(here, message);
            }
        }
    }

    /// Whether a row's key is new; a row repeating an earlier one's key (which would be
    /// added in twice) is an error naming the earlier line.
    fn first_of(
        &mut self,
        seen: &mut rustc_hash::FxHashMap<String, usize>,
        key: String,
        row: &Row,
    ) -> bool {
        match seen.entry(key) {
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(row.start);
                true
            }
            std::collections::hash_map::Entry::Occupied(e) => {
                let message = if self.errors < MAX_ERRORS {
                    let (line, _) = crate::diagnostics::line_col(self.rows.text, *e.get());
                    format!(
                        "this row repeats line {line} (the same place, year and group); keep one of them"
                    )
                } else {
                    String::new()
                };
                let span = row.line_span(self.rows.text);
                self.error(span, message);
                false
            }
        }
    }

    fn cell(&self, row: &Row, i: usize, value: f64) -> Cell {
        Cell {
            value,
            span: Some(row.span(self.rows.text, i)),
        }
    }

    fn wdi_wide(&mut self) -> Dataset {
        // The preamble ("Data Source", "Last Updated Date") runs until the header.
        let header = loop {
            match self.next() {
                Some(row) if row.get(0) == "Country Name" => break Some(row),
                Some(_) => continue,
                None => break None,
            }
        };
        let mut out = self.dataset(Format::WdiWide);
        let Some(header) = header else {
            self.error(
                0..0,
                "a World Bank download, but no `\"Country Name\",\"Country Code\",...` header follows the preamble",
            );
            return out;
        };
        let mut years = Vec::new();
        for i in 4..header.fields.len() {
            if header.get(i).is_empty() {
                continue; // the trailing comma of every line
            }
            if let Some(y) = self.year(&header, i) {
                years.push((i, y));
            }
        }
        if header.get(1) != "Country Code" || header.get(3) != "Indicator Code" {
            let span = header.line_span(self.rows.text);
            self.error(
                span,
                "expected `\"Country Name\",\"Country Code\",\"Indicator Name\",\"Indicator Code\",\"1960\",...`",
            );
            return out;
        }
        let width = years.last().map_or(4, |(i, _)| i + 1);
        let mut by_code = ByCode::new();
        self.each_row(width, |r, row| {
            let code = row.get(3).to_string();
            let place = row.get(1).to_ascii_uppercase();
            if place.is_empty() {
                out.uncoded.push(row.get(0).to_string());
                return;
            }
            let span = row.span(r.rows.text, 3);
            let (_, places) = by_code
                .entry(code)
                .or_insert_with(|| (span, BTreeMap::new()));
            let series = places.entry(place.clone()).or_default();
            for &(i, year) in &years {
                if let Ok(Some(v)) = r.value(row, i) {
                    let cell = r.cell(row, i, v);
                    r.put(&mut series.values, year, cell, (&place, row.get(3)));
                }
            }
        });
        out.measures = coded_measures(by_code);
        out
    }

    fn wdi_tidy(&mut self, code: Option<String>) -> Dataset {
        let mut places: BTreeMap<String, SeriesIn> = BTreeMap::new();
        let mut out = self.dataset(Format::WdiTidy);
        self.each_row(4, |r, row| {
            let place = row.get(1).to_ascii_uppercase();
            let year = r.year(row, 2);
            let value = r.value(row, 3);
            if place.is_empty() {
                out.uncoded.push(row.get(0).to_string());
                return;
            }
            if let (Some(year), Ok(Some(v))) = (year, value) {
                let cell = r.cell(row, 3, v);
                let values = &mut places.entry(place.clone()).or_default().values;
                r.put(
                    values,
                    year,
                    cell,
                    (&place, code.as_deref().unwrap_or("the indicator")),
                );
            }
        });
        out.measures.push(Measure {
            code,
            span: None,
            data: Data::Series(places),
        });
        out
    }

    fn tidy(&mut self, header: &Row, extra: &[&str]) -> Dataset {
        let mut out = self.dataset(Format::Tidy);
        let (mut source_col, mut flag_col) = (None, None);
        for (k, name) in extra.iter().enumerate() {
            let i = 4 + k;
            match *name {
                "source" if source_col.is_none() => source_col = Some(i),
                "flag" if flag_col.is_none() => flag_col = Some(i),
                _ => {
                    let span = header.span(self.rows.text, i);
                    self.error(
                        span,
                        format!("unknown column `{name}`; after `value` come `source` and `flag`, both optional"),
                    );
                }
            }
        }
        let mut by_code = ByCode::new();
        self.each_row(4 + extra.len(), |r, row| {
            let place = row.get(0).to_ascii_uppercase();
            let code = row.get(1).to_string();
            let year = r.year(row, 2);
            let value = r.value(row, 3);
            let (Some(year), Ok(value)) = (year, value) else {
                return;
            };
            if code.is_empty() || place.is_empty() {
                let span = row.span(r.rows.text, if place.is_empty() { 0 } else { 1 });
                r.error(span, "a row needs a place (`iso3`) and an `indicator`");
                return;
            }
            let span = row.span(r.rows.text, 1);
            let (_, places) = by_code.entry(code).or_insert_with(|| (span, BTreeMap::new()));
            let series = places.entry(place.clone()).or_default();
            if let Some(i) = source_col {
                let source = row.get(i);
                if !source.is_empty() {
                    let span = row.span(r.rows.text, i);
                    match &series.source {
                        Some(s) if s.value != source => {
                            let first = s.value.clone();
                            r.error(
                                span,
                                format!("this series already names source `{first}`; a series has one source"),
                            );
                        }
                        Some(_) => {}
                        None => series.source = Some(Sp::new(source.to_string(), span)),
                    }
                }
            }
            let Some(v) = value else { return };
            if let Some(i) = flag_col {
                let estimated = series.estimated.get_or_insert_with(BTreeSet::new);
                match row.get(i).to_ascii_lowercase().as_str() {
                    "" => {}
                    "e" | "estimated" | "p" | "provisional" => {
                        estimated.insert(year);
                    }
                    other => {
                        let span = row.span(r.rows.text, i);
                        r.error(
                            span,
                            format!("unknown flag `{other}`; a flag is empty, `estimated` (`e`) or `provisional` (`p`)"),
                        );
                    }
                }
            }
            let cell = r.cell(row, 3, v);
            r.put(&mut series.values, year, cell, (&place, row.get(1)));
        });
        out.measures = coded_measures(by_code);
        out
    }

    fn undesa(&mut self) -> Dataset {
        let mut immigrants: BTreeMap<String, SeriesIn> = BTreeMap::new();
        let mut emigrants: BTreeMap<String, SeriesIn> = BTreeMap::new();
        let mut by_origin = BTreeMap::new();
        let mut by_destination = BTreeMap::new();
        let mut seen = rustc_hash::FxHashMap::default();
        self.each_row(5, |r, row| {
            let year = r.year(row, 1);
            let n = r.count(row, 4);
            let sex = row.get(3);
            if sex != "female" && sex != "male" {
                let span = row.span(r.rows.text, 3);
                r.error(
                    span,
                    format!("`{sex}` is not a sex of this table (`female` or `male`)"),
                );
                return;
            }
            let (Some(year), Some(n)) = (year, n) else {
                return;
            };
            let (geo, from) = (
                row.get(0).to_ascii_uppercase(),
                row.get(2).to_ascii_uppercase(),
            );
            if !r.first_of(&mut seen, format!("{geo},{year},{from},{sex}"), row) {
                return;
            }
            add_by_sex(immigrants.entry(geo.clone()).or_default(), year, sex, n);
            add_by_sex(emigrants.entry(from.clone()).or_default(), year, sex, n);
            add_partner(&mut by_origin, &geo, year, &from, n);
            add_partner(&mut by_destination, &from, year, &geo, n);
        });
        let mut out = self.dataset(Format::UndesaBilateral);
        out.measures = vec![
            measure("undesa:immigrants", Data::Series(immigrants)),
            measure("undesa:emigrants", Data::Series(emigrants)),
            measure("undesa:immigrants_by_origin", Data::Partners(by_origin)),
            measure(
                "undesa:emigrants_by_destination",
                Data::Partners(by_destination),
            ),
        ];
        out
    }

    fn unhcr(&mut self) -> Dataset {
        let mut hosted = ByKey::new();
        let mut origin = ByKey::new();
        let mut seen = rustc_hash::FxHashMap::default();
        self.each_row(5, |r, row| {
            let year = r.year(row, 1);
            let n = r.count(row, 4);
            let (Some(year), Some(n)) = (year, n) else {
                return;
            };
            let group = row.get(3).to_ascii_lowercase().replace(' ', "_");
            let key = format!(
                "{},{year},{},{group}",
                row.get(0).to_ascii_uppercase(),
                row.get(2).to_ascii_uppercase()
            );
            if !r.first_of(&mut seen, key, row) {
                return;
            }
            add_to(&mut hosted, &group, row.get(0), year, n);
            add_to(&mut origin, &group, row.get(2), year, n);
        });
        let mut out = self.dataset(Format::Unhcr);
        out.measures = measures(hosted, |g| format!("unhcr:{g}:hosted"));
        out.measures
            .extend(measures(origin, |g| format!("unhcr:{g}:origin")));
        out
    }

    fn idmc(&mut self) -> Dataset {
        let mut by_cause = ByKey::new();
        let mut seen = rustc_hash::FxHashMap::default();
        self.each_row(4, |r, row| {
            let year = r.year(row, 1);
            let n = r.count(row, 3);
            let (Some(year), Some(n)) = (year, n) else {
                return;
            };
            let cause = row.get(2).to_ascii_lowercase().replace(' ', "_");
            let key = format!("{},{year},{cause}", row.get(0).to_ascii_uppercase());
            if !r.first_of(&mut seen, key, row) {
                return;
            }
            if cause != "conflict" {
                add_to(&mut by_cause, "disaster", row.get(0), year, n);
            }
            add_to(&mut by_cause, &cause, row.get(0), year, n);
        });
        let mut out = self.dataset(Format::IdmcFlows);
        out.measures = measures(by_cause, |c| format!("idmc:{c}"));
        out
    }

    fn gdidata_wdi(&mut self) -> Dataset {
        let mut by_var: BTreeMap<String, BTreeMap<String, SeriesIn>> = BTreeMap::new();
        self.each_row(4, |r, row| {
            let year = r.year(row, 2);
            let value = r.value(row, 3);
            let (Some(year), Ok(Some(v))) = (year, value) else {
                return;
            };
            let cell = r.cell(row, 3, v);
            let var = gdidata_code(row.get(1));
            let place = row.get(0).to_ascii_uppercase();
            let values = &mut by_var
                .entry(var)
                .or_default()
                .entry(place.clone())
                .or_default()
                .values;
            r.put(values, year, cell, (&place, row.get(1)));
        });
        let mut out = self.dataset(Format::GdidataWdi);
        out.measures = by_var
            .into_iter()
            .map(|(code, places)| measure(&code, Data::Series(places)))
            .collect();
        out
    }

    fn dataset(&self, format: Format) -> Dataset {
        Dataset {
            file: self.file.to_string(),
            format,
            measures: Vec::new(),
            uncoded: Vec::new(),
        }
    }
}

/// gdidata names World Bank series by short names; those with a WDI code get it, so
/// `wdi_code` maps them like any World Bank file.
fn gdidata_code(var: &str) -> String {
    match var {
        "remin" => "BX.TRF.PWKR.CD.DT".into(),
        "remout" => "BM.TRF.PWKR.CD.DT".into(),
        "nmig" => "SM.POP.NETM".into(),
        "gdp" => "NY.GDP.MKTP.CD".into(),
        other => format!("gdidata:{other}"),
    }
}

pub(super) fn measure(code: &str, data: Data) -> Measure {
    Measure {
        code: Some(code.to_string()),
        span: None,
        data,
    }
}

/// Series by the code a file writes in a column (`Indicator Code`, `indicator`), with
/// where it is first written, then by place.
type ByCode = BTreeMap<String, (Range<usize>, BTreeMap<String, SeriesIn>)>;

fn coded_measures(by_code: ByCode) -> Vec<Measure> {
    by_code
        .into_iter()
        .map(|(code, (span, places))| Measure {
            code: Some(code),
            span: Some(span),
            data: Data::Series(places),
        })
        .collect()
}

/// Sums by measure key (a UNHCR group, an IDMC cause), then by place.
type ByKey = BTreeMap<String, BTreeMap<String, SeriesIn>>;

fn add_to(sums: &mut ByKey, key: &str, place: &str, year: i32, n: f64) {
    let series = sums
        .entry(key.to_string())
        .or_default()
        .entry(place.to_ascii_uppercase())
        .or_default();
    add(series, year, n);
}

fn measures(sums: ByKey, code: impl Fn(&str) -> String) -> Vec<Measure> {
    sums.into_iter()
        .map(|(key, places)| measure(&code(&key), Data::Series(places)))
        .collect()
}

fn add(series: &mut SeriesIn, year: i32, n: f64) {
    series
        .values
        .entry(year)
        .or_insert(Cell {
            value: 0.0,
            span: None,
        })
        .value += n;
}

pub(super) fn add_by_sex(series: &mut SeriesIn, year: i32, sex: &str, n: f64) {
    add(series, year, n);
    let part = if sex == "female" {
        &mut series.female
    } else {
        &mut series.male
    };
    part.entry(year)
        .or_insert(Cell {
            value: 0.0,
            span: None,
        })
        .value += n;
}

fn add_partner(
    table: &mut BTreeMap<String, BTreeMap<i32, BTreeMap<String, f64>>>,
    place: &str,
    year: i32,
    partner: &str,
    n: f64,
) {
    *table
        .entry(place.to_string())
        .or_default()
        .entry(year)
        .or_default()
        .entry(partner.to_string())
        .or_default() += n;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Option<Dataset>, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let d = read_csv("in.csv", text, Some("SM.POP.TOTL".into()), &mut diags);
        (d, diags)
    }

    fn series<'d>(d: &'d Dataset, code: &str) -> &'d BTreeMap<String, SeriesIn> {
        let m = d
            .measures
            .iter()
            .find(|m| m.code.as_deref() == Some(code))
            .unwrap();
        match &m.data {
            Data::Series(s) => s,
            Data::Partners(_) => panic!("{code} is partners"),
        }
    }

    #[test]
    fn each_layout_is_known_by_its_header() {
        let cases = [
            (
                "iso3,indicator,year,value\nMEX,migrant_stock,2020,5\n",
                Format::Tidy,
            ),
            (
                "Country Name,Country Code,Year,Value\nMexico,MEX,2020,5\n",
                Format::WdiTidy,
            ),
            (
                "geo,t,from,sex,n,type_b\nMEX,2020,USA,female,5,1\n",
                Format::UndesaBilateral,
            ),
            (
                "geo,t,from,group,n\nMEX,2020,HND,refugee,5\n",
                Format::Unhcr,
            ),
            ("geo,t,cause,n\nPHL,2022,storm,5\n", Format::IdmcFlows),
            ("geo,var,t,v\nMEX,remin,2022,5\n", Format::GdidataWdi),
        ];
        for (text, format) in cases {
            let (d, diags) = read(text);
            assert!(diags.is_empty(), "{diags:?}");
            assert_eq!(d.unwrap().format, format);
        }
    }

    #[test]
    fn a_wrong_header_is_an_error_on_line_one() {
        let (d, diags) = read("country,year,value\nMEX,2020,5\n");
        assert!(d.is_none());
        assert_eq!(diags[0].span, Some(0..18));
        assert!(diags[0].help.as_ref().unwrap().contains("iso3,indicator"));
    }

    #[test]
    fn errors_point_at_the_field_and_all_are_reported() {
        let text = "iso3,indicator,year,value\nMEX,migrant_stock,2020,lots\nMEX,migrant_stock,1850,5\nMEX,migrant_stock\n";
        let (d, diags) = read(text);
        assert!(d.is_none());
        assert_eq!(diags.len(), 3, "{diags:?}");
        assert_eq!(&text[diags[0].span.clone().unwrap()], "lots");
        assert_eq!(&text[diags[1].span.clone().unwrap()], "1850");
        assert!(diags[2].message.contains("cut short"));
    }

    #[test]
    fn quoted_fields_have_their_own_spans() {
        let text = "\"Country Name\",\"Country Code\",\"Year\",\"Value\"\n\"Korea, Rep.\",\"KOR\",\"2020\",\"x\"\n";
        let (_, diags) = read(text);
        assert_eq!(&text[diags[0].span.clone().unwrap()], "\"x\"");
    }

    #[test]
    fn empty_cells_are_missing_never_zero() {
        let (d, _) = read(
            "Country Name,Country Code,Year,Value\nMexico,MEX,2020,\nMexico,MEX,2021,..\nMexico,MEX,2022,0\n",
        );
        let d = d.unwrap();
        let mex = &series(&d, "SM.POP.TOTL")["MEX"];
        assert_eq!(mex.values.keys().copied().collect::<Vec<_>>(), vec![2022]);
    }

    #[test]
    fn undesa_sums_by_destination_origin_and_sex() {
        let text = "geo,t,from,sex,n\nMEX,2020,USA,female,10\nMEX,2020,USA,male,12\nMEX,2020,HND,female,3\nUSA,2020,MEX,male,100\n";
        let (d, diags) = read(text);
        assert!(diags.is_empty());
        let d = d.unwrap();
        let mex = &series(&d, "undesa:immigrants")["MEX"];
        assert_eq!(mex.values[&2020].value, 25.0);
        assert_eq!(mex.female[&2020].value, 13.0);
        assert_eq!(mex.male[&2020].value, 12.0);
        assert_eq!(
            series(&d, "undesa:emigrants")["MEX"].values[&2020].value,
            100.0
        );
        let Data::Partners(p) = &d.measures[2].data else {
            panic!()
        };
        assert_eq!(p["MEX"][&2020]["USA"], 22.0);
    }

    #[test]
    fn tidy_flags_and_sources() {
        let text = "iso3,indicator,year,value,source,flag\nMEX,x,2020,1,census,\nMEX,x,2021,2,census,e\nMEX,x,2022,3,other,\n";
        let (d, diags) = read(text);
        assert!(d.is_none());
        assert!(diags[0].message.contains("already names source `census`"));
        let (d, diags) =
            read("iso3,indicator,year,value,flag\nmex,x,2021,2,estimated\nMEX,x,2022,3,\n");
        assert!(diags.is_empty(), "{diags:?}");
        let d = d.unwrap();
        let mex = &series(&d, "x")["MEX"];
        assert_eq!(
            mex.estimated
                .as_ref()
                .unwrap()
                .iter()
                .copied()
                .collect::<Vec<_>>(),
            vec![2021]
        );
    }

    #[test]
    fn idmc_adds_every_hazard_into_disasters() {
        let (d, _) =
            read("geo,t,cause,n\nPHL,2022,storm,4\nPHL,2022,flood,1\nPHL,2022,conflict,7\n");
        let d = d.unwrap();
        assert_eq!(series(&d, "idmc:disaster")["PHL"].values[&2022].value, 5.0);
        assert_eq!(series(&d, "idmc:conflict")["PHL"].values[&2022].value, 7.0);
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        const HEADERS: [&str; 7] = [
            "iso3,indicator,year,value,source,flag\n",
            "Country Name,Country Code,Year,Value\n",
            "geo,t,from,sex,n,type_b\n",
            "geo,t,from,group,n\n",
            "geo,t,cause,n\n",
            "geo,var,t,v\n",
            "\u{feff}\"Data Source\",\"WDI\",\n\n\"Country Name\",\"Country Code\",\"Indicator Name\",\"Indicator Code\",\"1960\",\n",
        ];

        proptest! {
            /// Whatever follows a known header, reading never panics and every error
            /// points inside the text.
            #[test]
            fn any_rows_read_without_panic(h in 0..HEADERS.len(), body in "([A-Za-z0-9,.\"\\- ]{0,30}\r?\n){0,12}") {
                let text = format!("{}{body}", HEADERS[h]);
                let mut diags = Vec::new();
                let _ = read_csv("x.csv", &text, None, &mut diags);
                for d in diags {
                    if let Some(span) = d.span {
                        prop_assert!(span.start <= span.end && span.end <= text.len(), "{span:?} in {text:?}");
                    }
                }
            }

            /// Values written to a tidy CSV read back, the last of a year winning.
            #[test]
            fn tidy_values_read_back(rows in proptest::collection::vec(("[A-Z]{3}", 1900i32..=2100, -1e12f64..1e12), 1..30)) {
                let mut text = String::from("iso3,indicator,year,value\n");
                let mut want = BTreeMap::new();
                for (code, year, v) in &rows {
                    text.push_str(&format!("{code},x,{year},{v}\n"));
                    want.insert((code.clone(), *year), *v);
                }
                let mut diags = Vec::new();
                let d = read_csv("x.csv", &text, None, &mut diags).unwrap();
                prop_assert!(diags.is_empty());
                let got = series(&d, "x");
                for ((code, year), v) in want {
                    prop_assert_eq!(got[&code].values[&year].value, v);
                }
            }
        }
    }
}
