"""`profiles/index.html`: the page a reader starts from. Per reporting period: the city overview and the focus
reports first, then every profile in the hierarchy of the district register (Stadt → Stadtbezirk → Stadtteil →
Ortsteile) with its level named and links to its files, then the city-wide open data.

Only files that are in the output folder are linked (`index_page` looks); the build facts (status, duration,
hashes) stay in `manifest.json`, and the data-protection report (`datenschutz-*.csv`) is not linked: it is for
the data-protection officer, not for readers. Each link says whose file it is to a screen reader ("Lehe – PDF"),
while the page shows the short "PDF".
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..model import periods
from ..model.areas import LEVEL_LABELS, OVERVIEW_SLUG
from .open_data import FILES as OPEN_DATA_FILES
from .open_data import SLUG as OPEN_DATA_SLUG

#: The files of a profile as the index names them (kinds as in the manifest), in this order. A screen reader
#: hears the area's name first ("Lehe – PDF").
LINK_LABELS = {
    "html": "Bericht",
    "pdf": "PDF",
    "slides.html": "Folien",
    "slides.pdf": "Folien (PDF)",
    "csv": "CSV",
    "xlsx": "Excel",
}
#: The city-wide open data of a period (`publish.open_data`), as the index names them.
OPEN_DATA_LABELS = {"csv": "CSV", "xlsx": "Excel", "parquet": "Parquet", "datapackage": "Datenpaket (JSON)"}
#: Focus reports, made beside the profiles: `<period>/fokus-*.html` (and a PDF of the same name).
FOCUS_PATTERN = "fokus-*.html"


@dataclass
class _Listed:
    """One entry of the page: a name, what it is, and its files (kind -> path relative to the index); `files` None
    for a Stadtteil that is only the heading of its Ortsteile (its own profile not built)."""

    name: str
    level: str
    files: dict[str, str] | None
    children: list[_Listed] = field(default_factory=list)


def _links(name: str, files: dict[str, str], labels: dict[str, str]) -> str:
    links = [
        f'<a href="{html.escape(files[kind], quote=True)}"><span class="visually-hidden">{html.escape(name)} – '
        f"</span>{html.escape(label)}</a>"
        for kind, label in labels.items()
        if kind in files
    ]
    if not links:
        return '<span class="files missing">derzeit keine Dateien</span>'
    return f'<span class="files">{"".join(links)}</span>'


def _entry(item: _Listed, labels: dict[str, str] = LINK_LABELS) -> str:
    children = "".join(_entry(child) for child in item.children)
    nested = f'<ul class="entries nested">{children}</ul>' if children else ""
    level = f' <span class="level">{html.escape(item.level)}</span>' if item.level else ""
    files = "" if item.files is None else _links(item.name, item.files, labels)
    return (
        f'<li><div class="entry"><span class="entry-name"><span class="name">{html.escape(item.name)}</span>'
        f"{level}</span>{files}</div>{nested}</li>"
    )


def _outputs(entry: dict, exists) -> dict[str, str]:
    """The entry's files that are there, as paths relative to the index (kind -> path)."""
    paths = {kind: f"{entry['period']}/{info['path']}" for kind, info in entry.get("outputs", {}).items()}
    return {kind: path for kind, path in paths.items() if kind in LINK_LABELS and exists(path)}


def _hierarchy(entries: dict[str, dict], districts: pd.DataFrame | None, exists) -> tuple[list, list]:
    """The profiles of one period as (heading, entries) groups in the register's order, and what the register
    does not place (listed at the end)."""
    by_code = {entry["area_code"]: entry for entry in entries.values()}

    def listed(code: str, name: str, level: str) -> _Listed:
        return _Listed(name, LEVEL_LABELS.get(level, ""), _outputs(by_code[code], exists) if code in by_code else None)

    if districts is None:  # no register: one group per level, in the order of the file names
        groups = defaultdict(list)
        for entry in sorted(entries.values(), key=lambda e: e["area_name"]):
            level = entry["key"].split("/")[-1].split("-")[0]
            groups[level].append(_Listed(entry["area_name"], LEVEL_LABELS.get(level, ""), _outputs(entry, exists)))
        headings = {"stadt": "Stadt", "stadtteil": "Stadtteile", "ortsteil": "Ortsteile"}
        return [(headings[level], groups.pop(level)) for level in headings if level in groups], [
            item for items in groups.values() for item in items
        ]

    register = districts.assign(code=districts["code"].astype(str), parent_code=districts["parent_code"].astype(str))
    children = defaultdict(list)
    for row in register.itertuples():
        children[row.parent_code].append(row)
    placed: set[str] = set()
    groups = []
    for city in register[register["level"] == "stadt"].itertuples():
        if city.code in by_code:
            groups.append(("Stadt", [listed(city.code, city.name, "stadt")]))
            placed.add(city.code)
        for bezirk in children[city.code]:
            items = []
            for stadtteil in children[bezirk.code]:
                item = listed(stadtteil.code, stadtteil.name, "stadtteil")
                ortsteile = children[stadtteil.code]
                item.children = [listed(o.code, o.name, "ortsteil") for o in ortsteile if o.code in by_code]
                placed.update([stadtteil.code, *(o.code for o in ortsteile)])
                if stadtteil.code in by_code or item.children:
                    items.append(item)
            if items:
                groups.append((f"{LEVEL_LABELS['stadtbezirk']} {bezirk.name}", items))
    rest = [
        _Listed(e["area_name"], "", _outputs(e, exists))
        for e in sorted(entries.values(), key=lambda e: e["area_name"])
        if e["area_code"] not in placed
    ]
    return groups, rest


