"""The city overview ("Bremerhaven im Überblick") as HTML: heat maps of every Ortsteil and Stadtteil, rankings,
maps and the areas most often worse than the city, for the board.

The template notebook `notebooks/overview.ipynb` calls these functions; each returns an HTML fragment for
`report.show`. The numbers come from `quartiersprofile.content.overview`.
"""

from __future__ import annotations

import html

import pandas as pd

from ..content import text
from ..content.overview import (
    FOCUS_MARK,
    FOCUS_PART_MARK,
    area_rows,
    compared_indicators,
    focus_codes,
    focus_mark,
    judged_sections,
    lead_indicator,
    level_areas,
    ranking,
    section_maps,
    worse_counts,
)
from ..content.tables import ProfileTables
from ..model import periods
from ..model.contract import SECTIONS  # noqa: F401 - the overview notebook loops over the sections
from ..stats.suppression import SUPPRESSED_MARKER
from .fragments import chart_to_html

LEVEL_NAMES = {"ortsteil": "Ortsteile", "stadtteil": "Stadtteile"}


#: Text marker of each classification, so that no cell relies on its colour: filled triangles for a judgement
#: (up = günstiger, as in the spine chart, where right is "günstiger bzw. höher"), open ones for a neutral
#: direction.
MARKERS = {"better": "▲", "worse": "▼", "higher": "△", "lower": "▽"}


MARKER_TITLES = {
    "better": "signifikant günstiger als Bremerhaven",
    "worse": "signifikant ungünstiger als Bremerhaven",
    "higher": "signifikant höher als Bremerhaven",
    "lower": "signifikant niedriger als Bremerhaven",
}


SUPPRESSED_TITLE = "wegen kleiner Fallzahlen nicht ausgewiesen"


#: At most this many indicator columns per heat-map table (sections are never split between tables).
MAX_COLUMNS = 12
#: The narrowest a heat-map table gets (profile.css: its label columns, 7.2 em + 10.2 em for the Ortsteile) and the
#: least width of an indicator column, in em of the table's type.
HM_LABEL_EM = {"ortsteil": 17.4, "stadtteil": 10.2}
HM_COLUMN_EM = 5.2
HM_TYPE_REM = 0.72


TOP_WORSE = 10


def _hyphenated(label: str) -> str:
    """Escaped text with soft hyphens in long words, so that narrow column headers break inside words."""
    def soft(part: str) -> str:
        return text.hyphenator().inserted(part, hyphen="\u00ad") if len(part) > 7 else part

    return html.escape(" ".join("-".join(soft(part) for part in word.split("-")) for word in label.split(" ")))


def _scrolling(table: str, label: str, minimum: str = "") -> str:
    """A wide table in a named, keyboard-reachable box that scrolls sideways on a phone (as the report's).

    `minimum`: the narrowest the table gets on screen (a CSS length, ``--table-min``); where the box is narrower,
    profile.css shows a hint above the table."""
    style = f" style='--table-min: {minimum}'" if minimum else ""
    return (
        f"<div class='table-scroll' role='region' tabindex='0' aria-label='{html.escape(label)}'{style}>"
        f"{table}</div>"
    )


def _suppressed() -> str:
    return f"<abbr class='suppressed' title='{SUPPRESSED_TITLE}'>{SUPPRESSED_MARKER}</abbr>"


def _value_text(row: pd.Series) -> str:
    return text.format_number(row["value"], text.decimals_for(row["unit"]))


def _area_label(area, codes: tuple[str, ...]) -> str:
    """The area's name; a focus district (of `codes`) bold with ★, an area belonging to one with ☆."""
    mark = focus_mark(area, codes)
    name = html.escape(area.name)
    if mark == FOCUS_MARK:
        return f"<strong>{name}</strong>&nbsp;<span class='focus-mark' title='Fokusgebiet'>{mark}</span>"
    if mark:
        return f"{name}&nbsp;<span class='focus-mark' title='gehört zu einem Fokusgebiet'>{mark}</span>"
    return name


