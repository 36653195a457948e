"""Data contract: find, read and validate the input tables and return them as one tidy `Dataset`.

Every table in ``data/`` is ``<name>.csv`` (UTF-8 or German Excel CSV) or ``<name>.xlsx``. Cells are
checked against the pandera schemas in `SCHEMAS` and against the rules registered with `_rule`; every
problem is collected and raised at once as a `DataValidationError` that names file, row, column, value and
expectation (in German: analysts read them). ``data/README.md`` explains the contract,
``data/schema.json`` is its machine-readable form (`contract_schema`).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import re
import tomllib
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
TABLES = ("districts", "indicators", "observations", "population")
METADATA_FILE = "dataset.toml"

AGE_BANDS = (*(f"{lower}-{lower + 4}" for lower in range(0, 90, 5)), "90+")
SEXES = ("w", "m")
LEVELS = ("stadt", "stadtbezirk", "stadtteil", "ortsteil")
SECTIONS = (
    "Demografie",
    "Soziale Lage",
    "Kindergesundheit",
    "Gesundheit und Sterblichkeit",
    "Versorgung",
    "Wohnumfeld",
)
STATISTICS = ("proportion", "rate", "dsr", "mean", "count", "ratio")
POLARITIES = ("higher_is_better", "higher_is_worse", "neutral")
FREQUENCIES = ("annual", "quarterly")

YEAR_PATTERN = r"^[0-9]{4}$"
QUARTER_PATTERN = r"^[0-9]{4}-Q[1-4]$"
_PERIOD = re.compile(r"(?P<year>[0-9]{4})(?:-Q(?P<quarter>[1-4]))?")
_AGE_SPEC = re.compile(r"(?P<lower>\d+)(?:-(?P<upper>\d+)|\+)")
_CODE_PATTERN = r"^[0-9]+$"
_NUMBER = {
    ".": re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"),
    ",": re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?"),
}

DEFAULT_METADATA = {
    "title": "Gesundheitsbezogene Quartiersprofile Bremerhaven",
    "publisher": "",
    "stand": None,
    "sample_data": False,
    "population_base": "",
    "sample_notice": "",
}
_METADATA_TYPES = {
    "title": (str, "ein Text in Anführungszeichen"),
    "publisher": (str, "ein Text in Anführungszeichen"),
    "stand": (date, "ein Datum wie 2025-03-31"),
    "sample_data": (bool, "true oder false"),
    "population_base": (str, "ein Text in Anführungszeichen"),
    "sample_notice": (str, "ein Text in Anführungszeichen"),
    "generator": (str, "ein Text in Anführungszeichen"),
    "seed": (int, "eine ganze Zahl"),
}


@dataclass(frozen=True)
class Problem:
    """One problem in the input, located as the analyst sees it: file, row (header = row 1), column."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"Zeile {self.row}")
        if self.column is not None:
            where.append(f'Spalte "{self.column}"')
        found = "" if self.value is None else f'Wert "{self.value}" – '
        # one line per problem: a line break inside a cell is shown as ↵
        return "↵".join(f"{', '.join(where)}: {found}erwartet: {self.expected}".splitlines())


