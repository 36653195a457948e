"""Editing a copy of the small fixture data (tests/fixtures/data_small) cell by cell, converting it to the other
accepted formats (German Excel CSV, XLSX), and checking that a broken folder is reported at the right place."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import NamedTuple

import openpyxl
import pandas as pd
import pytest

from quartiersprofile.model.contract import SCHEMAS, TABLES, DataValidationError
from quartiersprofile.model.dataset import Dataset, load_dataset

#: A frozen copy of the sample data for Weddewarden (tiny counts) and Goethestraße, independent of data/.
SMALL = Path(__file__).resolve().parents[1] / "fixtures" / "data_small"
NUMBER_COLUMNS = {
    name: [column for column, spec in SCHEMAS[name].columns.items() if str(spec.dtype) == "float64"]
    for name in TABLES
}


def read_rows(path: Path, encoding: str = "utf-8", delimiter: str = ",") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def write_rows(path: Path, rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> None:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator="\r\n").writerows(rows)


def read_rows_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


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
        numeric = [header.index(column) for column in NUMBER_COLUMNS[name] if column in header]
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


def assert_same_dataset(actual: Dataset, expected: Dataset) -> None:
    for table in ("districts", "catalogue", "observations", "population"):
        pd.testing.assert_frame_equal(getattr(actual, table), getattr(expected, table))
    assert actual.metadata == expected.metadata


class Expected(NamedTuple):
    """Where a broken folder must be reported: file, row (header = 1), column and the cell's value."""

    file: str
    row: int | None
    column: str | None
    value: str | None = None
    count: int | None = 1  # None: further problems follow from the same cause


def assert_reported(folder: Path, expected: Expected) -> None:
    """Loading `folder` fails with a `DataValidationError` that names file, row, column and value as expected."""
    with pytest.raises(DataValidationError) as caught:
        load_dataset(folder)
    problems = caught.value.problems
    found = [p for p in problems if (p.file, p.row, p.column) == expected[:3]]
    assert found, str(caught.value)
    assert expected.value is None or found[0].value == expected.value
    assert expected.count is None or len(problems) == expected.count, str(caught.value)
    message = str(caught.value)
    assert str(found[0]) in message
    assert expected.row is None or f"Zeile {expected.row}" in str(found[0])
    assert expected.column is None or f'Spalte "{expected.column}"' in str(found[0])
