"""quartiersprofile.content.insight_rows and insight_change: one profile's benchmarks, targets and changes, on the
bundled (sample) data, checked against the published table and the stats layer's functions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quartiersprofile.content import insight, insight_change, insight_rows
from quartiersprofile.content.profile import Profile
from quartiersprofile.model import periods
from quartiersprofile.stats import change as stats_change
from quartiersprofile.stats.targets import compare_to_target


def profile(tables, code, period=None):
    (area,) = [a for a in tables.areas if a.code == code]
    return Profile(area, period or insight.periods.latest(tables.indicators["period"].unique()), tables)


@pytest.fixture(scope="module")
def geestendorf(bundled_tables):
    return profile(bundled_tables, "212")


def test_indicator_rows_carry_the_similar_areas_and_the_target(geestendorf):
    rows = geestendorf.indicator_rows().set_index("id")
    found = insight_rows.neighbours(geestendorf).benchmarks
    own = found[found["area"] == "212"].set_index("indicator")
    shown = rows[rows["neighbours_value"].notna()]
    assert len(shown) > 20
    assert shown["neighbours_value"].to_dict() == pytest.approx(own.loc[shown.index, "benchmark"].to_dict())
    names = {a.code: a.name for a in geestendorf.tables.areas}
    first = shown.index[0]
    assert shown.at[first, "neighbours_areas"] == ", ".join(names[c] for c in own.at[first, "neighbours"].split(", "))
    kig04 = rows.loc["KIG04"]
    assert kig04["target"] == 95 and "WHO" in kig04["target_source"]
    assert kig04["target_comparison"] == compare_to_target(kig04["value"], "higher_is_better", 95)
    assert (rows.drop(index="KIG04")["target_comparison"] == "").all()


def test_a_hidden_row_takes_part_in_nothing(bundled_tables):
    hidden_rows = 0
    for area in bundled_tables.areas:
        rows = Profile(area, "2024", bundled_tables).indicator_rows()
        hidden = rows[rows["suppressed"].astype(bool)]
        hidden_rows += len(hidden)
        assert hidden[["neighbours_value", "neighbours_lower", "neighbours_upper", "target"]].isna().all().all()
        assert (hidden[["neighbours_comparison", "neighbours_areas", "target_comparison"]] == "").all().all()
    assert hidden_rows > 0


def test_the_city_has_no_similar_areas_but_its_target(bundled_tables):
    city = profile(bundled_tables, "4012")
    rows = city.indicator_rows()
    assert rows["neighbours_value"].isna().all() and insight_rows.similar_areas(city).empty
    assert insight_rows.index_position(city) is None


def test_index_position_of_an_ortsteil_and_a_stadtteil(bundled_tables, geestendorf):
    found = insight.index_for(bundled_tables, geestendorf.period)
    assert insight_rows.index_position(geestendorf)["rank"] == found.ortsteile.loc["212", "rank"]
    assert insight_rows.index_count(geestendorf) == len(found.ortsteile)
    lehe = profile(bundled_tables, "13")
    assert insight_rows.index_position(lehe)["score"] == found.stadtteile.loc["13", "score"]
    assert insight_rows.index_count(lehe) == found.stadtteile["score"].notna().sum()


def test_spine_rows_add_both_benchmarks(geestendorf):
    spine = insight_rows.spine_rows(geestendorf)
    assert list(spine.columns[-2:]) == ["neighbours_value", "target"]
    rows = geestendorf.indicator_rows().set_index("name")
    for row in spine.itertuples():
        expected = rows.at[row.name, "neighbours_value"]
        assert (np.isnan(row.neighbours_value) and np.isnan(expected)) or row.neighbours_value == expected


# --- what changed ----------------------------------------------------------------------------------------------


def _row(tables, code, indicator, period):
    table = tables.indicators
    chosen = periods.matching(table.loc[table["indicator"] == indicator, "period"].unique(), period)
    return table[(table["indicator"] == indicator) & (table["area"] == code) & (table["period"] == chosen)].iloc[0]


@pytest.mark.parametrize("code", ["13", "212", "4012"])
def test_significant_changes_are_the_tests_of_the_two_published_rows(bundled_tables, code):
    area = profile(bundled_tables, code)
    changes = insight_change.changes(area)
    assert changes.previous == "2023"
    catalogue = bundled_tables.catalogue.set_index("id")
    for row in changes.significant.itertuples():
        before, after = (_row(bundled_tables, code, row.id, p) for p in (changes.previous, changes.period))
        assert not before["suppressed"] and not after["suppressed"]
        assert not set(periods.span_years(before["period_label"])) & set(periods.span_years(after["period_label"]))
        expected = stats_change.change(
            (before["value"], before["lower"], before["upper"]), (after["value"], after["lower"], after["upper"]),
            catalogue.at[row.id, "statistic"], catalogue.at[row.id, "polarity"],
        )  # fmt: skip
        found = (row.estimate, row.lower, row.upper)
        assert found == pytest.approx((expected.estimate, expected.lower, expected.upper))
        assert row.assessment == expected.assessment and row.direction in ("increased", "decreased")
    assert changes.tested >= len(changes.significant)


def test_class_changes_and_lists(bundled_tables, geestendorf):
    changes = insight_change.changes(geestendorf)
    for row in changes.classes.itertuples():
        before, after = (_row(bundled_tables, "212", row.id, p) for p in (changes.previous, changes.period))
        assert (row.before, row.after) == (before["comparison_95"], after["comparison_95"])
        assert row.before != row.after
    names = bundled_tables.catalogue.set_index("id")["name"]
    assert names["UMW03"] in changes.unchanged  # an election: no new value since the last report
    assert names["KIG07"] in changes.overlapping  # 2021–2023 and 2022–2024 share two years
    assert changes.index_before is not None and changes.index_after is not None


def test_a_quarterly_report_compares_with_the_previous_quarter(bundled_tables):
    changes = insight_change.changes(profile(bundled_tables, "212", "2024-Q3"))
    assert changes.previous == "2024-Q2"
    assert changes.tested == 3  # the quarterly indicators; the annual ones have no new value in a quarter


def test_no_previous_period_in_the_data(bundled_tables):
    first = sorted(bundled_tables.indicators["period"].unique(), key=periods.sort_key)[0]
    changes = insight_change.changes(profile(bundled_tables, "212", first))
    assert changes.previous is None and changes.significant.empty and changes.tested == 0


def test_hidden_values_take_part_in_no_change(bundled_tables):
    for code in ("11", "131", "22"):  # small areas with hidden values
        area = profile(bundled_tables, code)
        changes = insight_change.changes(area)
        named = set(changes.significant["id"]) | set(changes.classes["id"])
        for indicator in named:
            for period in (changes.previous, changes.period):
                assert not _row(bundled_tables, code, indicator, period)["suppressed"]
        hidden_now = area.indicator_rows().query("suppressed")["name"]
        assert not set(hidden_now) & (set(changes.new) | set(changes.unchanged) | set(changes.overlapping))


def test_changes_of_an_empty_frame_are_empty():
    assert insight_change._empty(["a"]).empty and isinstance(insight_change._empty(["a"]), pd.DataFrame)
