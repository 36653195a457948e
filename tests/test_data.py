"""Tests of the data contract (quartiersprofile.data), the bundled data and the sample-data generator."""

from __future__ import annotations

import csv
import importlib.util
import json
import logging
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import openpyxl
import pandas as pd
import pytest

from quartiersprofile import data
from quartiersprofile.data import (
    AGE_BANDS,
    DATA_DIR,
    TABLES,
    DataValidationError,
    Problem,
    align_period,
    contract_schema,
    latest_period,
    load_dataset,
    period_sort_key,
    select_age_bands,
)

REPO = Path(__file__).resolve().parent.parent
# A frozen copy of the sample data for Weddewarden (tiny counts) and Goethestraße, independent of data/.
SMALL = Path(__file__).resolve().parent / "fixtures" / "data_small"
NUMBER_COLUMNS = {
    name: [column for column, spec in data.SCHEMAS[name].columns.items() if str(spec.dtype) == "float64"]
    for name in TABLES
}


# --- helpers ---------------------------------------------------------------------------------------------


def read_rows(path: Path, encoding: str = "utf-8", delimiter: str = ",") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def write_rows(path: Path, rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> None:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator="\r\n").writerows(rows)


def row_of(folder: Path, table: str, **match: str) -> int:
    """File row number (header = 1) of the first row whose cells equal `match`."""
    header, *body = read_rows(folder / f"{table}.csv")
    for number, cells in enumerate(body, start=2):
        if all(cells[header.index(column)] == value for column, value in match.items()):
            return number
    raise LookupError(match)


def set_cell(folder: Path, table: str, row: int, column: str, value: str) -> None:
    rows = read_rows(folder / f"{table}.csv")
    rows[row - 1][rows[0].index(column)] = value
    write_rows(folder / f"{table}.csv", rows)


def cell(folder: Path, table: str, row: int, column: str) -> str:
    rows = read_rows(folder / f"{table}.csv")
    return rows[row - 1][rows[0].index(column)]


def german_number(text: str) -> str:
    """38643 -> 38.643, 1234.5 -> 1.234,5 (German Excel)."""
    if not text:
        return text
    whole, _, fraction = text.partition(".")
    return f"{int(whole):,}".replace(",", ".") + ("," + fraction if fraction else "")


def to_excel_csv(source: Path, target: Path, encoding: str) -> None:
    """The tables as German Excel saves them: ';', decimal comma, thousands points, CRLF."""
    shutil.copytree(source, target)
    for name in TABLES:
        header, *body = read_rows(source / f"{name}.csv")
        numeric = [header.index(column) for column in NUMBER_COLUMNS[name]]
        body = [[german_number(c) if i in numeric else c for i, c in enumerate(cells)] for cells in body]
        write_rows(target / f"{name}.csv", [header, *body], encoding=encoding, delimiter=";")


def xlsx_value(text: str, column: str, numeric: bool) -> object:
    if numeric and text:
        return int(float(text)) if float(text).is_integer() else float(text)
    if column in {"code", "district", "parent_code", "period"} and text.isdigit():
        return int(text)
    return text or None


def to_xlsx(source: Path, target: Path) -> None:
    """The tables as XLSX workbooks with native numbers (codes and years as integers)."""
    shutil.copytree(source, target)
    for name in TABLES:
        header, *body = read_rows(source / f"{name}.csv")
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(header)
        for cells in body:
            sheet.append(
                [
                    xlsx_value(c, col, col in NUMBER_COLUMNS[name])
                    for c, col in zip(cells, header, strict=True)
                ]
            )
        workbook.save(target / f"{name}.xlsx")
        (target / f"{name}.csv").unlink()


