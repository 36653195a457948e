"""The city overview ("Bremerhaven im Überblick"): every Ortsteil and Stadtteil side by side, for the board.

The template notebook `notebooks/overview.ipynb` calls these functions; each returns an HTML fragment (or
charts) for `report.show` / `report.show_chart`. All numbers are the profiles' own: every area's rows come
from `report.Profile(area, period, tables).indicator_rows()`, so a cell of the overview shows exactly what the
area's profile shows (value, suppression, classification against the city at 95 %).
"""

from __future__ import annotations

import dataclasses
import html
import weakref

import pandas as pd

from . import charts, report, text
from .data import SECTIONS
from .suppression import SUPPRESSED_MARKER

#: The five focus districts of the advisory board (ZWK): Stadtteile Lehe, Leherheide and Surheide, Ortsteile
#: Geestendorf and Grünhöfe.
FOCUS_CODES = ("13", "12", "212", "215", "23")
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
FOCUS_MARK = "★"  # a focus district itself
FOCUS_PART_MARK = "☆"  # an Ortsteil of a focus Stadtteil, or a Stadtteil containing a focus Ortsteil
SUPPRESSED_TITLE = "wegen kleiner Fallzahlen nicht ausgewiesen"
#: At most this many indicator columns per heat-map table (sections are never split between tables).
MAX_COLUMNS = 12
TOP_WORSE = 10

_ROWS_CACHE: dict[tuple, tuple[weakref.ref, pd.DataFrame]] = {}


# --- areas and rows ---------------------------------------------------------------------------------------


def city_profile(tables: report.ProfileTables, period: str) -> report.Profile:
    city = next(a for a in tables.areas if a.level == "stadt")
    return report.Profile(city, period, tables)


def level_areas(tables: report.ProfileTables, level: str) -> list:
    """The areas compared at a level, in register order: "ortsteil" - the 23 inhabited Ortsteile (a one-Ortsteil
    Stadtteil under its Stadtteil name), "stadtteil" - the 9 Stadtteile: the peers of an Ortsteil's profile,
    resp. of the city's."""
    anchor = next(a for a in tables.areas if a.level == ("ortsteil" if level == "ortsteil" else "stadt"))
    peers = report.Profile(anchor, report.latest_period_of(tables), tables).peers
    return sorted(peers, key=ortsteil_code)


def ortsteil_code(area) -> str:
    """The area's Ortsteil code on the tile map (a one-Ortsteil Stadtteil: its Ortsteil), else its own code."""
    return area.also_code or area.code


def focus_mark(area) -> str:
    """★ for a focus district, ☆ for an Ortsteil of a focus Stadtteil or a Stadtteil with a focus Ortsteil."""
    if {area.code, area.also_code} & set(FOCUS_CODES):
        return FOCUS_MARK
    if area.parent_code in FOCUS_CODES or set(area.members) & set(FOCUS_CODES):
        return FOCUS_PART_MARK
    return ""


def focus_ortsteile(tables: report.ProfileTables) -> list[str]:
    """Ortsteil codes covered by the focus districts (for the maps)."""
    return sorted({m for a in tables.areas if a.code in FOCUS_CODES for m in a.members})


def area_rows(tables: report.ProfileTables, period: str, level: str) -> pd.DataFrame:
    """Every area's indicator rows (as in its profile) for the period, with `area_code`, `area_name`, `order`.
    Computed once per tables object, period and level."""
    key = (id(tables), period, level)
    cached = _ROWS_CACHE.get(key)
    if cached and cached[0]() is tables:
        return cached[1]
    frames = [
        report.Profile(area, period, tables).indicator_rows().assign(area_code=area.code, area_name=area.name, order=i)
        for i, area in enumerate(level_areas(tables, level))
    ]
    rows = pd.concat(frames, ignore_index=True)
    for stale in [k for k, (ref, _) in _ROWS_CACHE.items() if ref() is None]:
        del _ROWS_CACHE[stale]
    _ROWS_CACHE[key] = (weakref.ref(tables), rows)
    return rows


def compared_indicators(rows: pd.DataFrame) -> pd.DataFrame:
    """Catalogue rows (id, section, name, unit, polarity, period_label) of the indicators compared with the city
    for at least one area, in catalogue order."""
    compared = rows.groupby("id", sort=False)["comparison_95"].agg(lambda c: (c != "not compared").any())
    first = rows.drop_duplicates("id").set_index("id")
    columns = ["section", "name", "unit", "polarity", "period_label"]
    return first.loc[compared[compared].index, columns].reset_index()


# --- small HTML pieces --------------------------------------------------------------------------------------


