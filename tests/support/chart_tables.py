"""Small tidy tables for the chart tests (tests/content/charts/, tests/publish/test_fragments.py) and helpers that
look at what a chart draws. Expected numbers in the tests are computed by hand from these tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle
from matplotlib.text import Text

NBSP = "\u00a0"

ORTSTEILE = {
    "111": ("Weddewarden", "11", "Weddewarden"),
    "121": ("Königsheide", "12", "Leherheide"),
    "122": ("Fehrmoor", "12", "Leherheide"),
    "123": ("Leherheide-West", "12", "Leherheide"),
    "131": ("Speckenbüttel", "13", "Lehe"),
    "132": ("Eckernfeld", "13", "Lehe"),
    "133": ("Twischkamp", "13", "Lehe"),
    "134": ("Goethestraße", "13", "Lehe"),
    "135": ("Klushof", "13", "Lehe"),
    "136": ("Schierholz", "13", "Lehe"),
    "137": ("Buschkämpen", "13", "Lehe"),
    "141": ("Mitte-Süd", "14", "Mitte"),
    "142": ("Mitte-Nord", "14", "Mitte"),
    "211": ("Geestemünde-Nord", "21", "Geestemünde"),
    "212": ("Geestendorf", "21", "Geestemünde"),
    "213": ("Geestemünde-Süd", "21", "Geestemünde"),
    "214": ("Bürgerpark", "21", "Geestemünde"),
    "215": ("Grünhöfe", "21", "Geestemünde"),
    "221": ("Schiffdorferdamm", "22", "Schiffdorferdamm"),
    "231": ("Surheide", "23", "Surheide"),
    "241": ("Dreibergen", "24", "Wulsdorf"),
    "242": ("Jedutenberg", "24", "Wulsdorf"),
    "251": ("Fischereihafen", "25", "Fischereihafen"),
    "252": ("Luneplate", "25", "Fischereihafen"),
}
AGE_BANDS = [f"{a}-{a + 4}" for a in range(0, 90, 5)] + ["90+"]
SENTINEL = 99.87  # a value that must never be shown: it sits in suppressed rows


def ortsteile() -> pd.DataFrame:
    return pd.DataFrame(
        [(code, *rest) for code, rest in ORTSTEILE.items()],
        columns=["code", "name", "stadtteil_code", "stadtteil_name"],
    )


def pyramid() -> pd.DataFrame:
    rows = []
    for i, band in enumerate(AGE_BANDS):
        for sex, factor in (("m", 0.9), ("w", 1.1)):
            rows.append((band, sex, round(factor * (19 - i) / 19 * 5, 3), round(factor * 2.6, 3)))
    return pd.DataFrame(rows, columns=["age_band", "sex", "district_share", "city_share"])


def bars_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["131", "134", "135", "252", "111"],
            "name": ["Speckenbüttel", "Goethestraße", "Klushof", "Luneplate", "Weddewarden"],
            "value": [12.5, 31.25, 20.0, SENTINEL, np.nan],
            "lower": [10.0, 28.0, 17.5, SENTINEL, np.nan],
            "upper": [15.0, 34.5, 22.5, SENTINEL, np.nan],
            "suppressed": [False, False, False, True, True],
        }
    )


def trend_series() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": ["2021", "2022", "2023", "2024"],
            "value": [20.0, SENTINEL, 22.5, 24.25],
            "lower": [18.0, SENTINEL, 20.0, 22.0],
            "upper": [22.0, SENTINEL, 25.0, 26.5],
            "city_value": [15.0, 15.5, 16.0, 16.5],
            "suppressed": [False, True, False, False],
        }
    )


def spine_row(name, value, polarity, classification, suppressed=False):
    """City 10, all areas from 4 to 12, middle half 8 to 11."""
    return {
        "name": name,
        "value": value,
        "city_value": 10.0,
        "minimum": 4.0,
        "q25": 8.0,
        "q75": 11.0,
        "maximum": 12.0,
        "classification": classification,
        "polarity": polarity,
        "suppressed": suppressed,
    }


def spine_rows() -> pd.DataFrame:
    return pd.DataFrame(
        [
            spine_row("Vorzeitige Sterblichkeit", 12.0, "higher_is_worse", "worse"),
            spine_row("Masern-Impfquote", 12.0, "higher_is_better", "better"),
            spine_row("Anteil 65 Jahre und älter", 12.0, "neutral", "higher"),
            spine_row("Säuglingssterblichkeit", SENTINEL, "higher_is_worse", "not compared", suppressed=True),
            spine_row("Übergewicht", 4.0, "higher_is_worse", "better"),
        ]
    )


def figure_texts(chart):
    return [t.get_text() for t in chart.figure.findobj(Text) if t.get_text()]


def bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def assert_never_shows_sentinel(chart):
    for shown in [*figure_texts(chart), chart.alt_text]:
        assert "99,9" not in shown and "99,87" not in shown and "99.87" not in shown
