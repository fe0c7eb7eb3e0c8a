#!/usr/bin/env bash
# Times mpgen on a generated site of 250 profiles (12 series of 35 years each, two
# partner tables): a cold full build, a no-op rebuild, and a rebuild after one profile
# edit. Prints the median of RUNS runs (default 7) of each, in milliseconds.
#
#   bash benches/build.sh [PROFILES] [LANGS]      e.g. bash benches/build.sh 250 en,fr,es
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-250}
langs=${2:-en}
runs=${RUNS:-7}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --bin mpgen --example synth_site
bin=target/release/mpgen
target/release/examples/synth_site "$work/site" "$n" "$langs"

ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

cold=(); noop=(); edit=()
for i in $(seq "$runs"); do
  rm -rf "$work/out"
  cold+=("$(ms "$bin" build --no-charts --root "$work/site" --out "$work/out")")
  noop+=("$(ms "$bin" build --no-charts --root "$work/site" --out "$work/out")")
  # One value of one profile changes, a different one each run.
  sed -i "0,/^values = { 1990 = [0-9]*/s//values = { 1990 = $((1000 + i))/" "$work/site/profiles/MEX.toml"
  edit+=("$(ms "$bin" build --no-charts --root "$work/site" --out "$work/out")")
done
pages=$(find "$work/out" -name '*.html' | wc -l)
echo "site: $n profiles, languages $langs, $pages HTML pages; median of $runs runs"
echo "cold full build:      $(printf '%s\n' "${cold[@]}" | median) ms   (runs: ${cold[*]})"
echo "no-op rebuild:        $(printf '%s\n' "${noop[@]}" | median) ms   (runs: ${noop[*]})"
echo "one-profile rebuild:  $(printf '%s\n' "${edit[@]}" | median) ms   (runs: ${edit[*]})"
"$bin" build --no-charts --root "$work/site" --out "$work/out" 2>&1 | tail -1