def _period_note(period_label: str, period: str) -> str:
    """The indicator's own period when it differs from the report period, else nothing."""
    return "" if period_label == period else periods.label(period_label)


def _badge(classification: str, suppressed: bool) -> str:
    if suppressed:
        return _suppressed()
    label = text.CLASSIFICATION_LABELS[classification]
    return f"<span class='badge badge-{classification.replace(' ', '-')}'>{label}</span>"


def _column_groups(indicators: pd.DataFrame) -> list[list[str]]:
    """Sections packed in catalogue order into tables of at most MAX_COLUMNS indicator columns."""
    groups: list[list[str]] = []
    width = 0
    for section, count in indicators.groupby("section", sort=False).size().items():
        if groups and width + count <= MAX_COLUMNS:
            groups[-1].append(section)
            width += count
        else:
            groups.append([section])
            width = count
    return groups


def _heat_cell(row: pd.Series) -> str:
    data = f"data-area='{row['area_code']}' data-indicator='{row['id']}'"
    if row["suppressed"]:
        return f"<td class='hm hm-suppressed' {data}>{_suppressed()}</td>"
    classification = row["comparison_95"]
    mark = MARKERS.get(classification)
    marker = (
        f"<abbr class='hm-mark' title='{MARKER_TITLES[classification]}'>{mark}</abbr>"
        if mark
        else "<span class='hm-mark'></span>"
    )
    css = classification.replace(" ", "-")
    return f"<td class='hm hm-{css}' {data} data-class='{classification}'>{_value_text(row)}{marker}</td>"


def _heat_table(
    rows: pd.DataFrame, indicators: pd.DataFrame, areas: list, level: str, caption: str, codes: tuple[str, ...]
) -> str:
    city = rows.drop_duplicates("id").set_index("id")["city_value"]
    cells = rows.set_index(["area_code", "id"], drop=False)
    grouped = level == "ortsteil"
    label_columns = 2 if grouped else 1
    corner = "Stadtteil · Ortsteil" if grouped else "Stadtteil"
    sections = "".join(
        f"<th scope='colgroup' colspan='{len(group)}' class='hm-section'>{html.escape(section)}</th>"
        for section, group in indicators.groupby("section", sort=False)
    )
    names = "".join(
        f"<th scope='col' class='hm-indicator'>{_hyphenated(r['name'])}"
        f"<span class='hm-unit'>{_hyphenated(r['unit'])}</span>"
        + (f"<span class='hm-period'>{html.escape(r['period_label'])}</span>" if r["period_label"] else "")
        + "</th>"
        for _, r in indicators.iterrows()
    )
    columns = ("<col class='hm-col-group'>" if grouped else "") + "<col class='hm-col-area'>"
    columns += f"<col span='{len(indicators)}'>"
    head = (
        f"<tr><th scope='col' rowspan='2' colspan='{label_columns}' class='hm-corner'>{corner}</th>{sections}</tr>"
        f"<tr>{names}</tr>"
    )
    bodies = []
    for parent, members in _groups(areas, grouped):
        lines = []
        for position, area in enumerate(members):
            if grouped and area.also_code:  # a one-Ortsteil Stadtteil spans both label columns
                label = f"<th scope='row' colspan='2' class='hm-area'>{_area_label(area, codes)}</th>"
            elif grouped:
                group = (
                    f"<th scope='rowgroup' rowspan='{len(members)}' class='hm-group'>{html.escape(parent)}</th>"
                    if position == 0
                    else ""
                )
                label = f"{group}<th scope='row' class='hm-area'>{_area_label(area, codes)}</th>"
            else:
                label = f"<th scope='row' class='hm-area'>{_area_label(area, codes)}</th>"
            values = "".join(_heat_cell(cells.loc[(area.code, indicator)]) for indicator in indicators["id"])
            css = " class='hm-focus'" if focus_mark(area, codes) == FOCUS_MARK else ""
            lines.append(f"<tr{css}>{label}{values}</tr>")
        bodies.append(f"<tbody>{''.join(lines)}</tbody>")
    city_cells = "".join(
        f"<td class='hm-city-value'>{text.format_number(city[i], text.decimals_for(u))}</td>"
        for i, u in zip(indicators["id"], indicators["unit"], strict=True)
    )
    foot = f"<tfoot><tr><th scope='row' colspan='{label_columns}'>Bremerhaven</th>{city_cells}</tr></tfoot>"
    # A table of a few indicators gets their share of the width (the label columns take about a fifth).
    share = 20 + 80 * len(indicators) / MAX_COLUMNS
    width = f" style='width: {share:.0f}%'" if len(indicators) < MAX_COLUMNS / 2 else ""
    # On screen the table is never narrower than its label columns and HM_COLUMN_EM per indicator; in a narrower
    # box it scrolls (the area names stay in view). In rem: the table's type is 0.72 rem (profile.css).
    minimum = f"{HM_TYPE_REM * (HM_LABEL_EM[level] + HM_COLUMN_EM * len(indicators)):.2f}rem"
    table = (
        f"<table class='heatmap heatmap-{level}'{width}><caption>{html.escape(caption)}</caption>"
        f"<colgroup>{columns}</colgroup><thead>{head}</thead>"
        f"{''.join(bodies)}{foot}</table>"
    )
    return _scrolling(table, caption, minimum)


