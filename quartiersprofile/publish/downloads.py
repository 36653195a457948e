"""The data downloads: a profile's indicator table beside its report, and the same table for every area and period
of the city (`open_data`), as German-Excel CSV and as XLSX.

The numbers are exactly the report's: values and interval limits rounded half up to the unit's decimals (as the
tables print them), counts as whole numbers, hidden values empty and marked "•". Every file describes itself:
with sample data each row says "Beispieldaten" (a forwarded extract keeps the notice), and the XLSX has a sheet
"Hinweise" with title, data vintage, the notice, the small-number rule, the legend of every symbol, the
definitions and sources, and the build's identifier. Both are byte-for-byte reproducible.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from ..content import text
from ..content.outcomes import in_period
from ..content.profile import Profile
from ..content.tables import ProfileTables
from ..model import periods
from ..model.areas import LEVEL_LABELS
from ..stats.suppression import SUPPRESSED_MARKER
from . import insight_cells

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: The notice in every row of a download made from sample data.
SAMPLE_NOTICE = "Beispieldaten (synthetisch, beschreiben nicht die tatsächliche Lage)"
NOTICE_COLUMN = "Hinweis"
#: Columns with the values as the report shows them (rounded to the unit's decimals).
VALUE_COLUMNS = ("Wert", "KI 95 % unten", "KI 95 % oben", "Bremerhaven", *insight_cells.DOWNLOAD_VALUE_COLUMNS)
#: The column "Geschlecht": all persons, or women and men for the indicators the catalogue has by sex.
SEX_LABELS = {"": "insgesamt", "w": "Frauen", "m": "Männer"}
#: Columns with whole counts.
COUNT_COLUMNS = ("Fälle", "Zähler", "Nenner")
COLUMN_LEGEND = {
    "Hinweis": "Beispieldaten: die Zahlen sind synthetisch erzeugt.",
    "Bereich": "Abschnitt des Berichts.",
    "Kennziffer": "Kennung des Indikators im Katalog.",
    "Einheit": "Einheit des Werts (z. B. %, je 100.000 Einw.).",
    "Gebietscode": "Amtlicher Schlüssel des Gebiets (4012 = Stadt Bremerhaven).",
    "Ebene": "Stadt, Stadtteil oder Ortsteil.",
    "Geschlecht": "insgesamt, oder Frauen bzw. Männer bei Indikatoren, die es nach Geschlecht gibt (verglichen mit "
    "Frauen bzw. Männern der Stadt).",
    "Zeitraum": "Jahr, Quartal oder zusammengefasste Jahre (z. B. 2022–2024).",
    "Wert": "Der Wert, gerundet wie im Bericht.",
    "KI 95 % unten": "Untere Grenze des 95-%-Konfidenzintervalls.",
    "KI 95 % oben": "Obere Grenze des 95-%-Konfidenzintervalls.",
    "Bremerhaven": "Der Wert der Stadt im selben Zeitraum (Vergleichswert).",
    "Vergleich (95 %)": "Signifikant besser/schlechter (bzw. höher/niedriger) als die Stadt, 95-%-Intervall.",
    "Vergleich (99,8 %)": "Dasselbe bei strengerer Prüfung mit dem 99,8-%-Konfidenzintervall.",
    "Trend": "Test auf linearen Trend über die letzten fünf Zeiträume.",
    "Fälle": "Zahl der Ereignisse bzw. Personen im Zähler, wie im Bericht; bei Mittelwerten die Zahl der "
    "Untersuchten.",
    "Zähler": "Zähler der Kennzahl (bei Mittelwerten die Summe der Einzelwerte).",
    "Nenner": "Nenner (Bezugsgröße; bei Mittelwerten die Zahl der Untersuchten).",
    "Unterdrückt": f"{SUPPRESSED_MARKER} = wegen kleiner Fallzahlen nicht ausgewiesen.",
    "Quelle": "Datenhalter.",
    **insight_cells.COLUMN_LEGEND,
}
SYMBOLS = {
    SUPPRESSED_MARKER: "Wert wegen kleiner Fallzahlen nicht ausgewiesen (siehe Regel oben).",
    "leere Zelle": "kein Wert: nicht erhoben, nicht berechenbar oder unterdrückt.",
    text.MISSING: "im Bericht: kein Wert.",
}


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula (`=HYPERLINK(...)`) get a leading apostrophe.

    Names come from data files that several offices edit; a name must never become code in Excel.
    """

    def guard(value):
        return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value

    def guarded(column: pd.Series) -> pd.Series:
        if pd.api.types.is_object_dtype(column):  # cell by cell: `map` would make whole numbers among floats floats
            return pd.Series([guard(value) for value in column], index=column.index, dtype=object)
        return column.map(guard) if pd.api.types.is_string_dtype(column) else column

    bare = _without_attrs(table)
    return pd.DataFrame({name: guarded(bare[name]) for name in bare.columns}, index=bare.index)


