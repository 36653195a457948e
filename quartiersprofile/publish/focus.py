"""The focus report of a focus group (e.g. the Demografielabore) and its slides, as HTML fragments.

The template notebooks `notebooks/focus.ipynb` and `notebooks/focus_slides.ipynb` call these functions (one call
per cell); the numbers come from `quartiersprofile.content.focus` (the suppressed indicator table only) and
`quartiersprofile.content.projection`. `focus_info` gives the cover, header and footer texts.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Mapping

import pandas as pd

from ..content import charts, text
from ..content import focus as content
from ..content import projection as projection_content
from ..content.focus import FocusReport, open_focus
from ..content.tables import ProfileTables
from ..model import periods
from ..model.focus import focus_groups
from ..stats.suppression import SUPPRESSED_MARKER
from . import projection
from .cover import file_links, report_info
from .fragments import chart_to_html
from .info import ReportInfo

__all__ = ["FocusReport", "focus_info", "open_focus", "show_slide"]

SUPPRESSED_TITLE = "wegen kleiner Fallzahlen nicht ausgewiesen"
#: How the verdicts read in the tables (content.focus names them).
VERDICT_LABELS = {
    content.HIGHER: "Veränderung signifikant größer als in Bremerhaven",
    content.LOWER: "Veränderung signifikant kleiner als in Bremerhaven",
    content.SIMILAR: "kein signifikanter Unterschied",
    content.HIDDEN: "unterdrückt",
    content.NOT_TESTED: "nicht geprüft",
    content.CITY: "Vergleichsgröße",
}
#: What a significant difference from the city's change means, in a sentence.
DIRECTIONS = {
    content.HIGHER: "stärker gestiegen bzw. schwächer gesunken",
    content.LOWER: "schwächer gestiegen bzw. stärker gesunken",
}
METHODS_TEXT = (
    "Ausgangswert ist der Wert im Jahr der Auswahl ({year}) bzw. der letzte Wert davor (bei Quartalsdaten das "
    "4. Quartal, bei zusammengefassten Jahren der Zeitraum, der mit diesem Jahr endet), aktueller Wert der des "
    "Berichtszeitraums. Die Veränderung ist die Differenz der beiden Werte in der Einheit des Indikators (bei "
    "Anteilen in Prozentpunkten). Ihr 95-%-Konfidenzintervall folgt aus den Konfidenzintervallen der beiden Werte "
    "nach der MOVER-Methode (Newcombe 1998 für die Differenz zweier Anteile mit Wilson-Intervallen, Zou und Donner "
    "2008 allgemein). Ob sich ein Gebiet anders entwickelt hat als Bremerhaven, prüft die Differenz der beiden "
    "Veränderungen (Gebiet minus Stadt), wieder mit einem MOVER-Intervall aus den Intervallen der beiden "
    "Veränderungen: Liegt die 0 außerhalb, ist der Unterschied signifikant. Beide Jahre und das Gebiet und die "
    "Stadt werden dabei wie unabhängige Stichproben behandelt; da sie sich überschneiden (dieselben Menschen, das "
    "Gebiet ist Teil der Stadt, überlappende Mehrjahreszeiträume), sind die Intervalle eher zu breit und der Test "
    "vorsichtig. Indikatoren ohne Konfidenzintervall (Anzahlen, Verhältniszahlen) werden nicht geprüft. "
    "Verborgene Werte (kleine Fallzahlen) bleiben verborgen; eine Veränderung oder ein Vergleich, der einen von "
    "ihnen bräuchte, wird als „unterdrückt“ ausgewiesen."
)


def focus_info(
    tables: ProfileTables, period: str, group: str, build_id: str, files: Mapping[str, str] | None = None
) -> ReportInfo:
    """Cover, header and footer texts of a group's focus report (the city profile's, with the group's title)."""
    report = FocusReport(content.find_group(tables, group), period, tables)
    info = report_info(report.profile(report.city), build_id, files)
    names = _in_words(report.area_names)
    label = periods.label(period)
    return dataclasses.replace(
        info,
        title=report.title,
        level_line=f"{names} im Vergleich mit {report.city.name}, seit {report.baseline}",
        description=f"Schwerpunktbericht {report.title}: {names} seit {report.baseline}, {label}",
    )


def focus_files(slug: str, formats) -> dict[str, str]:
    """What a focus job writes (kind -> file name), for the links between its files."""
    suffixes = {"html": (".html",), "pdf": (".pdf",), "slides": (".slides.html", ".slides.pdf")}
    return {s.lstrip("."): f"{slug}{s}" for f in formats for s in suffixes.get(f, ())}


