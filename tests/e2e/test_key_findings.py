"""The Kernaussagen of every profile say only what the tables show (slow: every area in every period).

For all areas and every period of the bundled data (years and quarters) the findings are computed from the
tables exactly as the report and the slides compute them (`findings.profile_findings`), without notebooks:

* each sentence on a difference or trend quotes the indicator's value and city value exactly as the table cells
  print them (the area's before "als in Bremerhaven mit", the city's after it), with the unit, and names the
  indicator;
* every indicator significantly different at 99.8 % is named, or the closing sentence points to the tables;
* no "übrige … nicht signifikant" sentence while a significant difference goes unnamed;
* a hidden (suppressed) row is named nowhere, and the note on hidden values is there whenever one is hidden;
* the slides show all of them, in order, on at most four slides;
* the sentences the insight adds (index, similar areas, changes since the previous period) quote their tables.

Then one real built report (Lehe, the session build): its Kernaussagen box is these sentences, and their numbers
are the cells of the report's own indicator tables.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from support.insight_claims import check_change_sentences, check_contrast_sentences, check_index_sentence

from quartiersprofile.content import findings, insight_text, outcomes, text
from quartiersprofile.content.profile import Profile
from quartiersprofile.content.tables import latest_period
from quartiersprofile.model import periods
from quartiersprofile.publish import slides

DIFFERENT = {"worse", "better", "higher", "lower"}
REST_SIMILAR = "Bei den übrigen verglichenen Indikatoren"
MORE = "Weitere signifikante Unterschiede"


def _cell(value, unit) -> str:
    """A value as the indicator table prints it (`fragments._value_cell`)."""
    return text.format_number(value, text.decimals_for(unit))


def _quotes(sentence: str, cell: str) -> bool:
    """Whether the sentence has the number `cell` as a whole (not "12,3" inside "112,34")."""
    return re.search(rf"(?<![\d.,]){re.escape(cell)}(?![\d]|,\d)", sentence) is not None


def _all_findings(tables):
    """(area, period, rows, findings) for every area and period of the tables."""
    for period in sorted(tables.indicators["period"].unique(), key=periods.sort_key):
        for area in tables.areas:
            profile = Profile(area, period, tables)
            yield area, period, findings.profile_rows(profile), findings.profile_findings(profile)


@pytest.fixture(scope="module")
def every_profile(bundled_tables) -> list:
    return list(_all_findings(bundled_tables))


def test_every_period_and_area_is_covered(every_profile, bundled_tables):
    assert len(every_profile) == len(bundled_tables.areas) * bundled_tables.indicators["period"].nunique()
    assert {period for _, period, _, _ in every_profile} >= {"2024", "2024-Q3"}


def test_the_numbers_of_every_finding_are_the_table_cells(every_profile):
    problems = []
    for area, period, rows, found in every_profile:
        by_id = rows.set_index("id")
        for finding in found:
            # the area's values before "als in Bremerhaven mit", the city's after it
            own, _, benchmark = finding.text.partition(" als in Bremerhaven mit ")
            for indicator in finding.indicators:
                row = by_id.loc[indicator]
                name = row["name_in_text"] if isinstance(row["name_in_text"], str) else row["name"]
                wrong = [] if name.lower() in own.lower() else ["name"]
                wrong += [] if _quotes(own, _cell(row["value"], row["unit"])) else ["value"]
                wrong += [] if row["unit"] in ("", "Anzahl") or row["unit"] in own else ["unit"]
                if finding.kind == "difference":
                    wrong += [] if row["comparison_95"] in DIFFERENT else ["not significant"]
                    wrong += [] if _quotes(benchmark, _cell(row["city_value"], row["unit"])) else ["city value"]
                else:
                    wrong += [] if row["trend"] in findings.TREND_WORDS else ["no trend"]
                    wrong += [] if periods.label(row["period_label"]) in own else ["period"]
                if wrong:
                    problems.append((area.name, period, indicator, wrong, finding.text))
    assert problems == []


def test_the_slides_show_every_finding_in_order_on_at_most_four_slides(every_profile):
    for _, _, _, found in every_profile:
        said = [f.text for f in found]
        parts = slides.findings_parts(said)
        assert [s for part in parts for s in part] == said
        assert 1 <= len(parts) <= slides.FINDINGS_SLIDES
        assert all(len(part) == 1 or sum(map(len, part)) <= slides.FINDINGS_CHARACTERS for part in parts[:-1])


def test_every_strong_difference_is_named_or_pointed_to(every_profile):
    problems = []
    for area, period, rows, found in every_profile:
        if area.level == "stadt":
            assert [f for f in found if f.kind == "difference"] == []
            continue
        visible = rows[~rows["suppressed"].astype(bool)]
        named = {indicator for f in found if f.kind == "difference" for indicator in f.indicators}
        closing = " ".join(f.text for f in found if f.kind == "rest")
        strong = set(visible.loc[visible["comparison_998"].isin(DIFFERENT), "id"])
        significant = set(visible.loc[visible["comparison_95"].isin(DIFFERENT), "id"])
        if strong - named and not closing.startswith(MORE):
            problems.append((area.name, period, "unnamed at 99.8 %", sorted(strong - named), closing))
        if significant - named and REST_SIMILAR in closing:
            problems.append((area.name, period, "false 'übrige' sentence", sorted(significant - named), closing))
        if not significant - named and closing.startswith(MORE):
            problems.append((area.name, period, "'weitere' with nothing left out", closing))
    assert problems == []


def test_hidden_rows_are_named_nowhere_and_always_noted(every_profile):
    problems = []
    for area, period, rows, found in every_profile:
        hidden = rows[rows["suppressed"].astype(bool)]
        said = " ".join(f.text for f in found)
        named_rows = rows[rows["id"].isin({i for f in found for i in f.indicators})]
        named_names = " ".join([*named_rows["name"], *named_rows["name_in_text"].fillna("")])
        for _, row in hidden.iterrows():
            if any(row["id"] in f.indicators for f in found):
                problems.append((area.name, period, row["id"], "named"))
            if isinstance(row["name_in_text"], str) and row["name_in_text"] in said:
                problems.append((area.name, period, row["id"], "name in text"))
            if row["name"] in said and row["name"] not in named_names:  # e.g. "Adipositas" in "Übergewicht (…)"
                problems.append((area.name, period, row["id"], "name"))
        noted = [f for f in found if f.kind == "suppressed"]
        if bool(len(hidden)) != bool(noted) or (noted and found[-1].text != findings.SUPPRESSED_NOTE):
            problems.append((area.name, period, "suppression note", len(hidden), len(noted)))
        if len(found) > findings.MAX_STATEMENTS + 2:
            problems.append((area.name, period, "too many sentences", len(found)))
    assert problems == []


def test_the_citys_inequality_sentences_are_its_significant_slope_indices(every_profile, bundled_tables):
    """Each inequality sentence of the city quotes the size of a significant SII of life expectancy (women or men)
    from the table, with the right direction and the interval's limits; none for a gradient that is not."""
    points = bundled_tables.outcomes.inequality_points
    life = points[points["indicator"] == outcomes.LIFE_EXPECTANCY]
    checked = 0
    for area, period, _, found in every_profile:
        said = [f.text for f in found if f.kind == "inequality"]
        if area.level != "stadt":
            assert said == []
            continue
        rows = outcomes.inequality_rows(bundled_tables.outcomes, period)
        rows = rows[rows["indicator"] == outcomes.LIFE_EXPECTANCY]
        significant = rows[(rows["sii_lower"] > 0) | (rows["sii_upper"] < 0)]
        significant = significant.sort_values("sex", key=lambda sex: sex.map({"w": 0, "m": 1}))  # women first
        assert len(said) == len(significant), (period, said)
        for text_, (_, row) in zip(said, significant.iterrows(), strict=True):
            sex = "Frauen" if row["sex"] == "w" else "Männer"
            assert text_.startswith(f"Lebenserwartung bei Geburt, {sex}: ")
            assert f"um {text.format_number(abs(row['sii']), 1)} Jahre" in text_
            assert ("niedriger" if row["sii"] > 0 else "höher") in text_
            low, high = sorted(abs(x) for x in (row["sii_lower"], row["sii_upper"]))
            assert f"(95-%-KI {text.format_interval(low, high, 1)})" in text_
            checked += 1
    assert checked >= 1 and len(life)