def _without_attrs(table: pd.DataFrame) -> pd.DataFrame:
    """The same frame (no copy of the data) without `attrs`: pandas deep-copies them, a list as long as the table
    (the decimals), on every column taken and every row iterated - most of the time of a large download."""
    return pd.DataFrame(table, copy=False) if table.attrs else table


def round_as_shown(values: pd.Series, decimals: pd.Series) -> pd.Series:
    """Values rounded half up to their decimals, exactly as `text.format_number` prints them."""
    rounded = [
        np.nan if text.is_missing(value) else float(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-d),
                                                                                        rounding=ROUND_HALF_UP))
        for value, d in zip(values, decimals, strict=True)
    ]  # fmt: skip
    return pd.Series(rounded, index=values.index, dtype="float64")


def whole_numbers(values: pd.Series) -> pd.Series:
    """A count column: whole numbers as integers (no "38445,0"), anything else (e.g. km²) as it is."""
    numbers = pd.to_numeric(values, errors="coerce")
    if (numbers.dropna() % 1 == 0).all():
        return numbers.round().astype("Int64")
    # A column of counts with a few areas in km² (DEM02's denominator): built as objects, so that pandas does not
    # turn the whole numbers back into floats (written "8041,00").
    cells = [None if pd.isna(v) else int(v) if float(v).is_integer() else float(v) for v in numbers]
    return pd.Series(cells, index=numbers.index, dtype=object)


def long_table(rows: pd.DataFrame, tables: ProfileTables) -> pd.DataFrame:
    """Indicator rows (`tables.indicators` joined with the catalogue, or a profile's `indicator_rows`) as the
    download shows them, with German headers."""
    catalogue = tables.catalogue.set_index("id")
    areas = {area.code: area for area in tables.areas}
    rows = rows.reset_index(drop=True)
    indicator = rows["indicator"] if "indicator" in rows else rows["id"]
    unit = indicator.map(catalogue["unit"])
    statistic = indicator.map(catalogue["statistic"])
    decimals = unit.map(text.decimals_for)
    hidden = rows["suppressed"].astype(bool)
    denominator_hidden = rows.get("denominator_suppressed", pd.Series(False, index=rows.index)).astype(bool)
    cases = rows["numerator"].where(~statistic.isin(["mean", "ratio"]), rows["denominator"].where(statistic == "mean"))
    columns = {
        "Bereich": indicator.map(catalogue["section"]),
        "Kennziffer": indicator,
        "Indikator": indicator.map(catalogue["name"]),
        "Einheit": unit,
        "Gebietscode": rows["area"],
        "Gebiet": rows["area"].map(lambda code: areas[code].name),
        "Ebene": rows["area"].map(lambda code: LEVEL_LABELS[areas[code].level]),
        "Geschlecht": rows.get("sex", pd.Series("", index=rows.index)).fillna("").map(SEX_LABELS),
        "Zeitraum": rows["period_label"].map(periods.label),
        "Wert": round_as_shown(rows["value"], decimals),
        "KI 95 % unten": round_as_shown(rows["lower"], decimals),
        "KI 95 % oben": round_as_shown(rows["upper"], decimals),
        "Bremerhaven": round_as_shown(rows["city_value"], decimals),
        "Vergleich (95 %)": rows["comparison_95"].map(text.CLASSIFICATION_LABELS),
        "Vergleich (99,8 %)": rows["comparison_998"].map(text.CLASSIFICATION_LABELS),
        "Trend": rows["trend"].map(text.TREND_LABELS),
        "Fälle": whole_numbers(cases.where(~hidden)),
        "Zähler": whole_numbers(rows["numerator"].where(~hidden)),
        "Nenner": whole_numbers(rows["denominator"].where(~denominator_hidden)),
        "Unterdrückt": hidden.map({True: SUPPRESSED_MARKER, False: ""}),
        "Quelle": indicator.map(catalogue["source"]),
        **insight_cells.download_columns(rows, decimals, round_as_shown),  # a profile's similar areas and targets
    }
    if tables.metadata.get("sample_data"):
        columns = {NOTICE_COLUMN: SAMPLE_NOTICE, **columns}
    table = pd.DataFrame(columns)
    table.attrs["decimals"] = decimals.to_list()
    return table


