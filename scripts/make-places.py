#!/usr/bin/env python3
"""Write src/places/countries.csv: every country and area mpgen knows by code.

Usage: python3 scripts/make-places.py DATA_DIR > src/places/countries.csv

DATA_DIR holds `iom-gdidata/countrynames.csv` (M49 codes, UN DESA names and UN
regions, with the non-ISO codes the sources use) and
`datasets-country-codes/country-codes.csv` (official names in the six UN languages).
See src/places/PROVENANCE.md. Values are copied, not edited, except where noted.
"""
import csv
import os
import sys

data = sys.argv[1]


def rows(*path):
    with open(os.path.join(data, *path), newline="", encoding="utf-8-sig") as f:
        yield from csv.DictReader(f)


names = {r["iso3"]: r for r in rows("iom-gdidata", "countrynames.csv")}
official = {r["ISO3166-1-Alpha-3"]: r for r in rows("datasets-country-codes", "country-codes.csv") if r["ISO3166-1-Alpha-3"]}

out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["iso3", "m49", "region", "subregion", "en", "fr", "es", "ar", "zh", "ru"])
for code in sorted(set(names) | set(official)):
    n, o = names.get(code, {}), official.get(code, {})
    en = n.get("name") or o.get("official_name_en") or o.get("CLDR display name", "")
    if code == "XKX":
        en = n["name_text"]  # `name` reads "SCR 2144", a typo for resolution 1244
    m49 = n.get("m49") or o.get("M49", "")
    region = n.get("region") or o.get("Region Name", "")
    subregion = n.get("subregion") or o.get("Sub-region Name", "")
    other = [o.get(f"official_name_{l}", "") for l in ("fr", "es", "ar", "cn", "ru")]
    out.writerow([code, m49, region, subregion, en, *other])
