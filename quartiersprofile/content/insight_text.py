"""The insight in German: the index sentence of the Kernaussagen and the cover, the sentences on areas that differ
from their similar areas but not from the city (or the reverse), what changed since the last report, and the
Methodik.

Every number is a table cell as the tables print it (`text.format_value`) or an index figure (ranks, classes,
scores with two decimals), and every sentence only speaks of published values: a hidden row has no benchmark
(`insight_rows.with_benchmarks`) and so no sentence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..model import periods
from . import findings, insight, insight_rows, text
from .text import CLASSIFICATION_LABELS, format_number, format_value, sentence

if TYPE_CHECKING:  # the profile imports the insight modules
    from .insight_change import Changes
    from .profile import Profile

INDEX_NAME = "Gesundheits- und Sozialindex"
DIFFERENT = ("better", "worse", "higher", "lower")
#: Kinds of contrast between the two benchmarks: differs from the similar areas only, from the city only.
FROM_NEIGHBOURS, FROM_CITY = "neighbours", "city"


def in_words(items: list[str]) -> str:
    """ "A", "A und B", "A, B und C"."""
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} und {items[-1]}"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _level_words(profile: Profile) -> tuple[str, str, str]:
    return insight.LEVEL_WORDS[insight_rows.level(profile)]


#: Decimals of a number derived from published values (the similar areas' pooled value, a change): two, one more
#: than any table value has, so that it never reads as (and is never mistaken by the disclosure audit for) a
#: value of the tables, published or hidden.
DERIVED_DECIMALS = 2


def format_derived(value: float, unit: str | None = None) -> str:
    """A derived number with `DERIVED_DECIMALS` and its unit: "79,92 %"."""
    return format_value(value, unit, DERIVED_DECIMALS)


def format_target(target: float, unit: str) -> str:
    """A target as the catalogue gives it: "95 %" (no decimals a whole target does not have)."""
    decimals = 0 if float(target).is_integer() else text.decimals_for(unit)
    return format_value(target, unit, decimals)


# --- the index -------------------------------------------------------------------------------------------------


def _rank_interval(position: pd.Series) -> str:
    low, high = int(position["rank_lower"]), int(position["rank_upper"])
    return f"95-%-Intervall des Rangs: {low} bis {high}" if low != high else "Rang in 95 % der Simulationen gleich"


def class_words(index_class) -> str:
    """ "Klasse 5 von 5 (sehr hohe Belastung)"."""
    return f"Klasse {int(index_class)} von 5 ({insight.class_label(index_class)})"


def index_sentence(profile: Profile) -> str | None:
    """The area's place in the index in one sentence (the city: which areas carry the highest burden); None when
    there is no index."""
    found = insight.index_for(profile.tables, profile.period)
    if found is None:
        return None
    if profile.area.level == "stadt":
        top = found.ranked("ortsteil")
        top = top[top["index_class"] == 5]
        names = {a.code: a.name for a in profile.tables.areas}
        stadtteile = found.ranked("stadtteil")
        first = names[stadtteile.index[0]] if len(stadtteile) else ""
        tail = f"; unter den Stadtteilen ist es {first}" if first else ""
        return sentence(
            f"Nach dem {INDEX_NAME} sind die Ortsteile {in_words([names[c] for c in top.index])} am stärksten "
            f"belastet (Klasse 5 von 5){tail}"
        )
    one, _, dative = _level_words(profile)
    position = insight_rows.index_position(profile)
    if position is None:
        reason = found.excluded.get(profile.area.code)
        if reason is None and profile.area.level == "stadtteil":
            reason = "keiner seiner Ortsteile geht ein"
        return sentence(f"{profile.name} hat keinen Wert im {INDEX_NAME}" + (f" ({reason})" if reason else ""))
    mean = " (einwohnergewichtetes Mittel seiner Ortsteile)" if profile.area.level == "stadtteil" else ""
    return sentence(
        f"Im {INDEX_NAME}{mean} steht {profile.name} auf Rang {int(position['rank'])} von "
        f"{insight_rows.index_count(profile)} {dative} ({_rank_interval(position)}), "
        f"{class_words(position['index_class'])}"
    )


def cover_line(profile: Profile) -> str:
    """The index on the cover: "Gesundheits- und Sozialindex: Klasse 5 von 5 (sehr hohe Belastung), Rang 3 von 20
    Ortsteilen"; empty for the city and an area without a score."""
    if profile.area.level == "stadt":
        return ""
    position = insight_rows.index_position(profile)
    if position is None:
        return ""
    dative = _level_words(profile)[2]
    return (
        f"{INDEX_NAME}: {class_words(position['index_class'])}, Rang {int(position['rank'])} von "
        f"{insight_rows.index_count(profile)} {dative}"
    )


# --- similar areas ---------------------------------------------------------------------------------------------


