"""Reading the input files: CSV (UTF-8 or as German Excel saves it) and XLSX, cell texts with their row numbers,
numbers in the file's format, and the schema check of one table."""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from .contract import SCHEMAS, Problem

logger = logging.getLogger(__name__)

_NUMBER = {
    ".": re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"),
    ",": re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?"),
}


class ReadError(Exception):
    """A file cannot be read at all; carries what was expected and, if known, the row where reading failed."""

    def __init__(self, expected: str, row: int | None = None):
        super().__init__(expected)
        self.row = row


@dataclass(frozen=True)
class Table:
    """One table as read: `raw` holds the cell texts, `typed` the converted cells; index = row in the file."""

    name: str
    file: str
    raw: pd.DataFrame
    typed: pd.DataFrame

    def cell(self, row: int, column: str) -> str:
        value = self.raw.at[row, column]
        return "" if pd.isna(value) else str(value)

    def problems_where(self, bad: pd.Series, column: str, expected: str | pd.Series) -> list[Problem]:
        """A problem for every row where `bad` is true; `expected` may differ per row."""
        rows = bad.index[bad.fillna(False).astype(bool)]
        return [
            Problem(
                self.file,
                int(row),
                column,
                self.cell(row, column),
                expected if isinstance(expected, str) else str(expected[row]),
            )
            for row in rows
        ]


# Umlauts, ß and the other Latin-1 characters as UTF-8 bytes (read as Windows-1252: "Ã¤", "Ã¼" …)
_UTF8_LATIN = re.compile(rb"[\xc2\xc3][\x80-\xbf]")
_NOT_TEXT = "eine Textdatei in UTF-8 oder Windows-1252 (ANSI), wie Excel sie als CSV speichert"


def decode_text(data: bytes) -> str:
    """The text of a file in UTF-8 (with or without BOM) or else Windows-1252; never a mix of the two."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        if data.startswith(codecs.BOM_UTF8) or _UTF8_LATIN.search(data):
            raise ReadError(
                "eine Textdatei in einer einzigen Kodierung: diese Zeile ist nicht UTF-8 wie der Rest der Datei "
                "(Windows-1252/ANSI?); bitte die ganze Datei einheitlich, z. B. als „CSV UTF-8“, speichern",
                row=data.count(b"\n", 0, err.start) + 1,
            ) from err
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as cp1252_err:
            raise ReadError(_NOT_TEXT) from cp1252_err
    if "\x00" in text:
        raise ReadError(_NOT_TEXT)
    return text


def csv_rows(path: Path) -> tuple[list[tuple[int, list[str]]], str]:
    """Rows of a CSV file with their line numbers; detects encoding and separator (, or ;)."""
    text = decode_text(path.read_bytes())
    header = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if header.count(";") > header.count(",") else ","
    # strict: a quote that is never closed is an error, not a cell that silently swallows the rest of the file
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows, line = [], 0
    try:
        for cells in reader:
            rows.append((line + 1, cells))
            line = reader.line_num
    except csv.Error as err:
        raise ReadError(
            f"eine lesbare CSV-Zeile ({err}): ist ein Anführungszeichen nicht geschlossen?", row=line + 1
        ) from err
    return rows, "," if delimiter == ";" else "."


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def xlsx_rows(path: Path) -> tuple[list[tuple[int, list[str]]], str]:
    """Rows of the first sheet with their Excel row numbers, all as wide as the widest row (a sheet has no
    ragged rows); numbers keep full precision."""
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            rows = [
                (number, [_cell_text(value) for value in values])
                for number, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1)
            ]
        finally:
            workbook.close()
    except Exception as err:  # a damaged workbook fails anywhere in openpyxl, zipfile, zlib or the XML parser
        raise ReadError("eine lesbare Excel-Arbeitsmappe (.xlsx)") from err
    width = max((len(cells) for _, cells in rows), default=0)
    return [(number, cells + [""] * (width - len(cells))) for number, cells in rows], "."


def raw_frame(
    file: str, rows: list[tuple[int, list[str]]], schema: pa.DataFrameSchema
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Cell texts under the schema's columns, indexed by row number; or None and the structural problems."""
    rows = [(number, [cell.strip() for cell in cells]) for number, cells in rows]
    rows = [(number, cells) for number, cells in rows if any(cells)]
    columns = list(schema.columns)
    if not rows:
        return None, [Problem(file, None, None, None, "eine Kopfzeile mit den Spalten " + ", ".join(columns))]
    (header_row, header), *body = rows
    names = [name.lower() for name in header]
    problems = [
        Problem(file, header_row, name, None, "jeden Spaltennamen nur einmal in der Kopfzeile")
        for name in sorted({name for name in names if name and names.count(name) > 1})
    ]
    problems += [
        Problem(file, header_row, column, None, f'eine Spalte "{column}" in der Kopfzeile')
        for column in columns
        if column not in names and schema.columns[column].required
    ]
    if not body:
        problems.append(Problem(file, None, None, None, "mindestens eine Datenzeile unter der Kopfzeile"))
    if problems:
        return None, problems
    width = len(names)
    # also when the extra cells are empty: "1,234" in a comma file shifts every later cell by one
    problems = [
        Problem(
            file,
            number,
            None,
            " | ".join(cell for cell in cells[width:] if cell) or None,
            f"höchstens {width} Zellen wie die Kopfzeile, nicht {len(cells)} "
            "(Trennzeichen im Wert ohne Anführungszeichen, z. B. Tausenderkomma?)",
        )
        for number, cells in body
        if len(cells) > width
    ]
    frame = pd.DataFrame(
        [(cells + [""] * width)[:width] for _, cells in body],
        index=pd.Index([number for number, _ in body], name="row"),
        columns=[name or f"#{position}" for position, name in enumerate(names)],
        dtype="str",
    )
    ignored = [name for name in frame.columns if name not in columns and frame[name].ne("").any()]
    if ignored:
        logger.warning(
            "%s: Spalten außerhalb des Datenvertrags werden ignoriert: %s", file, ", ".join(ignored)
        )
    frame = frame.reindex(columns=columns, fill_value="")  # an optional column left out: every cell empty
    return frame.mask(frame == ""), problems


