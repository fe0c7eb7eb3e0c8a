#!/usr/bin/env bash
# Kills `mpgen build` at increasing delays (timeout -s KILL) on a generated site of
# PROFILES profiles (default 250), after one profile changed, and checks after every
# kill that the output folder is exactly the old site or exactly the new one, never a
# mix; then that the next build completes it. The same as tests/it/faults.rs, at scale.
#
#   bash benches/load/kill-build.sh [PROFILES] [STEPS]
set -euo pipefail
cd "$(dirname "$0")/../.."
profiles=${1:-250}
steps=${2:-30}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet --bin mpgen --example synth_site
bin=target/release/mpgen
site="$work/site"
target/release/examples/synth_site "$site" "$profiles" en >/dev/null 2>&1
first=("$site"/profiles/*.toml); file="${first[0]}"
set_value() {
  python3 - "$file" "$1" <<'PY'
import re, sys
p, v = sys.argv[1], sys.argv[2]
s = open(p).read()
s = re.sub(r'(\[series\.migrant_stock\]\n(?:.*\n)*?values = \{.*?2024 = )\d+', lambda m: m.group(1) + v, s, count=1)
open(p, "w").write(s)
PY
}
# A digest of a tree's files, the manifest aside.
digest() { (cd "$1" && find . -type f ! -name .mpgen-manifest.json -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16); }

set_value 11111111
"$bin" build --root "$site" --out "$work/old" >/dev/null 2>&1
set_value 22222222
"$bin" build --root "$site" --out "$work/new" >/dev/null 2>&1
old=$(digest "$work/old"); new=$(digest "$work/new")
out="$work/out"

restore() {
  set_value 11111111
  "$bin" build --root "$site" --out "$out" >/dev/null 2>&1
  [ "$(digest "$out")" = "$old" ] || { echo "could not restore the old site"; exit 1; }
  set_value 22222222
}
restore
s=$(date +%s%N); "$bin" build --root "$site" --out "$out" >/dev/null 2>&1; e=$(date +%s%N)
whole=$(( (e - s) / 1000000 ))
echo "a build after the edit takes $whole ms; killing $steps builds at delays spread up to 1.2 times that"
saw_old=0; saw_new=0
for i in $(seq 0 $((steps - 1))); do
  restore
  # At least 1 ms: `timeout 0` would never kill.
  delay_ms=$(( whole * 12 * i / (10 * steps) + 1 ))
  { timeout -s KILL "$(awk "BEGIN {print $delay_ms / 1000}")" "$bin" build --root "$site" --out "$out" >/dev/null 2>&1 || true; } 2>/dev/null
  now=$(digest "$out")
  if [ "$now" = "$old" ]; then saw_old=$((saw_old + 1));
  elif [ "$now" = "$new" ]; then saw_new=$((saw_new + 1));
  else echo "FAIL: killed after $delay_ms ms, the output folder is neither the old nor the new site"; exit 1; fi
  "$bin" build --root "$site" --out "$out" >/dev/null 2>&1
  [ "$(digest "$out")" = "$new" ] || { echo "FAIL: the build after the kill did not complete the site"; exit 1; }
done
echo "$steps kills: the old site $saw_old times, the new site $saw_new times, a mix never"