def _direction(outcome: str, value: float, benchmark: float) -> str:
    if outcome in ("higher", "lower"):
        return "höher" if outcome == "higher" else "niedriger"
    judgement = "ungünstiger" if outcome == "worse" else "günstiger"
    return f"{'höher' if value > benchmark else 'niedriger'} und damit {judgement}"


def contrasts(profile: Profile) -> pd.DataFrame:
    """The profile's rows that differ significantly from the similar areas but not from the city (`kind`
    "neighbours"), or from the city but not from the similar areas ("city"); strongest first (`size`: the distance
    to the benchmark it differs from, in half-widths of the area's 95 % interval)."""
    rows = insight_rows_with_names(profile)
    if profile.area.level == "stadt" or rows.empty:
        return rows.assign(kind="", size=0.0).iloc[:0]
    visible = rows[~rows["suppressed"].astype(bool) & rows["neighbours_value"].notna() & rows["city_value"].notna()]
    city, near = visible["comparison_95"], visible["neighbours_comparison"]
    kind = pd.Series("", index=visible.index)
    kind[near.isin(DIFFERENT) & city.eq("similar")] = FROM_NEIGHBOURS
    kind[city.isin(DIFFERENT) & near.eq("similar")] = FROM_CITY
    chosen = visible.assign(kind=kind)[kind != ""]
    benchmark = chosen["neighbours_value"].where(chosen["kind"] == FROM_NEIGHBOURS, chosen["city_value"])
    half = (chosen["upper"] - chosen["lower"]) / 2
    size = ((chosen["value"] - benchmark).abs() / half.where(half > 0)).fillna(0.0)
    return chosen.assign(size=size, position=range(len(chosen))).sort_values(
        ["size", "position"], ascending=[False, True], kind="stable"
    )


def insight_rows_with_names(profile: Profile) -> pd.DataFrame:
    """The profile's indicator rows with the catalogue's `name_in_text`."""
    return findings.profile_rows(profile)


def contrast_sentence(row: pd.Series, profile: Profile) -> str:
    """One sentence on an indicator that differs from one benchmark but not from the other (see `contrasts`)."""
    unit = row["unit"]
    value, city = format_value(row["value"], unit), format_value(row["city_value"], unit)
    near = format_derived(row["neighbours_value"], unit)
    plural_dative = _level_words(profile)[2]
    neighbours = f"den ähnlichen {plural_dative} ({in_words(row['neighbours_areas'].split(', '))})"
    if row["kind"] == FROM_NEIGHBOURS:
        direction = _direction(row["neighbours_comparison"], row["value"], row["neighbours_value"])
        claim = f"mit {value} signifikant {direction} als in {neighbours} mit {near}"
        rest = f"nicht signifikant von {profile.city.name} mit {city}"
    else:
        direction = _direction(row["comparison_95"], row["value"], row["city_value"])
        claim = f"mit {value} signifikant {direction} als in {profile.city.name} mit {city}"
        rest = f"nicht signifikant von {neighbours} mit {near}"
    name = row.get("name_in_text")
    if isinstance(name, str) and name.strip():
        return sentence(f"{_capitalised(name.strip())} ist in {profile.name} {claim}, unterscheidet sich aber {rest}")
    return sentence(f"{row['name']}: in {profile.name} {claim}, aber {rest.replace('nicht', 'nicht verschieden', 1)}")


def key_findings(profile: Profile) -> list[str]:
    """The Kernaussagen with the index: its sentence (`index_sentence`) first, then the report's sentences
    (`findings.profile_key_findings`). The contrasts with the similar areas are in their own section."""
    index = index_sentence(profile)
    return ([index] if index else []) + findings.profile_key_findings(profile)


# --- what changed ----------------------------------------------------------------------------------------------


def _label(period: str) -> str:
    return periods.label(period)


def change_value(row: pd.Series) -> str:
    """The change of one significant row: "+2,71 Prozentpunkte (0,80 bis 4,62)" for a difference, "das 1,25-Fache
    (1,02 bis 1,53)" for a ratio (`DERIVED_DECIMALS`)."""
    if row["measure"] == "ratio":
        return (
            f"das {format_number(row['estimate'], 2)}-Fache ({format_number(row['lower'], 2)} bis "
            f"{format_number(row['upper'], 2)})"
        )
    decimals = DERIVED_DECIMALS
    unit = "Prozentpunkte" if row["unit"] == "%" else row["unit"]
    number = format_number(row["estimate"], decimals)
    signed = f"+{number}" if row["estimate"] > 0 else number
    return (
        f"{signed} {unit} ({format_number(row['lower'], decimals)} bis {format_number(row['upper'], decimals)})"
    )


