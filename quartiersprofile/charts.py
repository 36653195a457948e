"""Charts for the profiles: each function takes a tidy table and returns a `Chart` (figure + German alt text).

Figures are plain `matplotlib.figure.Figure` objects, never registered with pyplot, so no global state
passes from one chart (or district) to the next. Every chart is drawn inside ``matplotlib.rc_context(STYLE)``
and then frozen (layout and ticks fixed), so it looks the same wherever and however often it is rendered.
Numbers on axes, labels and in alt text are German (see `quartiersprofile.text`); suppressed values are never
drawn or written as numbers: they appear as "•" with the word "unterdrückt".
"""

import base64
import functools
import html
import json
import math
import re
import struct
import textwrap
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize, to_rgb
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Patch, PathPatch, Polygon
from matplotlib.path import Path
from matplotlib.textpath import TextToPath

from quartiersprofile.text import (
    CLASSIFICATION_LABELS,
    decimals_for,
    format_count,
    format_interval,
    format_number,
    format_period,
    format_value,
    hyphenator,
    parse_period,
)

WIDTH = 6.3  # inches: A4 text width (16 cm)
PNG_DPI = 200  # print quality; 100 dpi looks soft on paper
CSS_DPI = 96

STYLE = {
    "font.family": ["Open Sans", "DejaVu Sans"],
    "font.size": 9,
    "axes.labelsize": 8.5,
    "axes.titlesize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#555555",
    "axes.labelcolor": "#222222",
    "axes.linewidth": 0.6,
    "axes.axisbelow": True,
    "axes.grid": False,
    "grid.color": "#E3E3E3",
    "grid.linewidth": 0.6,
    "xtick.color": "#555555",
    "ytick.color": "#555555",
    "xtick.labelcolor": "#222222",
    "ytick.labelcolor": "#222222",
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "figure.dpi": PNG_DPI,  # lay out at the output resolution: text widths differ slightly between dpi
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "savefig.bbox": "standard",  # never "tight": the HTML width/height come from the figure size
    "figure.constrained_layout.use": True,
    "svg.hashsalt": "quartiersprofile",
    "pdf.fonttype": 42,
}

# Significance palette (Okabe-Ito based, colour-blind safe); always shown with a legend and text labels.
PALETTE = {
    "better": "#0072B2",
    "similar": "#BBBBBB",
    "worse": "#D55E00",
    "higher": "#762A83",
    "lower": "#C2A5CF",
    "not compared": "#FFFFFF",
}
MARKER_EDGE = "#555555"
HIGHLIGHT = "#009E73"  # the district of the profile (Okabe-Ito bluish green, distinct from the palette)
MUTED = "#C8C8C8"  # all other areas
TILE_GREY = "#E6E6E6"
RANGE_LIGHT = "#E4E4E4"
RANGE_DARK = "#ABABAB"
WESER_BLUE = "#D4E5F2"
SEQUENTIAL_CMAP = "cividis"  # colour-blind safe sequential scale for value maps
CITY_NAME = "Bremerhaven"
CITY_LINE = {"color": "black", "linestyle": (0, (4, 2)), "linewidth": 1.0}
DISTRICT_LINE = {"color": HIGHLIGHT, "linewidth": 1.8, "marker": "o", "markersize": 3.5}
SUPPRESSED_MARK = "•"
SUPPRESSED_LABEL = "unterdrückt"
CI_LABEL = "Konfidenzintervall"

# Schematic tile grid of the 24 Ortsteile, (column west->east, row north->south); the Weser runs west of
# column 1. North: Weddewarden, Leherheide, Lehe; centre: Mitte, Geestemünde with Schiffdorferdamm to the
# east; south: Surheide, Wulsdorf, Fischereihafen and Luneplate.
TILE_GRID = {
    "111": (1, 0), "121": (2, 0),
    "123": (2, 1), "122": (3, 1),
    "135": (1, 2), "131": (2, 2), "132": (3, 2), "137": (4, 2),
    "134": (1, 3), "133": (2, 3), "136": (3, 3),
    "142": (1, 4),
    "141": (1, 5), "211": (2, 5), "214": (3, 5), "221": (4, 5),
    "213": (1, 6), "212": (2, 6), "215": (3, 6),
    "251": (1, 7), "241": (2, 7), "231": (3, 7),
    "252": (1, 8), "242": (2, 8),
}  # fmt: skip
TILE_SIZE = 0.88  # of one grid cell
TILE_INCHES = 0.62  # grid cell size on paper
MAP_FONTSIZE = 6

TABLE_FONTSIZE = 7.5  # tick labels and text columns of the row charts
COLUMN_GAP = 9.0  # points between text columns

_TEXT_PATHS = TextToPath()


