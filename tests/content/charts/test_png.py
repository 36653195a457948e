"""Charts drawn as PNG bytes that list their texts (quartiersprofile.content.charts.png): what the disclosure audit
reads from every figure."""

import io
import json
from collections import Counter

import numpy as np
import pandas as pd
from PIL import Image

from quartiersprofile.content import charts
from quartiersprofile.content.charts.style import PNG_DPI


def test_a_chart_png_lists_its_drawn_texts_in_order_and_which_are_tick_labels():
    table = pd.DataFrame(
        {"code": ["1", "2", "3"], "name": ["Nord", "Mitte", "Süd"], "value": [30.0, 20.0, np.nan],
         "lower": [25.0, 15.0, np.nan], "upper": [35.0, 25.0, np.nan], "suppressed": [False, False, True]}
    )  # fmt: skip
    chart = charts.district_bars(table, "1", 24.0, "Quote", "%")
    info = Image.open(io.BytesIO(charts.drawn_png(chart.figure))).info
    labels, ticks = json.loads(info["Labels"]), json.loads(info["TickLabels"])
    assert [t for t in ticks if t in ("Nord", "Mitte", "Süd")] == ["Nord", "Mitte", "Süd"]
    values = [label for label in labels if label in ("30,0", "20,0", "unterdrückt")]
    assert values[:3] == ["30,0", "20,0", "unterdrückt"] and "Quote (%)" in labels
    assert not Counter(ticks) - Counter(labels) and "30,0" not in ticks
    assert charts.drawn_png(chart.figure) == charts.drawn_png(chart.figure)


def test_the_png_has_the_figure_s_size_at_print_resolution_and_no_software_tag():
    chart = charts.trend_chart(
        pd.DataFrame({"period": ["2023", "2024"], "value": [1.0, 2.0], "lower": [0.5, 1.5], "upper": [1.5, 2.5],
                      "city_value": [1.0, 1.0], "suppressed": [False, False]}),
        "Quote", "%", "Lehe",
    )  # fmt: skip
    png = charts.drawn_png(chart.figure)
    width, height = chart.figure.get_size_inches()
    assert Image.open(io.BytesIO(png)).size == (round(width * PNG_DPI), round(height * PNG_DPI))
    assert b"Software" not in png and b"matplotlib" not in png
