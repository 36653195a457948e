"""Reading the input files (quartiersprofile.model.reading): CSV in UTF-8 or as German Excel saves it, XLSX, cell
texts with their row numbers, numbers in the file's format; random valid inputs load unchanged in every accepted
format, random corruptions load as the file says or fail with the documented `DataValidationError` naming file,
row and column (property-based, issue #8) - never another exception, never a silently dropped row or misread
value."""

from __future__ import annotations

import csv
import logging
import resource
import shutil
import string
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.data_folders import (
    Expected,
    assert_reported,
    assert_same_dataset,
    read_rows,
    read_rows_text,
    row_of,
    set_cell,
    to_excel_csv,
    to_xlsx,
    write_rows,
)
from support.generated_inputs import (
    COLUMNS,
    FAST,
    FREE_TEXT,
    MINIMAL,
    MINIMAL_ORTSTEILE,
    NUMBER_COLUMNS,
    UMLAUT_ALPHABET,
    WRONG_MARKS,
    Format,
    Raw,
    Table,
    assert_documented,
    assert_loaded,
    csv_records,
    expected_frame,
    formats,
    inputs,
    line_numbers,
    located,
    minimal_folder,
    outcome,
    rejected,
    texts,
    write_inputs,
    write_xlsx,
)

from quartiersprofile.model.age_bands import AGE_BANDS
from quartiersprofile.model.contract import SEXES, TABLES, DataValidationError
from quartiersprofile.model.dataset import Dataset, load_dataset, read_table
from quartiersprofile.model.reading import ReadError, csv_rows, decode_text, table_path

# --- the functions on their own ---------------------------------------------------------------------------------


def test_decode_text_reads_utf8_with_or_without_bom_and_windows_1252():
    assert decode_text("Geestemünde".encode()) == "Geestemünde"
    assert decode_text(b"\xef\xbb\xbf" + "Geestemünde".encode()) == "Geestemünde"
    assert decode_text("Geestemünde".encode("cp1252")) == "Geestemünde"


def test_decode_text_refuses_a_mix_of_encodings_naming_the_line():
    data = "a,b\nGeestemünde,1\n".encode() + "Goethestraße,2\n".encode("cp1252")
    with pytest.raises(ReadError, match="Kodierung") as caught:
        decode_text(data)
    assert caught.value.row == 3


def test_decode_text_refuses_binary_data():
    with pytest.raises(ReadError, match="Textdatei"):
        decode_text("code,name".encode("utf-16"))


def test_csv_rows_detect_separator_and_number_format(tmp_path):
    comma, semicolon = tmp_path / "comma.csv", tmp_path / "semicolon.csv"
    comma.write_text('code,name\n1,"Nord, Süd"\n', encoding="utf-8")
    semicolon.write_text("code;name\r\n\r\n1;Nord\r\n", encoding="utf-8")
    assert csv_rows(comma) == ([(1, ["code", "name"]), (2, ["1", "Nord, Süd"])], ".")
    assert csv_rows(semicolon) == ([(1, ["code", "name"]), (2, []), (3, ["1", "Nord"])], ",")


def test_table_path_finds_csv_or_xlsx_but_not_both(tmp_path):
    with pytest.raises(ReadError, match="population.csv oder population.xlsx"):
        table_path(tmp_path, "population")
    (tmp_path / "population.xlsx").write_bytes(b"")
    assert table_path(tmp_path, "population") == tmp_path / "population.xlsx"
    (tmp_path / "population.csv").write_text("")
    with pytest.raises(ReadError, match="beide vorhanden"):
        table_path(tmp_path, "population")


# --- the small fixture in every format ------------------------------------------------------------------------


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
    with caplog.at_level(logging.WARNING, logger="quartiersprofile.model.reading"):
        dataset = load_dataset(small)
    assert "kommentar" not in dataset.population.columns
    assert "population.csv" in caplog.text and "kommentar" in caplog.text


