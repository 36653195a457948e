"""HTML pieces of a report: the key findings and figures, the location, indicator tables, methods and figures.

Each function takes a `Profile` (or its rows) and returns an HTML fragment; the notebooks display them through
`quartiersprofile.publish.report`.
"""

from __future__ import annotations

import base64
import html
import sys

import pandas as pd

from ..content import charts, insight_text, text
from ..content.charts.style import CSS_DPI, Chart, smallest_text_size
from ..content.profile import Profile
from ..model import periods
from ..stats.suppression import SUPPRESSED_MARKER
from . import insight_cells

STATISTIC_LABELS = {
    "proportion": "Anteil mit Wilson-Konfidenzintervall",
    "rate": "Rate mit exaktem Poisson- bzw. Byar-Konfidenzintervall",
    "dsr": "direkt altersstandardisierte Rate (Europastandard 2013, Dobson-Konfidenzintervall)",
    "mean": "Mittelwert mit t-Konfidenzintervall",
    "count": "Anzahl",
    "ratio": "Verhältniszahl ohne Konfidenzintervall",
}
METHODS_TEXT = (
    "Jeder Wert wird mit seinem 95-%-Konfidenzintervall ausgewiesen. Ein Gebiet gilt als signifikant besser oder "
    "schlechter als Bremerhaven, wenn der Wert der Stadt außerhalb dieses Intervalls liegt (wie in den "
    "Fingertips-Profilen von Public Health England); die strengere Prüfung verwendet das 99,8-%-Intervall. "
    "Anteile: Wilson-Score-Intervall. Raten: exakte Poisson-Grenzen bei weniger als 10 Ereignissen, sonst "
    "Byar-Näherung. Sterblichkeit: direkte Altersstandardisierung auf die Europastandardbevölkerung 2013 mit "
    "dem Dobson-Verfahren; bei weniger als 10 Sterbefällen wird kein Wert berechnet. Mittelwerte: "
    "t-Verteilung. Trend: Test auf linearen Trend über die letzten fünf Zeiträume (Chi-Quadrat-Trendtest für "
    "Anteile, Poisson-Trendtest für Raten; bei altersstandardisierten Raten ein Test auf die standardisierten "
    "Raten selbst, gewichtet mit ihrer Varianz, damit die Alterung der Bevölkerung nicht als Trend erscheint). "
    "Kleine Gebiete werden über mehrere Jahrgänge zusammengefasst, wo der Katalog es vorsieht; der Zeitraum "
    "steht dann bei jedem Wert (z. B. 2020–2024). Stadtteilwerte sind Summen ihrer Ortsteile; Fläche und "
    "Bevölkerungsdichte beziehen sich auf die ganze Fläche laut Gebietsregister, unbewohnte Ortsteile "
    "eingeschlossen."
)


def location_html(profile: Profile) -> str:
    """Which Ortsteile the area covers (its numbers are their sums) and where it lies."""
    names = dict(zip(profile.tables.districts["code"], profile.tables.districts["name"], strict=True))
    members = ", ".join(names[code] for code in profile.area.members)
    if profile.area.level == "ortsteil":
        sentence = f"{profile.name} ist ein Ortsteil im Stadtteil {profile.area.parent_name}."
    elif profile.area.level == "stadt":
        sentence = (
            f"{profile.city.name} umfasst {len(profile.area.members)} bewohnte Ortsteile in {profile.stadtteil_count} "
            "Stadtteilen; verglichen werden die Stadtteile."
        )
    elif profile.area.also_code:
        sentence = f"Der Stadtteil {profile.name} besteht aus einem bewohnten Ortsteil ({members})."
    else:
        sentence = f"Der Stadtteil {profile.name} umfasst die Ortsteile {members}; seine Werte sind deren Summen."
    return f"<p class='location'>{html.escape(sentence)}</p>"


def location_map_html(profile: Profile) -> str:
    """The map of all Ortsteile with this area's highlighted; a note instead when no geometry is known for
    them (neither the built-in tile grid of Bremerhaven nor ``ortsteile.geojson``)."""
    ortsteile = profile.ortsteile()
    if profile.tables.boundaries is None and not set(ortsteile["code"]) <= charts.TILE_GRID.keys():
        return (
            "<p class='note'>Keine Karte: Für diese Gebiete liegen keine Gebietsgrenzen vor "
            "(Datei <code>ortsteile.geojson</code>, siehe Datenvertrag).</p>"
        )
    chart = charts.tile_map(ortsteile, highlight=list(profile.area.members), geojson=profile.tables.boundaries)
    caption = f"Lage von {profile.name} unter den {len(ortsteile)} Ortsteilen {profile.city.name}s"
    return chart_to_html(chart, caption)


def key_findings_html(profile: Profile) -> str:
    """The Kernaussagen box (`findings.profile_key_findings`; the slides show the same sentences)."""
    sentences = insight_text.key_findings(profile)  # findings.profile_key_findings with the index and similar areas
    items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
    return f"<div class='key-findings'><ul>{items}</ul></div>"


