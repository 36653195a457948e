"""The two further benchmarks in the report's indicator tables and in the downloads: the column "Ähnliche Gebiete"
(the similar areas' value and the comparison with it) and the target beside the comparison with the city.

Made for `fragments.indicator_table_html` and `downloads.long_table` (this module imports neither). A hidden row
has no benchmark (`content.insight_rows.with_benchmarks` leaves it empty), so its cells hold no digit, as the
disclosure audit requires of a hidden row outside the descriptive columns.
"""

from __future__ import annotations

import html

import pandas as pd

from ..content import text
from ..content.insight_text import DERIVED_DECIMALS, format_target

NEIGHBOURS_HEADER = "Ähnliche Gebiete"
TARGET_LABELS = {
    "achieved": "erreicht",
    "not achieved": "nicht erreicht",
    "between limits": "zwischen den Zielgrenzen",
    "not compared": "nicht verglichen",
}
#: The badge colour of a target comparison (the palette of "better"/"worse"; the text says what it means).
_TARGET_BADGES = {"achieved": "better", "not achieved": "worse", "between limits": "similar"}

#: Download columns with the unit's decimals (the similar areas' values have two, as in the report).
DOWNLOAD_VALUE_COLUMNS = ("Zielwert",)
COLUMN_LEGEND = {
    "Ähnliche Gebiete": "Zweiter Vergleichswert: der zusammengefasste Wert der ähnlichsten Gebiete (Sozial- und "
    "Altersstruktur; nur ausgewiesene Zahlen, siehe Methodik des Berichts).",
    "Ähnliche Gebiete KI 95 % unten": "Untere Grenze des 95-%-Konfidenzintervalls des Werts der ähnlichen Gebiete.",
    "Ähnliche Gebiete KI 95 % oben": "Obere Grenze des 95-%-Konfidenzintervalls des Werts der ähnlichen Gebiete.",
    "Vergleich ähnliche Gebiete (95 %)": "Signifikant besser/schlechter (bzw. höher/niedriger) als die ähnlichen "
    "Gebiete, 95-%-Intervall.",
    "Ähnliche Gebiete (Namen)": "Die Gebiete, deren Zahlen der Vergleichswert zusammenfasst.",
    "Zielwert": "Zielwert des Indikators laut Katalog (z. B. 95 % Masern-Impfquote).",
    "Vergleich Zielwert": "Zielwert erreicht oder nicht erreicht (verglichen wird der Wert selbst).",
    "Quelle Zielwert": "Wer den Zielwert setzt.",
}


def has_neighbours(rows: pd.DataFrame) -> bool:
    """Whether the rows carry a benchmark "ähnliche Gebiete" (not the city's rows, not without similar areas)."""
    return "neighbours_value" in rows and bool(rows["neighbours_value"].notna().any())


def neighbours_header() -> str:
    return f"<th scope='col' class='num col-neighbours'>{NEIGHBOURS_HEADER}</th>"


def neighbours_cell(row: pd.Series) -> str:
    """The similar areas' value and the area's comparison with it; "–" where there is none (and in hidden rows)."""
    value = row.get("neighbours_value")
    if text.is_missing(value):
        return f"<td class='num neighbours'>{text.MISSING}</td>"
    number = text.format_number(value, DERIVED_DECIMALS)
    comparison = row.get("neighbours_comparison") or "not compared"
    label = text.CLASSIFICATION_LABELS.get(comparison, comparison)
    areas = row.get("neighbours_areas") or ""
    title = f" title='{html.escape(NEIGHBOURS_HEADER + ': ' + areas)}'" if areas else ""
    return (
        f"<td class='num neighbours'{title}>{number} "
        f"<span class='badge badge-{comparison.replace(' ', '-')}'>{html.escape(label)}</span></td>"
    )


def target_badge(row: pd.Series) -> str:
    """ "Ziel 95 %: nicht erreicht" as a badge after the comparison with the city; empty without a target."""
    outcome = row.get("target_comparison") or ""
    if outcome not in _TARGET_BADGES or text.is_missing(row.get("target")):
        return ""
    goal = format_target(row["target"], row["unit"])
    return (
        f" <span class='badge badge-target badge-{_TARGET_BADGES[outcome]}'>Ziel {html.escape(goal)}: "
        f"{TARGET_LABELS[outcome]}</span>"
    )


def download_columns(rows: pd.DataFrame, decimals: pd.Series, round_as_shown) -> dict[str, pd.Series | str]:
    """The download's columns of both benchmarks, when the rows have them (a profile's rows do; the open data's
    table of all areas does not): values rounded as the report shows them (`round_as_shown`; the similar areas'
    values to `DERIVED_DECIMALS`, the target to the unit's `decimals`)."""
    if "neighbours_value" not in rows:
        return {}
    words = text.CLASSIFICATION_LABELS
    derived = pd.Series(DERIVED_DECIMALS, index=rows.index)
    return {
        "Ähnliche Gebiete": round_as_shown(rows["neighbours_value"], derived),
        "Ähnliche Gebiete KI 95 % unten": round_as_shown(rows["neighbours_lower"], derived),
        "Ähnliche Gebiete KI 95 % oben": round_as_shown(rows["neighbours_upper"], derived),
        "Vergleich ähnliche Gebiete (95 %)": rows["neighbours_comparison"].map(lambda c: words.get(c, "") if c else ""),
        "Ähnliche Gebiete (Namen)": rows["neighbours_areas"].fillna(""),
        "Zielwert": round_as_shown(rows["target"], decimals),
        "Vergleich Zielwert": rows["target_comparison"].map(lambda c: TARGET_LABELS.get(c, "") if c else ""),
        "Quelle Zielwert": rows["target_source"].fillna(""),
    }
