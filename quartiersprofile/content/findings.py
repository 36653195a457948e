"""Kernaussagen: a handful of plain German sentences generated from the statistics.

Rules: a sentence names a difference only when it is significant (95 % interval; "auch bei der strengeren
Prüfung" when the 99.8 % level agrees), never quotes a suppressed value, and quotes only numbers formatted
exactly as in the report's tables (value and city value of the reporting period).
"""

from __future__ import annotations

import pandas as pd

from ..model.periods import label as period_label
from .text import format_value

MAX_SENTENCES = 8
DIRECTION_WORDS = {
    "worse": "ungünstiger als",
    "better": "günstiger als",
    "higher": "höher als",
    "lower": "niedriger als",
}
TREND_WORDS = {"increasing": "gestiegen", "decreasing": "gesunken"}


def _relative_difference(rows: pd.DataFrame) -> pd.Series:
    return ((rows["value"] - rows["city_value"]).abs() / rows["city_value"].abs()).fillna(0)


def comparison_sentences(rows: pd.DataFrame, area_name: str, limit: dict[str, int]) -> list[str]:
    """Significant differences from the city, the largest relative differences first."""
    visible = rows[~rows["suppressed"].astype(bool)]
    sentences = []
    for outcome, count in limit.items():
        chosen = visible[visible["comparison_95"] == outcome]
        chosen = chosen.assign(_diff=_relative_difference(chosen)).sort_values("_diff", ascending=False)
        for _, row in chosen.head(count).iterrows():
            strict = " (auch bei der strengeren Prüfung)" if row["comparison_998"] == outcome else ""
            sentences.append(
                f"{row['name']}: Mit {format_value(row['value'], row['unit'])} liegt {area_name} signifikant "
                f"{DIRECTION_WORDS[outcome]} Bremerhaven ({format_value(row['city_value'], row['unit'])})"
                f"{strict}."
            )
    return sentences


def trend_sentences(rows: pd.DataFrame, count: int) -> list[str]:
    """Significant recent trends (last five periods), strongest evidence first."""
    visible = rows[~rows["suppressed"].astype(bool) & rows["trend"].isin(list(TREND_WORDS))]
    sentences = []
    for _, row in visible.sort_values("trend_p").head(count).iterrows():
        sentences.append(
            f"{row['name']} ist in den letzten fünf Jahren signifikant {TREND_WORDS[row['trend']]}; "
            f"zuletzt {format_value(row['value'], row['unit'])} ({period_label(row['period_label'])})."
        )
    return sentences


def key_findings(rows: pd.DataFrame, area_name: str, is_city: bool = False) -> list[str]:
    """4–8 sentences for the Kernaussagen box, from the area's indicator rows of the reporting period."""
    sentences = (
        [] if is_city else comparison_sentences(rows, area_name, {"worse": 3, "better": 2, "higher": 1, "lower": 1})
    )
    sentences += trend_sentences(rows, MAX_SENTENCES - len(sentences))
    compared = rows[rows["comparison_95"] != "not compared"]
    if not is_city and (compared["comparison_95"] == "similar").any():
        sentences.append(
            f"Bei den übrigen verglichenen Indikatoren unterscheidet sich {area_name} nicht signifikant von "
            f"Bremerhaven."
        )
    if rows["suppressed"].astype(bool).any():
        sentences.append(
            "Einige Werte werden wegen kleiner Fallzahlen nicht ausgewiesen (•) und gehen in keine Aussage ein."
        )
    if len(sentences) < 4:
        sentences.append(
            "Für die übrigen Indikatoren zeigen die Daten weder einen signifikanten Unterschied zur Stadt noch "
            "einen signifikanten Trend."
        )
    return sentences[:MAX_SENTENCES]
