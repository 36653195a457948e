"""Charts of the health outcomes (`content.outcomes`): life expectancy of women and men against the city, and an
indicator's values against the deprivation rank of the areas with the fitted slope of inequality. Same style as
the other charts (`style`); hidden values are never drawn ("•" stands in for them)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..text import format_number
from .style import (
    CITY_LINE,
    CITY_NAME,
    HIGHLIGHT,
    MARKER_EDGE,
    MUTED,
    NARROW_WIDTH,
    WIDTH,
    Chart,
    GermanFormatter,
    axis_label,
    city_handle,
    legend_below,
    marker_handle,
    styled,
    suppressed_handle,
    wrap_to_width,
)

SEX_LABELS = {"w": "Frauen", "m": "Männer"}
AGE_LABELS = {0: "bei Geburt", 65: "mit 65 Jahren"}
FITTED_LINE = {"color": "#222222", "linewidth": 1.2}


def _years(value: float) -> str:
    return f"{format_number(value, 1)} Jahre"


@styled
def life_expectancy_chart(rows: pd.DataFrame, area_name: str, narrow: bool = False) -> Chart:
    """Life expectancy of women and men at birth and at 65 in an area (dot with 95 % interval) and in the city
    (dashed tick). ``rows``: ``sex, age, value, lower, upper, city_value`` (value NaN: not shown, "•")."""
    order = [(sex, age) for age in (0, 65) for sex in ("w", "m")]
    table = rows.set_index(["sex", "age"]).reindex(order)
    fig = Figure(figsize=(NARROW_WIDTH if narrow else WIDTH, 2.6 if narrow else 2.2))
    axes = fig.subplots(1, 2, sharey=True)
    missing = []
    for ax, age in zip(axes, (0, 65), strict=True):
        part = table.xs(age, level="age")
        y = np.arange(len(part))[::-1]
        for yi, (sex, row) in zip(y, part.iterrows(), strict=True):
            if np.isnan(row["value"]):
                missing.append(f"{SEX_LABELS[sex]} {AGE_LABELS[age]}")
                ax.annotate("•", (0.5, yi), xycoords=("axes fraction", "data"), ha="center", va="center")
            else:
                ax.errorbar(row["value"], yi, xerr=[[row["value"] - row["lower"]], [row["upper"] - row["value"]]],
                            fmt="o", color=HIGHLIGHT, markeredgecolor=MARKER_EDGE, capsize=2, markersize=5)  # fmt: skip
            if not np.isnan(row["city_value"]):
                ax.plot([row["city_value"]] * 2, [yi - 0.3, yi + 0.3], **CITY_LINE)
        ax.set_yticks(y, [SEX_LABELS[sex] for sex in part.index])
        ax.set_ylim(-0.6, len(part) - 0.4)
        ax.set_title(AGE_LABELS[age][0].upper() + AGE_LABELS[age][1:], fontsize=9)  # "Bei Geburt", "Mit 65 Jahren"
        ax.xaxis.set_major_formatter(GermanFormatter())
        ax.set_xlabel("Lebenserwartung in Jahren")
        ax.grid(axis="x")
        ax.margins(x=0.15)
    handles = [marker_handle(HIGHLIGHT, f"{area_name} mit 95-%-KI")]
    handles += [city_handle()] if area_name != CITY_NAME and table["city_value"].notna().any() else []
    handles += [suppressed_handle()] if missing else []
    legend_below(fig, handles, narrow=narrow)
    alt = [f"Lebenserwartung von Frauen und Männern bei Geburt und mit 65 Jahren in {area_name}"]
    alt[0] += f" im Vergleich zu {CITY_NAME}." if area_name != CITY_NAME else "."
    for (sex, age), row in table.iterrows():
        if not np.isnan(row["value"]):
            city = f", {CITY_NAME} {_years(row['city_value'])}" if area_name != CITY_NAME and \
                not np.isnan(row["city_value"]) else ""  # fmt: skip
            alt.append(f"{SEX_LABELS[sex]} {AGE_LABELS[age]}: {_years(row['value'])}{city}.")
    if missing:
        alt.append(f"Nicht ausgewiesen: {', '.join(missing)}.")
    return Chart(fig, " ".join(alt))


@styled
def inequality_gradients(panels: list[dict], narrow: bool = False) -> Chart:
    """Small multiples, one panel per measured indicator: its values in the areas against their relative
    deprivation rank (0 = most deprived, by residents) with 95 % intervals, and the line the slope index of
    inequality was fitted as.

    ``panels``: dicts with ``points`` (``rank, value, lower, upper``), ``result`` (a row of the inequality table
    of `content.outcomes`: ``sii, intercept, scale``), ``name``, ``unit`` and ``level`` ("Ortsteile", ...)."""
    columns = 1 if narrow else min(3, len(panels))
    rows = -(-len(panels) // columns)
    width = NARROW_WIDTH if narrow else WIDTH
    fig = Figure(figsize=(width, (2.3 if narrow else 2.2) * rows + 0.4))
    axes = np.atleast_1d(fig.subplots(rows, columns, squeeze=False)).ravel()
    alt = [f"Gesundheitliche Ungleichheit: {len(panels)} Indikatoren nach dem Rang sozialer Benachteiligung der "
           "Gebiete, jeweils mit der angepassten Geraden."]  # fmt: skip
    for ax, panel in zip(axes, panels, strict=False):
        points = panel["points"].sort_values("rank")
        ax.errorbar(points["rank"], points["value"],
                    yerr=[points["value"] - points["lower"], points["upper"] - points["value"]],
                    fmt="o", color=MUTED, ecolor=MUTED, markeredgecolor=MARKER_EDGE, markersize=3.5,
                    capsize=0, elinewidth=0.8)  # fmt: skip
        start = float(panel["result"]["intercept"]) * float(panel["result"]["scale"])
        end = start + float(panel["result"]["sii"])
        ax.plot([0, 1], [start, end], **FITTED_LINE)
        ax.set_xlim(-0.04, 1.04)
        ax.set_xticks([0, 1], ["stärker\nbenachteiligt", "weniger\nbenachteiligt"], fontsize=7)
        ax.yaxis.set_major_formatter(GermanFormatter())
        ax.tick_params(axis="y", labelsize=7)
        ax.set_title(wrap_to_width(axis_label(panel["name"], panel["unit"]), (width / columns - 0.5) * 72, 8),
                     fontsize=8)  # fmt: skip
        ax.grid(axis="y")
        alt.append(
            f"{panel['name']} ({len(points)} {panel['level']}): vom am stärksten benachteiligten Ende "
            f"{format_number(start, 1)} bis zum am wenigsten benachteiligten {format_number(end, 1)} {panel['unit']}"
            .strip() + "."
        )
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    fitted = Line2D([], [], label="Ausgleichsgerade (SII)", **FITTED_LINE)
    handles = [marker_handle(MUTED, "Gebiet mit 95-%-KI"), fitted]
    legend_below(fig, handles, narrow=narrow)
    return Chart(fig, " ".join(alt))