def _in_words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} und {items[-1]}"


def _suppressed() -> str:
    return f"<abbr class='suppressed' title='{SUPPRESSED_TITLE}'>{SUPPRESSED_MARKER}</abbr>"


# --- numbers as the tables print them ----------------------------------------------------------------------


def _value(row: pd.Series, prefix: str) -> str:
    if row[f"{prefix}_hidden"]:
        return _suppressed()
    value = text.format_number(row[f"{prefix}_value"], text.decimals_for(row["unit"]))
    if value == text.MISSING:
        return text.MISSING
    interval = text.format_interval(row[f"{prefix}_lower"], row[f"{prefix}_upper"], text.decimals_for(row["unit"]))
    period = html.escape(row[f"{prefix}_label"])
    shown = value if interval == text.MISSING else f"{value}<br><span class='ci'>{interval}</span>"
    return f"{shown}<br><span class='unit'>{period}</span>"


def signed(value: float, decimals: int) -> str:
    """A difference with its sign: "+1,2", "−0,4", "0,0"."""
    number = text.format_number(value, decimals)
    if number == text.MISSING:
        return number
    if number.startswith("-"):
        return "−" + number[1:]
    return number if set(number) <= set("0,.") else f"+{number}"


def _difference(value: float, lower: float, upper: float, decimals: int) -> str:
    shown = signed(value, decimals)
    if text.is_missing(lower) or text.is_missing(upper):
        return shown
    return f"{shown}<br><span class='ci'>{signed(lower, decimals)} bis {signed(upper, decimals)}</span>"


def change_unit(unit: str) -> str:
    """The unit of a change: percentage points for a share in %, else the indicator's unit."""
    return "Prozentpunkte" if unit == "%" else unit


def _change(row: pd.Series) -> str:
    if row["change_state"] == content.HIDDEN:
        return _suppressed()
    if row["change_state"]:
        return html.escape(row["change_state"])
    return _difference(row["change"], row["change_lower"], row["change_upper"], text.decimals_for(row["unit"]))


def _versus_city(row: pd.Series) -> str:
    if row["is_city"]:
        return text.MISSING
    if row["verdict"] == content.HIDDEN:
        return _suppressed()
    if text.is_missing(row["difference"]):
        return text.MISSING
    return _difference(row["difference"], row["difference_lower"], row["difference_upper"],
                       text.decimals_for(row["unit"]))  # fmt: skip


def _verdict(row: pd.Series) -> str:
    label = VERDICT_LABELS[row["verdict"]]
    css = {content.HIGHER: "higher", content.LOWER: "lower", content.SIMILAR: "similar"}.get(row["verdict"])
    if row["verdict"] == content.HIDDEN:
        return f"<span class='badge badge-suppressed'>{_suppressed()} {html.escape(label)}</span>"
    return f"<span class='badge badge-{css}'>{html.escape(label)}</span>" if css else html.escape(label)


def comparison_table_html(rows: pd.DataFrame, caption: str, baseline: str) -> str:
    """Indicators (a group of rows each) by area: value at the baseline and now (95 % CI), the change with its
    95 % CI, the difference from the city's change with its 95 % CI, and the verdict."""
    head = (
        "<tr><th scope='col'>Gebiet</th>"
        f"<th scope='col' class='num'>Ausgangswert<br><span class='unit'>(Auswahl {html.escape(baseline)}; "
        "95-%-KI)</span></th>"
        "<th scope='col' class='num'>Aktueller Wert<br><span class='unit'>(95-%-KI)</span></th>"
        "<th scope='col' class='num'>Veränderung<br><span class='unit'>(95-%-KI)</span></th>"
        "<th scope='col' class='num'>Unterschied zur<br>Veränderung in<br>Bremerhaven<br>"
        "<span class='unit'>(95-%-KI)</span></th>"
        "<th scope='col'>Bewertung</th></tr>"
    )
    bodies = []
    for indicator, group in rows.groupby("id", sort=False):
        first = group.iloc[0]
        unit = f"{first['unit']}; Veränderung in {change_unit(first['unit'])}"
        lines = [
            f"<tr class='indicator-row'><th scope='rowgroup' colspan='6'>{html.escape(first['name'])} "
            f"<span class='unit'>({html.escape(unit)})</span></th></tr>"
        ]
        for _, row in group.iterrows():
            name = f"<strong>{html.escape(row['area'])}</strong>" if row["is_city"] else html.escape(row["area"])
            lines.append(
                f"<tr data-indicator='{html.escape(indicator)}' data-area='{html.escape(row['code'])}'>"
                f"<th scope='row'>{name}</th><td class='num'>{_value(row, 'base')}</td>"
                f"<td class='num'>{_value(row, 'now')}</td><td class='num'>{_change(row)}</td>"
                f"<td class='num'>{_versus_city(row)}</td><td>{_verdict(row)}</td></tr>"
            )
        bodies.append(f"<tbody>{''.join(lines)}</tbody>")
    hidden = rows[["base_hidden", "now_hidden"]].to_numpy().any() or (rows["verdict"] == content.HIDDEN).any()
    note = (
        f"<p class='table-note'>{SUPPRESSED_MARKER} {SUPPRESSED_TITLE}; eine Veränderung oder ein Vergleich, der "
        "einen verborgenen Wert bräuchte, ist ebenfalls verborgen.</p>"
        if hidden
        else ""
    )
    return (
        f"<div class='table-scroll' role='region' tabindex='0' aria-label='{html.escape(caption)}'>"
        f"<table class='focus-comparison'><caption>{html.escape(caption)}</caption><thead>{head}</thead>"
        f"{''.join(bodies)}</table></div>{note}"
    )


