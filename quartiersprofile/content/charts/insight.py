"""The chart of the Gesundheits- und Sozialindex: the areas in rank order, each with the 95 % interval of its rank
and coloured by its class (the map of the scores is `maps.tile_map`).

It names no indicator: its labels are area names, ranks, classes and index scores (two decimals), so that the
disclosure audit's search of chart labels for an indicator's hidden numbers has nothing to look at here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..text import format_number
from .style import (
    MARKER_EDGE,
    NARROW_WIDTH,
    TABLE_FONTSIZE,
    WIDTH,
    Chart,
    legend_below,
    marker_handle,
    styled,
    text_columns,
)

#: Class 1 (lowest burden) to 5 (highest): a sequential colour-blind safe scale (ColorBrewer Oranges).
CLASS_COLOURS = {1: "#FEEDDE", 2: "#FDBE85", 3: "#FD8D3C", 4: "#E6550D", 5: "#A63603"}
CLASS_NAMES = {1: "sehr niedrige", 2: "niedrige", 3: "mittlere", 4: "hohe", 5: "sehr hohe"}
INTERVAL_LABEL = "95-%-Intervall des Rangs"


def format_score(score: float) -> str:
    """An index score with its sign and two decimals: "+1,01", "-0,52", "0,00"."""
    text = format_number(score, 2)
    return f"+{text}" if score > 0 and text != "0,00" else text


@styled
def index_ranking(
    table: pd.DataFrame,
    highlight: list[str] | tuple[str, ...] = (),
    title: str = "Gebiete",
    narrow: bool = False,
    fontsize: float = TABLE_FONTSIZE,
) -> Chart:
    """The areas ranked by the index, rank 1 (highest burden) at the top.

    ``table``: ``code, name, score, rank, index_class, rank_lower, rank_upper``. Each area is a dot at its rank,
    coloured by its class, with a line over the 95 % interval of its rank; ``highlight`` (codes) in bold.
    ``title``: what the areas are ("Ortsteile"), for the alt text. The phone variant (``narrow``) is taller and
    has its legend in one column. ``fontsize``: of the names and the columns (a slide shows the chart at about
    its natural size, where the 7.5 pt of a report figure is too small).
    """
    rows = table.sort_values("rank").reset_index(drop=True)
    count = len(rows)
    y = np.arange(count)
    fig = Figure(figsize=(NARROW_WIDTH, 0.2 * count + 1.9) if narrow else (WIDTH, 0.2 * count + 1.3))
    ax = fig.subplots()
    chosen = rows["code"].astype(str).isin([str(c) for c in highlight]).to_numpy()
    ax.hlines(y, rows["rank_lower"].astype(float), rows["rank_upper"].astype(float), color="#555555", linewidth=1.0)
    ax.scatter(
        rows["rank"].astype(float),
        y,
        s=34,
        zorder=3,
        linewidths=np.where(chosen, 1.4, 0.6),
        edgecolors=np.where(chosen, "black", MARKER_EDGE),
        c=[CLASS_COLOURS[int(c)] for c in rows["index_class"]],
    )
    ax.set_ylim(count - 0.5, -0.5)
    ax.set_yticks(y, rows["name"], fontsize=fontsize)
    for label, bold in zip(ax.get_yticklabels(), chosen, strict=True):
        label.set_fontweight("bold" if bold else "normal")
    ax.set_xlim(0.5, count + 0.5)
    ticks = sorted({1, *range(5, count + 1, 5), count})
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.set_xlabel("Rang (1 = höchste Belastung)")
    ax.grid(axis="x")
    ax.tick_params(axis="y", length=0)
    scores = [format_score(s) for s in rows["score"]]
    text_columns(ax, y, [("Punktwert", scores), ("Klasse", [str(int(c)) for c in rows["index_class"]])], fontsize)
    present = sorted({int(c) for c in rows["index_class"]}, reverse=True)
    handles = [marker_handle(CLASS_COLOURS[c], f"Klasse {c}: {CLASS_NAMES[c]} Belastung") for c in present]
    handles.append(Line2D([], [], color="#555555", linewidth=1.0, label=INTERVAL_LABEL))
    legend_below(fig, handles, ncols=1 if narrow else 2 if fontsize > TABLE_FONTSIZE else 3, narrow=narrow)
    if fontsize > TABLE_FONTSIZE:  # a slide: no text smaller than the names (the scale and legend are 8 pt)
        ax.tick_params(axis="x", labelsize=max(fontsize, ax.xaxis.get_ticklabels()[0].get_fontsize()))
        ax.xaxis.label.set_fontsize(max(fontsize, ax.xaxis.label.get_fontsize()))
        for entry in fig.legends[0].get_texts():
            entry.set_fontsize(max(fontsize, entry.get_fontsize()))

    alt = [f"Gesundheits- und Sozialindex: {count} {title} nach Rang, mit dem 95-%-Intervall jedes Rangs."]
    for row in rows[chosen].itertuples():
        alt.append(
            f"{row.name}: Rang {int(row.rank)} (Intervall {int(row.rank_lower)} bis {int(row.rank_upper)}), "
            f"Klasse {int(row.index_class)}, Punktwert {format_score(row.score)}."
        )
    top, bottom = rows.iloc[0], rows.iloc[-1]
    alt.append(f"Höchste Belastung: {top['name']}; niedrigste: {bottom['name']}.")
    return Chart(fig, " ".join(alt))
