"""The data contract (quartiersprofile.model.contract): the columns' own checks (pandera schemas) and how a
problem is reported."""

from __future__ import annotations

from dataclasses import replace

import pytest
from support.data_folders import Expected, assert_reported, read_rows, row_of, set_cell, write_rows
from support.generated_inputs import MINIMAL, Format, located, rejected, write_inputs

from quartiersprofile.model.contract import DataValidationError, Problem


def test_problem_message_format():
    problem = Problem("observations.csv", 17, "numerator", "abc", "eine nicht-negative Zahl")
    assert (
        str(problem)
        == 'observations.csv, Zeile 17, Spalte "numerator": Wert "abc" – erwartet: eine nicht-negative Zahl'
    )


def test_a_line_break_in_a_cell_stays_on_the_problem_s_line():
    problem = Problem("indicators.csv", 3, "name", "Zeile eins\nZeile zwei", "ein Name")
    assert "\n" not in str(problem) and "Zeile eins↵Zeile zwei" in str(problem)


def test_error_message_counts_and_lists_every_problem():
    one = DataValidationError([Problem("a.csv", None, None, None, "x")])
    two = DataValidationError([Problem("a.csv", 2, None, None, "x"), Problem("b.csv", None, "c", None, "y")])
    assert str(one) == "1 Problem in den Eingabedaten:\n  a.csv: erwartet: x"
    assert str(two).splitlines() == [
        "2 Probleme in den Eingabedaten:",
        "  a.csv, Zeile 2: erwartet: x",
        '  b.csv, Spalte "c": erwartet: y',
    ]


# --- validation errors: one case per kind of problem a column's own check finds ---------------------------------


def negative_count(folder):
    set_cell(folder, "population", 5, "population", "-3")
    return Expected("population.csv", 5, "population", "-3")


def duplicate_row(folder):
    rows = read_rows(folder / "observations.csv")
    row = row_of(folder, "observations", indicator="SOZ01", district="111", period="2019-Q1")
    write_rows(folder / "observations.csv", [*rows, rows[row - 1]])
    return Expected(
        "observations.csv", len(rows) + 1, "indicator, district, period, age_band", "SOZ01 / 111 / 2019-Q1 / "
    )


def invalid_period(folder):
    row = row_of(folder, "observations", indicator="SOZ01")
    set_cell(folder, "observations", row, "period", "2024Q3")
    return Expected("observations.csv", row, "period", "2024Q3")


def invalid_age_band(folder):
    row = row_of(folder, "observations", indicator="GES01", age_band="5-9")
    set_cell(folder, "observations", row, "age_band", "5-10")
    return Expected("observations.csv", row, "age_band", "5-10", count=None)


def invalid_sex(folder):
    set_cell(folder, "population", 3, "sex", "x")
    return Expected("population.csv", 3, "sex", "x", count=None)


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


CASES = [
    negative_count,
    duplicate_row,
    invalid_period,
    invalid_age_band,
    invalid_sex,
    year_expected_in_population,
    invalid_statistic,
    invalid_polarity,
    invalid_frequency,
    invalid_section,
    invalid_age_bands_spec,
    years_pooled_not_whole,
    multiplier_zero,
    duplicate_indicator_id,
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_validation_error_names_file_row_column_and_value(small, case):
    assert_reported(small, case(small))


# --- regressions: one small folder, one defect each ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "column", "value"), [
    ("districts", "population_2018", "1e19"), ("districts", "population_2018", "12345678901234567"),
    ("indicators", "years_pooled", "1e300"),
])
def test_whole_numbers_beyond_15_digits_are_reported_not_wrapped(tmp_path, name, column, value):
    inputs = MINIMAL
    changed = replace(inputs, tables={**inputs.tables, name: inputs.tables[name].with_cell(0, column, value)})
    write_inputs(tmp_path, changed, Format())
    error = rejected(tmp_path, {f"{name}.csv"})
    assert located(error, f"{name}.csv", 2, column), str(error)


def test_periods_need_ascii_digits(tmp_path):
    inputs = MINIMAL
    table = inputs.tables["observations"].with_cell(0, "period", "２０２４")
    write_inputs(tmp_path, replace(inputs, tables={**inputs.tables, "observations": table}), Format())
    error = rejected(tmp_path, {"observations.csv"})
    assert located(error, "observations.csv", 2, "period"), str(error)