def download_table(profile: Profile) -> pd.DataFrame:
    """The report's indicator table, as the report shows it (for CSV and XLSX), each indicator the catalogue has
    by sex followed by its rows for women and men."""
    rows = profile.indicator_rows().rename(columns={"id": "indicator"}).assign(area=profile.area.code, sex="")
    by_sex = profile.tables.by_sex
    if by_sex is not None and len(by_sex):
        own = by_sex[by_sex["area"] == profile.area.code]
        chosen = [in_period(group, profile.period) for _, group in own.groupby("indicator", sort=False)]
        own = pd.concat([rows.iloc[0:0], *chosen], ignore_index=True) if chosen else rows.iloc[0:0]
        position = {indicator: i for i, indicator in enumerate(rows["indicator"])}
        rows = pd.concat([rows, own[own["indicator"].isin(position)]], ignore_index=True)
        order = rows["indicator"].map(position) * 3 + rows["sex"].map({"": 0, "w": 1, "m": 2})
        rows = rows.loc[order.sort_values(kind="stable").index].reset_index(drop=True)
    return long_table(rows, profile.tables)


def _csv_cell(value, decimals: int) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return f"{value:.{decimals}f}".replace(".", ",")
    return str(value)


def to_excel_csv(table: pd.DataFrame) -> bytes:
    """CSV as German Excel reads it: semicolon, decimal comma (values with their unit's decimals, counts whole),
    UTF-8 with byte-order mark, CRLF."""
    decimals = table.attrs.get("decimals") or [2] * len(table)
    safe = neutralise_formulas(table)
    lines = [";".join(_quoted(name) for name in safe.columns)]
    for row, places in zip(safe.itertuples(index=False), decimals, strict=True):
        cells = [
            _csv_cell(value, places if name in VALUE_COLUMNS else 2)
            for name, value in zip(safe.columns, row, strict=True)
        ]
        lines.append(";".join(_quoted(cell) for cell in cells))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def _quoted(cell: str) -> str:
    return f'"{cell.replace(chr(34), chr(34) * 2)}"' if any(c in cell for c in ';"\r\n') else cell


@dataclass(frozen=True)
class Notes:
    """What the "Hinweise" sheet of an XLSX says."""

    title: str
    stand: date | str | None
    sample_notice: str | None
    rule: str
    build_id: str
    catalogue: pd.DataFrame
    columns: tuple[str, ...]


def notes_for(tables: ProfileTables, title: str, build_id: str, columns) -> Notes:
    meta = tables.metadata
    return Notes(
        title=title,
        stand=meta.get("stand"),
        sample_notice=meta.get("sample_notice") if meta.get("sample_data") else None,
        rule=tables.rule.describe_de(),
        build_id=build_id,
        catalogue=tables.catalogue,
        columns=tuple(columns),
    )


def to_xlsx(table: pd.DataFrame, sheet: str, notes: Notes) -> bytes:
    """An XLSX workbook: the table (numbers with their unit's decimals, counts whole) and a sheet "Hinweise";
    document dates from the data vintage, fixed zip timestamps."""
    workbook = Workbook(write_only=True)
    _write_table(workbook.create_sheet(_sheet_title(sheet)), table)
    _write_notes(workbook.create_sheet("Hinweise"), notes)
    stand = notes.stand
    day = date.fromisoformat(stand) if isinstance(stand, str) else stand or date(2000, 1, 1)
    moment = datetime(day.year, day.month, day.day)
    workbook.properties.created = workbook.properties.modified = moment
    workbook.properties.creator = "quartiersprofile"
    workbook.properties.title = notes.title
    buffer = io.BytesIO()
    # openpyxl's Workbook.save stamps `modified` with the clock; its writer keeps the date set above.
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    return _normalise_zip(buffer.getvalue())


