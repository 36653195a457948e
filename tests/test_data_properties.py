"""Property-based tests of the input loaders (issue #8): random valid inputs load unchanged in every accepted
format; random corruptions either load as the file says or fail with the documented `DataValidationError`
naming file, row and column; never another exception, never a silently dropped row or misread value.

The inputs are small and built from scratch (the fixture's register and catalogue, or random ones), so that
every example loads in a fraction of a second.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import resource
import shutil
import string
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quartiersprofile.data import (
    AGE_BANDS,
    DEFAULT_METADATA,
    FREQUENCIES,
    POLARITIES,
    SECTIONS,
    SEXES,
    STATISTICS,
    TABLES,
    Dataset,
    DataValidationError,
    contract_schema,
    load_dataset,
    read_table,
    select_age_bands,
)

SMALL = Path(__file__).resolve().parent / "fixtures" / "data_small"
CONTRACT = contract_schema()["tables"]
COLUMNS = {name: list(table["columns"]) for name, table in CONTRACT.items()}
TYPES = {name: {column: spec["type"] for column, spec in table["columns"].items()} for name, table in CONTRACT.items()}
NUMBER_COLUMNS = {name: [c for c, kind in TYPES[name].items() if kind != "string"] for name in TABLES}
# Columns where any non-empty text is valid; every other column rejects a value with one of `WRONG_MARKS`.
FREE_TEXT = {"districts": {"name"}, "indicators": {"name", "definition", "numerator", "denominator", "unit", "source"}}
WRONG_MARKS = "#?!§$%&*@~^|<>"
ATTRIBUTES = {"districts": "districts", "indicators": "catalogue", "observations": "observations",
              "population": "population"}

FAST = settings(max_examples=15, deadline=None)  # every example loads a folder: keep the file under ~30 s

# Cell texts: umlauts, separators, quotes and line breaks, all encodable in Windows-1252.
TEXT_ALPHABET = string.ascii_letters + string.digits + "äöüÄÖÜß –€,;\"'()./:%\n"
# Windows-1252 bytes of these are never valid UTF-8 (no byte in 0x80-0xBF): mixed files are detectable.
UMLAUT_ALPHABET = string.ascii_letters + string.digits + "äöüÄÖÜß ,;\"'()./:%"


# --- inputs and how they are written ---------------------------------------------------------------------


class Raw(str):
    """A cell written exactly as given, not converted to the file's number format."""


@dataclass(frozen=True)
class Table:
    name: str
    header: list[str]
    rows: list[list[str]]  # cell texts; numbers with decimal point and without thousands separators

    @classmethod
    def of(cls, name: str, records: list[dict[str, str]]) -> Table:
        return cls(name, COLUMNS[name], [[record.get(column, "") for column in COLUMNS[name]] for record in records])

    def column(self, column: str) -> list[str]:
        position = self.header.index(column)
        return [cells[position] if position < len(cells) else "" for cells in self.rows]

    def with_cell(self, row: int, column: str, value: str) -> Table:
        rows = [list(cells) for cells in self.rows]
        rows[row][self.header.index(column)] = value
        return replace(self, rows=rows)

    def with_column(self, position: int, name: str, values: list[str]) -> Table:
        header = [*self.header[:position], name, *self.header[position:]]
        rows = [[*cells[:position], value, *cells[position:]] for cells, value in zip(self.rows, values, strict=True)]
        return replace(self, header=header, rows=rows)


@dataclass(frozen=True)
class Inputs:
    tables: dict[str, Table]
    metadata: dict | None  # None: no dataset.toml
    boundaries: dict | None  # None: no ortsteile.geojson


@dataclass(frozen=True)
class Format:
    kind: str = "csv"  # or "xlsx"
    delimiter: str = ","
    encoding: str = "utf-8"  # "utf-8-sig" writes a byte-order mark
    newline: str = "\n"  # "\n", "\r\n" or "mixed" (alternating)
    thousands: bool = False  # German files: 1.234,5 instead of 1234,5
    quote_all: bool = False

    @property
    def german(self) -> bool:
        return self.delimiter == ";"

    def file(self, name: str) -> str:
        return f"{name}.{self.kind}"