def _groups(areas: list, grouped: bool) -> list[tuple[str, list]]:
    """Consecutive areas with the same Stadtteil (when grouped), else one group of all areas."""
    if not grouped:
        return [("", areas)]
    groups: list[tuple[str, list]] = []
    for area in areas:
        parent = area.name if area.also_code else area.parent_name
        if groups and groups[-1][0] == parent:
            groups[-1][1].append(area)
        else:
            groups.append((parent, [area]))
    return groups


def heatmap_legend_html() -> str:
    items = [
        f"<li><span class='hm hm-{c} hm-swatch'>{MARKERS[c]}</span> {html.escape(MARKER_TITLES[c])}</li>"
        for c in ("worse", "better", "higher", "lower")
    ]
    items += [
        "<li><span class='hm hm-similar hm-swatch'>&nbsp;</span> kein signifikanter Unterschied</li>",
        f"<li><span class='hm hm-suppressed hm-swatch'>{SUPPRESSED_MARKER}</span> {SUPPRESSED_TITLE}</li>",
        f"<li><span class='focus-mark'>{FOCUS_MARK}</span> Fokusgebiet (fett) · "
        f"<span class='focus-mark'>{FOCUS_PART_MARK}</span> gehört zu einem Fokusgebiet bzw. enthält eines</li>",
    ]
    return f"<ul class='hm-legend' aria-label='Legende'>{''.join(items)}</ul>"


def heatmap_table_html(tables: ProfileTables, period: str, level: str) -> str:
    """All areas of a level (rows) by all compared indicators (columns, grouped by section), each cell coloured
    and marked by its 95 % comparison with the city; split into tables of at most MAX_COLUMNS columns."""
    rows = area_rows(tables, period, level)
    indicators = compared_indicators(rows)
    indicators["period_label"] = [_period_note(p, period) for p in indicators["period_label"]]
    areas = level_areas(tables, level)
    groups = _column_groups(indicators)
    parts = []
    for number, sections in enumerate(groups, start=1):
        chosen = indicators[indicators["section"].isin(sections)]
        caption = (
            f"{LEVEL_NAMES[level]} im Vergleich mit Bremerhaven, {periods.label(period)} "
            f"({number}/{len(groups)}): {', '.join(sections)}"
        )
        parts.append(_heat_table(rows, chosen, areas, level, caption, focus_codes(tables)))
    explanation = (
        f"<p class='hm-intro'>Jede Zeile ist ein Gebiet, jede Spalte ein Indikator; die Farbe und das Zeichen "
        f"zeigen, ob der Wert signifikant (95-%-Konfidenzintervall) vom Wert Bremerhavens (letzte Zeile) "
        f"abweicht. Zeitraum {periods.label(period)}, abweichende Zeiträume stehen unter dem Indikator.</p>"
    )
    return f"<div class='overview-heatmap'>{explanation}{heatmap_legend_html()}{''.join(parts)}</div>"


