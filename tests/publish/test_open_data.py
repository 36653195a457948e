"""The city-wide open data of a period (quartiersprofile.publish.open_data): every area × indicator × period of the
data up to the report period, with the numbers exactly as the reports print them, the sample notice in every row,
a valid Frictionless Data Package, an XLSX that explains itself, and the same bytes when made again."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from quartiersprofile.content import text
from quartiersprofile.content.tables import latest_period
from quartiersprofile.model import periods
from quartiersprofile.publish.downloads import SAMPLE_NOTICE, SEX_LABELS
from quartiersprofile.publish.open_data import DESCRIPTOR, FILES, PRIMARY_KEY, open_data_files, open_data_rows
from quartiersprofile.stats.suppression import SUPPRESSED_MARKER

FRICTIONLESS = Path(sys.executable).parent / "frictionless"
BUILD_ID = "0123456789ab"


@pytest.fixture(scope="module")
def tables(sample_dataset, bundled_tables):
    return bundled_tables


@pytest.fixture(scope="module")
def period(tables) -> str:
    return latest_period(tables)


@pytest.fixture(scope="module")
def files(tables, period) -> dict[str, bytes]:
    return open_data_files(tables, period, BUILD_ID)


@pytest.fixture(scope="module")
def rows(files) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files[FILES["csv"]].decode("utf-8-sig")), delimiter=";"))


def served(tables, period: str) -> pd.DataFrame:
    """The indicator table's rows (and rows by sex, `sex` "" for all persons) the reports of `period` show."""
    by_sex = tables.by_sex if tables.by_sex is not None else tables.indicators.iloc[0:0]
    table = pd.concat([tables.indicators.assign(sex=""), by_sex], ignore_index=True)
    return table[[periods.serves(p, period) for p in table["period"]]]


def test_the_files_of_a_period(files):
    assert set(files) == set(FILES.values()) == {
        "daten-bremerhaven.csv", "daten-bremerhaven.xlsx", "daten-bremerhaven.parquet", "datapackage.json"
    }  # fmt: skip


def test_one_row_per_area_indicator_and_period_up_to_the_report_period(tables, period, rows):
    assert len(rows) == len(served(tables, period)) > 0
    keys = [tuple(row[name] for name in PRIMARY_KEY) for row in rows]
    assert len(set(keys)) == len(keys)
    assert {row["Gebietscode"] for row in rows} == {area.code for area in tables.areas}
    assert {row["Kennziffer"] for row in rows} == set(tables.catalogue["id"])
    per_indicator = pd.Series([row["Kennziffer"] for row in rows]).value_counts()
    expected = served(tables, period).groupby("indicator").size()
    assert per_indicator.sort_index().to_dict() == expected.sort_index().to_dict()


def test_a_quarter_shows_its_quarters_and_the_annual_values_of_its_year_and_before(tables):
    quarter = "2022-Q2"
    table = open_data_rows(tables, quarter)
    assert len(table) == len(served(tables, quarter)) < len(served(tables, latest_period(tables)))
    shown = set(table["period"])
    assert {"2022-Q2", "2022", "2021-Q4"} <= shown and not shown & {"2022-Q3", "2023", "2023-Q1"}


def test_rows_are_in_catalogue_register_and_time_order(tables, rows):
    order = {indicator: i for i, indicator in enumerate(tables.catalogue["id"])}
    areas = {area.code: i for i, area in enumerate(tables.areas)}
    keys = [(order[r["Kennziffer"]], areas[r["Gebietscode"]]) for r in rows]
    assert keys == sorted(keys)
    first = [r["Zeitraum"] for r in rows if r["Kennziffer"] == "SOZ01" and r["Gebietscode"] == "13"]
    assert first[:2] == ["1. Quartal 2019", "2. Quartal 2019"]


def test_values_are_rounded_as_the_report_prints_them(tables, period, rows):
    table = served(tables, period).assign(label=lambda t: t["period_label"].map(periods.label))
    table = table.set_index(["indicator", "area", "sex", "label"])
    units = tables.catalogue.set_index("id")["unit"]
    sexes = {label: code for code, label in SEX_LABELS.items()}
    checked = 0
    for row in rows:
        cell = table.loc[(row["Kennziffer"], row["Gebietscode"], sexes[row["Geschlecht"]], row["Zeitraum"])]
        places = text.decimals_for(units[row["Kennziffer"]])
        for column, name in (("Wert", "value"), ("KI 95 % unten", "lower"), ("KI 95 % oben", "upper"),
                             ("Bremerhaven", "city_value")):  # fmt: skip
            printed = "" if text.is_missing(cell[name]) else text.format_number(cell[name], places).replace(".", "")
            assert row[column] == printed, (row["Kennziffer"], row["Gebietscode"], row["Zeitraum"], column)
            checked += printed != ""
        for column, name in (("Zähler", "numerator"), ("Nenner", "denominator")):
            number = cell[name]
            if not text.is_missing(number) and float(number).is_integer():
                assert row[column] == str(int(number))  # "38445", not "38445,0"
    assert checked > len(rows)