# rcParams that choose and shape the glyphs of a text besides its FontProperties: part of the metric keys
_GLYPH_RC = (
    "font.family", "font.serif", "font.sans-serif", "font.cursive", "font.fantasy", "font.monospace",
    "font.enable_last_resort", "text.hinting", "text.hinting_factor", "text.kerning_factor",
)  # fmt: skip
_METRICS_CACHE_SIZE = 8192
_text_metrics: dict = {}


def _glyph_rc() -> tuple:
    return tuple(str(matplotlib.rcParams.get(key)) for key in _GLYPH_RC)


class _ChartRenderer(RendererAgg):
    """`RendererAgg` whose text measurements are shared by all figures of the process.

    matplotlib caches text metrics per renderer, i.e. per figure: the names, numbers and headers that recur in
    every chart (and every profile of a build) would be measured with FreeType again each time. The results
    are the same numbers: they depend only on the text, its font properties, the dpi and the glyph rcParams,
    which form the key.
    """

    def get_text_width_height_descent(self, s, prop, ismath):
        if ismath is not False:  # mathtext and TeX as usual
            return super().get_text_width_height_descent(s, prop, ismath)
        key = (s, prop.copy(), self.dpi, _glyph_rc())
        metrics = _text_metrics.get(key)
        if metrics is None:
            if len(_text_metrics) >= _METRICS_CACHE_SIZE:
                _text_metrics.clear()
            metrics = _text_metrics[key] = super().get_text_width_height_descent(s, prop, ismath)
        return metrics


class _ChartCanvas(FigureCanvasAgg):
    """The Agg canvas charts are laid out on and drawn by: its renderer shares text measurements with all
    other charts."""

    def get_renderer(self):
        renderer = super().get_renderer()
        if type(renderer) is RendererAgg:
            renderer.__class__ = _ChartRenderer  # the same renderer, with the shared measurements
        return renderer


class Chart(NamedTuple):
    """A figure with its German alternative text (what it shows and its key numbers)."""

    figure: Figure
    alt_text: str


class GermanFormatter(ticker.Formatter):
    """Tick labels in German number format with as few decimals as the ticks need ("2,5", "1.000")."""

    def __init__(self, absolute: bool = False):
        self.absolute = absolute
        self.decimals = 0

    def set_locs(self, locs):
        super().set_locs(locs)
        finite = [loc for loc in locs if math.isfinite(loc)]
        self.decimals = next((d for d in range(4) if all(abs(round(x, d) - x) < 1e-9 for x in finite)), 4)

    def __call__(self, x, pos=None):
        return format_number(abs(x) if self.absolute else x, self.decimals)


def _styled(chart_function):
    """Run a chart function inside the project style, then lay the figure out once and freeze it.

    Freezing makes every later render (HTML, notebook display, any rcParams) draw the same picture:
    ticks are created and placed here inside the style, and constrained layout cannot drift between renders.
    """

    @functools.wraps(chart_function)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(STYLE):
            chart = chart_function(*args, **kwargs)
            # Tick count depends on rcParams and the axes' size at draw time: keep today's ticks, chosen before
            # the layout, so that the layout makes room for exactly the tick labels that are drawn (chosen
            # after it, "22,5" could replace "22" and push the axis label out of the picture).
            for ax in chart.figure.axes:
                for axis in (ax.xaxis, ax.yaxis):
                    axis.set_major_locator(ticker.FixedLocator(axis.get_majorticklocs()))
            layout = chart.figure.get_layout_engine()
            if layout is not None:  # the layout alone: drawing everything once more would only cost time
                canvas = chart.figure.canvas
                _ChartCanvas(chart.figure)  # measures the texts with the metrics shared by all charts
                try:
                    layout.execute(chart.figure)
                finally:
                    chart.figure.set_canvas(canvas)
        chart.figure.set_layout_engine("none")
        return chart

    return wrapper


