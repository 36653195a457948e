"""The disclosure audit (quartiersprofile.publish.audit) on the sample data: the published table passes, every
planted hidden value is found and reported without its value, differencing is caught, and the data-protection
report names places, never values. The audit of real built files is in tests/e2e/test_audit_build.py."""

from __future__ import annotations

import base64
import csv
import io
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from support.disclosure import CODE, SLUG, assert_single, secrets
from support.disclosure import own_cell as find_own_cell

from quartiersprofile.content import charts, text
from quartiersprofile.content.profile import Profile
from quartiersprofile.content.tables import ProfileTables, latest_period
from quartiersprofile.model.areas import Area
from quartiersprofile.model.errors import DisclosureError
from quartiersprofile.publish import audit
from quartiersprofile.publish.downloads import download_files
from quartiersprofile.publish.fragments import chart_to_html
from quartiersprofile.stats.suppression import SuppressionRule


@pytest.fixture(scope="module")
def truth(bundled_dataset, bundled_tables):
    """The sample data's tables and hidden cells (with true values), computed once."""
    return bundled_tables, audit.hidden_cells(bundled_dataset, bundled_tables)


@pytest.fixture(scope="module")
def period(truth) -> str:
    """The period the session build builds: the latest."""
    return latest_period(truth[0])


@pytest.fixture(scope="module")
def own_cell(truth, period):
    """Geestendorf's hidden cell in the report table: a small count (1-4) and the value it gives."""
    return find_own_cell(*truth, period)


@pytest.fixture(scope="module")
def downloads(truth, period) -> dict[str, bytes]:
    """Geestendorf's data download as the build writes it beside the report (CSV and XLSX)."""
    tables, _ = truth
    return download_files(Profile(next(a for a in tables.areas if a.code == CODE), period, tables))


def check(truth, period, **outputs):
    tables, hidden = truth
    return audit.audit_job_outputs(outputs, hidden, tables, CODE, period)


# --- ground truth ---------------------------------------------------------------------------------------------


def test_numbers_are_found_whole_wherever_they_stand_in_a_text():
    pattern = audit._whole_number_pattern(("-3,5", "12,3–14,5", "12,3", "1.234"))
    found = [m.group() for m in pattern.finditer("Wert -3,5 (12,3–14,5); nicht 112,3 oder 12,34 oder 1.234,5; 1.234.")]
    assert found == ["-3,5", "12,3–14,5", "1.234"]


def test_hidden_cells_are_the_suppressed_cells_with_their_true_values(truth):
    tables, hidden = truth
    assert len(hidden) == tables.indicators["suppressed"].sum() > 0
    small = hidden[hidden["reason"] == "kleine Fallzahl"]
    assert small["numerator"].between(1, 4).all() and small["value"].notna().any()  # a DSR needs 10 deaths
    published = tables.indicators.set_index(["indicator", "area", "period"])
    assert published.loc[list(zip(hidden["indicator"], hidden["area"], hidden["period"], strict=True)),
                         "numerator"].isna().all()  # fmt: skip


def test_the_published_table_passes(truth):
    tables, hidden = truth
    assert audit.audit_tables(tables) == audit.audit_tables(tables, cells=hidden) == []


def test_a_cell_the_rule_hides_but_the_table_publishes_is_a_finding(truth, own_cell):
    """The audit applies the rule to the true values itself: a table built with suppression bypassed fails."""
    tables, hidden = truth
    leaky = tables.indicators.copy()
    row = (leaky["indicator"] == own_cell.indicator) & (leaky["area"] == CODE) & (leaky["period"] == own_cell.period)
    leaky.loc[row, ["suppressed", "numerator", "value"]] = [False, own_cell.numerator, own_cell.value]
    leaks = audit.audit_tables(replace(tables, indicators=leaky), cells=hidden)
    assert [f.where for f in leaks] == ["Spalte numerator", "Spalte value"]
    assert all(f.area == f"Gebiet Geestendorf ({CODE})" for f in leaks)


def test_the_downloads_of_a_profile_pass(truth, period, downloads):
    assert check(truth, period, **downloads) == []


def test_unknown_output_kinds_are_refused(truth, period):
    with pytest.raises(ValueError, match="docx"):
        check(truth, period, docx=b"")


def test_a_figure_without_the_list_of_its_labels_is_a_leak(truth, period):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="png")
    source = base64.b64encode(buffer.getvalue()).decode()
    page = f"<figure><img src='data:image/png;base64,{source}' alt=''><figcaption>Logo</figcaption></figure>"
    leaks = check(truth, period, html=page.encode())
    assert [str(f) for f in leaks] == [
        "HTML-Bericht: Abbildung ohne Liste ihrer Beschriftungen, nicht prüfbar; Fundstelle: Diagrammbeschriftung "
        "in Abbildung „Logo“."
    ]


