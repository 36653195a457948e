"""The data download beside each report (quartiersprofile.publish.downloads): German-Excel CSV and XLSX with the
numbers exactly as the report prints them, a notice in every row of sample data, a sheet "Hinweise" that explains
the file, reproducible, suppression applied, never a formula."""

import csv
import io
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from quartiersprofile.content import text
from quartiersprofile.content.profile import Profile
from quartiersprofile.publish.downloads import (
    SAMPLE_NOTICE,
    Notes,
    download_files,
    download_table,
    notes_for,
    round_as_shown,
    to_excel_csv,
    to_xlsx,
    whole_numbers,
)
from quartiersprofile.stats.suppression import SUPPRESSED_MARKER, SuppressionRule

TABLE = pd.DataFrame(
    {"Indikator": ["SGB-II-Quote", "Adipositas"], "Wert": [14.25, None], "Unterdrückt": ["", "•"]}
)
CATALOGUE = pd.DataFrame({
    "id": ["SOZ01"], "name": ["SGB-II-Quote"], "definition": ["Anteil der Leistungsberechtigten."],
    "numerator": ["Leistungsberechtigte"], "denominator": ["Einwohner:innen unter 65"], "unit": ["%"],
    "source": ["Jobcenter"],
})  # fmt: skip


def notes(stand="2025-03-31", sample_notice: str | None = "Beispieldaten: synthetisch.", build_id="abc123") -> Notes:
    return Notes("Titel der Datei", stand, sample_notice, SuppressionRule().describe_de(), build_id, CATALOGUE,
                 tuple(TABLE.columns))  # fmt: skip


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def notes_sheet(data: bytes) -> list[tuple]:
    return [tuple(v for v in row if v is not None) for row in load_workbook(io.BytesIO(data))["Hinweise"].values]


@pytest.fixture(scope="module")
def lehe(small_tables) -> Profile:
    (area,) = [a for a in small_tables.areas if a.code == "13"]
    return Profile(area, "2024", small_tables)


@pytest.fixture(scope="module")
def lehe_files(lehe) -> dict[str, bytes]:
    return download_files(lehe, "b1d2c3")


# --- the formats --------------------------------------------------------------------------------------------


def test_csv_is_what_german_excel_reads():
    data = to_excel_csv(TABLE)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    text_ = data.decode("utf-8-sig")
    assert text_.split("\r\n")[:3] == ["Indikator;Wert;Unterdrückt", "SGB-II-Quote;14,25;", "Adipositas;;•"]
    assert pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")["Wert"].iloc[0] == 14.25


def test_csv_values_have_the_decimals_of_their_row_and_counts_none():
    table = pd.DataFrame({
        "Wert": [14.25, 38445.0, 0.5], "Bremerhaven": [1.0, 2.0, 3.0],
        "Zähler": whole_numbers(pd.Series([3.0, 38445.0, None])),
        "Nenner": whole_numbers(pd.Series([13.75, 20.0, None])),
    })  # fmt: skip
    table.attrs["decimals"] = [1, 0, 2]
    lines = to_excel_csv(table).decode("utf-8-sig").split("\r\n")
    assert lines[1:4] == ["14,2;1,0;3;13,75", "38445;2;38445;20", "0,50;3,00;;"]


def test_values_are_rounded_half_up_as_the_report_prints_them():
    values = pd.Series([0.125, 2.5, 14.25, -0.05, np.nan, 1234.55])
    decimals = pd.Series([2, 0, 1, 1, 1, 1])
    rounded = round_as_shown(values, decimals)
    assert rounded.iloc[:4].tolist() == [0.13, 3.0, 14.3, -0.1] and np.isnan(rounded.iloc[4])  # not 0.12, 2, 14.2
    for value, places, shown in zip(values, decimals, rounded, strict=True):
        assert text.format_number(value, places).replace(".", "") == text.format_number(shown, places).replace(".", "")


def test_count_columns_hold_whole_numbers_as_integers():
    counts = whole_numbers(pd.Series([38445.0, np.nan, 3.0]))
    assert str(counts.dtype) == "Int64" and counts.iloc[0] == 38445 and counts.isna().iloc[1]
    areas = whole_numbers(pd.Series([13.75, 20.0, None]))  # km² stay as they are, whole ones become integers
    assert areas.tolist() == [13.75, 20, None] and isinstance(areas.iloc[1], int)


def test_xlsx_dates_come_from_the_data_vintage_not_the_clock():
    properties = load_workbook(io.BytesIO(to_xlsx(TABLE, sheet="Lehe", notes=notes()))).properties
    assert properties.created == properties.modified == datetime(2025, 3, 31)
    properties = load_workbook(io.BytesIO(to_xlsx(TABLE, "Lehe", notes(stand=date(2024, 12, 31))))).properties
    assert properties.created == datetime(2024, 12, 31) and properties.title == "Titel der Datei"


