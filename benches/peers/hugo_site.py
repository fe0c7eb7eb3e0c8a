"""Makes the Hugo side of the peer benchmark from an mpgen site: the profiles and the
indicator catalogue as Hugo data (the very TOML files), a content stub per profile and
per series indicator, and the layouts and config in benches/peers/hugo.

    python3 benches/peers/hugo_site.py MPGEN_SITE HUGO_DIR
"""
import pathlib
import shutil
import sys
import tomllib

here = pathlib.Path(__file__).resolve().parent
site, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
if out.exists():
    shutil.rmtree(out)
shutil.copytree(here / "hugo", out)
(out / "data" / "profiles").mkdir(parents=True)
for p in sorted((site / "profiles").glob("*.toml")):
    shutil.copy(p, out / "data" / "profiles" / p.name)
shutil.copy(site / "indicators.toml", out / "data" / "indicators.toml")
(out / "static").mkdir(exist_ok=True)
shutil.copy(here.parent.parent / "themes" / "default" / "static" / "style.css", out / "static" / "style.css")

content = out / "content"
(content / "profiles").mkdir(parents=True)
(content / "indicators").mkdir(parents=True)
(content / "_index.md").write_text('+++\ntitle = "Migration Profiles"\n+++\n')
(content / "indicators" / "_index.md").write_text('+++\ntitle = "Indicators"\n+++\n')
for p in sorted((site / "profiles").glob("*.toml")):
    code = p.stem
    name = tomllib.loads(p.read_text())["country"]["name"]
    if isinstance(name, dict):
        name = name.get("en", code)
    (content / "profiles" / f"{code.lower()}.md").write_text(
        f'+++\ntitle = "{name}"\niso3 = "{code}"\n+++\n'
    )
indicators = tomllib.loads((site / "indicators.toml").read_text())
for ind_id, ind in indicators.items():
    if ind.get("kind") == "series":
        label = ind.get("label", {}).get("en", ind_id)
        (content / "indicators" / f"{ind_id}.md").write_text(
            f'+++\ntitle = "{label}"\nid = "{ind_id}"\n+++\n'
        )