def test_the_issues_examples_2024(every_profile):
    found = {(area.name, period): f for area, period, _, f in every_profile}
    geestendorf = found[("Geestendorf", "2024")]
    named = {i for f in geestendorf if f.kind == "difference" for i in f.indicators}
    assert {"SOZ01", "SOZ02"} <= named  # SGB-II-Quote and Kinderarmut, significant at 99.8 %
    for name in ("Eckernfeld", "Buschkämpen", "Fehrmoor", "Königsheide", "Schiffdorferdamm", "Weddewarden",
                 "Fischereihafen", "Surheide", "Lehe", "Geestendorf"):  # fmt: skip
        said = found[(name, "2024")]
        assert said[-1].kind == "suppressed", name
        texts = " ".join(f.text for f in said)
        assert "Pflegebedürftige ist" not in texts and "(auch bei der strengeren Prüfung)" not in texts


# --- one real built report ------------------------------------------------------------------------------------


def _table_cells(soup: BeautifulSoup) -> dict[str, tuple[str, str]]:
    """Indicator name -> (value cell, Bremerhaven cell) from the report's indicator tables."""
    cells: dict[str, tuple[str, str]] = {}
    for table in soup.select("table.indicators:not(.outcomes)"):  # the outcome tables have columns of their own
        headers = [th.get_text(strip=True).replace("\u00ad", "") for th in table.select("thead th")]
        value_at, city_at = headers.index("Wert"), headers.index("Bremerhaven")
        for line in table.select("tbody tr"):
            head = line.find("th")
            unit = head.find(class_="unit")
            if unit is not None:
                unit.extract()
            columns = [head, *line.find_all("td")]
            name = head.get_text(" ", strip=True)
            cells[name] = (columns[value_at].get_text(strip=True), columns[city_at].get_text(strip=True))
    return cells


