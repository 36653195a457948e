"""Focus groups declared in dataset.toml (quartiersprofile.model.focus), and the optional official projection
(projection.csv) of the data contract: both validated like every input, with file, line or row and key."""

from __future__ import annotations

import pandas as pd
import pytest

from quartiersprofile.model.age_bands import AGE_BANDS
from quartiersprofile.model.contract import PROJECTION_HORIZON, DataValidationError
from quartiersprofile.model.dataset import contract_schema, load_dataset
from quartiersprofile.model.focus import FocusGroup, focus_groups, overview_codes

GROUP = """
[focus_groups.labore]
title = "Labore"
areas = ["11", "13"]
year = 2022
"""


def _with_metadata(folder, text: str):
    path = folder / "dataset.toml"
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    return path


def _problems(folder) -> list:
    with pytest.raises(DataValidationError) as caught:
        load_dataset(folder)
    return caught.value.problems


def test_the_bundled_data_declare_the_demografielabore_and_the_overview_s_focus_districts(bundled_dataset):
    groups = {group.key: group for group in focus_groups(bundled_dataset.metadata)}
    labs = groups["demografielabore"]
    assert labs.areas == ("212", "215", "23") and labs.year == 2022 and labs.builds_report
    assert labs.slug == "fokus-demografielabore" and labs.title == "Demografielabore"
    assert not groups["fokusgebiete"].builds_report
    assert overview_codes(bundled_dataset.metadata) == ("13", "12", "212", "215", "23")


def test_a_valid_group_loads(small):
    _with_metadata(small, GROUP)
    (group,) = focus_groups(load_dataset(small).metadata)
    assert group == FocusGroup("labore", "Labore", ("11", "13"), 2022)


def test_no_groups_no_marks(small_dataset):
    assert focus_groups(small_dataset.metadata) == () and overview_codes(small_dataset.metadata) == ()


@pytest.mark.parametrize(
    ("declaration", "value", "expected"),
    [
        ('areas = ["11", "999"]\nyear = 2022', 'focus_groups.x.areas = "999"', "ein Gebietscode aus districts.csv"),
        ('areas = ["11", "252"]\nyear = 2022', 'focus_groups.x.areas = "252"', "eigenem Profil"),  # Luneplate
        ('areas = ["11", "11"]\nyear = 2022', 'focus_groups.x.areas = "11"', "nur einmal"),
        ("areas = []\nyear = 2022", "focus_groups.x.areas = []", "eine Liste von Gebietscodes"),
        ('areas = ["11"]', "focus_groups.x.year = (fehlt)", "report = false"),
        ('areas = ["11"]\nyear = 1990', "focus_groups.x.year = 1990", "(2019–2024)"),
        ('areas = ["11"]\nyear = "2022"', "focus_groups.x.year = 2022", "eine Jahreszahl"),
        ('areas = ["11"]\nyear = 2022\ncolour = "rot"', "focus_groups.x.colour = rot", "einer der Schlüssel"),
        ('areas = ["11"]\nyear = 2022\nreport = "ja"', "focus_groups.x.report = ja", "true oder false"),
    ],
)
def test_a_broken_group_is_reported_with_file_line_and_key(small, declaration, value, expected):
    _with_metadata(small, f"\n[focus_groups.x]\ntitle = \"X\"\n{declaration}\n")
    text = (small / "dataset.toml").read_text(encoding="utf-8").splitlines()
    (problem,) = _problems(small)
    assert (problem.file, problem.value) == ("dataset.toml", value)
    assert expected in problem.expected
    key = value.split(" = ")[0].rsplit(".", 1)[-1]
    line = text[problem.row - 1]
    if value.endswith("(fehlt)"):  # a missing key: the group's header line
        assert line == "[focus_groups.x]"
    else:  # the line of the key in the file
        assert line.split("=")[0].strip() == key


def test_a_group_without_report_needs_no_year(small):
    _with_metadata(small, '\n[focus_groups.marken]\nareas = ["13"]\nreport = false\n')
    (group,) = focus_groups(load_dataset(small).metadata)
    assert group.year is None and not group.builds_report and group.title == "Marken"


def test_focus_groups_must_be_tables(small):
    _with_metadata(small, "\nfocus_groups = 5\n")
    (problem,) = _problems(small)
    assert problem.value == "focus_groups = 5" and "Tabellen" in problem.expected


# --- projection.csv -----------------------------------------------------------------------------------------


def _official(years=range(2025, 2025 + PROJECTION_HORIZON)) -> pd.DataFrame:
    rows = [(str(y), s, b, 100.0 + i) for y in years for s in ("w", "m") for i, b in enumerate(AGE_BANDS)]
    return pd.DataFrame(rows, columns=["year", "sex", "age_band", "population"])


def test_without_projection_csv_there_is_no_control_table(small_dataset):
    assert small_dataset.projection is None and "projection" not in small_dataset.files


def test_an_official_projection_is_read_and_typed(small):
    _official().to_csv(small / "projection.csv", index=False)
    dataset = load_dataset(small)
    assert dataset.files["projection"] == small / "projection.csv"
    assert list(dataset.projection.columns) == ["year", "sex", "age_band", "population"]
    assert len(dataset.projection) == PROJECTION_HORIZON * 38 and dataset.projection["population"].dtype == "float64"


def test_a_projection_without_every_projected_year_is_reported(small):
    _official(range(2025, 2031)).to_csv(small / "projection.csv", index=False)
    (problem,) = _problems(small)
    assert (problem.file, problem.column) == ("projection.csv", "year")
    assert "2025 bis 2034" in problem.expected and "2031, 2032, 2033, 2034" in problem.expected


def test_projection_cells_are_reported_with_row_and_column(small):
    table = _official()
    table.loc[3, "population"] = -5
    table.loc[7, "sex"] = "x"
    table = table.drop(index=12)
    table.to_csv(small / "projection.csv", index=False)
    problems = {(p.file, p.row, p.column) for p in _problems(small)}
    assert ("projection.csv", 5, "population") in problems  # header = row 1
    assert ("projection.csv", 9, "sex") in problems
    assert any(column == "age_band" for file, _, column in problems if file == "projection.csv")  # incomplete year


def test_both_a_csv_and_an_xlsx_projection_is_one_too_many(small):
    _official().to_csv(small / "projection.csv", index=False)
    _official().to_excel(small / "projection.xlsx", index=False)
    (problem,) = _problems(small)
    assert problem.file == "projection.csv" and "nur eine der Dateien" in problem.expected


def test_the_contract_marks_the_projection_optional():
    tables = contract_schema()["tables"]
    assert tables["projection"]["optional"] is True and tables["population"]["optional"] is False
    assert tables["projection"]["key"] == ["year", "sex", "age_band"]
