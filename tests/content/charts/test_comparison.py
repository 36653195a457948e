"""Charts that compare areas (quartiersprofile.content.charts.comparison): district bars, trend chart, spine chart.

The figures are inspected through their artists (bars, markers, texts), so the tests check what a reader sees:
which bar is highlighted, where the district's marker sits, that suppressed values never appear as numbers.
"""

import io
import json

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.colors import to_hex
from PIL import Image
from support import chart_tables
from support.chart_tables import NBSP, assert_never_shows_sentinel, bars, figure_texts, spine_row

from quartiersprofile.content import charts, text
from quartiersprofile.content.charts import style
from quartiersprofile.content.profile import Profile


@pytest.fixture
def bars_table():
    return chart_tables.bars_table()


@pytest.fixture
def trend_series():
    return chart_tables.trend_series()


@pytest.fixture
def spine_rows():
    return chart_tables.spine_rows()


def test_district_bars_sorted_with_the_district_highlighted(bars_table):
    chart = charts.district_bars(bars_table, "134", 18.0, "SGB-II-Quote", "%")
    ax = chart.figure.axes[0]
    drawn = sorted(bars(ax), key=lambda bar: bar.get_y())  # top row first (inverted y axis)
    assert [bar.get_width() for bar in drawn] == [31.25, 20.0, 12.5]
    assert [to_hex(bar.get_facecolor()) for bar in drawn] == [
        style.HIGHLIGHT.lower(), style.MUTED.lower(), style.MUTED.lower()]  # fmt: skip
    labels = ax.get_yticklabels()
    assert [label.get_text() for label in labels] == [
        "Goethestraße", "Klushof", "Speckenbüttel", "Luneplate", "Weddewarden"]  # fmt: skip
    assert labels[0].get_fontweight() == "bold" and labels[1].get_fontweight() == "normal"


def test_district_bars_city_line_whiskers_and_suppressed_rows(bars_table):
    chart = charts.district_bars(bars_table, "134", 18.0, "SGB-II-Quote", "%")
    ax = chart.figure.axes[0]
    city = [line for line in ax.get_lines() if list(line.get_xdata()) == [18.0, 18.0]]
    assert len(city) == 1 and city[0].get_linestyle() == "--"
    whiskers = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(whiskers[0].get_segments()) == 3
    texts = figure_texts(chart)
    assert texts.count("•") == 2 and texts.count("unterdrückt") == 3  # two rows and the legend
    assert "31,3" in texts  # value column, rounded half up
    assert_never_shows_sentinel(chart)


def test_district_bars_without_confidence_intervals_has_no_ci_legend(bars_table):
    chart = charts.district_bars(bars_table.assign(lower=np.nan, upper=np.nan), "134", np.nan, "Index", "")
    assert "Konfidenzintervall" not in figure_texts(chart) and "Bremerhaven" not in figure_texts(chart)
    assert "Konfidenzintervall" not in chart.alt_text


def test_district_bars_alt_text(bars_table):
    alt = charts.district_bars(bars_table, "134", 18.0, "SGB-II-Quote", "%").alt_text
    assert f"Goethestraße: 31,3{NBSP}% (Konfidenzintervall 28,0–34,5)" in alt
    assert f"Bremerhaven: 18,0{NBSP}%" in alt
    assert "unterdrückt: Luneplate, Weddewarden" in alt


def test_district_bars_height_grows_with_rows(bars_table):
    many = pd.concat(
        [bars_table.assign(code=bars_table["code"] + f"{i}") for i in range(5)], ignore_index=True
    )
    small = charts.district_bars(bars_table, "134", 18.0, "SGB-II-Quote", "%").figure
    large = charts.district_bars(many, "134", 18.0, "SGB-II-Quote", "%").figure
    assert large.get_figheight() - small.get_figheight() == pytest.approx(20 * 0.2)


