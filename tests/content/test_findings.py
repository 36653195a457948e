"""Kernaussagen (quartiersprofile.content.findings): only significant differences and trends, never a suppressed
value, 4 to 8 sentences."""

import numpy as np
import pandas as pd

from quartiersprofile.content.findings import key_findings


def _rows(*rows):
    columns = ["name", "unit", "value", "city_value", "comparison_95", "comparison_998", "trend", "trend_p",
               "suppressed", "period_label"]
    return pd.DataFrame(rows, columns=columns)


ROWS = _rows(
    ("SGB-II-Quote", "%", 24.04, 17.0, "worse", "worse", "increasing", 0.001, False, "2024"),
    ("Adipositas", "%", 9.0, 8.0, "worse", "similar", "no significant change", 0.4, False, "2022–2024"),
    ("Impfquote", "%", 95.0, 90.0, "better", "similar", "no significant change", 0.5, False, "2022–2024"),
    ("Hausärzt:innen", "je 100.000", 60.0, 61.0, "similar", "similar", "decreasing", 0.01, False, "2024"),
    ("Säuglingssterblichkeit", "je 1.000", np.nan, 3.1, "not compared", "not compared", "increasing", 0.0001,
     True, "2020–2024"),
)


def test_significant_differences_with_german_numbers_and_the_stricter_level():
    text = key_findings(ROWS, "Lehe")
    assert text[0] == ("SGB-II-Quote: Mit 24,0\u00a0% liegt Lehe signifikant ungünstiger als Bremerhaven "
                       "(17,0\u00a0%) (auch bei der strengeren Prüfung).")
    assert "Adipositas: Mit 9,0\u00a0% liegt Lehe signifikant ungünstiger als Bremerhaven (8,0\u00a0%)." in text
    assert any(s.startswith("Impfquote: Mit 95,0") and "günstiger" in s for s in text)


def test_never_a_suppressed_value_nor_a_similar_one_as_a_difference():
    text = " ".join(key_findings(ROWS, "Lehe"))
    assert "Säuglingssterblichkeit" not in text
    assert "Hausärzt:innen: Mit" not in text
    assert "Hausärzt:innen ist in den letzten fünf Jahren signifikant gesunken; zuletzt 60,0\u00a0je 100.000" in text


def test_four_to_eight_sentences_also_for_the_city():
    assert 4 <= len(key_findings(ROWS, "Lehe")) <= 8
    city = key_findings(ROWS.assign(comparison_95="not compared", comparison_998="not compared"), "Bremerhaven",
                        is_city=True)
    assert 4 <= len(city) <= 8
    assert not any("ungünstiger" in s for s in city)
