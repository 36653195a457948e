"""The disclosure audit (quartiersprofile.publish.audit) on the sample data: the published table passes, every
planted hidden value is found and reported without its value, and the attacker's audit of constructed published
tables finds what can be recomputed, with the attacker's interval. The audit of real built files is in
tests/e2e/test_audit_build.py and tests/e2e/test_disclosure.py; the data-protection officer's report in
test_privacy_report.py."""

from __future__ import annotations

import base64
import csv
import io
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from support.disclosure import CODE, assert_single, secrets
from support.disclosure import own_cell as find_own_cell

from quartiersprofile.content import charts, text
from quartiersprofile.content.profile import Profile
from quartiersprofile.content.tables import ProfileTables, latest_period
from quartiersprofile.model.areas import Area
from quartiersprofile.model.errors import DisclosureError
from quartiersprofile.publish import attacker, audit
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
    by_sex = tables.by_sex if tables.by_sex is not None else tables.indicators.iloc[0:0]
    assert len(hidden) == tables.indicators["suppressed"].sum() + by_sex["suppressed"].sum() > 0
    small = hidden[hidden["reason"] == "kleine Fallzahl"]
    assert small["numerator"].between(1, 4).all() and small["value"].notna().any()  # a DSR needs 10 deaths
    published = pd.concat([tables.indicators.assign(sex=""), by_sex]).set_index(["indicator", "area", "sex", "period"])
    assert published.loc[list(zip(hidden["indicator"], hidden["area"], hidden["sex"], hidden["period"], strict=True)),
                         "numerator"].isna().all()  # fmt: skip


def test_the_published_table_passes(truth, period):
    tables, hidden = truth
    assert audit.audit_tables(tables, period) == audit.audit_tables(tables, period, cells=hidden) == []


def test_the_published_table_of_a_quarter_passes(truth):
    """A quarter's reports show the quarters up to it and the annual values of its year (`periods.serves`)."""
    tables, hidden = truth
    quarters = sorted({p for p in tables.indicators["period"] if "-Q" in p})
    assert audit.audit_tables(tables, quarters[-2], cells=hidden) == []


def test_a_cell_the_rule_hides_but_the_table_publishes_is_a_finding(truth, period, own_cell):
    """The audit applies the rule to the true values itself: a table built with suppression bypassed fails."""
    tables, hidden = truth
    leaky = tables.indicators.copy()
    row = (leaky["indicator"] == own_cell.indicator) & (leaky["area"] == CODE) & (leaky["period"] == own_cell.period)
    leaky.loc[row, ["suppressed", "numerator", "value"]] = [False, own_cell.numerator, own_cell.value]
    leaks = audit.audit_tables(replace(tables, indicators=leaky), period, cells=hidden)
    shown = [f for f in leaks if f.problem == audit.LEAK]
    assert [f.where for f in shown] == ["Spalte numerator", "Spalte value"]
    assert all(f.area == f"Gebiet Geestendorf ({CODE})" for f in shown)
    # what the attacker can work out from the published count besides (partners narrowed down) is reported too
    assert all(f.problem == attacker.LEAK and f.indicator == shown[0].indicator for f in leaks[len(shown):])


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
    number = next(i for i, row in enumerate(rows) if row[rows[0].index("Kennziffer")] == own_cell.indicator)
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


# --- the published table: blanks and the attacker ------------------------------------------------------------