# --- planted values -----------------------------------------------------------------------------------------


def test_a_value_in_the_csv_is_found(truth, period, downloads, own_cell):
    rows = list(csv.reader(io.StringIO(downloads["csv"].decode("utf-8-sig")), delimiter=";"))
    number = next(i for i, row in enumerate(rows) if row[1] == own_cell.indicator)
    assert rows[number][rows[0].index("Wert")] == ""
    rows[number][rows[0].index("Wert")] = f"{own_cell.value:.2f}".replace(".", ",")
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    leaks = check(truth, period, csv=buffer.getvalue().encode("utf-8-sig"))
    assert_single(leaks, "CSV-Datei", own_cell, f"Zeile {number + 1}, Spalte Wert")


def test_a_small_count_in_the_xlsx_is_found(truth, period, downloads, own_cell):
    workbook = load_workbook(io.BytesIO(downloads["xlsx"]))
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("Kennziffer")].value == own_cell.indicator)
    assert row[header.index("Zähler")].value is None
    row[header.index("Zähler")].value = int(own_cell.numerator)
    buffer = io.BytesIO()
    workbook.save(buffer)
    leaks = check(truth, period, xlsx=buffer.getvalue())
    assert_single(leaks, "XLSX-Datei", own_cell, f"Zeile {row[0].row}, Spalte Zähler")


def test_a_value_drawn_as_a_chart_label_is_found(truth, period):
    tables, hidden = truth
    profile = Profile(next(a for a in tables.areas if a.code == CODE), period, tables)
    peers = {p.code for p in profile.peers} - {CODE}
    candidates = hidden[hidden["area"].isin(peers) & (hidden["period"] == period)]
    cell = next(
        c
        for c in candidates.itertuples()
        if pd.notna(c.value) and printed(c) not in published_forms(tables, profile, c.indicator)
    )
    peers = profile.peer_values(cell.indicator)
    restored = peers["code"] == cell.area
    peers.loc[restored, ["value", "lower", "upper", "suppressed"]] = [cell.value, cell.lower, cell.upper, False]
    chart = charts.district_bars(peers, CODE, np.nan, cell.name, cell.unit)
    caption = f"{cell.name} in allen Ortsteilen"
    figure = chart_to_html(charts.Chart(chart.figure, "Balkendiagramm"), caption)
    leaks = check(truth, period, html=f"<html><body><h2>Versorgung</h2>{figure}</body></html>".encode())
    assert_single(leaks, "HTML-Bericht", cell, f"Diagrammbeschriftung in Abbildung „{caption}“")


def printed(cell) -> str:
    return text.format_number(cell.value, text.decimals_for(cell.unit))


def published_forms(tables, profile, indicator) -> set[str]:
    """How the published cells of the indicator that the profile may show are printed (values, limits, counts)."""
    rows = tables.indicators
    rows = rows[(rows["indicator"] == indicator) & rows["area"].isin(profile.shown_areas) & ~rows["suppressed"]]
    unit = tables.catalogue.set_index("id").at[indicator, "unit"]
    numbers = rows[["value", "lower", "upper"]].to_numpy().ravel()
    counts = rows[["numerator", "denominator"]].to_numpy().ravel()
    return {text.format_number(v, d) for v in numbers for d in {text.decimals_for(unit), 1}} | {
        text.format_count(n) for n in counts
    }


@pytest.mark.slow  # Chromium
def test_a_value_in_the_pdf_text_is_found(truth, period, own_cell):
    from quartiersprofile.publish.pdf import html_to_pdf

    body = f"<p>Geestendorf</p><p>{own_cell.name}: {secrets(own_cell)[1]}</p>"
    pdf = html_to_pdf(f"<!DOCTYPE html><html lang='de'><title>t</title>{body}</html>")
    leaks = check(truth, period, pdf=pdf)
    assert_single(leaks, "PDF-Bericht", own_cell, "Seite 1, Zeile 3")


# --- the published table: blanks and differencing -----------------------------------------------------------

AREAS = (
    Area("4012", "Stadt", "stadt", "", "", ("111", "112", "113", "121")),
    Area("11", "Nord", "stadtteil", "4012", "Stadt", ("111", "112", "113")),
    Area("12", "Süd", "stadtteil", "4012", "Stadt", ("121",), "121"),
    Area("111", "Nord-A", "ortsteil", "11", "Nord", ("111",)),
    Area("112", "Nord-B", "ortsteil", "11", "Nord", ("112",)),
    Area("113", "Nord-C", "ortsteil", "11", "Nord", ("113",)),
)
NUMERATORS = {"111": 3, "112": 20, "113": 30, "11": 53, "12": 40, "4012": 93}


