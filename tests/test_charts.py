"""Tests for quartiersprofile.charts: what each figure draws, its alt text, and the HTML embedding.

The figures are inspected through their artists (bars, markers, texts), so the tests check what a reader
sees: which bar is highlighted, where the district's marker sits, that suppressed values never appear as
numbers. Expected numbers are computed by hand from the small tables below.
"""

import base64
import io
import re

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.colors import to_hex
from matplotlib.patches import FancyBboxPatch, PathPatch, Rectangle
from matplotlib.text import Text
from PIL import Image

from quartiersprofile import charts

NBSP = "\u00a0"

ORTSTEILE = {
    "111": ("Weddewarden", "11", "Weddewarden"),
    "121": ("Königsheide", "12", "Leherheide"),
    "122": ("Fehrmoor", "12", "Leherheide"),
    "123": ("Leherheide-West", "12", "Leherheide"),
    "131": ("Speckenbüttel", "13", "Lehe"),
    "132": ("Eckernfeld", "13", "Lehe"),
    "133": ("Twischkamp", "13", "Lehe"),
    "134": ("Goethestraße", "13", "Lehe"),
    "135": ("Klushof", "13", "Lehe"),
    "136": ("Schierholz", "13", "Lehe"),
    "137": ("Buschkämpen", "13", "Lehe"),
    "141": ("Mitte-Süd", "14", "Mitte"),
    "142": ("Mitte-Nord", "14", "Mitte"),
    "211": ("Geestemünde-Nord", "21", "Geestemünde"),
    "212": ("Geestendorf", "21", "Geestemünde"),
    "213": ("Geestemünde-Süd", "21", "Geestemünde"),
    "214": ("Bürgerpark", "21", "Geestemünde"),
    "215": ("Grünhöfe", "21", "Geestemünde"),
    "221": ("Schiffdorferdamm", "22", "Schiffdorferdamm"),
    "231": ("Surheide", "23", "Surheide"),
    "241": ("Dreibergen", "24", "Wulsdorf"),
    "242": ("Jedutenberg", "24", "Wulsdorf"),
    "251": ("Fischereihafen", "25", "Fischereihafen"),
    "252": ("Luneplate", "25", "Fischereihafen"),
}
AGE_BANDS = [f"{a}-{a + 4}" for a in range(0, 90, 5)] + ["90+"]
SENTINEL = 99.87  # a value that must never be shown: it sits in suppressed rows


@pytest.fixture
def ortsteile():
    return pd.DataFrame(
        [(code, *rest) for code, rest in ORTSTEILE.items()],
        columns=["code", "name", "stadtteil_code", "stadtteil_name"],
    )


@pytest.fixture
def pyramid():
    rows = []
    for i, band in enumerate(AGE_BANDS):
        for sex, factor in (("m", 0.9), ("w", 1.1)):
            rows.append((band, sex, round(factor * (19 - i) / 19 * 5, 3), round(factor * 2.6, 3)))
    return pd.DataFrame(rows, columns=["age_band", "sex", "district_share", "city_share"])


@pytest.fixture
def bars_table():
    return pd.DataFrame(
        {
            "code": ["131", "134", "135", "252", "111"],
            "name": ["Speckenbüttel", "Goethestraße", "Klushof", "Luneplate", "Weddewarden"],
            "value": [12.5, 31.25, 20.0, SENTINEL, np.nan],
            "lower": [10.0, 28.0, 17.5, SENTINEL, np.nan],
            "upper": [15.0, 34.5, 22.5, SENTINEL, np.nan],
            "suppressed": [False, False, False, True, True],
        }
    )


@pytest.fixture
def trend_series():
    return pd.DataFrame(
        {
            "period": ["2021", "2022", "2023", "2024"],
            "value": [20.0, SENTINEL, 22.5, 24.25],
            "lower": [18.0, SENTINEL, 20.0, 22.0],
            "upper": [22.0, SENTINEL, 25.0, 26.5],
            "city_value": [15.0, 15.5, 16.0, 16.5],
            "suppressed": [False, True, False, False],
        }
    )


def spine_row(name, value, polarity, classification, suppressed=False):
    """City 10, all areas from 4 to 12, middle half 8 to 11."""
    return {
        "name": name,
        "value": value,
        "city_value": 10.0,
        "minimum": 4.0,
        "q25": 8.0,
        "q75": 11.0,
        "maximum": 12.0,
        "classification": classification,
        "polarity": polarity,
        "suppressed": suppressed,
    }


