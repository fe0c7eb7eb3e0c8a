#!/usr/bin/env python3
"""Seed the default site's profiles from the public datasets.

Usage: python3 scripts/seed-profiles.py DATA_DIR [ISO3 ...]

DATA_DIR is a folder laid out as described in content/methodology.md (the UN DESA,
World Bank, UNHCR and IDMC files with their provenance). The script writes
profiles/<ISO3>.toml for each country: data values taken from the files as published
(persons rounded to whole people, dollars to whole dollars), and short narratives built
from those same values. Agreements, policies and RCP memberships come from the HAND
table below, limited to facts that are well documented.

This is the one-off seed of the first issue; `mpgen import` takes over data refreshes.
"""
import csv
import os
import sys
from collections import defaultdict

COUNTRIES = ["MEX", "PHL", "MAR", "IND", "DEU", "USA", "NGA", "BGD", "SLV", "ESP", "TUR", "SEN"]
YEARS = range(1990, 2025)

HAND = {
    "MEX": {
        "roles": ["origin", "transit", "destination"],
        "rcps": ["puebla-process"],
        "agreements": [
            dict(id="mex-can-sawp", title="Seasonal Agricultural Workers Program (SAWP)", partners=["CAN"], kind="bilateral",
                 topics=["labour", "circular"], signed=1974, status="in_force",
                 summary="Canada's programme for seasonal farm workers from Mexico, run with Mexico's labour ministry."),
        ],
    },
    "SLV": {"roles": ["origin", "transit"], "rcps": ["puebla-process"]},
    "USA": {"roles": ["destination"], "rcps": ["puebla-process"]},
    "PHL": {"roles": ["origin"], "rcps": ["colombo-process", "abu-dhabi-dialogue"]},
    "IND": {"roles": ["origin", "destination"], "rcps": ["colombo-process", "abu-dhabi-dialogue"]},
    "BGD": {"roles": ["origin"], "rcps": ["colombo-process", "abu-dhabi-dialogue"]},
    "MAR": {
        "roles": ["origin", "transit", "destination"],
        "rcps": ["rabat-process"],
        "agreements": [
            dict(id="esp-mar-labour-2001", title="Agreement on labour migration between Spain and Morocco", partners=["ESP"], kind="bilateral",
                 topics=["labour"], signed=2001, status="in_force"),
        ],
    },
    "ESP": {
        "roles": ["destination", "origin"],
        "rcps": ["rabat-process"],
        "agreements": [
            dict(id="esp-mar-labour-2001", title="Agreement on labour migration between Spain and Morocco", partners=["MAR"], kind="bilateral",
                 topics=["labour"], signed=2001, status="in_force"),
        ],
    },
    "SEN": {"roles": ["origin", "transit", "destination"], "rcps": ["rabat-process", "midwa"]},
    "NGA": {"roles": ["origin", "destination"], "rcps": ["rabat-process", "midwa"]},
    "DEU": {
        "roles": ["destination"],
        "rcps": ["rabat-process", "budapest-process"],
        "agreements": [
            dict(id="deu-tur-recruitment-1961", title="Recruitment agreement between Germany and Turkey", partners=["TUR"], kind="bilateral",
                 topics=["labour"], signed=1961, status="ended",
                 summary="Recruitment of workers from Turkey; Germany stopped recruiting abroad in 1973."),
        ],
    },
    "TUR": {
        "roles": ["origin", "transit", "destination"],
        "rcps": ["budapest-process"],
        "agreements": [
            dict(id="deu-tur-recruitment-1961", title="Recruitment agreement between Germany and Turkey", partners=["DEU"], kind="bilateral",
                 topics=["labour"], signed=1961, status="ended",
                 summary="Recruitment of workers from Turkey; Germany stopped recruiting abroad in 1973."),
        ],
    },
}


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        yield from csv.DictReader(f)


def num(x):
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if v == v else None