def formats() -> st.SearchStrategy[Format]:
    """Every documented file format: CSV (UTF-8, with or without BOM), German Excel CSV (UTF-8 with BOM or
    Windows-1252, decimal comma, optional thousands points), each with LF, CRLF or mixed line ends; XLSX."""
    newlines = st.sampled_from(["\n", "\r\n", "mixed"])
    plain = st.builds(Format, encoding=st.sampled_from(["utf-8", "utf-8-sig"]), newline=newlines,
                      quote_all=st.booleans())
    german = st.builds(Format, delimiter=st.just(";"), encoding=st.sampled_from(["utf-8-sig", "cp1252"]),
                       newline=newlines, thousands=st.booleans(), quote_all=st.booleans())
    return st.one_of(plain, german, st.just(Format("xlsx")))


def is_number(table: Table, position: int) -> bool:
    """Whether the cell at `position` is under a number column of the contract."""
    return position < len(table.header) and table.header[position].strip().lower() in NUMBER_COLUMNS[table.name]


def file_cell(text: str, numeric: bool, fmt: Format) -> str:
    """A cell as the format writes it: numbers with decimal comma (and thousands points) in German files."""
    if isinstance(text, Raw) or not numeric or not fmt.german or not text:
        return text
    whole, _, fraction = text.partition(".")
    if fmt.thousands:
        whole = f"{int(whole):,}".replace(",", ".")
    return whole + ("," + fraction if fraction else "")


def csv_records(table: Table, fmt: Format) -> list[str]:
    """The lines (records, each with its line end) of the table as a CSV file in `fmt`."""
    records = []
    for index, cells in enumerate([table.header, *table.rows]):
        newline = ("\r\n", "\n")[index % 2] if fmt.newline == "mixed" else fmt.newline
        buffer = io.StringIO()
        quoting = csv.QUOTE_ALL if fmt.quote_all else csv.QUOTE_MINIMAL
        writer = csv.writer(buffer, delimiter=fmt.delimiter, quoting=quoting, lineterminator=newline)
        writer.writerow([cell if index == 0 else file_cell(cell, is_number(table, column), fmt)
                         for column, cell in enumerate(cells)])
        records.append(buffer.getvalue())
    return records


def line_numbers(records: list[str]) -> list[int]:
    """The line on which each record starts, counting line breaks as a text editor does."""
    starts, line = [], 1
    for record in records:
        starts.append(line)
        line += len(re.findall(r"\r\n|\r|\n", record))
    return starts


def write_xlsx(path: Path, table: Table) -> None:
    """Numbers as native Excel numbers, everything else as text cells."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row, cells in enumerate([table.header, *table.rows], start=1):
        for column, text in enumerate(cells, start=1):
            if row > 1 and is_number(table, column - 1) and text and not isinstance(text, Raw):
                sheet.cell(row, column, float(text) if "." in text else int(text))
            elif text:
                sheet.cell(row, column, str(text)).data_type = "s"  # text, even if it starts with "="
    workbook.save(path)


def write_table(folder: Path, table: Table, fmt: Format) -> list[int]:
    """Write the table; returns the row number the loader reports for the header and each data row."""
    if fmt.kind == "xlsx":
        write_xlsx(folder / fmt.file(table.name), table)
        return list(range(1, len(table.rows) + 2))
    records = csv_records(table, fmt)
    (folder / fmt.file(table.name)).write_bytes("".join(records).encode(fmt.encoding))
    return line_numbers(records)


def toml_text(metadata: dict, newline: str = "\n") -> str:
    def literal(value):
        if isinstance(value, bool):
            return "true" if value else "false"
        return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)

    return "".join(f"{key} = {literal(value)}{newline}" for key, value in metadata.items())


def write_inputs(folder: Path, inputs: Inputs, fmt: Format) -> dict[str, list[int]]:
    lines = {name: write_table(folder, table, fmt) for name, table in inputs.tables.items()}
    if inputs.metadata is not None:
        newline = "\n" if fmt.newline == "\n" else "\r\n"
        encoding = "utf-8" if fmt.kind == "xlsx" else fmt.encoding
        (folder / "dataset.toml").write_bytes(toml_text(inputs.metadata, newline).encode(encoding))
    if inputs.boundaries is not None:
        encoding = "utf-8-sig" if fmt.encoding == "utf-8-sig" else "utf-8"
        (folder / "ortsteile.geojson").write_bytes(json.dumps(inputs.boundaries, ensure_ascii=False).encode(encoding))
    return lines


# --- what the loader must return -------------------------------------------------------------------------


def number(text: str, fmt: Format) -> float:
    """The number a cell means: canonical texts as written, raw texts read in the file's number format."""
    if isinstance(text, Raw) and fmt.german:
        text = text.replace(".", "").replace(",", ".")
    return float(text) if text.strip() else math.nan


