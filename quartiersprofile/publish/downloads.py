"""The data download beside each report: its indicator table as German-Excel CSV and as XLSX.

Both are byte-for-byte reproducible: the same table gives the same file.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from ..content import text
from ..content.profile import Profile
from ..model import periods
from ..stats.suppression import SUPPRESSED_MARKER

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula (`=HYPERLINK(...)`) get a leading apostrophe.

    Names come from data files that several offices edit; a name must never become code in Excel.
    """
    def guard(value):
        return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value

    return table.apply(lambda column: column.map(guard) if pd.api.types.is_string_dtype(column) else column)


def download_table(profile: Profile) -> pd.DataFrame:
    """The report's indicator table with German headers, suppression applied (for CSV and XLSX)."""
    rows = profile.indicator_rows()
    marker = rows["suppressed"].map({True: SUPPRESSED_MARKER, False: ""})
    return pd.DataFrame(
        {
            "Bereich": rows["section"],
            "Kennziffer": rows["id"],
            "Indikator": rows["name"],
            "Einheit": rows["unit"],
            "Zeitraum": rows["period_label"].map(periods.label),
            "Gebiet": profile.name,
            "Wert": rows["value"].round(2),
            "KI 95 % unten": rows["lower"].round(2),
            "KI 95 % oben": rows["upper"].round(2),
            "Bremerhaven": rows["city_value"].round(2),
            "Vergleich (95 %)": rows["comparison_95"].map(text.CLASSIFICATION_LABELS),
            "Vergleich (99,8 %)": rows["comparison_998"].map(text.CLASSIFICATION_LABELS),
            "Trend": rows["trend"].map(text.TREND_LABELS),
            "Zähler": rows["numerator"],
            "Nenner": rows["denominator"],
            "Unterdrückt": marker,
            "Quelle": rows["source"],
        }
    )


def to_excel_csv(table: pd.DataFrame) -> bytes:
    """CSV as German Excel reads it: semicolon, decimal comma, UTF-8 with byte-order mark, CRLF."""
    text = neutralise_formulas(table).to_csv(sep=";", decimal=",", index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def to_xlsx(table: pd.DataFrame, sheet: str, stand: date | str | None = None) -> bytes:
    """An XLSX workbook with one sheet; document dates from the data vintage, fixed zip timestamps."""
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = _sheet_title(sheet)
    worksheet.append(list(table.columns))
    for row in neutralise_formulas(table).itertuples(index=False):
        worksheet.append([None if pd.isna(v) else v for v in row])
    for row in worksheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula
    for index, column in enumerate(table.columns, start=1):
        width = max([len(str(column))] + [len(str(v)) for v in table[column].head(100)])
        worksheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
    worksheet.freeze_panes = "A2"
    day = date.fromisoformat(stand) if isinstance(stand, str) else stand or date(2000, 1, 1)
    moment = datetime(day.year, day.month, day.day)
    workbook.properties.created = workbook.properties.modified = moment
    workbook.properties.creator = "quartiersprofile"
    buffer = io.BytesIO()
    # openpyxl's Workbook.save stamps `modified` with the clock; its writer keeps the date set above.
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    return _normalise_zip(buffer.getvalue())


def _sheet_title(name: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in name).strip("'") or "Profil"
    return cleaned[:31]


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and order so equal content gives equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def download_files(profile: Profile) -> dict[str, bytes]:
    """The data download of a profile: its indicator table as German-Excel CSV (`csv`) and XLSX (`xlsx`)."""
    table = download_table(profile)
    return {
        "csv": to_excel_csv(table),
        "xlsx": to_xlsx(table, sheet=profile.name, stand=profile.tables.metadata.get("stand")),
    }