def _unsuppressed(table: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Copy of the table with the value columns blanked (NaN) in suppressed rows: never drawn or written."""
    table = table.assign(suppressed=table["suppressed"].eq(True))
    table.loc[table["suppressed"], list(columns)] = np.nan
    return table


def _legend(fig: Figure, handles: list, ncols: int | None = None) -> None:
    """One legend below the plot: one row for up to four entries, else two rows."""
    ncols = ncols or (len(handles) if len(handles) <= 4 else math.ceil(len(handles) / 2))
    fig.legend(handles=handles, loc="outside lower center", ncols=ncols, handlelength=1.8)


def _patch(color: str, label: str, edgecolor: str = "none") -> Patch:
    return Patch(facecolor=color, edgecolor=edgecolor, linewidth=0.6, label=label)


def _marker(color: str, label: str) -> Line2D:
    return Line2D(
        [],
        [],
        linestyle="none",
        marker="o",
        markersize=6,
        markerfacecolor=color,
        markeredgecolor=MARKER_EDGE,
        markeredgewidth=0.6,
        label=label,
    )


def _city_handle() -> Line2D:
    return Line2D([], [], label=CITY_NAME, **CITY_LINE)


def _district_handle(district_name: str) -> Line2D:
    return Line2D([], [], label=district_name, **DISTRICT_LINE)


def _suppressed_handle() -> Line2D:
    return Line2D(
        [], [], linestyle="none", marker="o", markersize=3.5, color="#222222", label=SUPPRESSED_LABEL
    )


def _optional_handles(ci_handle, with_ci: bool, city_value: float, suppressed: pd.Series) -> list:
    """Legend entries for what a chart may or may not contain: CIs, the city, suppressed values."""
    handles = [ci_handle] if with_ci else []
    handles += [] if pd.isna(city_value) else [_city_handle()]
    return handles + ([_suppressed_handle()] if suppressed.any() else [])


def _axis_label(indicator_name: str, unit: str) -> str:
    return f"{indicator_name} ({unit})" if unit else indicator_name


@functools.lru_cache(maxsize=4096)
def _text_width(text: str, fontsize: float, weight: str = "normal") -> float:
    """Width of a single line of text in points, measured with the report font (cached: a pure function, and
    names, numbers and headers recur in every chart and profile)."""
    prop = FontProperties(family=STYLE["font.family"], size=fontsize, weight=weight)
    return _TEXT_PATHS.get_text_width_height_descent(text, prop, ismath=False)[0]


def _text_columns(ax, y: Sequence[float], columns: Sequence[tuple[str, Sequence[str]]]) -> None:
    """Right-aligned text columns right of the axes, like a table; each ``(header, texts)`` just as wide
    as its longest entry. Only the headers take part in the layout: the entries lie between the axes and their
    header's right edge, where the layout makes room anyway (measuring each of them cost ~0.1 s a profile)."""
    offset = 0.0
    for header, texts in columns:
        offset += COLUMN_GAP + max(
            [_text_width(header, TABLE_FONTSIZE, "bold")] + [_text_width(t, TABLE_FONTSIZE) for t in texts]
        )
        ax.annotate(
            header,
            xy=(1, 1),
            xycoords="axes fraction",
            xytext=(offset, 3),
            textcoords="offset points",
            ha="right",
            va="bottom",
            fontsize=TABLE_FONTSIZE,
            fontweight="bold",
        )
        for yi, text in zip(y, texts, strict=True):
            ax.annotate(
                text,
                xy=(1, yi),
                xycoords=("axes fraction", "data"),
                xytext=(offset, 0),
                textcoords="offset points",
                ha="right",
                va="center",
                fontsize=TABLE_FONTSIZE,
                in_layout=False,
            )


def _mark_suppressed(ax, xy: tuple[float, float], xycoords="data", dx: float = 3) -> None:
    """The "•" that stands in for a suppressed value: ``dx`` points right of ``xy``, or centred on it."""
    ax.annotate(
        SUPPRESSED_MARK,
        xy=xy,
        xycoords=xycoords,
        xytext=(dx, 0),
        textcoords="offset points",
        ha="left" if dx else "center",
        va="center",
        fontsize=11,
        color="#222222",
    )


def _period_axis(ax, periods: Sequence[str]) -> None:
    """German period labels on the x axis, at most 12; quarters as "Q3", with the year when it changes."""
    step = math.ceil(len(periods) / 12)
    positions = list(range(len(periods)))[::-1][::step][::-1]  # keep the latest period labelled
    labels, previous_year = [], None
    for i in positions:
        year, quarter = parse_period(periods[i])
        label = format_period(periods[i], abbreviated=True)
        if quarter is not None:
            quarter_label, year_label = label.rsplit(" ", 1)
            label = quarter_label if year == previous_year else f"{quarter_label}\n{year_label}"
        labels.append(label)
        previous_year = year
    ax.set_xticks(positions, labels)
    ax.set_xlim(-0.4, len(periods) - 0.6)


def _age_start(band: str) -> int:
    return int(re.match(r"\d+", band).group())


# --- population ---------------------------------------------------------------------------------------


@_styled
def population_pyramid(pyramid: pd.DataFrame, district_name: str) -> Chart:
    """Age pyramid of the district (bars, men left, women right) with the city as a step outline.

    ``pyramid``: ``age_band, sex ("w"/"m"), district_share, city_share`` in percent of the total population.
    """
    bands = sorted(pyramid["age_band"].unique(), key=_age_start)
    edges = np.arange(len(bands) + 1) - 0.5
    fig = Figure(figsize=(WIDTH, 4.0))
    ax = fig.subplots()
    shares = {}
    for sex, sign in (("m", -1), ("w", 1)):
        rows = pyramid[pyramid["sex"] == sex].set_index("age_band").reindex(bands)
        shares[sex] = rows
        ax.barh(np.arange(len(bands)), sign * rows["district_share"], height=0.82, color=HIGHLIGHT)
        ax.stairs(
            sign * rows["city_share"].to_numpy(), edges, orientation="horizontal", baseline=None, **CITY_LINE
        )
    limit = 1.12 * np.nanmax(pyramid[["district_share", "city_share"]].to_numpy())
    ax.set_xlim(-limit, limit)
    ax.set_ylim(edges[0], edges[-1])
    ax.axvline(0, color="#555555", linewidth=0.6)
    ax.set_yticks(np.arange(len(bands)), [band.replace("-", "–") for band in bands], fontsize=TABLE_FONTSIZE)
    ax.set_ylabel("Alter in Jahren")
    ax.xaxis.set_major_formatter(GermanFormatter(absolute=True))
    ax.set_xlabel("Anteil an der Bevölkerung in %")
    ax.grid(axis="x")
    for x, label in ((0.25, "Männer"), (0.75, "Frauen")):
        ax.text(x, 1.0, label, transform=ax.transAxes, ha="center", va="bottom", fontweight="bold")
    _legend(fig, [_patch(HIGHLIGHT, district_name), _city_handle()])

    young = [b for b in bands if _age_start(b) < 20]
    old = [b for b in bands if _age_start(b) >= 65]

    def share(column: str, group: list[str]) -> str:
        total = sum(shares[sex].loc[group, column].sum(min_count=1) for sex in shares)
        return format_value(total, "%")

    alt = (
        f"Bevölkerungspyramide {district_name}: Anteile der Altersgruppen von Männern (links) und Frauen "
        f"(rechts) an der Bevölkerung, im Vergleich zu {CITY_NAME} (gestrichelte Linie). "
        f"Unter 20 Jahre: {share('district_share', young)} ({CITY_NAME} {share('city_share', young)}); "
        f"65 Jahre und älter: {share('district_share', old)} ({CITY_NAME} {share('city_share', old)})."
    )
    return Chart(fig, alt)


@_styled
def age_groups(groups: pd.DataFrame, district_name: str) -> Chart:
    """Grouped horizontal bars: share of each age group in the district and the city, with value labels.

    ``groups``: ``group, district_share, city_share`` (percent), in display order from the top.
    """
    y = np.arange(len(groups))
    fig = Figure(figsize=(WIDTH, 0.55 * len(groups) + 0.8))
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
    _legend(fig, [_patch(HIGHLIGHT, district_name), _patch(MUTED, CITY_NAME)])
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


@_styled
def population_development(series: pd.DataFrame, district_name: str) -> Chart:
    """Population of district and city as an index (first period = 100).

    ``series``: ``period, district_population, city_population``.
    """
    series = series.sort_values("period").reset_index(drop=True)
    index = {
        column: 100 * series[column] / series[column].iloc[0]
        for column in ("district_population", "city_population")
    }
    x = np.arange(len(series))
    fig = Figure(figsize=(WIDTH, 3.0))
    ax = fig.subplots()
    ax.axhline(100, color="#999999", linewidth=0.6)
    ax.plot(x, index["district_population"], **DISTRICT_LINE)
    ax.plot(x, index["city_population"], **CITY_LINE)
    _period_axis(ax, series["period"].tolist())
    ax.yaxis.set_major_formatter(GermanFormatter())
    ax.set_ylabel("Index (erstes Jahr = 100)")
    ax.grid(axis="y")
    _legend(fig, [_district_handle(district_name), _city_handle()])
    first, last = series.iloc[0], series.iloc[-1]
    first_label, last_label = format_period(first["period"]), format_period(last["period"])
    alt = (
        f"Entwicklung der Einwohnerzahl von {district_name} und {CITY_NAME} von {first_label} bis "
        f"{last_label} als Index (erstes Jahr = 100). {last_label}: {district_name} "
        f"{format_number(index['district_population'].iloc[-1])}, {CITY_NAME} "
        f"{format_number(index['city_population'].iloc[-1])}. Einwohner {district_name}: "
        f"{format_count(first['district_population'])} ({first_label}), "
        f"{format_count(last['district_population'])} ({last_label})."
    )
    return Chart(fig, alt)


# --- indicators ---------------------------------------------------------------------------------------


@_styled
def district_bars(
    table: pd.DataFrame, highlight: str, city_value: float, indicator_name: str, unit: str
) -> Chart:
    """Areas compared on one indicator: bars sorted by value, CI whiskers, the city as a dashed line.

    ``table``: ``code, name, value, lower, upper, suppressed``. The ``highlight`` area (a code) is drawn in
    the highlight colour with a bold label; suppressed areas go to the bottom with "•".
    """
    table = _unsuppressed(table, ["value", "lower", "upper"])
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
        _mark_suppressed(ax, (0, yi))
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
    ax.set_xlabel(_axis_label(indicator_name, unit))
    ax.grid(axis="x")
    values = [
        SUPPRESSED_LABEL if s else format_number(v, decimals)
        for v, s in zip(rows["value"], rows["suppressed"], strict=True)
    ]
    _text_columns(ax, y, [("Wert", values)])
    ci_handle = Line2D([], [], color="#333333", linewidth=0.7, marker="|", markersize=5, label=CI_LABEL)
    handles = [_patch(HIGHLIGHT, name) for name in rows.loc[is_highlight, "name"]]
    handles.append(_patch(MUTED, "andere Gebiete"))
    _legend(fig, handles + _optional_handles(ci_handle, len(with_ci), city_value, rows["suppressed"]))

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


@_styled
def trend_chart(series: pd.DataFrame, indicator_name: str, unit: str, district_name: str) -> Chart:
    """District values over time with confidence band, and the city as a dashed line.

    ``series``: ``period, value, lower, upper, city_value, suppressed``; suppressed periods leave a gap in the
    line and get a "•" at the bottom of the plot.
    """
    series = _unsuppressed(series.sort_values("period").reset_index(drop=True), ["value", "lower", "upper"])
    x = np.arange(len(series))
    fig = Figure(figsize=(WIDTH, 2.5))
    ax = fig.subplots()
    ax.fill_between(x, series["lower"], series["upper"], color=HIGHLIGHT, alpha=0.2, linewidth=0)
    ax.plot(x, series["value"], **DISTRICT_LINE)
    ax.plot(x, series["city_value"], **CITY_LINE)
    for xi in x[series["suppressed"]]:
        _mark_suppressed(ax, (xi, 0.05), xycoords=("data", "axes fraction"), dx=0)
    _period_axis(ax, series["period"].tolist())
    ax.yaxis.set_major_formatter(GermanFormatter())
    ax.set_ylabel(textwrap.fill(_axis_label(indicator_name, unit), 34))  # vertical: keep within the axis
    ax.grid(axis="y")
    ci_handle = _patch(HIGHLIGHT + "33", CI_LABEL)  # the band's colour at alpha 0.2
    with_ci = series[["lower", "upper"]].notna().all(axis=1).any()
    handles = _optional_handles(ci_handle, with_ci, series["city_value"].max(), series["suppressed"])
    _legend(fig, [_district_handle(district_name), *handles])

    shown = series[series["value"].notna()]
    alt = [
        f"Zeitreihe {indicator_name} in {district_name} im Vergleich zu {CITY_NAME}, "
        f"{format_period(series['period'].iloc[0])} bis {format_period(series['period'].iloc[-1])}."
    ]
    if len(shown):
        first, last = shown.iloc[0], shown.iloc[-1]
        alt.append(
            f"{district_name}: {format_value(first['value'], unit)} ({format_period(first['period'])}), "
            f"zuletzt {format_value(last['value'], unit)} ({format_period(last['period'])})."
        )
    city = series.dropna(subset=["city_value"])
    if len(city):
        latest = city.iloc[-1]
        alt.append(
            f"{CITY_NAME} {format_period(latest['period'])}: {format_value(latest['city_value'], unit)}."
        )
    if series["suppressed"].any():
        periods = ", ".join(format_period(p) for p in series.loc[series["suppressed"], "period"])
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


@_styled
def spine_chart(rows: pd.DataFrame) -> Chart:
    """Fingertips-style spine chart: the district on every indicator relative to the city and all areas.

    ``rows``: ``name, value, city_value, minimum, q25, q75, maximum, classification, polarity, suppressed``,
    optional ``unit`` (sets the decimals of the value columns). Light bar = range of all areas, dark bar =
    middle 50 %, dashed centre line = city, circle = district coloured by its classification.
    """
    rows = _unsuppressed(rows.reset_index(drop=True), ["value"])
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
    _text_columns(ax, y, [("Quartier", value_texts), (CITY_NAME, city_texts), ("Vergleich", verdicts)])

    present = [c for c in PALETTE if (rows["classification"][drawn] == c).any()]
    handles = [_marker(PALETTE[c], CLASSIFICATION_LABELS[c]) for c in present] + [
        _patch(RANGE_LIGHT, "Spannweite der Gebiete"),
        _patch(RANGE_DARK, "mittlere 50 %"),
        _city_handle(),
    ]
    _legend(fig, handles, ncols=min(len(handles), 5))

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


# --- maps ---------------------------------------------------------------------------------------------


def _wrap_name(name: str, width: float, weight: str = "normal") -> str:
    """Break a place name into lines no wider than ``width`` points: after its own hyphens, else at the
    last German syllable break that fits and leaves four letters ("Fischerei-/hafen", not "...ha-/fen")."""

    def fits(text: str) -> bool:
        return _text_width(text, MAP_FONTSIZE, weight) <= width

    lines: list[str] = []
    for part in re.split(r"(?<=-)", name):
        if lines and fits(lines[-1] + part):
            lines[-1] += part
            continue
        while not fits(part):
            splits = [(head + "-", tail) for head, tail in hyphenator().iterate(part) if fits(head + "-")]
            if not splits:
                break
            head, part = next((split for split in splits if len(split[1].rstrip("-")) >= 4), splits[0])
            lines.append(head)
        lines.append(part)
    return "\n".join(lines)


def _tile_rings(codes: Iterable[str]) -> dict[str, list[np.ndarray]]:
    """Each Ortsteil's grid cell as a closed unit square (x = column, y = -row, so north is up)."""
    unknown = sorted(set(codes) - TILE_GRID.keys())
    if unknown:
        raise ValueError(
            f"Keine Kachelposition für Ortsteil(e) {', '.join(unknown)}; bekannt sind die Codes "
            f"{min(TILE_GRID)}–{max(TILE_GRID)}. Für andere Gebiete bitte eine GeoJSON-Datei übergeben."
        )
    square = np.array([(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5), (-0.5, -0.5)])
    return {code: [square + (TILE_GRID[code][0], -TILE_GRID[code][1])] for code in codes}


def _polygon_rings(geometry: dict) -> list:
    if geometry["type"] == "Polygon":
        return geometry["coordinates"]
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    raise ValueError(
        f"GeoJSON-Geometrie {geometry['type']!r} wird nicht unterstützt (nur Polygon, MultiPolygon)."
    )


def _geojson_rings(geojson: dict) -> dict[str, list[np.ndarray]]:
    """Each feature's rings keyed by its ``code`` property, longitude scaled by cos(latitude)."""
    rings = {
        str(feature["properties"]["code"]): [
            np.asarray(r, dtype=float) for r in _polygon_rings(feature["geometry"])
        ]
        for feature in geojson["features"]
    }
    latitudes = np.concatenate([ring[:, 1] for code_rings in rings.values() for ring in code_rings])
    scale = (math.cos(math.radians((latitudes.min() + latitudes.max()) / 2)), 1.0)
    return {code: [ring * scale for ring in code_rings] for code, code_rings in rings.items()}


def _label_point(rings: list[np.ndarray]) -> tuple[float, float]:
    """Centroid of the largest ring (shoelace formula)."""

    def area_and_centroid(ring: np.ndarray) -> tuple[float, np.ndarray]:
        x, y = ring[:-1, 0], ring[:-1, 1]
        cross = x * np.roll(y, -1) - np.roll(x, -1) * y
        area = cross.sum() / 2
        if area == 0:
            return 0.0, ring.mean(axis=0)
        return abs(area), np.array(
            [((x + np.roll(x, -1)) * cross).sum(), ((y + np.roll(y, -1)) * cross).sum()]
        ) / (6 * area)

    return tuple(max((area_and_centroid(ring) for ring in rings), key=lambda pair: pair[0])[1])


def _group_outlines(rings: dict[str, list[np.ndarray]], groups: dict[str, str]) -> LineCollection:
    """Outline of each group (Stadtteil): the ring edges not shared by two areas of the same group."""
    edges: Counter = Counter()
    for code, code_rings in rings.items():
        for ring in code_rings:
            points = [tuple(np.round(point, 9)) for point in ring]
            for a, b in zip(points[:-1], points[1:], strict=True):
                if a != b:
                    edges[groups.get(code), frozenset((a, b))] += 1
    segments = [sorted(edge) for edge in {edge for (_, edge), count in edges.items() if count == 1}]
    return LineCollection(segments, colors="#555555", linewidths=0.8, capstyle="round")


def _area_patch(rings: list[np.ndarray], schematic: bool) -> Patch:
    """A rounded tile inside the grid cell, or the real (multi)polygon with its holes."""
    if schematic:
        x, y = _label_point(rings)
        half = TILE_SIZE / 2
        return FancyBboxPatch(
            (x - half, y - half), TILE_SIZE, TILE_SIZE, boxstyle="round,pad=0,rounding_size=0.12"
        )
    return PathPatch(Path.make_compound_path(*(Path(ring, closed=True) for ring in rings)))


def _highlight_label(highlighted: list[str], ortsteile: pd.DataFrame) -> str:
    """Short legend label: the names of one or two Ortsteile, a whole Stadtteil, or their number."""
    chosen = ortsteile[ortsteile["code"].astype(str).isin(highlighted)]
    stadtteile = chosen["stadtteil_code"].unique()
    if len(highlighted) <= 2:
        return ", ".join(chosen["name"]) or ", ".join(highlighted)
    if len(stadtteile) == 1 and len(chosen) == (ortsteile["stadtteil_code"] == stadtteile[0]).sum():
        return f"Stadtteil {chosen['stadtteil_name'].iloc[0]}"
    return f"{len(highlighted)} ausgewählte Ortsteile"


def _draw_weser(ax) -> None:
    """The river as a band west of the tiles, widening to the north as the estuary does."""
    ax.add_patch(Polygon([(-0.75, 0.55), (0.45, 0.55), (0.45, -8.55), (0.0, -8.55)], facecolor=WESER_BLUE))
    ax.text(
        -0.05,
        -4.0,
        "Weser",
        rotation=90,
        ha="center",
        va="center",
        fontsize=8,
        fontstyle="italic",
        color="#2F5F8A",
    )


def _north_arrow(ax, x: float, y: float, length: float) -> None:
    ax.annotate(
        "N",
        xy=(x, y),
        xytext=(x, y - length),
        ha="center",
        va="top",
        fontsize=7,
        arrowprops={"arrowstyle": "-|>", "color": "#333333", "linewidth": 0.8},
    )


@_styled
def tile_map(
    ortsteile: pd.DataFrame,
    highlight: str | Iterable[str] | None,
    values: pd.Series | None = None,
    geojson: dict | None = None,
) -> Chart:
    """Map of the Ortsteile: a schematic tile map along the Weser, or real polygons from ``geojson``.

    ``ortsteile``: ``code, name, stadtteil_code, stadtteil_name``. ``highlight``: one code or several.
    ``values`` (Series by code, its name used as the scale label) colours the areas on a sequential scale with
    a colour bar; areas without a value stay white. ``geojson``: a FeatureCollection whose features carry the
    property ``code``; Stadtteil outlines are drawn where neighbouring polygons share their vertices.
    """
    codes = ortsteile["code"].astype(str)
    names = dict(zip(codes, ortsteile["name"], strict=True))
    stadtteile = dict(zip(codes, ortsteile["stadtteil_name"], strict=True))
    highlighted = sorted(
        {str(highlight)} if isinstance(highlight, str | int) else {str(c) for c in highlight or []}
    )
    if values is not None:
        values = pd.Series(values.to_numpy(dtype=float), index=values.index.astype(str), name=values.name)
    schematic = geojson is None
    rings = _tile_rings(codes) if schematic else _geojson_rings(geojson)

    fig = Figure(figsize=(5.4 * TILE_INCHES + (1.1 if values is not None else 0.3), 9.2 * TILE_INCHES + 0.7))
    ax = fig.subplots()
    ax.set_axis_off()
    ax.set_aspect("equal")
    if values is not None:
        norm = Normalize(values.min(), values.max())
        cmap = matplotlib.colormaps[SEQUENTIAL_CMAP]
    label_width = TILE_SIZE * TILE_INCHES * 72 - 2
    for code, code_rings in rings.items():
        chosen = code in highlighted
        if values is None:
            face, edge, linewidth = (HIGHLIGHT if chosen else TILE_GREY), "white", 0.6
        else:
            value = values.get(code, np.nan)
            face = "white" if pd.isna(value) else cmap(norm(value))
            edge, linewidth = ("black", 2.0) if chosen else ("#777777", 0.5)
        ax.add_patch(_area_patch(code_rings, schematic)).set(
            facecolor=face, edgecolor=edge, linewidth=linewidth
        )
        if schematic or chosen:
            weight = "bold" if chosen else "normal"
            dark = np.dot(to_rgb(face), (0.299, 0.587, 0.114)) < 0.5
            ax.text(
                *_label_point(code_rings),
                _wrap_name(names.get(code, code), label_width, weight),
                ha="center",
                va="center",
                fontsize=MAP_FONTSIZE,
                linespacing=1.05,
                fontweight=weight,
                color="white" if dark else "#222222",
            )
    ax.add_collection(_group_outlines(rings, {c: stadtteile.get(c, c) for c in rings}))
    if schematic:
        _draw_weser(ax)
        ax.set_xlim(-0.8, 4.6)
        ax.set_ylim(-8.6, 0.6)
        _north_arrow(ax, 4.2, 0.45, 0.9)
    else:
        ax.autoscale_view()
        (_, x_max), (y_min, y_max) = ax.get_xlim(), ax.get_ylim()
        _north_arrow(ax, x_max, y_max, 0.1 * (y_max - y_min))

    handles = [Line2D([], [], color="#555555", linewidth=0.8, label="Stadtteilgrenze")]
    if highlighted:
        label = _highlight_label(highlighted, ortsteile)
        handles.insert(0, _patch(HIGHLIGHT, label) if values is None else _patch("white", label, "black"))
    if values is not None and values.reindex(list(rings)).isna().any():
        handles.append(_patch("white", "kein Wert", "#777777"))
    _legend(fig, handles, ncols=1)
    if values is not None:
        bar = fig.colorbar(matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.45, aspect=18)
        bar.ax.yaxis.set_major_formatter(GermanFormatter())
        bar.set_label(str(values.name or ""))
        bar.outline.set_linewidth(0.5)

    alt = [
        "Schematische Karte der 24 Ortsteile Bremerhavens als Kacheln, von Weddewarden im Norden bis zur "
        "Luneplate im Süden, die Weser im Westen."
        if schematic
        else f"Karte der {len(rings)} Ortsteile Bremerhavens."
    ]
    if highlighted:
        alt.append(
            "Hervorgehoben: "
            + ", ".join(f"{names[c]} (Stadtteil {stadtteile[c]})" if c in names else c for c in highlighted)
            + "."
        )
    if values is not None and values.notna().any():
        low, high = values.idxmin(), values.idxmax()
        alt.append(
            f"Farbskala {values.name or 'Wert'}: von {format_number(values[low])} ({names.get(low, low)}) "
            f"bis {format_number(values[high])} ({names.get(high, high)})."
        )
    return Chart(fig, " ".join(alt))


# --- output -------------------------------------------------------------------------------------------


PNG_COMPRESS_LEVEL = 4  # zlib level: unfiltered rows at 4 are smaller than Pillow's default PNG and faster


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_bytes(rgba: np.ndarray, texts: dict[str, str], dpi: int) -> bytes:
    """An RGB PNG of the ``(height, width, 4)`` buffer (alpha dropped) with ``texts`` as tEXt chunks.

    RGB: the background is opaque white, and the PDF engine would split off an alpha channel per image. Rows
    are stored unfiltered (PNG filter 0): on the flat colours of a chart that compresses as well as adaptive
    filtering (Pillow's) at a fraction of the time. Chunks as Pillow writes them: IHDR, tEXt, pHYs, IDAT, IEND.
    """
    height, width = rgba.shape[:2]
    stride = 1 + 3 * width  # each row: its filter type byte (0), then RGB
    raw = np.zeros(height * stride, dtype=np.uint8)
    pixels = np.ndarray((height, width, 3), np.uint8, raw, offset=1, strides=(stride, 3, 1))  # a view of raw
    for channel in range(3):  # channel by channel: several times faster than one strided RGBA -> RGB copy
        pixels[..., channel] = rgba[..., channel]
    pixels_per_metre = int(dpi / 0.0254 + 0.5)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),
            *(_png_chunk(b"tEXt", f"{key}\0{text}".encode("latin-1")) for key, text in texts.items()),
            _png_chunk(b"pHYs", struct.pack(">IIB", pixels_per_metre, pixels_per_metre, 1)),
            _png_chunk(b"IDAT", zlib.compress(raw, PNG_COMPRESS_LEVEL)),
            _png_chunk(b"IEND", b""),
        ]
    )