def test_xlsx_holds_the_table_and_is_byte_identical_when_rebuilt():
    first = to_xlsx(TABLE, sheet="Lehe", notes=notes())
    assert first == to_xlsx(TABLE, sheet="Lehe", notes=notes())
    workbook = load_workbook(io.BytesIO(first))
    assert workbook.sheetnames == ["Lehe", "Hinweise"]
    sheet = workbook["Lehe"]
    assert [c.value for c in sheet[1]] == ["Indikator", "Wert", "Unterdrückt"]
    assert [c.value for c in sheet[2]] == ["SGB-II-Quote", 14.25, None]
    assert sheet["B3"].value is None
    assert sheet.freeze_panes == "A2"


def test_the_notes_sheet_explains_the_file():
    rows = notes_sheet(to_xlsx(TABLE, sheet="Lehe", notes=notes()))
    assert rows[0] == ("Titel der Datei",)
    assert ("Hinweis", "Beispieldaten: synthetisch.") in rows
    assert ("Datenstand", "31. März 2025") in rows and ("Kennung", "abc123") in rows
    assert ("Kleine Fallzahlen", SuppressionRule().describe_de()) in rows
    symbols = dict(rows[rows.index(("Zeichen", "Bedeutung")) + 1:][:3])
    assert "kleiner Fallzahlen" in symbols[SUPPRESSED_MARKER] and "leere Zelle" in symbols
    legend = dict(row for row in rows[rows.index(("Spalte", "Bedeutung")) + 1:] if len(row) == 2)
    assert set(legend) >= {"Wert", "Unterdrückt"}
    assert ("SOZ01", "SGB-II-Quote", "Anteil der Leistungsberechtigten.", "Leistungsberechtigte",
            "Einwohner:innen unter 65", "%", "Jobcenter") in rows  # fmt: skip


def test_real_data_have_no_sample_notice():
    rows = notes_sheet(to_xlsx(TABLE, sheet="Lehe", notes=notes(sample_notice=None)))
    assert not any(row and row[0] == "Hinweis" for row in rows)


def test_sheet_names_that_excel_refuses_are_cleaned():
    workbook = load_workbook(io.BytesIO(to_xlsx(TABLE, sheet="a/b:c*" + "x" * 40, notes=notes())))
    assert workbook.worksheets[0].title == "a_b_c_" + "x" * 25


def test_formulas_in_names_stay_text():
    names = ["=HYPERLINK(1)", "+1", "-2", "@a", "normal"]
    table = pd.DataFrame({"Indikator": names, "Wert": [1.0, 2.0, 3.0, 4.0, 5.0]})
    table.attrs["decimals"] = [1] * 5
    text_ = to_excel_csv(table).decode("utf-8-sig")
    assert text_.split("\r\n")[1:6] == ["'=HYPERLINK(1);1,0", "'+1;2,0", "'-2;3,0", "'@a;4,0", "normal;5,0"]
    sheet = load_workbook(io.BytesIO(to_xlsx(table, sheet="x", notes=notes()))).worksheets[0]
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["'=HYPERLINK(1)", "'+1", "'-2", "'@a", "normal"]
    assert all(row[0].data_type == "s" for row in sheet.iter_rows(min_row=2))


# --- a profile's download -------------------------------------------------------------------------------------


def test_download_table_hides_suppressed_values(bundled_tables):
    tables = bundled_tables
    small = next(a for a in tables.areas if a.code == "11")  # Weddewarden, about 550 residents
    table = download_table(Profile(small, "2024", tables))
    hidden = table[table["Unterdrückt"] == "•"]
    assert len(hidden) > 0
    assert hidden[["Wert", "KI 95 % unten", "KI 95 % oben", "Zähler", "Fälle"]].isna().all().all()
    assert (hidden[["Vergleich (95 %)", "Trend"]] == text.CLASSIFICATION_LABELS["suppressed"]).all().all()
    # every indicator, and women and men after each indicator the catalogue has by sex
    by_sex = tables.catalogue["by_sex"].eq("true").sum()
    assert isinstance(table, pd.DataFrame) and len(table) == len(tables.catalogue) + 2 * by_sex
    (total, women, men) = table[table["Kennziffer"] == "GES01"].itertuples()
    assert (total.Geschlecht, women.Geschlecht, men.Geschlecht) == ("insgesamt", "Frauen", "Männer")
    rows = tables.by_sex.set_index(["area", "sex", "period"])
    for row, sex in ((women, "w"), (men, "m")):
        expected = rows.loc[("11", sex, "2024")]
        if expected["suppressed"]:
            assert row.Unterdrückt == "•" and pd.isna(row.Wert) and pd.isna(row.Zähler)
        else:
            assert row.Zähler == expected["numerator"] and row.Wert == round(expected["value"], 1)


def test_download_files_of_a_profile(small_tables, lehe, lehe_files):
    assert set(lehe_files) == {"csv", "xlsx"}
    table = download_table(lehe)
    assert lehe_files["csv"] == to_excel_csv(table)
    title = f"Gesundheitsbezogenes Quartiersprofil Lehe, {lehe.period_label}: Indikatoren"
    assert lehe_files["xlsx"] == to_xlsx(table, sheet="Lehe", notes=notes_for(small_tables, title, "b1d2c3",
                                                                              table.columns))  # fmt: skip
    assert table["Kennziffer"].tolist() == small_tables.catalogue["id"].tolist()
    assert set(table["Gebiet"]) == {"Lehe"} and table.loc[table["Kennziffer"] == "SOZ01", "Zeitraum"].item() == (
        "4. Quartal 2024"
    )
    assert download_files(lehe, "b1d2c3") == lehe_files  # byte-identical when made again


