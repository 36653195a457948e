"""Population charts: the age pyramid against the city, age groups, the development of the population."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ...model.age_bands import age_group_label, bands_of_group
from ...model.periods import label as period_label
from ..text import (
    format_count,
    format_number,
    format_value,
)
from .style import (
    CITY_LINE,
    CITY_NAME,
    DISTRICT_LINE,
    HIGHLIGHT,
    MUTED,
    NARROW_WIDTH,
    TABLE_FONTSIZE,
    WIDTH,
    Chart,
    GermanFormatter,
    age_start,
    city_handle,
    district_handle,
    legend_below,
    patch_handle,
    period_axis,
    styled,
)

# --- population ---------------------------------------------------------------------------------------


@styled
def population_pyramid(pyramid: pd.DataFrame, district_name: str, narrow: bool = False) -> Chart:
    """Age pyramid of the district (bars, men left, women right) with the city as a step outline.

    ``pyramid``: ``age_band, sex ("w"/"m"), district_share, city_share`` in percent of the total population.
    ``narrow`` draws the phone variant.
    """
    bands = sorted(pyramid["age_band"].unique(), key=age_start)
    edges = np.arange(len(bands) + 1) - 0.5
    fig = Figure(figsize=(NARROW_WIDTH, 4.2) if narrow else (WIDTH, 4.0))
    ax = fig.subplots()
    shares = {}
    for sex, sign in (("m", -1), ("w", 1)):
        rows = pyramid[pyramid["sex"] == sex].set_index("age_band").reindex(bands)
        shares[sex] = rows
        ax.barh(np.arange(len(bands)), sign * rows["district_share"], height=0.82, color=HIGHLIGHT)
        ax.stairs(
            sign * rows["city_share"].to_numpy(), edges, orientation="horizontal", baseline=None, **CITY_LINE
        )
    largest = np.nanmax(pyramid[["district_share", "city_share"]].to_numpy())
    frame_pyramid(ax, bands, edges, largest, "Anteil an der Bevölkerung in %")
    legend_below(fig, [patch_handle(HIGHLIGHT, district_name), city_handle()])

    young, old = list(bands_of_group(0, 19)), list(bands_of_group(65, None))

    def share(column: str, group: list[str]) -> str:
        total = sum(shares[sex].loc[group, column].sum(min_count=1) for sex in shares)
        return format_value(total, "%")

    alt = (
        f"Bevölkerungspyramide {district_name}: Anteile der Altersgruppen von Männern (links) und Frauen "
        f"(rechts) an der Bevölkerung, im Vergleich zu {CITY_NAME} (gestrichelte Linie). "
        f"Altersgruppe {age_group_label(0, 19)}: {share('district_share', young)} "
        f"({CITY_NAME} {share('city_share', young)}); Altersgruppe {age_group_label(65, None)}: "
        f"{share('district_share', old)} ({CITY_NAME} {share('city_share', old)})."
    )
    return Chart(fig, alt)


@styled
def age_groups(groups: pd.DataFrame, district_name: str, narrow: bool = False) -> Chart:
    """Grouped horizontal bars: share of each age group in the district and the city, with value labels.

    ``groups``: ``group, district_share, city_share`` (percent), in display order from the top. ``narrow`` draws
    the phone variant.
    """
    y = np.arange(len(groups))
    fig = Figure(figsize=(NARROW_WIDTH if narrow else WIDTH, 0.55 * len(groups) + 0.8))
    ax = fig.subplots()
    for offset, column, color in ((-0.2, "district_share", HIGHLIGHT), (0.2, "city_share", MUTED)):
        bars = ax.barh(y + offset, groups[column], height=0.38, color=color)
        ax.bar_label(
            bars, labels=[format_value(v, "%") for v in groups[column]], padding=3, fontsize=TABLE_FONTSIZE
        )
    ax.set_yticks(y, groups["group"])
    ax.invert_yaxis()
    ax.set_xlim(0, 1.15 * np.nanmax(groups[["district_share", "city_share"]].to_numpy()))
    ax.xaxis.set_major_formatter(GermanFormatter())
    ax.set_xlabel("Anteil an der Bevölkerung in %")
    ax.grid(axis="x")
    legend_below(fig, [patch_handle(HIGHLIGHT, district_name), patch_handle(MUTED, CITY_NAME)])
    parts = "; ".join(
        f"{group}: {format_value(district, '%')} ({CITY_NAME} {format_value(city, '%')})"
        for group, district, city in zip(
            groups["group"], groups["district_share"], groups["city_share"], strict=True
        )
    )
    return Chart(
        fig,
        f"Altersgruppen in {district_name} im Vergleich zu {CITY_NAME}, Anteil an der Bevölkerung: {parts}.",
    )


@styled
def population_development(series: pd.DataFrame, district_name: str, narrow: bool = False) -> Chart:
    """Population of district and city as an index (first period = 100).

    ``series``: ``period, district_population, city_population``. ``narrow`` draws the phone variant.
    """
    series = series.sort_values("period").reset_index(drop=True)
    index = {
        column: 100 * series[column] / series[column].iloc[0]
        for column in ("district_population", "city_population")
    }
    x = np.arange(len(series))
    fig = Figure(figsize=(NARROW_WIDTH if narrow else WIDTH, 3.0))
    ax = fig.subplots()
    ax.axhline(100, color="#999999", linewidth=0.6)
    ax.plot(x, index["district_population"], **DISTRICT_LINE)
    ax.plot(x, index["city_population"], **CITY_LINE)
    period_axis(ax, series["period"].tolist(), most=6 if narrow else 12)
    ax.yaxis.set_major_formatter(GermanFormatter())
    ax.set_ylabel("Index (erstes Jahr = 100)")
    ax.grid(axis="y")
    legend_below(fig, [district_handle(district_name), city_handle()])
    first, last = series.iloc[0], series.iloc[-1]
    first_label, last_label = period_label(first["period"]), period_label(last["period"])
    alt = (
        f"Entwicklung der Einwohnerzahl von {district_name} und {CITY_NAME} von {first_label} bis "
        f"{last_label} als Index (erstes Jahr = 100). {last_label}: {district_name} "
        f"{format_number(index['district_population'].iloc[-1])}, {CITY_NAME} "
        f"{format_number(index['city_population'].iloc[-1])}. Einwohner {district_name}: "
        f"{format_count(first['district_population'])} ({first_label}), "
        f"{format_count(last['district_population'])} ({last_label})."
    )
    return Chart(fig, alt)


def frame_pyramid(ax, bands, edges, largest: float, x_label: str) -> None:
    """The frame of an age pyramid: men left and women right of a centre line symmetric about the `largest`
    value, the age bands as rows from `edges[0]` to `edges[-1]`, the axis labels and the two sexes' headings."""
    limit = 1.12 * largest
    ax.set_xlim(-limit, limit)
    ax.set_ylim(edges[0], edges[-1])
    ax.axvline(0, color="#555555", linewidth=0.6)
    ax.set_yticks(np.arange(len(bands)), [band.replace("-", "–") for band in bands], fontsize=TABLE_FONTSIZE)
    ax.set_ylabel("Alter in Jahren")
    ax.xaxis.set_major_formatter(GermanFormatter(absolute=True))
    ax.set_xlabel(x_label)
    ax.grid(axis="x")
    for x, label in ((0.25, "Männer"), (0.75, "Frauen")):
        ax.text(x, 1.0, label, transform=ax.transAxes, ha="center", va="bottom", fontweight="bold")