def _ranking_table(ranked: pd.DataFrame, caption: str, codes: tuple[str, ...]) -> str:
    lines = []
    for _, row in ranked.iterrows():
        rank = "" if pd.isna(row["rank"]) else f"{int(row['rank'])}."
        value = _suppressed() if row["suppressed"] else _value_text(row)
        css = " class='hm-focus'" if focus_mark(row["area"], codes) == FOCUS_MARK else ""
        lines.append(
            f"<tr{css}><td class='num rank'>{rank}</td><th scope='row'>{_area_label(row['area'], codes)}</th>"
            f"<td class='num'>{value}</td><td>{_badge(row['comparison_95'], row['suppressed'])}</td></tr>"
        )
    head = (
        "<tr><th scope='col' class='num'>Rang</th><th scope='col'>Gebiet</th><th scope='col' class='num'>Wert</th>"
        "<th scope='col'>Vergleich</th></tr>"
    )
    return (
        f"<table class='ranking'><caption>{html.escape(caption)}</caption><thead>{head}</thead>"
        f"<tbody>{''.join(lines)}</tbody></table>"
    )


def rankings_html(tables: ProfileTables, period: str, section: str) -> str:
    """The section's lead indicator: Stadtteile and Ortsteile ranked, side by side, with the city value."""
    lead = lead_indicator(tables, period, section)
    if lead is None:
        return ""
    ranked = {level: ranking(tables, period, level, lead) for level in ("stadtteil", "ortsteil")}
    first = ranked["stadtteil"].iloc[0]
    order = {
        "higher_is_worse": "Rang 1 = höchster und damit ungünstigster Wert",
        "higher_is_better": "Rang 1 = niedrigster und damit ungünstigster Wert",
    }.get(first["polarity"], "Rang 1 = höchster Wert")
    unit = first["unit"]
    intro = (
        f"<p class='ranking-intro'><strong>{html.escape(first['name'])}</strong> ({html.escape(unit)}), "
        f"{html.escape(periods.label(first['period_label']))}; Bremerhaven: "
        f"{text.sentence(text.format_value(first['city_value'], unit))} {order}; Vergleich mit Bremerhaven (95 %).</p>"
    )
    pair = "".join(
        _ranking_table(ranked[level], f"{LEVEL_NAMES[level]}: {first['name']}", focus_codes(tables))
        for level in ("stadtteil", "ortsteil")
    )
    return (
        f"<section class='ranking-block'><h3>{html.escape(section)}</h3>{intro}"
        f"<div class='ranking-pair'>{pair}</div></section>"
    )


def maps_html(tables: ProfileTables, period: str) -> str:
    """Each section's lead indicator on the map of the Ortsteile (`content.overview.section_maps`), as a grid of
    figures (two side by side on paper)."""
    figures = "".join(chart_to_html(chart, caption) for caption, chart in section_maps(tables, period))
    return f"<div class='map-grid'>{figures}</div>"