def load_generator():
    path = REPO / "scripts" / "generate_sample_data.py"
    spec = importlib.util.spec_from_file_location("generate_sample_data", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def assert_same_dataset(actual: data.Dataset, expected: data.Dataset) -> None:
    for table in ("districts", "catalogue", "observations", "population"):
        pd.testing.assert_frame_equal(getattr(actual, table), getattr(expected, table))
    assert actual.metadata == expected.metadata


# --- fixtures --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> data.Dataset:
    return load_dataset()


@pytest.fixture(scope="module")
def sample(bundled) -> data.Dataset:
    """The bundled data, when they are still the generated sample data."""
    if not bundled.metadata["sample_data"]:
        pytest.skip("data/ holds real data (sample_data = false)")
    return bundled


@pytest.fixture
def small(tmp_path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(SMALL, folder)
    return folder


# --- good input ------------------------------------------------------------------------------------------


def test_bundled_data_loads(bundled):
    assert set(bundled.files) <= {*TABLES, "dataset"}
    assert bundled.observations["district"].dtype == "str"
    assert bundled.observations["numerator"].dtype == "float64"
    assert bundled.catalogue["years_pooled"].dtype == "int64"
    assert bundled.catalogue["multiplier"].dtype == "float64"


def test_bundled_sample_metadata(sample):
    assert sample.metadata["sample_data"] is True
    assert sample.metadata["sample_notice"].startswith("Beispieldaten")
    assert str(sample.metadata["stand"]) == "2025-03-31"
    assert latest_period(sample) == "2024"


def test_register_facts(bundled):
    districts = bundled.districts.set_index("code")
    assert districts["level"].value_counts().to_dict() == {
        "ortsteil": 24,
        "stadtteil": 9,
        "stadtbezirk": 2,
        "stadt": 1,
    }
    assert districts.loc["13", ["name", "population_2018"]].tolist() == ["Lehe", 38643]
    assert districts.loc["134", "name"] == "Goethestraße"
    assert districts.loc["252", ["name", "population_2018"]].tolist() == ["Luneplate", 0]
    assert districts.loc["4012", "population_2018"] == 117606  # sum of the 9 Stadtteile, reference data
    children = districts[districts["parent_code"].notna()].groupby("parent_code")["population_2018"].sum()
    assert (districts.loc[children.index, "population_2018"] == children).all()


def test_catalogue_covers_every_statistic_and_section(sample):
    catalogue = sample.catalogue
    assert len(catalogue) >= 30
    assert set(catalogue["statistic"]) == set(data.STATISTICS)
    assert set(catalogue["section"]) == set(data.SECTIONS)
    quarterly = catalogue.loc[catalogue["frequency"] == "quarterly", "id"]
    assert sorted(quarterly) == ["SOZ01", "SOZ02", "SOZ03"]
    assert (catalogue.loc[catalogue["section"] == "Kindergesundheit", "years_pooled"] == 3).all()


def test_sample_data_is_consistent(sample):
    observations, population = sample.observations, sample.population
    old = population[population["age_band"].isin(select_age_bands("65+"))]
    old = old.groupby(["district", "period"])["population"].sum()
    shares = observations[observations["indicator"] == "DEM04"].set_index(["district", "period"])
    pd.testing.assert_series_equal(shares["numerator"], old, check_names=False)
    assert "252" not in set(observations["district"]) | set(population["district"])
    premature = observations[observations["indicator"] == "GES02"]
    assert set(premature["age_band"]) == set(select_age_bands("0-64"))
    quota = observations[(observations["indicator"] == "SOZ01") & (observations["period"] == "2024-Q4")]
    quota = (quota["numerator"] / quota["denominator"]).set_axis(quota["district"])
    assert quota["134"] > 0.25 > 0.08 > quota["231"]  # Goethestraße vs Surheide


@pytest.mark.parametrize(
    "convert",
    [
        lambda source, target: to_excel_csv(source, target, "cp1252"),
        lambda source, target: to_excel_csv(source, target, "utf-8-sig"),
        to_xlsx,
    ],
    ids=["excel-csv-cp1252", "excel-csv-utf8-bom", "xlsx"],
)
def test_formats_give_equal_tables(small, tmp_path, convert):
    convert(small, tmp_path / "converted")
    converted = load_dataset(tmp_path / "converted")
    assert_same_dataset(converted, load_dataset(small))
    assert converted.files["observations"].parent == tmp_path / "converted"


def test_whitespace_case_bom_and_blank_rows_are_tolerated(small):
    expected = load_dataset(small).observations
    header, *body = read_rows(small / "observations.csv")
    padded = [[f" {name.upper()} " for name in header], *([f"  {c}\t" for c in cells] for cells in body)]
    padded += [[""] * len(header), [" "] * len(header)]
    write_rows(small / "observations.csv", padded, encoding="utf-8-sig")
    pd.testing.assert_frame_equal(load_dataset(small).observations, expected)


def test_extra_columns_are_ignored_with_a_warning(small, caplog):
    rows = read_rows(small / "population.csv")
    write_rows(small / "population.csv", [[*rows[0], "kommentar"], *([*r, "x"] for r in rows[1:])])
    with caplog.at_level(logging.WARNING, logger="quartiersprofile.data"):
        dataset = load_dataset(small)
    assert "kommentar" not in dataset.population.columns
    assert "population.csv" in caplog.text and "kommentar" in caplog.text


def test_missing_metadata_file_gives_defaults(small):
    (small / "dataset.toml").unlink()
    dataset = load_dataset(small)
    assert dataset.metadata == data.DEFAULT_METADATA
    assert "dataset" not in dataset.files


def test_period_helpers():
    assert sorted(["2024", "2023-Q4", "2024-Q1", "2023-Q1"], key=period_sort_key) == [
        "2023-Q1",
        "2023-Q4",
        "2024-Q1",
        "2024",
    ]
    assert period_sort_key("2024") == period_sort_key("2024-Q4")
    assert align_period("2024-Q2", "annual") == "2024"
    assert align_period("2024", "quarterly") == "2024-Q4"
    with pytest.raises(ValueError, match="2024Q3"):
        period_sort_key("2024Q3")


def test_age_bands():
    assert len(AGE_BANDS) == 19 and AGE_BANDS[0] == "0-4" and AGE_BANDS[-1] == "90+"
    assert select_age_bands("0-64")[-1] == "60-64" and len(select_age_bands("0-64")) == 13
    assert select_age_bands("65+") == AGE_BANDS[13:]
    with pytest.raises(ValueError):
        select_age_bands("0-63")


def test_problem_message_format():
    problem = Problem("observations.csv", 17, "numerator", "abc", "eine nicht-negative Zahl")
    assert (
        str(problem)
        == 'observations.csv, Zeile 17, Spalte "numerator": Wert "abc" – erwartet: eine nicht-negative Zahl'
    )


def test_schema_json_is_current():
    committed = json.loads((DATA_DIR / "schema.json").read_text(encoding="utf-8"))
    assert committed == contract_schema(), (
        "regenerate: python -c 'import quartiersprofile.data as d; d.write_contract_schema()'"
    )


def test_generator_is_deterministic_and_matches_committed_data(sample, tmp_path):
    generator = load_generator()
    first = generator.generate(out_dir=tmp_path / "first")
    second = generator.generate(out_dir=tmp_path / "second")
    for name, path in first.items():
        assert path.read_bytes() == second[name].read_bytes()
        assert path.read_bytes() == (DATA_DIR / f"{name}.csv").read_bytes(), f"rerun the generator ({name})"


# --- validation errors: one case per kind of problem -------------------------------------------------------


class Expected(NamedTuple):
    file: str
    row: int | None
    column: str | None
    value: str | None = None
    count: int | None = 1  # None: further problems follow from the same cause


def missing_column(folder):
    rows = read_rows(folder / "observations.csv")
    position = rows[0].index("numerator")
    write_rows(folder / "observations.csv", [r[:position] + r[position + 1 :] for r in rows])
    return Expected("observations.csv", 1, "numerator")


def duplicate_column(folder):
    rows = read_rows(folder / "observations.csv")
    write_rows(folder / "observations.csv", [[*rows[0], "period"], *([*r, ""] for r in rows[1:])])
    return Expected("observations.csv", 1, "period")


def empty_file(folder):
    (folder / "population.csv").write_bytes(b"")
    return Expected("population.csv", None, None)


def header_only(folder):
    (folder / "indicators.csv").write_text(read_rows_text(folder / "indicators.csv").splitlines()[0] + "\n")
    return Expected("indicators.csv", None, None)


def read_rows_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def unreadable_encoding(folder):
    (folder / "districts.csv").write_bytes(read_rows_text(folder / "districts.csv").encode("utf-16"))
    return Expected("districts.csv", None, None)


def corrupt_xlsx(folder):
    (folder / "population.csv").unlink()
    (folder / "population.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    return Expected("population.xlsx", None, None)


def missing_table(folder):
    (folder / "population.csv").unlink()
    return Expected("population.csv", None, None)


def csv_and_xlsx_both_present(folder):
    to_xlsx(folder, folder.parent / "xlsx")
    shutil.copy(folder.parent / "xlsx" / "population.xlsx", folder / "population.xlsx")
    return Expected("population.csv", None, None)


def non_numeric_count(folder):
    row = row_of(folder, "observations", indicator="SOZ01", district="134")
    set_cell(folder, "observations", row, "numerator", "abc")
    return Expected("observations.csv", row, "numerator", "abc")


def negative_count(folder):
    set_cell(folder, "population", 5, "population", "-3")
    return Expected("population.csv", 5, "population", "-3")


def numerator_above_denominator(folder):
    row = row_of(folder, "observations", indicator="SOZ01", district="134")
    value = str(int(cell(folder, "observations", row, "denominator")) + 1)
    set_cell(folder, "observations", row, "numerator", value)
    return Expected("observations.csv", row, "numerator", value)


def duplicate_row(folder):
    rows = read_rows(folder / "observations.csv")
    row = row_of(folder, "observations", indicator="SOZ01", district="111", period="2019-Q1")
    write_rows(folder / "observations.csv", [*rows, rows[row - 1]])
    return Expected(
        "observations.csv", len(rows) + 1, "indicator, district, period, age_band", "SOZ01 / 111 / 2019-Q1 / "
    )


def unknown_district(folder):
    row = row_of(folder, "observations", indicator="DEM03")
    set_cell(folder, "observations", row, "district", "999")
    return Expected("observations.csv", row, "district", "999")


def district_not_an_ortsteil(folder):
    row = row_of(folder, "observations", indicator="DEM03")
    set_cell(folder, "observations", row, "district", "13")
    return Expected("observations.csv", row, "district", "13")


def uninhabited_ortsteil(folder):
    row = row_of(folder, "observations", indicator="DEM03")
    set_cell(folder, "observations", row, "district", "252")
    return Expected("observations.csv", row, "district", "252")


def unknown_indicator(folder):
    set_cell(folder, "observations", 2, "indicator", "XYZ99")
    return Expected("observations.csv", 2, "indicator", "XYZ99")


def invalid_period(folder):
    row = row_of(folder, "observations", indicator="SOZ01")
    set_cell(folder, "observations", row, "period", "2024Q3")
    return Expected("observations.csv", row, "period", "2024Q3")


def quarter_for_annual_indicator(folder):
    row = row_of(folder, "observations", indicator="DEM01", period="2019")
    set_cell(folder, "observations", row, "period", "2019-Q1")
    return Expected("observations.csv", row, "period", "2019-Q1")


def year_for_quarterly_indicator(folder):
    row = row_of(folder, "observations", indicator="SOZ02", period="2019-Q1")
    set_cell(folder, "observations", row, "period", "2018")
    return Expected("observations.csv", row, "period", "2018")


def missing_denominator(folder):
    row = row_of(folder, "observations", indicator="SOZ01")
    set_cell(folder, "observations", row, "denominator", "")
    return Expected("observations.csv", row, "denominator", "")


def numerator_with_zero_denominator(folder):
    row = row_of(folder, "observations", indicator="VER01")
    set_cell(folder, "observations", row, "numerator", "3")
    set_cell(folder, "observations", row, "denominator", "0")
    return Expected("observations.csv", row, "numerator", "3")


def dsr_row_without_age_band(folder):
    row = row_of(folder, "observations", indicator="GES01", age_band="5-9")
    set_cell(folder, "observations", row, "age_band", "")
    return Expected("observations.csv", row, "age_band", "", count=None)


def dsr_band_outside_the_indicator(folder):
    row = row_of(folder, "observations", indicator="GES02", age_band="60-64")
    set_cell(folder, "observations", row, "age_band", "65-69")
    return Expected("observations.csv", row, "age_band", "65-69", count=None)


def dsr_bands_incomplete(folder):
    rows = read_rows(folder / "observations.csv")
    row = row_of(folder, "observations", indicator="GES01", district="134", period="2020", age_band="90+")
    write_rows(folder / "observations.csv", rows[: row - 1] + rows[row:])
    first = row_of(folder, "observations", indicator="GES01", district="134", period="2020")
    return Expected("observations.csv", first, "age_band")


def invalid_age_band(folder):
    row = row_of(folder, "observations", indicator="GES01", age_band="5-9")
    set_cell(folder, "observations", row, "age_band", "5-10")
    return Expected("observations.csv", row, "age_band", "5-10", count=None)


def age_band_on_other_statistic(folder):
    row = row_of(folder, "observations", indicator="DEM03")
    set_cell(folder, "observations", row, "age_band", "0-4")
    return Expected("observations.csv", row, "age_band", "0-4")


def mean_without_sd(folder):
    row = row_of(folder, "observations", indicator="KIG10", district="134")
    set_cell(folder, "observations", row, "sd", "")
    return Expected("observations.csv", row, "sd", "")


def sd_on_other_statistic(folder):
    row = row_of(folder, "observations", indicator="SOZ01")
    set_cell(folder, "observations", row, "sd", "1.5")
    return Expected("observations.csv", row, "sd", "1.5")


def invalid_sex(folder):
    set_cell(folder, "population", 3, "sex", "x")
    return Expected("population.csv", 3, "sex", "x", count=None)


def population_incomplete(folder):
    rows = read_rows(folder / "population.csv")
    write_rows(folder / "population.csv", rows[:-1])
    first = row_of(folder, "population", district=rows[-1][0], period=rows[-1][1])
    return Expected("population.csv", first, "age_band")


def year_expected_in_population(folder):
    set_cell(folder, "population", 2, "period", "2019-Q4")
    return Expected("population.csv", 2, "period", "2019-Q4", count=2)  # and 2019 now lacks w 0-4


def invalid_statistic(folder):
    row = row_of(folder, "indicators", id="DEM03")
    set_cell(folder, "indicators", row, "statistic", "median")
    return Expected("indicators.csv", row, "statistic", "median")


def invalid_polarity(folder):
    row = row_of(folder, "indicators", id="SOZ01")
    set_cell(folder, "indicators", row, "polarity", "higher_more_need")
    return Expected("indicators.csv", row, "polarity", "higher_more_need")


def invalid_frequency(folder):
    row = row_of(folder, "indicators", id="SOZ01")
    set_cell(folder, "indicators", row, "frequency", "monthly")
    return Expected("indicators.csv", row, "frequency", "monthly")


def invalid_section(folder):
    row = row_of(folder, "indicators", id="SOZ01")
    set_cell(folder, "indicators", row, "section", "Soziales")
    return Expected("indicators.csv", row, "section", "Soziales")


def invalid_age_bands_spec(folder):
    row = row_of(folder, "indicators", id="GES02")
    set_cell(folder, "indicators", row, "age_bands", "0-63")
    return Expected("indicators.csv", row, "age_bands", "0-63")


def age_bands_on_other_statistic(folder):
    row = row_of(folder, "indicators", id="DEM03")
    set_cell(folder, "indicators", row, "age_bands", "0-14")
    return Expected("indicators.csv", row, "age_bands", "0-14")


def years_pooled_not_whole(folder):
    row = row_of(folder, "indicators", id="KIG01")
    set_cell(folder, "indicators", row, "years_pooled", "2.5")
    return Expected("indicators.csv", row, "years_pooled", "2.5")


def multiplier_zero(folder):
    row = row_of(folder, "indicators", id="KIG01")
    set_cell(folder, "indicators", row, "multiplier", "0")
    return Expected("indicators.csv", row, "multiplier", "0")


def duplicate_indicator_id(folder):
    row = row_of(folder, "indicators", id="KIG02")
    set_cell(folder, "indicators", row, "id", "KIG01")
    return Expected("indicators.csv", row, "id", "KIG01", count=None)


def unknown_parent(folder):
    row = row_of(folder, "districts", code="111")
    set_cell(folder, "districts", row, "parent_code", "99")
    return Expected("districts.csv", row, "parent_code", "99")


def parent_on_wrong_level(folder):
    row = row_of(folder, "districts", code="111")
    set_cell(folder, "districts", row, "parent_code", "1")
    return Expected("districts.csv", row, "parent_code", "1")


def second_city(folder):
    set_cell(folder, "districts", row_of(folder, "districts", code="1"), "level", "stadt")
    return Expected("districts.csv", None, "level", count=None)


def ragged_row(folder):
    rows = read_rows(folder / "population.csv")
    rows[3] = [*rows[3], "", "Lehe, Nord"]
    write_rows(folder / "population.csv", rows)
    return Expected("population.csv", 4, None, "Lehe, Nord")


def excel_csv_with_decimal_point(folder):
    to_excel_csv(folder, folder.parent / "excel", "cp1252")
    row = row_of(folder, "observations", indicator="SOZ01")
    rows = read_rows(folder.parent / "excel" / "observations.csv", "cp1252", ";")
    rows[row - 1][rows[0].index("numerator")] = "12.5"
    write_rows(folder / "observations.csv", rows, "cp1252", ";")
    return Expected("observations.csv", row, "numerator", "12.5")


def xlsx_reports_excel_rows(folder):
    row = row_of(folder, "observations", indicator="SOZ01", district="134")
    to_xlsx(folder, folder.parent / "xlsx")
    workbook = openpyxl.load_workbook(folder.parent / "xlsx" / "observations.xlsx")
    workbook.active.cell(row=row, column=4, value="viele")  # column D = numerator
    workbook.save(folder / "observations.xlsx")
    (folder / "observations.csv").unlink()
    return Expected("observations.xlsx", row, "numerator", "viele")


def metadata_syntax(folder):
    (folder / "dataset.toml").write_text('title = "Profile"\nstand = \n', encoding="utf-8")
    return Expected("dataset.toml", 2, None)


def metadata_type(folder):
    (folder / "dataset.toml").write_text('sample_data = "ja"\n', encoding="utf-8")
    return Expected("dataset.toml", None, None, "sample_data = ja")


CASES: list[Callable[[Path], Expected]] = [
    missing_column,
    duplicate_column,
    empty_file,
    header_only,
    unreadable_encoding,
    corrupt_xlsx,
    missing_table,
    csv_and_xlsx_both_present,
    non_numeric_count,
    negative_count,
    numerator_above_denominator,
    duplicate_row,
    unknown_district,
    district_not_an_ortsteil,
    uninhabited_ortsteil,
    unknown_indicator,
    invalid_period,
    quarter_for_annual_indicator,
    year_for_quarterly_indicator,
    missing_denominator,
    numerator_with_zero_denominator,
    dsr_row_without_age_band,
    dsr_band_outside_the_indicator,
    dsr_bands_incomplete,
    invalid_age_band,
    age_band_on_other_statistic,
    mean_without_sd,
    sd_on_other_statistic,
    invalid_sex,
    population_incomplete,
    year_expected_in_population,
    invalid_statistic,
    invalid_polarity,
    invalid_frequency,
    invalid_section,
    invalid_age_bands_spec,
    age_bands_on_other_statistic,
    years_pooled_not_whole,
    multiplier_zero,
    duplicate_indicator_id,
    unknown_parent,
    parent_on_wrong_level,
    second_city,
    ragged_row,
    excel_csv_with_decimal_point,
    xlsx_reports_excel_rows,
    metadata_syntax,
    metadata_type,
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_validation_error_names_file_row_column_and_value(small, case):
    expected = case(small)
    with pytest.raises(DataValidationError) as caught:
        load_dataset(small)
    problems = caught.value.problems
    found = [p for p in problems if (p.file, p.row, p.column) == expected[:3]]
    assert found, str(caught.value)
    assert expected.value is None or found[0].value == expected.value
    assert expected.count is None or len(problems) == expected.count, str(caught.value)
    message = str(caught.value)
    assert str(found[0]) in message
    assert expected.row is None or f"Zeile {expected.row}" in str(found[0])
    assert expected.column is None or f'Spalte "{expected.column}"' in str(found[0])


def test_all_problems_are_reported_at_once(small):
    cases = [non_numeric_count, unknown_parent, invalid_polarity, negative_count, metadata_type]
    expected = [case(small) for case in cases]
    with pytest.raises(DataValidationError) as caught:
        load_dataset(small)
    locations = {(p.file, p.row, p.column) for p in caught.value.problems}
    assert {e[:3] for e in expected} <= locations
    assert str(caught.value).startswith(f"{len(caught.value.problems)} Probleme in den Eingabedaten:")
    assert len(str(caught.value).splitlines()) == len(caught.value.problems) + 1