def key_figures_html(profile: Profile) -> str:
    """Key figures of the area beside the city: residents, area, density and the age structure."""
    rows = profile.indicator_rows("Demografie")
    cells = [
        ("Einwohner:innen", text.format_count(profile.population_total)),
        ("Fläche", text.format_value(profile.area_km2, "km²", 2)),
    ]
    for _, row in rows[rows["statistic"] != "count"].head(4).iterrows():
        shown = SUPPRESSED_MARKER if row["suppressed"] else text.format_value(row["value"], row["unit"])
        cells.append((row["name"], shown))
    # A definition list: a screen reader says "Einwohner: 38.445"; the CSS shows the number big, above its
    # label. The unit after the number's no-break space is set smaller ("16,37" "km²"), and on a narrow card
    # it may go to the next line.
    figures = []
    for label, value in cells:
        number, _, unit = value.partition(text.NBSP)
        unit_html = f" <span class='figure-unit'>{html.escape(unit)}</span>" if unit else ""
        figures.append(
            f"<div class='figure-card'><dt class='figure-label'>{html.escape(label)}</dt>"
            f"<dd class='figure-value'>{html.escape(number)}{unit_html}</dd></div>"
        )
    return f"<dl class='key-figures'>{''.join(figures)}</dl>"


def methods_html(profile: Profile) -> str:
    """Methods, definitions and sources, generated from the catalogue and the build's metadata."""
    meta = profile.tables.metadata
    parts = [
        f"<h3>Statistische Methoden</h3><p>{html.escape(METHODS_TEXT)}</p>",
        f"<h3>Kleine Fallzahlen</h3><p>{html.escape(profile.tables.rule.describe_de())}</p>",
    ]
    parts += [f"<h3>{html.escape(h)}</h3><p>{html.escape(p)}</p>" for h, p in insight_text.methods_paragraphs(profile)]
    vintage = [
        f"Datenstand: {text.format_date(meta['stand'])}." if meta.get("stand") else "",
        meta.get("population_base", ""),
        meta.get("sample_notice", "") if meta.get("sample_data") else "",
    ]
    parts.append(f"<h3>Datengrundlage</h3><p>{html.escape(' '.join(v for v in vintage if v))}</p>")
    parts.append(
        "<p>Gebietsgliederung, Flächen und Einwohner 31.12.2018: Magistrat der Stadt Bremerhaven / Statistisches "
        "Landesamt Bremen (nach den de.wikipedia-Artikeln der Stadtteile); amtliche Schlüssel: „Bremerhaven "
        "in Zahlen“ Nr. 8 (2011).</p>"
    )
    parts.append("<h3>Definitionen</h3>")
    for section, group in profile.catalogue.groupby("section", sort=False):
        entries = []
        for _, r in group.iterrows():
            method = STATISTIC_LABELS[r["statistic"]] + (
                f", {int(r['years_pooled'])} Jahre zusammengefasst" if r["years_pooled"] > 1 else ""
            )
            details = (
                ("Zähler", r["numerator"]),
                ("Nenner", r["denominator"]),
                ("Methode", method),
                ("Quelle", r["source"]),
            )
            facts = "".join(
                f"<span class='definition-fact'><span class='definition-term'>{term}:</span> "
                f"{html.escape(value.strip().removesuffix('.'))}.</span> "  # "am 31.12." ends with its own dot
                for term, value in details
                if isinstance(value, str) and value.strip()  # a count has no denominator
            )
            entries.append(
                f"<div class='definition'><dt>{html.escape(r['name'])} "
                f"<span class='unit'>({html.escape(r['unit'])})</span></dt>"
                f"<dd><span class='definition-text'>{html.escape(r['definition'])}</span> "
                f"<span class='definition-facts'>{facts.rstrip()}</span></dd></div>"
            )
        parts.append(f"<h4>{html.escape(section)}</h4><dl class='definitions'>{''.join(entries)}</dl>")
    return f"<div class='methods'>{''.join(parts)}</div>"


def appendix_html(profile: Profile) -> str:
    caption = f"Alle Indikatoren für {profile.name}, {profile.period_label}"
    return indicator_table_html(profile.indicator_rows(), caption, profile.suppression_note)



def _value_cell(row: pd.Series, column: str) -> str:
    if row["suppressed"]:
        return SUPPRESSED_MARKER
    return text.format_number(row[column], text.decimals_for(row["unit"]))


def _cases(row: pd.Series) -> str:
    """The count behind a value: events or people (a mean's number measured); none for ratios."""
    if row["suppressed"]:
        return SUPPRESSED_MARKER
    if row["statistic"] == "ratio":
        return text.MISSING
    return text.format_count(row["denominator"] if row["statistic"] == "mean" else row["numerator"])