def expected_frame(table: Table, fmt: Format) -> pd.DataFrame:
    """The table as the loader must return it: every row in file order, values as the file says."""
    columns = {}
    for column, kind in TYPES[table.name].items():
        cells = table.column(column)
        if kind == "string":
            columns[column] = pd.Series([cell.strip() or None for cell in cells], dtype="str")
        else:
            values = pd.Series([number(cell, fmt) for cell in cells], dtype="float64")
            columns[column] = values.astype("int64") if kind == "integer" else values
    return pd.DataFrame(columns)


def satisfies(value, check: dict) -> bool:
    """Whether a loaded value passes a check of data/schema.json (patterns in JSON-Schema, i.e. ASCII, sense)."""
    match check["check"]:
        case "str_matches":
            return re.search(check["pattern"], value, re.ASCII) is not None
        case "isin":
            return value in check["allowed_values"]
        case "greater_than_or_equal_to":
            return value >= check["min_value"]
        case "greater_than":
            return value > check["min_value"]
        case "age_band_spec":
            try:
                return bool(select_age_bands(value))
            except ValueError:
                return False
    raise AssertionError(f"unknown check {check}")


def assert_conforms(frame: pd.DataFrame, name: str) -> None:
    """Whatever loads satisfies the machine-readable contract."""
    for column, spec in CONTRACT[name]["columns"].items():
        values = frame[column].dropna()
        assert not spec["required"] or len(values) == len(frame), column
        for check in spec["checks"]:
            assert all(satisfies(value, check) for value in values), (column, check)


def assert_loaded(dataset: Dataset, inputs: Inputs, fmt: Format) -> None:
    for name, table in inputs.tables.items():
        frame = getattr(dataset, ATTRIBUTES[name])
        pd.testing.assert_frame_equal(frame, expected_frame(table, fmt))
        assert_conforms(frame, name)
    assert dataset.metadata == {**DEFAULT_METADATA, **(inputs.metadata or {})}
    assert dataset.boundaries == inputs.boundaries


PROBLEM = re.compile(r'[^,]+(, Zeile [1-9][0-9]*)?(, Spalte "[^"]+")?: (Wert ".*" – )?erwartet: \S.*')


def assert_documented(error: DataValidationError, files: set[str]) -> None:
    """The error message has the documented form: a count, then one line per problem naming the file."""
    count = len(error.problems)
    assert count > 0
    header = f"{count} Problem in den Eingabedaten:" if count == 1 else f"{count} Probleme in den Eingabedaten:"
    assert str(error).split("\n") == [header, *(f"  {problem}" for problem in error.problems)]
    for problem in error.problems:
        assert problem.file in files, str(problem)
        assert PROBLEM.fullmatch(str(problem)), str(problem)