def _hyphenated(label: str) -> str:
    """Escaped text with soft hyphens in long words, so that narrow column headers break inside words."""
    def soft(part: str) -> str:
        return text.hyphenator().inserted(part, hyphen="\u00ad") if len(part) > 7 else part

    return html.escape(" ".join("-".join(soft(part) for part in word.split("-")) for word in label.split(" ")))


def _scrolling(table: str, label: str) -> str:
    """A wide table in a named, keyboard-reachable box that scrolls sideways on a phone (as the report's)."""
    return f"<div class='table-scroll' role='region' tabindex='0' aria-label='{html.escape(label)}'>{table}</div>"


def _suppressed() -> str:
    return f"<abbr class='suppressed' title='{SUPPRESSED_TITLE}'>{SUPPRESSED_MARKER}</abbr>"


def _value_text(row: pd.Series) -> str:
    return text.format_number(row["value"], text.decimals_for(row["unit"]))


def _area_label(area) -> str:
    """The area's name; a focus district bold with ★, an area belonging to one with ☆."""
    mark = focus_mark(area)
    name = html.escape(area.name)
    if mark == FOCUS_MARK:
        return f"<strong>{name}</strong>&nbsp;<span class='focus-mark' title='Fokusgebiet'>{mark}</span>"
    if mark:
        return f"{name}&nbsp;<span class='focus-mark' title='gehört zu einem Fokusgebiet'>{mark}</span>"
    return name


def _period_text(period_label: str) -> str:
    """A value's period as shown: "Q4 2024" for a quarter, a pooled "2022–2024" as it is."""
    try:
        return text.format_period(period_label, abbreviated=True)
    except ValueError:
        return period_label


def _period_note(period_label: str, period: str) -> str:
    """The indicator's own period when it differs from the report period, else nothing."""
    return "" if period_label == period else _period_text(period_label)


def _badge(classification: str, suppressed: bool) -> str:
    if suppressed:
        return _suppressed()
    label = text.CLASSIFICATION_LABELS[classification]
    return f"<span class='badge badge-{classification.replace(' ', '-')}'>{label}</span>"


# --- heat map -------------------------------------------------------------------------------------------------


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


def _heat_table(rows: pd.DataFrame, indicators: pd.DataFrame, areas: list, level: str, caption: str) -> str:
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
        f"<span class='hm-unit'>{html.escape(r['unit'])}</span>"
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
                label = f"<th scope='row' colspan='2' class='hm-area'>{_area_label(area)}</th>"
            elif grouped:
                group = (
                    f"<th scope='rowgroup' rowspan='{len(members)}' class='hm-group'>{html.escape(parent)}</th>"
                    if position == 0
                    else ""
                )
                label = f"{group}<th scope='row' class='hm-area'>{_area_label(area)}</th>"
            else:
                label = f"<th scope='row' class='hm-area'>{_area_label(area)}</th>"
            values = "".join(_heat_cell(cells.loc[(area.code, indicator)]) for indicator in indicators["id"])
            css = " class='hm-focus'" if focus_mark(area) == FOCUS_MARK else ""
            lines.append(f"<tr{css}>{label}{values}</tr>")
        bodies.append(f"<tbody>{''.join(lines)}</tbody>")
    city_cells = "".join(
        f"<td class='hm-city-value'>{text.format_number(city[i], text.decimals_for(u))}</td>"
        for i, u in zip(indicators["id"], indicators["unit"], strict=True)
    )
    foot = f"<tfoot><tr><th scope='row' colspan='{label_columns}'>Bremerhaven</th>{city_cells}</tr></tfoot>"
    # A table of a few indicators gets their share of the width (the label columns take about a fifth).
    share = 20 + 80 * len(indicators) / MAX_COLUMNS
    width = f" style='width: {share:.0f}%; min-width: 0'" if len(indicators) < MAX_COLUMNS / 2 else ""
    table = (
        f"<table class='heatmap heatmap-{level}'{width}><caption>{html.escape(caption)}</caption>"
        f"<colgroup>{columns}</colgroup><thead>{head}</thead>"
        f"{''.join(bodies)}{foot}</table>"
    )
    return _scrolling(table, caption)


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


