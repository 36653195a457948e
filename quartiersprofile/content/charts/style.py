"""Charts for the profiles: each function takes a tidy table and returns a `Chart` (figure + German alt text).

Figures are plain `matplotlib.figure.Figure` objects, never registered with pyplot, so no global state
passes from one chart (or district) to the next. Every chart is drawn inside ``matplotlib.rc_context(STYLE)``
and then frozen (layout and ticks fixed), so it looks the same wherever and however often it is rendered.
Numbers on axes, labels and in alt text are German (see `quartiersprofile.content.text`); suppressed values are never
drawn or written as numbers: they appear as "•" with the word "unterdrückt".
"""

import functools
import inspect
import math
import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.textpath import TextToPath

from ...model.periods import Period
from ..text import format_number

WIDTH = 6.3  # inches: A4 text width (16 cm)
#: inches: the text column of a 390 px phone (about 350 CSS px); a chart's narrow variant (`Chart.narrow`) is drawn
#: this wide, so that it is shown at about its natural size there and its 7.5 pt texts are 10 CSS px.
NARROW_WIDTH = 3.6
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
    "suppressed": "#FFFFFF",
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


TABLE_FONTSIZE = 7.5  # tick labels and text columns of the row charts
COLUMN_GAP = 9.0  # points between text columns

TEXT_PATHS = TextToPath()


# rcParams that choose and shape the glyphs of a text besides its FontProperties: part of the metric keys
GLYPH_RC = (
    "font.family", "font.serif", "font.sans-serif", "font.cursive", "font.fantasy", "font.monospace",
    "font.enable_last_resort", "text.hinting", "text.hinting_factor", "text.kerning_factor",
)  # fmt: skip
METRICS_CACHE_SIZE = 8192
text_metrics: dict = {}


def glyph_rc() -> tuple:
    return tuple(str(matplotlib.rcParams.get(key)) for key in GLYPH_RC)


class ChartRenderer(RendererAgg):
    """`RendererAgg` whose text measurements are shared by all figures of the process.

    matplotlib caches text metrics per renderer, i.e. per figure: the names, numbers and headers that recur in
    every chart (and every profile of a build) would be measured with FreeType again each time. The results
    are the same numbers: they depend only on the text, its font properties, the dpi and the glyph rcParams,
    which form the key.
    """

    def get_text_width_height_descent(self, s, prop, ismath):
        if ismath is not False:  # mathtext and TeX as usual
            return super().get_text_width_height_descent(s, prop, ismath)
        key = (s, prop.copy(), self.dpi, glyph_rc())
        metrics = text_metrics.get(key)
        if metrics is None:
            if len(text_metrics) >= METRICS_CACHE_SIZE:
                text_metrics.clear()
            metrics = text_metrics[key] = super().get_text_width_height_descent(s, prop, ismath)
        return metrics


class ChartCanvas(FigureCanvasAgg):
    """The Agg canvas charts are laid out on and drawn by: its renderer shares text measurements with all
    other charts."""

    def get_renderer(self):
        renderer = super().get_renderer()
        if type(renderer) is RendererAgg:
            renderer.__class__ = ChartRenderer  # the same renderer, with the shared measurements
        return renderer


class Chart(NamedTuple):
    """A figure with its German alternative text (what it shows and its key numbers).

    `narrow`, when the chart has one, draws the same chart for a phone's text column (`NARROW_WIDTH` wide; same
    numbers, same alt text): `publish.fragments.chart_to_html` shows it instead of `figure` on small screens.
    """

    figure: Figure
    alt_text: str
    narrow: Callable[[], "Chart"] | None = None


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


def styled(chart_function):
    """Run a chart function inside the project style, then lay the figure out once and freeze it.

    Freezing makes every later render (HTML, notebook display, any rcParams) draw the same picture:
    ticks are created and placed here inside the style, and constrained layout cannot drift between renders.

    A chart function with a keyword ``narrow`` draws its phone variant with ``narrow=True``; called without it,
    the chart it returns carries that variant as `Chart.narrow`, drawn only when asked for (the same arguments).
    """
    has_narrow_variant = "narrow" in inspect.signature(chart_function).parameters

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
                ChartCanvas(chart.figure)  # measures the texts with the metrics shared by all charts
                try:
                    layout.execute(chart.figure)
                finally:
                    chart.figure.set_canvas(canvas)
        chart.figure.set_layout_engine("none")
        if has_narrow_variant and not kwargs.get("narrow"):
            chart = chart._replace(narrow=functools.partial(wrapper, *args, **{**kwargs, "narrow": True}))
        return chart

    return wrapper


def smallest_text_size(figure: Figure) -> float:
    """The font size in points of the smallest text the figure draws (tick labels of hidden axes and empty texts
    do not count); `publish.fragments.chart_to_html` sizes the picture on screen by it."""
    hidden: set[Text] = set()
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if not (ax.get_visible() and ax.axison and axis.get_visible()):
                hidden.update(axis.findobj(Text))
    sizes = [
        text.get_fontsize()
        for text in figure.findobj(Text)
        if text not in hidden and text.get_visible() and text.get_text().strip()
    ]
    return min(sizes, default=float(STYLE["font.size"]))


