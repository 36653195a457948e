"""German text for the reports: number and date formatting (babel, locale de_DE) and labels (periods are
`quartiersprofile.model.periods`).

Rounding is *half up* (away from zero, "kaufmännisches Runden" as in DIN 1333 and the statistical offices),
applied to the decimal value the float prints as: 0.05 -> "0,1", -0.25 -> "-0,3", 2.675 -> "2,68" (2 dec.).
babel alone would round half to even ("0,0"), and Python's ``round`` works on the binary float.

Values and units are joined by a no-break space (U+00A0, as babel's own German percent format does); the
narrow no-break space U+202F would be typographically finer but Open Sans, the report typeface, lacks it.
"""

import datetime as dt
import functools
import math
import numbers
import re
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pyphen
from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal

LOCALE = "de_DE"
MISSING = "–"
NBSP = "\u00a0"

CLASSIFICATION_LABELS = {
    "better": "besser",
    "similar": "ähnlich",
    "worse": "schlechter",
    "higher": "höher",
    "lower": "niedriger",
    "not compared": "nicht verglichen",
    "suppressed": "unterdrückt",
}
TREND_LABELS = {
    "increasing": "steigend",
    "decreasing": "fallend",
    "no significant change": "keine signifikante Veränderung",
    "not calculated": "nicht berechnet",
    "suppressed": "unterdrückt",
}

# Counts and densities per km² are whole numbers; "Anzahl" is not printed after the value.
_COUNT_UNITS = frozenset({"Anzahl", "Personen"})
_PER_AREA = re.compile(r"(je|/)\s*km²$")
_SILENT_UNITS = frozenset({"", "Anzahl"})


_VOWEL = re.compile(r"[aeiouyäöü]", re.IGNORECASE)
#: The gender ending of a word ("Hausärzt:innen", "Einwohner*in", "Schulabgänger_innen", "ÄrztInnen"), perhaps
#: followed by punctuation ("Einwohner:innen)").
_GENDER_ENDING = re.compile(r"(?:[:*_/]in(?:nen)?|(?<=[a-zäöüß])In(?:nen)?)(?=\W*$)")


class GermanHyphenator(pyphen.Pyphen):
    """pyphen's German patterns with two corrections, so that no break splits a word stem:

    * a gender form breaks only in its stem, where the feminine word breaks ("Hausärztinnen"), never at or after
      the gender sign: "Haus-ärzt:innen", not "Hausärz-t:innen" nor "Hausärzt:in-nen";
    * every part keeps a vowel: a break that would leave only consonants ("Hau-s-ärz-te", "t:innen") is dropped,
      the letters stay with the syllable before them ("Haus-ärz-te").
    """

    def positions(self, word: str) -> list:
        gender = _GENDER_ENDING.search(word)
        stem = word[: gender.start()] if gender else word
        probe = stem + "innen" if gender else word  # the patterns know the feminine word, not the gender sign
        found = [position for position in super().positions(probe) if position < len(stem)]
        return _voiced(stem, found)


def _voiced(stem: str, positions: list) -> list:
    """The breaks of `positions` (ascending) after which and before which the stem's parts have a vowel."""
    kept: list = []
    ends = [*positions[1:], len(stem)][: len(positions)]
    for position, end in zip(positions, ends, strict=True):
        before = stem[(kept[-1] if kept else 0) : position]
        if _VOWEL.search(before) and _VOWEL.search(stem[position:end]):
            kept.append(position)
    return kept


@functools.cache
def hyphenator() -> GermanHyphenator:
    """German syllable breaks (a `pyphen.Pyphen`, see `GermanHyphenator`), loaded on first use: reading the
    dictionary is slow, and most processes that import this module never hyphenate."""
    return GermanHyphenator(lang=LOCALE)


def sentence(text: str) -> str:
    """The text as a sentence with one full stop: "… 59,1 je 100.000 Einw." stays as it is (its abbreviation's
    point ends the sentence), anything else gets a "."."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."


def is_missing(x) -> bool:
    """True for None, NaN, pandas NA/NaT and infinite values: things that must not be printed as a number."""
    return x is None or x is pd.NA or x is pd.NaT or not math.isfinite(x)


def decimals_for(unit: str | None) -> int:
    """Decimals a value in this unit is shown with: 0 for counts and densities ("Personen", "Einw. je km²"),
    else 1."""
    if not isinstance(unit, str):  # no unit given (None, NaN)
        return 1
    return 0 if unit in _COUNT_UNITS or _PER_AREA.search(unit) else 1


def format_number(x, decimals: int = 1) -> str:
    """German number with thousands point and decimal comma, rounded half up: 1234.5 -> "1.234,5".

    Missing values (None, NaN) give an en dash "–".
    """
    if is_missing(x):
        return MISSING
    return _format_finite(int(x) if isinstance(x, numbers.Integral) else float(x), decimals)


@functools.lru_cache(maxsize=1 << 16)
def _format_finite(x: int | float, decimals: int) -> str:
    """`format_number` of a finite value; cached, as reports and the disclosure audit print the same numbers
    many times (1 and 1.0 share an entry: they print alike)."""
    exact = Decimal(x) if isinstance(x, int) else Decimal(repr(x))
    rounded = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded.is_zero():
        rounded = abs(rounded)  # no "-0,0"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(rounded, format=pattern, locale=LOCALE)


def format_count(n) -> str:
    """Whole number with thousands point: 38643 -> "38.643"."""
    return format_number(n, 0)


def format_value(value, unit: str | None, decimals: int | None = None) -> str:
    """Number and unit joined by a no-break space: "14,2 %", "312,4 je 100.000", "1.234 EW/km²".

    ``decimals`` defaults to `decimals_for(unit)`; the unit "Anzahl" is not printed; missing -> "–".
    """
    number = format_number(value, decimals_for(unit) if decimals is None else decimals)
    if number == MISSING or not isinstance(unit, str) or unit in _SILENT_UNITS:
        return number
    return f"{number}{NBSP}{unit}"


def format_values(values, unit: str | None, separator: str = " bzw. ") -> str:
    """Several values of one unit, the unit once: "842,4 bzw. 246,3 je 100.000 Einw." (as `format_value`)."""
    numbers = [format_number(value, decimals_for(unit)) for value in values]
    if not isinstance(unit, str) or unit in _SILENT_UNITS or numbers[-1] == MISSING:
        return separator.join(numbers)
    return f"{separator.join(numbers)}{NBSP}{unit}"


def format_interval(lower, upper, decimals: int = 1) -> str:
    """Confidence interval as "12,3–14,5"; "–" when either limit is missing."""
    if is_missing(lower) or is_missing(upper):
        return MISSING
    return f"{format_number(lower, decimals)}–{format_number(upper, decimals)}"


def format_date(d: dt.date | str) -> str:
    """Long German date: date(2025, 3, 31) or "2025-03-31" -> "31. März 2025"."""
    if isinstance(d, str):
        d = dt.date.fromisoformat(d)
    return babel_format_date(d, format="long", locale=LOCALE)
