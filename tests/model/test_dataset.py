"""Loading the input folder as one validated `Dataset` (quartiersprofile.model.dataset): the tables as tidy
frames, the metadata of dataset.toml, every problem at once, and the machine-readable contract."""

from __future__ import annotations

import json
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.data_folders import Expected, assert_reported
from support.generated_inputs import FAST, MINIMAL, Format, metadata_values, rejected, toml_text, write_inputs
from test_contract import invalid_polarity, negative_count
from test_reading import non_numeric_count
from test_rules import unknown_parent

from quartiersprofile.model.contract import OPTIONAL_TABLES, TABLES, DataValidationError
from quartiersprofile.model.dataset import (
    DATA_DIR,
    DEFAULT_METADATA,
    contract_schema,
    latest_period,
    load_dataset,
    read_table,
    write_contract_schema,
)


def test_bundled_data_loads(bundled_dataset):
    assert set(bundled_dataset.files) <= {*TABLES, "dataset"}
    assert bundled_dataset.observations["district"].dtype == "str"
    assert bundled_dataset.observations["numerator"].dtype == "float64"
    assert bundled_dataset.catalogue["years_pooled"].dtype == "int64"
    assert bundled_dataset.catalogue["multiplier"].dtype == "float64"


def test_the_default_folder_is_the_repository_s_data(bundled_dataset):
    assert Path(__file__).resolve().parents[2] / "data" == DATA_DIR
    assert bundled_dataset.files["observations"] == DATA_DIR / "observations.csv"


def test_files_and_metadata_of_a_folder(small):
    dataset = load_dataset(small)
    assert dataset.files == {**{name: small / f"{name}.csv" for name in TABLES}, "dataset": small / "dataset.toml"}
    assert str(dataset.metadata["stand"]) == "2025-03-31" and dataset.metadata["seed"] == 4012
    assert dataset.metadata["sample_data"] is True and dataset.boundaries is None


def test_latest_period_prefers_the_year_over_its_fourth_quarter(small):
    dataset = load_dataset(small)
    assert {"2024", "2024-Q4"} <= set(dataset.observations["period"])
    assert latest_period(dataset) == "2024"


def test_read_table_reads_one_table_on_its_own(small):
    population = read_table(small / "population.csv", "population")
    assert list(population.columns) == ["district", "period", "sex", "age_band", "population"]
    assert len(population) == 456 and population["population"].dtype == "float64"
    (small / "broken.csv").write_text("district,period,sex,age_band,population\n134,2024,w,0-4,-1\n")
    with pytest.raises(DataValidationError, match='broken.csv, Zeile 2, Spalte "population"'):
        read_table(small / "broken.csv", "population")


def test_missing_metadata_file_gives_defaults(small):
    (small / "dataset.toml").unlink()
    dataset = load_dataset(small)
    assert dataset.metadata == DEFAULT_METADATA
    assert "dataset" not in dataset.files


def test_schema_json_is_current():
    committed = json.loads((DATA_DIR / "schema.json").read_text(encoding="utf-8"))
    assert committed == contract_schema(), (
        "regenerate: python -c 'import quartiersprofile.model.dataset as d; d.write_contract_schema()'"
    )


def test_write_contract_schema(tmp_path):
    path = write_contract_schema(tmp_path / "schema.json")
    assert json.loads(path.read_text(encoding="utf-8")) == contract_schema()
    assert set(contract_schema()["tables"]) == set(TABLES) | set(OPTIONAL_TABLES)


# --- validation errors ----------------------------------------------------------------------------------------


def metadata_syntax(folder):
    (folder / "dataset.toml").write_text('title = "Profile"\nstand = \n', encoding="utf-8")
    return Expected("dataset.toml", 2, None)


def metadata_type(folder):
    (folder / "dataset.toml").write_text('sample_data = "ja"\n', encoding="utf-8")
    return Expected("dataset.toml", None, None, "sample_data = ja")


@pytest.mark.parametrize("case", [metadata_syntax, metadata_type], ids=lambda case: case.__name__)
def test_validation_error_names_file_row_column_and_value(small, case):
    assert_reported(small, case(small))


def test_all_problems_are_reported_at_once(small):
    cases = [non_numeric_count, unknown_parent, invalid_polarity, negative_count, metadata_type]
    expected = [case(small) for case in cases]
    with pytest.raises(DataValidationError) as caught:
        load_dataset(small)
    locations = {(p.file, p.row, p.column) for p in caught.value.problems}
    assert {e[:3] for e in expected} <= locations
    assert str(caught.value).startswith(f"{len(caught.value.problems)} Probleme in den Eingabedaten:")
    assert len(str(caught.value).splitlines()) == len(caught.value.problems) + 1


# --- dataset.toml ------------------------------------------------------------------------------------------

BROKEN_TOML = ['stand = ', 'title = "ohne Ende', '= 5', 'sample_data = ja', '[unclosed', 'title = "a" "b"',
               'seed = 12 34']


@FAST
@given(metadata_values(), st.sampled_from(BROKEN_TOML), st.sampled_from(["\n", "\r\n"]), st.data())
def test_metadata_syntax_error_names_the_line(metadata, broken, newline, data):
    lines = toml_text(metadata, newline).splitlines(keepends=True)
    position = data.draw(st.integers(0, len(lines)))
    text = "".join([*lines[:position], broken + newline, *lines[position:]])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_inputs(folder, replace(MINIMAL, metadata=None), Format())
        (folder / "dataset.toml").write_text(text, encoding="utf-8", newline="")
        error = rejected(folder, {"dataset.toml"})
    (problem,) = error.problems
    assert problem.row == position + 1 and problem.expected.startswith("gültiges TOML"), str(error)


WRONG_METADATA = [
    ("title", "1"), ("title", "true"), ("publisher", "2025-03-31"), ("population_base", "[1, 2]"),
    ("sample_notice", "{ a = 1 }"), ("generator", "4.5"),
    ("stand", '"31.03.2025"'), ("stand", '"2025-02-30"'), ("stand", '"2025-13-45"'), ("stand", "2025"),
    ("stand", "12:00:00"), ("stand", "true"),
    ("sample_data", '"ja"'), ("sample_data", "1"), ("sample_data", '"true"'),
    ("seed", "true"), ("seed", '"4012"'), ("seed", "4012.5"), ("seed", "2025-03-31"),
]


@pytest.mark.parametrize(("key", "literal"), WRONG_METADATA)
def test_metadata_of_the_wrong_type_is_reported(tmp_path, key, literal):
    write_inputs(tmp_path, replace(MINIMAL, metadata=None), Format())
    (tmp_path / "dataset.toml").write_text(f"{key} = {literal}\n", encoding="utf-8")
    error = rejected(tmp_path, {"dataset.toml"})
    (problem,) = error.problems
    assert problem.value.startswith(f"{key} = "), str(error)


def test_deeply_nested_metadata_is_reported(tmp_path):
    write_inputs(tmp_path, replace(MINIMAL, metadata=None), Format())
    (tmp_path / "dataset.toml").write_text("a = " + "[" * 10_000 + "]" * 10_000 + "\n", encoding="utf-8")
    error = rejected(tmp_path, {"dataset.toml"})
    assert error.problems[0].expected.startswith("gültiges TOML")


