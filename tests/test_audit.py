"""Tests for quartiersprofile.audit: the disclosure audit passes on real outputs and finds every planted value."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from conftest import run_build
from openpyxl import load_workbook

from quartiersprofile import audit, charts, report, text
from quartiersprofile.areas import Area
from quartiersprofile.data import load_dataset
from quartiersprofile.suppression import SUPPRESSED_MARKER, SuppressionRule

REPO = Path(__file__).resolve().parents[1]
SLUG, CODE = "ortsteil-geestendorf", "212"  # built by the session fixture; has small counts of its own


@pytest.fixture(scope="module")
def truth():
    """The sample data's tables and hidden cells (with true values), computed once."""
    dataset = load_dataset(REPO / "data")
    tables = report.compute_tables(dataset)
    return tables, audit.hidden_cells(dataset, tables)


@pytest.fixture(scope="module")
def period(built) -> str:
    (folder,) = [p for p in built.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return folder.name


@pytest.fixture(scope="module")
def outputs(built, period) -> dict[str, bytes]:
    return {kind: (built / period / f"{SLUG}.{kind}").read_bytes() for kind in audit.OUTPUT_KINDS}


@pytest.fixture(scope="module")
def own_cell(truth, period):
    """Geestendorf's hidden cell in the report table: a small count (1-4) and the value it gives."""
    tables, hidden = truth
    rows = report.Profile(next(a for a in tables.areas if a.code == CODE), period, tables).indicator_rows()
    shown = rows[rows["suppressed"].astype(bool)].iloc[0]
    chosen = (hidden["indicator"] == shown["id"]) & (hidden["area"] == CODE) & (hidden["period"] == shown["period"])
    return next(hidden[chosen].itertuples())


def check(truth, period, **outputs):
    tables, hidden = truth
    return audit.audit_job_outputs(outputs, hidden, tables, CODE, period)


def expected(output: str, cell, where: str) -> str:
    return (
        f"{output}: ein unterdrückter Wert ist sichtbar – Indikator {cell.indicator} „{cell.name}“, "
        f"Gebiet {cell.area_name} ({cell.area}), Zeitraum {cell.label}; Fundstelle: {where}."
    )


def secrets(cell) -> list[str]:
    decimals = text.decimals_for(cell.unit)
    return [text.format_number(cell.value, decimals), text.format_interval(cell.lower, cell.upper, decimals)]


def assert_single(findings, output: str, cell, where: str) -> None:
    assert [str(f) for f in findings] == [expected(output, cell, where)]
    assert not any(secret in str(findings[0]) for secret in secrets(cell))


# --- ground truth and the real build ------------------------------------------------------------------------


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
    findings = audit.audit_tables(replace(tables, indicators=leaky), cells=hidden)
    assert [f.where for f in findings] == ["Spalte numerator", "Spalte value"]
    assert all(f.area == f"Gebiet Geestendorf ({CODE})" for f in findings)


def test_every_output_of_a_real_build_passes(truth, built, period):
    tables, hidden = truth
    for slug, code in ((SLUG, CODE), ("stadtteil-lehe", "13")):
        outputs = {kind: (built / period / f"{slug}.{kind}").read_bytes() for kind in audit.OUTPUT_KINDS}
        assert audit.audit_job_outputs(outputs, hidden, tables, code, period, slug) == []


def test_every_chart_lists_its_labels_and_a_figure_without_the_list_is_a_finding(truth, period, outputs):
    from PIL import Image

    soup = BeautifulSoup(outputs["html"].decode("utf-8"), "html.parser")
    images = soup.find_all("img", src=re.compile("^data:image/png;base64,"))
    assert len(images) > 10
    assert all("Labels" in Image.open(io.BytesIO(_png_of(image))).info for image in images)
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="png")
    source = base64.b64encode(buffer.getvalue()).decode()
    page = f"<figure><img src='data:image/png;base64,{source}' alt=''><figcaption>Logo</figcaption></figure>"
    findings = check(truth, period, html=page.encode())
    assert [str(f) for f in findings] == [
        "HTML-Bericht: Abbildung ohne Liste ihrer Beschriftungen, nicht prüfbar; Fundstelle: Diagrammbeschriftung "
        "in Abbildung „Logo“."
    ]


def _png_of(image) -> bytes:
    return base64.b64decode(image["src"].split(",", 1)[1])