def drawn_png(figure: Figure) -> bytes:
    """The figure drawn once as PNG bytes (200 dpi) that name every text they show.

    Two PNG text chunks hold ASCII JSON lists in draw order: ``Labels`` every drawn text (the lines of a
    multi-line text joined by a newline), ``TickLabels`` those of them that are axis tick labels (the scale,
    not data). The disclosure audit (`quartiersprofile.audit`) reads them back. No software or date metadata,
    so the bytes are deterministic.
    """
    drawn: list[list] = []  # per drawn Text: its (line, artist) pairs
    previous_canvas, previous_dpi = figure.canvas, figure.dpi
    canvas = _ChartCanvas(figure)
    figure.set_dpi(PNG_DPI)
    renderer = canvas.get_renderer()
    open_group, draw_text = renderer.open_group, renderer.draw_text

    def record_group(name, gid=None):
        if name == "text":  # `Text.draw` opens one group per drawn text, then draws it line by line
            drawn.append([])
        open_group(name, gid)

    def record_text(gc, x, y, s, prop, angle, ismath=False, mtext=None):
        drawn[-1].append((s, mtext))
        draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    renderer.open_group, renderer.draw_text = record_group, record_text
    try:
        with matplotlib.rc_context(STYLE):
            canvas.draw()
            ticks = {
                label
                for ax in figure.axes
                for axis in (ax.xaxis, ax.yaxis)
                for tick in axis.get_major_ticks() + axis.get_minor_ticks()
                for label in (tick.label1, tick.label2)
            }
            labels = ["\n".join(line for line, _ in lines) for lines in drawn if lines]
            tick_labels = ["\n".join(line for line, _ in lines) for lines in drawn if lines and lines[0][1] in ticks]
            texts = {"Labels": json.dumps(labels), "TickLabels": json.dumps(tick_labels)}
            png = _png_bytes(np.asarray(canvas.buffer_rgba()), texts, PNG_DPI)
    finally:
        figure.set_canvas(previous_canvas)
        figure.set_dpi(previous_dpi)
    return png


def chart_to_html(chart: Chart, caption: str) -> str:
    """The chart as an HTML ``<figure>`` with an embedded PNG (200 dpi, see `drawn_png`), alt text and caption.

    ``width``/``height`` are the figure size in CSS pixels (96 per inch) so the page layout does not jump while
    loading.
    """
    png = drawn_png(chart.figure)
    if chart.figure.canvas.manager is not None:  # made through pyplot (e.g. seaborn): release it there
        import matplotlib.pyplot as plt

        plt.close(chart.figure)
    width, height = (round(size * CSS_DPI) for size in chart.figure.get_size_inches())
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure class="chart"><img src="data:image/png;base64,{data}" alt="{html.escape(chart.alt_text)}" '
        f'width="{width}" height="{height}"><figcaption>{html.escape(caption)}</figcaption></figure>'
    )