def outcome(folder: Path, files: set[str]) -> Dataset | DataValidationError:
    """The loaded dataset or the documented error. Any other exception fails the test."""
    try:
        return load_dataset(folder)
    except DataValidationError as error:
        assert_documented(error, files)
        return error


def rejected(folder: Path, files: set[str]) -> DataValidationError:
    error = outcome(folder, files)
    assert isinstance(error, DataValidationError), "loaded, but must be rejected"
    return error


def located(error: DataValidationError, file: str, row: int | None, column: str | None) -> list:
    return [p for p in error.problems if (p.file, p.row, p.column) == (file, row, column)]


# --- strategies for valid inputs --------------------------------------------------------------------------


def texts(alphabet: str = TEXT_ALPHABET, min_size: int = 1) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=min_size, max_size=12).filter(lambda text: min_size == 0 or text.strip())


def decimals(low: int = 0) -> st.SearchStrategy[str]:
    """A non-negative number text with 0-3 decimals, e.g. 12 or 1234.05."""
    return st.builds(
        lambda whole, places, digits: f"{whole}.{digits % 10**places:0{places}d}" if places else str(whole),
        st.integers(low, 10**6), st.integers(0, 3), st.integers(0, 999),
    )


def counts(high: int = 10**5) -> st.SearchStrategy[str]:
    return st.integers(0, high).map(str)


@st.composite
def registers(draw, alphabet: str = TEXT_ALPHABET) -> Table:
    """The city, 1-2 Stadtbezirke, 1-2 Stadtteile each, 1-2 Ortsteile each; random codes, names and order."""
    shape = draw(st.lists(st.lists(st.integers(1, 2), min_size=1, max_size=2), min_size=1, max_size=2))
    codes = iter(draw(st.lists(st.integers(0, 99999).map(str), min_size=15, max_size=15, unique=True)))
    records = []

    def area(level: str, parent: str) -> str:
        code = next(codes)
        records.append({"code": code, "name": draw(texts(alphabet)), "level": level, "parent_code": parent,
                        "area_km2": draw(decimals()), "population_2018": draw(counts())})
        return code

    city = area("stadt", "")
    for stadtteile in shape:
        bezirk = area("stadtbezirk", city)
        for ortsteile in stadtteile:
            stadtteil = area("stadtteil", bezirk)
            for _ in range(ortsteile):
                area("ortsteil", stadtteil)
    return Table.of("districts", draw(st.permutations(records)))


def age_specs() -> st.SearchStrategy[str]:
    """Bounds of the 5-year bands, e.g. 0-64 or 65+."""
    return st.tuples(st.integers(0, 18), st.integers(0, 18)).map(sorted).map(
        lambda bands: f"{5 * bands[0]}+" if bands[1] == 18 else f"{5 * bands[0]}-{5 * bands[1] + 4}"
    )


@st.composite
def catalogues(draw, alphabet: str = TEXT_ALPHABET) -> Table:
    ids = draw(st.lists(st.from_regex(r"[A-Za-z0-9_]{1,6}", fullmatch=True), min_size=1, max_size=4, unique=True))
    records = []
    for indicator in ids:
        statistic = draw(st.sampled_from(STATISTICS))
        records.append({
            "id": indicator, "section": draw(st.sampled_from(SECTIONS)), "name": draw(texts(alphabet)),
            "definition": draw(texts(alphabet)), "numerator": draw(texts(alphabet)),
            "denominator": draw(texts(alphabet, min_size=0 if statistic == "count" else 1)),
            "statistic": statistic, "multiplier": draw(decimals(low=1)), "unit": draw(texts(alphabet)),
            "polarity": draw(st.sampled_from(POLARITIES)), "years_pooled": str(draw(st.integers(1, 10))),
            "frequency": draw(st.sampled_from(FREQUENCIES)),
            "age_bands": draw(st.just("") | age_specs()) if statistic == "dsr" else "",
            "source": draw(texts(alphabet)),
        })
    return Table.of("indicators", records)