@pytest.fixture
def spine_rows():
    return pd.DataFrame(
        [
            spine_row("Vorzeitige Sterblichkeit", 12.0, "higher_is_worse", "worse"),
            spine_row("Masern-Impfquote", 12.0, "higher_is_better", "better"),
            spine_row("Anteil 65 Jahre und älter", 12.0, "neutral", "higher"),
            spine_row("Säuglingssterblichkeit", SENTINEL, "higher_is_worse", "not compared", suppressed=True),
            spine_row("Übergewicht", 4.0, "higher_is_worse", "better"),
        ]
    )


def figure_texts(chart):
    return [t.get_text() for t in chart.figure.findobj(Text) if t.get_text()]


def bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def png_bytes(chart):
    match = re.search(r'src="data:image/png;base64,([^"]+)"', charts.chart_to_html(chart, "Abbildung"))
    return base64.b64decode(match.group(1))


def assert_never_shows_sentinel(chart):
    for shown in [*figure_texts(chart), chart.alt_text]:
        assert "99,9" not in shown and "99,87" not in shown and "99.87" not in shown


# --- tick formatting ------------------------------------------------------------------------------------


def test_german_formatter_uses_decimal_comma_and_thousands_point():
    formatter = charts.GermanFormatter()
    formatter.set_locs([0, 0.5, 1.0, 1.5])
    assert [formatter(x) for x in (0, 0.5, 1.5)] == ["0,0", "0,5", "1,5"]
    formatter.set_locs([0, 1000, 2000])
    assert formatter(2000) == "2.000"
    mirrored = charts.GermanFormatter(absolute=True)
    mirrored.set_locs([-2, 0, 2])
    assert mirrored(-2) == "2"


# --- population -----------------------------------------------------------------------------------------


def test_population_pyramid_draws_men_left_women_right(pyramid):
    chart = charts.population_pyramid(pyramid, "Goethestraße")
    ax = chart.figure.axes[0]
    widths = [bar.get_width() for bar in bars(ax)]
    assert len(widths) == 2 * len(AGE_BANDS)
    assert sum(w < 0 for w in widths) == len(AGE_BANDS)  # men, to the left
    assert {to_hex(bar.get_facecolor()) for bar in bars(ax)} == {charts.HIGHLIGHT.lower()}
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert labels[0] == "0–4" and labels[-1] == "90+" and "45–49" in labels
    assert {"Goethestraße", "Bremerhaven"} <= set(figure_texts(chart))


def test_population_pyramid_alt_text_states_young_and_old_shares(pyramid):
    chart = charts.population_pyramid(pyramid, "Goethestraße")
    # Under 20: bands i = 0..3, share (19 - i) / 19 * 5 per sex (factors 0.9 + 1.1 = 2) -> 70 * 10 / 19.
    assert f"Unter 20 Jahre: 36,8{NBSP}%" in chart.alt_text
    # City: 2.6 per band and sex -> 4 bands * 2 * 2.6 = 20.8; 65 and older: 6 bands -> 31.2.
    assert f"(Bremerhaven 20,8{NBSP}%)" in chart.alt_text
    assert f"(Bremerhaven 31,2{NBSP}%)" in chart.alt_text


def test_age_groups_bars_and_value_labels():
    groups = pd.DataFrame(
        {
            "group": ["unter 18", "18–64", "65–79", "80+"],
            "district_share": [21.3, 62.1, 11.25, 5.35],
            "city_share": [16.8, 60.2, 16.0, 7.0],
        }  # fmt: skip
    )
    chart = charts.age_groups(groups, "Goethestraße")
    ax = chart.figure.axes[0]
    highlighted = [b for b in bars(ax) if to_hex(b.get_facecolor()) == charts.HIGHLIGHT.lower()]
    assert len(bars(ax)) == 8 and len(highlighted) == 4
    assert sorted(b.get_width() for b in highlighted) == [5.35, 11.25, 21.3, 62.1]
    texts = figure_texts(chart)
    assert f"11,3{NBSP}%" in texts and f"62,1{NBSP}%" in texts
    assert f"80+: 5,4{NBSP}% (Bremerhaven 7,0{NBSP}%)" in chart.alt_text


def test_population_development_is_indexed_to_the_first_period():
    series = pd.DataFrame(
        {
            "period": ["2022", "2020", "2021"],
            "district_population": [8800, 8000, 8400],
            "city_population": [110000, 100000, 105000],
        }  # fmt: skip
    )
    chart = charts.population_development(series, "Goethestraße")
    ax = chart.figure.axes[0]
    district, city = (line.get_ydata() for line in ax.get_lines() if len(line.get_xdata()) == 3)
    assert list(district) == pytest.approx([100, 105, 110])
    assert list(city) == pytest.approx([100, 105, 110])
    assert ax.get_ylabel() == "Index (erstes Jahr = 100)"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2020", "2021", "2022"]
    assert "Goethestraße 110,0" in chart.alt_text and "8.000 (2020)" in chart.alt_text