def test_trend_chart_gap_band_and_city_line(trend_series):
    chart = charts.trend_chart(trend_series, "SGB-II-Quote", "%", "Goethestraße")
    ax = chart.figure.axes[0]
    district, city = (line for line in ax.get_lines() if len(line.get_xdata()) == 4)
    assert np.isnan(district.get_ydata()[1]) and district.get_ydata()[3] == 24.25
    assert list(city.get_ydata()) == [15.0, 15.5, 16.0, 16.5] and city.get_linestyle() == "--"
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 1
    assert figure_texts(chart).count("•") == 1 and "unterdrückt" in figure_texts(chart)
    assert f"zuletzt 24,3{NBSP}% (2024)" in chart.alt_text
    assert "unterdrückt: 2022" in chart.alt_text
    assert_never_shows_sentinel(chart)


def test_trend_chart_labels_quarters_in_german(trend_series):
    quarterly = trend_series.assign(period=["2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2"])
    chart = charts.trend_chart(quarterly, "Arbeitslosenanteil", "%", "Lehe")
    labels = [t.get_text() for t in chart.figure.axes[0].get_xticklabels()]
    assert labels == ["Q3\n2023", "Q4", "Q1\n2024", "Q2"]
    assert "(2. Quartal 2024)" in chart.alt_text


def test_spine_positions_against_hand_calculation(spine_rows):
    pos = charts.spine_positions(spine_rows)
    # Largest distance from the city (10) is 6 (to the minimum 4): x = 0.5 +- (v - 10) / 12.
    assert pos.loc[0, "value"] == pytest.approx(0.5 - 2 / 12)  # higher is worse: mirrored
    assert pos.loc[1, "value"] == pytest.approx(0.5 + 2 / 12)
    assert pos.loc[2, "value"] == pytest.approx(0.5 + 2 / 12)  # neutral: not mirrored
    assert pos.loc[0, "minimum"] == pytest.approx(1.0) and pos.loc[1, "minimum"] == pytest.approx(0.0)
    assert pos.loc[4, "value"] == pytest.approx(1.0)  # low value, higher is worse: best, right edge


def test_spine_chart_markers_flip_and_colour_by_classification(spine_rows):
    chart = charts.spine_chart(spine_rows)
    ax = chart.figure.axes[0]
    (markers,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    x = markers.get_offsets()[:, 0]
    assert len(x) == 4  # the suppressed row has no marker
    assert x[0] < 0.5 < x[1]  # same value above the city: worse on the left, better on the right
    assert x[2] > 0.5
    colours = [to_hex(c) for c in markers.get_facecolors()]
    assert colours == [charts.PALETTE[c].lower() for c in ("worse", "better", "higher", "better")]
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names == list(spine_rows["name"])


def test_spine_chart_texts_legend_and_alt_text(spine_rows):
    chart = charts.spine_chart(spine_rows)
    texts = figure_texts(chart)
    assert {"schlechter", "besser", "höher", "unterdrückt", "•", "Bremerhaven"} <= set(texts)
    assert {"mittlere 50 %", "Spannweite der Gebiete"} <= set(texts)
    assert "2 besser, 1 schlechter, 1 höher" in chart.alt_text
    assert "Schlechter: Vorzeitige Sterblichkeit 12,0 (Bremerhaven 10,0)" in chart.alt_text
    assert "1 wegen kleiner Fallzahlen unterdrückt" in chart.alt_text
    assert_never_shows_sentinel(chart)


def test_spine_chart_forty_rows_fit_on_an_a4_page():
    rows = pd.DataFrame([spine_row(f"Indikator {i}", 9.0, "neutral", "similar") for i in range(40)])
    figure = charts.spine_chart(rows).figure
    assert figure.get_figwidth() == pytest.approx(style.WIDTH)
    assert figure.get_figheight() <= 9.6  # A4 text height less heading


def test_spine_chart_prints_each_value_with_its_units_decimals_as_the_tables_do(bundled_tables):
    tables = bundled_tables
    rows = Profile(next(a for a in tables.areas if a.code == "212"), "2024", tables).spine_rows()
    chart = charts.spine_chart(rows)
    labels = json.loads(Image.open(io.BytesIO(charts.drawn_png(chart.figure))).info["Labels"])
    shown = rows[~rows["suppressed"]]
    printed = {text.format_number(v, text.decimals_for(u)) for v, u in zip(shown["value"], shown["unit"], strict=True)}
    assert printed <= set(labels)
    assert "Einw. je km²" in set(shown["unit"])  # density: a whole number, not "10.623,9"