@st.composite
def populations(draw, ortsteile: list[str]) -> Table:
    """All 2 x 19 rows for 1-2 Ortsteile and 1-2 years; the first Ortsteil is inhabited."""
    districts = draw(st.lists(st.sampled_from(ortsteile), min_size=1, max_size=2, unique=True))
    years = draw(st.lists(st.integers(1990, 2035).map(str), min_size=1, max_size=2, unique=True))
    cells = [(district, year, sex, band) for district in districts for year in years for sex in SEXES
             for band in AGE_BANDS]
    values = [draw(counts(5000).filter(lambda text: text != "0"))] + draw(
        st.lists(counts(5000), min_size=len(cells) - 1, max_size=len(cells) - 1)
    )
    records = [{"district": district, "period": year, "sex": sex, "age_band": band, "population": value}
               for (district, year, sex, band), value in zip(cells, values, strict=True)]
    draw(st.randoms(use_true_random=False)).shuffle(records)  # cheaper than st.permutations for ~150 rows
    return Table.of("population", records)


@st.composite
def measures(draw, statistic: str) -> dict[str, str]:
    """Numerator, denominator and sd that satisfy the rules of the statistic."""
    if statistic == "count":
        return {"numerator": draw(counts())}
    if statistic == "ratio":
        return {"numerator": draw(decimals()), "denominator": draw(decimals())}
    if statistic == "mean":
        observed = draw(st.integers(0, 50))
        sd = draw(decimals()) if observed >= 2 else draw(st.just("") | decimals())
        return {"numerator": draw(decimals()) if observed else "0", "denominator": str(observed), "sd": sd}
    denominator = draw(st.integers(0, 10**5))
    limit = denominator if statistic == "proportion" else 2 * denominator
    return {"numerator": str(draw(st.integers(0, limit))), "denominator": str(denominator)}


@st.composite
def observations(draw, catalogue: Table, inhabited: list[str]) -> Table:
    indicators = [dict(zip(catalogue.header, cells, strict=True)) for cells in catalogue.rows]

    def period(key):
        indicator, _, year, quarter = key
        return str(year) if indicator["frequency"] == "annual" else f"{year}-Q{quarter}"

    keys = draw(st.lists(
        st.tuples(st.sampled_from(indicators), st.sampled_from(inhabited), st.integers(1990, 2035), st.integers(1, 4)),
        min_size=1, max_size=5, unique_by=lambda key: (key[0]["id"], key[1], period(key)),
    ))
    records = []
    for key in keys:
        indicator, district = key[0], key[1]
        dsr = indicator["statistic"] == "dsr"
        for band in select_age_bands(indicator["age_bands"]) if dsr else [""]:
            records.append({"indicator": indicator["id"], "district": district, "period": period(key),
                            "age_band": band, **draw(measures(indicator["statistic"]))})
    return Table.of("observations", draw(st.permutations(records)))


METADATA_TYPES = {
    "title": str, "publisher": str, "stand": "date", "sample_data": bool, "population_base": str,
    "sample_notice": str, "generator": str, "seed": int,
}


def metadata_values(alphabet: str = TEXT_ALPHABET) -> st.SearchStrategy[dict]:
    values = {str: texts(alphabet, min_size=0), "date": st.dates(), bool: st.booleans(),
              int: st.integers(-(2**63), 2**63 - 1)}
    extra = st.dictionaries(
        st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True).filter(lambda key: key not in METADATA_TYPES),
        st.one_of(texts(alphabet, min_size=0), st.integers(), st.booleans()),
        max_size=2,
    )
    known = st.fixed_dictionaries({}, optional={key: values[kind] for key, kind in METADATA_TYPES.items()})
    return st.builds(lambda a, b: {**a, **b}, known, extra)


def points() -> st.SearchStrategy[list[float]]:
    return st.tuples(st.floats(-180, 180), st.floats(-90, 90)).map(list)