def fmt(v):
    return str(int(round(v)))


def main():
    data = sys.argv[1]
    wanted = sys.argv[2:] or COUNTRIES
    want = set(wanted)
    p = lambda *a: os.path.join(data, *a)

    names = {r["iso3"]: r for r in read_csv(p("iom-gdidata", "countrynames.csv"))}
    cc = {r["ISO3166-1-Alpha-3"]: r for r in read_csv(p("datasets-country-codes", "country-codes.csv"))}

    stock = defaultdict(float)       # (geo, t, sex) -> n
    emig = defaultdict(float)        # (from, t, sex) -> n
    by_origin = defaultdict(float)   # (geo, from) -> n in 2024
    by_dest = defaultdict(float)     # (from, geo) -> n in 2024
    for r in read_csv(p("iom-gdidata", "undesa_stocks_2024.csv")):
        n = float(r["n"])
        t = int(r["t"])
        if r["geo"] in want:
            stock[(r["geo"], t, r["sex"])] += n
            if t == 2024:
                by_origin[(r["geo"], r["from"])] += n
        if r["from"] in want:
            emig[(r["from"], t, r["sex"])] += n
            if t == 2024:
                by_dest[(r["from"], r["geo"])] += n

    def wb(folder):
        out = {}
        for r in read_csv(p("datasets-world-development-indicators", folder, "data.csv")):
            if r["Country Code"] in want and int(r["Year"]) in YEARS and num(r["Value"]) is not None:
                out[(r["Country Code"], int(r["Year"]))] = num(r["Value"])
        return out

    pop, netm, remin, gdp = wb("sp.pop.totl"), wb("sm.pop.netm"), wb("bx.trf.pwkr.cd.dt"), wb("ny.gdp.mktp.cd")
    remout = {}
    for r in read_csv(p("iom-gdidata", "wdi.csv")):
        if r["var"] == "remout" and r["geo"] in want and int(r["t"]) in YEARS and num(r["v"]) is not None:
            remout[(r["geo"], int(r["t"]))] = num(r["v"])

    ref_hosted, ref_abroad, asylum = defaultdict(float), defaultdict(float), defaultdict(float)
    for r in read_csv(p("iom-gdidata", "unhcr.csv")):
        n, t = float(r["n"]), int(r["t"])
        if r["group"] == "refugee":
            if r["geo"] in want:
                ref_hosted[(r["geo"], t)] += n
            if r["from"] in want:
                ref_abroad[(r["from"], t)] += n
        elif r["group"] == "asylum" and r["geo"] in want:
            asylum[(r["geo"], t)] += n

    disaster, conflict = {}, {}
    for r in read_csv(p("iom-gdidata", "idmc_flows.csv")):
        if r["geo"] not in want:
            continue
        key = (r["geo"], int(r["t"]))
        target = conflict if r["cause"] == "conflict" else disaster
        target[key] = target.get(key, 0.0) + float(r["n"])

    idp = defaultdict(float)
    for r in read_csv(p("iom-gdidata", "idmc_stocks.csv")):
        if r["geo"] in want and r["sex"] in ("female", "male") and r["age"] != "unknown":
            idp[(r["geo"], r["sex"], r["age"])] += float(r["n"])

    os.makedirs("profiles", exist_ok=True)
    for iso in wanted:
        write_profile(iso, locals())


def series_block(out, sid, source, values, female=None, male=None, note=None):
    if not values:
        return
    out.append(f"\n[series.{sid}]")
    out.append(f'source = "{source}"')
    if note:
        out.append(f'note = "{note}"')
    for key, vals in (("values", values), ("female", female), ("male", male)):
        if not vals:
            continue
        out.append(f"[series.{sid}.{key}]")
        for y in sorted(vals):
            out.append(f"{y} = {fmt(vals[y])}")


