"""The insight as HTML: "Was hat sich verändert?", the Gesundheits- und Sozialindex and the similar areas of a
profile, their part of the city overview, and the index slide.

The template notebooks call these through `report` (profile and overview) and `slides`; each function returns one
fragment. The numbers and sentences come from `content.insight*`; every number is a published value, a value
derived from published values only (the similar areas' pooled value, a change, an index score) or a rank.
"""

from __future__ import annotations

import html

import pandas as pd

from ..content import insight, insight_change, insight_rows, insight_text, text
from ..content.charts import tile_map
from ..content.charts.insight import CLASS_NAMES, format_score, index_ranking
from ..content.overview import area_rows, city_profile
from ..content.profile import Profile
from ..content.tables import ProfileTables
from ..model import periods
from .fragments import chart_to_html
from .insight_cells import TARGET_LABELS

INDEX_NAME = insight_text.INDEX_NAME
#: Sentences on indicators that differ from only one benchmark, per kind (from the similar areas, from the city).
CONTRASTS_PER_KIND = 2


def _paragraphs(sentences: list[str], css: str = "") -> str:
    attribute = f" class='{css}'" if css else ""
    return "".join(f"<p{attribute}>{html.escape(s)}</p>" for s in sentences)


def _items(sentences: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in sentences) + "</ul>"