class DataValidationError(Exception):
    """The input data break the contract; `problems` lists every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        header = (
            f"{count} Problem in den Eingabedaten:"
            if count == 1
            else f"{count} Probleme in den Eingabedaten:"
        )
        return "\n".join([header, *(f"  {problem}" for problem in self.problems)])


@dataclass(frozen=True, eq=False)
class Dataset:
    """The validated input: tidy tables (column contracts in docs/architecture.md) plus metadata."""

    districts: pd.DataFrame
    catalogue: pd.DataFrame
    observations: pd.DataFrame
    population: pd.DataFrame
    metadata: dict
    files: dict[str, Path] = field(default_factory=dict)
    boundaries: dict | None = None  # GeoJSON FeatureCollection keyed on the Ortsteil code, when supplied


# --- periods and age bands -------------------------------------------------------------------------------


def period_sort_key(period: str) -> tuple[int, int]:
    """Sort key of a period; a year counts as its end, i.e. sorts equal to its fourth quarter.

    >>> sorted(["2024", "2024-Q1", "2023-Q4"], key=period_sort_key)
    ['2023-Q4', '2024-Q1', '2024']
    """
    match = _PERIOD.fullmatch(str(period))
    if match is None:
        raise ValueError(
            f"invalid period {period!r}: expected a year like '2024' or a quarter like '2024-Q3'"
        )
    return int(match["year"]), int(match["quarter"] or 4)


def align_period(period: str, frequency: str) -> str:
    """The period of an indicator with `frequency` that serves the report period `period`.

    An annual value serves every quarter of its year; a year is represented by its fourth quarter.

    >>> align_period("2024-Q2", "annual"), align_period("2024", "quarterly")
    ('2024', '2024-Q4')
    """
    year, quarter = period_sort_key(period)
    return str(year) if frequency == "annual" else f"{year}-Q{quarter}"


def latest_period(dataset: Dataset) -> str:
    """The latest period with observations; on a tie between a year and its Q4 the year wins."""
    return latest_of(dataset.observations["period"].unique())


def latest_of(periods) -> str:
    """The latest of some periods; on a tie between a year and its Q4 the year wins."""
    return max(periods, key=lambda period: (*period_sort_key(period), _PERIOD.fullmatch(period)["quarter"] is None))


def _band_limits(band: str) -> tuple[int, float]:
    lower, _, upper = band.rstrip("+").partition("-")
    return int(lower), float(upper) if upper else float("inf")


def select_age_bands(spec: str | None = None) -> tuple[str, ...]:
    """The 5-year bands of an ``age_bands`` spec such as "0-64" or "65+"; all 19 bands when empty.

    >>> select_age_bands("0-9"), len(select_age_bands(""))
    (('0-4', '5-9'), 19)
    """
    if spec is None or pd.isna(spec) or spec == "":
        return AGE_BANDS
    match = _AGE_SPEC.fullmatch(spec)
    lower = int(match["lower"]) if match else -1
    upper = float(match["upper"]) if match and match["upper"] else float("inf")
    bands = tuple(
        band for band in AGE_BANDS if lower <= _band_limits(band)[0] and _band_limits(band)[1] <= upper
    )
    if not bands or _band_limits(bands[0])[0] != lower or _band_limits(bands[-1])[1] != upper:
        raise ValueError(
            f"invalid age_bands {spec!r}: expected bounds of the 5-year bands, e.g. '0-64' or '65+'"
        )
    return bands


def _is_age_spec(spec: str) -> bool:
    try:
        select_age_bands(spec)
    except ValueError:
        return False
    return True


# --- schemas ---------------------------------------------------------------------------------------------

_NON_NEGATIVE = "eine nicht-negative Zahl"


def _text(title: str, description: str, *checks: pa.Check, nullable: bool = False, **options) -> pa.Column:
    return pa.Column(str, list(checks), nullable=nullable, title=title, description=description, **options)


def _number(title: str, description: str, *checks: pa.Check, nullable: bool = False) -> pa.Column:
    checks = (pa.Check.ge(0, error=title), *checks)
    return pa.Column(float, list(checks), nullable=nullable, title=title, description=description)


def _one_of(values: tuple[str, ...]) -> pa.Check:
    return pa.Check.isin(list(values), error="einer der Werte " + ", ".join(values))


def _code_check() -> pa.Check:
    return pa.Check.str_matches(_CODE_PATTERN, error="ein Gebietscode aus Ziffern, z. B. 134")


_WHOLE = "whole_number"
_WHOLE_LIMIT = 10**15  # whole numbers up to 15 digits are exact in float64 and fit int64


def _whole_number(title: str) -> pa.Check:
    return pa.Check(
        lambda values: (values % 1 == 0) & (values.abs() < _WHOLE_LIMIT),
        name=_WHOLE,
        error=f"{title} (höchstens 15 Stellen)",
    )


_KEY_DISTRICT = "Gebietscode (Ortsteil), z. B. 134"
_PERIOD_TEXT = 'ein Jahr wie "2024" oder ein Quartal wie "2024-Q3"'

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "districts": pa.DataFrameSchema(
        {
            "code": _text(
                "ein Gebietscode aus Ziffern, z. B. 134",
                'Official code: "4012" city, "1"/"2" Stadtbezirke, 2 digits Stadtteile, 3 digits Ortsteile.',
                _code_check(),
                unique=True,
                report_duplicates="exclude_first",
            ),
            "name": _text("der Name des Gebiets", "German name of the area as printed in the reports."),
            "level": _text("eine Gebietsebene", "Administrative level of the area.", _one_of(LEVELS)),
            "parent_code": _text(
                "der Code des übergeordneten Gebiets",
                "Code of the enclosing area one level up; empty for the city.",
                _code_check(),
                nullable=True,
            ),
            "area_km2": _number(_NON_NEGATIVE, "Area in square kilometres."),
            "population_2018": _number(
                "eine ganze Zahl, mindestens 0",
                "Residents (main residence, municipal register) on 31.12.2018; 0 = uninhabited.",
                _whole_number("eine ganze Zahl, mindestens 0"),
            ),
        },
        title="Gebietsgliederung",
        description="Register of areas: city, Stadtbezirke, Stadtteile, Ortsteile, with their parents.",
    ),
    "indicators": pa.DataFrameSchema(
        {
            "id": _text(
                "eine Kennung aus Buchstaben, Ziffern oder _, z. B. SOZ01",
                "Indicator id, e.g. SOZ01; referenced by observations.indicator.",
                pa.Check.str_matches(r"^[A-Za-z0-9_]+$", error="eine Kennung aus Buchstaben, Ziffern oder _"),
                unique=True,
                report_duplicates="exclude_first",
            ),
            "section": _text("ein Abschnitt des Berichts", "Report section.", _one_of(SECTIONS)),
            "name": _text("der Name des Indikators", "German name shown in the reports."),
            "definition": _text("eine Definition", "German definition shown in the methods section."),
            "numerator": _text("eine Beschreibung des Zählers", "German description of the numerator."),
            "denominator": _text(
                "eine Beschreibung des Nenners",
                "German description of the denominator; empty only for statistic count.",
                nullable=True,
            ),
            "statistic": _text("eine Kennzahlart", "How the value is computed.", _one_of(STATISTICS)),
            "multiplier": _number(
                "eine Zahl größer als 0",
                "Scale of the value, e.g. 100 for %, 100000 for a rate per 100,000.",
                pa.Check.gt(0, error="eine Zahl größer als 0"),
            ),
            "unit": _text("eine Einheit", "German unit shown with the value, e.g. %, je 1.000 Einw."),
            "polarity": _text("eine Wertungsrichtung", "Which direction is better.", _one_of(POLARITIES)),
            "years_pooled": _number(
                "eine ganze Zahl, mindestens 1",
                "Number of consecutive years pooled for one value (1 = no pooling).",
                _whole_number("eine ganze Zahl, mindestens 1"),
                pa.Check.ge(1, error="eine ganze Zahl, mindestens 1"),
            ),
            "frequency": _text("eine Häufigkeit", "Period type of the observations.", _one_of(FREQUENCIES)),
            "age_bands": _text(
                'Altersgrenzen der 5-Jahres-Gruppen wie "0-64" oder "65+"',
                "dsr only: the age range standardised over, e.g. 0-64; empty = all 19 bands.",
                pa.Check(
                    lambda values: values.map(_is_age_spec),
                    name="age_band_spec",
                    error='Altersgrenzen der 5-Jahres-Gruppen wie "0-64" oder "65+"',
                ),
                nullable=True,
            ),
            "source": _text("eine Quellenangabe", "German source citation shown in the reports."),
        },
        title="Indikatorenkatalog",
        description="Indicator catalogue: one row per indicator.",
    ),
    "observations": pa.DataFrameSchema(
        {
            "indicator": _text("eine Indikator-ID aus indicators.csv", "Indicator id from the catalogue."),
            "district": _text(_KEY_DISTRICT, "Ortsteil code (never a higher level).", _code_check()),
            "period": _text(
                _PERIOD_TEXT,
                "Year (annual indicators) or quarter (quarterly indicators).",
                pa.Check.str_matches(r"^[0-9]{4}(-Q[1-4])?$", error=_PERIOD_TEXT),
            ),
            "numerator": _number(_NON_NEGATIVE, "Count; for mean indicators the sum of the values."),
            "denominator": _number(
                _NON_NEGATIVE,
                "Population at risk; for mean indicators the number of observations; empty for count.",
                nullable=True,
            ),
            "age_band": _text(
                "eine Altersgruppe wie 0-4 oder 90+",
                "dsr only: the 5-year age band of this row (one row per band).",
                _one_of(AGE_BANDS),
                nullable=True,
            ),
            "sd": _number(_NON_NEGATIVE, "mean only: standard deviation of the values.", nullable=True),
        },
        title="Beobachtungen",
        description="Numerators and denominators per indicator, Ortsteil and period.",
        unique=["indicator", "district", "period", "age_band"],
        report_duplicates="exclude_first",
    ),
    "population": pa.DataFrameSchema(
        {
            "district": _text(_KEY_DISTRICT, "Ortsteil code.", _code_check()),
            "period": _text(
                'ein Jahr wie "2024"',
                "Year; the population on 31.12. of that year.",
                pa.Check.str_matches(YEAR_PATTERN, error='ein Jahr wie "2024"'),
            ),
            "sex": _text("w oder m", "Sex: w (female) or m (male).", _one_of(SEXES)),
            "age_band": _text("eine Altersgruppe wie 0-4 oder 90+", "5-year age band.", _one_of(AGE_BANDS)),
            "population": _number(_NON_NEGATIVE, "Residents (main residence) on 31.12."),
        },
        title="Bevölkerung",
        description="Residents per Ortsteil, year, sex and 5-year age band.",
        unique=["district", "period", "sex", "age_band"],
        report_duplicates="exclude_first",
    ),
}


# --- reading ---------------------------------------------------------------------------------------------


class _ReadError(Exception):
    """A file cannot be read at all; carries what was expected and, if known, the row where reading failed."""

    def __init__(self, expected: str, row: int | None = None):
        super().__init__(expected)
        self.row = row


@dataclass(frozen=True)
class _Table:
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


def _decode(data: bytes) -> str:
    """The text of a file in UTF-8 (with or without BOM) or else Windows-1252; never a mix of the two."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        if data.startswith(codecs.BOM_UTF8) or _UTF8_LATIN.search(data):
            raise _ReadError(
                "eine Textdatei in einer einzigen Kodierung: diese Zeile ist nicht UTF-8 wie der Rest der Datei "
                "(Windows-1252/ANSI?); bitte die ganze Datei einheitlich, z. B. als „CSV UTF-8“, speichern",
                row=data.count(b"\n", 0, err.start) + 1,
            ) from err
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as cp1252_err:
            raise _ReadError(_NOT_TEXT) from cp1252_err
    if "\x00" in text:
        raise _ReadError(_NOT_TEXT)
    return text