def _parse_numbers(text: pd.Series, decimal: str) -> tuple[pd.Series, pd.Series]:
    """Numbers from cell texts in the file's format (decimal point, or German decimal comma with
    thousands points); returns the values and a mask of cells that are not finite numbers."""
    valid = text.str.fullmatch(_NUMBER[decimal].pattern, na=False)
    if decimal == ",":
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    values = pd.to_numeric(text.where(valid), errors="coerce").astype("float64")
    finite = valid & np.isfinite(values)
    return values.where(finite), text.notna() & ~finite


def is_number_column(column: pa.Column) -> bool:
    return str(column.dtype) == "float64"


def typed_table(name: str, file: str, raw: pd.DataFrame, decimal: str) -> tuple[Table, list[Problem]]:
    """The table with number columns converted; cells that are not numbers become problems."""
    table, problems = Table(name, file, raw, raw.copy()), []
    hint = " im deutschen Zahlenformat, z. B. 1.234,5" if decimal == "," else ", z. B. 1234.5"
    for column_name, column in SCHEMAS[name].columns.items():
        if is_number_column(column):
            table.typed[column_name], bad = _parse_numbers(raw[column_name], decimal)
            problems += table.problems_where(bad, column_name, column.title + hint)
    return table, problems


def _first_rows(frame: pd.DataFrame, key: list[str]) -> pd.Series:
    """For every row, the row number of the first row with the same key."""
    rows = frame.index.to_series(index=frame.index)
    return rows.groupby([frame[column] for column in key], dropna=False, sort=False).transform("first")


def schema_problems(table: Table) -> list[Problem]:
    """Run the table's pandera schema (lazy, so every failure is reported) and translate the failures."""
    schema = SCHEMAS[table.name]
    try:
        schema.validate(table.typed, lazy=True)
    except SchemaErrors as err:
        cases = err.failure_cases
    else:
        return []
    problems = []
    key = list(schema.unique or [])
    if key:
        duplicated = cases.loc[cases["check"] == "multiple_fields_uniqueness", "index"].dropna().unique()
        first = _first_rows(table.typed, key)
        problems += [
            Problem(
                table.file,
                int(row),
                ", ".join(key),
                " / ".join(table.cell(row, column) for column in key),
                f"jede Kombination aus {', '.join(key)} nur einmal (schon in Zeile {first[row]})",
            )
            for row in duplicated
        ]
    for case in cases[cases["check"] != "multiple_fields_uniqueness"].itertuples(index=False):
        row = None if pd.isna(case.index) else int(case.index)
        column = case.column if isinstance(case.column, str) else None
        if case.check == "not_nullable":
            expected = f"{schema.columns[column].title} (Pflichtfeld)"
        elif case.check == "field_uniqueness":
            expected = f"jeden Wert nur einmal (schon in Zeile {_first_rows(table.typed, [column])[row]})"
        else:
            expected = str(case.check)
        value = table.cell(row, column) if row is not None and column else str(case.failure_case)
        problems.append(Problem(table.file, row, column, value, expected))
    return problems


def table_path(data_dir: Path, name: str) -> Path:
    candidates = [path for path in (data_dir / f"{name}.csv", data_dir / f"{name}.xlsx") if path.is_file()]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        raise ReadError(
            f"nur eine der Dateien {name}.csv und {name}.xlsx (beide vorhanden; bitte eine entfernen)"
        )
    raise ReadError(f"eine Datei {name}.csv oder {name}.xlsx im Ordner {data_dir}")
