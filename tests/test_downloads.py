"""The data download beside each report: German-Excel CSV and XLSX, reproducible."""

import io
from datetime import datetime

import pandas as pd
from openpyxl import load_workbook

from quartiersprofile.downloads import to_excel_csv, to_xlsx

TABLE = pd.DataFrame(
    {"Indikator": ["SGB-II-Quote", "Adipositas"], "Wert": [14.25, None], "Unterdrückt": ["", "•"]}
)


def test_csv_is_what_german_excel_reads():
    data = to_excel_csv(TABLE)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    text = data.decode("utf-8-sig")
    assert text.split("\r\n")[:3] == ["Indikator;Wert;Unterdrückt", "SGB-II-Quote;14,25;", "Adipositas;;•"]
    assert pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")["Wert"].iloc[0] == 14.25


def test_xlsx_dates_come_from_the_data_vintage_not_the_clock():
    properties = load_workbook(io.BytesIO(to_xlsx(TABLE, sheet="Lehe", stand="2025-03-31"))).properties
    assert properties.created == properties.modified == datetime(2025, 3, 31)


def test_xlsx_holds_the_table_and_is_byte_identical_when_rebuilt():
    first = to_xlsx(TABLE, sheet="Lehe", stand="2025-03-31")
    assert first == to_xlsx(TABLE, sheet="Lehe", stand="2025-03-31")
    sheet = load_workbook(io.BytesIO(first)).active
    assert sheet.title == "Lehe"
    assert [c.value for c in sheet[1]] == ["Indikator", "Wert", "Unterdrückt"]
    assert [c.value for c in sheet[2]] == ["SGB-II-Quote", 14.25, None]
    assert sheet["B3"].value is None


def test_sheet_names_that_excel_refuses_are_cleaned():
    sheet = load_workbook(io.BytesIO(to_xlsx(TABLE, sheet="a/b:c*" + "x" * 40))).active
    assert sheet.title == "a_b_c_" + "x" * 25
