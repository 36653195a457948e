"""Slides per district: a self-contained reveal.js deck (HTML) and its PDF, one slide per page.

The template notebook `notebooks/slides.ipynb` builds one slide per code cell (cell metadata
``slideshow.slide_type``) from the functions below; every number is the report's own (same `Profile`, same
charts and formatting). `notebook_to_slides_html` renders it with nbconvert's `SlidesExporter` and the
template `templates/slides/`, which inlines reveal.js from the npm package (`node_modules/reveal.js`, see
package.json): the deck makes no request to any other host. `slides_to_pdf` prints the same HTML with
headless Chromium, scripts off: the reveal.js style sheet is for screens only, the deck's print rules make each
slide a 16:9 page.

Example::

    html = notebook_to_slides_html(nbformat.read(path, as_version=4), report_info(profile, build_id))
    pdf = slides_to_pdf(html)
"""

from __future__ import annotations

import html
from dataclasses import asdict
from functools import cache
from pathlib import Path

import nbformat
import pandas as pd
from nbconvert import SlidesExporter
from nbconvert.exporters.slides import _RevealMetadataPreprocessor

from ..content import charts, findings, text
from ..content.profile import Profile
from ..stats.suppression import SUPPRESSED_MARKER
from . import render
from .fragments import chart_to_html
from .info import ReportInfo
from .pdf import html_to_pdf
from .report import show

REVEAL_DIR = Path(__file__).resolve().parents[2] / "node_modules" / "reveal.js"
TEMPLATE_NAME = "slides"
FINDINGS_PER_SLIDE = 4
#: The spine chart of the report, split over three slides so that its rows stay legible.
SPINE_GROUPS = (
    ("Demografie", "Soziale Lage"),
    ("Kindergesundheit",),
    ("Gesundheit und Sterblichkeit", "Versorgung", "Wohnumfeld"),
)


# --- rendering ----------------------------------------------------------------------------------------------


@cache
def reveal_assets() -> dict[str, str]:
    """reveal.js's core style sheet and script (the npm package's dist files), safe to inline in HTML."""
    dist = REVEAL_DIR / "dist"
    if not (dist / "reveal.js").is_file():
        raise FileNotFoundError(
            f"reveal.js not found in {dist}: install the Node packages of package.json with `npm ci` "
            "(make setup does)."
        )
    css = (dist / "reveal.css").read_text("utf-8").replace("</style", "<\\/style")
    script = (dist / "reveal.js").read_text("utf-8").replace("</script", "<\\/script")
    return {"css": css, "js": script}


@cache
def _exporter() -> SlidesExporter:
    """The exporter, made once per process (as `render._exporter`)."""
    exporter = SlidesExporter(
        extra_template_basedirs=[str(render.TEMPLATES_DIR)],
        extra_template_paths=[str(render.TEMPLATES_DIR)],  # for {% extends 'profile/index.html.j2' %}
        template_name=TEMPLATE_NAME,
        exclude_anchor_links=True,
        filters={"css_string": render.css_string},  # the extended profile template uses it
    )
    # First drop what a reader must not see, then mark where slides start and end (so a cell without output
    # can never leave a slide open).
    exporter.register_preprocessor(render.ReportContentFilter(), enabled=True)
    exporter.register_preprocessor(_RevealMetadataPreprocessor(), enabled=True)
    return exporter


def notebook_to_slides_html(notebook: nbformat.NotebookNode, info: ReportInfo) -> str:
    """Render an executed slides notebook as one self-contained reveal.js deck (a `str`).

    The title slide comes from `info` (as the report's cover); each further slide is one notebook cell with
    output. Deterministic: equal inputs give byte-identical HTML.
    """
    assets = reveal_assets()
    resources = {
        "profile": asdict(info),
        "reveal_css": assets["css"],
        "reveal_js": assets["js"],
        "slides_css": (render.TEMPLATES_DIR / TEMPLATE_NAME / "slides.css").read_text("utf-8"),
    }
    body, _ = _exporter().from_notebook_node(notebook, resources=resources)
    return body


def slides_to_pdf(html_text: str) -> bytes:
    """The deck as a PDF, one 16:9 page per slide ("Beispieldaten" on every page for sample data).

    The browser runs no script of the page (reveal.js stays idle) and uses only the deck's print rules;
    tagging, fonts and dates as `pdf.html_to_pdf`.
    """
    return html_to_pdf(html_text)


# --- slide content (called by notebooks/slides.ipynb) -------------------------------------------------------


def show_slide(fragment: str) -> None:
    """Display one slide's HTML as the cell's output; nothing for an empty fragment, so the cell makes no slide."""
    if fragment:
        show(fragment)


def _slide(title: str, body: str, kind: str) -> str:
    return f"<div class='slide-content slide-{kind}'><h2>{html.escape(title)}</h2>{body}</div>"


def key_findings(profile: Profile) -> list[str]:
    """The report's Kernaussagen (same function, same rows)."""
    return findings.key_findings(profile.indicator_rows(), profile.name, is_city=profile.area.level == "stadt")