def polygons() -> st.SearchStrategy[list]:
    ring = st.lists(points(), min_size=3, max_size=5).map(lambda ring: [*ring, ring[0]])
    return st.lists(ring, min_size=1, max_size=2)


@st.composite
def boundaries(draw, ortsteile: list[str], alphabet: str = TEXT_ALPHABET) -> dict:
    """A FeatureCollection with a Polygon or MultiPolygon for some Ortsteile."""
    codes = draw(st.lists(st.sampled_from(ortsteile), min_size=1, max_size=len(ortsteile), unique=True))
    geometry = st.one_of(
        st.builds(lambda rings: {"type": "Polygon", "coordinates": rings}, polygons()),
        st.builds(lambda parts: {"type": "MultiPolygon", "coordinates": parts}, st.lists(polygons(), min_size=1,
                                                                                         max_size=2)),
    )
    features = [{"type": "Feature", "properties": {"code": code, "name": draw(texts(alphabet))},
                 "geometry": draw(geometry)} for code in codes]
    return {"type": "FeatureCollection", "features": features}


def ortsteile_of(register: Table) -> list[str]:
    return [code for code, level in zip(register.column("code"), register.column("level"), strict=True)
            if level == "ortsteil"]


@st.composite
def inputs(draw, alphabet: str = TEXT_ALPHABET) -> Inputs:
    """A complete valid input folder: register, catalogue, population, observations, optional metadata and
    optional boundaries."""
    register = draw(registers(alphabet))
    catalogue = draw(catalogues(alphabet))
    population = draw(populations(ortsteile_of(register)))
    residents: dict[str, int] = {}
    for district, value in zip(population.column("district"), population.column("population"), strict=True):
        residents[district] = residents.get(district, 0) + int(value)
    inhabited = [district for district, total in residents.items() if total > 0]
    return Inputs(
        tables={"districts": register, "indicators": catalogue, "population": population,
                "observations": draw(observations(catalogue, inhabited))},
        metadata=draw(st.none() | metadata_values(alphabet)),
        boundaries=draw(st.none() | boundaries(ortsteile_of(register), alphabet)),
    )