def _table(caption: str, head: list[str], rows: list[list[str]], css: str, numeric: set[int] = frozenset()) -> str:
    """A small table: `rows` are already escaped HTML cells; columns in `numeric` right-aligned."""
    header = "".join(
        f"<th scope='col'{' class=num' if i in numeric else ''}>{html.escape(h)}</th>" for i, h in enumerate(head)
    )
    body = "".join(
        "<tr>"
        + "".join(
            (f"<th scope='row'>{cell}</th>" if i == 0 else f"<td{' class=num' if i in numeric else ''}>{cell}</td>")
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    table = (
        f"<table class='{css}'><caption>{html.escape(caption)}</caption><thead><tr>{header}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )
    return f"<div class='table-scroll' role='region' tabindex='0' aria-label='{html.escape(caption)}'>{table}</div>"


# --- Was hat sich verändert? -----------------------------------------------------------------------------------


def changes_html(profile: Profile) -> str:
    """The section "Was hat sich verändert?": the index class, the significant changes since the last report (with
    the test), the comparisons with the city that changed class, new indicators and those without a new value."""
    changes = insight_change.changes(profile)
    parts = [_paragraphs(insight_text.change_summary(changes, profile))]
    if len(changes.significant):
        rows = []
        for _, row in changes.significant.iterrows():
            unit = row["unit"]
            before = f"{periods.label(row['label_before'])}: {text.format_value(row['value_before'], unit)}"
            after = f"{periods.label(row['label_after'])}: {text.format_value(row['value_after'], unit)}"
            rows.append([
                f"{html.escape(row['name'])} <span class='unit'>({html.escape(unit)})</span>",
                html.escape(before),
                html.escape(after),
                html.escape(insight_text.change_value(row)),
                html.escape(insight_text.ASSESSMENTS[row["assessment"]]),
            ])  # fmt: skip
        caption = f"Signifikante Veränderungen in {profile.name} seit dem letzten Bericht"
        parts.append(_table(caption, ["Indikator", "Zuvor", "Jetzt", "Veränderung (95-%-KI)", "Bewertung"], rows,
                            "insight-changes", {1, 2, 3}))  # fmt: skip
        methods = sorted({insight_change.TEST_METHODS[s] for s in changes.significant["statistic"]})
        parts.append(_paragraphs([f"Test: {'; '.join(methods)}."], "note"))
    if len(changes.classes):
        parts.append(_paragraphs([f"Im Vergleich mit {profile.city.name} hat sich die Einordnung geändert:"]))
        parts.append(_items([insight_text.class_change_text(row) + "." for _, row in changes.classes.iterrows()]))
    if changes.previous is not None:
        parts.append(_paragraphs(insight_text.change_notes(changes), "note"))
    return f"<div class='insight insight-changes-section'>{''.join(parts)}</div>"


# --- the index -------------------------------------------------------------------------------------------------


def _ranking_table(found: insight.IndexResult, level: str, tables: ProfileTables) -> pd.DataFrame:
    names = {a.code: a.name for a in tables.areas}
    ranked = found.ranked(level).rename_axis("code").reset_index()
    return ranked.assign(name=ranked["code"].map(names))


def _loadings_html(found: insight.IndexResult, tables: ProfileTables) -> str:
    names = tables.catalogue.set_index("id")["name"]
    rows = [
        [
            html.escape(names[indicator]),
            "höher = mehr Belastung" if row["orientation"] > 0 else "niedriger = mehr Belastung",
            text.format_number(row["loading"], 2),
            text.format_number(row["weight"], 2),
        ]
        for indicator, row in found.loadings.iterrows()
    ]
    caption = (
        f"Indikatoren des {INDEX_NAME}: Ladung und Gewicht der ersten Hauptkomponente (sie erklärt "
        f"{text.format_number(100 * found.explained, 0)} % der Unterschiede zwischen den Ortsteilen)"
    )
    return _table(caption, ["Indikator", "Richtung", "Ladung", "Gewicht"], rows, "insight-loadings", {2, 3})


def _stadtteile_html(found: insight.IndexResult, tables: ProfileTables, period: str) -> str:
    rows = []
    for _, row in _ranking_table(found, "stadtteil", tables).iterrows():
        rows.append([
            html.escape(row["name"]),
            f"{int(row['rank'])}.",
            format_score(row["score"]),
            f"{int(row['index_class'])} ({CLASS_NAMES[int(row['index_class'])]})",
            f"{int(row['rank_lower'])}–{int(row['rank_upper'])}" if row["rank_lower"] != row["rank_upper"]
            else f"{int(row['rank_lower'])}",
            f"{text.format_number(100 * row['coverage'], 0)} %",
        ])  # fmt: skip
    names = {a.code: a.name for a in tables.areas}
    missing = [names[c] for c in found.stadtteile.index if pd.isna(found.stadtteile.at[c, "score"])]
    caption = f"Stadtteile im {INDEX_NAME}, {periods.label(period)} (einwohnergewichtetes Mittel ihrer Ortsteile)"
    head = ["Stadtteil", "Rang", "Punktwert", "Klasse", "95-%-Intervall des Rangs", "Einwohner:innen im Index"]
    note = (
        _paragraphs([f"Ohne Wert, weil keiner ihrer Ortsteile in den Index eingeht: {insight_text.in_words(missing)}."],
                    "note") if missing else ""
    )  # fmt: skip
    return _table(caption, head, rows, "insight-ranking", {1, 2, 4, 5}) + note


def _ortsteile_chart(found: insight.IndexResult, tables: ProfileTables, highlight, period: str, **style) -> str:
    """The ranking chart of the Ortsteile in a figure; `style`: `index_ranking`'s fontsize (the slide)."""
    table = _ranking_table(found, "ortsteil", tables)
    chart = index_ranking(table, list(highlight), "Ortsteile", **style)
    caption = (
        f"Ortsteile im {INDEX_NAME}, {periods.label(period)}: Rang (Punkt, Farbe = Klasse) und 95-%-Intervall des "
        "Rangs (Linie)"
    )
    return chart_to_html(chart, caption)


def _excluded_note(found: insight.IndexResult, tables: ProfileTables) -> str:
    names = {a.code: a.name for a in tables.areas}
    listed = [f"{names.get(code, code)} ({reason})" for code, reason in found.excluded.items()]
    return _paragraphs([f"Nicht im Index: {insight_text.in_words(listed)}."], "note") if listed else ""


def index_html(profile: Profile) -> str:
    """The section on the Gesundheits- und Sozialindex: the area's place, the ranking of the Ortsteile (and the
    Stadtteile), the indicators with their loadings; a note when the data give no index."""
    found = insight.index_for(profile.tables, profile.period)
    if found is None:
        return (
            f"<div class='insight'><p class='note'>Für diesen Zeitraum gibt es keinen {INDEX_NAME}: Der "
            "Indikatorenkatalog bestimmt keine Indikatoren dafür, oder zu wenige Ortsteile haben ausgewiesene Werte."
            "</p></div>"
        )
    parts = [_paragraphs([insight_text.index_sentence(profile)])]
    position = insight_rows.index_position(profile)
    if position is not None and profile.area.level == "ortsteil" and position["imputed"]:
        names = profile.catalogue["name"]
        estimated = [names[i] for i in position["imputed"].split(", ")]
        parts.append(_paragraphs([
            f"Geschätzt, weil wegen kleiner Fallzahlen nicht ausgewiesen: {insight_text.in_words(estimated)} "
            "(aus den übrigen Indexwerten des Ortsteils)."
        ], "note"))  # fmt: skip
    if profile.area.level != "ortsteil":
        parts.append(_stadtteile_html(found, profile.tables, profile.period))
    highlight = profile.area.members if profile.area.level == "stadtteil" else [profile.area.code]
    codes = set(found.ortsteile.index)
    highlight = [c for c in highlight if c in codes] or ([profile.area.code] if profile.area.code in codes else [])
    parts.append(_ortsteile_chart(found, profile.tables, highlight if profile.area.level != "stadt" else [],
                                  profile.period))  # fmt: skip
    parts.append(_loadings_html(found, profile.tables))
    parts.append(_excluded_note(found, profile.tables))
    return f"<div class='insight insight-index'>{''.join(parts)}</div>"


# --- similar areas ---------------------------------------------------------------------------------------------


def _neighbour_table(found: insight.NeighbourResult, tables: ProfileTables, caption: str) -> str:
    names = {a.code: a.name for a in tables.areas}
    rows = [
        [html.escape(names[code]), html.escape(insight_text.in_words([names[c] for c in neighbours]))]
        for code, neighbours in zip(found.neighbours.index, found.neighbours.to_numpy().tolist(), strict=True)
    ]
    return _table(caption, ["Gebiet", "ähnliche Gebiete (ähnlichstes zuerst)"], rows, "insight-neighbours")


def similar_areas_html(profile: Profile) -> str:
    """The section on the similar areas: which they are and how close, and the indicators where the area differs
    from them but not from the city (or the reverse); the city: every Stadtteil's similar Stadtteile."""
    level = insight_rows.level(profile)
    one, many, _ = insight.LEVEL_WORDS[level]
    if profile.area.level == "stadt":
        found = insight_rows.neighbours(profile)
        if found is None:
            return "<div class='insight'><p class='note'>Für diesen Zeitraum gibt es keine ähnlichen Gebiete.</p></div>"
        intro = (
            f"Jeder Stadtteil wird in seinem Bericht auch mit den {found.k} Stadtteilen mit der ähnlichsten Sozial- "
            "und Altersstruktur verglichen (Vergleichswert „ähnliche Gebiete“ in den Tabellen):"
        )
        return (
            f"<div class='insight insight-similar'>{_paragraphs([intro])}"
            f"{_neighbour_table(found, profile.tables, f'Ähnliche Stadtteile, {profile.period_label}')}</div>"
        )
    similar = insight_rows.similar_areas(profile)
    if similar.empty:
        return (
            f"<div class='insight'><p class='note'>Für {html.escape(profile.name)} werden keine ähnlichen Gebiete "
            f"bestimmt: Gebiete mit weniger als {insight.MIN_POPULATION} Einwohner:innen oder mit überwiegend nicht "
            "ausgewiesener Sozialstruktur werden nicht verglichen.</p></div>"
        )
    found = insight_rows.neighbours(profile)
    names = profile.catalogue["name"]
    distances = [text.format_number(d, 2) for d in similar["distance"]]
    intro = (
        f"Die {len(similar)} {many} mit der ähnlichsten Sozial- und Altersstruktur ("
        f"{insight_text.in_words([names[i] for i in found.profile_indicators])}) sind "
        f"{insight_text.in_words(similar['name'].tolist())} (Abstand {distances[0]} bis {distances[-1]}; 0 wäre "
        f"dieselbe Struktur). Ihr zusammengefasster Wert steht in den Tabellen als zweiter Vergleichswert "
        "„Ähnliche Gebiete“ und im Diagramm „Quartier im Vergleich“ als Raute."
    )
    contrasts = insight_text.contrasts(profile)
    parts = [_paragraphs([intro])]
    if len(contrasts):
        chosen = contrasts.groupby("kind", sort=False).head(CONTRASTS_PER_KIND)
        chosen = chosen.sort_values("kind", key=lambda k: k.ne(insight_text.FROM_NEIGHBOURS), kind="stable")
        parts.append(_paragraphs([
            f"Wo sich {profile.name} nur von einem der beiden Vergleichswerte signifikant unterscheidet"
            + (" (die deutlichsten Unterschiede; alle zeigen die Tabellen):" if len(chosen) < len(contrasts) else ":")
        ]))  # fmt: skip
        parts.append(_items([insight_text.contrast_sentence(row, profile) for _, row in chosen.iterrows()]))
    else:
        parts.append(_paragraphs([
            f"Bei keinem Indikator unterscheidet sich {profile.name} nur von einem der beiden Vergleichswerte "
            f"({profile.city.name} und ähnliche {many}) signifikant."
        ]))  # fmt: skip
    return f"<div class='insight insight-similar'>{''.join(parts)}</div>"


# --- the overview ----------------------------------------------------------------------------------------------


def overview_index_html(tables: ProfileTables, period: str) -> str:
    """The overview's index section: the ranking of the Ortsteile, the map of their scores, the Stadtteile, the
    indicators with their loadings, and the areas whose class changed since the last report."""
    found = insight.index_for(tables, period)
    if found is None:
        return f"<p class='note'>Für diesen Zeitraum gibt es keinen {INDEX_NAME}.</p>"
    city = city_profile(tables, period)
    parts = [_paragraphs([insight_text.index_sentence(city), "Die Methodik steht am Ende der Übersicht."])]
    parts.append(_ortsteile_chart(found, tables, [], period))
    scores = _ranking_table(found, "ortsteil", tables)
    tile_codes = {a.code: (a.also_code or a.code) for a in tables.areas}
    values = pd.Series(
        scores["score"].to_numpy(), index=scores["code"].map(tile_codes).to_numpy(),
        name=f"{INDEX_NAME} (Punktwert, höher = mehr Belastung)",
    )  # fmt: skip
    chart = tile_map(city.ortsteile(), highlight=None, values=values, geojson=tables.boundaries)
    parts.append(chart_to_html(chart, f"{INDEX_NAME} der Ortsteile, {periods.label(period)}: Punktwert"))
    parts.append(_stadtteile_html(found, tables, period))
    parts.append(_loadings_html(found, tables))
    parts.append(_excluded_note(found, tables))
    parts.append(_class_changes_html(found, tables, period))
    return f"<div class='insight insight-overview'>{''.join(parts)}</div>"


def _class_changes_html(found: insight.IndexResult, tables: ProfileTables, period: str) -> str:
    previous = insight.previous_period(period)
    before = insight.index_for(tables, previous) if insight.has_period(tables, previous) else None
    if before is None:
        return ""
    names = {a.code: a.name for a in tables.areas}
    rows = []
    for level, table_now, table_then in (
        ("Ortsteil", found.ortsteile, before.ortsteile),
        ("Stadtteil", found.stadtteile, before.stadtteile),
    ):
        both = table_now.index.intersection(table_then.index)
        for code in both:
            now, then = table_now.loc[code], table_then.loc[code]
            if pd.isna(now["index_class"]) or pd.isna(then["index_class"]):
                continue
            if int(now["index_class"]) != int(then["index_class"]):
                rows.append([html.escape(names[code]), level, f"{int(then['index_class'])} → {int(now['index_class'])}",
                             f"{int(then['rank'])} → {int(now['rank'])}"])  # fmt: skip
    last = periods.label(previous)
    if not rows:
        return _paragraphs([f"Seit dem letzten Bericht ({last}) hat kein Gebiet die Klasse im Index gewechselt."])
    caption = f"Klassenwechsel im {INDEX_NAME} seit dem letzten Bericht ({last})"
    return _table(caption, ["Gebiet", "Ebene", "Klasse", "Rang"], rows, "insight-class-changes") + _paragraphs(
        ["Ein Klassenwechsel allein ist keine signifikante Veränderung: die Rangintervalle überlappen oft."], "note"
    )


def overview_similar_html(tables: ProfileTables, period: str) -> str:
    """The overview's similar areas (every Ortsteil's and Stadtteil's) and the targets: which areas reach them."""
    parts = []
    for level in ("ortsteil", "stadtteil"):
        found = insight.neighbours_for(tables, period, level)
        if found is not None:
            many = insight.LEVEL_WORDS[level][1]
            parts.append(_neighbour_table(found, tables, f"Ähnliche {many}, {periods.label(period)}"))
    parts.append(_targets_html(tables, period))
    return f"<div class='insight insight-overview'>{''.join(parts)}</div>"


def _targets_html(tables: ProfileTables, period: str) -> str:
    goals = insight.targets(tables.catalogue)
    if goals.empty:
        return ""
    rows = area_rows(tables, period, "ortsteil")
    parts = []
    for indicator, goal in goals.iterrows():
        chosen = rows[(rows["id"] == indicator) & ~rows["suppressed"].astype(bool)]
        if chosen.empty:
            continue
        spec = chosen.iloc[0]
        by_outcome = {
            outcome: chosen.loc[chosen["target_comparison"] == outcome, "area_name"].tolist()
            for outcome in ("achieved", "between limits", "not achieved")
        }
        listed = [
            f"{TARGET_LABELS[outcome]}: {len(names)} ({insight_text.in_words(names)})"
            for outcome, names in by_outcome.items()
            if names
        ]
        hidden = int(rows[(rows["id"] == indicator)]["suppressed"].astype(bool).sum())
        goal_text = insight_text.format_target(goal["target"], spec["unit"])
        source = f" ({goal['target_source']})" if goal["target_source"] else ""
        sentence = (
            f"{spec['name']}, Zielwert {goal_text}{source}, {periods.label(spec['period_label'])}: "
            + "; ".join(listed)
            + (f"; wegen kleiner Fallzahlen nicht ausgewiesen: {hidden}" if hidden else "")
            + "."
        )
        parts.append(sentence)
    if not parts:
        return ""
    return "<h3>Zielwerte in den Ortsteilen</h3>" + _items(parts)


# --- the slide -------------------------------------------------------------------------------------------------


SLIDE_FONTSIZE = 9.0


def index_slide_html(profile: Profile) -> str:
    """The slide of the index: the ranking of the Ortsteile (the area highlighted) beside its place in large type;
    empty when there is no index."""
    found = insight.index_for(profile.tables, profile.period)
    if found is None:
        return ""
    members = set(profile.area.members if profile.area.level == "stadtteil" else [profile.area.code])
    highlight = [c for c in found.ortsteile.index if c in members] if profile.area.level != "stadt" else []
    # A slide shows the 20-row chart at about its natural height: names and columns at 9 pt stay readable there.
    chart = _ortsteile_chart(found, profile.tables, highlight, profile.period, fontsize=SLIDE_FONTSIZE)
    position = insight_rows.index_position(profile)
    if position is not None:
        dative = insight.LEVEL_WORDS[insight_rows.level(profile)][2]
        facts = [
            ("Rang", f"{int(position['rank'])} von {insight_rows.index_count(profile)}", dative),
            ("Klasse", f"{int(position['index_class'])} von 5", insight.class_label(position["index_class"])),
            ("95-%-Intervall des Rangs", f"{int(position['rank_lower'])}–{int(position['rank_upper'])}", ""),
        ]
    else:
        facts = [("", insight_text.index_sentence(profile) or "", "")]
    cards = "".join(
        f"<div class='fact'><dt>{html.escape(label)}</dt><dd><span class='fact-value'>{html.escape(value)}</span>"
        + (f"<span class='fact-note'>{html.escape(note)}</span>" if note else "")
        + "</dd></div>"
        for label, value, note in facts
    )
    side = f"<div class='slide-side'><dl class='facts'>{cards}</dl></div>"
    return (
        f"<div class='slide-content slide-chart'><h2>{INDEX_NAME}</h2>"
        f"<div class='slide-split'>{chart}{side}</div></div>"
    )
