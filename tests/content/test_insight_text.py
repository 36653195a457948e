"""quartiersprofile.content.insight_text: every sentence the insight adds says what the tables say (the numbers
as printed, the comparisons as classified), for every area of the bundled data."""

from __future__ import annotations

import pandas as pd
import pytest
from support.insight_claims import check_change_sentences, check_contrast_sentences, check_index_sentence

from quartiersprofile.content import findings, insight, insight_rows, insight_text
from quartiersprofile.content.profile import Profile


@pytest.fixture(scope="module")
def profiles(bundled_tables):
    period = insight.periods.latest(bundled_tables.indicators["period"].unique())
    return [Profile(area, period, bundled_tables) for area in bundled_tables.areas]


def test_the_index_sentence_quotes_the_index_table(profiles):
    for profile in profiles:
        check_index_sentence(profile)
    assert any(insight_rows.index_position(p) is not None for p in profiles)


def test_contrast_sentences_quote_the_table_cells(profiles):
    assert sum(check_contrast_sentences(profile) for profile in profiles) > 20


def test_the_key_findings_add_the_index_sentence_first(profiles):
    for profile in profiles:
        said = insight_text.key_findings(profile)
        assert said == [insight_text.index_sentence(profile), *findings.profile_key_findings(profile)]


def test_change_value_has_two_decimals_and_its_interval():
    row = pd.Series({"measure": "difference", "statistic": "proportion", "unit": "%", "estimate": 2.708,
                     "lower": 0.802, "upper": 4.623})  # fmt: skip
    assert insight_text.change_value(row) == "+2,71 Prozentpunkte (0,80 bis 4,62)"
    ratio = row.copy()
    ratio[["measure", "estimate", "lower", "upper"]] = ["ratio", 0.8, 0.64, 0.99]
    assert insight_text.change_value(ratio) == "das 0,80-Fache (0,64 bis 0,99)"


def test_change_sentences_quote_the_changes(profiles):
    for profile in profiles:
        check_change_sentences(profile)


def test_the_methods_explain_the_four_parts(profiles):
    city = next(p for p in profiles if p.area.level == "stadt")
    headings = [heading for heading, _ in insight_text.methods_paragraphs(city)]
    assert headings == ["Gesundheits- und Sozialindex", "Ähnliche Gebiete", "Zielwerte",
                        "Veränderungen seit dem letzten Bericht"]  # fmt: skip
    index = dict(insight_text.methods_paragraphs(city))["Gesundheits- und Sozialindex"]
    assert "Hauptkomponente" in index and "gleiche Gewichte" in index and "9 Indikatoren" in index
    assert "Masern-Impfquote (2 Dosen): 95\u00a0%" in dict(insight_text.methods_paragraphs(city))["Zielwerte"]


def test_format_derived_and_target():
    assert insight_text.format_derived(79.876, "%") == "79,88\u00a0%"
    assert insight_text.format_target(95.0, "%") == "95\u00a0%"
    assert insight_text.format_target(2.5, "Zähne") == "2,5\u00a0Zähne"