def toml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def compact(v):
    if abs(v) >= 1e9:
        return f"{v / 1e9:.1f} billion"
    if abs(v) >= 1e6:
        return f"{v / 1e6:.2f} million"
    return f"{v:,.0f}"


def write_profile(iso, ctx):
    g = lambda k: ctx[k]
    n = g("names")[iso]
    c = g("cc").get(iso, {})
    hand = HAND.get(iso, {})
    name = n["name"]
    out = [
        f"# Migration Profile: {name}.",
        "# Values come from public datasets (see content/methodology.md), seeded by",
        "# scripts/seed-profiles.py; narratives, agreements and memberships are edited by hand.",
        "",
        "[country]",
        f'iso3 = "{iso}"',
        "name = { " + ", ".join(f"{l} = {toml_str(v)}" for l, v in (("en", name), ("fr", c.get("official_name_fr") or name), ("es", c.get("official_name_es") or name))) + " }",
        f'region = "{n["region"]}"',
        f'subregion = "{n["subregion"]}"',
    ]
    if hand.get("roles"):
        out.append("roles = [" + ", ".join(f'"{r}"' for r in hand["roles"]) + "]")
    out.append("updated = 2026-11-28")
    out.append('maintainer = "mpgen default site"')
    if hand.get("rcps"):
        out.append("rcps = [" + ", ".join(f'"{r}"' for r in hand["rcps"]) + "]")

    yr = lambda m: {y: m[(iso, y)] for y in YEARS if (iso, y) in m}
    stock, emig = g("stock"), g("emig")
    st_years = sorted({t for (geo, t, _) in stock if geo == iso})
    total = {t: stock[(iso, t, "female")] + stock[(iso, t, "male")] for t in st_years}
    fem = {t: stock[(iso, t, "female")] for t in st_years}
    mal = {t: stock[(iso, t, "male")] for t in st_years}
    em_years = sorted({t for (fr, t, _) in emig if fr == iso})
    em_total = {t: emig[(iso, t, "female")] + emig[(iso, t, "male")] for t in em_years}
    em_f = {t: emig[(iso, t, "female")] for t in em_years}
    em_m = {t: emig[(iso, t, "male")] for t in em_years}
    pop, remin, remout = yr(g("pop")), yr(g("remin")), yr(g("remout"))

    def top(pairs, k=15):
        items = sorted(((code, v) for code, v in pairs.items() if v > 0), key=lambda x: (-x[1], x[0]))
        head, rest = items[:k], items[k:]
        return head, sum(v for _, v in rest)

    origins, o_other = top({fr: v for (geo, fr), v in g("by_origin").items() if geo == iso})
    dests, d_other = top({geo: v for (fr, geo), v in g("by_dest").items() if fr == iso})
    def cname(code):
        row = g("names").get(code, {})
        return ("the " if row.get("with_the") == "1" else "") + row.get("name", code)

    # Narratives, written from the values above.
    the_name = cname(iso)
    trends = []
    if total:
        last = max(total)
        share = f", {100 * total[last] / pop[last]:.1f}% of the population" if last in pop else ""
        trends.append(f"In {last}, {compact(total[last])} international migrants lived in {the_name}{share}, "
                      f"against {compact(total[min(total)])} in {min(total)} (UN DESA, 2024 revision). "
                      f"Women were {100 * fem[last] / total[last]:.0f}% of them.")
        if origins:
            trends.append(f"The largest group came from {cname(origins[0][0])} ({compact(origins[0][1])}).")
    if em_total:
        last = max(em_total)
        line = f"{compact(em_total[last])} people born in {the_name} lived in another country in {last}"
        if dests:
            line += f", most of them in {cname(dests[0][0])} ({compact(dests[0][1])})"
        trends.append(line + ".")
    net = yr(g("netm"))
    if net:
        last = max(net)
        trends.append(f"Net migration in {last} was {net[last]:+,.0f} (World Bank), "
                      f"{'more arrivals than departures' if net[last] > 0 else 'more departures than arrivals'}.")
    impacts = []
    if remin:
        last = max(remin)
        line = f"Personal remittances received reached US$ {compact(remin[last])} in {last}"
        gdp = yr(g("gdp"))
        if last in gdp:
            line += f", {100 * remin[last] / gdp[last]:.1f}% of GDP"
        impacts.append(line + " (World Bank).")
    if remout:
        last = max(remout)
        impacts.append(f"Remittances sent abroad from {the_name} were US$ {compact(remout[last])} in {last}.")
    climate = []
    dis = yr(g("disaster"))
    if dis:
        peak = max(dis, key=lambda y: (dis[y], y))
        climate.append(f"Disasters caused {compact(sum(dis.values()))} internal displacements between {min(dis)} and {max(dis)} "
                       f"(IDMC); the most in one year was {compact(dis[peak])} in {peak}. A displacement is a movement, "
                       "so one person may be counted more than once.")

    series_block(out, "population", "wdi-2026", pop)
    series_block(out, "migrant_stock", "undesa-ims-2024", total, fem, mal)
    series_block(out, "emigrant_stock", "undesa-ims-2024", em_total, em_f, em_m)
    series_block(out, "net_migration", "wdi-2026", net)
    series_block(out, "refugees_hosted", "unhcr-rdf", yr(g("ref_hosted")))
    series_block(out, "refugees_abroad", "unhcr-rdf", yr(g("ref_abroad")))
    series_block(out, "asylum_seekers_hosted", "unhcr-rdf", yr(g("asylum")))
    series_block(out, "remittances_in_usd", "wdi-2026", remin)
    series_block(out, "remittances_out_usd", "wdi-gdidata", remout)
    series_block(out, "gdp_usd", "wdi-2026", yr(g("gdp")))
    series_block(out, "disaster_displacements", "idmc-gidd", dis)
    series_block(out, "conflict_displacements", "idmc-gidd", yr(g("conflict")))

    for sid, pairs, other in (("immigrants_by_origin", origins, o_other), ("emigrants_by_destination", dests, d_other)):
        if not pairs:
            continue
        out.append(f"\n[partners.{sid}]\nyear = 2024\nsource = \"undesa-ims-2024\"")
        out.append(f"other = {fmt(other)}")
        out.append(f"[partners.{sid}.values]")
        for code, v in pairs:
            out.append(f"{code} = {fmt(v)}")

    groups = ["0-4", "5-11", "12-17", "18-59", "60+"]
    idp = g("idp")
    if all((iso, s, a) in idp for s in ("female", "male") for a in groups):
        out.append("\n[age_sex.idp_age_sex]\nyear = 2024\nsource = \"idmc-gidd\"")
        out.append("groups = [" + ", ".join(f'"{a}"' for a in groups) + "]")
        for s in ("female", "male"):
            out.append(f"{s} = [" + ", ".join(fmt(idp[(iso, s, a)]) for a in groups) + "]")

    for a in hand.get("agreements", []):
        out.append("\n[[agreements]]")
        for k in ("id", "title", "partners", "kind", "topics", "signed", "status", "summary"):
            if k not in a:
                continue
            v = a[k]
            if isinstance(v, list):
                out.append(f"{k} = [" + ", ".join(f'"{x}"' for x in v) + "]")
            elif isinstance(v, int):
                out.append(f"{k} = {v}")
            else:
                out.append(f"{k} = {toml_str(v)}")

    out.append("\n[gaps]")
    out.append('notes = """The international datasets used here say nothing of labour migration costs, '
               'return migration, diaspora engagement or the recruitment of migrant workers. '
               'National sources are needed for those."""')
    for sec, paras in (("trends", trends), ("impacts", impacts), ("climate", climate)):
        if paras:
            out.append(f"\n[narrative.{sec}]")
            out.append('en = """' + " ".join(paras) + '"""')
    with open(os.path.join("profiles", f"{iso}.toml"), "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