def test_a_chart_png_lists_its_drawn_texts_in_order_and_which_are_tick_labels():
    from PIL import Image

    table = pd.DataFrame(
        {"code": ["1", "2", "3"], "name": ["Nord", "Mitte", "Süd"], "value": [30.0, 20.0, np.nan],
         "lower": [25.0, 15.0, np.nan], "upper": [35.0, 25.0, np.nan], "suppressed": [False, False, True]}
    )  # fmt: skip
    chart = charts.district_bars(table, "1", 24.0, "Quote", "%")
    info = Image.open(io.BytesIO(charts.drawn_png(chart.figure))).info
    labels, ticks = json.loads(info["Labels"]), json.loads(info["TickLabels"])
    assert [t for t in ticks if t in ("Nord", "Mitte", "Süd")] == ["Nord", "Mitte", "Süd"]
    values = [label for label in labels if label in ("30,0", "20,0", "unterdrückt")]
    assert values[:3] == ["30,0", "20,0", "unterdrückt"] and "Quote (%)" in labels
    assert not Counter(ticks) - Counter(labels) and "30,0" not in ticks
    assert charts.drawn_png(chart.figure) == charts.drawn_png(chart.figure)


# --- planted values -----------------------------------------------------------------------------------------


def test_a_value_in_the_csv_is_found(truth, period, outputs, own_cell):
    rows = list(csv.reader(io.StringIO(outputs["csv"].decode("utf-8-sig")), delimiter=";"))
    number = next(i for i, row in enumerate(rows) if row[1] == own_cell.indicator)
    assert rows[number][rows[0].index("Wert")] == ""
    rows[number][rows[0].index("Wert")] = f"{own_cell.value:.2f}".replace(".", ",")
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    findings = check(truth, period, csv=buffer.getvalue().encode("utf-8-sig"))
    assert_single(findings, "CSV-Datei", own_cell, f"Zeile {number + 1}, Spalte Wert")


def test_a_small_count_in_the_xlsx_is_found(truth, period, outputs, own_cell):
    workbook = load_workbook(io.BytesIO(outputs["xlsx"]))
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("Kennziffer")].value == own_cell.indicator)
    assert row[header.index("Zähler")].value is None
    row[header.index("Zähler")].value = int(own_cell.numerator)
    buffer = io.BytesIO()
    workbook.save(buffer)
    findings = check(truth, period, xlsx=buffer.getvalue())
    assert_single(findings, "XLSX-Datei", own_cell, f"Zeile {row[0].row}, Spalte Zähler")


def test_a_small_count_in_the_html_table_is_found(truth, period, outputs, own_cell):
    soup = BeautifulSoup(outputs["html"].decode("utf-8"), "html.parser")
    name = f"{own_cell.name} ({own_cell.unit})"
    table = soup.select("table.indicators")[-1]  # the appendix
    row = next(r for r in table.tbody.find_all("tr") if r.th.get_text(" ", strip=True) == name)
    cases = row.find_all("td")[-1]
    assert cases.get_text(strip=True) == SUPPRESSED_MARKER
    cases.string = text.format_count(own_cell.numerator)
    findings = check(truth, period, html=str(soup).encode())
    caption = table.caption.get_text(" ", strip=True)
    assert_single(findings, "HTML-Bericht", own_cell, f"Tabelle „{caption}“, Zeile „{name}“, Spalte Fälle")


def test_a_value_in_an_alt_text_is_found(truth, period, outputs, own_cell):
    interval = secrets(own_cell)[1]
    page = outputs["html"].decode("utf-8")
    assert interval not in page
    soup = BeautifulSoup(page, "html.parser")
    image = soup.find("h2", string="Versorgung").find_next("img")
    image["alt"] += f" Konfidenzintervall {interval}."
    findings = check(truth, period, html=str(soup).encode())
    assert_single(findings, "HTML-Bericht", own_cell, "Attribut alt von <img> im Abschnitt „Versorgung“")


def test_a_value_drawn_as_a_chart_label_is_found(truth, period):
    tables, hidden = truth
    profile = report.Profile(next(a for a in tables.areas if a.code == CODE), period, tables)
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
    figure = charts.chart_to_html(charts.Chart(chart.figure, "Balkendiagramm"), caption)
    findings = check(truth, period, html=f"<html><body><h2>Versorgung</h2>{figure}</body></html>".encode())
    assert_single(findings, "HTML-Bericht", cell, f"Diagrammbeschriftung in Abbildung „{caption}“")


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


def test_a_value_in_the_pdf_text_is_found(truth, period, own_cell):
    from quartiersprofile.render import html_to_pdf

    body = f"<p>Geestendorf</p><p>{own_cell.name}: {secrets(own_cell)[1]}</p>"
    pdf = html_to_pdf(f"<!DOCTYPE html><html lang='de'><title>t</title>{body}</html>")
    findings = check(truth, period, pdf=pdf)
    assert_single(findings, "PDF-Bericht", own_cell, "Seite 1, Zeile 3")