def synthetic_tables(hidden: set[str]) -> ProfileTables:
    """One count indicator; the `hidden` areas suppressed (blank, as the rule publishes them)."""
    rows = pd.DataFrame({"area": list(NUMERATORS), "numerator": list(NUMERATORS.values())}).assign(
        indicator="X01", period="2024", period_label="2024", denominator=np.nan, city_value=93.0
    )
    rows["suppressed"] = rows["area"].isin(hidden)
    rows["suppression_reason"] = np.where(rows["suppressed"], "kleine Fallzahl", "")
    for column in ("numerator", "value", "lower", "upper", "lower_998", "upper_998"):
        rows[column] = rows["numerator"].where(~rows["suppressed"]).astype(float)
    catalogue = pd.DataFrame({"id": ["X01"], "name": ["Fälle"], "unit": ["Anzahl"]})
    return ProfileTables(rows, catalogue, pd.DataFrame(), pd.DataFrame(), AREAS, {}, SuppressionRule())


def test_one_hidden_child_beside_its_published_total_and_siblings_is_recoverable():
    (finding,) = audit.audit_tables(synthetic_tables({"111"}))
    assert str(finding) == (
        "Indikatortabelle: ein unterdrückter Wert ist sichtbar – Indikator X01 „Fälle“, Gebiet Nord-A (111), "
        "Zeitraum 2024; Fundstelle: Differenzbildung: Nord minus 2 veröffentlichte Teilgebiete."
    )


def test_leaks_stop_the_build_with_every_message():
    leaks = audit.audit_tables(synthetic_tables({"111"}))
    with pytest.raises(DisclosureError, match="1 Befund") as error:
        audit.raise_on_leaks(leaks)
    assert error.value.leaks == leaks and str(leaks[0]) in str(error.value)
    audit.raise_on_leaks([])  # nothing found, nothing raised


def test_two_hidden_siblings_protect_each_other():
    assert audit.audit_tables(synthetic_tables({"111", "112"})) == []


def test_a_hidden_total_beside_published_parts_is_recoverable():
    leaks = audit.audit_tables(synthetic_tables({"11"}))
    assert [(f.area, f.where) for f in leaks] == [
        ("Gebiet Nord (11)", "Differenzbildung: Stadt minus 1 veröffentlichtes Teilgebiet"),
        ("Gebiet Nord (11)", "Differenzbildung: Summe der veröffentlichten Teilgebiete (3)"),
    ]


def test_a_hidden_cell_that_still_shows_a_value_is_found():
    tables = synthetic_tables({"111", "112"})
    tables.indicators.loc[tables.indicators["area"] == "111", "value"] = 3.0
    (finding,) = audit.audit_tables(tables)
    assert (finding.area, finding.where) == ("Gebiet Nord-A (111)", "Spalte value")


def test_a_hidden_city_value_must_not_stand_beside_every_area():
    tables = synthetic_tables({"4012", "12"})
    leaks = audit.audit_tables(tables)
    assert [(f.area, f.where) for f in leaks] == [
        ("Gebiet Stadt (4012)", "Spalte city_value (Vergleichswert) in 6 Zeilen")
    ]

# --- report for the data-protection officer -----------------------------------------------------------------


def test_suppression_report_lists_where_without_values(truth, period):
    tables, hidden = truth
    data = audit.suppression_report(tables, period)
    assert data == audit.suppression_report(tables, period)
    report_rows = pd.read_csv(io.BytesIO(data), sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert list(report_rows.columns) == audit.REPORT_COLUMNS
    row = report_rows[(report_rows["Gebietscode"] == CODE) & (report_rows["Zeitraum"] == period)].iloc[0]
    assert row["Gebiet"] == "Geestendorf" and row["Grund"] == "kleine Fallzahl"
    assert f"{SLUG} (Tabellen, Kennzahlen, Download)" in row["gekennzeichnet (•) in"]
    assert (report_rows["Regel"] == tables.rule.describe_de()).all()
    cells = set(report_rows.drop(columns=["Gebietscode", "Zeitraum", "Regel"]).to_numpy().ravel())
    for cell in hidden.itertuples():
        assert not set(secrets(cell)) & cells
    numbers = report_rows.drop(columns=["Gebietscode", "Zeitraum", "Regel"]).apply(
        lambda column: pd.to_numeric(column.str.replace(",", "."), errors="coerce")
    )
    assert numbers.isna().all().all()  # no cell holds a number: no values, no case counts
