#!/usr/bin/env bash
# mpgen against the peers a country team would otherwise pick, on the same generated
# profiles (250 and 1,000, English): Hugo (Debian's package, installed when missing) for
# the pages, matplotlib (in a virtual environment this script makes) for the charts.
#
# - Hugo gets the very profile files as data and templates that render the same pages
#   with the same tables (home with key figures by region, a page per profile with every
#   table, a ranking page per indicator; benches/peers/hugo). mpgen makes more besides
#   (data gaps, corridors, partnerships, search index, CSV and JSON), and is timed so.
# - Builds run alternately, RUNS times each (default 5); medians, and mpgen/Hugo ratios.
#   Cold: a new output folder and, for Hugo, a new cache folder. No-op: the same build
#   again with nothing changed.
# - Charts: Hugo draws none, so "Hugo + matplotlib" is Hugo's cold build plus
#   matplotlib's median time per chart file times the number of chart files mpgen made.
# - Preview: the time from saving one profile to its page showing the new value over
#   HTTP, for `hugo server` and `mpgen serve` alike (benches/peers/server_edit.py).
#
#   bash benches/peers/run.sh [RUNS] [SIZES]        e.g. bash benches/peers/run.sh 5 "250 1000"
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}
sizes=${2:-250 1000}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

sudo=""; [ "$(id -u)" != 0 ] && sudo="sudo"
if ! command -v hugo >/dev/null 2>&1; then
  $sudo apt-get install -y -qq hugo >/dev/null 2>&1 || { $sudo apt-get update -qq && $sudo apt-get install -y -qq hugo >/dev/null; }
fi
python3 -m venv "$work/venv" && "$work/venv/bin/pip" install -q matplotlib
cargo build --release --quiet --bin mpgen --example synth_site
bin=target/release/mpgen

# Dirty pages of the run before are written out first (`sync`), so that no run waits on
# another's writeback: these disks throttle writers hard once enough data is dirty.
ms() { local s e; sync; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk "BEGIN {printf \"%.3f\", $1 / $2}"; }
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "machine: $(nproc) cores, $(uname -sr); $(hugo version | cut -d' ' -f1-2); mpgen $(git rev-parse --short HEAD); matplotlib $("$work/venv/bin/python" -c 'import matplotlib; print(matplotlib.__version__)')"
chart_ms=$("$work/venv/bin/python" benches/peers/charts.py 40 | awk '/^all/ {print $3}')
echo "matplotlib: $chart_ms ms per chart file (median of SVG and PNG)"

for n in $sizes; do
  site="$work/site-$n" hsite="$work/hugo-$n"
  target/release/examples/synth_site "$site" "$n" en >/dev/null 2>&1
  python3 benches/peers/hugo_site.py "$site" "$hsite"
  mcold=(); mnoop=(); hcold=(); hnoop=(); ccold=()
  for i in $(seq "$runs"); do
    # Each cold build gets folders of its own; nothing is deleted until the end. On a
    # file system that keeps recently freed inodes back (ext4 without a journal, as on
    # these machines), deleting thousands of files just before a build makes each file
    # it creates scan past them: a cost of this script, charged to the tool that writes
    # more files.
    m="$work/m-$n-$i" h="$work/h-$n-$i" c="$work/c-$n-$i"
    mcold+=("$(ms "$bin" build --no-charts --root "$site" --out "$m")")
    hcold+=("$(ms hugo --quiet -s "$hsite" -d "$h" --cacheDir "$h-cache")")
    mnoop+=("$(ms "$bin" build --no-charts --root "$site" --out "$m")")
    hnoop+=("$(ms hugo --quiet -s "$hsite" -d "$h" --cacheDir "$h-cache")")
    ccold+=("$(ms "$bin" build --root "$site" --out "$c")")
  done
  mc=$(printf '%s\n' "${mcold[@]}" | median); hc=$(printf '%s\n' "${hcold[@]}" | median)
  mn=$(printf '%s\n' "${mnoop[@]}" | median); hn=$(printf '%s\n' "${hnoop[@]}" | median)
  cc=$(printf '%s\n' "${ccold[@]}" | median)
  charts=$(find "$c" -path '*charts*' \( -name '*.svg' -o -name '*.png' -o -name '*.pdf' \) | wc -l)
  hm=$(awk "BEGIN {printf \"%d\", $hc + $charts * $chart_ms}")
  echo "== $n profiles ($(find "$m" -name '*.html' | wc -l) mpgen pages, $(find "$h" -name '*.html' | wc -l) Hugo pages)"
  echo "cold, no charts:  mpgen $mc ms, Hugo $hc ms, ratio $(ratio "$mc" "$hc")   (runs mpgen ${mcold[*]}; Hugo ${hcold[*]})"
  echo "no-op rebuild:    mpgen $mn ms, Hugo $hn ms, ratio $(ratio "$mn" "$hn")   (runs mpgen ${mnoop[*]}; Hugo ${hnoop[*]})"
  echo "cold, $charts charts: mpgen $cc ms, Hugo + matplotlib $hm ms (Hugo $hc + $charts x $chart_ms), ratio $(ratio "$cc" "$hm")"

  # Preview servers: save one profile, wait for its page to show the new value.
  first=("$site"/profiles/*.toml); code=$(basename "${first[0]}" .toml); lower=$(echo "$code" | tr 'A-Z' 'a-z')
  p=$(port)
  (cd "$hsite" && exec hugo server --quiet --bind 127.0.0.1 --port "$p" --baseURL "http://127.0.0.1:$p/" \
      --cacheDir "$work/hcache-s" >/dev/null 2>&1) &
  pids+=($!)
  for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$p/" -o /dev/null 2>/dev/null && break; sleep 0.1; done
  hs=$(python3 benches/peers/server_edit.py "http://127.0.0.1:$p/profiles/$lower/" "$hsite/data/profiles/$code.toml" 20)
  kill "${pids[-1]}" 2>/dev/null || true
  p=$(port)
  "$bin" serve --root "$site" --port "$p" >/dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$p/migration-profiles/" -o /dev/null 2>/dev/null && break; sleep 0.1; done
  ms_=$(python3 benches/peers/server_edit.py "http://127.0.0.1:$p/migration-profiles/profiles/$lower/" "$site/profiles/$code.toml" 20)
  kill "${pids[-1]}" 2>/dev/null || true
  echo "preview, save to page: hugo server $hs; mpgen serve $ms_"
done
