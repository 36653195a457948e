"""Charts of a focus report: small multiples of the trends of several indicators in the group's areas and the
city, with the year of selection marked. Hidden values (the small-number rule) leave a gap and get a "•"."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ...model.periods import label as period_label
from ...model.periods import matching, sort_key
from ..text import format_value
from .style import (
    CITY_LINE,
    CITY_NAME,
    NARROW_WIDTH,
    SUPPRESSED_LABEL,
    TABLE_FONTSIZE,
    WIDTH,
    Chart,
    GermanFormatter,
    legend_below,
    mark_suppressed,
    period_axis,
    styled,
    suppressed_handle,
    wrap_to_width,
)

#: One colour and marker per area of a group (Okabe-Ito, colour-blind safe; the markers tell them apart in grey).
AREA_STYLES = (
    {"color": "#009E73", "marker": "o"},
    {"color": "#E69F00", "marker": "s"},
    {"color": "#56B4E9", "marker": "^"},
    {"color": "#CC79A7", "marker": "D"},
    {"color": "#0072B2", "marker": "v"},
    {"color": "#D55E00", "marker": "P"},
)
BASELINE_LINE = {"color": "#777777", "linestyle": ":", "linewidth": 1.0}


@styled
def focus_trends(panels: list[dict], baseline: str, columns: int = 2, narrow: bool = False) -> Chart:
    """Small multiples: one panel per indicator, a line per area of the group and the city (dashed), the baseline
    period (the year of selection) as a dotted vertical line.

    ``panels``: per indicator ``{"name", "unit", "series": {area name: frame of period, value, suppressed}}``,
    the city under `CITY_NAME` (as `content.focus.FocusReport.series` gives them), in `columns` columns (a slide
    takes three). ``narrow`` draws one column."""
    columns = 1 if narrow else columns
    rows = math.ceil(len(panels) / columns)
    height = 2.0 if columns < 3 else 1.75
    fig = Figure(figsize=((NARROW_WIDTH, 2.1 * rows + 0.9) if narrow else (WIDTH, height * rows + 0.7)))
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    names = [name for name in panels[0]["series"] if name != CITY_NAME] if panels else []
    alt = [
        f"Entwicklung von {len(panels)} Indikatoren in {', '.join(names)} und {CITY_NAME}, je Indikator ein "
        f"Diagramm; gepunktete Linie: {period_label(baseline)}, das Jahr der Auswahl."
    ]
    for ax, panel in zip(axes, panels, strict=False):
        all_periods = sorted({p for s in panel["series"].values() for p in s["period"]}, key=sort_key)
        x_of = {period: i for i, period in enumerate(all_periods)}
        parts = []
        for i, (name, series) in enumerate(panel["series"].items()):
            series = series.assign(value=series["value"].where(~series["suppressed"].astype(bool)))
            x = series["period"].map(x_of).to_numpy(dtype=float)
            if name == CITY_NAME:
                ax.plot(x, series["value"], **CITY_LINE)
            else:
                ax.plot(x, series["value"], linewidth=1.5, markersize=3.2, **AREA_STYLES[i % len(AREA_STYLES)])
            for xi in x[series["value"].isna().to_numpy() & series["suppressed"].astype(bool).to_numpy()]:
                mark_suppressed(ax, (xi, 0.06), xycoords=("data", "axes fraction"), dx=0)
            shown = series.dropna(subset=["value"])
            if len(shown):
                last = shown.iloc[-1]
                parts.append(f"{name} {format_value(last['value'], panel['unit'])} ({period_label(last['period'])})")
            else:
                parts.append(f"{name} {SUPPRESSED_LABEL}")
        base = matching(all_periods, baseline) if all_periods else None
        if base is not None:
            ax.axvline(x_of[base], **BASELINE_LINE)
        period_axis(ax, all_periods, most=4 if narrow else 6)
        ax.yaxis.set_major_formatter(GermanFormatter())
        width = (NARROW_WIDTH if narrow else WIDTH / columns) * 72 - 30
        ax.set_title(wrap_to_width(f"{panel['name']} ({panel['unit']})", width, 8.5), loc="left", fontsize=8.5)
        ax.tick_params(labelsize=TABLE_FONTSIZE)
        ax.grid(axis="y")
        alt.append(f"{panel['name']}, zuletzt: {'; '.join(parts)}.")
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    handles = [
        Line2D([], [], label=name, linewidth=1.5, markersize=3.2, **AREA_STYLES[i % len(AREA_STYLES)])
        for i, name in enumerate(names)
    ]
    handles.append(Line2D([], [], label=CITY_NAME, **CITY_LINE))
    handles.append(Line2D([], [], label=f"Auswahl {period_label(baseline)}", **BASELINE_LINE))
    if any(np.asarray(s["suppressed"], dtype=bool).any() for p in panels for s in p["series"].values()):
        handles.append(suppressed_handle())
    legend_below(fig, handles, narrow=narrow)
    return Chart(fig, " ".join(alt))