#: A significant change in words: judged by the polarity, or (neutral indicators) its direction.
ASSESSMENTS = {
    "improved": "verbessert",
    "worsened": "verschlechtert",
    "increased": "gestiegen",
    "decreased": "gesunken",
}


def index_change_sentence(changes: Changes, profile: Profile) -> str | None:
    before, after = changes.index_before, changes.index_after
    if before is None or after is None:
        return None
    dative = _level_words(profile)[2]
    last = _label(changes.previous)
    if int(before["index_class"]) == int(after["index_class"]):
        return sentence(
            f"Im {INDEX_NAME} bleibt {profile.name} in {class_words(after['index_class'])}; Rang "
            f"{int(after['rank'])} von {insight_rows.index_count(profile)} {dative}, {last}: Rang {int(before['rank'])}"
        )
    return sentence(
        f"Im {INDEX_NAME} wechselt {profile.name} von Klasse {int(before['index_class'])} ({last}) in "
        f"{class_words(after['index_class'])}; Rang {int(after['rank'])} von {insight_rows.index_count(profile)} "
        f"{dative}, {last}: Rang {int(before['rank'])}. Ein Klassenwechsel allein ist keine signifikante Veränderung"
    )


def class_change_text(row: pd.Series) -> str:
    """ "Sprachförderbedarf: zuvor ähnlich (2021–2023), jetzt schlechter (2022–2024)"."""
    return (
        f"{row['name']}: zuvor {CLASSIFICATION_LABELS[row['before']]} ({_label(row['label_before'])}), jetzt "
        f"{CLASSIFICATION_LABELS[row['after']]} ({_label(row['label_after'])})"
    )


def change_summary(changes: Changes, profile: Profile) -> list[str]:
    """The sentences of "Was hat sich verändert?" around the table of significant changes."""
    if changes.previous is None:
        return [
            f"Die Daten enthalten den vorigen Berichtszeitraum ({_label(insight.previous_period(changes.period))}) "
            "nicht; ein Vergleich mit dem letzten Bericht ist nicht möglich."
        ]
    said = [
        f"Verglichen werden die Werte dieses Berichts ({_label(changes.period)}) mit denen des letzten Berichts "
        f"({_label(changes.previous)}), beide aus denselben Daten."
    ]
    index = index_change_sentence(changes, profile)
    if index:
        said.append(index)
    count = len(changes.significant)
    if changes.tested and count:
        said.append(
            f"Signifikant verändert {'hat sich' if count == 1 else 'haben sich'} {count} der {changes.tested} "
            "getesteten Indikatoren (das 95-%-Konfidenzintervall der Veränderung schließt „keine Veränderung“ aus):"
        )
    elif changes.tested:
        said.append(
            f"Bei keinem der {changes.tested} getesteten Indikatoren ist die Veränderung signifikant "
            "(95-%-Konfidenzintervall der Veränderung)."
        )
    return said


def change_notes(changes: Changes) -> list[str]:
    """The closing notes: indicators without a new value, new ones, pooled spans not tested, hidden values."""
    notes = []
    if changes.new:
        notes.append(f"Neu in diesem Bericht: {in_words(list(changes.new))}.")
    if changes.unchanged:
        notes.append(f"Ohne neuen Wert seit dem letzten Bericht: {in_words(list(changes.unchanged))}.")
    if changes.overlapping:
        notes.append(
            f"Nicht getestet, weil sich die zusammengefassten Jahre beider Berichte überschneiden (die Werte sind "
            f"nicht unabhängig): {in_words(list(changes.overlapping))}."
        )
    notes.append("Wegen kleiner Fallzahlen nicht ausgewiesene Werte gehen in keinen Vergleich ein.")
    return notes


# --- the Methodik ----------------------------------------------------------------------------------------------