# --- indicators -----------------------------------------------------------------------------------------


def test_district_bars_sorted_with_the_district_highlighted(bars_table):
    chart = charts.district_bars(bars_table, "134", 18.0, "SGB-II-Quote", "%")
    ax = chart.figure.axes[0]
    drawn = sorted(bars(ax), key=lambda bar: bar.get_y())  # top row first (inverted y axis)
    assert [bar.get_width() for bar in drawn] == [31.25, 20.0, 12.5]
    assert [to_hex(bar.get_facecolor()) for bar in drawn] == [
        charts.HIGHLIGHT.lower(), charts.MUTED.lower(), charts.MUTED.lower()]  # fmt: skip
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


def test_spine_chart_forty_rows_fit_on_an_a4_page():
    rows = pd.DataFrame([spine_row(f"Indikator {i}", 9.0, "neutral", "similar") for i in range(40)])
    figure = charts.spine_chart(rows).figure
    assert figure.get_figwidth() == pytest.approx(charts.WIDTH)
    assert figure.get_figheight() <= 9.6  # A4 text height less heading


# --- maps -----------------------------------------------------------------------------------------------


def tiles(chart):
    return [p for p in chart.figure.axes[0].patches if isinstance(p, FancyBboxPatch)]


def tile_colour(chart, label):
    (tile,) = [p for p in tiles(chart) if p.contains_point(p.get_transform().transform(label.get_position()))]
    return to_hex(tile.get_facecolor())


def test_tile_grid_is_geographically_plausible(ortsteile):
    assert set(charts.TILE_GRID) == set(ORTSTEILE)
    assert len(set(charts.TILE_GRID.values())) == 24
    rows = {code: row for code, (_, row) in charts.TILE_GRID.items()}
    assert rows["111"] == 0 and rows["252"] == max(rows.values())  # Weddewarden north, Luneplate south
    assert rows["131"] < rows["142"] < rows["212"] < rows["241"]  # Lehe, Mitte, Geestemünde, Wulsdorf
    assert charts.TILE_GRID["221"][0] > charts.TILE_GRID["212"][0]  # Schiffdorferdamm east of Geestemünde
    for stadtteil, group in ortsteile.groupby("stadtteil_code"):  # each Stadtteil is one connected block
        cells = {charts.TILE_GRID[code] for code in group["code"]}
        reached, todo = set(), [next(iter(cells))]
        while todo:
            col, row = todo.pop()
            reached.add((col, row))
            todo += [c for c in cells - reached if abs(c[0] - col) + abs(c[1] - row) == 1]
        assert reached == cells, stadtteil


def test_tile_map_has_24_labelled_tiles_and_highlights_one(ortsteile):
    chart = charts.tile_map(ortsteile, "134")
    assert len(tiles(chart)) == 24
    colours = [to_hex(p.get_facecolor()) for p in tiles(chart)]
    assert colours.count(charts.HIGHLIGHT.lower()) == 1
    labels = {t.get_text().replace("\n", "").replace("-", ""): t for t in chart.figure.axes[0].texts}
    assert {name.replace("-", "") for name, _, _ in ORTSTEILE.values()} <= set(labels)
    assert tile_colour(chart, labels["Goethestraße"]) == charts.HIGHLIGHT.lower()
    assert tile_colour(chart, labels["Klushof"]) == charts.TILE_GREY.lower()
    assert "Weser" in figure_texts(chart)
    assert "Hervorgehoben: Goethestraße (Stadtteil Lehe)" in chart.alt_text


def test_tile_map_highlights_a_list_and_names_a_whole_stadtteil(ortsteile):
    lehe = [code for code, (_, st, _) in ORTSTEILE.items() if st == "13"]
    chart = charts.tile_map(ortsteile, lehe)
    colours = [to_hex(p.get_facecolor()) for p in tiles(chart)]
    assert colours.count(charts.HIGHLIGHT.lower()) == 7
    assert "Stadtteil Lehe" in figure_texts(chart)  # legend
    two = charts.tile_map(ortsteile, ["141", "142"])
    assert "Mitte-Nord, Mitte-Süd" in figure_texts(two) or "Mitte-Süd, Mitte-Nord" in figure_texts(two)


def test_tile_map_values_colour_scale(ortsteile):
    values = pd.Series(np.linspace(2.0, 25.0, 24), index=list(ORTSTEILE), name="SGB-II-Quote (%)")
    values["252"] = np.nan
    chart = charts.tile_map(ortsteile, "134", values=values)
    assert len(chart.figure.axes) == 2  # map and colour bar
    colours = [to_hex(p.get_facecolor()) for p in tiles(chart)]
    assert colours.count("#ffffff") == 1 and len(set(colours)) == 24
    assert "kein Wert" in figure_texts(chart)
    assert "von 2,0 (Weddewarden) bis 24,0 (Fischereihafen)." in chart.alt_text  # Luneplate (25) has none


