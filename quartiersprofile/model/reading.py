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
# float64 holds every decimal number of up to 15 significant digits exactly (DBL_DIG); more digits are rounded
MAX_DIGITS = 15
_NUMBER_PARTS = r"[+-]?(?P<whole>\d*)\.?(?P<fraction>\d*)(?:[eE](?P<exponent>[+-]?\d+))?"


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
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # text, but in an encoding that is not read: `_NOT_TEXT`
# What a file that is no text at all probably is, by its first bytes
_SIGNATURES = {
    b"PK\x03\x04": "ein ZIP-Archiv, wohl eine Excel-Arbeitsmappe mit falscher Endung: bitte mit der Endung .xlsx "
    "ablegen oder in Excel als „CSV UTF-8“ speichern",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "eine Excel-Arbeitsmappe im alten Format (.xls): bitte in Excel als .xlsx "
    "oder „CSV UTF-8“ speichern",
}
_BINARY = (
    "eine Texttabelle (CSV) – diese Datei enthält aber Binärdaten (Nullbytes), keinen Text: ist es eine Excel-Datei "
    "oder ein Bild mit falscher Endung?"
)


def _not_a_text_table(data: bytes) -> str | None:
    """What was expected, if the bytes are no text at all (a workbook, an image, an archive); else None.

    No text in UTF-8 or Windows-1252 contains a NUL byte; UTF-16 does, but starts with its byte-order mark.
    """
    if data.startswith(_UTF16_BOMS):
        return None
    for signature, kind in _SIGNATURES.items():
        if data.startswith(signature):
            return f"eine Texttabelle (CSV) – diese Datei ist aber {kind}"
    return _BINARY if b"\x00" in data else None


def decode_text(data: bytes) -> str:
    """The text of a file in UTF-8 (with or without BOM) or else Windows-1252; never a mix of the two."""
    if b"\x00" in data:  # binary data or UTF-16: before the search for a row in another encoding
        raise ReadError(_NOT_TEXT)
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
    return text


def _unlimited_record_error(text: str, delimiter: str) -> csv.Error | None:
    """The error in the first CSV record of `text` when its cells may be of any length (e.g. a quote that is
    never closed), or None if the record is fine."""
    limit = csv.field_size_limit(2**31 - 1)  # a C long on every platform
    try:
        next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True), None)
    except csv.Error as err:
        return err
    finally:
        csv.field_size_limit(limit)
    return None


def csv_rows(path: Path) -> tuple[list[tuple[int, list[str]]], str]:
    """Rows of a CSV file with their line numbers; detects encoding and separator (, or ;)."""
    data = path.read_bytes()
    not_a_table = _not_a_text_table(data)
    if not_a_table:
        raise ReadError(not_a_table)
    text = decode_text(data)
    header = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if header.count(";") > header.count(",") else ","
    # strict: a quote that is never closed is an error, not a cell that silently swallows the rest of the file
    buffer = io.StringIO(text, newline="")
    reader = csv.reader(buffer, delimiter=delimiter, strict=True)
    rows, line, start = [], 0, 0  # start: where the next record begins in `text`
    try:
        for cells in reader:
            rows.append((line + 1, cells))
            line, start = reader.line_num, buffer.tell()
    except csv.Error as err:
        # the csv module limits a cell's length; a quote that is never closed makes one cell of the rest of the file
        if "field limit" in str(err):
            error = _unlimited_record_error(text[start:], delimiter)
            if error is None:
                limit = f"{csv.field_size_limit():,}".replace(",", ".")
                raise ReadError(
                    f"eine Zelle mit höchstens {limit} Zeichen (diese Zeile enthält eine längere Zelle)", row=line + 1
                ) from err
            err = error
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


def number_digits(text: pd.Series) -> pd.Series:
    """The digits of number texts (decimal point, no thousands separators) as the contract counts them: from the
    first non-zero digit to the last non-zero decimal place, the zeros that end a whole number included
    (13.750: 4, 0.0001: 1, 1000 and 1e3: 4, 12345678901234567890: 20); NA where `text` is NA."""
    parts = text.str.extract(_NUMBER_PARTS)
    digits = parts["whole"] + parts["fraction"]
    trimmed = digits.str.rstrip("0")
    exponent = (
        pd.to_numeric(parts["exponent"], errors="coerce").fillna(0)
        - parts["fraction"].str.len().astype("float64")
        + (digits.str.len() - trimmed.str.len()).astype("float64")
    )
    significant = trimmed.str.lstrip("0").str.len().astype("float64")
    return (significant + exponent.clip(lower=0)).where(significant.ne(0), 0.0)


def _parse_numbers(
    text: pd.Series, decimal: str, workbook: bool = False
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Numbers from cell texts in the file's format (decimal point, or German decimal comma with
    thousands points); returns the values, a mask of cells that are not finite numbers and, for numbers with
    more than `MAX_DIGITS` digits (they would be rounded), their digits (NA elsewhere).

    In a `workbook` a number as Excel stores it (the shortest text of a binary floating-point number, e.g.
    0.3333333333333333 for =1/3) is exact whatever its digits, as long as it is below 10^15."""
    valid = text.str.fullmatch(_NUMBER[decimal].pattern, na=False)
    numbers = text.where(valid)
    if decimal == ",":
        numbers = numbers.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    values = pd.to_numeric(numbers, errors="coerce").astype("float64")
    digits = number_digits(numbers).astype("float64")
    # beyond float64's range: 1e400 becomes infinite, 1e-400 zero
    underflow = digits.gt(0) & values.abs().lt(np.finfo("float64").tiny)
    finite = valid & np.isfinite(values) & ~underflow
    too_long = finite & digits.gt(MAX_DIGITS)
    if workbook and too_long.any():
        stored = pd.Series(
            [repr(value) == cell and abs(value) < 10**MAX_DIGITS for value, cell in zip(values, text, strict=True)],
            index=text.index,
        )
        too_long &= ~stored
    return values.where(finite & ~too_long), text.notna() & ~finite, digits.where(too_long)


def is_number_column(column: pa.Column) -> bool:
    return str(column.dtype) == "float64"


def typed_table(name: str, file: str, raw: pd.DataFrame, decimal: str) -> tuple[Table, list[Problem]]:
    """The table with number columns converted; cells that are not numbers become problems."""
    table, problems = Table(name, file, raw, raw.copy()), []
    hint = " im deutschen Zahlenformat, z. B. 1.234,5" if decimal == "," else ", z. B. 1234.5"
    workbook = file.lower().endswith(".xlsx")
    for column_name, column in SCHEMAS[name].columns.items():
        if is_number_column(column):
            table.typed[column_name], bad, digits = _parse_numbers(raw[column_name], decimal, workbook)
            problems += table.problems_where(bad, column_name, column.title + hint)
            problems += table.problems_where(digits.notna(), column_name, digits.map(_too_many_digits))
    return table, problems


def _too_many_digits(digits: float) -> str:
    return (
        f"eine Zahl mit höchstens {MAX_DIGITS} Stellen, nicht {digits:.0f} (längere Zahlen würden beim Rechnen "
        "gerundet; Nullen vor der ersten Ziffer und am Ende der Nachkommastellen zählen nicht)"
    )


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
        # a column empty in every row (e.g. an optional column the file leaves out) distinguishes nothing
        named = [column for column in key if table.raw[column].fillna("").ne("").any()] or key
        problems += [
            Problem(
                table.file,
                int(row),
                ", ".join(named),
                " / ".join(table.cell(row, column) for column in named),
                f"jede Kombination aus {', '.join(named)} nur einmal (schon in Zeile {first[row]})",
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
