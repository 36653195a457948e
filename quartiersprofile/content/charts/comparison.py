"""Charts of one indicator against the peers, the city and over time, and the spine chart of all indicators."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ...model.periods import label as period_label
from ..text import (
    CLASSIFICATION_LABELS,
    decimals_for,
    format_interval,
    format_number,
    format_value,
    sentence,
)
from .style import (
    CI_LABEL,
    CITY_LINE,
    CITY_NAME,
    DISTRICT_LINE,
    HIGHLIGHT,
    MARKER_EDGE,
    MUTED,
    NARROW_WIDTH,
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
    wrap_to_width,
)

# --- indicators ---------------------------------------------------------------------------------------


@styled
def district_bars(
    table: pd.DataFrame,
    highlight: str,
    city_value: float,
    indicator_name: str,
    unit: str,
    row_inches: float = 0.2,
    narrow: bool = False,
) -> Chart:
    """Areas compared on one indicator: bars sorted by value, CI whiskers, the city as a dashed line.

    ``table``: ``code, name, value, lower, upper, suppressed``. The ``highlight`` area (a code) is drawn in
    the highlight colour with a bold label; suppressed areas go to the bottom with "•". ``row_inches`` is the
    height of one area's row (a slide packs many areas tighter); ``narrow`` draws the phone variant.
    """
    # Long on purpose: bars, labels, city line and legend depend on each other's geometry.
    table = blank_suppressed(table, ["value", "lower", "upper"])
    table["code"] = table["code"].astype(str)
    shown = table[table["value"].notna()].sort_values("value", ascending=False)
    hidden = table[table["value"].isna()].sort_values("name")
    rows = pd.concat([shown, hidden], ignore_index=True)
    y = np.arange(len(rows))
    is_highlight = (rows["code"] == str(highlight)).to_numpy()
    decimals = decimals_for(unit)

    width = NARROW_WIDTH if narrow else WIDTH
    # Centred under the bars: no wider than they are (the names and values take about 1.7 in beside them).
    x_label = wrap_to_width(axis_label(indicator_name, unit), (width - 1.7) * 72, 8.5)
    extra = 0.14 * x_label.count("\n") + (0.3 if narrow else 0.0)  # wrapped label lines; two-column legend
    fig = Figure(figsize=(width, row_inches * len(rows) + 1.2 + extra))
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
    if narrow:  # room for four numbers such as "1.200" side by side
        ax.xaxis.set_major_locator(ticker.MaxNLocator(nbins=4))
    ax.set_xlabel(x_label)
    ax.grid(axis="x")
    values = [
        SUPPRESSED_LABEL if s else format_number(v, decimals)
        for v, s in zip(rows["value"], rows["suppressed"], strict=True)
    ]
    text_columns(ax, y, [("Wert", values)])
    ci_handle = Line2D([], [], color="#333333", linewidth=0.7, marker="|", markersize=5, label=CI_LABEL)
    handles = [patch_handle(HIGHLIGHT, name) for name in rows.loc[is_highlight, "name"]]
    handles.append(patch_handle(MUTED, "andere Gebiete"))
    handles += optional_handles(ci_handle, len(with_ci), city_value, rows["suppressed"])
    legend_below(fig, handles, narrow=narrow)

    alt = [f"{indicator_name} im Vergleich von {len(rows)} Gebieten, nach Wert sortiert."]
    for row in rows[is_highlight].itertuples():
        if row.suppressed:
            alt.append(f"{row.name}: {SUPPRESSED_LABEL} (zu kleine Fallzahl).")
        else:
            ci = format_interval(row.lower, row.upper, decimals)
            interval = f" ({CI_LABEL} {ci})" if ci != "–" else ""
            alt.append(sentence(f"{row.name}: {format_value(row.value, unit)}{interval}"))
    if not pd.isna(city_value):
        alt.append(sentence(f"{CITY_NAME}: {format_value(city_value, unit)}"))
    if len(shown):
        top, bottom = shown.iloc[0], shown.iloc[-1]
        alt.append(
            sentence(
                f"Höchster Wert: {top['name']} mit {format_value(top['value'], unit)}; niedrigster: "
                f"{bottom['name']} mit {format_value(bottom['value'], unit)}"
            )
        )
    if hidden["suppressed"].any():
        names = ", ".join(hidden.loc[hidden["suppressed"], "name"])
        alt.append(f"Wegen zu kleiner Fallzahlen {SUPPRESSED_LABEL}: {names}.")
    if (~hidden["suppressed"]).any():
        alt.append(f"Ohne Wert: {', '.join(hidden.loc[~hidden['suppressed'], 'name'])}.")
    return Chart(fig, " ".join(alt))


@styled
def trend_chart(
    series: pd.DataFrame, indicator_name: str, unit: str, district_name: str, narrow: bool = False
) -> Chart:
    """District values over time with confidence band, and the city as a dashed line.

    ``series``: ``period, value, lower, upper, city_value, suppressed``; suppressed periods leave a gap in the
    line and get a "•" at the bottom of the plot. ``narrow`` draws the phone variant.
    """
    series = blank_suppressed(series.sort_values("period").reset_index(drop=True), ["value", "lower", "upper"])
    x = np.arange(len(series))
    height = 2.8 if narrow else 2.5
    fig = Figure(figsize=(NARROW_WIDTH if narrow else WIDTH, height))
    ax = fig.subplots()
    ax.fill_between(x, series["lower"], series["upper"], color=HIGHLIGHT, alpha=0.2, linewidth=0)
    ax.plot(x, series["value"], **DISTRICT_LINE)
    ax.plot(x, series["city_value"], **CITY_LINE)
    for xi in x[series["suppressed"]]:
        mark_suppressed(ax, (xi, 0.05), xycoords=("data", "axes fraction"), dx=0)
    period_axis(ax, series["period"].tolist(), most=6 if narrow else 12)
    ax.yaxis.set_major_formatter(GermanFormatter())
    # Vertical: no longer than the plot is high (ticks and legend take the rest), or the figure edge cuts it.
    ax.set_ylabel(wrap_to_width(axis_label(indicator_name, unit), (height - (1.25 if narrow else 0.95)) * 72, 8.5))
    ax.grid(axis="y")
    ci_handle = patch_handle(HIGHLIGHT + "33", CI_LABEL)  # the band's colour at alpha 0.2
    with_ci = series[["lower", "upper"]].notna().all(axis=1).any()
    handles = optional_handles(ci_handle, with_ci, series["city_value"].max(), series["suppressed"])
    legend_below(fig, [district_handle(district_name), *handles], narrow=narrow)

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
        city_text = f"{CITY_NAME} {period_label(latest['period'])}: {format_value(latest['city_value'], unit)}"
        alt.append(sentence(city_text))  # one full stop also after a unit such as "je 100.000 Einw."
    if series["suppressed"].any():
        periods = ", ".join(period_label(p) for p in series.loc[series["suppressed"], "period"])
        alt.append(f"Wegen zu kleiner Fallzahlen {SUPPRESSED_LABEL}: {periods}.")
    return Chart(fig, " ".join(alt))


#: Further benchmarks a spine row may carry (`content.insight_rows.spine_rows`): column -> marker and legend label.
SPINE_BENCHMARKS = {
    "neighbours_value": ({"marker": "D", "markersize": 4.2, "markerfacecolor": "none", "markeredgecolor": "black",
                          "markeredgewidth": 0.9}, "ähnliche Gebiete"),
    "target": ({"marker": "|", "markersize": 9, "markeredgecolor": "black", "markeredgewidth": 1.8}, "Zielwert"),
}  # fmt: skip


def spine_positions(rows: pd.DataFrame) -> pd.DataFrame:
    """Spine-chart x positions (0..1, city = 0.5) of value, minimum, q25, q75 and maximum per row (and of the
    further benchmarks in `SPINE_BENCHMARKS` the rows have).

    Each row is scaled by its largest distance from the city value, so the whole range fits; rows with
    polarity ``higher_is_worse`` are mirrored so that "better" is always on the right (neutral: higher right).
    """
    centre = rows["city_value"]
    columns = ["value", "minimum", "q25", "q75", "maximum", *(c for c in SPINE_BENCHMARKS if c in rows)]
    half = rows[columns].sub(centre, axis=0).abs().max(axis=1)
    half = half.where(half > 0, 1.0)
    sign = np.where(rows["polarity"] == "higher_is_worse", -1.0, 1.0)
    return rows[columns].sub(centre, axis=0).div(2 * half, axis=0).mul(sign, axis=0) + 0.5


@styled
def spine_chart(rows: pd.DataFrame, narrow: bool = False) -> Chart:
    """Fingertips-style spine chart: the district on every indicator relative to the city and all areas.

    ``rows``: ``name, value, city_value, minimum, q25, q75, maximum, classification, polarity, suppressed``,
    optional ``unit`` (sets the decimals of the value columns). Light bar = range of all areas, dark bar =
    middle 50 %, dashed centre line = city, circle = district coloured by its classification. ``narrow`` (the
    phone variant): each indicator's name on a line of its own above its bar, the legend in two columns.
    """
    # Long on purpose: rows, markers, text columns and legend depend on each other's geometry.
    rows = blank_suppressed(rows.reset_index(drop=True), ["value"])
    pos = spine_positions(rows)
    y = np.arange(len(rows))
    bar = 0.42 if narrow else 0.64  # of a row
    # Narrow: a row holds the name (beside the comparison: a very long name takes two lines) and the bar; the
    # legend has two columns, so more lines.
    names = [wrap_to_width(name, NARROW_WIDTH * 72 - 80, TABLE_FONTSIZE) for name in rows["name"]]
    lines = max((name.count("\n") + 1 for name in names), default=1)
    pitch = 0.26 + 0.12 * lines  # inches per row
    size = (NARROW_WIDTH, pitch * len(rows) + 1.73 + 0.12 * lines) if narrow else (WIDTH, 0.21 * len(rows) + 1.05)
    fig = Figure(figsize=size)
    ax = fig.subplots()
    low, high = pos[["minimum", "maximum"]].min(axis=1), pos[["minimum", "maximum"]].max(axis=1)
    ax.barh(y, high - low, left=low, height=bar, color=RANGE_LIGHT)
    q_low, q_high = pos[["q25", "q75"]].min(axis=1), pos[["q25", "q75"]].max(axis=1)
    ax.barh(y, q_high - q_low, left=q_low, height=bar, color=RANGE_DARK)
    if narrow:  # only across the bars: a line through the names above them would cross out letters
        ax.vlines(np.full(len(y), 0.5), y - bar / 2 - 0.06, y + bar / 2 + 0.06, **CITY_LINE)
    else:
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
    benchmarks = [column for column in SPINE_BENCHMARKS if column in pos and pos[column].notna().any()]
    for column in benchmarks:  # the similar areas' value and a target, where a row has them
        shown = pos[column].notna().to_numpy()
        ax.plot(pos[column][shown], y[shown], linestyle="none", zorder=4, **SPINE_BENCHMARKS[column][0])
    ax.set_xlim(-0.03, 1.03)
    if narrow:  # the names above the bars, where the layout need not make room for them
        ax.set_ylim(len(rows) - 0.4, -bar / 2 - (0.12 * lines + 0.04) / pitch)
        ax.set_yticks([])
        for yi, name in zip(y, names, strict=True):
            ax.annotate(
                name,
                xy=(0, yi - bar / 2),
                xycoords=("axes fraction", "data"),
                xytext=(0, 1.5),
                textcoords="offset points",
                ha="left",
                va="bottom",
                fontsize=TABLE_FONTSIZE,
                color="#222222",
                in_layout=False,
            )
    else:
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
            fontsize=TABLE_FONTSIZE,
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
    if narrow:  # the comparison at the end of the name's line, right of the values
        right = text_columns(ax, y, [("Quartier", value_texts), (CITY_NAME, city_texts)])
        for yi, verdict in zip(y, verdicts, strict=True):
            ax.annotate(
                verdict,
                xy=(1, yi - bar / 2),
                xycoords=("axes fraction", "data"),
                xytext=(right, 1.5),
                textcoords="offset points",
                ha="right",
                va="bottom",
                fontsize=TABLE_FONTSIZE,
                fontstyle="italic",
                color="#222222",
                in_layout=False,
            )
    else:
        text_columns(ax, y, [("Quartier", value_texts), (CITY_NAME, city_texts), ("Vergleich", verdicts)])

    present = [c for c in PALETTE if (rows["classification"][drawn] == c).any()]
    handles = [marker_handle(PALETTE[c], CLASSIFICATION_LABELS[c]) for c in present] + [
        patch_handle(RANGE_LIGHT, "Spannweite der Gebiete"),
        patch_handle(RANGE_DARK, "mittlere 50 %"),
        city_handle(),
    ]
    handles += [Line2D([], [], linestyle="none", label=SPINE_BENCHMARKS[c][1], **SPINE_BENCHMARKS[c][0])
                for c in benchmarks]  # fmt: skip
    legend_below(fig, handles, narrow=narrow)

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
