"""Charts of one indicator against the peers, the city and over time, and the spine chart of all indicators."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ...model.periods import label as period_label
from ..text import (
    CLASSIFICATION_LABELS,
    decimals_for,
    format_interval,
    format_number,
    format_value,
)
from .style import (
    CI_LABEL,
    CITY_LINE,
    CITY_NAME,
    DISTRICT_LINE,
    HIGHLIGHT,
    MARKER_EDGE,
    MUTED,
    PALETTE,
    RANGE_DARK,
    RANGE_LIGHT,
    SUPPRESSED_LABEL,
    SUPPRESSED_MARK,
    TABLE_FONTSIZE,
    WIDTH,
    Chart,
    GermanFormatter,
    axis_label,
    blank_suppressed,
    city_handle,
    district_handle,
    legend_below,
    mark_suppressed,
    marker_handle,
    optional_handles,
    patch_handle,
    period_axis,
    styled,
    text_columns,
)

# --- indicators ---------------------------------------------------------------------------------------


@styled
def district_bars(
    table: pd.DataFrame, highlight: str, city_value: float, indicator_name: str, unit: str
) -> Chart:
    """Areas compared on one indicator: bars sorted by value, CI whiskers, the city as a dashed line.

    ``table``: ``code, name, value, lower, upper, suppressed``. The ``highlight`` area (a code) is drawn in
    the highlight colour with a bold label; suppressed areas go to the bottom with "•".
    """
    table = blank_suppressed(table, ["value", "lower", "upper"])
    table["code"] = table["code"].astype(str)
    shown = table[table["value"].notna()].sort_values("value", ascending=False)
    hidden = table[table["value"].isna()].sort_values("name")
    rows = pd.concat([shown, hidden], ignore_index=True)
    y = np.arange(len(rows))
    is_highlight = (rows["code"] == str(highlight)).to_numpy()
    decimals = decimals_for(unit)

    fig = Figure(figsize=(WIDTH, 0.2 * len(rows) + 1.2))
    ax = fig.subplots()
    ax.barh(
        y[: len(shown)],
        shown["value"],
        height=0.7,
        color=np.where(is_highlight, HIGHLIGHT, MUTED)[: len(shown)],
    )
    with_ci = rows.dropna(subset=["value", "lower", "upper"])
    ax.errorbar(
        with_ci["value"],
        with_ci.index,
        fmt="none",
        ecolor="#333333",
        elinewidth=0.7,
        capsize=1.8,
        xerr=[
            (with_ci["value"] - with_ci["lower"]).clip(lower=0),
            (with_ci["upper"] - with_ci["value"]).clip(lower=0),
        ],
    )
    for yi in y[rows["suppressed"]]:
        mark_suppressed(ax, (0, yi))
    if not pd.isna(city_value):
        ax.axvline(city_value, **CITY_LINE)
        ax.annotate(
            CITY_NAME,
            xy=(city_value, 1),
            xycoords=("data", "axes fraction"),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=TABLE_FONTSIZE,
        )
    ax.set_yticks(y, rows["name"], fontsize=TABLE_FONTSIZE)
    for label, bold in zip(ax.get_yticklabels(), is_highlight, strict=True):
        label.set_fontweight("bold" if bold else "normal")
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.xaxis.set_major_formatter(GermanFormatter())
    ax.set_xlabel(axis_label(indicator_name, unit))
    ax.grid(axis="x")
    values = [
        SUPPRESSED_LABEL if s else format_number(v, decimals)
        for v, s in zip(rows["value"], rows["suppressed"], strict=True)
    ]
    text_columns(ax, y, [("Wert", values)])
    ci_handle = Line2D([], [], color="#333333", linewidth=0.7, marker="|", markersize=5, label=CI_LABEL)
    handles = [patch_handle(HIGHLIGHT, name) for name in rows.loc[is_highlight, "name"]]
    handles.append(patch_handle(MUTED, "andere Gebiete"))
    legend_below(fig, handles + optional_handles(ci_handle, len(with_ci), city_value, rows["suppressed"]))

    alt = [f"{indicator_name} im Vergleich von {len(rows)} Gebieten, nach Wert sortiert."]
    for row in rows[is_highlight].itertuples():
        if row.suppressed:
            alt.append(f"{row.name}: {SUPPRESSED_LABEL} (zu kleine Fallzahl).")
        else:
            ci = format_interval(row.lower, row.upper, decimals)
            alt.append(
                f"{row.name}: {format_value(row.value, unit)}"
                + (f" ({CI_LABEL} {ci})." if ci != "–" else ".")
            )
    if not pd.isna(city_value):
        alt.append(f"{CITY_NAME}: {format_value(city_value, unit)}.")
    if len(shown):
        top, bottom = shown.iloc[0], shown.iloc[-1]
        alt.append(
            f"Höchster Wert: {top['name']} mit {format_value(top['value'], unit)}; niedrigster: "
            f"{bottom['name']} mit {format_value(bottom['value'], unit)}."
        )
    if hidden["suppressed"].any():
        names = ", ".join(hidden.loc[hidden["suppressed"], "name"])
        alt.append(f"Wegen zu kleiner Fallzahlen {SUPPRESSED_LABEL}: {names}.")
    if (~hidden["suppressed"]).any():
        alt.append(f"Ohne Wert: {', '.join(hidden.loc[~hidden['suppressed'], 'name'])}.")
    return Chart(fig, " ".join(alt))


@styled
def trend_chart(series: pd.DataFrame, indicator_name: str, unit: str, district_name: str) -> Chart:
    """District values over time with confidence band, and the city as a dashed line.

    ``series``: ``period, value, lower, upper, city_value, suppressed``; suppressed periods leave a gap in the
    line and get a "•" at the bottom of the plot.
    """
    series = blank_suppressed(series.sort_values("period").reset_index(drop=True), ["value", "lower", "upper"])
    x = np.arange(len(series))
    fig = Figure(figsize=(WIDTH, 2.5))
    ax = fig.subplots()
    ax.fill_between(x, series["lower"], series["upper"], color=HIGHLIGHT, alpha=0.2, linewidth=0)
    ax.plot(x, series["value"], **DISTRICT_LINE)
    ax.plot(x, series["city_value"], **CITY_LINE)
    for xi in x[series["suppressed"]]:
        mark_suppressed(ax, (xi, 0.05), xycoords=("data", "axes fraction"), dx=0)
    period_axis(ax, series["period"].tolist())
    ax.yaxis.set_major_formatter(GermanFormatter())
    ax.set_ylabel(textwrap.fill(axis_label(indicator_name, unit), 34))  # vertical: keep within the axis
    ax.grid(axis="y")
    ci_handle = patch_handle(HIGHLIGHT + "33", CI_LABEL)  # the band's colour at alpha 0.2
    with_ci = series[["lower", "upper"]].notna().all(axis=1).any()
    handles = optional_handles(ci_handle, with_ci, series["city_value"].max(), series["suppressed"])
    legend_below(fig, [district_handle(district_name), *handles])

    shown = series[series["value"].notna()]
    alt = [
        f"Zeitreihe {indicator_name} in {district_name} im Vergleich zu {CITY_NAME}, "
        f"{period_label(series['period'].iloc[0])} bis {period_label(series['period'].iloc[-1])}."
    ]
    if len(shown):
        first, last = shown.iloc[0], shown.iloc[-1]
        alt.append(
            f"{district_name}: {format_value(first['value'], unit)} ({period_label(first['period'])}), "
            f"zuletzt {format_value(last['value'], unit)} ({period_label(last['period'])})."
        )
    city = series.dropna(subset=["city_value"])
    if len(city):
        latest = city.iloc[-1]
        alt.append(
            f"{CITY_NAME} {period_label(latest['period'])}: {format_value(latest['city_value'], unit)}."
        )
    if series["suppressed"].any():
        periods = ", ".join(period_label(p) for p in series.loc[series["suppressed"], "period"])
        alt.append(f"Wegen zu kleiner Fallzahlen {SUPPRESSED_LABEL}: {periods}.")
    return Chart(fig, " ".join(alt))


def spine_positions(rows: pd.DataFrame) -> pd.DataFrame:
    """Spine-chart x positions (0..1, city = 0.5) of value, minimum, q25, q75 and maximum per row.

    Each row is scaled by its largest distance from the city value, so the whole range fits; rows with
    polarity ``higher_is_worse`` are mirrored so that "better" is always on the right (neutral: higher right).
    """
    centre = rows["city_value"]
    columns = ["value", "minimum", "q25", "q75", "maximum"]
    half = rows[columns].sub(centre, axis=0).abs().max(axis=1)
    half = half.where(half > 0, 1.0)
    sign = np.where(rows["polarity"] == "higher_is_worse", -1.0, 1.0)
    return rows[columns].sub(centre, axis=0).div(2 * half, axis=0).mul(sign, axis=0) + 0.5


@styled
def spine_chart(rows: pd.DataFrame) -> Chart:
    """Fingertips-style spine chart: the district on every indicator relative to the city and all areas.

    ``rows``: ``name, value, city_value, minimum, q25, q75, maximum, classification, polarity, suppressed``,
    optional ``unit`` (sets the decimals of the value columns). Light bar = range of all areas, dark bar =
    middle 50 %, dashed centre line = city, circle = district coloured by its classification.
    """
    rows = blank_suppressed(rows.reset_index(drop=True), ["value"])
    pos = spine_positions(rows)
    y = np.arange(len(rows))
    fig = Figure(figsize=(WIDTH, 0.21 * len(rows) + 1.05))
    ax = fig.subplots()
    low, high = pos[["minimum", "maximum"]].min(axis=1), pos[["minimum", "maximum"]].max(axis=1)
    ax.barh(y, high - low, left=low, height=0.64, color=RANGE_LIGHT)
    q_low, q_high = pos[["q25", "q75"]].min(axis=1), pos[["q25", "q75"]].max(axis=1)
    ax.barh(y, q_high - q_low, left=q_low, height=0.64, color=RANGE_DARK)
    ax.axvline(0.5, **CITY_LINE)
    drawn = pos["value"].notna().to_numpy()
    ax.scatter(
        pos["value"][drawn],
        y[drawn],
        s=30,
        zorder=3,
        linewidths=0.6,
        edgecolors=MARKER_EDGE,
        c=[PALETTE[c] for c in rows["classification"][drawn]],
    )
    ax.set_xlim(-0.03, 1.03)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_yticks(y, rows["name"], fontsize=TABLE_FONTSIZE)
    ax.tick_params(axis="y", length=0)
    ax.set_xticks([])
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    for x, ha, text in ((0, "left", "ungünstiger\nbzw. niedriger"), (1, "right", "günstiger\nbzw. höher")):
        ax.annotate(
            text,
            xy=(x, 1),
            xycoords="axes fraction",
            xytext=(0, 3),
            textcoords="offset points",
            ha=ha,
            va="bottom",
            fontsize=7,
            color="#555555",
        )

    units = rows["unit"] if "unit" in rows else [None] * len(rows)
    value_texts = [
        SUPPRESSED_MARK if s else format_number(v, decimals_for(u))
        for v, s, u in zip(rows["value"], rows["suppressed"], units, strict=True)
    ]
    city_texts = [format_number(v, decimals_for(u)) for v, u in zip(rows["city_value"], units, strict=True)]
    verdicts = [
        SUPPRESSED_LABEL if s else CLASSIFICATION_LABELS[c]
        for c, s in zip(rows["classification"], rows["suppressed"], strict=True)
    ]
    text_columns(ax, y, [("Quartier", value_texts), (CITY_NAME, city_texts), ("Vergleich", verdicts)])

    present = [c for c in PALETTE if (rows["classification"][drawn] == c).any()]
    handles = [marker_handle(PALETTE[c], CLASSIFICATION_LABELS[c]) for c in present] + [
        patch_handle(RANGE_LIGHT, "Spannweite der Gebiete"),
        patch_handle(RANGE_DARK, "mittlere 50 %"),
        city_handle(),
    ]
    legend_below(fig, handles, ncols=min(len(handles), 5))

    counts = rows.loc[~rows["suppressed"], "classification"].value_counts()
    alt = [
        f"Vergleich mit {CITY_NAME} über {len(rows)} Indikatoren: "
        + ", ".join(f"{counts[c]} {CLASSIFICATION_LABELS[c]}" for c in PALETTE if c in counts)
        + "."
    ]
    if rows["suppressed"].any():
        alt.append(f"{int(rows['suppressed'].sum())} wegen kleiner Fallzahlen {SUPPRESSED_LABEL}.")
    for classification in ("worse", "better"):
        chosen = rows[(rows["classification"] == classification) & ~rows["suppressed"]]
        if len(chosen):
            listed = "; ".join(
                f"{name} {value_texts[i]} ({CITY_NAME} {city_texts[i]})"
                for i, name in zip(chosen.index, chosen["name"], strict=True)
            )
            alt.append(f"{CLASSIFICATION_LABELS[classification].capitalize()}: {listed}.")
    return Chart(fig, " ".join(alt))