def read_fixture(name: str) -> Table:
    with (SMALL / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        header, *rows = csv.reader(handle)
    assert header == COLUMNS[name]
    return Table(name, header, rows)


def minimal() -> Inputs:
    """The fixture's register and catalogue, Goethestraße's population for 2024 and one observation."""
    population = [{"district": "134", "period": "2024", "sex": sex, "age_band": band, "population": "10"}
                  for sex in SEXES for band in AGE_BANDS]
    observation = {"indicator": "DEM01", "district": "134", "period": "2024", "numerator": "760"}
    return Inputs(
        tables={"districts": read_fixture("districts"), "indicators": read_fixture("indicators"),
                "population": Table.of("population", population),
                "observations": Table.of("observations", [observation])},
        metadata={"title": "Quartiersprofile", "stand": date(2025, 3, 31), "sample_data": True},
        boundaries=None,
    )


MINIMAL = minimal()


# --- valid inputs ------------------------------------------------------------------------------------------


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


# --- dataset.toml ------------------------------------------------------------------------------------------

BROKEN_TOML = ['stand = ', 'title = "ohne Ende', '= 5', 'sample_data = ja', '[unclosed', 'title = "a" "b"',
               'seed = 12 34']


@FAST
@given(metadata_values(), st.sampled_from(BROKEN_TOML), st.sampled_from(["\n", "\r\n"]), st.data())
def test_metadata_syntax_error_names_the_line(metadata, broken, newline, data):
    lines = toml_text(metadata, newline).splitlines(keepends=True)
    position = data.draw(st.integers(0, len(lines)))
    text = "".join([*lines[:position], broken + newline, *lines[position:]])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_inputs(folder, replace(MINIMAL, metadata=None), Format())
        (folder / "dataset.toml").write_text(text, encoding="utf-8", newline="")
        error = rejected(folder, {"dataset.toml"})
    (problem,) = error.problems
    assert problem.row == position + 1 and problem.expected.startswith("gültiges TOML"), str(error)


WRONG_METADATA = [
    ("title", "1"), ("title", "true"), ("publisher", "2025-03-31"), ("population_base", "[1, 2]"),
    ("sample_notice", "{ a = 1 }"), ("generator", "4.5"),
    ("stand", '"31.03.2025"'), ("stand", '"2025-02-30"'), ("stand", '"2025-13-45"'), ("stand", "2025"),
    ("stand", "12:00:00"), ("stand", "true"),
    ("sample_data", '"ja"'), ("sample_data", "1"), ("sample_data", '"true"'),
    ("seed", "true"), ("seed", '"4012"'), ("seed", "4012.5"), ("seed", "2025-03-31"),
]


@pytest.mark.parametrize(("key", "literal"), WRONG_METADATA)
def test_metadata_of_the_wrong_type_is_reported(tmp_path, key, literal):
    write_inputs(tmp_path, replace(MINIMAL, metadata=None), Format())
    (tmp_path / "dataset.toml").write_text(f"{key} = {literal}\n", encoding="utf-8")
    error = rejected(tmp_path, {"dataset.toml"})
    (problem,) = error.problems
    assert problem.value.startswith(f"{key} = "), str(error)


def test_deeply_nested_metadata_is_reported(tmp_path):
    write_inputs(tmp_path, replace(MINIMAL, metadata=None), Format())
    (tmp_path / "dataset.toml").write_text("a = " + "[" * 10_000 + "]" * 10_000 + "\n", encoding="utf-8")
    error = rejected(tmp_path, {"dataset.toml"})
    assert error.problems[0].expected.startswith("gültiges TOML")


# --- ortsteile.geojson -------------------------------------------------------------------------------------

MINIMAL_ORTSTEILE = ortsteile_of(MINIMAL.tables["districts"])
BAD_PROPERTIES = [None, [], "134", {}, {"code": None}, {"code": "999999"}, {"code": 134.5}, {"name": "134"}]
BAD_GEOMETRIES = [
    None, {}, [], {"type": "Point", "coordinates": [8.5, 53.5]}, {"type": "Polygon"},
    {"type": "Polygon", "coordinates": []}, {"type": "Polygon", "coordinates": [[[8.5, 53.5], [8.6, 53.5]]]},
    {"type": "Polygon", "coordinates": [[[8.5, 53.5, 1.0]] * 4]},
    {"type": "Polygon", "coordinates": [[["8.5", "53.5"]] * 4]},
    {"type": "Polygon", "coordinates": [[[471000.0, 5934000.0]] * 4]},  # UTM metres, not degrees
    {"type": "Polygon", "coordinates": [[[math.nan, 53.5]] * 4]},
    {"type": "Polygon", "coordinates": [[[10**400, 53.5]] * 4]},
    {"type": "Polygon", "coordinates": [[[True, False]] * 4]},
    {"type": "MultiPolygon", "coordinates": [[[8.5, 53.5]] * 4]}, {"type": "MultiPolygon", "coordinates": []},
]


@st.composite
def broken_boundaries(draw) -> tuple[str, int | None, str | None]:
    """GeoJSON text with one defect; the feature number and field it must be reported at (None: anywhere)."""
    collection = draw(boundaries(MINIMAL_ORTSTEILE))
    features = collection["features"]
    index = draw(st.integers(0, len(features) - 1))
    kind = draw(st.sampled_from(["properties", "geometry", "feature", "duplicate", "truncated", "any_json"]))
    if kind == "properties":
        features[index]["properties"] = draw(st.sampled_from(BAD_PROPERTIES))
    elif kind == "geometry":
        features[index]["geometry"] = draw(st.sampled_from(BAD_GEOMETRIES))
    elif kind == "feature":
        features[index] = draw(st.sampled_from([None, 1, "134", [], {}]))
    elif kind == "duplicate":
        features.append(features[index])
        index = len(features) - 1
    text = json.dumps(collection, ensure_ascii=False)
    if kind == "truncated":
        return text[: draw(st.integers(0, len(text) - 1))], None, None
    if kind == "any_json":
        leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5)
        value = draw(st.recursive(leaves, lambda children: st.lists(children, max_size=3)
                                  | st.dictionaries(st.sampled_from(["type", "features", "properties",
                                                                     "geometry", "coordinates", "code"]),
                                                    children, max_size=3), max_leaves=12))
        return json.dumps(value), None, None
    return text, index + 1, "geometry" if kind == "geometry" else "properties.code"


