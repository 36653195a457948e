"""Maps (quartiersprofile.content.charts.maps): the schematic tile map of the 24 Ortsteile and real boundaries
from GeoJSON."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from matplotlib.colors import to_hex
from matplotlib.patches import FancyBboxPatch, PathPatch
from support import chart_tables
from support.chart_tables import ORTSTEILE, figure_texts

from quartiersprofile.content import charts
from quartiersprofile.content.charts import style


@pytest.fixture
def ortsteile():
    return chart_tables.ortsteile()


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
    assert colours.count(style.HIGHLIGHT.lower()) == 1
    labels = {t.get_text().replace("\n", "").replace("-", ""): t for t in chart.figure.axes[0].texts}
    assert {name.replace("-", "") for name, _, _ in ORTSTEILE.values()} <= set(labels)
    assert tile_colour(chart, labels["Goethestraße"]) == style.HIGHLIGHT.lower()
    assert tile_colour(chart, labels["Klushof"]) == style.TILE_GREY.lower()
    assert "Weser" in figure_texts(chart)
    assert "Hervorgehoben: Goethestraße (Stadtteil Lehe)" in chart.alt_text


def test_tile_map_highlights_a_list_and_names_a_whole_stadtteil(ortsteile):
    lehe = [code for code, (_, st, _) in ORTSTEILE.items() if st == "13"]
    chart = charts.tile_map(ortsteile, lehe)
    colours = [to_hex(p.get_facecolor()) for p in tiles(chart)]
    assert colours.count(style.HIGHLIGHT.lower()) == 7
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
    assert colours == sorted([style.HIGHLIGHT.lower(), style.TILE_GREY.lower(), style.TILE_GREY.lower()])
    multi = max(polygons, key=lambda p: list(p.get_path().codes).count(1))  # 1 = MOVETO
    assert list(multi.get_path().codes).count(1) == 2
    extent = polygons[0].get_path().get_extents()
    assert extent.width == pytest.approx(extent.height, rel=0.01)  # square on the ground stays square
    (outlines,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(outlines.get_segments()) == 6 + 8  # Lehe's two squares share one edge; Luneplate 2 x 4
    assert "Goethe" in "".join(figure_texts(chart))