def test_tile_map_rejects_unknown_codes(ortsteile):
    extra = pd.concat([ortsteile, pd.DataFrame([["999", "Neuland", "99", "Neu"]], columns=ortsteile.columns)])
    with pytest.raises(ValueError, match="999"):
        charts.tile_map(extra, "134")


def square(lon, lat, size=0.01):
    """A square of ``size`` degrees latitude, as wide in km (lon span / cos(lat)), counter-clockwise."""
    width = size / np.cos(np.radians(lat))
    return [[lon, lat], [lon + width, lat], [lon + width, lat + size], [lon, lat + size], [lon, lat]]


def test_tile_map_draws_geojson_polygons(ortsteile):
    features = [
        {"type": "Feature", "properties": {"code": 134}, "geometry": {"type": "Polygon",
         "coordinates": [square(8.58, 53.56)]}},
        {"type": "Feature", "properties": {"code": "135"}, "geometry": {"type": "Polygon",
         "coordinates": [square(8.58 + 0.01 / np.cos(np.radians(53.56)), 53.56)]}},
        {"type": "Feature", "properties": {"code": "252"}, "geometry": {"type": "MultiPolygon",
         "coordinates": [[square(8.50, 53.48)], [square(8.53, 53.48)]]}},
    ]  # fmt: skip
    chart = charts.tile_map(ortsteile, "134", geojson={"type": "FeatureCollection", "features": features})
    ax = chart.figure.axes[0]
    polygons = [p for p in ax.patches if isinstance(p, PathPatch)]
    assert len(polygons) == 3 and not tiles(chart)
    colours = sorted(to_hex(p.get_facecolor()) for p in polygons)
    assert colours == sorted([charts.HIGHLIGHT.lower(), charts.TILE_GREY.lower(), charts.TILE_GREY.lower()])
    multi = max(polygons, key=lambda p: list(p.get_path().codes).count(1))  # 1 = MOVETO
    assert list(multi.get_path().codes).count(1) == 2
    extent = polygons[0].get_path().get_extents()
    assert extent.width == pytest.approx(extent.height, rel=0.01)  # square on the ground stays square
    (outlines,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(outlines.get_segments()) == 6 + 8  # Lehe's two squares share one edge; Luneplate 2 x 4
    assert "Goethe" in "".join(figure_texts(chart))


# --- rendering ------------------------------------------------------------------------------------------


def test_chart_to_html_is_deterministic_and_sized(bars_table):
    first = charts.chart_to_html(charts.district_bars(bars_table, "134", 18.0, "SGB-II-Quote", "%"), "A")
    chart = charts.district_bars(bars_table, "134", 18.0, "SGB-II-Quote", "%")
    assert charts.chart_to_html(chart, "A") == first
    assert charts.chart_to_html(chart, "A") == first  # rendering again does not drift
    width, height = chart.figure.get_size_inches()
    assert f'width="{round(width * 96)}" height="{round(height * 96)}"' in first
    png = png_bytes(chart)
    assert b"Software" not in png and b"matplotlib" not in png
    assert Image.open(io.BytesIO(png)).size == (round(width * 200), round(height * 200))


def test_chart_to_html_escapes_alt_text_and_caption(bars_table):
    table = bars_table.assign(name=bars_table["name"].replace("Goethestraße", '<script>"x"</script>'))
    html = charts.chart_to_html(charts.district_bars(table, "134", 18.0, "Quote", "%"), "A & <b>B</b>")
    assert "<script>" not in html and "&lt;script&gt;&quot;x&quot;&lt;/script&gt;" in html
    assert "<figcaption>A &amp; &lt;b&gt;B&lt;/b&gt;</figcaption>" in html
    assert html.startswith('<figure class="chart"><img src="data:image/png;base64,')


def test_charts_look_the_same_whatever_the_global_style(trend_series):
    chart = charts.trend_chart(trend_series, "SGB-II-Quote", "%", "Goethestraße")
    expected = png_bytes(chart)
    with matplotlib.rc_context({"font.size": 20, "ytick.labelsize": 20, "font.family": "serif"}):
        assert png_bytes(chart) == expected


def test_no_figures_are_left_in_pyplot(pyramid, ortsteile):
    import matplotlib.pyplot as plt

    charts.population_pyramid(pyramid, "Lehe")
    charts.tile_map(ortsteile, "134")
    assert plt.get_fignums() == []
    made_with_pyplot = plt.figure()
    charts.chart_to_html(charts.Chart(made_with_pyplot, "Test"), "Test")
    assert plt.get_fignums() == []