def methods_paragraphs(profile: Profile) -> list[tuple[str, str]]:
    """(heading, paragraph) for the Methodik: the index, similar areas, targets, changes (what the data have)."""
    # Long on purpose: four paragraphs of text; split, the wording would scatter.
    tables = profile.tables
    names = tables.catalogue.set_index("id")["name"]
    parts = []
    found = insight.index_for(tables, profile.period)
    if found is not None:
        rho = format_number(found.rank_agreement, 2)
        parts.append((
            INDEX_NAME,
            f"Der Index fasst {len(found.indicators)} Indikatoren zusammen, die der Indikatorenkatalog dafür "
            f"bestimmt ({in_words([names[i] for i in found.indicators])}). Jeder wird über die Ortsteile "
            "standardisiert (Abstand vom einwohnergewichteten Mittel in Standardabweichungen) und so ausgerichtet, "
            "dass ein höherer Wert mehr Belastung bedeutet. Gewichtet werden die Indikatoren wie im Berliner "
            "Gesundheits- und Sozialstrukturatlas nach der ersten Hauptkomponente; sie erklärt "
            f"{format_number(100 * found.explained, 0)} % der Unterschiede, ihre Ladungen stehen in der Tabelle beim "
            "Index. Zur Kontrolle wird auch der einfache Mittelwert der standardisierten Werte berechnet (gleiche "
            f"Gewichte); die Rangfolgen beider stimmen überein (Rangkorrelation {rho}). Punktwert 0 ist der "
            "Durchschnitt der Stadt, +1 eine Standardabweichung mehr Belastung. Rang 1 ist die höchste Belastung; "
            "nach dem Rang werden die Ortsteile in fünf gleich große Klassen geteilt (Klasse 5: sehr hohe "
            f"Belastung). Ortsteile mit weniger als {insight.MIN_POPULATION} Einwohner:innen oder mit mehr als der "
            "Hälfte nicht ausgewiesener Indexwerte gehen nicht ein; einzelne nicht ausgewiesene Werte werden aus den "
            "übrigen geschätzt (Hauptkomponenten-Imputation) und gekennzeichnet. Für die Unsicherheit des Rangs wird "
            f"jeder Eingangswert {format_number(insight.DRAWS, 0)}-mal zufällig innerhalb seines "
            "Konfidenzintervalls gezogen; das 95-%-Intervall des Rangs enthält die mittleren 95 % der so "
            "entstandenen Ränge. Ein Stadtteil erhält das einwohnergewichtete Mittel der Punktwerte seiner Ortsteile.",
        ))  # fmt: skip
    profile_names = [names[i] for i in insight.PROFILE_INDICATORS if i in names.index]
    if len(profile_names) >= 2:
        parts.append((
            "Ähnliche Gebiete",
            f"Für jeden Ortsteil werden die {insight.NEIGHBOURS['ortsteil']} Ortsteile mit der ähnlichsten Sozial- "
            f"und Altersstruktur bestimmt, für jeden Stadtteil die {insight.NEIGHBOURS['stadtteil']} ähnlichsten "
            "Stadtteile: Maß ist der euklidische Abstand der standardisierten Werte von "
            f"{in_words(profile_names)} (wie die „statistical neighbours“ des britischen CIPFA). Der "
            "Vergleichswert „ähnliche Gebiete“ fasst die Fallzahlen dieser Gebiete zusammen (bei "
            "altersstandardisierten Raten und Mittelwerten: einwohnergewichtetes Mittel der ausgewiesenen Werte) "
            "und wird wie der Wert der Stadt mit dem 95-%-Konfidenzintervall des Gebiets verglichen. Es gehen nur "
            "ausgewiesene Zahlen ein: Ein ähnliches Gebiet, dessen Wert wegen kleiner Fallzahlen nicht "
            "ausgewiesen wird, wird durch das nächstähnliche ersetzt. Gebiete mit weniger als "
            f"{insight.MIN_POPULATION} Einwohner:innen haben keine ähnlichen Gebiete und sind keine.",
        ))  # fmt: skip
    goals = insight.targets(tables.catalogue)
    if len(goals):
        listed = [
            f"{names[i]}: {format_target(row['target'], tables.catalogue.set_index('id').at[i, 'unit'])}"
            + (f" ({row['target_source']})" if row["target_source"] else "")
            for i, row in goals.iterrows()
        ]
        parts.append((
            "Zielwerte",
            f"Wo der Indikatorenkatalog einen Zielwert nennt ({'; '.join(listed)}), wird der Wert wie in den "
            "Fingertips-Profilen daran gemessen: erreicht, wenn er den Zielwert erreicht (wo ein niedrigerer Wert "
            "günstiger ist: nicht überschreitet), sonst nicht erreicht. Verglichen wird der Wert selbst, nicht "
            "sein Konfidenzintervall.",
        ))  # fmt: skip
    parts.append((
        "Veränderungen seit dem letzten Bericht",
        "Verglichen werden die Werte dieses Berichts mit denen des vorigen Berichtszeitraums (Vorjahr, bei "
        "Quartalsberichten Vorquartal), beide aus denselben Daten. Eine Veränderung ist signifikant, wenn das "
        "95-%-Konfidenzintervall der Differenz die Null nicht enthält (Anteile: Hybrid-Score-Methode nach "
        "Newcombe; Mittelwerte: aus beiden Standardfehlern) bzw. das des Verhältnisses die Eins nicht enthält "
        "(Raten und altersstandardisierte Raten: MOVER-Verfahren auf der Log-Skala). Über mehrere Jahre "
        "zusammengefasste Werte, deren Jahre sich überschneiden, werden nicht getestet. Ein Wechsel der "
        "Vergleichsklasse (z. B. von „ähnlich“ zu „schlechter“) ist für sich keine signifikante Veränderung. "
        "Nicht ausgewiesene Werte gehen in keinen Vergleich ein.",
    ))  # fmt: skip
    return parts
