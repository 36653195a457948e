"""Optional real Ortsteil boundaries (quartiersprofile.model.boundaries): GeoJSON keyed on the Ortsteil code,
checked like every other input, replace the schematic map."""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import SMALL_DATA
from hypothesis import given
from hypothesis import strategies as st
from support.generated_inputs import (
    FAST,
    MINIMAL,
    MINIMAL_ORTSTEILE,
    Format,
    boundaries,
    located,
    outcome,
    rejected,
    write_inputs,
)

from quartiersprofile.content import charts
from quartiersprofile.content.profile import Profile
from quartiersprofile.content.tables import compute_tables
from quartiersprofile.model.boundaries import BOUNDARIES_FILE, read_boundaries
from quartiersprofile.model.dataset import Dataset, DataValidationError, load_dataset


def _square(code, x, y):
    ring = [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]
    return {"type": "Feature", "properties": {"code": code}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def _data_with(tmp_path, features):
    data = tmp_path / "data"
    shutil.copytree(SMALL_DATA, data)  # the full register of Ortsteile, the residents of two
    (data / "ortsteile.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return data


def test_supplied_boundaries_are_loaded_and_drawn(tmp_path):
    dataset = load_dataset(_data_with(tmp_path, [_square("131", 8.58, 53.58), _square(132, 8.59, 53.58)]))
    assert [f["properties"]["code"] for f in dataset.boundaries["features"]] == ["131", 132]
    assert dataset.files["boundaries"] == tmp_path / "data" / BOUNDARIES_FILE
    tables = compute_tables(dataset)
    assert tables.boundaries == dataset.boundaries
    area = next(a for a in tables.areas if a.code == "13")
    chart = charts.tile_map(Profile(area, "2024", tables).ortsteile(), highlight=["131"], geojson=tables.boundaries)
    assert len(chart.figure.axes[0].patches) >= 2


def test_unknown_codes_and_bad_geometry_are_reported_with_row_and_column(tmp_path):
    broken = _square("999", 8.5, 53.5)
    no_geometry = {"type": "Feature", "properties": {"code": "131"}, "geometry": None}
    with pytest.raises(DataValidationError) as error:
        load_dataset(_data_with(tmp_path, [broken, no_geometry]))
    message = str(error.value)
    assert 'ortsteile.geojson, Zeile 1, Spalte "properties.code": Wert "999"' in message
    assert 'ortsteile.geojson, Zeile 2, Spalte "geometry"' in message


def test_without_a_file_there_are_no_boundaries(bundled_dataset):
    assert bundled_dataset.boundaries is None
    assert "boundaries" not in bundled_dataset.files


def test_read_boundaries_without_a_register_checks_only_the_geometry(tmp_path):
    assert read_boundaries(tmp_path, None) == (None, [])
    collection = {"type": "FeatureCollection", "features": [_square("999", 8.5, 53.5)]}
    (tmp_path / BOUNDARIES_FILE).write_text(json.dumps(collection), encoding="utf-8")
    assert read_boundaries(tmp_path, None) == (collection, [])


# --- property-based: random and broken GeoJSON -----------------------------------------------------------------

BAD_PROPERTIES = [None, [], "134", {}, {"code": None}, {"code": "999999"}, {"code": 134.5}, {"name": "134"}]
BAD_GEOMETRIES = [
    None, {}, [], {"type": "Point", "coordinates": [8.5, 53.5]}, {"type": "Polygon"},
    {"type": "Polygon", "coordinates": []}, {"type": "Polygon", "coordinates": [[[8.5, 53.5], [8.6, 53.5]]]},
    {"type": "Polygon", "coordinates": [[[8.5, 53.5, 1.0]] * 4]},
    {"type": "Polygon", "coordinates": [[["8.5", "53.5"]] * 4]},
    {"type": "Polygon", "coordinates": [[[471000.0, 5934000.0]] * 4]},  # UTM metres, not degrees
    {"type": "Polygon", "coordinates": [[[math.nan, 53.5]] * 4]},
    {"type": "Polygon", "coordinates": [[[10**400, 53.5]] * 4]},
    {"type": "Polygon", "coordinates": [[[True, False]] * 4]},
    {"type": "MultiPolygon", "coordinates": [[[8.5, 53.5]] * 4]}, {"type": "MultiPolygon", "coordinates": []},
]


@st.composite
def broken_boundaries(draw) -> tuple[str, int | None, str | None]:
    """GeoJSON text with one defect; the feature number and field it must be reported at (None: anywhere)."""
    collection = draw(boundaries(MINIMAL_ORTSTEILE))
    features = collection["features"]
    index = draw(st.integers(0, len(features) - 1))
    kind = draw(st.sampled_from(["properties", "geometry", "feature", "duplicate", "truncated", "any_json"]))
    if kind == "properties":
        features[index]["properties"] = draw(st.sampled_from(BAD_PROPERTIES))
    elif kind == "geometry":
        features[index]["geometry"] = draw(st.sampled_from(BAD_GEOMETRIES))
    elif kind == "feature":
        features[index] = draw(st.sampled_from([None, 1, "134", [], {}]))
    elif kind == "duplicate":
        features.append(features[index])
        index = len(features) - 1
    text = json.dumps(collection, ensure_ascii=False)
    if kind == "truncated":
        return text[: draw(st.integers(0, len(text) - 1))], None, None
    if kind == "any_json":
        leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5)
        value = draw(st.recursive(leaves, lambda children: st.lists(children, max_size=3)
                                  | st.dictionaries(st.sampled_from(["type", "features", "properties",
                                                                     "geometry", "coordinates", "code"]),
                                                    children, max_size=3), max_leaves=12))
        return json.dumps(value), None, None
    return text, index + 1, "geometry" if kind == "geometry" else "properties.code"


@FAST
@given(broken_boundaries())
def test_broken_boundaries_are_reported_at_the_feature(broken):
    text, feature, field = broken
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_inputs(folder, MINIMAL, Format())
        (folder / "ortsteile.geojson").write_text(text, encoding="utf-8")
        result = outcome(folder, {"ortsteile.geojson"})
    if isinstance(result, Dataset):  # only random JSON can happen to be a valid FeatureCollection
        assert feature is None
        assert result.boundaries == json.loads(text)
        return
    assert feature is None or located(result, "ortsteile.geojson", feature, field), str(result)


def test_every_bad_feature_is_reported_at_its_number(tmp_path):
    """Each defect of `BAD_GEOMETRIES` and `BAD_PROPERTIES` once, in one file; a repeated code as well."""
    square = {"type": "Polygon", "coordinates": [[[8.5, 53.5], [8.6, 53.5], [8.6, 53.6], [8.5, 53.5]]]}
    codes = iter(MINIMAL_ORTSTEILE)
    features = [{"type": "Feature", "properties": {"code": next(codes)}, "geometry": geometry}
                for geometry in BAD_GEOMETRIES]
    features += [{"type": "Feature", "properties": properties, "geometry": square} for properties in BAD_PROPERTIES]
    repeated = next(codes)
    features += [{"type": "Feature", "properties": {"code": repeated}, "geometry": square} for _ in range(2)]
    write_inputs(tmp_path, replace(MINIMAL, boundaries={"type": "FeatureCollection", "features": features}), Format())
    error = rejected(tmp_path, {"ortsteile.geojson"})
    expected = [(number, "geometry") for number in range(1, len(BAD_GEOMETRIES) + 1)]
    expected += [(number, "properties.code") for number in range(len(expected) + 1, len(features) - 1)]
    assert [(p.row, p.column) for p in error.problems] == [*expected, (len(features), "properties.code")], str(error)


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000 + "]" * 100_000, '{"features": [{"properties": {"name": "Geestemünde"}}]}'],
    ids=["deeply-nested", "windows-1252"],
)
def test_unreadable_boundaries_are_reported(tmp_path, text):
    write_inputs(tmp_path, MINIMAL, Format())
    (tmp_path / "ortsteile.geojson").write_text(text, encoding="cp1252")
    (problem,) = rejected(tmp_path, {"ortsteile.geojson"}).problems
    assert problem.row is None and problem.expected.startswith("gültiges GeoJSON in UTF-8"), str(problem)