def _focus_name(path: Path) -> str:
    """A focus report's title (its `<title>` up to the first dash), else its file name."""
    try:
        found = re.search(r"<title>(.*?)</title>", path.read_text("utf-8", errors="replace")[:4000], re.S)
    except OSError:
        found = None
    title = html.unescape(found.group(1)).split(" – ")[0].strip() if found else ""
    return title or path.stem.removeprefix("fokus-").replace("-", " ").title()


@dataclass
class _Extras:
    """What a period's folder holds besides the manifest's jobs."""

    focus: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (title, kind -> path)
    open_data: dict[str, str] = field(default_factory=dict)  # kind -> path


def _period_section(period: str, entries: dict[str, dict], districts, exists, extras: _Extras) -> str:
    label = periods.label(period)
    anchor = f"zeitraum-{re.sub(r'[^0-9a-zA-Z]+', '-', period)}"
    top = []
    overview = next((e for e in entries.values() if e["key"].endswith(f"/{OVERVIEW_SLUG}")), None)
    if overview is not None:
        top.append(_Listed("Bremerhaven im Überblick", "alle Gebiete im Vergleich", _outputs(overview, exists)))
    top += [_Listed(title, "Schwerpunkt", files) for title, files in extras.focus]
    profiles = {
        key: entry for key, entry in entries.items()
        if not key.endswith((f"/{OVERVIEW_SLUG}", f"/{OPEN_DATA_SLUG}"))
        and not key.rsplit("/", 1)[-1].startswith(FOCUS_PATTERN.split("*")[0])  # focus reports: listed on top
    }  # fmt: skip
    groups, rest = _hierarchy(profiles, districts, exists)
    if rest:
        groups.append(("Weitere Gebiete", rest))
    parts = [f'<section class="period" aria-labelledby="{anchor}"><h2 id="{anchor}">Berichtszeitraum {label}</h2>']
    if top:
        parts.append(
            '<h3>Überblick über die Stadt</h3><ul class="entries">' + "".join(_entry(item) for item in top) + "</ul>"
        )
    for heading, items in groups:
        parts.append(f"<h3>{html.escape(heading)}</h3><ul class=\"entries\">{''.join(_entry(i) for i in items)}</ul>")
    if extras.open_data:
        item = _Listed(f"Alle Gebiete, {label}", "alle Indikatoren", extras.open_data)
        parts.append(
            "<h3>Offene Daten</h3><p class=\"note\">Alle Indikatoren aller Gebiete in einer Tabelle, wie in den "
            f'Berichten.</p><ul class="entries">{_entry(item, OPEN_DATA_LABELS)}</ul>'
        )
    parts.append("</section>")
    return "".join(parts)


STYLE = """
html { font-family: "Open Sans", "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: #1b1b1b; background: #fff;
       -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; line-height: 1.5; }
header.page, main { max-width: 60rem; margin: 0 auto; padding: 0 1rem; }
header.page { padding-top: 1.5rem; }
h1 { color: #1d4f76; font-size: 1.9rem; line-height: 1.2; margin: 0 0 0.5rem; }
h2 { color: #1d4f76; font-size: 1.45rem; margin: 2rem 0 0.5rem; padding-top: 0.75rem; border-top: 2px solid #c9d3dc; }
h3 { color: #1d4f76; font-size: 1.1rem; margin: 1.5rem 0 0.25rem; }
p { max-width: 46rem; }
a { color: #1d5a8a; }
.intro { margin: 0 0 1rem; }
.note { margin: 0.25rem 0; color: #4a4a4a; }
.visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
                   clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
ul.entries { list-style: none; margin: 0; padding: 0; }
ul.entries.nested { margin-left: 0.5rem; border-left: 2px solid #dde3ea; padding-left: 0.75rem; }
.entry { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.1rem 1rem; padding: 0.4rem 0;
         border-bottom: 1px solid #dde3ea; }
.entry-name { flex: 1 1 14rem; min-width: 0; overflow-wrap: break-word; }
.name { font-weight: 600; }
.level { display: inline-block; margin-left: 0.4rem; padding: 0 0.4rem; border-radius: 0.2rem; background: #eef2f6;
         color: #4a4a4a; font-size: 0.85rem; }
.files { display: flex; flex-wrap: wrap; gap: 0.25rem 0.8rem; }
.files a { display: inline-block; padding: 0.15rem 0; }
.missing { color: #4a4a4a; font-style: italic; }
nav.periods ul { display: flex; flex-wrap: wrap; gap: 0.5rem 1.25rem; list-style: none; margin: 0; padding: 0; }
footer.page { max-width: 60rem; margin: 2rem auto 0; padding: 1rem 1rem 2rem; color: #4a4a4a; font-size: 0.9rem; }
@media (min-width: 48rem) {
  ul.entries.nested { margin-left: 1.25rem; }
  .entry-name { flex: 0 0 20rem; }
  .nested .entry-name { flex-basis: calc(20rem - 2rem - 2px); }  /* the links in one column with the Stadtteile's */
}
"""


