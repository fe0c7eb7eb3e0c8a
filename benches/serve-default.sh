#!/usr/bin/env bash
# Times the live preview on the default site (the repository's own profiles, content
# and theme, copied): from a save to the open page's new bytes fetched after its
# reload (a tab's event stream is open on each page the edits show), over EDITS saves
# (default 28) going round seven kinds of edit (a series value, a hand narrative, an
# agreement, an indicator's label, a content page, a template, the site's title), with
# each kind's outputs rendered and changed; the serve process's peak resident memory;
# and a warm `mpgen build` with nothing to do (median of 5).
#
#   bash benches/serve-default.sh [EDITS]
#
# SERVE_BENCH_VERBOSE=1 lists, for each save, the outputs rendered whose bytes stayed.
set -euo pipefail
cd "$(dirname "$0")/.."
edits=${1:-28}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --bin mpgen --example serve_bench
bin=target/release/mpgen
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

site="$work/site"
mkdir -p "$site"
cp -r content profiles themes site.toml indicators.toml sources.toml rcps.toml "$site"/
echo "== the default site: $(ls "$site/profiles" | wc -l) profiles"
/usr/bin/time -f "serve process: peak resident %M KB" \
  target/release/examples/serve_bench "$site" "$edits" --kinds
"$bin" build --root "$site" --out "$work/out" >/dev/null 2>&1
runs=()
for _ in 1 2 3 4 5; do runs+=("$(ms "$bin" build --root "$site" --out "$work/out")"); done
echo "warm no-op build: median $(printf '%s\n' "${runs[@]}" | median) ms (runs: ${runs[*]})"
