"""The data download beside each report (quartiersprofile.publish.downloads): German-Excel CSV and XLSX,
reproducible, suppression applied, never a formula."""

import io
from datetime import datetime

import pandas as pd
from openpyxl import load_workbook

from quartiersprofile.content.profile import Profile
from quartiersprofile.publish.downloads import download_files, download_table, to_excel_csv, to_xlsx

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


def test_download_table_hides_suppressed_values(bundled_tables):
    tables = bundled_tables
    small = next(a for a in tables.areas if a.code == "11")  # Weddewarden, about 550 residents
    table = download_table(Profile(small, "2024", tables))
    hidden = table[table["Unterdrückt"] == "•"]
    assert len(hidden) > 0
    assert hidden[["Wert", "KI 95 % unten", "KI 95 % oben", "Zähler"]].isna().all().all()
    assert isinstance(table, pd.DataFrame) and len(table) == len(tables.catalogue)




def test_formulas_in_names_stay_text():
    names = ["=HYPERLINK(1)", "+1", "-2", "@a", "normal"]
    table = pd.DataFrame({"Indikator": names, "Wert": [1.0, 2.0, 3.0, 4.0, 5.0]})
    text = to_excel_csv(table).decode("utf-8-sig")
    assert text.split("\r\n")[1:6] == ["'=HYPERLINK(1);1,0", "'+1;2,0", "'-2;3,0", "'@a;4,0", "normal;5,0"]
    sheet = load_workbook(io.BytesIO(to_xlsx(table, sheet="x"))).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["'=HYPERLINK(1)", "'+1", "'-2", "'@a", "normal"]
    assert all(row[0].data_type == "s" for row in sheet.iter_rows(min_row=2))


def test_download_files_of_a_profile(small_tables):
    (lehe,) = [a for a in small_tables.areas if a.code == "13"]
    profile = Profile(lehe, "2024", small_tables)
    files = download_files(profile)
    assert set(files) == {"csv", "xlsx"}
    table = download_table(profile)
    assert files["csv"] == to_excel_csv(table)
    assert files["xlsx"] == to_xlsx(table, sheet="Lehe", stand=small_tables.metadata["stand"])
    assert table["Kennziffer"].tolist() == small_tables.catalogue["id"].tolist()
    assert set(table["Gebiet"]) == {"Lehe"} and table.loc[table["Kennziffer"] == "SOZ01", "Zeitraum"].item() == (
        "4. Quartal 2024"
    )