def index_html(
    manifest: dict[str, dict],
    districts: pd.DataFrame | None = None,
    present: Iterable[str] | None = None,
    extras: dict[str, _Extras] | None = None,
) -> str:
    """The index page: per period (latest first) the overview and focus reports, the profiles in the register's
    hierarchy (`districts`: code, name, level, parent_code; without it one group per level) and the open data.

    `present`: the paths (relative to the index) of the files there are; a file the manifest names but that is
    not among them is not linked. None links what the manifest names."""
    found = None if present is None else set(present)

    def exists(path: str) -> bool:
        return found is None or path in found

    by_period: dict[str, dict[str, dict]] = defaultdict(dict)
    for key, entry in manifest.items():
        by_period[entry["period"]][key] = entry
    extras = extras or {}
    for period in extras:
        by_period.setdefault(period, {})
    ordered = sorted(by_period, key=periods.sort_key, reverse=True)
    sections = "".join(
        _period_section(p, by_period[p], districts, exists, extras.get(p, _Extras())) for p in ordered
    )
    jump = ""
    if len(ordered) > 1:
        items = "".join(
            f'<li><a href="#zeitraum-{re.sub(r"[^0-9a-zA-Z]+", "-", p)}">{html.escape(periods.label(p))}</a></li>'
            for p in ordered
        )
        jump = f'<nav class="periods" aria-label="Berichtszeiträume"><ul>{items}</ul></nav>'
    empty = "" if ordered else "<p>Noch keine Berichte erstellt.</p>"
    return f"""<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Quartiersprofile Bremerhaven – alle Berichte</title>
<style>{STYLE}</style>
</head>
<body>
<header class="page">
<h1>Gesundheitsbezogene Quartiersprofile Bremerhaven</h1>
<p class="intro">Für die Stadt, jeden Stadtteil und jeden bewohnten Ortsteil: der Bericht zum Lesen am Bildschirm,
als PDF zum Drucken, Folien für Präsentationen und die Zahlen als Tabelle (CSV, Excel).</p>
</header>
<main>
{jump}{sections}{empty}
</main>
</body>
</html>
"""


def _extras(output_dir: Path, period_dirs: Iterable[Path]) -> dict[str, _Extras]:
    """Focus reports and open data found in the period folders."""
    found = {}
    for folder in period_dirs:
        try:
            periods.sort_key(folder.name)
        except ValueError:  # not a period's folder
            continue
        extra = _Extras()
        for page in sorted(folder.glob(FOCUS_PATTERN)):
            if page.name.endswith(".slides.html"):  # a focus report's slides: linked beside the report
                continue
            files = {"html": f"{folder.name}/{page.name}"}
            for kind, suffix in (("pdf", ".pdf"), ("slides.html", ".slides.html"), ("slides.pdf", ".slides.pdf")):
                if (folder / f"{page.stem}{suffix}").is_file():
                    files[kind] = f"{folder.name}/{page.stem}{suffix}"
            extra.focus.append((_focus_name(page), files))
        extra.open_data = {
            kind: f"{folder.name}/{name}" for kind, name in OPEN_DATA_FILES.items() if (folder / name).is_file()
        }
        if extra.focus or extra.open_data:
            found[folder.name] = extra
    return found


def index_page(output_dir: Path, manifest: dict[str, dict], districts: pd.DataFrame | None = None) -> bytes:
    """The index page of an output folder: the manifest's profiles whose files are there, grouped by the
    register (`districts`), and the focus reports and open data found in its period folders."""
    period_dirs = [p for p in sorted(output_dir.iterdir()) if p.is_dir() and not p.name.startswith(".")]
    present = {f"{folder.name}/{path.name}" for folder in period_dirs for path in folder.iterdir() if path.is_file()}
    return index_html(manifest, districts, present, _extras(output_dir, period_dirs)).encode("utf-8")
