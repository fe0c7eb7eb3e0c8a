#!/usr/bin/env bash
# Times the live preview on generated sites of 250 and 1,000 profiles (SVG and PNG
# charts, as benches/build.sh makes them): from saving one profile to the reload
# reaching an open page, over EDITS edits (default 25), median and 95th percentile; the
# rebuild alone; and a warm `mpgen build` with nothing to do (median of 5).
#
#   bash benches/serve.sh [EDITS]
set -euo pipefail
cd "$(dirname "$0")/.."
edits=${1:-25}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --bin mpgen --example synth_site --example serve_bench
bin=target/release/mpgen
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for n in 250 1000; do
  site="$work/site-$n"
  target/release/examples/synth_site "$site" "$n" en 2>/dev/null
  echo "== $n profiles"
  target/release/examples/serve_bench "$site" "$edits"
  "$bin" build --root "$site" --out "$work/out-$n" >/dev/null 2>&1
  runs=()
  for _ in 1 2 3 4 5; do runs+=("$(ms "$bin" build --root "$site" --out "$work/out-$n")"); done
  echo "warm no-op build: median $(printf '%s\n' "${runs[@]}" | median) ms (runs: ${runs[*]})"
done
