"""City-wide open data of a period: every area × indicator × period of the time series up to the report period, as
the reports show it (values, interval limits, comparison, trend, suppression flag), in long format.

Files in `profiles/<period>/`: `daten-bremerhaven.csv` (German Excel, as the profile downloads), `.xlsx` (with
the "Hinweise" sheet), `.parquet` (for programs) and `datapackage.json`, a Frictionless Data Package describing
the CSV (fields, types, German decimal comma, the key). The numbers are the downloads' (`downloads.long_table`),
so the disclosure audit of the build covers them like every other output.
"""

from __future__ import annotations

import io
import json

import pandas as pd

from ..content.tables import ProfileTables
from ..model import periods
from .downloads import NOTICE_COLUMN, SAMPLE_NOTICE, long_table, notes_for, to_excel_csv, to_xlsx

SLUG = "daten-bremerhaven"
DESCRIPTOR = "datapackage.json"
#: The files of a period's open data: output kind -> file name.
FILES = {"csv": f"{SLUG}.csv", "xlsx": f"{SLUG}.xlsx", "parquet": f"{SLUG}.parquet", "datapackage": DESCRIPTOR}
#: Frictionless field types of the table's columns (everything else is a string).
FIELD_TYPES = {
    "Wert": "number", "KI 95 % unten": "number", "KI 95 % oben": "number", "Bremerhaven": "number",
    "Fälle": "integer", "Zähler": "number", "Nenner": "number",
}  # fmt: skip
PRIMARY_KEY = ["Kennziffer", "Gebietscode", "Geschlecht", "Zeitraum"]


def open_data_rows(tables: ProfileTables, period: str) -> pd.DataFrame:
    """The indicator table's rows the reports of `period` can show: every area, every indicator, every period up
    to `period` (a year's annual values serve its quarters), and the rows for women and men of the indicators the
    catalogue has by sex; in catalogue, register, sex and time order."""
    table = tables.indicators.assign(sex="")
    if tables.by_sex is not None and len(tables.by_sex):
        table = pd.concat([table, tables.by_sex], ignore_index=True)
    rows = table[[periods.serves(p, period) for p in table["period"]]]
    order = {indicator: i for i, indicator in enumerate(tables.catalogue["id"])}
    areas = {area.code: i for i, area in enumerate(tables.areas)}
    key = pd.DataFrame({
        "indicator": rows["indicator"].map(order), "area": rows["area"].map(areas),
        "sex": rows["sex"].map({"": 0, "w": 1, "m": 2}), "period": [periods.sort_key(p) for p in rows["period"]],
    }, index=rows.index)  # fmt: skip
    return rows.loc[key.sort_values(["indicator", "area", "sex", "period"], kind="stable").index]


def open_data_table(tables: ProfileTables, period: str) -> pd.DataFrame:
    return long_table(open_data_rows(tables, period), tables)


def descriptor(table: pd.DataFrame, tables: ProfileTables, period: str, csv_bytes: bytes) -> dict:
    """The Frictionless Data Package of the CSV (https://specs.frictionlessdata.io/data-package/)."""
    meta = tables.metadata
    sample = bool(meta.get("sample_data"))
    fields = []
    for name in table.columns:
        field = {"name": name, "type": FIELD_TYPES.get(name, "string")}
        if field["type"] == "number":
            field["decimalChar"] = ","
        if name in PRIMARY_KEY:
            field["constraints"] = {"required": True}
        fields.append(field)
    description = (
        f"Alle Indikatoren der gesundheitsbezogenen Quartiersprofile für jedes Gebiet Bremerhavens (Stadt, "
        f"Stadtteile, Ortsteile) und jeden Zeitraum bis {periods.label(period)}, wie in den Berichten. "
        f"{tables.rule.describe_de()}"
    )
    if sample:
        description = f"{SAMPLE_NOTICE}. {meta.get('sample_notice', '')} {description}"
    return {
        "profile": "tabular-data-package",
        "name": f"quartiersprofile-bremerhaven-{period.lower()}",
        "title": f"{meta.get('title', 'Quartiersprofile Bremerhaven')}: alle Gebiete, {periods.label(period)}",
        "description": description,
        "version": str(meta.get("stand") or ""),
        "keywords": ["Gesundheit", "Quartiersprofile", "Bremerhaven", *(["Beispieldaten"] if sample else [])],
        "resources": [
            {
                "name": SLUG,
                "path": f"{SLUG}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "bytes": len(csv_bytes),
                "dialect": {"delimiter": ";", "lineTerminator": "\r\n"},
                "schema": {"fields": fields, "primaryKey": PRIMARY_KEY, "missingValues": [""]},
            }
        ],
        "sources": [{"title": source} for source in sorted(set(tables.catalogue["source"].dropna()))],
    }


def open_data_files(tables: ProfileTables, period: str, build_id: str) -> dict[str, bytes]:
    """The period's open data files by name (`FILES`): CSV, XLSX, Parquet and the data package descriptor."""
    table = open_data_table(tables, period)
    csv_bytes = to_excel_csv(table)
    title = f"Gesundheitsbezogene Quartiersprofile Bremerhaven: alle Gebiete und Zeiträume bis {periods.label(period)}"
    notes = notes_for(tables, title, build_id, table.columns)
    parquet = io.BytesIO()
    frame = table.copy()
    for name in ("Zähler", "Nenner"):
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    frame.to_parquet(parquet, index=False)
    package = descriptor(table, tables, period, csv_bytes)
    return {
        FILES["csv"]: csv_bytes,
        FILES["xlsx"]: to_xlsx(table, sheet="Alle Gebiete", notes=notes),
        FILES["parquet"]: parquet.getvalue(),
        FILES["datapackage"]: (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
    }


__all__ = ["DESCRIPTOR", "FILES", "NOTICE_COLUMN", "SLUG", "open_data_files", "open_data_rows", "open_data_table"]
