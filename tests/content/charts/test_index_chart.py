"""The chart of the Gesundheits- und Sozialindex (quartiersprofile.content.charts.insight) and the spine chart's
markers of the further benchmarks (similar areas, target; quartiersprofile.content.charts.comparison)."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_hex
from support import chart_tables
from support.chart_tables import figure_texts

from quartiersprofile.content import charts
from quartiersprofile.content.charts.insight import CLASS_COLOURS, format_score, index_ranking


@pytest.fixture
def ranking():
    return pd.DataFrame({
        "code": ["a", "b", "c", "d", "e"],
        "name": ["Nord", "Süd", "Mitte", "West", "Ost"],
        "score": [1.234, 0.4, 0.0, -0.6, -1.05],
        "rank": [1, 2, 3, 4, 5],
        "index_class": [5, 4, 3, 2, 1],
        "rank_lower": [1, 1, 2, 4, 4],
        "rank_upper": [1, 3, 4, 5, 5],
    }).sample(frac=1, random_state=1)  # fmt: skip


def test_the_ranking_draws_each_area_at_its_rank_with_its_interval_and_class(ranking):
    chart = index_ranking(ranking, ["c"], "Ortsteile")
    ax = chart.figure.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Nord", "Süd", "Mitte", "West", "Ost"]
    assert [t.get_fontweight() for t in ax.get_yticklabels()][2] == "bold"
    (dots,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert dots.get_offsets()[:, 0].tolist() == [1, 2, 3, 4, 5]
    assert [to_hex(c).upper() for c in dots.get_facecolors()] == [CLASS_COLOURS[c].upper() for c in (5, 4, 3, 2, 1)]
    (lines,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert [tuple(segment[:, 0]) for segment in lines.get_segments()] == [(1, 1), (1, 3), (2, 4), (4, 5), (4, 5)]
    texts = figure_texts(chart)
    assert {"+1,23", "+0,40", "0,00", "-0,60", "-1,05"} <= set(texts)
    assert "Mitte: Rang 3 (Intervall 2 bis 4), Klasse 3, Punktwert 0,00." in chart.alt_text
    assert chart.alt_text.startswith("Gesundheits- und Sozialindex: 5 Ortsteile nach Rang")


def test_scores_carry_their_sign():
    assert [format_score(x) for x in (1.005, -0.004, 0.0, 0.7)] == ["+1,01", "0,00", "0,00", "+0,70"]


def test_the_spine_chart_marks_the_similar_areas_and_the_target_where_given():
    rows = chart_tables.spine_rows().assign(neighbours_value=[9.0, 11.0, np.nan, np.nan, 6.0],
                                            target=[np.nan, 12.0, np.nan, np.nan, np.nan])  # fmt: skip
    chart = charts.spine_chart(rows)
    ax = chart.figure.axes[0]
    markers = {line.get_marker(): line for line in ax.get_lines() if line.get_linestyle() == "None"}
    positions = charts.spine_positions(rows)
    diamond, tick = markers["D"], markers["|"]
    assert diamond.get_xdata().tolist() == pytest.approx(positions["neighbours_value"].dropna().tolist())
    assert diamond.get_ydata().tolist() == [0, 1, 4]
    assert tick.get_ydata().tolist() == [1] and tick.get_xdata().tolist() == pytest.approx([positions.at[1, "target"]])
    labels = [t.get_text() for t in chart.figure.legends[0].get_texts()]
    assert "ähnliche Gebiete" in labels and "Zielwert" in labels
    plain = charts.spine_chart(chart_tables.spine_rows())
    labels = [t.get_text() for t in plain.figure.legends[0].get_texts()]
    assert "ähnliche Gebiete" not in labels and "Zielwert" not in labels


def test_spine_positions_keep_the_further_benchmarks_in_the_range():
    rows = chart_tables.spine_rows().assign(neighbours_value=[20.0, 10.0, 10.0, 10.0, 0.0])
    positions = charts.spine_positions(rows)
    assert positions["neighbours_value"].between(0, 1).all()
    assert positions.loc[0, "neighbours_value"] == pytest.approx(0.0)  # higher is worse: the far left


def test_the_ranking_has_a_phone_variant_with_the_same_ranks_and_classes(ranking):
    from quartiersprofile.content.charts import style

    chart = index_ranking(ranking, ["c"], "Ortsteile")
    narrow = chart.narrow()
    assert narrow.figure.get_size_inches()[0] == pytest.approx(style.NARROW_WIDTH)
    assert narrow.alt_text == chart.alt_text
    ax = narrow.figure.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Nord", "Süd", "Mitte", "West", "Ost"]
    (dots,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert dots.get_offsets()[:, 0].tolist() == [1, 2, 3, 4, 5]
    texts = figure_texts(narrow)
    assert {"Klasse", "Punktwert", "+1,23", "-1,05"} <= set(texts)
    assert style.smallest_text_size(narrow.figure) >= style.TABLE_FONTSIZE


def test_the_slide_draws_names_and_columns_larger(ranking):
    from matplotlib.text import Annotation

    chart = index_ranking(ranking, ["c"], "Ortsteile", fontsize=9.0)
    ax = chart.figure.axes[0]
    assert {t.get_fontsize() for t in ax.get_yticklabels()} == {9.0}
    columns = [t for t in ax.texts if isinstance(t, Annotation)]
    assert {"+1,23", "Punktwert", "Klasse"} <= {t.get_text() for t in columns}
    assert {t.get_fontsize() for t in columns} == {9.0}
    from quartiersprofile.content.charts import style

    assert style.smallest_text_size(chart.figure) == 9.0  # the scale and the legend too