def heatmap_table_html(tables: report.ProfileTables, period: str, level: str) -> str:
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
            f"{LEVEL_NAMES[level]} im Vergleich mit Bremerhaven, {text.format_period(period)} "
            f"({number}/{len(groups)}): {', '.join(sections)}"
        )
        parts.append(_heat_table(rows, chosen, areas, level, caption))
    explanation = (
        f"<p class='hm-intro'>Jede Zeile ist ein Gebiet, jede Spalte ein Indikator; die Farbe und das Zeichen "
        f"zeigen, ob der Wert signifikant (95-%-Konfidenzintervall) vom Wert Bremerhavens (letzte Zeile) "
        f"abweicht. Zeitraum {text.format_period(period)}, abweichende Zeiträume stehen unter dem Indikator.</p>"
    )
    return f"<div class='overview-heatmap'>{explanation}{heatmap_legend_html()}{''.join(parts)}</div>"


# --- rankings ---------------------------------------------------------------------------------------------------


def lead_indicator(tables: report.ProfileTables, period: str, section: str) -> str | None:
    """The section's lead indicator, as the city profile chooses it (`Profile.lead_indicator`)."""
    return city_profile(tables, period).lead_indicator(section)


def ranking(tables: report.ProfileTables, period: str, level: str, indicator: str) -> pd.DataFrame:
    """Areas of a level ordered from the least to the most favourable value (neutral: highest first), with
    `rank` (ties share a rank; suppressed areas last, without rank) and the area objects."""
    rows = area_rows(tables, period, level)
    rows = rows[rows["id"] == indicator].copy()
    ascending = rows["polarity"].iloc[0] == "higher_is_better"
    rows["rank"] = rows["value"].where(~rows["suppressed"].astype(bool)).rank(method="min", ascending=ascending)
    rows["area"] = rows["order"].map(dict(enumerate(level_areas(tables, level))))
    return rows.sort_values(["rank", "order"], na_position="last").reset_index(drop=True)


def _ranking_table(ranked: pd.DataFrame, caption: str) -> str:
    lines = []
    for _, row in ranked.iterrows():
        rank = "" if pd.isna(row["rank"]) else f"{int(row['rank'])}."
        value = _suppressed() if row["suppressed"] else _value_text(row)
        css = " class='hm-focus'" if focus_mark(row["area"]) == FOCUS_MARK else ""
        lines.append(
            f"<tr{css}><td class='num rank'>{rank}</td><th scope='row'>{_area_label(row['area'])}</th>"
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


def rankings_html(tables: report.ProfileTables, period: str, section: str) -> str:
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
        f"{html.escape(_period_text(first['period_label']))}; Bremerhaven: "
        f"{text.format_value(first['city_value'], unit)}. {order}; Vergleich mit Bremerhaven (95 %).</p>"
    )
    pair = "".join(
        _ranking_table(ranked[level], f"{LEVEL_NAMES[level]}: {first['name']}") for level in ("stadtteil", "ortsteil")
    )
    return (
        f"<section class='ranking-block'><h3>{html.escape(section)}</h3>{intro}"
        f"<div class='ranking-pair'>{pair}</div></section>"
    )


# --- maps -------------------------------------------------------------------------------------------------------


def section_maps(tables: report.ProfileTables, period: str) -> list[tuple[str, charts.Chart]]:
    """Per section, the tile map of the Ortsteile coloured by the section's lead indicator (suppressed: no
    value); the focus districts outlined."""
    city = city_profile(tables, period)
    ortsteile = city.ortsteile()
    maps = []
    for section in SECTIONS:
        lead = city.lead_indicator(section)
        if lead is None:
            continue
        rows = area_rows(tables, period, "ortsteil")
        rows = rows[rows["id"] == lead]
        spec = rows.iloc[0]
        codes = rows["order"].map(dict(enumerate(ortsteil_code(a) for a in level_areas(tables, "ortsteil"))))
        values = pd.Series(
            rows["value"].where(~rows["suppressed"].astype(bool)).to_numpy(),
            index=codes.to_numpy(),
            name=f"{spec['name']} ({spec['unit']})",
        )
        chart = charts.tile_map(ortsteile, highlight=focus_ortsteile(tables), values=values, geojson=tables.boundaries)
        caption = f"{section}: {spec['name']} ({spec['unit']}), {_period_text(spec['period_label'])}"
        maps.append((caption, chart))
    return maps


def maps_html(maps: list[tuple[str, charts.Chart]]) -> str:
    """The maps as a grid of figures (two side by side on paper)."""
    figures = "".join(charts.chart_to_html(chart, caption) for caption, chart in maps)
    return f"<div class='map-grid'>{figures}</div>"


# --- most often worse -------------------------------------------------------------------------------------------


def judged_sections(tables: report.ProfileTables) -> list[str]:
    """Sections with at least one indicator that has a direction (better/worse), in report order."""
    catalogue = tables.catalogue
    judged = set(catalogue.loc[catalogue["polarity"] != "neutral", "section"])
    return [s for s in SECTIONS if s in judged]