@FAST
@given(broken_boundaries())
def test_broken_boundaries_are_reported_at_the_feature(broken):
    text, feature, field = broken
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_inputs(folder, MINIMAL, Format())
        (folder / "ortsteile.geojson").write_text(text, encoding="utf-8")
        result = outcome(folder, {"ortsteile.geojson"})
    if isinstance(result, Dataset):  # only random JSON can happen to be a valid FeatureCollection
        assert feature is None
        assert result.boundaries == json.loads(text)
        return
    assert feature is None or located(result, "ortsteile.geojson", feature, field), str(result)


def test_every_bad_feature_is_reported_at_its_number(tmp_path):
    """Each defect of `BAD_GEOMETRIES` and `BAD_PROPERTIES` once, in one file; a repeated code as well."""
    square = {"type": "Polygon", "coordinates": [[[8.5, 53.5], [8.6, 53.5], [8.6, 53.6], [8.5, 53.5]]]}
    codes = iter(MINIMAL_ORTSTEILE)
    features = [{"type": "Feature", "properties": {"code": next(codes)}, "geometry": geometry}
                for geometry in BAD_GEOMETRIES]
    features += [{"type": "Feature", "properties": properties, "geometry": square} for properties in BAD_PROPERTIES]
    repeated = next(codes)
    features += [{"type": "Feature", "properties": {"code": repeated}, "geometry": square} for _ in range(2)]
    write_inputs(tmp_path, replace(MINIMAL, boundaries={"type": "FeatureCollection", "features": features}), Format())
    error = rejected(tmp_path, {"ortsteile.geojson"})
    expected = [(number, "geometry") for number in range(1, len(BAD_GEOMETRIES) + 1)]
    expected += [(number, "properties.code") for number in range(len(expected) + 1, len(features) - 1)]
    assert [(p.row, p.column) for p in error.problems] == [*expected, (len(features), "properties.code")], str(error)


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000 + "]" * 100_000, '{"features": [{"properties": {"name": "Geestemünde"}}]}'],
    ids=["deeply-nested", "windows-1252"],
)
def test_unreadable_boundaries_are_reported(tmp_path, text):
    write_inputs(tmp_path, MINIMAL, Format())
    (tmp_path / "ortsteile.geojson").write_text(text, encoding="cp1252")
    (problem,) = rejected(tmp_path, {"ortsteile.geojson"}).problems
    assert problem.row is None and problem.expected.startswith("gültiges GeoJSON in UTF-8"), str(problem)


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


def minimal_folder(folder: Path) -> None:
    write_inputs(folder, MINIMAL, Format())


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


def test_large_file_loads_every_row_in_reasonable_time_and_memory(large):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    start = time.perf_counter()
    observations = load_dataset(large).observations
    elapsed = time.perf_counter() - start
    growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert len(observations) == LARGE_ROWS
    assert observations["numerator"].sum() == sum(row % 7 for row in range(LARGE_ROWS))
    assert elapsed < 30, f"{elapsed:.1f} s"
    assert growth < 800, f"peak memory grew by {growth:.0f} MiB for a {LARGE_ROWS}-row file"


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
