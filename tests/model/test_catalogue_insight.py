"""The catalogue columns of the insight (`index`, `target`, `target_source`; quartiersprofile.model.contract and the
rule `_catalogue_insight` in quartiersprofile.model.rules): optional, checked, reported where they are wrong."""

from __future__ import annotations

import pytest
from support.data_folders import Expected, assert_reported, read_rows, row_of, write_rows

from quartiersprofile.model.dataset import contract_schema, load_dataset

COLUMNS = ("index", "target", "target_source")


def with_columns(folder, values: dict[str, dict[str, str]]) -> None:
    """Add the insight columns to the folder's catalogue, with `values` (indicator id -> column -> cell)."""
    path = folder / "indicators.csv"
    header, *body = read_rows(path)
    header = header + [c for c in COLUMNS if c not in header]
    rows = []
    for cells in body:
        cells = cells + [""] * (len(header) - len(cells))
        for column, value in values.get(cells[0], {}).items():
            cells[header.index(column)] = value
        rows.append(cells)
    write_rows(path, [header, *rows])


def test_the_columns_are_optional_and_read(small):
    assert "index" not in load_dataset(small).catalogue or load_dataset(small).catalogue["index"].isna().all()
    with_columns(small, {"SOZ01": {"index": "true"}, "KIG04": {"target": "95", "target_source": "WHO"}})
    catalogue = load_dataset(small).catalogue.set_index("id")
    assert catalogue.at["SOZ01", "index"] == "true" and catalogue.at["KIG04", "target"] == 95.0
    assert catalogue.at["KIG04", "target_source"] == "WHO"


@pytest.mark.parametrize(
    ("indicator", "values", "column"),
    [
        ("DEM03", {"index": "true"}, "index"),  # neutral: no burden side
        ("DEM01", {"index": "true"}, "index"),  # a count has no interval
        ("SOZ01", {"index": "ja"}, "index"),  # true or false only
        ("DEM03", {"target": "20"}, "target"),  # neutral: no goal
        ("SOZ01", {"target_source": "WHO"}, "target_source"),  # a source without a target
        ("SOZ01", {"target": "viel"}, "target"),  # not a number
    ],
)
def test_wrong_cells_are_reported(small, indicator, values, column):
    with_columns(small, {indicator: values})
    row = row_of(small, "indicators", id=indicator)
    assert_reported(small, Expected("indicators.csv", row, column, values[column]))


def test_the_contract_describes_the_columns():
    columns = contract_schema()["tables"]["indicators"]["columns"]
    assert all(columns[c]["column_optional"] for c in COLUMNS)
    assert columns["target"]["type"] == "number"
    rules = " ".join(contract_schema()["tables"]["indicators"]["rules"])
    assert "index and target are given only for indicators with a polarity" in rules
