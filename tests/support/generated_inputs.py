"""Random and hand-made input folders for the property-based tests of the loaders (issue #8): tables written in
every accepted format (CSV, German Excel CSV, XLSX; BOM, CRLF, mixed line ends, quoting), hypothesis strategies
for valid registers, catalogues, populations, observations, metadata and boundaries, and what the loader must
return for them.

The inputs are small and built from scratch (the fixture's register and catalogue, or random ones), so that
every example loads in a fraction of a second.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import string
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
from hypothesis import settings
from hypothesis import strategies as st

from quartiersprofile.model.age_bands import AGE_BANDS, select_age_bands
from quartiersprofile.model.contract import (
    FREQUENCIES,
    POLARITIES,
    SECTIONS,
    SEXES,
    STATISTICS,
    TABLES,
    DataValidationError,
)
from quartiersprofile.model.dataset import DEFAULT_METADATA, Dataset, contract_schema, load_dataset

SMALL = Path(__file__).resolve().parents[1] / "fixtures" / "data_small"
CONTRACT = contract_schema()["tables"]
COLUMNS = {name: list(table["columns"]) for name, table in CONTRACT.items()}
TYPES = {name: {column: spec["type"] for column, spec in table["columns"].items()} for name, table in CONTRACT.items()}
OPTIONAL = {name: {column: spec["column_optional"] for column, spec in table["columns"].items()}
            for name, table in CONTRACT.items()}  # fmt: skip
NUMBER_COLUMNS = {name: [c for c, kind in TYPES[name].items() if kind != "string"] for name in TABLES}
# Columns where any non-empty text is valid (text columns without a check; observations.indicator has none but
# must name a catalogue id); every other column rejects a value with one of `WRONG_MARKS`.
FREE_TEXT = {name: {column for column, spec in table["columns"].items()
                    if spec["type"] == "string" and not spec["checks"]} - {"indicator"}
             for name, table in CONTRACT.items()}  # fmt: skip
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
    # a proportion's part and a band's deaths (dsr) are at most the denominator; a rate's events may exceed it
    limit = denominator if statistic in ("proportion", "dsr") else 2 * denominator
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
    """A table of the frozen fixture; the optional columns it leaves out come back as empty cells."""
    with (SMALL / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        header, *rows = csv.reader(handle)
    assert header == [column for column in COLUMNS[name] if not OPTIONAL[name].get(column)]
    records = [dict(zip(header, cells, strict=True)) for cells in rows]
    return Table(name, COLUMNS[name], [[record.get(column, "") for column in COLUMNS[name]] for record in records])


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
MINIMAL_ORTSTEILE = ortsteile_of(MINIMAL.tables["districts"])


def minimal_folder(folder: Path) -> None:
    write_inputs(folder, MINIMAL, Format())

