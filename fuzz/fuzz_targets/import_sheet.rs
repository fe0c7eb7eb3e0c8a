//! Any shared strings and `Table 1` sheet XML, inside a well-formed workbook, through
//! the reader `mpgen import` uses for the UN DESA `.xlsx`. The input is the strings
//! part, a NUL byte, then the sheet: mutations reach the sheet reader (cell places,
//! types, sizes) instead of dying in the zip's checksums. Seeded by `scripts/fuzz.sh`
//! from the fixture workbook's own parts.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // mpgen catches panics inside calamine (its column sum overflows on some cell
    // names) and reports the file; libfuzzer-sys's hook would abort on the caught panic
    // all the same. With a silent hook, only a panic that escapes mpgen reaches
    // libfuzzer-sys's own catch, which still aborts: that is the crash to find. Replay
    // a crash through `mpgen import` to see its message.
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let (strings, sheet) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&b""[..], data),
    };
    let bytes = mpgen::import::workbook::one_sheet_workbook(strings, sheet);
    let _ = mpgen::import::read_bytes("data.xlsx", bytes, None);
});
