"""Load the input folder as one validated, tidy `Dataset`, or stop with every problem found.

Every table in ``data/`` is ``<name>.csv`` (UTF-8 or German Excel CSV) or ``<name>.xlsx``. Cells are
checked against the pandera schemas (`contract.SCHEMAS`) and the rules (`rules`); every problem is collected
and raised at once as a `DataValidationError` that names file, row, column, value and expectation (in German:
analysts read them). ``data/README.md`` explains the contract, ``data/schema.json`` is its machine-readable
form (`contract_schema`).
"""

from __future__ import annotations

import json
import logging
import re
import tomllib
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from . import periods
from .age_bands import AGE_BANDS
from .boundaries import BOUNDARIES_FILE, read_boundaries
from .contract import OPTIONAL_TABLES, SCHEMAS, TABLES, WHOLE_NUMBER_CHECK, DataValidationError, Problem
from .focus import METADATA_KEY as FOCUS_KEY
from .focus import focus_problems
from .periods import QUARTER_PATTERN, YEAR_PATTERN
from .reading import (
    ReadError,
    Table,
    csv_rows,
    decode_text,
    is_number_column,
    raw_frame,
    schema_problems,
    table_path,
    typed_table,
    xlsx_rows,
)
from .rules import RULES, run_rules

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
METADATA_FILE = "dataset.toml"
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
    FOCUS_KEY: (dict, 'Tabellen [focus_groups.<name>] mit title, areas = ["212", …] und year (siehe data/README.md)'),
}



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
    projection: pd.DataFrame | None = None  # the optional official city projection (year, sex, age_band, population)


def latest_period(dataset: Dataset) -> str:
    """The latest period with observations; on a tie between a year and its Q4 the year wins."""
    return periods.latest(dataset.observations["period"].unique())


def _read(path: Path, name: str) -> tuple[Table | None, list[Problem]]:
    """Read one table file and check it on its own (schema and single-table rules)."""
    try:
        rows, decimal = xlsx_rows(path) if path.suffix.lower() == ".xlsx" else csv_rows(path)
    except ReadError as err:
        return None, [Problem(path.name, err.row, None, None, str(err))]
    raw, problems = raw_frame(path.name, rows, SCHEMAS[name])
    if raw is None:
        return None, problems
    table, parse_problems = typed_table(name, path.name, raw, decimal)
    return table, problems + parse_problems + schema_problems(table) + run_rules({name: table})


def _read_metadata(data_dir: Path, tables: dict[str, Table] | None = None) -> tuple[dict, Path | None, list[Problem]]:
    """Metadata from dataset.toml merged over `DEFAULT_METADATA`; a missing file means defaults. `tables`: the
    tables read so far, to check the focus groups against the register (`focus.focus_problems`)."""
    path = data_dir / METADATA_FILE
    metadata = dict(DEFAULT_METADATA)
    if not path.is_file():
        logger.warning("%s fehlt: Metadaten-Standardwerte (keine Beispieldaten, kein Stand)", METADATA_FILE)
        return metadata, None, []
    try:
        text = decode_text(path.read_bytes())
    except ReadError as err:
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
    if isinstance(metadata.get(FOCUS_KEY), dict):
        typed = {name: table.typed for name, table in (tables or {}).items()}
        problems += focus_problems(metadata, METADATA_FILE, typed.get("districts"), typed.get("population"), text)
    return metadata, path, problems


def _ordered(problems: list[Problem]) -> list[Problem]:
    """Problems by table and row, one per cell (the first found, e.g. "not a number" before "required")."""
    rank = {name: position for position, name in enumerate((*TABLES, *OPTIONAL_TABLES))}
    ordered = sorted(
        problems, key=lambda problem: (rank.get(Path(problem.file).stem, len(rank)), problem.row or 0)
    )
    seen, unique = set(), []
    for problem in ordered:
        identity = (problem.file, problem.row, problem.column) if problem.row is not None else problem
        if identity not in seen:
            seen.add(identity)
            unique.append(problem)
    return unique


def _tidy(table: Table) -> pd.DataFrame:
    """The typed table with a fresh index; whole-number columns as int64."""
    frame = table.typed.reset_index(drop=True)
    for name, column in SCHEMAS[table.name].columns.items():
        if any(check.name == WHOLE_NUMBER_CHECK for check in column.checks):
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
    as strings, counts as float64, `years_pooled` and `population_2018` as int64; empty cells are NA. An
    optional table (`contract.OPTIONAL_TABLES`) that is not there is None.
    """
    data_dir = DATA_DIR if data_dir is None else Path(data_dir)
    tables, files, problems = {}, {}, []
    present = [name for name in OPTIONAL_TABLES  # an optional table may be absent
               if any((data_dir / f"{name}{suffix}").is_file() for suffix in (".csv", ".xlsx"))]  # fmt: skip
    for name in [*TABLES, *present]:
        try:
            path = table_path(data_dir, name)
        except ReadError as err:
            problems.append(Problem(f"{name}.csv", None, None, None, str(err)))
            continue
        files[name] = path
        table, table_problems = _read(path, name)
        problems += table_problems
        if table is not None:
            tables[name] = table
    problems += run_rules(tables, cross=True)
    metadata, metadata_path, metadata_problems = _read_metadata(data_dir, tables)
    if metadata_path is not None:
        files["dataset"] = metadata_path
    problems += metadata_problems
    boundaries, boundary_problems = read_boundaries(data_dir, tables.get("districts"))
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
        projection=_tidy(tables["projection"]) if "projection" in tables else None,
    )


# --- machine-readable contract ---------------------------------------------------------------------------


def _column_contract(column: pa.Column) -> dict:
    whole = any(check.name == WHOLE_NUMBER_CHECK for check in column.checks)
    return {
        "type": "integer" if whole else "number" if is_number_column(column) else "string",
        "required": not column.nullable,
        "column_optional": not column.required,
        "description": column.description,
        "expected": column.title,
        "checks": [
            {"check": check.name, **check.statistics, "expected": check.error}
            for check in column.checks
            if check.name != WHOLE_NUMBER_CHECK
        ],
    }


def contract_schema() -> dict:
    """The data contract as plain data, from `SCHEMAS` and the rules; committed as data/schema.json."""
    return {
        "title": "Datenvertrag Quartiersprofile Bremerhaven",
        "description": "Generated by quartiersprofile.model.dataset.contract_schema(); explained in data/README.md.",
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
                "rules": [rule.description for rule in RULES if rule.table == name],
                "optional": name in OPTIONAL_TABLES,
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