def _cell(sheet, value, number_format: str | None = None, bold: bool = False) -> WriteOnlyCell:
    """A cell of a write-only sheet: text always as text (never a formula), numbers with their format."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        value = f"'{value}"
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    if bold:
        cell.font = Font(bold=True)
    return cell


def _plain(value):
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    return int(value) if isinstance(value, np.integer) else value


def _write_table(sheet, table: pd.DataFrame) -> None:
    decimals = table.attrs.get("decimals") or [2] * len(table)
    table = _without_attrs(table)
    for index, column in enumerate(table.columns, start=1):
        width = max([len(str(column))] + [len(str(v)) for v in table[column].head(100)])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, name, bold=True) for name in table.columns])
    formats = {places: "#,##0" + ("." + "0" * places if places else "") for places in set(decimals)}
    for row, places in zip(table.itertuples(index=False), decimals, strict=True):
        cells = []
        for name, value in zip(table.columns, row, strict=True):
            value = _plain(value)
            number_format = None
            if name in VALUE_COLUMNS and value is not None:
                number_format = formats[places]
            elif name in COUNT_COLUMNS and isinstance(value, int):
                number_format = "#,##0"
            cells.append(_cell(sheet, value, number_format))
        sheet.append(cells)


def _write_notes(sheet, notes: Notes) -> None:
    """The sheet "Hinweise": what the workbook is, its notice, the rule, the symbols, the columns, the
    definitions and sources, the build's identifier."""
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 60
    for letter in "CDEFG":
        sheet.column_dimensions[letter].width = 40
    stand = text.format_date(notes.stand) if notes.stand else "–"
    rows: list[tuple] = [(notes.title,), ()]
    if notes.sample_notice:
        rows += [("Hinweis", notes.sample_notice), ()]
    rows += [("Datenstand", stand), *([("Kennung", notes.build_id)] if notes.build_id else []), (),
             ("Kleine Fallzahlen", notes.rule), ()]  # fmt: skip
    rows += [("Zeichen", "Bedeutung"), *SYMBOLS.items(), ()]
    rows += [("Spalte", "Bedeutung"), *((name, COLUMN_LEGEND[name]) for name in notes.columns if name in COLUMN_LEGEND)]
    rows += [(), ("Kennziffer", "Indikator", "Definition", "Zähler", "Nenner", "Einheit", "Quelle")]
    for entry in notes.catalogue.itertuples(index=False):
        rows.append(tuple(("" if pd.isna(value) else str(value)) for value in (
            entry.id, entry.name, entry.definition, entry.numerator, entry.denominator, entry.unit, entry.source)))
    headings = {"Hinweis", "Datenstand", "Kennung", "Kleine Fallzahlen", "Zeichen", "Spalte", "Kennziffer"}
    for number, row in enumerate(rows):
        sheet.append([_cell(sheet, value, bold=number == 0 or (column == 0 and value in headings))
                      for column, value in enumerate(row)])  # fmt: skip


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


def download_files(profile: Profile, build_id: str = "") -> dict[str, bytes]:
    """The data download of a profile: its indicator table as German-Excel CSV (`csv`) and XLSX (`xlsx`)."""
    table = download_table(profile)
    title = f"Gesundheitsbezogenes Quartiersprofil {profile.name}, {profile.period_label}: Indikatoren"
    notes = notes_for(profile.tables, title, build_id, table.columns)
    return {"csv": to_excel_csv(table), "xlsx": to_xlsx(table, sheet=profile.name, notes=notes)}


def read_xlsx_rows(data: bytes) -> list[list]:
    """The first sheet of a published XLSX file as rows of cell values (None for an empty cell), as a reader's
    spreadsheet program sees them. Read with calamine (Rust): the audits read every file a build publishes, and
    openpyxl needs about 3.5 s for the city-wide open data alone."""
    frame = pd.read_excel(io.BytesIO(data), sheet_name=0, header=None, dtype=object, engine="calamine")
    return frame.astype(object).where(frame.notna(), None).to_numpy().tolist()