def test_hidden_cells_are_blank_and_marked(tables, period, rows):
    hidden = [row for row in rows if row["Unterdrückt"] == SUPPRESSED_MARKER]
    assert len(hidden) == served(tables, period)["suppressed"].sum() > 0
    for row in hidden:
        assert row["Wert"] == row["KI 95 % unten"] == row["KI 95 % oben"] == row["Zähler"] == row["Fälle"] == ""
        assert row["Vergleich (95 %)"] == row["Trend"] == text.CLASSIFICATION_LABELS["suppressed"]


def test_the_sample_notice_stands_in_every_row(rows, files):
    assert rows and all(row["Hinweis"] == SAMPLE_NOTICE for row in rows)
    frame = pd.read_parquet(io.BytesIO(files[FILES["parquet"]]))
    assert (frame["Hinweis"] == SAMPLE_NOTICE).all()


def test_the_data_package_is_valid(files, tmp_path):
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    result = subprocess.run([str(FRICTIONLESS), "validate", str(tmp_path / DESCRIPTOR)],
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "VALID" in result.stdout and "INVALID" not in result.stdout


def test_a_broken_csv_fails_the_validation(files, rows, tmp_path):
    """The validation checks what the descriptor says: here the primary key (one row made a copy of another's key,
    bytes unchanged)."""
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    lines = files[FILES["csv"]].decode("utf-8-sig").split("\r\n")
    first, second = lines[1].split(";"), lines[2].split(";")
    header = lines[0].split(";")
    column = header.index("Zeitraum")
    assert first[header.index("Gebietscode")] == second[header.index("Gebietscode")]
    assert len(first[column]) == len(second[column])
    second[column] = first[column]
    lines[2] = ";".join(second)
    broken = "\r\n".join(lines).encode("utf-8-sig")
    assert len(broken) == len(files[FILES["csv"]])
    (tmp_path / FILES["csv"]).write_bytes(broken)
    result = subprocess.run([str(FRICTIONLESS), "validate", str(tmp_path / DESCRIPTOR)],
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode != 0 and "primary-key" in result.stdout


def test_the_descriptor_describes_the_csv(tables, period, files, rows):
    package = json.loads(files[DESCRIPTOR])
    (resource,) = package["resources"]
    assert resource["path"] == FILES["csv"] and resource["bytes"] == len(files[FILES["csv"]])
    fields = resource["schema"]["fields"]
    assert [field["name"] for field in fields] == list(rows[0])
    assert resource["schema"]["primaryKey"] == PRIMARY_KEY
    assert {field["name"]: field["type"] for field in fields}["Wert"] == "number"
    assert all(field.get("decimalChar") == "," for field in fields if field["type"] == "number")
    assert "Beispieldaten" in package["keywords"] and SAMPLE_NOTICE in package["description"]
    assert tables.rule.describe_de() in package["description"] and periods.label(period) in package["title"]


def test_the_files_are_byte_identical_when_made_again(tables, period, files):
    assert open_data_files(tables, period, BUILD_ID) == files


def test_the_xlsx_explains_itself(tables, period, files, rows):
    workbook = load_workbook(io.BytesIO(files[FILES["xlsx"]]))
    assert workbook.sheetnames == ["Alle Gebiete", "Hinweise"]
    data = workbook["Alle Gebiete"]
    assert data.max_row == len(rows) + 1 and [c.value for c in data[1]] == list(rows[0])
    notes = [tuple(v for v in row if v is not None) for row in workbook["Hinweise"].values]
    assert periods.label(period) in notes[0][0]
    assert ("Hinweis", tables.metadata["sample_notice"]) in notes
    assert ("Kleine Fallzahlen", tables.rule.describe_de()) in notes
    assert ("Kennung", BUILD_ID) in notes
    symbols = dict(row for row in notes if len(row) == 2)
    assert "nicht ausgewiesen" in symbols[SUPPRESSED_MARKER]
    assert "Unterdrückt" in symbols and SUPPRESSED_MARKER in symbols["Unterdrückt"]


def test_the_parquet_file_holds_the_same_rows(files, rows):
    frame = pd.read_parquet(io.BytesIO(files[FILES["parquet"]]))
    assert list(frame.columns) == list(rows[0]) and len(frame) == len(rows)
    assert frame["Zähler"].dtype == np.float64
    counts = pd.to_numeric(pd.Series([row["Zähler"] for row in rows]), errors="coerce")
    assert np.allclose(frame["Zähler"].to_numpy(), counts.to_numpy(), equal_nan=True)