def worse_counts(tables: report.ProfileTables, period: str, level: str = "ortsteil") -> pd.DataFrame:
    """Per area: indicators significantly worse / better than the city (95 %), in total and per section, and the
    number judged (indicators with a direction and a shown value); most often worse first."""
    rows = area_rows(tables, period, level)
    judged = rows[(rows["polarity"] != "neutral") & ~rows["suppressed"].astype(bool)]
    worse = judged[judged["comparison_95"] == "worse"]
    areas = level_areas(tables, level)
    per_section = pd.crosstab(worse["order"], worse["section"]).reindex(
        index=range(len(areas)), columns=judged_sections(tables), fill_value=0
    )
    table = per_section.assign(
        worse=per_section.sum(axis=1),
        better=judged[judged["comparison_95"] == "better"].groupby("order").size(),
        judged=judged.groupby("order").size(),
    ).fillna(0)
    table["area"] = [areas[i] for i in table.index]
    table = table.sort_values(["worse", "better"], ascending=[False, True], kind="stable")
    table["rank"] = table["worse"].rank(method="min", ascending=False).astype(int)
    return table.reset_index(drop=True)


def most_worse_html(tables: report.ProfileTables, period: str) -> str:
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
        css = " class='hm-focus'" if focus_mark(area) == FOCUS_MARK else ""
        lines.append(
            f"<tr{css}><td class='num'>{row['rank']}.</td><th scope='row'>{_area_label(area)}{parent}</th>"
            f"<td class='num total'>{int(row['worse'])}</td>{counts}<td class='num'>{int(row['better'])}</td>"
            f"<td class='num'>{int(row['judged'])}</td></tr>"
        )
    caption = (
        f"Die {TOP_WORSE} Ortsteile mit den meisten signifikant ungünstigeren Werten als Bremerhaven, "
        f"{text.format_period(period)}"
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


# --- overview text ----------------------------------------------------------------------------------------------


def _in_words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} und {items[-1]}"


def intro_html(tables: report.ProfileTables, period: str) -> str:
    """Short introduction and the key sentences: which Ortsteile are most often worse, how the focus
    districts fare."""
    counts = worse_counts(tables, period)
    indicators = compared_indicators(area_rows(tables, period, "ortsteil"))
    top = [(r["area"].name, int(r["worse"]), int(r["judged"])) for _, r in counts.head(3).iterrows()]
    phrases = [f"{name} ({worse} von {judged})" for name, worse, judged in top]
    phrases[0] = f"{top[0][0]} (bei {top[0][1]} von {top[0][2]} bewerteten Indikatoren)"
    focus = []
    for code in FOCUS_CODES:
        level = "stadtteil" if code in {a.code for a in level_areas(tables, "stadtteil")} else "ortsteil"
        found = worse_counts(tables, period, level)
        row = found[[a.code == code for a in found["area"]]].iloc[0]
        focus.append(f"{row['area'].name} {int(row['worse'])} von {int(row['judged'])}")
    sentences = [
        f"Am häufigsten signifikant ungünstiger als Bremerhaven sind die Ortsteile {_in_words(phrases)}.",
        f"Zahl der signifikant ungünstigeren Indikatoren in den Fokusgebieten: {_in_words(focus)}.",
    ]
    items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
    return (
        "<div class='overview-intro'>"
        f"<p>Diese Übersicht stellt alle {len(level_areas(tables, 'ortsteil'))} bewohnten Ortsteile und "
        f"{len(level_areas(tables, 'stadtteil'))} Stadtteile Bremerhavens nebeneinander "
        f"({text.format_period(period)}): {len(indicators)} Indikatoren aus {indicators['section'].nunique()} "
        "Bereichen, jeweils verglichen mit dem Wert der Stadt. Die Zahlen sind dieselben wie in den einzelnen "
        "Quartiersprofilen; ★ kennzeichnet die fünf Fokusgebiete.</p>"
        f"<div class='key-findings'><ul>{items}</ul></div></div>"
    )


def report_info(tables: report.ProfileTables, period: str, build_id: str):
    """Cover, header and footer texts of the overview (the city profile's, with the overview's title)."""
    info = report.report_info(city_profile(tables, period), build_id)
    period_label = text.format_period(period)
    return dataclasses.replace(
        info,
        title="Bremerhaven im Überblick",
        level_line="Alle Ortsteile und Stadtteile im Vergleich",
        description=f"Gesundheitsbezogene Quartiersprofile: Übersicht über alle Gebiete Bremerhavens, {period_label}",
    )
