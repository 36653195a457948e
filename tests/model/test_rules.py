"""The rules across rows and tables of the input (quartiersprofile.model.rules): each kind of problem is reported
with file, row, column and value; the registry feeds the machine-readable contract."""

from __future__ import annotations

import pytest
from support.data_folders import Expected, assert_reported, cell, read_rows, row_of, set_cell, write_rows

from quartiersprofile.model.contract import TABLES, DataValidationError, Problem
from quartiersprofile.model.dataset import load_dataset
from quartiersprofile.model.rules import RULES, run_rules


def test_every_rule_is_on_a_table_of_the_contract_and_described():
    assert RULES
    for rule in RULES:
        assert rule.table in TABLES and set(rule.needs) <= set(TABLES) and rule.needs[0] == rule.table
        assert rule.description.endswith(".")


def test_without_tables_no_rule_runs():
    assert run_rules({}) == [] and run_rules({}, cross=True) == []


# --- validation errors: one case per kind of problem a rule finds -----------------------------------------------


def numerator_above_denominator(folder):
    row = row_of(folder, "observations", indicator="SOZ01", district="134")
    value = str(int(cell(folder, "observations", row, "denominator")) + 1)
    set_cell(folder, "observations", row, "numerator", value)
    return Expected("observations.csv", row, "numerator", value)


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


def population_incomplete(folder):
    rows = read_rows(folder / "population.csv")
    write_rows(folder / "population.csv", rows[:-1])
    first = row_of(folder, "population", district=rows[-1][0], period=rows[-1][1])
    return Expected("population.csv", first, "age_band")


def age_bands_on_other_statistic(folder):
    row = row_of(folder, "indicators", id="DEM03")
    set_cell(folder, "indicators", row, "age_bands", "0-14")
    return Expected("indicators.csv", row, "age_bands", "0-14")


def unknown_parent(folder):
    row = row_of(folder, "districts", code="111")
    set_cell(folder, "districts", row, "parent_code", "99")
    return Expected("districts.csv", row, "parent_code", "99")


def parent_on_wrong_level(folder):
    row = row_of(folder, "districts", code="111")
    set_cell(folder, "districts", row, "parent_code", "1")
    return Expected("districts.csv", row, "parent_code", "1")


def second_city(folder):
    row = row_of(folder, "districts", code="1")
    set_cell(folder, "districts", row, "level", "stadt")
    return Expected("districts.csv", row, "level", "stadt", count=None)


CASES = [
    numerator_above_denominator,
    unknown_district,
    district_not_an_ortsteil,
    uninhabited_ortsteil,
    unknown_indicator,
    quarter_for_annual_indicator,
    year_for_quarterly_indicator,
    missing_denominator,
    numerator_with_zero_denominator,
    dsr_row_without_age_band,
    dsr_band_outside_the_indicator,
    dsr_bands_incomplete,
    age_band_on_other_statistic,
    mean_without_sd,
    sd_on_other_statistic,
    population_incomplete,
    age_bands_on_other_statistic,
    unknown_parent,
    parent_on_wrong_level,
    second_city,
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_validation_error_names_file_row_column_and_value(small, case):
    assert_reported(small, case(small))


# --- regressions: one small folder, one defect each ---------------------------------------------------------------


def level_problems(folder) -> list[Problem]:
    with pytest.raises(DataValidationError) as caught:
        load_dataset(folder)
    return [problem for problem in caught.value.problems if problem.column == "level"]


def test_every_city_row_after_the_first_is_reported_with_its_row(small):
    """They used to be reported once, without a row to look at."""
    rows = [row_of(small, "districts", code=code) for code in ("1", "2")]
    for row in rows:
        set_cell(small, "districts", row, "level", "stadt")
    city = row_of(small, "districts", code="4012")
    expected = f'genau eine Zeile mit level "stadt" (die Stadt steht schon in Zeile {city})'
    assert level_problems(small) == [Problem("districts.csv", row, "level", "stadt", expected) for row in rows]


def test_a_register_without_a_city_is_reported_once(small):
    set_cell(small, "districts", row_of(small, "districts", code="4012"), "level", "stadtbezirk")
    expected = 'genau eine Zeile mit level "stadt" (die Stadt)'
    assert level_problems(small) == [Problem("districts.csv", None, "level", None, expected)]