# --- the report's sections ----------------------------------------------------------------------------------


def key_sentences(report: FocusReport) -> list[str]:
    """The report's key sentences: per area how many indicators developed significantly differently from the city
    since the year of selection, and the projected change of the older age groups."""
    sentences = []
    table = report.comparison
    for area in report.areas:
        tested = table["verdict"].isin([content.HIGHER, content.LOWER, content.SIMILAR])
        own = table[(table["code"] == area.code) & tested]
        different = own[own["verdict"].isin([content.HIGHER, content.LOWER])]
        if different.empty:
            sentences.append(
                f"{area.name}: Seit {report.baseline} hat sich keiner der {len(own)} geprüften Indikatoren signifikant "
                f"anders entwickelt als in {report.city.name}."
            )
            continue
        named = "; ".join(f"{row['name']} ({DIRECTIONS[row['verdict']]})" for _, row in different.head(3).iterrows())
        more = f" und {len(different) - 3} weitere" if len(different) > 3 else ""
        sentences.append(
            f"{area.name}: Seit {report.baseline} hat sich bei {len(different)} von {len(own)} geprüften Indikatoren "
            f"die Veränderung signifikant von der in {report.city.name} unterschieden: {named}{more}."
        )
    projection_tables = report.tables.projection
    if projection_tables is not None and projection_tables.available:
        for area in report.areas:
            rows = projection_content.area_table(projection_tables, area.code, report.tables.rule)
            for _, row in rows[rows["age_from"] >= 65].iterrows():
                sentences.append(projection_content.sentence(row, area.name))
    return sentences


def intro_html(report: FocusReport) -> str:
    group = report.group
    description = f"<p>{html.escape(group.description)}</p>" if group.description else ""
    names = _in_words(report.area_names)
    items = "".join(f"<li>{html.escape(s)}</li>" for s in key_sentences(report))
    return (
        f"<div class='focus-intro'>{description}<p>Dieser Bericht stellt {html.escape(names)} nebeneinander und "
        f"vergleicht ihre Entwicklung seit {html.escape(report.baseline)}, dem Jahr der Auswahl, mit der Entwicklung "
        f"in {html.escape(report.city.name)} ({html.escape(report.period_label)}). Zuerst die Indikatoren zu älteren "
        "Menschen, dann ihre Bevölkerungsprognose, dann alle weiteren Indikatoren.</p>"
        f"<div class='key-findings'><ul>{items}</ul></div></div>"
    )


def older_html(report: FocusReport) -> str:
    caption = f"Ältere Menschen in {_in_words(report.area_names)} und {report.city.name}: {report.baseline} und heute"
    return comparison_table_html(report.older_rows(), caption, report.baseline)


def trends_html(report: FocusReport, columns: int = 2) -> str:
    """Small multiples of the older people's indicators over time (`columns` panels side by side)."""
    panels = [
        {"name": report.catalogue.loc[i, "name"], "unit": report.catalogue.loc[i, "unit"], "series": report.series(i)}
        for i in content.OLDER_INDICATORS
        if i in report.catalogue.index
    ]
    if not panels:
        return ""
    caption = (
        f"Entwicklung der Indikatoren zu älteren Menschen in {_in_words(report.area_names)} und "
        f"{report.city.name}; gepunktet: das Jahr der Auswahl {report.baseline}"
    )
    return chart_to_html(charts.focus_trends(panels, report.baseline, columns), caption)


