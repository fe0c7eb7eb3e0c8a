#!/usr/bin/env bash
# Times `mpgen import` of the full public datasets into the default site, and the build
# of the resulting site. DATA_DIR is laid out as content/methodology.md says (the folder
# scripts/refresh-data.sh reads). Prints medians of RUNS runs (default 5), in ms:
#
#   - import into a fresh site holding only the twelve hand-written profiles: the UN DESA
#     bilateral table (153,296 rows), four World Bank files, UNHCR (191,857 rows), IDMC and
#     gdidata's WDI table; 224 profiles are started, 236 written;
#   - the same import again into the result: every value equal, nothing written;
#   - a cold build of the resulting site (output folder removed) and a warm no-op build.
#
#   bash benches/import.sh DATA_DIR
set -euo pipefail
data=$(cd "${1:?usage: bash benches/import.sh DATA_DIR}" && pwd)
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --bin mpgen
bin=$PWD/target/release/mpgen
hand=(BGD DEU ESP IND MAR MEX NGA PHL SEN SLV TUR USA)
wdi="$data/datasets-world-development-indicators"
files=("$data/iom-gdidata/undesa_stocks_2024.csv" "$wdi/sp.pop.totl/data.csv" "$wdi/sm.pop.netm/data.csv"
  "$wdi/bx.trf.pwkr.cd.dt/data.csv" "$wdi/ny.gdp.mktp.cd/data.csv" "$data/iom-gdidata/unhcr.csv"
  "$data/iom-gdidata/idmc_flows.csv")

fresh() {
  rm -rf "$work/site"
  mkdir -p "$work/site/profiles"
  cp site.toml indicators.toml sources.toml rcps.toml "$work/site/"
  cp -r content "$work/site/"
  for c in "${hand[@]}"; do cp "profiles/$c.toml" "$work/site/profiles/"; done
}
import_all() {
  "$bin" import --root "$work/site" "${files[@]}" >/dev/null 2>&1
  "$bin" import --root "$work/site" --indicator remittances_out_usd "$data/iom-gdidata/wdi.csv" >/dev/null 2>&1
}
build() { "$bin" build --root "$work/site" --out "$work/out" >/dev/null 2>&1; }
ms() { local s e; s=$(date +%s%N); "$@"; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

first=() again=() cold=() warm=()
for i in $(seq "$runs"); do
  fresh
  first+=("$(ms import_all)")
  again+=("$(ms import_all)")
  rm -rf "$work/out"
  cold+=("$(ms build)")
  warm+=("$(ms build)")
done
profiles=$(find "$work/site/profiles" -name '*.toml' | wc -l)
outputs=$(find "$work/out" -type f | wc -l)
printf 'import into %s profiles       %6s ms   (runs: %s)\n' "$profiles" "$(printf '%s\n' "${first[@]}" | median)" "${first[*]}"
printf 'same import again (no-op)    %6s ms   (runs: %s)\n' "$(printf '%s\n' "${again[@]}" | median)" "${again[*]}"
printf 'cold build, %s files     %6s ms   (runs: %s)\n' "$outputs" "$(printf '%s\n' "${cold[@]}" | median)" "${cold[*]}"
printf 'warm no-op build             %6s ms   (runs: %s)\n' "$(printf '%s\n' "${warm[@]}" | median)" "${warm[*]}"