def key_findings_html(profile: Profile, part: int = 1) -> str:
    """One Kernaussagen slide: sentences 1-4 (part 1) or 5-8 (part 2); empty when there is nothing left."""
    sentences = key_findings(profile)[(part - 1) * FINDINGS_PER_SLIDE : part * FINDINGS_PER_SLIDE]
    if not sentences:
        return ""
    items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
    title = "Kernaussagen" if part == 1 else "Kernaussagen (Fortsetzung)"
    return _slide(title, f"<div class='key-findings'><ul>{items}</ul></div>", "findings")


def spine_html(profile: Profile, group: int) -> str:
    """One part of the report's spine chart (its rows of the sections in `SPINE_GROUPS[group - 1]`)."""
    sections = SPINE_GROUPS[group - 1]
    names = set(profile.indicator_rows().query("section in @sections")["name"])
    spine = profile.spine_rows()
    rows = spine[spine["name"].isin(names)].reset_index(drop=True)
    chart = chart_to_html(
        charts.spine_chart(rows),
        f"{', '.join(sections)}: {profile.name} (Punkt) im Vergleich mit Bremerhaven (Linie) und der Spannweite "
        "aller Vergleichsgebiete; rechts ist immer „günstiger bzw. höher“.",
    )
    title = f"Im Vergleich mit Bremerhaven ({group}/{len(SPINE_GROUPS)})"
    return _slide(title, f"<div class='slide-chart'>{chart}</div>", "spine")


def _facts(facts: list[tuple[str, str, str]]) -> str:
    """Key numbers beside a chart, in large type: (label, value, note)."""
    cards = "".join(
        f"<div class='fact'><dt>{html.escape(label)}</dt><dd><span class='fact-value'>{html.escape(value)}</span>"
        + (f"<span class='fact-note'>{html.escape(note)}</span>" if note else "")
        + "</dd></div>"
        for label, value, note in facts
    )
    return f"<dl class='facts'>{cards}</dl>"


def population_html(profile: Profile) -> str:
    """Bevölkerung: the report's age pyramid beside the residents and age groups (area and city)."""
    chart = chart_to_html(
        charts.population_pyramid(profile.pyramid(), profile.name),
        f"Altersaufbau {profile.name} im Vergleich zu Bremerhaven (Anteile an allen Einwohnern)",
    )
    groups = profile.age_groups()
    is_city = profile.area.level == "stadt"
    facts = [("Einwohner", text.format_count(profile.population_total), profile.period_label)]
    for _, row in groups.iloc[[0, -1]].iterrows():
        city = "" if is_city else f"Bremerhaven {text.format_value(row['city_share'], '%')}"
        facts.append((f"Anteil {row['group']}", text.format_value(row["district_share"], "%"), city))
    return _slide("Bevölkerung", f"<div class='slide-split'>{chart}{_facts(facts)}</div>", "chart")


def lead_indicator_html(profile: Profile, section: str) -> str:
    """A section's lead indicator (as in the report): all peer areas as bars, and the area's value, the city's
    and the comparison in large type. Empty when the section has no lead indicator."""
    lead = profile.lead_indicator(section)
    if lead is None:
        return ""
    rows = profile.indicator_rows(section)
    row = rows[rows["id"] == lead].iloc[0]
    peers_label = "Ortsteilen" if profile.area.peer_level == "ortsteil" else "Stadtteilen"
    chart = chart_to_html(
        charts.district_bars(profile.peer_values(lead), profile.area.code, row["city_value"], row["name"], row["unit"]),
        f"{row['name']} in allen {peers_label} ({row['unit']}), {row['period_label']}",
    )
    value = SUPPRESSED_MARKER if row["suppressed"] else text.format_value(row["value"], row["unit"])
    verdict = (
        "wegen kleiner Fallzahlen nicht ausgewiesen"
        if row["suppressed"]
        else f"Vergleich mit Bremerhaven: {text.CLASSIFICATION_LABELS[row['comparison_95']]}"
    )
    is_city = profile.area.level == "stadt"  # the city is its own benchmark
    facts = [(f"{profile.name}, {row['period_label']}", value, "" if is_city else verdict)]
    if not is_city:
        facts.append(("Bremerhaven", text.format_value(row["city_value"], row["unit"]), ""))
    subtitle = f"<p class='slide-subtitle'>{html.escape(row['name'])}</p>"
    return _slide(section, f"{subtitle}<div class='slide-split'>{chart}{_facts(facts)}</div>", "chart")


def sources_html(profile: Profile) -> str:
    """Closing slide: the data sources of the catalogue, the data vintage and where to find the full report."""
    meta = profile.tables.metadata
    sources = pd.unique(profile.catalogue["source"].dropna())
    items = "".join(f"<li>{html.escape(s)}</li>" for s in sources)
    vintage = [
        f"Datenstand: {text.format_date(meta['stand'])}." if meta.get("stand") else "",
        meta.get("population_base", ""),
    ]
    notes = f"<p class='vintage'>{html.escape(' '.join(v for v in vintage if v))}</p>"
    notes += (
        f"<p class='more'>Alle Werte mit Konfidenzintervallen, Definitionen und Methoden: Quartiersprofil "
        f"{html.escape(profile.name)}, {html.escape(profile.period_label)} (HTML und PDF).</p>"
    )
    return _slide("Quellen und Datenstand", f"<ul class='sources'>{items}</ul>{notes}", "sources")