def projection_table_html(report: FocusReport) -> str:
    """The age groups of each area and the city now and 10 years ahead, with the change and its interval."""
    projection_tables = report.tables.projection
    if projection_tables is None or not projection_tables.available:
        return projection._unavailable(projection_tables)
    launch, target = projection_tables.launch_year, projection_tables.years[-1]
    caption = f"Einwohner:innen nach Altersgruppen {launch} und Prognose für {target}"
    head = (
        "<tr><th scope='col'>Gebiet</th><th scope='col'>Altersgruppe</th>"
        f"<th scope='col' class='num'>{launch}<br><span class='unit'>Melderegister</span></th>"
        f"<th scope='col' class='num'>{target}: Prognose<br><span class='unit'>({projection.INTERVAL_HEADER})</span>"
        f"</th><th scope='col' class='num'>Veränderung {launch}–{target}<br><span class='unit'>Prognose "
        f"({projection.INTERVAL_HEADER})</span></th></tr>"
    )
    h = projection_content.HORIZONS[-1]
    bodies = []
    for area in report.compared:
        table = projection_content.area_table(projection_tables, area.code, report.tables.rule)
        lines = []
        for position, (_, row) in enumerate(table.iterrows()):
            name = (
                f"<th scope='rowgroup' rowspan='{len(table)}'>{html.escape(area.name)}</th>" if position == 0 else ""
            )
            cells = [projection.now_cell(row, launch), projection.value_cell(row, h), projection.change_cell(row, h)]
            lines.append(
                f"<tr data-area='{html.escape(area.code)}' data-group='{html.escape(row['group'])}'>{name}"
                f"<th scope='row'>{html.escape(row['group'])}</th>{''.join(cells)}</tr>"
            )
        bodies.append(f"<tbody>{''.join(lines)}</tbody>")
    note = (
        f"<p class='table-note'>{launch}: Einwohner:innen laut Melderegister; {target} und die Veränderung: "
        f"Prognose mit {text.format_number(100 * projection_tables.coverage, 0)}-%-Spanne (siehe Methodik). "
        f"{SUPPRESSED_MARKER} {SUPPRESSED_TITLE}.</p>"
    )
    return (
        f"<div class='table-scroll' role='region' tabindex='0' aria-label='{html.escape(caption)}'>"
        f"<table class='projection focus-projection'><caption>{html.escape(caption)}</caption><thead>{head}</thead>"
        f"{''.join(bodies)}</table></div>{note}"
    )


def projection_chart_html(report: FocusReport) -> str:
    projection_tables = report.tables.projection
    if projection_tables is None or not projection_tables.available:
        return ""
    caption = (
        f"Voraussichtliche Veränderung der Zahl der 65- bis 79-Jährigen und der 80-Jährigen und Älteren bis "
        f"{projection_tables.years[-1]} in %, mit {projection.INTERVAL_HEADER}"
    )
    return projection.comparison_html(report.tables, report.compared, caption, tuple(a.code for a in report.areas),
                                      report.title)  # fmt: skip


def sections(report: FocusReport) -> list[str]:
    """The sections of the other indicators, in report order."""
    return list(dict.fromkeys(report.other_rows()["section"]))


def others_html(report: FocusReport) -> str:
    """The other indicators, one table per section."""
    parts = []
    for section in sections(report):
        caption = f"{section}: {_in_words(report.area_names)} und {report.city.name}, {report.baseline} und heute"
        parts.append(f"<h3>{html.escape(section)}</h3>")
        parts.append(comparison_table_html(report.other_rows(section), caption, report.baseline))
    return "".join(parts)


def methods_html(report: FocusReport) -> str:
    names = ", ".join(f"{a.name} ({a.code})" for a in report.areas)
    parts = [
        f"<h3>Gebiete</h3><p>{html.escape(report.title)}: {html.escape(names)}; ausgewählt {report.baseline}. "
        "Erklärt in der Datei dataset.toml der Daten (Abschnitt focus_groups).</p>",
        f"<h3>Veränderung und Vergleich mit {html.escape(report.city.name)}</h3>"
        f"<p>{html.escape(METHODS_TEXT.format(year=report.baseline))}</p>",
        f"<h3>Kleine Fallzahlen</h3><p>{html.escape(report.tables.rule.describe_de())}</p>",
    ]
    return f"<div class='methods'>{''.join(parts)}</div>{projection.methods_html(report.tables)}"


