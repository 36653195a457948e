"""Charts of the population projection: an area's age pyramid now against the projected one, and the projected
change of the older age groups in all areas, ranked. Same style as the other charts (`style`); hidden numbers
(the small-number rule, `content.projection`) are never drawn: "•" stands in for them."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..text import NBSP, format_count, format_number
from .population import frame_pyramid
from .style import (
    HIGHLIGHT,
    MUTED,
    NARROW_WIDTH,
    SUPPRESSED_LABEL,
    TABLE_FONTSIZE,
    WIDTH,
    Chart,
    GermanFormatter,
    age_start,
    legend_below,
    mark_suppressed,
    patch_handle,
    styled,
    text_columns,
)

#: The projected population: a solid dark outline (the city's line elsewhere is dashed).
PROJECTION_LINE = {"color": "#222222", "linewidth": 1.3}
INTERVAL_LABEL = "80-%-Prognoseintervall"
MINUS = "−"


def _signed_percent(value: float) -> str:
    number = format_number(value, 0)
    if number.startswith("-"):
        return f"{MINUS}{number[1:]}{NBSP}%"
    return f"{number}{NBSP}%" if number == "0" else f"+{number}{NBSP}%"


@styled
def projection_pyramid(
    pyramid: pd.DataFrame, area_name: str, launch_year: int, target_year: int, narrow: bool = False
) -> Chart:
    """Residents by sex and age band in the launch year (bars, men left, women right) and projected for the
    target year (outline). ``pyramid``: ``sex, age_band, now, projected`` (NaN: hidden, drawn as a gap with
    "•"), as `content.projection.pyramid` gives it. ``narrow`` draws the phone variant."""
    bands = sorted(pyramid["age_band"].unique(), key=age_start)
    edges = np.arange(len(bands) + 1) - 0.5
    fig = Figure(figsize=(NARROW_WIDTH, 4.4) if narrow else (WIDTH, 4.2))
    ax = fig.subplots()
    rows = {}
    hidden_any = False
    for sex, sign in (("m", -1), ("w", 1)):
        own = pyramid[pyramid["sex"] == sex].set_index("age_band").reindex(bands)
        rows[sex] = own
        ax.barh(np.arange(len(bands)), sign * own["now"], height=0.82, color=HIGHLIGHT)
        ax.stairs(sign * own["projected"].to_numpy(dtype=float), edges, orientation="horizontal", baseline=None,
                  **PROJECTION_LINE)  # fmt: skip
        for yi in np.flatnonzero(own["projected"].isna().to_numpy()):
            hidden_any = True
            mark_suppressed(ax, (sign * 0.0, yi), dx=sign * 4)
    frame_pyramid(ax, bands, edges, np.nanmax(pyramid[["now", "projected"]].to_numpy(dtype=float)), "Einwohner:innen")
    handles = [
        patch_handle(HIGHLIGHT, f"{area_name} {launch_year}"),
        Line2D([], [], label=f"Prognose {target_year}", **PROJECTION_LINE),
    ]
    if hidden_any:
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=3.5, color="#222222",
                              label=f"Prognose {SUPPRESSED_LABEL}"))  # fmt: skip
    legend_below(fig, handles, narrow=narrow)

    def total(column: str) -> str:
        values = pd.concat([rows["m"][column], rows["w"][column]])
        return format_count(values.sum()) if values.notna().all() else ""

    now, projected = total("now"), total("projected")
    alt = (
        f"Altersaufbau von {area_name}: Einwohner:innen je Altersgruppe, Männer links, Frauen rechts, "
        f"{launch_year} als Balken und die Prognose für {target_year} als Linie. "
        f"Einwohner:innen {launch_year}: {now}"
        + (f"; Prognose {target_year}: {projected}." if projected else ".")
        + (f" Altersgruppen mit sehr kleinen Prognosezahlen ohne Linie ({SUPPRESSED_LABEL})." if hidden_any else "")
    )
    return Chart(fig, alt)


@styled
def projected_changes(
    changes: pd.DataFrame,
    target_year: int,
    highlight: tuple[str, ...] = (),
    highlight_label: str = "Fokusgebiet",
    narrow: bool = False,
) -> Chart:
    """The projected change (in %) of each age group in ``changes`` in all its areas, one panel per group, each
    ranked from the largest increase down, with the 80 % prediction interval; hidden changes last, with "•".

    ``changes``: ``code, name, group, change, change_lower, change_upper, hidden`` (`content.projection.changes`);
    ``highlight``: codes drawn in the highlight colour with bold names (e.g. the focus areas), named
    ``highlight_label`` in the legend. ``narrow`` stacks the panels for a phone."""
    groups = list(dict.fromkeys(changes["group"]))
    count = changes["code"].nunique()
    panel_height = 0.19 * count + 0.55
    if narrow:
        fig = Figure(figsize=(NARROW_WIDTH, len(groups) * panel_height + 0.9))
        axes = fig.subplots(len(groups), 1, squeeze=False)[:, 0]
    else:
        fig = Figure(figsize=(WIDTH, panel_height + 1.0))
        axes = fig.subplots(1, len(groups), squeeze=False)[0]
    low = np.nanmin(changes[["change", "change_lower"]].to_numpy(dtype=float), initial=0.0)
    high = np.nanmax(changes[["change", "change_upper"]].to_numpy(dtype=float), initial=0.0)
    pad = 0.08 * (high - low or 1.0)
    alt = [f"Voraussichtliche Veränderung bis {target_year} in {count} Gebieten, in Prozent, absteigend sortiert."]
    for ax, group in zip(axes, groups, strict=True):
        rows = changes[changes["group"] == group]
        rows = rows.assign(change=rows["change"].where(~rows["hidden"].astype(bool)))
        shown = rows[rows["change"].notna()].sort_values("change", ascending=False)
        hidden = rows[rows["change"].isna()].sort_values("name")
        rows = pd.concat([shown, hidden], ignore_index=True)
        y = np.arange(len(rows))
        is_highlight = rows["code"].astype(str).isin(highlight).to_numpy()
        colours = np.where(is_highlight, HIGHLIGHT, MUTED)[: len(shown)]
        ax.barh(y[: len(shown)], shown["change"], height=0.7, color=colours)
        limits = rows.dropna(subset=["change", "change_lower", "change_upper"])
        ax.errorbar(
            limits["change"], limits.index, fmt="none", ecolor="#333333", elinewidth=0.7, capsize=1.8,
            xerr=[(limits["change"] - limits["change_lower"]).clip(lower=0),
                  (limits["change_upper"] - limits["change"]).clip(lower=0)],
        )  # fmt: skip
        for yi in y[len(shown):]:
            mark_suppressed(ax, (0, yi))
        ax.axvline(0, color="#555555", linewidth=0.6)
        ax.set_xlim(low - pad, high + pad)
        ax.set_yticks(y, rows["name"], fontsize=TABLE_FONTSIZE)
        for label, bold in zip(ax.get_yticklabels(), is_highlight, strict=True):
            label.set_fontweight("bold" if bold else "normal")
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.xaxis.set_major_formatter(GermanFormatter())
        ax.set_xlabel(f"{group}: Veränderung in %")
        ax.grid(axis="x")
        values = [SUPPRESSED_LABEL if pd.isna(v) else _signed_percent(v) for v in rows["change"]]
        text_columns(ax, y, [(f"bis {target_year}", values)])
        if len(shown):
            top, bottom = shown.iloc[0], shown.iloc[-1]
            alt.append(
                f"{group}: am stärksten in {top['name']} ({_signed_percent(top['change'])}), am wenigsten in "
                f"{bottom['name']} ({_signed_percent(bottom['change'])})."
            )
        for row in rows[is_highlight].itertuples():
            alt.append(f"{row.name}: {SUPPRESSED_LABEL if pd.isna(row.change) else _signed_percent(row.change)}.")
        if len(hidden):
            alt.append(f"{group}, wegen kleiner Zahlen {SUPPRESSED_LABEL}: {', '.join(hidden['name'])}.")
    ci_handle = Line2D([], [], color="#333333", linewidth=0.7, marker="|", markersize=5, label=INTERVAL_LABEL)
    handles = [patch_handle(HIGHLIGHT, highlight_label)] if len(highlight) else []
    legend_below(fig, [*handles, patch_handle(MUTED, "Gebiete"), ci_handle], narrow=narrow)
    return Chart(fig, " ".join(alt))
