"""The numbers of a focus report (quartiersprofile.content.focus): the group's areas since the year of selection,
the change with its MOVER interval and the difference from the city's change, from the suppressed table only."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from quartiersprofile.content import focus
from quartiersprofile.content.focus import FocusReport, find_group, mover
from quartiersprofile.stats.estimates import proportion


@pytest.fixture(scope="module")
def report(bundled_tables) -> FocusReport:
    return FocusReport(find_group(bundled_tables, "demografielabore"), "2024", bundled_tables)


def test_mover_of_two_proportions_is_newcombe_s_hybrid_score_interval():
    # Newcombe (1998), example (c) of table II: 56/70 vs 48/80, method 10 (hybrid score): 0.0524 to 0.3339
    first, second = proportion(56, 70), proportion(48, 80)
    difference, low, high = mover(first.value, first.lower, first.upper, second.value, second.lower, second.upper)
    assert float(difference) == pytest.approx(0.2)
    assert (float(low), float(high)) == pytest.approx((0.0524, 0.3339), abs=5e-4)


def test_mover_by_hand():
    # 10 (8-13) minus 6 (5-8): 4, 4 - sqrt(2^2 + 2^2) = 1.17, 4 + sqrt(3^2 + 1^2) = 7.16
    difference, low, high = mover(10, 8, 13, 6, 5, 8)
    assert (float(difference), float(low), float(high)) == pytest.approx((4, 4 - math.sqrt(8), 4 + math.sqrt(10)))


def test_the_group_s_areas_are_resolved_and_compared_with_the_city(report):
    assert [a.code for a in report.areas] == ["212", "215", "23"]  # Surheide: the Stadtteil, also Ortsteil 231
    assert report.baseline == "2022" and report.compared[-1].level == "stadt"
    assert report.indicator_order()[:5] == list(focus.OLDER_INDICATORS)
    rows = report.older_rows()
    assert list(dict.fromkeys(rows["id"])) == list(focus.OLDER_INDICATORS)
    assert list(rows["area"].iloc[:4]) == ["Geestendorf", "Grünhöfe", "Surheide", "Bremerhaven"]


def test_baseline_and_now_are_the_published_cells(report, bundled_tables):
    table = bundled_tables.indicators.set_index(["indicator", "area", "period"])
    row = report.comparison.query("id == 'DEM04' and code == '212'").iloc[0]
    assert row["base_value"] == table.loc[("DEM04", "212", "2022"), "value"]
    assert row["now_value"] == table.loc[("DEM04", "212", "2024"), "value"]
    expected = mover(row["now_value"], row["now_lower"], row["now_upper"], row["base_value"], row["base_lower"],
                     row["base_upper"])  # fmt: skip
    assert (row["change"], row["change_lower"], row["change_upper"]) == pytest.approx(tuple(map(float, expected)))
    city = report.comparison.query("id == 'DEM04' and is_city").iloc[0]
    assert city["verdict"] == focus.CITY
    diff = mover(row["change"], row["change_lower"], row["change_upper"], city["change"], city["change_lower"],
                 city["change_upper"])  # fmt: skip
    assert row["difference"] == pytest.approx(float(diff[0]))
    assert row["verdict"] == (focus.HIGHER if diff[1] > 0 else focus.LOWER if diff[2] < 0 else focus.SIMILAR)


def test_a_quarterly_indicator_compares_the_fourth_quarters_and_a_rare_one_its_last_values(report):
    quarterly = report.comparison.query("id == 'SOZ01' and code == '212'").iloc[0]
    assert (quarterly["base_label"], quarterly["now_label"]) == ("4. Quartal 2022", "4. Quartal 2024")
    election = report.comparison.query("id == 'UMW03' and code == '212'").iloc[0]
    assert (election["base_label"], election["now_label"]) == ("2019", "2023")


def test_hidden_values_stay_hidden_and_their_change_is_suppressed(report, bundled_tables):
    table = report.comparison
    both = table[(table["base_label"] != "") & (table["now_label"] != "")]  # a baseline value and a newer one
    hidden = both[both["base_hidden"] | both["now_hidden"]]
    assert len(hidden) and (hidden["change_state"] == focus.HIDDEN).all()
    assert hidden[["change", "change_lower", "change_upper", "difference"]].isna().all().all()
    assert (hidden.loc[~hidden["is_city"], "verdict"] == focus.HIDDEN).all()
    for prefix in ("base", "now"):
        shown = table[table[f"{prefix}_hidden"]]
        assert shown[[f"{prefix}_value", f"{prefix}_lower", f"{prefix}_upper"]].isna().all().all()
    # every value the report holds is a published (not suppressed) cell of the table
    published = bundled_tables.indicators
    published = published[~published["suppressed"].astype(bool)]
    values = set(published["value"].dropna().round(9))
    for prefix in ("base", "now"):
        assert set(table[f"{prefix}_value"].dropna().round(9)) <= values


def test_a_city_value_that_is_hidden_makes_every_comparison_suppressed(report, bundled_tables):
    indicators = bundled_tables.indicators.copy()
    hide = (indicators["indicator"] == "DEM04") & (indicators["area"] == "4012") & (indicators["period"] == "2022")
    indicators.loc[hide, ["value", "lower", "upper"]] = np.nan
    indicators.loc[hide, "suppressed"] = True
    tables = dataclasses.replace(bundled_tables, indicators=indicators)
    rows = FocusReport(report.group, "2024", tables).comparison.query("id == 'DEM04'")
    assert (rows.loc[~rows["is_city"], "verdict"] == focus.HIDDEN).all()
    assert not rows.loc[~rows["is_city"], "base_hidden"].any()  # the areas' own values are still shown


def test_an_unknown_group_names_the_declared_ones(bundled_tables):
    with pytest.raises(KeyError, match="demografielabore"):
        find_group(bundled_tables, "labore")


def test_verdict_counts_and_projection_of_the_areas(report):
    counts = report.verdict_counts()
    assert list(counts.index) == ["Geestendorf", "Grünhöfe", "Surheide"]
    assert {focus.HIGHER, focus.LOWER, focus.SIMILAR, focus.HIDDEN} <= set(counts.columns)
    changes = report.projection_changes()
    assert list(dict.fromkeys(changes["name"])) == ["Geestendorf", "Grünhöfe", "Surheide", "Bremerhaven"]
    assert isinstance(report.projection_table(report.areas[0]), pd.DataFrame)