# --- validation errors: one case per kind of problem in reading a file --------------------------------------


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


CASES = [
    missing_column,
    duplicate_column,
    empty_file,
    header_only,
    unreadable_encoding,
    corrupt_xlsx,
    missing_table,
    csv_and_xlsx_both_present,
    non_numeric_count,
    ragged_row,
    excel_csv_with_decimal_point,
    xlsx_reports_excel_rows,
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_validation_error_names_file_row_column_and_value(small, case):
    assert_reported(small, case(small))


# --- random valid inputs ----------------------------------------------------------------------------------------


@pytest.mark.slow  # 20 random folders in every format: ~6 s
@settings(max_examples=20, deadline=None)
@given(inputs(), formats())
def test_valid_inputs_load_unchanged_in_every_format(inputs, fmt):
    """BOM, CRLF, mixed line ends, quoted separators and line breaks, thousands points in German files,
    XLSX: every row loads, in file order, with the values the file says; `read_table` agrees."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_inputs(folder, inputs, fmt)
        assert_loaded(load_dataset(folder), inputs, fmt)
        for name, table in inputs.tables.items():
            pd.testing.assert_frame_equal(read_table(folder / fmt.file(name), name), expected_frame(table, fmt))


# --- corrupted tables --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Corruption:
    """A changed table and what the loader must do with it: `loads` True (must load as written), False (must
    be rejected) or None (either); when rejected, a problem at data row `row` (None: the header) in one of
    `columns` (None: anywhere) showing `value` (None: any)."""

    kind: str
    table: Table
    loads: bool | None
    row: int | None = None
    columns: tuple[str | None, ...] | None = None
    value: str | None = None


def cell_values(fmt: Format) -> st.SearchStrategy[str]:
    """Any cell text the format can hold, and texts that look almost right."""
    codec = "cp1252" if fmt.encoding == "cp1252" else "utf-8"
    tricky = ["", " ", "0", "-1", "1e3", "+5", ".5", "5.", "1,5", "1.234", "1.234,5", "1 234", "NaN", "inf",
              "２０２４", "٣", "2024", "2024-Q3", "2024-Q5", "0-4", "90+", "05.09.", "stadt", "w", "x", "dsr",
              "annual", "0-64", "65+", "111", "4012", "DEM01", "TRUE", "#NV", "=1+1"]
    tricky = [text for text in tricky if text.encode(codec, errors="ignore").decode(codec) == text]
    return st.text(st.characters(codec=codec, exclude_categories=("Cs", "Cc")), max_size=8) | st.sampled_from(tricky)


@st.composite
def corruptions(draw, table: Table, fmt: Format) -> Corruption:
    kinds = ["wrong_type", "any_value", "missing", "extra_column", "duplicate_header"]
    kind = draw(st.sampled_from(kinds + ["thousands"] if fmt.kind == "csv" else kinds))
    row = draw(st.integers(0, len(table.rows) - 1))
    if kind == "wrong_type":  # a value no constrained column accepts
        column = draw(st.sampled_from([c for c in table.header if c not in FREE_TEXT.get(table.name, ())]))
        value = draw(st.builds(str.__add__, texts(min_size=0), st.sampled_from(WRONG_MARKS)))
        return Corruption(kind, table.with_cell(row, column, Raw(value)), False, row, (column,), value.strip())
    if kind == "any_value":
        column = draw(st.sampled_from(table.header))
        return Corruption(kind, table.with_cell(row, column, Raw(draw(cell_values(fmt)))), None)
    if kind == "missing":  # one cell empty, or the row cut short
        if draw(st.booleans()):
            # an empty age_bands is valid and means all 19 bands: the observations then lack bands
            column = draw(st.sampled_from([c for c in table.header if (table.name, c) != ("indicators", "age_bands")]))
            return Corruption(kind, table.with_cell(row, column, ""), None, row, (column,))
        cut = draw(st.integers(1, len(table.header) - 1))
        rows = [cells[:-cut] if index == row else cells for index, cells in enumerate(table.rows)]
        return Corruption(kind, replace(table, rows=rows), None, row, tuple(table.header[-cut:]))
    position = draw(st.integers(0, len(table.header)))
    values = draw(st.lists(texts(min_size=0).map(Raw), min_size=len(table.rows), max_size=len(table.rows)))
    if kind == "extra_column":  # not in the contract: ignored
        taken = {name.lower() for name in table.header}
        name = draw(st.text(string.ascii_letters + "_ ", max_size=10).filter(lambda n: n.strip().lower() not in taken))
        return Corruption(kind, table.with_column(position, name, values), True)
    if kind == "duplicate_header":
        column = draw(st.sampled_from(table.header))
        spelling = draw(st.sampled_from([column, column.upper(), f" {column} ", column.capitalize()]))
        return Corruption(kind, table.with_column(position, spelling, values), False, None, (column,))
    # thousands separators that are not the file's: a comma in a comma file, English style in a German file
    column = draw(st.sampled_from(NUMBER_COLUMNS[table.name]))
    amount = draw(st.integers(1000, 10**7))
    if fmt.german:
        value = draw(st.sampled_from([f"{amount:,}.5", f"{amount:,}".replace(",", " ")]))
        return Corruption(kind, table.with_cell(row, column, Raw(value)), False, row, (column,), value)
    if draw(st.booleans()):
        return Corruption(kind, table.with_cell(row, column, Raw(f"{amount:,}")), False, row, (column,), f"{amount:,}")
    position = table.header.index(column)  # unquoted: the cell splits in two and later cells shift
    rows = [list(cells) for cells in table.rows]
    rows[row][position : position + 1] = [Raw(str(amount // 1000)), Raw(f"{amount % 1000:03d}")]
    return Corruption(kind, replace(table, rows=rows), False, row, (None,))


@pytest.mark.slow  # 40 random folders: ~8 s
@settings(max_examples=40, deadline=None)
@given(inputs(), formats(), st.data())
def test_corrupted_table_loads_as_written_or_is_reported(inputs, fmt, data):
    """Wrong types, arbitrary values, missing cells, extra columns, duplicated headers, foreign thousands
    separators: the folder loads with exactly the values the file says, or the documented error names the
    file, row and column."""
    name = data.draw(st.sampled_from(TABLES))
    corruption = data.draw(corruptions(inputs.tables[name], fmt))
    changed = replace(inputs, tables={**inputs.tables, name: corruption.table})
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        lines = write_inputs(folder, changed, fmt)
        result = outcome(folder, {*map(fmt.file, TABLES), "dataset.toml", "ortsteile.geojson"})
    if isinstance(result, Dataset):
        assert corruption.loads is not False, f"{corruption.kind} loaded"
        assert_loaded(result, changed, fmt)
        return
    assert corruption.loads is not True, str(result)
    if corruption.columns is not None:
        row = lines[name][0 if corruption.row is None else corruption.row + 1]
        found = [p for column in corruption.columns for p in located(result, fmt.file(name), row, column)]
        assert found, f"{corruption.kind}: nothing at row {row} {corruption.columns}\n{result}"
        assert corruption.value is None or corruption.value in {p.value for p in found}, str(result)


@FAST
@given(inputs(alphabet=UMLAUT_ALPHABET), st.sampled_from(["utf-8", "utf-8-sig"]), st.data())
def test_a_windows_1252_row_in_a_utf8_file_is_decoded_right_or_reported(inputs, encoding, data):
    """A file edited in two programs: one row saved as Windows-1252 (ANSI), the rest UTF-8. Either every
    umlaut is decoded right (the file is in fact all ASCII but that row), or the error names the row and
    says that the encoding is mixed; never "GeestemÃ¼nde"."""
    name = data.draw(st.sampled_from(["districts", "indicators"]))
    table = inputs.tables[name]
    row = data.draw(st.integers(0, len(table.rows) - 1))
    fmt = Format(delimiter=data.draw(st.sampled_from([",", ";"])), encoding=encoding)
    records = csv_records(table, fmt)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_inputs(folder, inputs, fmt)
        mixed = [record.encode("cp1252" if index == row + 1 else "utf-8") for index, record in enumerate(records)]
        (folder / fmt.file(name)).write_bytes(b"\xef\xbb\xbf" * (encoding == "utf-8-sig") + b"".join(mixed))
        result = outcome(folder, {*map(fmt.file, TABLES), "dataset.toml", "ortsteile.geojson"})
    if isinstance(result, Dataset):
        assert_loaded(result, inputs, fmt)
        return
    start, end = line_numbers(records)[row + 1], line_numbers([*records, ""])[row + 2]
    (problem,) = [p for p in result.problems if p.file == fmt.file(name)]
    assert start <= problem.row < end and "Kodierung" in problem.expected, str(result)




# --- XLSX --------------------------------------------------------------------------------------------------


def population_workbook() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "population.xlsx"
        write_xlsx(path, MINIMAL.tables["population"])
        return path.read_bytes()


POPULATION_XLSX = population_workbook()


@FAST
@given(st.lists(st.tuples(st.integers(0, len(POPULATION_XLSX) - 1), st.integers(0, 255)), min_size=1, max_size=5))
def test_damaged_workbook_loads_or_is_reported(changes):
    damaged = bytearray(POPULATION_XLSX)
    for position, byte in changes:
        damaged[position] = byte
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "population.xlsx"
        path.write_bytes(damaged)
        try:
            frame = read_table(path, "population")
        except DataValidationError as error:
            assert_documented(error, {"population.xlsx"})
        else:  # a change in unused bytes (e.g. metadata) changes nothing
            pd.testing.assert_frame_equal(frame, expected_frame(MINIMAL.tables["population"], Format("xlsx")))


def test_workbook_with_an_unsupported_compression_is_reported(tmp_path):
    """zipfile raises NotImplementedError for an unknown compression method of the sheet."""
    damaged = bytearray(POPULATION_XLSX)
    name = b"xl/worksheets/sheet1.xml"
    entry = damaged.find(b"PK\x01\x02")  # central directory entries: method at +10, file name at +46
    while damaged[entry + 46 : entry + 46 + len(name)] != name:
        entry = damaged.find(b"PK\x01\x02", entry + 1)
    damaged[entry + 10 : entry + 12] = (99).to_bytes(2, "little")
    (tmp_path / "population.xlsx").write_bytes(damaged)
    with pytest.raises(DataValidationError, match=r"population\.xlsx: erwartet: eine lesbare Excel-Arbeitsmappe"):
        read_table(tmp_path / "population.xlsx", "population")




# --- regressions: one small folder, one defect each ----------------------------------------------------------


def test_unclosed_quote_is_reported_instead_of_swallowing_the_later_rows(tmp_path):
    """Without strict parsing the last cell of the row would hold all later rows (silently dropped)."""
    minimal_folder(tmp_path)
    records = csv_records(MINIMAL.tables["indicators"], Format(delimiter=";"))
    row = 10
    assert '"' not in "".join(records[row:])  # so that nothing closes the quote
    records[row] = records[row][: records[row].rindex(";") + 1] + '"Quelle ohne Ende\n'
    (tmp_path / "indicators.csv").write_text("".join(records), encoding="utf-8")
    error = rejected(tmp_path, {"indicators.csv"})
    assert located(error, "indicators.csv", line_numbers(records)[row], None), str(error)


def test_thousands_comma_in_a_comma_file_is_reported_not_shifted(tmp_path):
    """1,234 unquoted: numerator 1, denominator 234, and the empty last cell would hide the shift."""
    minimal_folder(tmp_path)
    (tmp_path / "observations.csv").write_text(
        "indicator,district,period,numerator,denominator,age_band,sd\nDEM01,134,2024,1,234,,,\n", encoding="utf-8"
    )
    error = rejected(tmp_path, {"observations.csv"})
    assert located(error, "observations.csv", 2, None), str(error)




@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_latin1_and_windows_1252_files_decode_umlauts(tmp_path, encoding):
    minimal_folder(tmp_path)
    records = csv_records(MINIMAL.tables["districts"], Format(delimiter=";"))
    (tmp_path / "districts.csv").write_bytes("".join(records).encode(encoding))
    names = load_dataset(tmp_path).districts.set_index("code")["name"]
    assert names["21"] == "Geestemünde" and names["134"] == "Goethestraße"


def test_one_windows_1252_row_in_a_utf8_file_is_reported(tmp_path):
    minimal_folder(tmp_path)
    path = tmp_path / "districts.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    row = next(number for number, line in enumerate(lines, start=1) if line.startswith("21,"))
    path.write_bytes(b"".join(line.encode("cp1252" if number == row else "utf-8")
                              for number, line in enumerate(lines, start=1)))
    error = rejected(tmp_path, {"districts.csv"})
    assert [(p.row, "Kodierung" in p.expected) for p in error.problems] == [(row, True)], str(error)


# --- very large files --------------------------------------------------------------------------------------

LARGE_ROWS = 200_000
DEEP_ROW = 150_000  # data row, i.e. line 150_001 of the file


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> Path:
    """200,000 observations (VER01, one row per inhabited Ortsteil and year) and their population."""
    folder = tmp_path_factory.mktemp("large")
    inputs = MINIMAL
    ortsteile = [code for code in MINIMAL_ORTSTEILE if code != "252"]  # Luneplate has no residents
    population = [{"district": code, "period": "2024", "sex": sex, "age_band": band, "population": "10"}
                  for code in ortsteile for sex in SEXES for band in AGE_BANDS]
    write_inputs(folder, replace(inputs, tables={**inputs.tables,
                                                 "population": Table.of("population", population)}), Format())
    with (folder / "observations.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(COLUMNS["observations"])
        writer.writerows(["VER01", ortsteile[row % len(ortsteile)], str(1000 + row // len(ortsteile)), row % 7, 100,
                          "", ""] for row in range(LARGE_ROWS))
    return folder


@pytest.mark.slow  # 200,000 rows
def test_large_file_loads_every_row_in_bounded_memory(large):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    observations = load_dataset(large).observations
    growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert len(observations) == LARGE_ROWS
    assert observations["numerator"].sum() == sum(row % 7 for row in range(LARGE_ROWS))
    assert growth < 800, f"peak memory grew by {growth:.0f} MiB for a {LARGE_ROWS}-row file"


@pytest.mark.slow  # 200,000 rows
@pytest.mark.parametrize("defect", ["not-a-number", "windows-1252"])
def test_large_file_reports_a_bad_row_deep_inside(large, tmp_path, defect):
    folder = tmp_path / "data"
    shutil.copytree(large, folder)
    path = folder / "observations.csv"
    lines = path.read_bytes().split(b"\r\n")
    if defect == "not-a-number":
        lines[DEEP_ROW] = lines[DEEP_ROW].replace(b",100,", b",100x,")
        expected = ("observations.csv", DEEP_ROW + 1, "denominator", "100x")
    else:  # a UTF-8 file (byte-order mark) with one row typed in Windows-1252
        lines[0] = b"\xef\xbb\xbf" + lines[0]
        lines[DEEP_ROW] = lines[DEEP_ROW].replace(b"VER01", "VERÜ1".encode("cp1252"))
        expected = ("observations.csv", DEEP_ROW + 1, None, None)
    path.write_bytes(b"\r\n".join(lines))
    error = rejected(folder, {"observations.csv"})
    assert [(p.file, p.row, p.column, p.value) for p in error.problems] == [expected], str(error)
