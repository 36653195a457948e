"""The health outcomes in the reports (quartiersprofile.publish.outcomes): what the tables say, read back from the
HTML, and nothing hidden shown."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from quartiersprofile.content import outcomes, text
from quartiersprofile.content.profile import Profile
from quartiersprofile.publish import outcomes as fragments
from quartiersprofile.publish import report

LEHE, WEDDEWARDEN, CITY = "13", "11", "4012"


@pytest.fixture(scope="module")
def tables(bundled_tables):
    return bundled_tables


def _profile(tables, code, period="2024"):
    return Profile(next(a for a in tables.areas if a.code == code), period, tables)


def _rows(html: str) -> list[list[str]]:
    soup = BeautifulSoup(html, "html.parser")
    return [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])] for tr in soup.select("tbody tr")]


def test_life_expectancy_table_prints_the_life_table_values(tables):
    html = fragments.life_expectancy_html(_profile(tables, LEHE))
    rows = {row[0]: row for row in _rows(html)}
    life = outcomes.life_expectancy_rows(tables.outcomes, LEHE, "2024").set_index(["sex", "age"])
    for (sex, age), label in {("w", 0): "Frauen bei Geburt", ("m", 65): "Männer mit 65 Jahren"}.items():
        expected = life.loc[(sex, age)]
        value, interval, city = rows[label][1:4]
        assert value == text.format_number(expected["value"], 1)
        assert interval == text.format_interval(expected["lower"], expected["upper"], 1)
        assert city == text.format_number(expected["city_value"], 1)
    assert "2020–2024" in html and "<img" in html


def test_an_area_too_small_for_a_life_table_says_so_and_shows_a_larger_one(tables):
    html = fragments.life_expectancy_html(_profile(tables, WEDDEWARDEN))
    assert "Für Weddewarden wird keine Lebenserwartung berechnet" in html
    assert "Gezeigt werden die Werte der Stadt Bremerhaven" in html
    city = outcomes.life_expectancy_rows(tables.outcomes, CITY, "2024")
    shown = {row[0]: row[1] for row in _rows(html)}
    women = city[(city["sex"] == "w") & (city["age"] == 0)]["value"].iloc[0]
    assert shown["Frauen bei Geburt"] == text.format_number(women, 1)


def test_hidden_values_by_sex_show_no_digit(tables):
    by_sex = tables.by_sex
    hidden = by_sex[by_sex["suppressed"]]
    assert len(hidden)
    for row in hidden.itertuples():
        html = fragments.by_sex_html(_profile(tables, row.area, row.period), "Gesundheit und Sterblichkeit")
        (cells,) = _rows(html)
        half = (len(cells) - 1) // 2
        own = cells[1 : 1 + half] if row.sex == "w" else cells[1 + half :]
        assert own[0] == own[1] == "•"
        assert not any(re.search(r"\d", cell) for cell in own[:2])


def test_smr_rows_match_the_table_and_hide_with_the_deaths(tables):
    html = fragments.mortality_ratios_html(_profile(tables, CITY))
    rows = {row[0]: row for row in _rows(html)}
    ratios = outcomes.mortality_ratio_rows(tables.outcomes, [a.code for a in tables.areas], "2024")
    names = {a.code: a.name for a in tables.areas}
    indicators = list(dict.fromkeys(ratios["indicator"]))
    for row in ratios.itertuples():
        cells = rows[names[row.area]][1 + 4 * indicators.index(row.indicator):][:3]
        if row.suppressed:
            assert cells == ["•", "•", "•"]
        else:
            assert cells == [text.format_count(row.observed), text.format_number(row.value, 0),
                             text.format_interval(row.lower, row.upper, 0)]  # fmt: skip


def test_the_inequality_section_is_in_the_city_profile_only(tables):
    assert report.inequality_section_html(_profile(tables, LEHE)) == ""
    html = report.inequality_section_html(_profile(tables, CITY))
    assert html.startswith("<h2>Gesundheitliche Ungleichheit</h2>")
    rows = outcomes.inequality_rows(tables.outcomes, "2024")
    table = _rows(html)
    assert len(table) == len(rows) == 5
    catalogue = tables.catalogue.set_index("id", drop=False)
    for _, row in rows.iterrows():
        name, _ = outcomes.measure_name(catalogue, row)
        (cells,) = [cells for cells in table if cells[0] == name]
        assert cells[3] == text.format_number(row["sii"], 1).replace("-", "\u2212")
        assert outcomes.inequality_sentence(catalogue, row) in BeautifulSoup(html, "html.parser").get_text()


@pytest.mark.parametrize(
    ("sii", "lower", "upper", "expected"),
    [
        (2.25, 0.6, 4.0, "in den am stärksten benachteiligten Stadtteilen um 2,3 Jahre niedriger als in den am "
                            "wenigsten benachteiligten (95-%-KI 0,6–4,0)."),
        (-39.6, -41.9, -37.0, "um 39,6 Jahre höher als"),
        (0.4, -0.5, 1.3, "kein gesichertes Gefälle nach sozialer Benachteiligung der Stadtteile (Differenz 0,4 "
                         "Jahre, 95-%-KI \u22121,3 bis 0,5)."),
    ],
)
def test_inequality_sentence_states_the_gap_of_the_fitted_line(tables, sii, lower, upper, expected):
    row = {"indicator": outcomes.LIFE_EXPECTANCY, "sex": "m", "level": "stadtteil", "sii": sii,
           "sii_lower": lower, "sii_upper": upper}  # fmt: skip
    said = outcomes.inequality_sentence(tables.catalogue.set_index("id"), pd.Series(row))
    assert said.startswith("Lebenserwartung bei Geburt, Männer: ")
    assert expected in said
