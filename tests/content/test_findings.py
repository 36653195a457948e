"""Kernaussagen (quartiersprofile.content.findings) on constructed rows: which differences are said (evidence,
then the standardised size, every section represented), that the closing sentence is true, that hidden values are
never said but always noted, and the German wording with and without ``name_in_text``.

Expected sentences are written out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quartiersprofile.content import findings
from quartiersprofile.content.findings import (
    MAX_STATEMENTS,
    STRICT,
    SUPPRESSED_NOTE,
    key_findings,
    select_findings,
    standardised_difference,
)

NBSP = "\u00a0"
COLUMNS = {
    "id": "X00",
    "section": "Soziale Lage",
    "name": "Indikator",
    "name_in_text": "",
    "unit": "%",
    "polarity": "higher_is_worse",
    "value": 20.0,
    "lower": 19.0,
    "upper": 21.0,
    "city_value": 20.0,
    "comparison_95": "similar",
    "comparison_998": "similar",
    "trend": "no significant change",
    "trend_p": 0.5,
    "suppressed": False,
    "period_label": "2024",
}


def _rows(*rows: dict) -> pd.DataFrame:
    """Indicator rows as `Profile.indicator_rows` gives them: every column not given has a harmless default."""
    return pd.DataFrame([{**COLUMNS, **row} for row in rows])


def _worse(id_: str, section: str, value: float, half_width: float, city: float = 20.0, strict: bool = True,
           **more) -> dict:
    """A row significantly worse (higher) than the city; also at 99.8 % when `strict`."""
    return {
        "id": id_, "section": section, "name": f"Name {id_}", "value": value, "city_value": city,
        "lower": value - half_width, "upper": value + half_width,
        "comparison_95": "worse", "comparison_998": "worse" if strict else "similar", **more,
    }  # fmt: skip


def _ids(found: list) -> list[tuple[str, ...]]:
    return [f.indicators for f in found if f.kind == "difference"]


# --- which differences, in which order -----------------------------------------------------------------------


def test_standardised_difference_is_the_difference_over_the_half_width_of_the_interval():
    rows = _rows(
        {"value": 30.0, "lower": 28.0, "upper": 32.0, "city_value": 20.0},  # 10 / 2
        {"value": 10.0, "lower": 9.0, "upper": 12.0, "city_value": 20.0},  # 10 / 1.5, asymmetric interval
        {"value": 30.0, "lower": np.nan, "upper": np.nan, "city_value": 20.0},  # no interval: 0
    )
    assert standardised_difference(rows).tolist() == pytest.approx([5.0, 10 / 1.5, 0.0])


def test_evidence_first_then_the_standardised_size_not_the_relative_difference():
    rows = _rows(
        # 95 % only, though by far the largest difference, relative and standardised
        _worse("A", "S1", 90.0, 10.0, strict=False),
        # 99.8 %: a large relative difference with a wide interval (z = 1.5 / 0.5 = 3) ...
        _worse("B", "S2", 3.0, 0.5, city=1.5),
        # ... and a small relative difference, precisely measured (z = 4 / 0.4 = 10): it leads
        _worse("C", "S3", 44.0, 0.4, city=40.0),
    )
    assert _ids(select_findings(rows, "Lehe")) == [("C",), ("B",), ("A",)]


def test_every_section_with_a_significant_difference_is_represented():
    strong = [_worse(f"S{i}", "Soziale Lage", 40.0 + i, 0.5, polarity=p)
              for i, p in enumerate(["higher_is_worse", "higher_is_better"] * 4)]  # fmt: skip
    strong = [{**row, "city_value": 20.0 if row["polarity"] == "higher_is_worse" else 80.0} for row in strong]
    weak = [_worse(f"W{i}", f"Abschnitt {i}", 22.0, 1.5, strict=False) for i in range(5)]
    found = select_findings(_rows(*strong, *weak), "Lehe")
    said = _ids(found)
    assert len(said) == MAX_STATEMENTS
    # one sentence for the strongest section (its best two of one direction: lower, and so worse), one for each
    # weak section
    assert said[0] == ("S1", "S3")
    assert sorted(said[1:]) == [(f"W{i}",) for i in range(5)]
    assert found[-1].text == "Weitere signifikante Unterschiede zu Bremerhaven zeigen die Tabellen."


def test_the_places_left_go_to_the_next_best_differences_and_one_to_a_trend():
    rows = _rows(
        *[_worse(f"A{i}", "Soziale Lage", 30.0 + i, 1.0) for i in range(9)],
        {"id": "T", "section": "Demografie", "trend": "increasing", "trend_p": 0.001, "name": "Trend"},
    )
    found = select_findings(rows, "Lehe")
    assert _ids(found) == [("A8", "A7"), ("A6", "A5"), ("A4", "A3"), ("A2", "A1"), ("A0",)]
    assert [f.kind for f in found] == ["difference"] * 5 + ["trend", "rest"]
    assert found[-1].text == (
        "Bei den übrigen verglichenen Indikatoren unterscheidet sich Lehe nicht signifikant von Bremerhaven."
    )


def test_one_sentence_names_two_indicators_of_the_same_section_and_direction():
    rows = _rows(
        _worse("A", "S", 30.0, 1.0),
        _worse("B", "S", 28.0, 1.0),
        _worse("C", "S", 26.0, 1.0, strict=False),  # the third: a sentence of its own
        {**_worse("D", "S", 10.0, 1.0, city=20.0), "polarity": "higher_is_better"},  # lower, so worse
    )
    assert _ids(select_findings(rows, "Lehe")) == [("A", "B"), ("D",), ("C",)]


def test_a_pair_of_different_evidence_names_the_one_that_passes_the_stricter_test():
    rows = _rows(
        {**_worse("SOZ05", "Soziale Lage", 27.01, 1.33, city=24.83), "name_in_text": "der Anteil der "
         "Alleinerziehenden"},
        {**_worse("SOZ02", "Soziale Lage", 37.82, 1.25, city=36.46, strict=False), "name_in_text": "die Kinderarmut"},
        {"id": "SOZ01"},
    )  # fmt: skip
    assert key_findings(rows, "Lehe")[0] == (
        f"Der Anteil der Alleinerziehenden und die Kinderarmut sind in Lehe mit 27,0 bzw. 37,8{NBSP}% signifikant "
        f"höher und damit ungünstiger als in Bremerhaven mit 24,8 bzw. 36,5{NBSP}%, der erste Unterschied auch bei "
        "strengerer Prüfung (99,8-%-Konfidenzintervall)."
    )
    assert _ids(select_findings(rows, "Lehe")) == [("SOZ05", "SOZ02")]


# --- what is left out is said truthfully ---------------------------------------------------------------------


def test_the_rest_sentence_only_when_no_significant_difference_is_left_out():
    few = _rows(_worse("A", "S1", 30.0, 1.0), {"id": "B", "comparison_95": "similar"})
    assert key_findings(few, "Lehe")[-1] == (
        "Bei den übrigen verglichenen Indikatoren unterscheidet sich Lehe nicht signifikant von Bremerhaven."
    )
    many = _rows(
        *[_worse(f"A{i}", f"S{i}", 30.0, 1.0, polarity=p) for i, p in enumerate(["higher_is_worse"] * 7)],
        {"id": "B", "comparison_95": "similar"},
    )
    text = key_findings(many, "Lehe")
    assert not any("übrigen" in s for s in text)
    assert text[-1] == "Weitere signifikante Unterschiede zu Bremerhaven zeigen die Tabellen."


def test_trends_left_out_are_pointed_to_as_well():
    rows = _rows(
        *[_worse(f"A{i}", f"S{i}", 30.0, 1.0) for i in range(7)],
        {"id": "T", "trend": "decreasing", "trend_p": 0.01},
    )
    assert key_findings(rows, "Lehe")[-1] == (
        "Weitere signifikante Unterschiede zu Bremerhaven und signifikante Trends zeigen die Tabellen."
    )
    # six sections take every place: all differences are said, the trend is not
    assert key_findings(rows[rows["id"] != "A6"], "Lehe")[-1] == (
        "Bei den übrigen verglichenen Indikatoren unterscheidet sich Lehe nicht signifikant von Bremerhaven; "
        "signifikante Trends zeigen die Tabellen."
    )
    city = _rows(*[{"id": f"T{i}", "trend": "increasing", "trend_p": i / 100} for i in range(8)])
    assert key_findings(city, "Bremerhaven", is_city=True)[-1] == "Weitere signifikante Trends zeigen die Tabellen."
    one_trend = _rows(_worse("A", "S", 30.0, 1.0), {"id": "B"}, {"id": "T", "trend": "increasing", "trend_p": 0.01})
    assert key_findings(one_trend, "Lehe")[-1] == (
        "Bei den übrigen verglichenen Indikatoren unterscheidet sich Lehe nicht signifikant von Bremerhaven."
    )


def test_no_difference_at_all_is_said_as_such():
    assert key_findings(_rows({"id": "A"}, {"id": "B"}), "Lehe") == [
        "Bei keinem verglichenen Indikator unterscheidet sich Lehe signifikant von Bremerhaven."
    ]


# --- hidden values -------------------------------------------------------------------------------------------


def test_the_suppression_note_is_always_there_when_a_value_is_hidden_even_with_every_place_taken():
    rows = _rows(
        *[_worse(f"A{i}", f"S{i}", 30.0, 1.0) for i in range(8)],
        {"id": "T", "trend": "increasing", "trend_p": 0.001},
        {"id": "H", "name": "Säuglingssterblichkeit", "value": np.nan, "lower": np.nan, "upper": np.nan,
         "comparison_95": "not compared", "comparison_998": "not compared", "suppressed": True},
    )  # fmt: skip
    found = select_findings(rows, "Lehe")
    assert found[-1].text == SUPPRESSED_NOTE
    assert len(found) == MAX_STATEMENTS + 2
    assert SUPPRESSED_NOTE not in key_findings(rows[rows["id"] != "H"], "Lehe")


def test_a_hidden_row_never_produces_a_sentence_even_with_a_classification_or_trend_left_on_it():
    hidden = {**_worse("H", "S9", 99.0, 1.0), "name": "Säuglingssterblichkeit", "name_in_text": "die Säuglings"
              "sterblichkeit", "suppressed": True, "trend": "increasing", "trend_p": 1e-9}  # fmt: skip
    rows = _rows(_worse("A", "S1", 30.0, 1.0), hidden, {"id": "B"})
    found = select_findings(rows, "Lehe")
    assert all("H" not in f.indicators for f in found)
    assert not any("Säuglingssterblichkeit" in f.text or "99,0" in f.text for f in found)
    # the hidden difference does not count as left out either: the rest sentence stays true for what is shown
    assert [f.kind for f in found] == ["difference", "rest", "suppressed"]


# --- wording -------------------------------------------------------------------------------------------------


def test_wording_with_the_name_in_text():
    rows = _rows(
        {**_worse("SOZ01", "Soziale Lage", 32.7, 0.9, city=22.4), "name": "SGB-II-Quote",
         "name_in_text": "die SGB-II-Quote"},
        {**_worse("SOZ02", "Soziale Lage", 48.53, 2.2, city=36.46), "name": "Kinderarmut",
         "name_in_text": "die Kinderarmut (SGB-II-Quote unter 15 Jahren)"},
        {"id": "GES05", "section": "Gesundheit", "name": "Pflegebedürftige",
         "name_in_text": "der Anteil der Pflegebedürftigen", "value": 6.14, "comparison_95": "lower",
         "comparison_998": "similar", "city_value": 6.33, "lower": 5.9, "upper": 6.3, "trend": "increasing",
         "trend_p": 1e-20},
        {"id": "DEM07", "section": "Demografie", "name": "Anteil ohne deutsche Staatsangehörigkeit",
         "name_in_text": "der Anteil der Einwohner:innen ohne deutsche Staatsangehörigkeit", "value": 23.48,
         "trend": "increasing", "trend_p": 1e-3, "period_label": "2024-Q3"},
    )  # fmt: skip
    assert key_findings(rows, "Geestendorf") == [
        f"Die SGB-II-Quote und die Kinderarmut (SGB-II-Quote unter 15 Jahren) sind in Geestendorf mit "
        f"32,7 bzw. 48,5{NBSP}% signifikant höher und damit ungünstiger als in Bremerhaven mit 22,4 bzw. "
        f"36,5{NBSP}%, auch bei strengerer Prüfung (99,8-%-Konfidenzintervall).",
        f"Der Anteil der Pflegebedürftigen ist in Geestendorf mit 6,1{NBSP}% signifikant niedriger als in "
        f"Bremerhaven mit 6,3{NBSP}%.",
        f"Der Anteil der Pflegebedürftigen ist in den letzten fünf Jahren signifikant gestiegen, zuletzt auf "
        f"6,1{NBSP}% im Jahr 2024.",
        "Der Anteil der Einwohner:innen ohne deutsche Staatsangehörigkeit ist in den letzten fünf Jahren "
        f"signifikant gestiegen, zuletzt auf 23,5{NBSP}% im 3. Quartal 2024.",
        "Bei den übrigen verglichenen Indikatoren unterscheidet sich Geestendorf nicht signifikant von Bremerhaven.",
    ]


def test_wording_without_the_name_in_text_names_the_indicator_before_a_colon():
    rows = _rows(
        {**_worse("A", "S", 24.04, 1.0, city=17.0), "name": "SGB-II-Quote", "name_in_text": np.nan},
        {**_worse("B", "T", 9.0, 0.5, city=8.0, strict=False), "name": "Adipositas", "name_in_text": None},
        {"id": "C", "name": "Hausärzt:innen", "unit": "je 100.000 Einw.", "value": 60.0, "city_value": 61.0,
         "trend": "decreasing", "trend_p": 0.01, "period_label": "2020–2024"},
    )  # fmt: skip
    rows = rows.drop(columns="polarity")  # without polarity the value says which way
    assert key_findings(rows, "Lehe") == [
        f"SGB-II-Quote: in Lehe mit 24,0{NBSP}% signifikant höher und damit ungünstiger als in Bremerhaven mit "
        f"17,0{NBSP}%, {STRICT}.",
        f"Adipositas: in Lehe mit 9,0{NBSP}% signifikant höher und damit ungünstiger als in Bremerhaven mit "
        f"8,0{NBSP}%.",
        f"Hausärzt:innen: in den letzten fünf Jahren signifikant gesunken, zuletzt auf 60,0{NBSP}je 100.000 Einw. "
        "in den Jahren 2020–2024.",
        "Bei den übrigen verglichenen Indikatoren unterscheidet sich Lehe nicht signifikant von Bremerhaven.",
    ]
    pair = rows.assign(section="S")
    assert key_findings(pair, "Lehe")[0] == (
        f"SGB-II-Quote und Adipositas: in Lehe mit 24,0 bzw. 9,0{NBSP}% signifikant höher und damit ungünstiger "
        f"als in Bremerhaven mit 17,0 bzw. 8,0{NBSP}%, der erste Unterschied {STRICT}."
    )


def test_numbers_as_in_the_tables_one_full_stop_and_no_stacked_brackets():
    unit = "je 100.000 Einw. (altersstandardisiert)"
    rows = _rows(
        {**_worse("GES01", "Gesundheit", 923.66, 40.0, city=1072.27), "unit": unit, "polarity": "higher_is_worse",
         "comparison_95": "better", "comparison_998": "better", "name_in_text": "die Gesamtsterblichkeit"},
        {**_worse("DEM02", "Demografie", 2348.5, 10.0, city=1459.1), "unit": "Einw. je km²",
         "comparison_95": "higher", "comparison_998": "higher", "name_in_text": "die Bevölkerungsdichte"},
        {**_worse("VER01", "Versorgung", 57.2, 5.0, city=70.1), "unit": "je 100.000 Einw.", "comparison_95": "lower",
         "comparison_998": "similar", "name_in_text": "die Zahl der Hausärzt:innen je 100.000 Einwohner:innen"},
    )  # fmt: skip
    text = key_findings(rows, "Lehe")
    assert text[0].startswith(
        f"Die Bevölkerungsdichte ist in Lehe mit 2.349{NBSP}Einw. je km² signifikant höher als in Bremerhaven mit "
        f"1.459{NBSP}Einw. je km², "
    )
    assert text[1].startswith(
        f"Die Gesamtsterblichkeit ist in Lehe mit 923,7{NBSP}{unit} signifikant niedriger und damit günstiger als "
        f"in Bremerhaven mit 1.072,3{NBSP}{unit}, "
    )
    assert text[2].endswith(f"als in Bremerhaven mit 70,1{NBSP}je 100.000 Einw.")
    two_units = rows.assign(section="S", comparison_95="higher", comparison_998="higher").iloc[1:]
    assert (
        f"mit 2.349{NBSP}Einw. je km² bzw. 57,2{NBSP}je 100.000 Einw. signifikant höher als in Bremerhaven mit "
        f"1.459{NBSP}Einw. je km² bzw. 70,1{NBSP}je 100.000 Einw., auch bei"
    ) in key_findings(two_units, "Lehe")[0]
    assert not any(".." in s or ") (" in s or "))" in s for s in text)


def test_the_city_gets_only_its_trends():
    rows = _rows(
        {"id": "A", "comparison_95": "not compared", "comparison_998": "not compared", "trend": "increasing",
         "trend_p": 0.01, "name_in_text": "die SGB-II-Quote"},
        {"id": "B", "comparison_95": "not compared", "comparison_998": "not compared"},
    )  # fmt: skip
    assert key_findings(rows, "Bremerhaven", is_city=True) == [
        f"Die SGB-II-Quote ist in den letzten fünf Jahren signifikant gestiegen, zuletzt auf 20,0{NBSP}% im Jahr 2024."
    ]


def test_never_more_than_eight_sentences():
    rows = _rows(
        *[_worse(f"A{i}", f"S{i % 9}", 30.0 + i, 1.0, strict=i % 2 == 0) for i in range(30)],
        *[{"id": f"T{i}", "trend": "increasing", "trend_p": i / 100} for i in range(10)],
        {"id": "H", "suppressed": True, "value": np.nan},
    )
    assert len(key_findings(rows, "Lehe")) == 8
    assert len(key_findings(rows, "Bremerhaven", is_city=True)) == 8


def test_the_profile_findings_carry_the_catalogues_names_in_text(bundled_tables):
    from quartiersprofile.content.profile import Profile
    from quartiersprofile.content.tables import latest_period

    (area,) = [a for a in bundled_tables.areas if a.code == "212"]
    profile = Profile(area, latest_period(bundled_tables), bundled_tables)
    rows = findings.profile_rows(profile)
    assert rows.set_index("id").loc["SOZ01", "name_in_text"] == "die SGB-II-Quote"
    assert findings.profile_key_findings(profile) == key_findings(rows, "Geestendorf")
    assert any(s.startswith("Die SGB-II-Quote") for s in findings.profile_key_findings(profile))