def _csv_rows(path: Path) -> tuple[list[tuple[int, list[str]]], str]:
    """Rows of a CSV file with their line numbers; detects encoding and separator (, or ;)."""
    text = _decode(path.read_bytes())
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
        raise _ReadError(
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


def _xlsx_rows(path: Path) -> tuple[list[tuple[int, list[str]]], str]:
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
        raise _ReadError("eine lesbare Excel-Arbeitsmappe (.xlsx)") from err
    width = max((len(cells) for _, cells in rows), default=0)
    return [(number, cells + [""] * (width - len(cells))) for number, cells in rows], "."


def _raw_frame(
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
        if column not in names
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
    frame = frame[columns]
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


def _is_number_column(column: pa.Column) -> bool:
    return str(column.dtype) == "float64"


def _typed_table(name: str, file: str, raw: pd.DataFrame, decimal: str) -> tuple[_Table, list[Problem]]:
    """The table with number columns converted; cells that are not numbers become problems."""
    table, problems = _Table(name, file, raw, raw.copy()), []
    hint = " im deutschen Zahlenformat, z. B. 1.234,5" if decimal == "," else ", z. B. 1234.5"
    for column_name, column in SCHEMAS[name].columns.items():
        if _is_number_column(column):
            table.typed[column_name], bad = _parse_numbers(raw[column_name], decimal)
            problems += table.problems_where(bad, column_name, column.title + hint)
    return table, problems


def _first_rows(frame: pd.DataFrame, key: list[str]) -> pd.Series:
    """For every row, the row number of the first row with the same key."""
    rows = frame.index.to_series(index=frame.index)
    return rows.groupby([frame[column] for column in key], dropna=False, sort=False).transform("first")


def _schema_problems(table: _Table) -> list[Problem]:
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


def _table_path(data_dir: Path, name: str) -> Path:
    candidates = [path for path in (data_dir / f"{name}.csv", data_dir / f"{name}.xlsx") if path.is_file()]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        raise _ReadError(
            f"nur eine der Dateien {name}.csv und {name}.xlsx (beide vorhanden; bitte eine entfernen)"
        )
    raise _ReadError(f"eine Datei {name}.csv oder {name}.xlsx im Ordner {data_dir}")


def _read(path: Path, name: str) -> tuple[_Table | None, list[Problem]]:
    """Read one table file and check it on its own (schema and single-table rules)."""
    try:
        rows, decimal = _xlsx_rows(path) if path.suffix.lower() == ".xlsx" else _csv_rows(path)
    except _ReadError as err:
        return None, [Problem(path.name, err.row, None, None, str(err))]
    raw, problems = _raw_frame(path.name, rows, SCHEMAS[name])
    if raw is None:
        return None, problems
    table, parse_problems = _typed_table(name, path.name, raw, decimal)
    return table, problems + parse_problems + _schema_problems(table) + _run_rules({name: table})


# --- rules across rows and tables ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    table: str
    needs: tuple[str, ...]
    description: str
    check: Callable[[Mapping[str, _Table]], list[Problem]]


_RULES: list[_Rule] = []


def _rule(table: str, description: str, needs: tuple[str, ...] = ()):
    """Register a rule on `table` that may also look at the tables in `needs`."""

    def register(check: Callable[[Mapping[str, _Table]], list[Problem]]):
        _RULES.append(_Rule(table, (table, *needs), description, check))
        return check

    return register


def _run_rules(tables: Mapping[str, _Table], cross: bool = False) -> list[Problem]:
    """Run the single-table rules (or with `cross`, the cross-table rules) whose tables are all present."""
    return [
        problem
        for rule in _RULES
        if (len(rule.needs) > 1) == cross and all(name in tables for name in rule.needs)
        for problem in rule.check(tables)
    ]


def _lookup(table: _Table, key: str) -> pd.DataFrame:
    return table.typed.dropna(subset=[key]).drop_duplicates(key).set_index(key)


@_rule("districts", "Exactly one row has level stadt (the city).")
def _one_city(tables: Mapping[str, _Table]) -> list[Problem]:
    table = tables["districts"]
    cities = table.typed["level"].eq("stadt")
    if cities.sum() == 1:
        return []
    return [Problem(table.file, None, "level", None, 'genau eine Zeile mit level "stadt" (die Stadt)')]


@_rule("districts", "parent_code is the code of an area one level up; the city has no parent.")
def _parents(tables: Mapping[str, _Table]) -> list[Problem]:
    table = tables["districts"]
    frame = table.typed
    level_above = frame["level"].map(dict(zip(LEVELS[1:], LEVELS[:-1], strict=True)))
    parent_level = frame["parent_code"].map(_lookup(table, "code")["level"])
    city = frame["level"].eq("stadt")
    wrong = frame["level"].isin(LEVELS[1:]) & parent_level.ne(level_above)
    expected = 'der Code eines Gebiets der Ebene "' + level_above.fillna("") + '" aus der Spalte code'
    return table.problems_where(wrong, "parent_code", expected) + table.problems_where(
        city & frame["parent_code"].notna(), "parent_code", "leer (die Stadt hat kein übergeordnetes Gebiet)"
    )


@_rule("indicators", "denominator is described for every statistic except count.")
def _catalogue_denominator(tables: Mapping[str, _Table]) -> list[Problem]:
    table = tables["indicators"]
    frame = table.typed
    missing = (
        frame["statistic"].isin(STATISTICS) & frame["statistic"].ne("count") & frame["denominator"].isna()
    )
    return table.problems_where(
        missing, "denominator", 'eine Beschreibung des Nenners (Pflichtfeld außer bei statistic "count")'
    )


@_rule("indicators", "age_bands is given only for dsr indicators.")
def _catalogue_age_bands(tables: Mapping[str, _Table]) -> list[Problem]:
    table = tables["indicators"]
    frame = table.typed
    misplaced = (
        frame["age_bands"].notna() & frame["statistic"].isin(STATISTICS) & frame["statistic"].ne("dsr")
    )
    return table.problems_where(misplaced, "age_bands", 'leer (Altersgrenzen nur bei statistic "dsr")')


def _ortsteil_problems(table: _Table, register: _Table) -> list[Problem]:
    """Unknown codes and codes of higher levels (they are aggregated from the Ortsteile, never supplied)."""
    codes = table.typed["district"]
    level = codes.map(_lookup(register, "code")["level"])
    unknown = codes.notna() & level.isna()
    higher = level.notna() & level.ne("ortsteil")
    expected = (
        'ein Ortsteil-Code ("'
        + codes.fillna("")
        + '" ist ein Gebiet der Ebene "'
        + level.fillna("")
        + '"; höhere Ebenen werden aus den Ortsteilen summiert)'
    )
    return table.problems_where(
        unknown, "district", f"ein Gebietscode aus {register.file}"
    ) + table.problems_where(higher, "district", expected)


@_rule("observations", "district is an Ortsteil of the register.", needs=("districts",))
def _observation_districts(tables: Mapping[str, _Table]) -> list[Problem]:
    return _ortsteil_problems(tables["observations"], tables["districts"])


@_rule("population", "district is an Ortsteil of the register.", needs=("districts",))
def _population_districts(tables: Mapping[str, _Table]) -> list[Problem]:
    return _ortsteil_problems(tables["population"], tables["districts"])


@_rule(
    "observations",
    "Observations only for inhabited Ortsteile (population > 0 in some year of the population table).",
    needs=("districts", "population"),
)
def _inhabited(tables: Mapping[str, _Table]) -> list[Problem]:
    table, population = tables["observations"], tables["population"].typed
    residents = population.groupby("district")["population"].sum()
    inhabited = residents.index[residents > 0]
    level = table.typed["district"].map(_lookup(tables["districts"], "code")["level"])
    empty = level.eq("ortsteil") & ~table.typed["district"].isin(inhabited)
    expected = f"ein bewohnter Ortsteil (laut {tables['population'].file} ohne Einwohner:innen)"
    return table.problems_where(empty, "district", expected)


def _with_catalogue(tables: Mapping[str, _Table]) -> pd.DataFrame:
    """The observations with their indicator's statistic, frequency and age_bands (NA if unknown)."""
    catalogue = _lookup(tables["indicators"], "id")[["statistic", "frequency", "age_bands"]]
    return tables["observations"].typed.join(catalogue, on="indicator")


@_rule("observations", "indicator is an id of the catalogue.", needs=("indicators",))
def _known_indicator(tables: Mapping[str, _Table]) -> list[Problem]:
    table, catalogue = tables["observations"], tables["indicators"]
    unknown = table.typed["indicator"].notna() & ~table.typed["indicator"].isin(catalogue.typed["id"])
    return table.problems_where(
        unknown, "indicator", f"eine Indikator-ID aus der Spalte id in {catalogue.file}"
    )


@_rule(
    "observations",
    "period is a year for annual and a quarter for quarterly indicators.",
    needs=("indicators",),
)
def _period_matches_frequency(tables: Mapping[str, _Table]) -> list[Problem]:
    table, frame = tables["observations"], _with_catalogue(tables)
    is_year = frame["period"].str.fullmatch(YEAR_PATTERN, na=False)
    is_quarter = frame["period"].str.fullmatch(QUARTER_PATTERN, na=False)
    annual = frame["frequency"].eq("annual") & is_quarter
    quarterly = frame["frequency"].eq("quarterly") & is_year
    return table.problems_where(
        annual, "period", 'ein Jahr wie "2024" (der Indikator wird jährlich geführt: frequency "annual")'
    ) + table.problems_where(
        quarterly, "period", 'ein Quartal wie "2024-Q3" (der Indikator wird vierteljährlich geführt)'
    )


@_rule(
    "observations",
    "denominator is given (except for count); numerator <= denominator for proportion; "
    "numerator is 0 where the denominator is 0 (proportion, rate, dsr, mean).",
    needs=("indicators",),
)
def _numerator_denominator(tables: Mapping[str, _Table]) -> list[Problem]:
    table, frame = tables["observations"], _with_catalogue(tables)
    statistic = frame["statistic"]
    missing = statistic.isin(STATISTICS) & statistic.ne("count") & table.raw["denominator"].isna()
    above = statistic.eq("proportion") & frame["numerator"].gt(frame["denominator"])
    events = statistic.isin(["proportion", "rate", "dsr", "mean"])
    zero = events & frame["denominator"].eq(0) & frame["numerator"].gt(0)
    return (
        table.problems_where(
            missing, "denominator", f'{_NON_NEGATIVE} (Pflichtfeld außer bei statistic "count")'
        )
        + table.problems_where(
            above,
            "numerator",
            "höchstens der Nenner "
            + table.raw["denominator"].fillna("")
            + " (ein Anteil kann 100 % nicht übersteigen)",
        )
        + table.problems_where(zero, "numerator", "0, weil der Nenner 0 ist")
    )


def _dsr_bands(tables: Mapping[str, _Table]) -> dict[str, tuple[str, ...]]:
    """The age bands of every dsr indicator whose age_bands spec is valid."""
    catalogue = _lookup(tables["indicators"], "id")
    dsr = catalogue[catalogue["statistic"].eq("dsr") & catalogue["age_bands"].map(_is_age_spec).astype(bool)]
    return {indicator: select_age_bands(spec) for indicator, spec in dsr["age_bands"].items()}


@_rule(
    "observations",
    "age_band is given for dsr indicators (one of the indicator's bands) and only for them.",
    needs=("indicators",),
)
def _age_band_usage(tables: Mapping[str, _Table]) -> list[Problem]:
    table, frame = tables["observations"], _with_catalogue(tables)
    bands = _dsr_bands(tables)
    dsr = frame["statistic"].eq("dsr")
    outside = pd.Series(
        [
            indicator in bands and band not in bands[indicator]
            for indicator, band in zip(frame["indicator"], frame["age_band"], strict=True)
        ],
        index=frame.index,
    )
    other = frame["statistic"].isin(STATISTICS) & ~dsr & frame["age_band"].notna()
    return (
        table.problems_where(
            dsr & frame["age_band"].isna(),
            "age_band",
            'eine Altersgruppe wie 0-4 (Pflichtfeld bei statistic "dsr")',
        )
        + table.problems_where(
            outside & frame["age_band"].notna(),
            "age_band",
            'eine Altersgruppe innerhalb von age_bands "'
            + frame["age_bands"].fillna("")
            + '" des Indikators',
        )
        + table.problems_where(other, "age_band", 'leer (Altersgruppen nur bei statistic "dsr")')
    )


@_rule(
    "observations",
    "sd is given for mean indicators (required from 2 observations on) and only for them.",
    needs=("indicators",),
)
def _sd_usage(tables: Mapping[str, _Table]) -> list[Problem]:
    table, frame = tables["observations"], _with_catalogue(tables)
    mean = frame["statistic"].eq("mean")
    missing = mean & frame["denominator"].ge(2) & table.raw["sd"].isna()
    other = frame["statistic"].isin(STATISTICS) & ~mean & table.raw["sd"].notna()
    return table.problems_where(
        missing, "sd", f'{_NON_NEGATIVE} (Standardabweichung; Pflichtfeld bei statistic "mean")'
    ) + table.problems_where(other, "sd", 'leer (Standardabweichung nur bei statistic "mean")')


def _incomplete_groups(
    table: _Table,
    labels: pd.Series,
    keys: list[str],
    required: Callable[[tuple], tuple[str, ...]],
    expected: str,
) -> list[Problem]:
    """A problem at the first row of every group (rows with equal `keys`) lacking some `required` labels.

    `labels` holds the label of every row to consider; rows with invalid cells are left out beforehand.
    """
    problems = []
    for group, group_labels in labels.groupby([table.typed[key] for key in keys], sort=False):
        missing = [label for label in required(group) if label not in set(group_labels)]
        if missing:
            shown = ", ".join(missing[:6]) + (" …" if len(missing) > 6 else "")
            where = " / ".join(group)
            problems.append(
                Problem(
                    table.file,
                    int(group_labels.index[0]),
                    "age_band",
                    None,
                    f"{expected} (für {where} fehlen: {shown})",
                )
            )
    return problems


@_rule(
    "observations",
    "A dsr indicator has one row for every age band of the indicator per district and period.",
    needs=("indicators",),
)
def _dsr_complete(tables: Mapping[str, _Table]) -> list[Problem]:
    table, bands = tables["observations"], _dsr_bands(tables)
    frame = table.typed
    valid = frame["indicator"].isin(list(bands)) & frame["age_band"].isin(AGE_BANDS) & frame["period"].notna()
    return _incomplete_groups(
        table,
        frame.loc[valid & frame["district"].notna(), "age_band"],
        ["indicator", "district", "period"],
        lambda group: bands[group[0]],
        "eine Zeile je Altersgruppe",
    )


@_rule("population", "Every district and period has one row per sex and age band (2 x 19 rows).")
def _population_complete(tables: Mapping[str, _Table]) -> list[Problem]:
    table = tables["population"]
    frame = table.typed
    valid = (
        frame["sex"].isin(SEXES)
        & frame["age_band"].isin(AGE_BANDS)
        & frame["period"].str.fullmatch(YEAR_PATTERN, na=False)
        & frame["district"].notna()
    )
    cells = tuple(f"{sex} {band}" for sex in SEXES for band in AGE_BANDS)
    return _incomplete_groups(
        table,
        (frame["sex"] + " " + frame["age_band"])[valid],
        ["district", "period"],
        lambda group: cells,
        "je Geschlecht (w, m) alle 19 Altersgruppen",
    )


# --- loading ---------------------------------------------------------------------------------------------


def _read_metadata(data_dir: Path) -> tuple[dict, Path | None, list[Problem]]:
    """Metadata from dataset.toml merged over `DEFAULT_METADATA`; a missing file means defaults."""
    path = data_dir / METADATA_FILE
    metadata = dict(DEFAULT_METADATA)
    if not path.is_file():
        logger.warning("%s fehlt: Metadaten-Standardwerte (keine Beispieldaten, kein Stand)", METADATA_FILE)
        return metadata, None, []
    try:
        text = _decode(path.read_bytes())
    except _ReadError as err:
        return metadata, path, [Problem(METADATA_FILE, err.row, None, None, str(err))]
    try:
        values = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as err:
        line = re.search(r"line (\d+)", str(err))
        return (
            metadata,
            path,
            [Problem(METADATA_FILE, int(line[1]) if line else None, None, None, f"gültiges TOML ({err})")],
        )
    problems = []
    for key, value in values.items():
        kind, expected = _METADATA_TYPES.get(key, (object, ""))
        if kind is date and isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            with suppress(ValueError):  # e.g. "2025-02-30": reported below as not a date
                value = date.fromisoformat(value)
        if isinstance(value, datetime):
            value = value.date()
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            problems.append(Problem(METADATA_FILE, None, None, f"{key} = {value}", expected))
        metadata[key] = value
    return metadata, path, problems


def _ordered(problems: list[Problem]) -> list[Problem]:
    """Problems by table and row, one per cell (the first found, e.g. "not a number" before "required")."""
    rank = {name: position for position, name in enumerate(TABLES)}
    ordered = sorted(
        problems, key=lambda problem: (rank.get(Path(problem.file).stem, len(TABLES)), problem.row or 0)
    )
    seen, unique = set(), []
    for problem in ordered:
        identity = (problem.file, problem.row, problem.column) if problem.row is not None else problem
        if identity not in seen:
            seen.add(identity)
            unique.append(problem)
    return unique


def _tidy(table: _Table) -> pd.DataFrame:
    """The typed table with a fresh index; whole-number columns as int64."""
    frame = table.typed.reset_index(drop=True)
    for name, column in SCHEMAS[table.name].columns.items():
        if any(check.name == _WHOLE for check in column.checks):
            frame[name] = frame[name].astype("int64")
    return frame


def read_table(path: Path, name: str) -> pd.DataFrame:
    """Read and check one table file on its own (no cross-table rules); `name` is one of `TABLES`."""
    table, problems = _read(Path(path), name)
    if problems:
        raise DataValidationError(_ordered(problems))
    return _tidy(table)


def load_dataset(data_dir: Path | None = None) -> Dataset:
    """Find, read and validate every table in `data_dir` (default: the repository's ``data/`` folder).

    Raises `DataValidationError` listing every problem found. Codes, periods, sex and age bands come back
    as strings, counts as float64, `years_pooled` and `population_2018` as int64; empty cells are NA.
    """
    data_dir = DATA_DIR if data_dir is None else Path(data_dir)
    tables, files, problems = {}, {}, []
    for name in TABLES:
        try:
            path = _table_path(data_dir, name)
        except _ReadError as err:
            problems.append(Problem(f"{name}.csv", None, None, None, str(err)))
            continue
        files[name] = path
        table, table_problems = _read(path, name)
        problems += table_problems
        if table is not None:
            tables[name] = table
    problems += _run_rules(tables, cross=True)
    metadata, metadata_path, metadata_problems = _read_metadata(data_dir)
    if metadata_path is not None:
        files["dataset"] = metadata_path
    problems += metadata_problems
    boundaries, boundary_problems = _read_boundaries(data_dir, tables.get("districts"))
    if boundaries is not None:
        files["boundaries"] = data_dir / BOUNDARIES_FILE
    problems += boundary_problems
    if problems:
        raise DataValidationError(_ordered(problems))
    logger.info("Daten geladen aus %s", data_dir)
    return Dataset(
        districts=_tidy(tables["districts"]),
        catalogue=_tidy(tables["indicators"]),
        observations=_tidy(tables["observations"]),
        population=_tidy(tables["population"]),
        metadata=metadata,
        files=files,
        boundaries=boundaries,
    )


BOUNDARIES_FILE = "ortsteile.geojson"


def _read_boundaries(data_dir: Path, districts: _Table | None) -> tuple[dict | None, list[Problem]]:
    """Optional real Ortsteil boundaries: a GeoJSON FeatureCollection whose features carry the Ortsteil code
    in the property `code`. Without the file the report draws the schematic tile map."""
    path = data_dir / BOUNDARIES_FILE
    if not path.exists():
        return None, []
    try:
        collection = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError, RecursionError) as err:  # ValueError: not UTF-8 or not JSON
        return None, [Problem(BOUNDARIES_FILE, None, None, None, f"gültiges GeoJSON in UTF-8 ({err})")]
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list):
        return None, [Problem(BOUNDARIES_FILE, None, None, None, "eine FeatureCollection mit 'features'")]
    register = None if districts is None else districts.typed
    known = set() if register is None else set(register.loc[register["level"] == "ortsteil", "code"].astype(str))
    problems, first = [], {}
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        code = str(properties.get("code", "")) if isinstance(properties, dict) else ""
        if known and code not in known:
            problems.append(Problem(BOUNDARIES_FILE, number, "properties.code", code or None,
                                    "der Code eines Ortsteils aus districts.csv"))
        elif code in first:
            problems.append(Problem(BOUNDARIES_FILE, number, "properties.code", code,
                                    f"jeden Code nur einmal (schon in Feature {first[code]})"))
        elif not _is_area(feature.get("geometry") if isinstance(feature, dict) else None):
            problems.append(Problem(BOUNDARIES_FILE, number, "geometry", None,
                                    "ein Polygon oder MultiPolygon aus Punkten [Länge, Breite] in Grad (WGS 84)"))
        first.setdefault(code, number)
    return (None if problems else collection), problems


