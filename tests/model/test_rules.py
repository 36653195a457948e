"""The rules across rows and tables of the input (quartiersprofile.model.rules): each kind of problem is reported
with file, row, column and value; the registry feeds the machine-readable contract."""

from __future__ import annotations

import pandas as pd
import pytest
from support.data_folders import Expected, assert_reported, cell, read_rows, row_of, set_cell, write_rows

from quartiersprofile.model.contract import OPTIONAL_TABLES, TABLES, DataValidationError, Problem
from quartiersprofile.model.dataset import load_dataset
from quartiersprofile.model.rules import RULES, run_rules


def test_every_rule_is_on_a_table_of_the_contract_and_described():
    assert RULES
    for rule in RULES:
        known = {*TABLES, *OPTIONAL_TABLES}
        assert rule.table in known and set(rule.needs) <= known and rule.needs[0] == rule.table
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


# --- results by sex and the catalogue's outcome columns -------------------------------------------------------


def split_by_sex(folder, indicator="GES01"):
    """Mark `indicator` by_sex and replace each of its observation rows by a row for women and one for men that sum
    to it (women get half, rounded down). Returns the file row of the first women's row."""
    header, *body = read_rows(folder / "indicators.csv")
    header.append("by_sex")
    body = [[*cells, "true" if cells[0] == indicator else ""] for cells in body]
    write_rows(folder / "indicators.csv", [header, *body])
    header, *body = read_rows(folder / "observations.csv")
    number, denominator = header.index("numerator"), header.index("denominator")
    rows = []
    for cells in body:
        if cells[0] != indicator:
            rows.append([*cells, ""])
            continue
        women = [*cells, "w"]
        women[number], women[denominator] = str(int(cells[number]) // 2), str(int(cells[denominator]) // 2)
        men = [*cells, "m"]
        men[number] = str(int(cells[number]) - int(women[number]))
        men[denominator] = str(int(cells[denominator]) - int(women[denominator]))
        rows += [women, men]
    write_rows(folder / "observations.csv", [[*header, "sex"], *rows])
    return row_of(folder, "observations", indicator=indicator, sex="w")


def test_rows_by_sex_are_read_and_all_persons_are_their_sums(small, small_dataset):
    split_by_sex(small)
    dataset = load_dataset(small)
    split = dataset.observations[dataset.observations["indicator"] == "GES01"]
    assert set(split["sex"]) == {"w", "m"} and dataset.catalogue.set_index("id").at["GES01", "by_sex"] == "true"
    original = small_dataset.observations[small_dataset.observations["indicator"] == "GES01"]
    keys = ["district", "period", "age_band"]
    summed = split.groupby(keys)[["numerator", "denominator"]].sum()
    pd.testing.assert_frame_equal(summed, original.groupby(keys)[["numerator", "denominator"]].sum())


def test_a_row_by_sex_without_its_other_sex_is_reported(small):
    first = split_by_sex(small)
    rows = read_rows(small / "observations.csv")
    del rows[first]  # the men's row right after it
    write_rows(small / "observations.csv", rows)
    assert_reported(small, Expected("observations.csv", first, "sex", count=None))
    with pytest.raises(DataValidationError, match="fehlt: m"):
        load_dataset(small)


def test_a_sex_on_an_indicator_not_by_sex_and_a_missing_sex_are_reported(small):
    first = split_by_sex(small)
    other = row_of(small, "observations", indicator="SOZ01")
    set_cell(small, "observations", other, "sex", "w")
    set_cell(small, "observations", first, "sex", "")
    with pytest.raises(DataValidationError) as caught:
        load_dataset(small)
    found = {(p.row, p.column): p.expected for p in caught.value.problems}
    assert found[(other, "sex")] == "leer (Geschlecht nur bei Indikatoren mit by_sex = true)"
    assert found[(first, "sex")] == "w oder m (Pflichtfeld bei by_sex = true)"


def test_deaths_of_one_sex_above_its_population_are_reported(small):
    first = split_by_sex(small)
    population = cell(small, "observations", first, "denominator")
    set_cell(small, "observations", first, "numerator", str(int(population) + 1))
    assert_reported(small, Expected("observations.csv", first, "numerator", str(int(population) + 1), count=None))


def mark(folder, column, values: dict[str, str]):
    header, *body = read_rows(folder / "indicators.csv")
    header.append(column)
    write_rows(folder / "indicators.csv", [header, *([*cells, values.get(cells[0], "")] for cells in body)])
    return {cells[0]: number for number, cells in enumerate(body, start=2)}


@pytest.mark.parametrize(
    ("column", "values", "bad", "expected"),
    [
        ("life_expectancy", {"SOZ01": "true"}, "SOZ01", "Lebenserwartung nur aus Gestorbenen"),
        ("smr", {"SOZ01": "true"}, "SOZ01", 'SMR nur für Sterblichkeit, statistic "dsr"'),
        ("inequality", {"SOZ01": "rank", "SOZ02": "rank"}, "SOZ02", "nur ein Indikator ordnet die Gebiete"),
        ("inequality", {"SOZ02": "measure"}, "SOZ02", 'ein Indikator mit inequality = "rank"'),
        ("inequality", {"SOZ02": "gradient"}, "SOZ02", "einer der Werte rank, measure"),
    ],
)
def test_outcome_columns_on_the_wrong_indicator_are_reported(small, column, values, bad, expected):
    rows = mark(small, column, values)
    with pytest.raises(DataValidationError) as caught:
        load_dataset(small)
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.column) == ("indicators.csv", rows[bad], column)
    assert expected in problem.expected


def test_life_expectancy_on_the_deaths_by_sex_is_accepted(small):
    split_by_sex(small)
    mark(small, "life_expectancy", {"GES01": "true"})
    assert load_dataset(small).catalogue.set_index("id").at["GES01", "life_expectancy"] == "true"