def test_a_folder_with_an_unsuppressed_small_count_fails_with_a_precise_message(built, period, own_cell, tmp_path):
    shutil.copytree(built / period, tmp_path / period)
    assert audit.main([str(tmp_path)]) == 0
    path = tmp_path / period / f"{SLUG}.csv"
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig")), delimiter=";"))
    number = next(i for i, row in enumerate(rows) if row[1] == own_cell.indicator)
    rows[number][rows[0].index("Zähler")] = str(int(own_cell.numerator))
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";", lineterminator="\r\n").writerows(rows)
    result = subprocess.run(
        [sys.executable, "-m", "quartiersprofile.audit", str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    where = f"Zeile {number + 1}, Spalte Zähler"
    assert result.stdout.splitlines() == [expected(f"CSV-Datei {SLUG}.csv", own_cell, where), "1 Befund(e)."]


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


def synthetic_tables(hidden: set[str]) -> report.ProfileTables:
    """One count indicator; the `hidden` areas suppressed (blank, as the rule publishes them)."""
    rows = pd.DataFrame({"area": list(NUMERATORS), "numerator": list(NUMERATORS.values())}).assign(
        indicator="X01", period="2024", period_label="2024", denominator=np.nan, city_value=93.0
    )
    rows["suppressed"] = rows["area"].isin(hidden)
    rows["suppression_reason"] = np.where(rows["suppressed"], "kleine Fallzahl", "")
    for column in ("numerator", "value", "lower", "upper", "lower_998", "upper_998"):
        rows[column] = rows["numerator"].where(~rows["suppressed"]).astype(float)
    catalogue = pd.DataFrame({"id": ["X01"], "name": ["Fälle"], "unit": ["Anzahl"]})
    return report.ProfileTables(rows, catalogue, pd.DataFrame(), pd.DataFrame(), AREAS, {}, SuppressionRule())


def test_one_hidden_child_beside_its_published_total_and_siblings_is_recoverable():
    (finding,) = audit.audit_tables(synthetic_tables({"111"}))
    assert str(finding) == (
        "Indikatortabelle: ein unterdrückter Wert ist sichtbar – Indikator X01 „Fälle“, Gebiet Nord-A (111), "
        "Zeitraum 2024; Fundstelle: Differenzbildung: Nord minus 2 veröffentlichte Teilgebiete."
    )


def test_findings_stop_the_build_with_every_message():
    findings = audit.audit_tables(synthetic_tables({"111"}))
    with pytest.raises(audit.DisclosureError, match="1 Befund") as error:
        audit.raise_on_findings(findings)
    assert error.value.findings == findings and str(findings[0]) in str(error.value)
    audit.raise_on_findings([])  # nothing found, nothing raised


def test_two_hidden_siblings_protect_each_other():
    assert audit.audit_tables(synthetic_tables({"111", "112"})) == []


def test_a_hidden_total_beside_published_parts_is_recoverable():
    findings = audit.audit_tables(synthetic_tables({"11"}))
    assert [(f.area, f.where) for f in findings] == [
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
    findings = audit.audit_tables(tables)
    assert [(f.area, f.where) for f in findings] == [
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


# --- the audit inside the build -----------------------------------------------------------------------------


def test_a_build_whose_template_shows_a_hidden_value_fails_that_profile_and_writes_none_of_it(own_cell, tmp_path):
    interval = secrets(own_cell)[1]
    notebook = nbformat.read(REPO / "notebooks" / "profile.ipynb", as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(f"report.show('<p>Geheim: {interval}</p>')"))
    template = tmp_path / "leaky.ipynb"
    nbformat.write(notebook, template)
    output = tmp_path / "out"
    result = run_build("--district", CODE, "--district", "Lehe", "--output", str(output), "--format", "html",
                       "--template", str(template))  # fmt: skip
    assert result.returncode == 1
    message = expected(f"HTML-Bericht {SLUG}.html", own_cell, "Text im Abschnitt „Anhang“")
    assert "disclosure audit: " in result.stderr and message.split(";")[0] in result.stderr
    assert interval not in result.stderr and "Traceback" not in result.stderr
    (period_dir,) = [p for p in output.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert sorted(p.name for p in period_dir.iterdir()) == ["stadtteil-lehe.html", "stadtteil-lehe.ipynb"]
    entry = json.loads((output / "manifest.json").read_text("utf-8"))["jobs"]
    assert {e["key"].split("/")[1]: e["status"] for e in entry} == {SLUG: "failed", "stadtteil-lehe": "built"}


def test_every_build_writes_the_suppression_report_and_links_it(built, period):
    report_file = built / f"datenschutz-{period}.csv"
    rows = list(csv.reader(io.StringIO(report_file.read_text("utf-8-sig")), delimiter=";"))
    assert rows[0] == audit.REPORT_COLUMNS and len(rows) > 10
    assert f'href="datenschutz-{period}.csv"' in (built / "index.html").read_text("utf-8")