def test_the_built_reports_box_says_the_findings_with_the_tables_numbers(lehe_html, bundled_tables):
    soup = BeautifulSoup(lehe_html, "html.parser")
    shown = [li.get_text() for li in soup.select(".key-findings li")]
    (lehe,) = [a for a in bundled_tables.areas if a.code == "13"]
    profile = Profile(lehe, latest_period(bundled_tables), bundled_tables)
    found = findings.profile_findings(profile)
    assert shown == insight_text.key_findings(profile)
    assert shown == [insight_text.index_sentence(profile), *(f.text for f in found)]
    cells = _table_cells(soup)
    rows = findings.profile_rows(profile).set_index("id")
    checked = 0
    for finding in found:
        for indicator in finding.indicators:
            row = rows.loc[indicator]
            value, city = cells[row["name"]]
            own, _, benchmark = finding.text.partition(" als in Bremerhaven mit ")
            assert _quotes(own, value), (value, finding.text)
            if finding.kind == "difference":
                assert _quotes(benchmark, city), (city, finding.text)
            checked += 1
    assert checked >= 3
    assert pd.notna(rows["name_in_text"]).all()


def test_the_insight_sentences_of_every_area_and_period_quote_their_tables(bundled_tables):
    contrasts = 0
    for period in sorted(bundled_tables.indicators["period"].unique(), key=periods.sort_key):
        for area in bundled_tables.areas:
            profile = Profile(area, period, bundled_tables)
            check_index_sentence(profile)
            contrasts += check_contrast_sentences(profile)
            check_change_sentences(profile)
    assert contrasts > 100