def _is_ring(ring: object) -> bool:
    """A GeoJSON linear ring: at least 4 points [longitude, latitude] in degrees (NaN and infinity fail)."""
    return (
        isinstance(ring, list)
        and len(ring) >= 4
        and all(
            isinstance(point, list)
            and len(point) == 2
            and all(isinstance(x, int | float) and not isinstance(x, bool) for x in point)
            and abs(point[0]) <= 180
            and abs(point[1]) <= 90
            for point in ring
        )
    )


def _is_polygon(rings: object) -> bool:
    return isinstance(rings, list) and bool(rings) and all(map(_is_ring, rings))


def _is_area(geometry: object) -> bool:
    """A GeoJSON Polygon or MultiPolygon geometry with valid rings."""
    if not isinstance(geometry, dict):
        return False
    coordinates = geometry.get("coordinates")
    if geometry.get("type") == "Polygon":
        return _is_polygon(coordinates)
    if geometry.get("type") == "MultiPolygon":
        return isinstance(coordinates, list) and bool(coordinates) and all(map(_is_polygon, coordinates))
    return False


# --- machine-readable contract ---------------------------------------------------------------------------


def _column_contract(column: pa.Column) -> dict:
    whole = any(check.name == _WHOLE for check in column.checks)
    return {
        "type": "integer" if whole else "number" if _is_number_column(column) else "string",
        "required": not column.nullable,
        "description": column.description,
        "expected": column.title,
        "checks": [
            {"check": check.name, **check.statistics, "expected": check.error}
            for check in column.checks
            if check.name != _WHOLE
        ],
    }


