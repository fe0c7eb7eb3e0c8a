//! Any shared strings and `Table 1` sheet XML, inside a well-formed workbook, through
//! the reader `mpgen import` uses for the UN DESA `.xlsx`. The input is the strings
//! part, a NUL byte, then the sheet: mutations reach the sheet reader (cell places,
//! types, sizes) instead of dying in the zip's checksums. Seeded by `scripts/fuzz.sh`
//! from the fixture workbook's own parts.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (strings, sheet) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&b""[..], data),
    };
    let bytes = mpgen::import::workbook::one_sheet_workbook(strings, sheet);
    let _ = mpgen::import::read_bytes("data.xlsx", bytes, None);
});