def most_worse_html(tables: ProfileTables, period: str) -> str:
    """The Ortsteile with the most indicators significantly worse than the city: top 10, counts per section."""
    table = worse_counts(tables, period).head(TOP_WORSE)
    sections = judged_sections(tables)
    head = (
        "<tr><th scope='col' class='count'>Rang</th><th scope='col' class='area'>Ortsteil</th>"
        "<th scope='col' class='count'>ungünstiger insgesamt</th>"
        + "".join(f"<th scope='col' class='count'>{html.escape(s)}</th>" for s in sections)
        + "<th scope='col' class='count'>günstiger insgesamt</th><th scope='col' class='count'>bewertet</th></tr>"
    )
    lines = []
    for _, row in table.iterrows():
        area = row["area"]
        parent = "" if area.also_code else f" <span class='parent'>({html.escape(area.parent_name)})</span>"
        counts = "".join(f"<td class='num'>{int(row[s]) or '–'}</td>" for s in sections)
        css = " class='hm-focus'" if focus_mark(area, focus_codes(tables)) == FOCUS_MARK else ""
        lines.append(
            f"<tr{css}><td class='num'>{row['rank']}.</td><th scope='row'>{_area_label(area, focus_codes(tables))}"
            f"{parent}</th>"
            f"<td class='num total'>{int(row['worse'])}</td>{counts}<td class='num'>{int(row['better'])}</td>"
            f"<td class='num'>{int(row['judged'])}</td></tr>"
        )
    caption = (
        f"Die {TOP_WORSE} Ortsteile mit den meisten signifikant ungünstigeren Werten als Bremerhaven, "
        f"{periods.label(period)}"
    )
    note = (
        "<p class='most-worse-note'>Gezählt werden die Indikatoren mit einer Bewertungsrichtung (günstiger/"
        "ungünstiger), deren Wert signifikant (95-%-Konfidenzintervall) vom Wert der Stadt abweicht; „bewertet“ "
        "ist die Zahl dieser Indikatoren mit ausgewiesenem Wert. Gleiche Anzahl, gleicher Rang.</p>"
    )
    table = (
        f"<table class='most-worse'><caption>{html.escape(caption)}</caption><thead>{head}</thead>"
        f"<tbody>{''.join(lines)}</tbody></table>"
    )
    return _scrolling(table, caption) + note


def _count_word(number: int) -> str:
    """A small number in words, as German text writes it ("fünf"); from 13 on as digits."""
    words = ("null", "ein", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn", "elf", "zwölf")
    return words[number] if number < len(words) else str(number)


def _in_words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} und {items[-1]}"


def intro_html(tables: ProfileTables, period: str) -> str:
    """Short introduction and the key sentences: which Ortsteile are most often worse, how the focus
    districts fare."""
    counts = worse_counts(tables, period)
    indicators = compared_indicators(area_rows(tables, period, "ortsteil"))
    top = [(r["area"].name, int(r["worse"]), int(r["judged"])) for _, r in counts.head(3).iterrows()]
    phrases = [f"{name} ({worse} von {judged})" for name, worse, judged in top]
    phrases[0] = f"{top[0][0]} (bei {top[0][1]} von {top[0][2]} bewerteten Indikatoren)"
    focus = []
    codes = focus_codes(tables)
    for code in codes:
        level = "stadtteil" if code in {a.code for a in level_areas(tables, "stadtteil")} else "ortsteil"
        found = worse_counts(tables, period, level)
        row = found[[code in (a.code, a.also_code) for a in found["area"]]].iloc[0]
        focus.append(f"{row['area'].name} {int(row['worse'])} von {int(row['judged'])}")
    sentences = [
        f"Am häufigsten signifikant ungünstiger als Bremerhaven sind die Ortsteile {_in_words(phrases)}.",
    ]
    if focus:
        sentences.append(f"Zahl der signifikant ungünstigeren Indikatoren in den Fokusgebieten: {_in_words(focus)}.")
    marks = f"; ★ kennzeichnet die {_count_word(len(codes))} Fokusgebiete" if len(codes) > 1 else ""
    marks = "; ★ kennzeichnet das Fokusgebiet" if len(codes) == 1 else marks
    items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
    return (
        "<div class='overview-intro'>"
        f"<p>Diese Übersicht stellt alle {len(level_areas(tables, 'ortsteil'))} bewohnten Ortsteile und "
        f"{len(level_areas(tables, 'stadtteil'))} Stadtteile Bremerhavens nebeneinander "
        f"({periods.label(period)}): {len(indicators)} Indikatoren aus {indicators['section'].nunique()} "
        "Bereichen, jeweils verglichen mit dem Wert der Stadt. Die Zahlen sind dieselben wie in den einzelnen "
        f"Quartiersprofilen{marks}.</p>"
        f"<div class='key-findings'><ul>{items}</ul></div></div>"
    )
