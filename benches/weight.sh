#!/usr/bin/env bash
# The default site's cold build, file count and bytes: `mpgen build` of the repository's
# own site, as configured and with every chart format, each RUNS times into a fresh
# folder. Prints each run's summary line and the median build time.
#
#   bash benches/weight.sh [RUNS] [MPGEN]
set -euo pipefail
runs=${1:-5}
cd "$(dirname "$0")/.."
mpgen=${2:-target/release/mpgen}
[ -x "$mpgen" ] || cargo build --release -q
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The site with svg, png and pdf on: the repository's files, one setting changed.
all="$work/all-formats"
mkdir -p "$all"
cp -r site.toml indicators.toml sources.toml rcps.toml profiles content themes "$all"/
sed -i 's/^formats = \["svg"\].*/formats = ["svg", "png", "pdf"]/' "$all/site.toml"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

measure() { # NAME ROOT RUNS
    local name=$1 root=$2 n=$3 times=()
    for i in $(seq "$n"); do
        local out="$work/out-$name-$i"
        sync
        local t0 t1
        t0=$(date +%s.%N)
        line=$("$mpgen" build --root "$root" --out "$out" 2>&1 | tail -1)
        t1=$(date +%s.%N)
        times+=("$(echo "$t1 - $t0" | bc)")
        echo "$name run $i: $line"
        # Folders are kept until the end: see README.md on deleting during a series.
    done
    printf '%s\n' "${times[@]}" | median | xargs printf "$name: median cold build %.2f s over $n runs\n"
}

measure configured . "$runs"
measure all-formats "$all" "$(( runs < 3 ? runs : 3 ))"