AREAS = (
    Area("4012", "Stadt", "stadt", "", "", ("111", "112", "113", "121")),
    Area("11", "Nord", "stadtteil", "4012", "Stadt", ("111", "112", "113")),
    Area("12", "Süd", "stadtteil", "4012", "Stadt", ("121",), "121"),
    Area("111", "Nord-A", "ortsteil", "11", "Nord", ("111",)),
    Area("112", "Nord-B", "ortsteil", "11", "Nord", ("112",)),
    Area("113", "Nord-C", "ortsteil", "11", "Nord", ("113",)),
)
#: Ortsteile 111-113 (Nord) and 121 (Süd, one Ortsteil); the Stadtteile and the city are their sums.
UNITS = {"111": 3, "112": 20, "113": 30, "121": 40}
CATALOGUE = pd.DataFrame({
    "id": ["X01", "P01"], "section": ["Test", "Test"], "name": ["Fälle", "Anteil"], "unit": ["Anzahl", "%"],
    "statistic": ["count", "proportion"], "numerator": ["Fälle", "Betroffene"], "denominator": ["", "Kinder"],
    "frequency": ["annual", "annual"],
})  # fmt: skip


def synthetic_tables(hidden: set[str], units: dict[str, int] = UNITS, denominators: dict[str, int] | None = None):
    """One indicator for the areas above, summed from `units`: a count (X01), or with `denominators` a
    proportion (P01); the `hidden` areas suppressed (blank, as the rule publishes them)."""
    indicator = "X01" if denominators is None else "P01"
    numerators = {area.code: sum(units[u] for u in area.members) for area in AREAS}
    rows = pd.DataFrame({"area": list(numerators), "numerator": list(numerators.values())}).assign(
        indicator=indicator, period="2024", period_label="2024", denominator=np.nan
    )
    if denominators is not None:
        rows["denominator"] = [float(sum(denominators[u] for u in area.members)) for area in AREAS]
    value = rows["numerator"] if denominators is None else 100 * rows["numerator"] / rows["denominator"]
    rows["city_value"] = float(value.iloc[0])
    rows["suppressed"] = rows["area"].isin(hidden)
    rows["denominator_suppressed"] = False
    rows["suppression_reason"] = np.where(rows["suppressed"], "kleine Fallzahl", "")
    rows["numerator"] = rows["numerator"].where(~rows["suppressed"]).astype(float)
    for column in ("value", "lower", "upper", "lower_998", "upper_998"):
        rows[column] = value.where(~rows["suppressed"]).astype(float)
    return ProfileTables(
        indicators=rows, catalogue=CATALOGUE[CATALOGUE["id"] == indicator].reset_index(drop=True),
        population=pd.DataFrame(), districts=pd.DataFrame(), areas=AREAS, metadata={}, rule=SuppressionRule(),
    )  # fmt: skip


def attacked(leaks) -> list[tuple[str, str]]:
    """(area, where) of the attacker's findings among `leaks`."""
    return [(f.area, f.where) for f in leaks if f.problem == attacker.LEAK]


def test_one_hidden_child_beside_its_published_total_and_siblings_is_recoverable():
    (finding,) = audit.audit_tables(synthetic_tables({"111"}), "2024")
    assert str(finding) == (
        "Indikatortabelle: ein unterdrückter Wert ist aus veröffentlichten Zahlen rückrechenbar – Indikator X01 "
        "„Fälle“, Gebiet Nord-A (111), Zeitraum 2024; Fundstelle: Angreifer-Intervall: der Zähler ist auf "
        "1 möglichen Wert eingrenzbar (mindestens 5 nötig)."
    )


def test_leaks_stop_the_build_with_every_message():
    leaks = audit.audit_tables(synthetic_tables({"111"}), "2024")
    with pytest.raises(DisclosureError, match="1 Befund") as error:
        audit.raise_on_leaks(leaks)
    assert error.value.leaks == leaks and str(leaks[0]) in str(error.value)
    audit.raise_on_leaks([])  # nothing found, nothing raised


def test_two_hidden_siblings_whose_sum_leaves_fewer_than_five_values_are_recoverable():
    # Nord-A + Nord-B = Nord - Nord-C = 5, and a hidden count is at least 1 (zeros are shown): each is 1 to 4
    leaks = audit.audit_tables(synthetic_tables({"111", "112"}, {**UNITS, "111": 2, "112": 3}), "2024")
    where = "Angreifer-Intervall: der Zähler ist auf 4 mögliche Werte eingrenzbar (mindestens 5 nötig)"
    assert attacked(leaks) == [("Gebiet Nord-A (111)", where), ("Gebiet Nord-B (112)", where)] and len(leaks) == 2


