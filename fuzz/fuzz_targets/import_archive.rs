//! Any bytes as a zip: a World Bank download (`API_*.csv` inside) or a UN DESA workbook
//! (`.xlsx`), through the same path as a file given to `mpgen import`. Seed the corpus
//! with `tests/fixtures/import/data/*.zip` and `*.xlsx` (see `scripts/fuzz.sh`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.extend_from_slice(data.strip_prefix(b"PK\x03\x04").unwrap_or(data));
    let _ = mpgen::import::read_bytes("data.zip", bytes, None);
});
