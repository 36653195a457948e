"""The one chart style (quartiersprofile.content.charts.style): German tick labels, charts frozen in the project
style whatever the global rcParams, the text columns beside row charts, no state left in pyplot."""

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from support import chart_tables

from quartiersprofile.content import charts
from quartiersprofile.content.charts import style


@pytest.fixture
def ortsteile():
    return chart_tables.ortsteile()


@pytest.fixture
def pyramid():
    return chart_tables.pyramid()


@pytest.fixture
def bars_table():
    return chart_tables.bars_table()


@pytest.fixture
def trend_series():
    return chart_tables.trend_series()


@pytest.fixture
def spine_rows():
    return chart_tables.spine_rows()


def test_german_formatter_uses_decimal_comma_and_thousands_point():
    formatter = style.GermanFormatter()
    formatter.set_locs([0, 0.5, 1.0, 1.5])
    assert [formatter(x) for x in (0, 0.5, 1.5)] == ["0,0", "0,5", "1,5"]
    formatter.set_locs([0, 1000, 2000])
    assert formatter(2000) == "2.000"
    mirrored = style.GermanFormatter(absolute=True)
    mirrored.set_locs([-2, 0, 2])
    assert mirrored(-2) == "2"


def test_charts_look_the_same_whatever_the_global_style(trend_series):
    chart = charts.trend_chart(trend_series, "SGB-II-Quote", "%", "Goethestraße")
    expected = charts.drawn_png(chart.figure)
    with matplotlib.rc_context({"font.size": 20, "ytick.labelsize": 20, "font.family": "serif"}):
        assert charts.drawn_png(chart.figure) == expected


def test_text_column_entries_lie_where_the_layout_already_makes_room(spine_rows):
    # The entries of the text columns take no part in the layout (it measures only the headers): that is only
    # right while each entry lies between the axes and its column's header, within the axes' height.
    figure = charts.spine_chart(spine_rows).figure
    renderer = FigureCanvasAgg(figure).get_renderer()
    ax = figure.axes[0]
    box = ax.get_window_extent(renderer)
    texts = [t for t in ax.texts if t.get_text()]
    headers = [t for t in texts if t.get_in_layout() and t.get_text() in ("Quartier", "Bremerhaven", "Vergleich")]
    entries = [t for t in texts if not t.get_in_layout()]
    assert len(headers) == 3 and len(entries) == 3 * len(spine_rows)
    right = max(h.get_window_extent(renderer).x1 for h in headers)
    for entry in entries:
        extent = entry.get_window_extent(renderer)
        assert box.x1 < extent.x0 and extent.x1 <= right + 0.01
        assert box.y0 <= extent.y0 and extent.y1 <= box.y1


def test_no_figures_are_left_in_pyplot(pyramid, ortsteile):
    charts.population_pyramid(pyramid, "Lehe")
    charts.tile_map(ortsteile, "134")
    assert plt.get_fignums() == []


def test_blank_suppressed_blanks_only_the_value_columns_of_suppressed_rows(bars_table):
    blanked = style.blank_suppressed(bars_table, ["value", "lower", "upper"])
    hidden = blanked["suppressed"]
    assert hidden.tolist() == [False, False, False, True, True]
    assert blanked.loc[hidden, ["value", "lower", "upper"]].isna().all().all()
    assert blanked.loc[~hidden, "value"].tolist() == [12.5, 31.25, 20.0]
    assert bars_table.loc[3, "value"] == chart_tables.SENTINEL  # the caller's table is not changed


def test_text_width_grows_with_the_text_and_the_weight():
    assert 0 < style.text_width("Lehe", 8) < style.text_width("Lehe Lehe", 8)
    assert style.text_width("Lehe", 8) < style.text_width("Lehe", 8, "bold")
    assert style.text_width("Lehe", 16) == pytest.approx(2 * style.text_width("Lehe", 8), rel=0.05)
