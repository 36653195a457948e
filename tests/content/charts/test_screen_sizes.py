"""Charts on screens (quartiersprofile.content.charts): the phone variant of every row and time chart, the smallest
text a figure draws (it sets the size of the picture on screen), axis labels that fit the figure, map labels large
enough for a phone."""

import io
import json

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image
from support import chart_tables

from quartiersprofile.content import charts
from quartiersprofile.content.charts import style
from quartiersprofile.content.charts.maps import MAP_FONTSIZE


def drawn_sizes(figure) -> list[float]:
    """The font size in points of every text the figure really draws (an Agg draw that records them)."""
    canvas = FigureCanvasAgg(figure)
    renderer = canvas.get_renderer()
    sizes, draw_text = [], renderer.draw_text

    def record(gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if s.strip():
            sizes.append(prop.get_size_in_points())
        return draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    renderer.draw_text = record
    figure.draw(renderer)
    return sizes


def labels(chart_figure) -> list[str]:
    return json.loads(Image.open(io.BytesIO(charts.drawn_png(chart_figure))).info["Labels"])


@pytest.fixture(scope="module")
def made():
    """Each chart with a phone variant, made from the small test tables."""
    return {
        "district_bars": charts.district_bars(chart_tables.bars_table(), "134", 18.0, "SGB-II-Quote", "%"),
        "trend_chart": charts.trend_chart(chart_tables.trend_series(), "SGB-II-Quote", "%", "Goethestraße"),
        "spine_chart": charts.spine_chart(chart_tables.spine_rows()),
        "population_pyramid": charts.population_pyramid(chart_tables.pyramid(), "Goethestraße"),
    }


def test_row_and_time_charts_have_a_phone_variant_of_the_same_chart(made):
    for name, chart in made.items():
        assert chart.narrow is not None, name
        narrow = chart.narrow()
        width, _ = narrow.figure.get_size_inches()
        assert width == pytest.approx(style.NARROW_WIDTH), name
        assert narrow.alt_text == chart.alt_text, name
        assert narrow.narrow is None, name
        assert style.smallest_text_size(narrow.figure) >= style.TABLE_FONTSIZE, name


def test_the_phone_variant_shows_the_same_numbers(made):
    # Every value text of the wide chart (not the axis scale) is also drawn in the narrow one.
    for name in ("district_bars", "spine_chart"):
        chart = made[name]
        wide, narrow = labels(chart.figure), labels(chart.narrow().figure)
        numbers = {label for label in wide if any(ch.isdigit() for ch in label)}
        scale = set(json.loads(Image.open(io.BytesIO(charts.drawn_png(chart.figure))).info["TickLabels"]))
        assert numbers - scale <= set(narrow), name


def test_smallest_text_size_is_the_smallest_text_drawn(made):
    for name, chart in made.items():
        for figure in (chart.figure, chart.narrow().figure):
            assert style.smallest_text_size(figure) == pytest.approx(min(drawn_sizes(figure))), name
    tile_map = charts.tile_map(chart_tables.ortsteile(), "134")  # its axes are hidden: their ticks do not count
    assert style.smallest_text_size(tile_map.figure) == pytest.approx(min(drawn_sizes(tile_map.figure)))


def test_no_chart_text_is_smaller_than_the_row_charts_labels(made):
    charts_drawn = [*made.values(), charts.tile_map(chart_tables.ortsteile(), "134")]
    for chart in charts_drawn:
        assert style.smallest_text_size(chart.figure) >= style.TABLE_FONTSIZE
    assert MAP_FONTSIZE >= style.TABLE_FONTSIZE


def test_wrap_to_width_breaks_between_words_and_after_hyphens():
    wrapped = style.wrap_to_width("Kinderarmut (SGB-II-Quote unter 15 Jahren) (%)", 80, 8.5)
    lines = wrapped.split("\n")
    assert len(lines) > 1
    assert all(style.text_width(line, 8.5) <= 80 for line in lines)
    assert wrapped.replace("\n", " ").replace("- ", "-") == "Kinderarmut (SGB-II-Quote unter 15 Jahren) (%)"
    assert style.wrap_to_width("Kinder- und Jugendärzt:innen", 1000, 8.5) == "Kinder- und Jugendärzt:innen"


@pytest.mark.parametrize("narrow", [False, True])
def test_a_long_axis_label_of_a_trend_stays_inside_the_figure(narrow):
    chart = charts.trend_chart(
        chart_tables.trend_series(), "Kinder- und Jugendärzt:innen je 10.000 Kinder", "je 10.000 Einw. unter 15 Jahren",
        "Goethestraße", narrow=narrow,
    )  # fmt: skip
    figure = chart.figure
    renderer = FigureCanvasAgg(figure).get_renderer()
    label = figure.axes[0].yaxis.label.get_window_extent(renderer)
    box = figure.bbox
    assert box.y0 <= label.y0 and label.y1 <= box.y1 and box.x0 <= label.x0


def test_the_narrow_spine_chart_puts_the_names_above_the_bars():
    rows = chart_tables.spine_rows()
    figure = charts.spine_chart(rows, narrow=True).figure
    ax = figure.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == []
    names = [t for t in ax.texts if t.get_text() in set(rows["name"])]
    assert len(names) == len(rows)
    renderer = FigureCanvasAgg(figure).get_renderer()
    for text in names:
        extent = text.get_window_extent(renderer)
        assert figure.bbox.x0 <= extent.x0 and extent.x1 <= figure.bbox.x1


def test_a_value_map_is_as_wide_as_the_location_map():
    ortsteile = chart_tables.ortsteile()
    values = ortsteile.set_index("code")["name"].str.len().astype(float).rename("Länge (Zeichen)")
    location = charts.tile_map(ortsteile, "134")
    value_map = charts.tile_map(ortsteile, "134", values=values)
    assert value_map.figure.get_size_inches()[0] == pytest.approx(location.figure.get_size_inches()[0])