def blank_suppressed(table: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Copy of the table with the value columns blanked (NaN) in suppressed rows: never drawn or written."""
    table = table.assign(suppressed=table["suppressed"].eq(True))
    table.loc[table["suppressed"], list(columns)] = np.nan
    return table


def legend_below(fig: Figure, handles: list, ncols: int | None = None, narrow: bool = False) -> None:
    """One legend below the plot: one row for up to four entries, else two rows; in a narrow chart two columns."""
    if narrow:
        ncols = ncols or min(len(handles), 2)
    ncols = ncols or (len(handles) if len(handles) <= 4 else math.ceil(len(handles) / 2))
    fig.legend(handles=handles, loc="outside lower center", ncols=ncols, handlelength=1.8)


def patch_handle(color: str, label: str, edgecolor: str = "none") -> Patch:
    return Patch(facecolor=color, edgecolor=edgecolor, linewidth=0.6, label=label)


def marker_handle(color: str, label: str) -> Line2D:
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


def city_handle() -> Line2D:
    return Line2D([], [], label=CITY_NAME, **CITY_LINE)


def district_handle(district_name: str) -> Line2D:
    return Line2D([], [], label=district_name, **DISTRICT_LINE)


def suppressed_handle() -> Line2D:
    return Line2D(
        [], [], linestyle="none", marker="o", markersize=3.5, color="#222222", label=SUPPRESSED_LABEL
    )


def optional_handles(ci_handle, with_ci: bool, city_value: float, suppressed: pd.Series) -> list:
    """Legend entries for what a chart may or may not contain: CIs, the city, suppressed values."""
    handles = [ci_handle] if with_ci else []
    handles += [] if pd.isna(city_value) else [city_handle()]
    return handles + ([suppressed_handle()] if suppressed.any() else [])


def axis_label(indicator_name: str, unit: str) -> str:
    return f"{indicator_name} ({unit})" if unit else indicator_name


def wrap_to_width(text: str, width: float, fontsize: float) -> str:
    """The text broken into lines no wider than ``width`` points: between words, else after a hyphen in a word
    ("SGB-II-/Quote"); a single part wider than the width stays whole."""
    lines: list[str] = []
    for word in text.split():
        for position, part in enumerate(re.split(r"(?<=-)(?=\w)", word)):
            joined = lines[-1] + ("" if position else " ") + part if lines else part
            if lines and text_width(joined, fontsize) <= width:
                lines[-1] = joined
            else:
                lines.append(part)
    return "\n".join(lines)


@functools.lru_cache(maxsize=4096)
def text_width(text: str, fontsize: float, weight: str = "normal") -> float:
    """Width of a single line of text in points, measured with the report font (cached: a pure function, and
    names, numbers and headers recur in every chart and profile)."""
    prop = FontProperties(family=STYLE["font.family"], size=fontsize, weight=weight)
    return TEXT_PATHS.get_text_width_height_descent(text, prop, ismath=False)[0]


def text_columns(
    ax, y: Sequence[float], columns: Sequence[tuple[str, Sequence[str]]], fontsize: float = TABLE_FONTSIZE
) -> float:
    """Right-aligned text columns right of the axes, like a table; each ``(header, texts)`` just as wide
    as its longest entry. Only the headers take part in the layout: the entries lie between the axes and their
    header's right edge, where the layout makes room anyway, so measuring them would be work without effect.
    `fontsize`: of headers and entries. Returns the distance in points from the axes' right edge to the right
    edge of the last column."""
    offset = 0.0
    for header, texts in columns:
        offset += COLUMN_GAP + max(
            [text_width(header, fontsize, "bold")] + [text_width(t, fontsize) for t in texts]
        )
        ax.annotate(
            header,
            xy=(1, 1),
            xycoords="axes fraction",
            xytext=(offset, 3),
            textcoords="offset points",
            ha="right",
            va="bottom",
            fontsize=fontsize,
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
                fontsize=fontsize,
                in_layout=False,
            )
    return offset


def mark_suppressed(ax, xy: tuple[float, float], xycoords="data", dx: float = 3) -> None:
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


def period_axis(ax, periods: Sequence[str], most: int = 12) -> None:
    """German period labels on the x axis, at most `most`; quarters as "Q3", with the year when it changes."""
    step = math.ceil(len(periods) / most)
    positions = list(range(len(periods)))[::-1][::step][::-1]  # keep the latest period labelled
    labels, previous_year = [], None
    for i in positions:
        period = Period.parse(periods[i])
        year, quarter = period.year, period.quarter
        label = period.label(abbreviated=True)
        if quarter is not None:
            quarter_label, year_label = label.rsplit(" ", 1)
            label = quarter_label if year == previous_year else f"{quarter_label}\n{year_label}"
        labels.append(label)
        previous_year = year
    ax.set_xticks(positions, labels)
    ax.set_xlim(-0.4, len(periods) - 0.6)


def age_start(band: str) -> int:
    return int(re.match(r"\d+", band).group())
