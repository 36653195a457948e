"""Hostile inputs for the readers (quartiersprofile.model.reading): numbers with more digits than a float64 holds,
cells longer than the csv module's limit and files that are no text at all. Each is reported with its exact
message (file, row, column, what was expected); the inputs next to them (normal numbers, a genuinely unclosed
quote, a file in a mixed encoding) keep their own messages."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import openpyxl
import pandas as pd
import pytest
from support.generated_inputs import (
    COLUMNS,
    MINIMAL,
    Format,
    Raw,
    csv_records,
    line_numbers,
    minimal_folder,
    rejected,
    write_inputs,
    write_xlsx,
)

from quartiersprofile.model.contract import Problem
from quartiersprofile.model.dataset import load_dataset
from quartiersprofile.model.reading import ReadError, decode_text, number_digits

TOO_MANY_DIGITS = (
    "eine Zahl mit höchstens 15 Stellen, nicht {} (längere Zahlen würden beim Rechnen gerundet; Nullen vor der "
    "ersten Ziffer und am Ende der Nachkommastellen zählen nicht)"
)
LONG_CELL = "eine Zelle mit höchstens 131.072 Zeichen (diese Zeile enthält eine längere Zelle)"
UNCLOSED_QUOTE = "eine lesbare CSV-Zeile (unexpected end of data): ist ein Anführungszeichen nicht geschlossen?"
NOT_TEXT = "eine Textdatei in UTF-8 oder Windows-1252 (ANSI), wie Excel sie als CSV speichert"
MIXED_ENCODING = (
    "eine Textdatei in einer einzigen Kodierung: diese Zeile ist nicht UTF-8 wie der Rest der Datei "
    "(Windows-1252/ANSI?); bitte die ganze Datei einheitlich, z. B. als „CSV UTF-8“, speichern"
)
BINARY = (
    "eine Texttabelle (CSV) – diese Datei enthält aber Binärdaten (Nullbytes), keinen Text: ist es eine Excel-Datei "
    "oder ein Bild mit falscher Endung?"
)
ZIP = (
    "eine Texttabelle (CSV) – diese Datei ist aber ein ZIP-Archiv, wohl eine Excel-Arbeitsmappe mit falscher "
    "Endung: bitte mit der Endung .xlsx ablegen oder in Excel als „CSV UTF-8“ speichern"
)
XLS = (
    "eine Texttabelle (CSV) – diese Datei ist aber eine Excel-Arbeitsmappe im alten Format (.xls): bitte in Excel "
    "als .xlsx oder „CSV UTF-8“ speichern"
)


def with_cell(name: str, column: str, value: str, row: int = 0):
    """The minimal inputs with one cell changed (data row `row`, counted from 0)."""
    return replace(MINIMAL, tables={**MINIMAL.tables, name: MINIMAL.tables[name].with_cell(row, column, value)})


# --- numbers: at most 15 digits ---------------------------------------------------------------------------------


def test_number_digits_are_counted_as_data_readme_says():
    texts = ["13.75", "13.750", "0.0001", "1000", "1e3", "1.5e-3", "0", "-0.0", "+7", "5.",
             "123456789012345", "0.123456789012345", "12345678901234567890", None]  # fmt: skip
    digits = number_digits(pd.Series(texts, dtype="str"))
    assert digits.iloc[:-1].tolist() == [4, 4, 1, 4, 4, 2, 0, 0, 1, 1, 15, 15, 20] and pd.isna(digits.iloc[-1])


@pytest.mark.parametrize(
    ("name", "column", "value", "digits"),
    [
        ("observations", "numerator", "12345678901234567890", 20),
        ("observations", "denominator", "1234567890123456", 16),
        ("observations", "sd", "0.1234567890123456", 16),
        ("population", "population", "1e15", 16),
        ("districts", "area_km2", "1234567890123.456", 16),
        ("districts", "population_2018", "12345678901234567", 17),
        ("indicators", "multiplier", "100000000000000000000", 21),
        ("indicators", "years_pooled", "1.0000000000000001", 17),
    ],
)
def test_numbers_with_more_than_15_digits_are_reported_not_rounded(tmp_path, name, column, value, digits):
    """float64 rounds them: 12345678901234567890 was published as 12345678901234567168, 1.0000000000000001 as 1."""
    write_inputs(tmp_path, with_cell(name, column, Raw(value)), Format())
    error = rejected(tmp_path, {f"{name}.csv"})
    assert error.problems == [Problem(f"{name}.csv", 2, column, value, TOO_MANY_DIGITS.format(digits))]


@pytest.mark.parametrize(
    ("value", "digits"),
    [("1.234.567.890.123.456", 16), ("0,12345678901234567", 17), ("123.456.789.012,3456", 16)],
)
def test_german_numbers_count_their_digits_without_thousands_points(tmp_path, value, digits):
    write_inputs(tmp_path, with_cell("observations", "numerator", Raw(value)), Format(delimiter=";"))
    error = rejected(tmp_path, {"observations.csv"})
    assert error.problems == [Problem("observations.csv", 2, "numerator", value, TOO_MANY_DIGITS.format(digits))]


@pytest.mark.parametrize(
    ("fmt", "text", "number"),
    [
        (Format(), "13.75", 13.75),
        (Format(), "0.0001", 0.0001),
        (Format(), "1e3", 1000.0),
        (Format(), "1.50000000000000000000", 1.5),
        (Format(), "000000000000000000042", 42.0),
        (Format(), "123456789012345", 123456789012345.0),
        (Format(), "0.123456789012345", 0.123456789012345),
        (Format(delimiter=";"), "1.234,5", 1234.5),
        (Format(delimiter=";"), "999.999.999.999.999", 999999999999999.0),
        (Format(delimiter=";"), "0,0001", 0.0001),
    ],
)
def test_numbers_up_to_15_digits_load_exactly(tmp_path, fmt, text, number):
    write_inputs(tmp_path, with_cell("observations", "numerator", Raw(text)), fmt)
    assert load_dataset(tmp_path).observations.at[0, "numerator"] == number


def replace_in_sheet(path, values: dict[str, str]) -> None:
    """Rewrite the stored texts of number cells (placeholder: text), as Excel or another program writes them."""
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            if info.filename == "xl/worksheets/sheet1.xml":
                for placeholder, value in values.items():
                    assert data.count(f"<v>{placeholder}</v>".encode()) == 1
                    data = data.replace(f"<v>{placeholder}</v>".encode(), f"<v>{value}</v>".encode())
            target.writestr(info, data)
    path.write_bytes(buffer.getvalue())


def test_workbook_numbers_are_taken_as_stored_and_longer_whole_numbers_are_reported(tmp_path):
    """Excel keeps 15 significant digits of what is typed but stores a formula's result (=1/3) with all the
    digits of a binary number: taken as stored. A whole number of more than 15 digits would be rounded, whether
    the workbook holds it as a number or as text."""
    minimal_folder(tmp_path)
    (tmp_path / "observations.csv").unlink()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS["observations"])
    for period, numerator in [("2019", 1 / 3), ("2020", 555555), ("2021", "0.3333333333333333"),
                              ("2022", 1.2345678901234567e19), ("2023", "12345678901234567890"), ("2024", 777777)]:
        sheet.append(["DEM01", "134", period, numerator])
    workbook.save(tmp_path / "observations.xlsx")
    # =2/3 as Excel stores it (17 digits); a whole number as a program other than Excel may store it
    replace_in_sheet(
        tmp_path / "observations.xlsx", {"555555": "0.66666666666666663", "777777": "98765432109876543210"}
    )
    error = rejected(tmp_path, {"observations.xlsx"})
    assert error.problems == [
        # openpyxl stores 1.2345678901234567e19 with 16 digits: 1.234567890123457e+19
        Problem("observations.xlsx", 5, "numerator", "12345678901234569216", TOO_MANY_DIGITS.format(20)),
        Problem("observations.xlsx", 6, "numerator", "12345678901234567890", TOO_MANY_DIGITS.format(20)),
        Problem("observations.xlsx", 7, "numerator", "98765432109876543210", TOO_MANY_DIGITS.format(20)),
    ]
    sheet.delete_rows(5, 3)
    workbook.save(tmp_path / "observations.xlsx")
    replace_in_sheet(tmp_path / "observations.xlsx", {"555555": "0.66666666666666663"})
    assert load_dataset(tmp_path).observations["numerator"].tolist() == [1 / 3, 2 / 3, 1 / 3]


# --- cells longer than the csv module's limit ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        (Format(), "x" * 1_000_000),
        (Format(delimiter=";", encoding="cp1252", newline="\r\n"), "ä" * 100_000 + "\nü" * 40_000),
    ],
    ids=["1-MB-cell", "quoted-line-breaks-windows-1252"],
)
def test_a_cell_longer_than_the_csv_limit_is_reported_as_too_long(tmp_path, fmt, text):
    """The csv module stops at 131,072 characters per cell; that is no unclosed quote."""
    lines = write_inputs(tmp_path, with_cell("indicators", "definition", text, row=3), fmt)
    error = rejected(tmp_path, {"indicators.csv"})
    assert error.problems == [Problem("indicators.csv", lines["indicators"][4], None, None, LONG_CELL)]


def test_an_unclosed_quote_in_a_file_longer_than_the_csv_limit_is_still_reported_as_such(tmp_path):
    """The quote makes one cell of the rest of the file, which is longer than the limit: still the quote hint."""
    minimal_folder(tmp_path)
    records = csv_records(MINIMAL.tables["indicators"], Format(delimiter=";"))
    row = 10
    records[row] = records[row][: records[row].rindex(";") + 1] + '"Quelle ohne Ende\n'
    records += [f"Kommentar {number}: {'x' * 1000}\n" for number in range(200)]
    assert '"' not in "".join(records[row:]).partition("\n")[2] and len("".join(records[row:])) > 131_072
    (tmp_path / "indicators.csv").write_text("".join(records), encoding="utf-8")
    error = rejected(tmp_path, {"indicators.csv"})
    assert error.problems == [Problem("indicators.csv", line_numbers(records)[row], None, None, UNCLOSED_QUOTE)]


def test_a_small_unclosed_quote_keeps_its_message(tmp_path):
    minimal_folder(tmp_path)
    records = csv_records(MINIMAL.tables["indicators"], Format(delimiter=";"))
    records[10] = records[10][: records[10].rindex(";") + 1] + '"Quelle ohne Ende\n'
    assert '"' not in "".join(records[10:]).partition("\n")[2]  # so that nothing closes the quote
    (tmp_path / "indicators.csv").write_text("".join(records), encoding="utf-8")
    error = rejected(tmp_path, {"indicators.csv"})
    assert error.problems == [Problem("indicators.csv", line_numbers(records)[10], None, None, UNCLOSED_QUOTE)]


# --- files that are no text ------------------------------------------------------------------------------------


def workbook_bytes() -> bytes:
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.append(COLUMNS["observations"])
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (workbook_bytes(), ZIP),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), XLS),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + "Geestemünde".encode() + bytes(range(256)), BINARY),
        (bytes(range(256)) * 16, BINARY),  # random-looking bytes with NUL and with UTF-8 umlaut sequences
    ],
    ids=["xlsx-renamed", "xls-renamed", "png", "bytes-with-nul"],
)
def test_a_file_that_is_no_text_is_reported_as_not_a_text_table(tmp_path, content, expected):
    """They used to be reported as a Windows-1252 row in a UTF-8 file (the bytes contain UTF-8 umlauts)."""
    minimal_folder(tmp_path)
    (tmp_path / "observations.csv").write_bytes(content)
    error = rejected(tmp_path, {"observations.csv"})
    assert error.problems == [Problem("observations.csv", None, None, None, expected)]


def test_decode_text_calls_binary_data_no_text_before_looking_for_a_row_in_another_encoding():
    with pytest.raises(ReadError) as caught:
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00" + "Geestemünde".encode())
    assert (str(caught.value), caught.value.row) == (NOT_TEXT, None)


def test_text_in_another_encoding_keeps_its_messages(tmp_path):
    """A UTF-8 file with one Windows-1252 row: that row; UTF-16 ("Unicode-Text"): not read, but no binary file."""
    minimal_folder(tmp_path)
    lines = (tmp_path / "districts.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    row = next(number for number, line in enumerate(lines, start=1) if line.startswith("21,"))
    (tmp_path / "districts.csv").write_bytes(
        b"".join(line.encode("cp1252" if number == row else "utf-8") for number, line in enumerate(lines, start=1))
    )
    assert rejected(tmp_path, {"districts.csv"}).problems == [Problem("districts.csv", row, None, None, MIXED_ENCODING)]
    (tmp_path / "districts.csv").write_bytes("".join(lines).encode("utf-16"))
    assert rejected(tmp_path, {"districts.csv"}).problems == [Problem("districts.csv", None, None, None, NOT_TEXT)]


def test_a_workbook_with_the_right_ending_still_loads(tmp_path):
    """The ZIP signature only matters for a file named .csv."""
    minimal_folder(tmp_path)
    (tmp_path / "population.csv").unlink()
    write_xlsx(tmp_path / "population.xlsx", MINIMAL.tables["population"])
    assert len(load_dataset(tmp_path).population) == len(MINIMAL.tables["population"].rows)
