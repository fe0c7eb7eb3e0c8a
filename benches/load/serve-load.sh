#!/usr/bin/env bash
# A bounded load test of `mpgen serve` on loopback while a profile is edited: wrk (from
# Debian's packages, installed when missing) requests the home page, a profile page, an
# indicator page and a chart for SECONDS seconds (default 20) over 32 connections, while
# one profile's value changes every 200 ms. Passes when wrk saw no error response and no
# socket error, and when, after the last edit, every page that shows the value has it.
#
#   bash benches/load/serve-load.sh [SECONDS] [PROFILES]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-20}
profiles=${2:-250}
work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

if ! command -v wrk >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" != 0 ] && sudo="sudo"
  $sudo apt-get install -y -qq wrk >/dev/null 2>&1 || { $sudo apt-get update -qq && $sudo apt-get install -y -qq wrk >/dev/null; }
fi
cargo build --release --quiet --bin mpgen --example synth_site
site="$work/site"
target/release/examples/synth_site "$site" "$profiles" en >/dev/null 2>&1
first=("$site"/profiles/*.toml); code=$(basename "${first[0]}" .toml)
lower=$(echo "$code" | tr 'A-Z' 'a-z')
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port/migration-profiles"

target/release/mpgen serve --root "$site" --port "$port" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do
  curl -fs "$base/" -o /dev/null 2>/dev/null && break
  sleep 0.1
done
curl -fs "$base/" -o /dev/null || { echo "the server did not start"; cat "$work/serve.log"; exit 1; }

cat > "$work/paths.lua" <<LUA
local paths = { "/migration-profiles/", "/migration-profiles/profiles/$lower/",
  "/migration-profiles/indicators/migrant_stock/", "/migration-profiles/charts/$lower/migrant_stock.svg",
  "/migration-profiles/data/$lower.csv" }
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA

# Edits: the profile's 2024 migrant stock, a new value every 200 ms.
file="$site/profiles/$code.toml"
edit() {
  local n=0 last=""
  local end=$(( $(date +%s) + seconds - 2 ))
  while [ "$(date +%s)" -lt "$end" ]; do
    n=$((n + 1)); last=$((50000000 + n))
    python3 - "$file" "$last" <<'PY'
import re, sys
p, v = sys.argv[1], sys.argv[2]
s = open(p).read()
s = re.sub(r'(\[series\.migrant_stock\]\n(?:.*\n)*?values = \{.*?2024 = )\d+', lambda m: m.group(1) + v, s, count=1)
tmp = p + ".tmp"; open(tmp, "w").write(s)
import os; os.replace(tmp, p)
PY
    sleep 0.2
  done
  echo "$n $last" > "$work/edits"
}
edit &
editor=$!
wrk -t2 -c32 -d"${seconds}s" -s "$work/paths.lua" "$base/" | tee "$work/wrk.txt"
wait "$editor"
read -r n last < "$work/edits"

status=0
if grep -q "Non-2xx or 3xx responses" "$work/wrk.txt"; then
  echo "FAIL: error responses during the load"; status=1
fi
if grep -q "Socket errors" "$work/wrk.txt"; then
  echo "FAIL: socket errors during the load"; status=1
fi
# After the last edit: the value on every page that shows it (grouped as the pages write it).
shown=$(python3 -c "print(f'{$last:,}')")
# (Fetched to a file first: `grep -q` stops reading early, which pipefail counts as a failure.)
fetch() { curl -fs "$base/$1" -o "$work/page" && grep -q "$2" "$work/page"; }
for _ in $(seq 1 50); do
  fetch "profiles/$lower/" "$shown" && break
  sleep 0.1
done
for page in "profiles/$lower/" "indicators/migrant_stock/"; do
  if ! fetch "$page" "$shown"; then
    echo "FAIL: $page does not show the last value ($shown) after the last edit"; status=1
  fi
done
if ! fetch "data/$lower.csv" ",2024,total,,,$last,"; then
  echo "FAIL: data/$lower.csv does not have the last value"; status=1
fi
echo "$n edits during ${seconds} s of load; last value $shown on every page that shows it: $([ $status = 0 ] && echo yes || echo no)"
exit $status
