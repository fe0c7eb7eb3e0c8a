#!/usr/bin/env bash
# Times mpgen on a generated site (default 250 profiles, 12 series of 35 years each, two
# partner tables, about 16 charts a profile): a cold full build, a no-op rebuild and a
# rebuild after one profile edit, without charts, with SVG charts, and with SVG and PNG
# charts; then the time per chart. Prints medians of RUNS runs (default 5), in ms.
#
#   bash benches/build.sh [PROFILES] [LANGS]      e.g. bash benches/build.sh 250 en,fr,es
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-250}
langs=${2:-en}
runs=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --bin mpgen --example synth_site --example chart_bench
bin=target/release/mpgen
target/release/examples/synth_site "$work/site" "$n" "$langs" 2>/dev/null

ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# bench LABEL FORMATS RUNS [FLAGS...]
bench() {
  local label=$1 formats=$2 count=$3; shift 3
  sed -i "s/^formats = .*/formats = $formats/" "$work/site/site.toml"
  local cold=() noop=() edit=()
  for i in $(seq "$count"); do
    rm -rf "$work/out"
    cold+=("$(ms "$bin" build "$@" --root "$work/site" --out "$work/out")")
    noop+=("$(ms "$bin" build "$@" --root "$work/site" --out "$work/out")")
    # One value of one profile changes, a different one each run.
    sed -i "0,/^values = { 1990 = [0-9]*/s//values = { 1990 = $((1000 + RANDOM))/" "$work/site/profiles/MEX.toml"
    edit+=("$(ms "$bin" build "$@" --root "$work/site" --out "$work/out")")
  done
  local outputs
  outputs=$(find "$work/out" -type f | wc -l)
  printf '%-22s cold %6s ms   no-op %4s ms   one-profile edit %5s ms   (%s files; cold runs: %s)\n' \
    "$label" "$(printf '%s\n' "${cold[@]}" | median)" "$(printf '%s\n' "${noop[@]}" | median)" \
    "$(printf '%s\n' "${edit[@]}" | median)" "$outputs" "${cold[*]}"
}

pages=$( (ls "$work/site/profiles" | wc -l) )
echo "site: $pages profiles, languages $langs; medians"
bench "no charts" '["svg"]' "$runs" --no-charts
bench "charts: SVG" '["svg"]' "$runs"
bench "charts: SVG + PNG" '["svg", "png"]' "${PNG_RUNS:-3}"
target/release/examples/chart_bench "$work/site" 25
