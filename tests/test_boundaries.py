"""Optional real Ortsteil boundaries (GeoJSON keyed on the Ortsteil code) replace the schematic map."""

import json
import shutil

import pytest

from quartiersprofile import charts, report
from quartiersprofile.data import DATA_DIR, DataValidationError, load_dataset


def _square(code, x, y):
    ring = [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]
    return {"type": "Feature", "properties": {"code": code}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def _data_with(tmp_path, features):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    (data / "ortsteile.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return data


def test_supplied_boundaries_are_loaded_and_drawn(tmp_path):
    dataset = load_dataset(_data_with(tmp_path, [_square("131", 8.58, 53.58), _square(132, 8.59, 53.58)]))
    assert [f["properties"]["code"] for f in dataset.boundaries["features"]] == ["131", 132]
    tables = report.compute_tables(dataset)
    area = next(a for a in tables.areas if a.code == "131")
    chart = charts.tile_map(report.Profile(area, "2024", tables).ortsteile(), highlight=["131"],
                            geojson=tables.boundaries)
    assert len(chart.figure.axes[0].patches) >= 2


def test_unknown_codes_and_bad_geometry_are_reported_with_row_and_column(tmp_path):
    broken = _square("999", 8.5, 53.5)
    no_geometry = {"type": "Feature", "properties": {"code": "131"}, "geometry": None}
    with pytest.raises(DataValidationError) as error:
        load_dataset(_data_with(tmp_path, [broken, no_geometry]))
    message = str(error.value)
    assert 'ortsteile.geojson, Zeile 1, Spalte "properties.code": Wert "999"' in message
    assert 'ortsteile.geojson, Zeile 2, Spalte "geometry"' in message


def test_without_a_file_there_are_no_boundaries():
    assert load_dataset().boundaries is None