def test_two_hidden_siblings_with_five_possible_values_protect_each_other():
    # the sum 6 leaves each of them 1 to 5: five values, as the rule requires
    assert audit.audit_tables(synthetic_tables({"111", "112"}, {**UNITS, "111": 2, "112": 4}), "2024") == []


def test_two_hidden_siblings_with_room_protect_each_other():
    assert audit.audit_tables(synthetic_tables({"111", "112"}), "2024") == []


def test_a_hidden_total_beside_published_parts_is_recoverable():
    leaks = audit.audit_tables(synthetic_tables({"11"}), "2024")
    where = "Angreifer-Intervall: der Zähler ist auf 1 möglichen Wert eingrenzbar (mindestens 5 nötig)"
    assert attacked(leaks) == [("Gebiet Nord (11)", where)] and len(leaks) == 1


def test_a_hidden_share_is_recoverable_from_its_siblings_with_its_complement():
    # P01: Nord-A 3 of 25 hidden; Nord, Nord-B and Nord-C published: the count and the complement are both pinned
    denominators = {"111": 25, "112": 40, "113": 50, "121": 60}
    leaks = audit.audit_tables(synthetic_tables({"111"}, denominators=denominators), "2024")
    assert attacked(leaks) == [
        ("Gebiet Nord-A (111)", "Angreifer-Intervall: die Restgröße (Nenner minus Zähler) ist auf "
                                "1 möglichen Wert eingrenzbar (mindestens 5 nötig)"),
        ("Gebiet Nord-A (111)", "Angreifer-Intervall: der Zähler ist auf 1 möglichen Wert eingrenzbar "
                                "(mindestens 5 nötig)"),
    ] and len(leaks) == 2  # fmt: skip


def test_a_published_share_with_a_small_complement_is_a_finding():
    # Nord-C: 47 of 50 - everyone but three children is counted
    denominators = {"111": 25, "112": 40, "113": 50, "121": 60}
    leaks = audit.audit_tables(synthetic_tables(set(), {**UNITS, "113": 47}, denominators), "2024")
    assert [str(f) for f in leaks] == [
        "Indikatortabelle: ein veröffentlichter Anteil verrät eine kleine Restgröße – Indikator P01 „Anteil“, "
        "Gebiet Nord-C (113), Zeitraum 2024; Fundstelle: ein gezeigter Anteil, dessen Restgröße unter 5 liegt."
    ]


def test_a_hidden_cell_that_still_shows_a_value_is_found():
    tables = synthetic_tables({"111", "112"})
    tables.indicators.loc[tables.indicators["area"] == "111", "value"] = 3.0
    (finding,) = audit.audit_tables(tables, "2024")
    assert (finding.area, finding.where) == ("Gebiet Nord-A (111)", "Spalte value")


def test_a_hidden_city_value_must_not_stand_beside_every_area():
    tables = synthetic_tables({"4012", "12"})
    leaks = audit.audit_tables(tables, "2024")
    assert [(f.area, f.where) for f in leaks] == [
        ("Gebiet Stadt (4012)", "Spalte city_value (Vergleichswert) in 6 Zeilen")
    ]


def test_only_the_periods_a_report_can_show_are_audited():
    """A leak in a later period is no leak of the reports of an earlier one."""
    tables = synthetic_tables({"111"})
    later = tables.indicators.assign(period="2025", period_label="2025")
    earlier = tables.indicators.assign(suppressed=False, numerator=tables.indicators["numerator"].fillna(3.0))
    both = replace(tables, indicators=pd.concat([earlier, later], ignore_index=True))
    assert audit.audit_tables(both, "2024") == []
    assert [(f.area, f.period) for f in audit.audit_tables(both, "2025")] == [("Gebiet Nord-A (111)", "2025")]
