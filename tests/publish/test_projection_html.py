"""The population projection in the reports (quartiersprofile.publish.projection): the table of a profile, its
sentences, the Methodik with the back-test numbers of this build, and the disclosure audit of projected counts."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup
from conftest import REPO

from quartiersprofile.content import projection as cp
from quartiersprofile.content import text
from quartiersprofile.content.profile import Profile
from quartiersprofile.publish import audit
from quartiersprofile.publish import projection as html_projection
from quartiersprofile.stats.suppression import SUPPRESSED_MARKER

NUMBER = re.compile(r"[−+]?\d[\d.]*")


def _profile(tables, code: str) -> Profile:
    return Profile(next(a for a in tables.areas if a.code == code), "2024", tables)


@pytest.fixture(scope="module")
def lehe(bundled_tables) -> Profile:
    return _profile(bundled_tables, "13")


def _cells(fragment: str) -> dict[tuple[str, str, str], str]:
    """(group, kind, year) -> the cell's text of the first projection table."""
    table = BeautifulSoup(fragment, "html.parser").select_one("table.projection")
    return {
        (row["data-group"], cell["data-kind"], cell["data-year"]): cell.get_text(" ", strip=True)
        for row in table.select("tr[data-group]")
        for cell in row.select("[data-kind]")
    }


def test_the_table_shows_every_group_now_and_in_5_and_10_years(lehe):
    fragment = html_projection.table_html(lehe)
    soup = BeautifulSoup(fragment, "html.parser")
    assert [th.get_text() for th in soup.select("tbody th[scope=row]")] == html_projection.group_labels()
    head = soup.select_one("thead").get_text(" ", strip=True)
    assert head.count("Prognose") == 3 and "Melderegister" in head  # which numbers are projections
    cells = _cells(fragment)
    table = cp.area_table(lehe.tables.projection, "13", lehe.tables.rule)
    assert cells[("insgesamt", "now", "2024")] == text.format_count(table["now"].iloc[0]) == "38.445"
    row = table.iloc[3]
    assert cells[("65–79", "value", "2034")] == text.format_count(row["value_10"])
    interval = f"{text.format_count(row['lower_5'])}–{text.format_count(row['upper_5'])}"
    assert cells[("65–79", "interval", "2029")] == interval
    assert "Prognosen" in soup.select_one("p.table-note").get_text()


def test_the_sentences_say_the_table_s_numbers(lehe):
    cells = _cells(html_projection.table_html(lehe))
    items = BeautifulSoup(html_projection.sentences_html(lehe), "html.parser").select("li")
    assert len(items) == 5
    for item, group in zip(items, html_projection.group_labels(), strict=True):
        sentence = item.get_text()
        change = cells[(group, "change", "2034")].replace("\xa0%", "")
        limits = [abs(int(n.replace("−", "-"))) for n in NUMBER.findall(cells[(group, "change-interval", "2034")])]
        said = [abs(int(n.replace("−", "-"))) for n in NUMBER.findall(sentence.split("Lehe", 1)[1])]
        expected = [] if change == "0" else [abs(int(change.replace("−", "-")))]
        assert said == expected + sorted(limits) or said == expected + limits, (sentence, change, limits)


def _with_small_80_plus(tables):
    """The tables with Weddewarden's projected 80+ count at 3.6 people in 2034 (and its limits)."""
    projection = tables.projection
    groups = projection.groups.copy()
    chosen = (groups["area"] == "11") & (groups["age_group"] == "80 und älter") & (groups["year"] == 2034)
    groups.loc[chosen, ["population", "lower", "upper"]] = [3.6, 2.8, 4.4]
    return dataclasses.replace(tables, projection=dataclasses.replace(projection, groups=groups))


def test_projected_counts_of_1_to_4_people_are_not_shown(bundled_tables):
    tables = _with_small_80_plus(bundled_tables)
    profile = _profile(tables, "11")
    fragment = html_projection.table_html(profile)
    cells = _cells(fragment)
    for kind in ("value", "interval", "change", "change-interval"):
        assert cells[("80 und älter", kind, "2034")] == SUPPRESSED_MARKER, kind
    hidden_next = [g for g in ("unter 20", "20–64", "65–79") if cells[(g, "value", "2034")] == SUPPRESSED_MARKER]
    assert hidden_next == ["unter 20"]  # complementary: the next smallest group
    assert f"1 bis {tables.rule.min_count - 1} Personen" in fragment
    sentences = html_projection.sentences_html(profile)
    assert "80-Jährigen und Älteren in Weddewarden weist der Bericht bis 2034 keine Veränderung aus" in sentences
    assert html_projection.hidden_cells_shown(fragment, tables) == []


