#!/usr/bin/env bash
# Refreshes the default site's data with `mpgen import`, from a folder of downloaded
# datasets laid out as content/methodology.md describes:
#
#   DATA_DIR/iom-gdidata/{undesa_stocks_2024,unhcr,idmc_flows,wdi}.csv
#   DATA_DIR/datasets-world-development-indicators/<code>/{data.csv,datapackage.json}
#
# Usage: scripts/refresh-data.sh DATA_DIR [import options, such as --dry-run or --only MEX]
#
# Values the datasets have are brought in; narratives, agreements, memberships and any
# value the datasets lack stay as the profiles have them. Running it twice changes
# nothing. MPGEN names the binary to run (default: a release build of this repository).
set -euo pipefail

data="${1:?usage: scripts/refresh-data.sh DATA_DIR [import options]}"
shift
cd "$(dirname "$0")/.."
read -r -a mpgen <<< "${MPGEN:-cargo run --release --quiet --}"
wdi="$data/datasets-world-development-indicators"

# Migrant stocks and partners (UN DESA), population, net migration, remittances
# received and GDP (World Bank), refugees and asylum-seekers (UNHCR), internal
# displacements (IDMC). A later file wins where two bring the same value.
"${mpgen[@]}" import "$@" \
  "$data/iom-gdidata/undesa_stocks_2024.csv" \
  "$wdi/sp.pop.totl/data.csv" \
  "$wdi/sm.pop.netm/data.csv" \
  "$wdi/bx.trf.pwkr.cd.dt/data.csv" \
  "$wdi/ny.gdp.mktp.cd/data.csv" \
  "$data/iom-gdidata/unhcr.csv" \
  "$data/iom-gdidata/idmc_flows.csv"

# Remittances paid exist only in gdidata's long WDI table, whose other series are an
# older snapshot of those above: take this one only.
"${mpgen[@]}" import --indicator remittances_out_usd "$@" "$data/iom-gdidata/wdi.csv"