def contract_schema() -> dict:
    """The data contract as plain data, from `SCHEMAS` and the rules; committed as data/schema.json."""
    return {
        "title": "Datenvertrag Quartiersprofile Bremerhaven",
        "description": "Generated by quartiersprofile.data.contract_schema(); explained in data/README.md.",
        "formats": [
            "CSV: UTF-8 with or without BOM, separator ',', decimal point",
            "CSV as saved by German Excel: separator ';', decimal comma, optional thousands points, "
            "UTF-8 with BOM or Windows-1252",
            "XLSX: first sheet, header in the first non-empty row",
        ],
        "periods": {"year": YEAR_PATTERN, "quarter": QUARTER_PATTERN},
        "age_bands": list(AGE_BANDS),
        "tables": {
            name: {
                "files": [f"{name}.csv", f"{name}.xlsx"],
                "title": schema.title,
                "description": schema.description,
                "key": list(
                    schema.unique or [column for column in schema.columns if schema.columns[column].unique]
                ),
                "columns": {column: _column_contract(spec) for column, spec in schema.columns.items()},
                "rules": [rule.description for rule in _RULES if rule.table == name],
            }
            for name, schema in SCHEMAS.items()
        },
        "metadata": {
            "file": METADATA_FILE,
            "optional": True,
            "keys": {key: expected for key, (_, expected) in _METADATA_TYPES.items()},
            "defaults": DEFAULT_METADATA,
        },
    }


def write_contract_schema(path: Path | None = None) -> Path:
    """Write `contract_schema` as JSON (default: data/schema.json) and return the path."""
    path = DATA_DIR / "schema.json" if path is None else Path(path)
    path.write_text(json.dumps(contract_schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
