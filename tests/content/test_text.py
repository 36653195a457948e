"""Tests for the German formatting in quartiersprofile.content.text (period labels: tests/model/test_periods.py).

Expected strings are written out by hand from the German conventions (thousands point, decimal comma,
no-break space before units, DIN 1333 rounding half away from zero), not produced by the module.
"""

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from quartiersprofile.content import text

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234.5, 1, "1.234,5"),
        (1234567.891, 2, "1.234.567,89"),
        (-1234.5, 1, "-1.234,5"),
        (0, 1, "0,0"),
        (999.96, 1, "1.000,0"),
        (12, 0, "12"),
        (np.float64(3.14159), 3, "3,142"),
        (np.int64(38643), 0, "38.643"),
        (Decimal("2.25"), 1, "2,3"),
    ],
)
def test_format_number_german_separators(value, decimals, expected):
    assert text.format_number(value, decimals) == expected


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (0.05, 1, "0,1"),  # babel alone rounds half to even: "0,0"
        (0.25, 1, "0,3"),
        (0.35, 1, "0,4"),
        (2.5, 0, "3"),
        (2.675, 2, "2,68"),  # the float is 2.67499999...; Python's round() would give 2.67
        (-0.25, 1, "-0,3"),  # half away from zero, as DIN 1333
    ],
)
def test_format_number_rounds_half_up(value, decimals, expected):
    assert text.format_number(value, decimals) == expected


def test_format_number_has_no_negative_zero():
    assert text.format_number(-0.04, 1) == "0,0"


def test_format_number_gives_the_same_text_whatever_was_formatted_before():
    # Results are cached: values that compare equal (1 and 1.0, 0.0 and -0.0, numpy and Python numbers) share
    # an entry, which must not leak one value's form into the other's.
    assert [text.format_number(v, 1) for v in (1, 1.0, np.int64(1), np.float64(1.0))] == ["1,0"] * 4
    assert [text.format_number(v, 0) for v in (-0.0, 0.0, 0, -0.4)] == ["0"] * 4
    assert [text.format_number(2.675, d) for d in (2, 1, 0, 2)] == ["2,68", "2,7", "3", "2,68"]


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, math.inf, -math.inf])
def test_missing_values_become_an_en_dash(missing):
    assert text.format_number(missing) == "–"
    assert text.format_count(missing) == "–"
    assert text.format_value(missing, "%") == "–"


def test_format_number_rejects_text():
    with pytest.raises(TypeError):
        text.format_number("12,5")


def test_format_count():
    assert text.format_count(38643) == "38.643"
    assert text.format_count(1234.5) == "1.235"
    assert text.format_count(7) == "7"


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (14.2, "%", f"14,2{NBSP}%"),
        (312.44, "je 100.000", f"312,4{NBSP}je 100.000"),
        (1234.4, "EW/km²", f"1.234{NBSP}EW/km²"),
        (2361.2, "Einw. je km²", f"2.361{NBSP}Einw. je km²"),
        (38643, "Personen", f"38.643{NBSP}Personen"),
        (78.25, "Jahre", f"78,3{NBSP}Jahre"),
        (38643, "Anzahl", "38.643"),
        (3.5, "", "3,5"),
        (3.5, None, "3,5"),
        (3.5, float("nan"), "3,5"),  # unit missing in the catalogue
    ],
)
def test_format_value_joins_number_and_unit_with_a_no_break_space(value, unit, expected):
    assert text.format_value(value, unit) == expected


def test_format_value_explicit_decimals():
    assert text.format_value(12.345, "km²", 2) == f"12,35{NBSP}km²"


@pytest.mark.parametrize(
    ("unit", "decimals"),
    [
        ("Anzahl", 0),
        ("Personen", 0),
        ("EW/km²", 0),
        ("Einw. je km²", 0),
        ("m² je Einw.", 1),
        ("%", 1),
        ("je 100.000 Einw. (altersstandardisiert)", 1),
        (None, 1),
        (float("nan"), 1),
    ],
)
def test_decimals_for_units(unit, decimals):
    assert text.decimals_for(unit) == decimals