# --- slides ---------------------------------------------------------------------------------------------------


def _slide(title: str, body: str, kind: str) -> str:
    return f"<div class='slide-content slide-{kind}'><h2>{html.escape(title)}</h2>{body}</div>"


def overview_slide(report: FocusReport) -> str:
    items = "".join(f"<li>{html.escape(s)}</li>" for s in key_sentences(report)[: len(report.areas)])
    return _slide(f"{report.title} seit {report.baseline}", f"<div class='key-findings'><ul>{items}</ul></div>",
                  "findings")  # fmt: skip


def older_slide(report: FocusReport) -> str:
    """The older people's indicators: now and the verdict of the change, per area (compact)."""
    rows = report.older_rows()
    areas = [*report.area_names, report.city.name]
    head = "<tr><th scope='col'>Indikator</th>" + "".join(
        f"<th scope='col' class='num'>{html.escape(a)}</th>" for a in areas
    ) + "</tr>"
    body = []
    for _, group in rows.groupby("id", sort=False):
        first = group.iloc[0]
        cells = []
        for name in areas:
            row = group[group["area"] == name].iloc[0]
            value = _suppressed() if row["now_hidden"] else text.format_value(row["now_value"], row["unit"])
            mark = {content.HIGHER: " ▲", content.LOWER: " ▼"}.get(row["verdict"], "")
            cells.append(f"<td class='num'>{value}{mark}</td>")
        body.append(f"<tr><th scope='row'>{html.escape(first['name'])}</th>{''.join(cells)}</tr>")
    note = (
        f"<p class='slide-subtitle'>{html.escape(report.period_label)}; ▲/▼: seit {report.baseline} signifikant "
        f"stärker/schwächer verändert als in {html.escape(report.city.name)}.</p>"
    )
    table = f"<table class='focus-slide'><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"
    return _slide("Ältere Menschen", table + note, "table")


def trends_slide(report: FocusReport) -> str:
    chart = trends_html(report, columns=3)
    return _slide(f"Entwicklung seit {report.baseline}", f"<div class='slide-chart'>{chart}</div>", "chart")


def projection_slide(report: FocusReport) -> str:
    chart = projection_chart_html(report)
    return _slide("Bevölkerungsprognose", f"<div class='slide-chart'>{chart}</div>", "chart") if chart else ""


def sources_slide(report: FocusReport) -> str:
    meta = report.tables.metadata
    vintage = f"Datenstand: {text.format_date(meta['stand'])}." if meta.get("stand") else ""
    body = (
        f"<p class='vintage'>{html.escape(vintage)}</p><p class='more'>Alle Werte mit Konfidenzintervallen, die "
        f"Methoden und die Prognose: Schwerpunktbericht {html.escape(report.title)}, "
        f"{html.escape(report.period_label)} (HTML und PDF).</p>"
    )
    return _slide("Quellen und Datenstand", body, "sources")


def show_slide(fragment: str) -> None:
    """Display one slide in notebooks/focus_slides.ipynb (`slides.show_slide`: nothing for an empty one)."""
    # Imported here: the build's client imports this module for `focus_info` and needs neither nbconvert nor IPython.
    from .slides import show_slide as show

    show(fragment)


def slides_links(files: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return file_links(files, "slides.html")


def printed_numbers(tables: ProfileTables, slug: str, period: str) -> set[str]:
    """Every number the focus report `slug` prints that it derives itself (changes, differences of changes and
    their limits; the projection of its areas), as text: computed from published cells only, so the disclosure
    audit takes them as legitimate where they happen to look like a hidden value (`publish.audit`). Empty for
    any other slug."""
    group = next((g for g in focus_groups(tables.metadata) if g.slug == slug), None)
    if group is None:
        return set()
    report = FocusReport(group, period, tables)
    forms: set[str] = set()
    for _, row in report.comparison.iterrows():
        for decimals in {text.decimals_for(row["unit"]), 1}:
            for column in ("change", "change_lower", "change_upper", "difference", "difference_lower",
                           "difference_upper"):  # fmt: skip
                if not text.is_missing(row[column]):
                    forms.add(text.format_number(abs(row[column]), decimals))
    return forms | projection.printed_numbers(tables, {a.code for a in report.compared})
