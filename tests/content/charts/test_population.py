"""Population charts (quartiersprofile.content.charts.population): pyramid, age groups, development; what each
draws and says in its alt text."""

import pandas as pd
import pytest
from matplotlib.colors import to_hex
from support import chart_tables
from support.chart_tables import AGE_BANDS, NBSP, bars, figure_texts

from quartiersprofile.content import charts
from quartiersprofile.content.charts import style


@pytest.fixture
def pyramid():
    return chart_tables.pyramid()


def test_population_pyramid_draws_men_left_women_right(pyramid):
    chart = charts.population_pyramid(pyramid, "Goethestraße")
    ax = chart.figure.axes[0]
    widths = [bar.get_width() for bar in bars(ax)]
    assert len(widths) == 2 * len(AGE_BANDS)
    assert sum(w < 0 for w in widths) == len(AGE_BANDS)  # men, to the left
    assert {to_hex(bar.get_facecolor()) for bar in bars(ax)} == {style.HIGHLIGHT.lower()}
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert labels[0] == "0–4" and labels[-1] == "90+" and "45–49" in labels
    assert {"Goethestraße", "Bremerhaven"} <= set(figure_texts(chart))


def test_population_pyramid_alt_text_states_young_and_old_shares(pyramid):
    chart = charts.population_pyramid(pyramid, "Goethestraße")
    # Under 20: bands i = 0..3, share (19 - i) / 19 * 5 per sex (factors 0.9 + 1.1 = 2) -> 70 * 10 / 19.
    assert f"Altersgruppe unter 20: 36,8{NBSP}%" in chart.alt_text
    # City: 2.6 per band and sex -> 4 bands * 2 * 2.6 = 20.8; 65 and older: 6 bands -> 31.2.
    assert f"(Bremerhaven 20,8{NBSP}%)" in chart.alt_text
    assert f"(Bremerhaven 31,2{NBSP}%)" in chart.alt_text


def test_age_groups_bars_and_value_labels():
    groups = pd.DataFrame(
        {
            "group": ["unter 18", "18–64", "65–79", "80+"],
            "district_share": [21.3, 62.1, 11.25, 5.35],
            "city_share": [16.8, 60.2, 16.0, 7.0],
        }  # fmt: skip
    )
    chart = charts.age_groups(groups, "Goethestraße")
    ax = chart.figure.axes[0]
    highlighted = [b for b in bars(ax) if to_hex(b.get_facecolor()) == style.HIGHLIGHT.lower()]
    assert len(bars(ax)) == 8 and len(highlighted) == 4
    assert sorted(b.get_width() for b in highlighted) == [5.35, 11.25, 21.3, 62.1]
    texts = figure_texts(chart)
    assert f"11,3{NBSP}%" in texts and f"62,1{NBSP}%" in texts
    assert f"80+: 5,4{NBSP}% (Bremerhaven 7,0{NBSP}%)" in chart.alt_text


def test_population_development_is_indexed_to_the_first_period():
    series = pd.DataFrame(
        {
            "period": ["2022", "2020", "2021"],
            "district_population": [8800, 8000, 8400],
            "city_population": [110000, 100000, 105000],
        }  # fmt: skip
    )
    chart = charts.population_development(series, "Goethestraße")
    ax = chart.figure.axes[0]
    district, city = (line.get_ydata() for line in ax.get_lines() if len(line.get_xdata()) == 3)
    assert list(district) == pytest.approx([100, 105, 110])
    assert list(city) == pytest.approx([100, 105, 110])
    assert ax.get_ylabel() == "Index (erstes Jahr = 100)"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2020", "2021", "2022"]
    assert "Goethestraße 110,0" in chart.alt_text and "8.000 (2020)" in chart.alt_text