def test_format_interval():
    assert text.format_interval(12.34, 14.46) == "12,3–14,5"
    assert text.format_interval(1200, 1850.5, 0) == "1.200–1.851"
    assert text.format_interval(None, 14.5) == "–"
    assert text.format_interval(12.3, float("nan")) == "–"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2025, 3, 31), "31. März 2025"),
        ("2025-03-31", "31. März 2025"),
        (dt.date(2024, 1, 5), "5. Januar 2024"),
        (dt.datetime(2024, 12, 1, 8, 30), "1. Dezember 2024"),
    ],
)
def test_format_date(value, expected):
    assert text.format_date(value) == expected


def test_labels_cover_every_classification_and_trend():
    assert text.CLASSIFICATION_LABELS == {
        "better": "besser",
        "similar": "ähnlich",
        "worse": "schlechter",
        "higher": "höher",
        "lower": "niedriger",
        "not compared": "nicht verglichen",
        "suppressed": "unterdrückt",  # a hidden value is compared with nothing (content/indicators.py)
    }
    assert text.TREND_LABELS == {
        "increasing": "steigend",
        "decreasing": "fallend",
        "no significant change": "keine signifikante Veränderung",
        "not calculated": "nicht berechnet",
        "suppressed": "unterdrückt",
    }


# --- hyphenation ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        # gender forms break in the stem only, never at or after the gender sign
        ("Hausärzt:innen", "Haus-ärzt:innen"),  # pyphen alone: "Hau-särz-t:in-nen"
        ("Jugendärzt:innen", "Ju-gend-ärzt:innen"),
        ("Einwohner:innen", "Ein-woh-ner:innen"),
        ("Einwohner:in", "Ein-woh-ner:in"),
        ("Schulabgänger*innen", "Schul-ab-gän-ger*innen"),
        ("Wähler_innen", "Wäh-ler_innen"),
        ("EinwohnerInnen", "Ein-woh-nerInnen"),
        ("Einwohner:innen)", "Ein-woh-ner:innen)"),
        # every part keeps a vowel: no lone consonant between two breaks
        ("Hausärzte", "Haus-ärz-te"),  # pyphen alone: "Hau-s-ärz-te"
        ("Sprachförderbedarf", "Sprach-för-der-be-darf"),  # pyphen alone: "…be-da-rf"
        ("Zielwert:", "Ziel-wert:"),
        # ordinary words as before
        ("Ärztinnen", "Ärz-tin-nen"),
        ("Bevölkerungsdichte", "Be-völ-ke-rungs-dich-te"),
        ("Fischereihafen", "Fi-sche-rei-ha-fen"),
    ],
)
def test_hyphenation_never_splits_a_word_stem(word, expected):
    assert text.hyphenator().inserted(word, hyphen="-") == expected


def test_hyphenation_offers_only_breaks_in_the_stem_of_a_gender_form():
    heads = [head for head, _ in text.hyphenator().iterate("Hausärzt:innen")]
    assert heads == ["Haus"]
    assert all(":" not in head for head, _ in text.hyphenator().iterate("Schulabgänger:innen"))


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Bremerhaven 2024: 59,1 je 100.000 Einw.", "Bremerhaven 2024: 59,1 je 100.000 Einw."),
        ("Bremerhaven: 22,4 %", "Bremerhaven: 22,4 %."),
        ("Werte (2024) ", "Werte (2024)."),
        ("Wirklich?", "Wirklich?"),
    ],
)
def test_a_sentence_ends_with_one_full_stop(sentence, expected):
    assert text.sentence(sentence) == expected


def test_format_values_names_a_shared_unit_once():
    assert text.format_values([842.44, 246.25], "je 100.000 Einw.") == f"842,4 bzw. 246,3{NBSP}je 100.000 Einw."
    assert text.format_values([2348.5], "Einw. je km²") == f"2.349{NBSP}Einw. je km²"
    assert text.format_values([12, 7], "Anzahl", " und ") == "12 und 7"