def indicator_table_html(rows: pd.DataFrame, caption: str, note: str = "") -> str:
    """Table of indicators: value, 95 % CI, city value, classification, trend and count.

    `note` (the small-number rule) is printed under the table when a value in it is suppressed, so every page
    that hides a value says why."""
    head = (
        "<tr><th scope='col' class='col-name'>Indikator</th><th scope='col' class='col-period'>Zeitraum</th>"
        "<th scope='col' class='num col-value'>Wert</th><th scope='col' class='num col-ci'>95-%-KI</th>"
        "<th scope='col' class='num col-city'>Bremer\u00adhaven</th>"
        "<th scope='col' class='col-comparison'>Vergleich</th><th scope='col' class='col-trend'>Trend</th>"
        "<th scope='col' class='num col-count'>Fälle</th></tr>"
    )
    neighbours = insight_cells.has_neighbours(rows)  # the second benchmark, "ähnliche Gebiete", when there is one
    if neighbours:
        trend = "<th scope='col' class='col-trend'>"
        head = head.replace(trend, insight_cells.neighbours_header() + trend)
    # "•" alone means nothing to a screen reader; the abbreviation's title says what it stands for.
    suppressed = (
        f"<abbr class='suppressed' title='wegen kleiner Fallzahlen nicht ausgewiesen'>{SUPPRESSED_MARKER}</abbr>"
    )

    def shown(cell: str) -> str:
        return suppressed if cell == SUPPRESSED_MARKER else cell

    body = []
    for _, row in rows.iterrows():
        decimals = text.decimals_for(row["unit"])
        interval = (
            SUPPRESSED_MARKER if row["suppressed"] else text.format_interval(row["lower"], row["upper"], decimals)
        )
        label = text.CLASSIFICATION_LABELS[row["comparison_95"]]
        count = _cases(row)
        body.append(
            f"<tr><th scope='row'>{html.escape(row['name'])} <span class='unit'>({html.escape(row['unit'])})"
            f"</span></th><td class='period'>{html.escape(periods.label(row['period_label']))}</td>"
            f"<td class='num'>{shown(_value_cell(row, 'value'))}</td><td class='num ci'>{shown(interval)}</td>"
            f"<td class='num'>{text.format_number(row['city_value'], decimals)}</td>"
            f"<td><span class='badge badge-{row['comparison_95'].replace(' ', '-')}'>{label}</span>"
            f"{insight_cells.target_badge(row)}</td>"
            + (insight_cells.neighbours_cell(row) if neighbours else "")
            + f"<td class='trend'>{text.TREND_LABELS[row['trend']]}</td><td class='num'>{shown(count)}</td></tr>"
        )
    # On a phone the table scrolls sideways inside this box; keyboard users reach it with Tab (a named region).
    return (
        f"<div class='table-scroll' role='region' tabindex='0' aria-label='{html.escape(caption)}'>"
        f"<table class='indicators{' with-neighbours' if neighbours else ''}'><caption>{html.escape(caption)}</caption>"
        f"<thead>{head}</thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>"
        + (f"<p class='table-note'>{SUPPRESSED_MARKER} {html.escape(note)}</p>" if rows["suppressed"].any() else "")
    )


#: On screen a chart is shown so large that its smallest text is this many CSS px where the column has room for
#: it (never smaller than its natural size, 1 px = 1/96 in); a narrower column shrinks it (``max-width: 100%``).
SCREEN_TEXT_PX = 12


def _chart_image(figure, alt_text: str, css_class: str = "") -> str:
    """One ``<img>`` of a figure: the PNG (200 dpi, see `drawn_png`) and its display size in CSS px.

    ``width``/``height`` (so the layout does not jump while loading) are the figure's size at 96 dpi, enlarged so
    that its smallest text (``data-text-pt``, in pt) is `SCREEN_TEXT_PX` on screen; print ignores them.
    """
    png = charts.drawn_png(figure)
    if figure.canvas.manager is not None:  # made through pyplot (e.g. seaborn): release it there
        sys.modules["matplotlib.pyplot"].close(figure)
    smallest = smallest_text_size(figure)
    scale = max(1.0, SCREEN_TEXT_PX / (smallest * CSS_DPI / 72))
    width, height = (round(size * CSS_DPI * scale) for size in figure.get_size_inches())
    data = base64.b64encode(png).decode("ascii")
    css = f' class="{css_class}"' if css_class else ""
    return (
        f'<img{css} src="data:image/png;base64,{data}" alt="{html.escape(alt_text)}" width="{width}" '
        f'height="{height}" data-text-pt="{smallest:g}">'
    )


def chart_to_html(chart: Chart, caption: str) -> str:
    """The chart as an HTML ``<figure>`` with its embedded PNG, alt text and caption.

    A chart with a phone variant (`Chart.narrow`) gets both pictures, ``img.chart-wide`` and ``img.chart-narrow``
    (same alt text); the style sheet shows one of them (the narrow one only on small screens, never in print).
    """
    if chart.narrow is None:
        image = _chart_image(chart.figure, chart.alt_text)
        return f'<figure class="chart">{image}<figcaption>{html.escape(caption)}</figcaption></figure>'
    wide = _chart_image(chart.figure, chart.alt_text, "chart-wide")
    narrow = _chart_image(chart.narrow().figure, chart.alt_text, "chart-narrow")
    return (
        f'<figure class="chart chart-responsive">{wide}{narrow}<figcaption>{html.escape(caption)}</figcaption>'
        "</figure>"
    )
