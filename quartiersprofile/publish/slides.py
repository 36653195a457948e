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

from ..content import charts, insight_rows, insight_text, text
from ..content.charts.style import CSS_DPI
from ..content.profile import Profile
from ..model import periods
from ..stats.suppression import SUPPRESSED_MARKER
from . import render
from .fragments import chart_to_html
from .info import ReportInfo
from .insight import index_slide_html as index_html  # noqa: F401 - the slides notebook shows it
from .pdf import html_to_pdf
from .report import show

REVEAL_DIR = Path(__file__).resolve().parents[2] / "node_modules" / "reveal.js"
TEMPLATE_NAME = "slides"
FINDINGS_PER_SLIDE = 4
#: Kernaussagen text on one slide: at 30 px type (slides.css) about nine lines of 75 characters with the gaps.
FINDINGS_CHARACTERS = 650
#: Kernaussagen slides at most: notebooks/slides.ipynb has a cell for each part.
FINDINGS_SLIDES = 4
#: Height of a slide's chart (CSS px of the 1280 x 720 slide, slides.css) and the least it is enlarged there, so
#: that its 7.5 pt texts are at least 11 px on a 1280 px wide screen (the slide shown at 97 %).
CHART_HEIGHT_PX = 540
CHART_SCALE = 1.15
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
    return insight_text.key_findings(profile)  # findings.profile_key_findings with the index and similar areas


def findings_parts(sentences: list[str]) -> list[list[str]]:
    """The Kernaussagen in order on slides: at most FINDINGS_PER_SLIDE sentences and about FINDINGS_CHARACTERS
    each (a longer sentence alone), never more than FINDINGS_SLIDES slides (the last one takes the rest)."""
    parts: list[list[str]] = []
    for sentence in sentences:
        last = parts[-1] if parts else None
        if (
            last is not None
            and len(last) < FINDINGS_PER_SLIDE
            and sum(map(len, last)) + len(sentence) <= FINDINGS_CHARACTERS
        ) or len(parts) == FINDINGS_SLIDES:
            parts[-1].append(sentence)
        else:
            parts.append([sentence])
    return parts


def key_findings_html(profile: Profile, part: int = 1) -> str:
    """One Kernaussagen slide (`findings_parts`, part 1 to FINDINGS_SLIDES); empty when there is nothing left."""
    parts = findings_parts(key_findings(profile))
    if part > len(parts):
        return ""
    sentences = parts[part - 1]
    items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
    title = "Kernaussagen" if part == 1 else "Kernaussagen (Fortsetzung)"
    return _slide(title, f"<div class='key-findings'><ul>{items}</ul></div>", "findings")


def spine_html(profile: Profile, group: int) -> str:
    """One part of the report's spine chart (its rows of the sections in `SPINE_GROUPS[group - 1]`)."""
    sections = SPINE_GROUPS[group - 1]
    names = set(profile.indicator_rows().query("section in @sections")["name"])
    spine = insight_rows.spine_rows(profile)  # with the similar areas' value and the target
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
    peers = profile.peer_values(lead)
    # Many areas (all 23 Ortsteile) are set closer than in the report, so that the chart fits the slide enlarged.
    rows_height = CHART_HEIGHT_PX / CSS_DPI / CHART_SCALE - 1.3
    chart = chart_to_html(
        charts.district_bars(
            peers, profile.area.code, row["city_value"], row["name"], row["unit"],
            row_inches=min(0.2, rows_height / len(peers)),
        ),
        f"{row['name']} in allen {peers_label} ({row['unit']}), {periods.label(row['period_label'])}",
    )  # fmt: skip
    value = SUPPRESSED_MARKER if row["suppressed"] else text.format_value(row["value"], row["unit"])
    verdict = (
        "wegen kleiner Fallzahlen nicht ausgewiesen"
        if row["suppressed"]
        else f"Vergleich mit Bremerhaven: {text.CLASSIFICATION_LABELS[row['comparison_95']]}"
    )
    is_city = profile.area.level == "stadt"  # the city is its own benchmark
    facts = [(f"{profile.name}, {periods.label(row['period_label'])}", value, "" if is_city else verdict)]
    if not is_city:
        facts.append(("Bremerhaven", text.format_value(row["city_value"], row["unit"]), ""))
    subtitle = f"<p class='slide-subtitle'>{html.escape(row['name'])}</p>"
    side = f"<div class='slide-side'>{subtitle}{_facts(facts)}</div>"  # the chart takes the slide's full height
    return _slide(section, f"<div class='slide-split'>{chart}{side}</div>", "chart")


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