def test_the_audit_finds_a_hidden_projected_count_in_the_table(bundled_tables):
    tables = _with_small_80_plus(bundled_tables)
    fragment = html_projection.table_html(_profile(tables, "11"))
    row = re.search(r"<tr data-group='80 und älter'>.*?</tr>", fragment, re.S).group()
    leaky = fragment.replace(row, row.replace(
        f"data-kind='value' data-year='2034'><abbr class='suppressed' title='{html_projection.SUPPRESSED_TITLE}'>"
        f"{SUPPRESSED_MARKER}</abbr>", "data-kind='value' data-year='2034'>4"))  # fmt: skip
    assert leaky != fragment
    found = html_projection.hidden_cells_shown(leaky, tables)
    assert found == [("11", "80 und älter", "2034", "Prognosetabelle, Spalte value")]
    leaks = audit._projection_leaks("HTML-Bericht", f"<html><body>{leaky}</body></html>", tables)
    assert [(leak.area, leak.period) for leak in leaks] == [("Gebiet Weddewarden (11)", "2034")]
    assert str(leaks[0]) == ("HTML-Bericht: ein unterdrückter Wert ist sichtbar – Bevölkerungsprognose „80 und älter“, "
                             "Gebiet Weddewarden (11), Zeitraum 2034; Fundstelle: Prognosetabelle, Spalte value.")


def test_the_city_profile_compares_all_stadtteile_and_others_do_not(bundled_tables, lehe):
    city = _profile(bundled_tables, "4012")
    fragment = html_projection.city_comparison_html(city)
    assert "<figure" in fragment and "Stadtteile und Bremerhaven" in fragment
    assert html_projection.city_comparison_html(lehe) == ""
    overview = html_projection.overview_html(bundled_tables)
    assert overview.count("<figure") == 2 and "Ortsteile:" in overview


def test_the_pyramid_has_a_caption_and_alt_text(lehe):
    figure = BeautifulSoup(html_projection.pyramid_html(lehe), "html.parser")
    assert "Prognose für 2034" in figure.figcaption.get_text()
    assert "Einwohner:innen 2024: 38.445" in figure.img["alt"]


def _methods_numbers(fragment: str) -> list[list[str]]:
    table = BeautifulSoup(fragment, "html.parser").select_one("table.projection-errors")
    return [[td.get_text() for td in row.select("td[data-column]")] for row in table.select("tbody tr")]


def test_the_methodik_cites_the_back_test_of_this_build(bundled_tables):
    fragment = html_projection.methods_html(bundled_tables)
    table = cp.error_table(bundled_tables.projection)
    expected = [[text.format_number(v, 1) for v in row] for row in table[["MAPE insgesamt", "MAPE 65–79"]].to_numpy()]
    assert _methods_numbers(fragment) == expected
    largest = table.iloc[-1]
    assert f"um {text.format_number(largest['MAPE insgesamt'], 1)} % daneben" in fragment
    assert "2020, 2021, 2022 und 2023" in fragment and "1 bis 4 Personen" in fragment


def test_the_benchmark_script_prints_the_numbers_the_methodik_cites(bundled_tables):
    printed = subprocess.run([sys.executable, str(REPO / "benchmarks" / "projection_backtest.py")], capture_output=True,
                             text=True, check=True, timeout=600).stdout  # fmt: skip
    first_table = printed.split("\n\n")[1]  # a title line, then the table
    lines = [line for line in first_table.splitlines() if line.startswith("|")][2:]  # without header and rule
    rows = [[cell.strip() for cell in line.split("|")[1:-1]] for line in lines]
    table = cp.error_table(bundled_tables.projection)
    assert [row[0] for row in rows] == list(table["size_class"].astype(str))
    cited = _methods_numbers(html_projection.methods_html(bundled_tables))
    assert [[cell.replace(".", ",") for cell in row[-2:]] for row in rows] == cited


def test_no_projection_no_section_but_a_note(bundled_tables):
    tables = dataclasses.replace(bundled_tables, projection=cp.ProjectionTables(note="Zu wenige Jahrgänge."))
    profile = _profile(tables, "13")
    assert "Zu wenige Jahrgänge." in html_projection.table_html(profile)
    assert html_projection.sentences_html(profile) == "" and html_projection.pyramid_html(profile) == ""
    assert "Zu wenige Jahrgänge." in html_projection.methods_html(tables)
    assert html_projection.hidden_cells_shown("<table class='projection'></table>", tables) == []
    assert cp.shown_count(float("nan")) is None and cp.shown_count(4.5) == 5