COLUMNS = [
    "Hinweis", "Bereich", "Kennziffer", "Indikator", "Einheit", "Gebietscode", "Gebiet", "Ebene", "Geschlecht",
    "Zeitraum",
    "Wert", "KI 95 % unten", "KI 95 % oben", "Bremerhaven", "Vergleich (95 %)", "Vergleich (99,8 %)", "Trend",
    "Fälle", "Zähler", "Nenner", "Unterdrückt", "Quelle",
]  # fmt: skip


def test_the_csv_columns_and_the_sample_notice_in_every_row(small_tables, lehe_files):
    rows = csv_rows(lehe_files["csv"])
    header = list(rows[0])
    assert header[: len(COLUMNS)] == COLUMNS  # further benchmarks (similar areas, targets) may follow
    assert len(set(header)) == len(header)
    assert small_tables.metadata["sample_data"] and len(rows) == len(small_tables.catalogue)
    assert all(row["Hinweis"] == SAMPLE_NOTICE for row in rows)


def test_counts_are_written_whole(lehe, lehe_files):
    (population,) = [row for row in csv_rows(lehe_files["csv"]) if row["Kennziffer"] == "DEM01"]
    residents = lehe.indicator_rows().set_index("id").at["DEM01", "numerator"]
    assert residents > 1000 and population["Zähler"] == population["Fälle"] == str(int(residents))  # "8041"
    assert population["Wert"] == str(int(residents))  # Personen: no decimals
    rows = {row["Kennziffer"]: row for row in csv_rows(lehe_files["csv"])}
    assert rows["DEM03"]["Nenner"] == str(int(residents))  # whole, also beside the km² of DEM02 in the column
    km2 = lehe.indicator_rows().set_index("id").at["DEM02", "denominator"]
    assert km2 % 1 and rows["DEM02"]["Nenner"] == f"{km2:.2f}".replace(".", ",")  # e.g. "0,55"
    for row in rows.values():
        for column in ("Fälle", "Zähler", *(("Nenner",) if row["Kennziffer"] != "DEM02" else ())):
            assert row[column] == "" or row[column].isdigit(), (row["Kennziffer"], column, row[column])


def test_values_have_their_unit_s_decimals_as_the_report_prints_them(lehe, lehe_files):
    shown = lehe.indicator_rows().set_index("id")
    rows = csv_rows(lehe_files["csv"])
    assert {row["Einheit"] for row in rows} >= {"%", "Personen"}
    for row in rows:
        places = text.decimals_for(row["Einheit"])
        cell = shown.loc[row["Kennziffer"]]
        for column, value in (("Wert", cell["value"]), ("KI 95 % unten", cell["lower"]),
                              ("KI 95 % oben", cell["upper"]), ("Bremerhaven", cell["city_value"])):  # fmt: skip
            printed = "" if text.is_missing(value) else text.format_number(value, places).replace(".", "")
            assert row[column] == printed, (row["Kennziffer"], column)


def test_xlsx_number_formats_follow_the_unit(lehe_files):
    workbook = load_workbook(io.BytesIO(lehe_files["xlsx"]))
    assert workbook.sheetnames == ["Lehe", "Hinweise"]
    sheet = workbook["Lehe"]
    header = [c.value for c in sheet[1]]
    column = {name: i for i, name in enumerate(header)}
    checked = set()
    for row in sheet.iter_rows(min_row=2):
        places = text.decimals_for(row[column["Einheit"]].value)
        for name in ("Wert", "KI 95 % unten", "KI 95 % oben", "Bremerhaven"):
            if row[column[name]].value is not None:
                assert row[column[name]].number_format == "#,##0" + ("." + "0" * places if places else "")
                checked.add(places)
        for name in ("Fälle", "Zähler"):
            value = row[column[name]].value
            assert value is None or (isinstance(value, int) and row[column[name]].number_format == "#,##0")
        assert row[column["Hinweis"]].value == SAMPLE_NOTICE
    assert checked == {0, 1}


def test_the_profile_s_notes_sheet(small_tables, lehe, lehe_files):
    rows = notes_sheet(lehe_files["xlsx"])
    assert rows[0] == (f"Gesundheitsbezogenes Quartiersprofil Lehe, {lehe.period_label}: Indikatoren",)
    assert ("Hinweis", small_tables.metadata["sample_notice"]) in rows
    assert ("Kennung", "b1d2c3") in rows and ("Kleine Fallzahlen", small_tables.rule.describe_de()) in rows
    assert ("Datenstand", text.format_date(small_tables.metadata["stand"])) in rows
    definitions = rows[rows.index(("Kennziffer", "Indikator", "Definition", "Zähler", "Nenner", "Einheit", "Quelle")):]
    assert [row[0] for row in definitions[1:]] == small_tables.catalogue["id"].tolist()
