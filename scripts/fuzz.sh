#!/usr/bin/env bash
# Runs every fuzz target (or those named) for a bounded time each, from corpora seeded
# with the repository's own fixtures. Not part of CI: `bash scripts/fuzz.sh [SECONDS] [TARGET...]`.
# Default: 600 seconds per target. Needs the nightly toolchain (`rustup toolchain install
# nightly`); installs cargo-fuzz when it is missing. A crash is saved under
# fuzz/artifacts/<target>/ and ends the run of that target with a non-zero status; turn
# it into a regression test in tests/it/fuzzed.rs, named after what it found.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-600}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(profile content import_csv import_archive import_sheet)
fi

command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked

seed() {
  local target="$1" dir="fuzz/corpus/$1"
  mkdir -p "$dir"
  case "$target" in
    profile)
      cp tests/fixtures/basic/profiles/*.toml "$dir/"
      for code in MEX PHL SEN BGD; do cp "profiles/$code.toml" "$dir/hand-$code.toml"; done
      ;;
    content)
      find content tests/fixtures/basic/content tests/fixtures/invalid -name '*.md' -print0 |
        while IFS= read -r -d '' f; do cp "$f" "$dir/$(echo "$f" | tr '/' '_')"; done
      ;;
    import_csv)
      # The first byte picks the layout (the target's HEADERS order); the rest is the
      # file after its header.
      local d=tests/fixtures/import/data
      local pairs=("0:$d/API_SM.POP.NETM_DS2_en_csv_v2.csv" "1:$d/wdi-tidy/sm.pop.totl/data.csv"
                   "3:$d/undesa_stocks_2024.csv" "4:$d/unhcr.csv" "5:$d/idmc_flows.csv" "6:$d/wdi.csv")
      for pair in "${pairs[@]}"; do
        local i="${pair%%:*}" f="${pair#*:}"
        local from=2
        # The World Bank's wide file: everything after its "Country Name" line.
        if [ "$i" = 0 ]; then from=$(( $(grep -n '^"Country Name"' "$f" | cut -d: -f1) + 1 )); fi
        { printf "\\x0$i"; { tail -n +"$from" "$f" | head -c 20000 || true; }; } > "$dir/seed-$i"
      done
      printf '\x02MEX,migrant_stock,2020,1335154,undesa-ims-2024,\nPHL,migrant_stock,2020,87212,,E\n' > "$dir/seed-2"
      ;;
    import_archive)
      cp tests/fixtures/import/data/*.xlsx "$dir/" 2>/dev/null || true
      ;;
    import_sheet)
      # The fixture workbook's shared strings, a NUL, then its Table 1 (sheet2.xml).
      python3 - "$dir/seed-table1" <<'PY'
import sys, zipfile
z = zipfile.ZipFile("tests/fixtures/import/data/undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx")
sheet = z.read("xl/worksheets/sheet2.xml")
# The first rows, closed again: under the fuzzer's input size, still a whole sheet.
cut = sheet.index(b"</row>", 40000) + len(b"</row>")
open(sys.argv[1], "wb").write(z.read("xl/sharedStrings.xml") + b"\0" + sheet[:cut] + b"</sheetData></worksheet>")
PY
      ;;
  esac
}

status=0
for t in "${targets[@]}"; do
  seed "$t"
  echo "== $t: $seconds s"
  (cd fuzz && cargo +nightly fuzz run "$t" "corpus/$t" -- \
      -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=100000 -print_final_stats=1) ||
    { echo "== $t: a crash, see fuzz/artifacts/$t/"; status=1; }
done
exit $status
