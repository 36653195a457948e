"""quartiersprofile.content.insight: the index and the similar areas of a build, from the published table only.

On the bundled (sample) data; the expected numbers are worked out here from the published indicator table with
numpy and the stats layer's estimators (not through the module under test).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from quartiersprofile.content import insight
from quartiersprofile.stats import estimates


@pytest.fixture(scope="module")
def tables(bundled_tables):
    return bundled_tables


@pytest.fixture(scope="module")
def period(tables):
    return insight.periods.latest(tables.indicators["period"].unique())


@pytest.fixture(scope="module")
def index(tables, period):
    found = insight.index_for(tables, period)
    assert found is not None
    return found


_SHOWN: dict = {}


def published(tables, period, indicator, area):
    """The published row a report of `period` shows for the indicator and area (a dict, looked up once)."""
    key = (id(tables), period)
    if key not in _SHOWN:
        table = tables.indicators
        shown = table[table["period"] == table["indicator"].map(insight.shown_periods(tables, period))]
        _SHOWN[key] = {(r["indicator"], r["area"]): r for r in shown.to_dict("records")}
    return _SHOWN[key][(indicator, area)]


def test_the_catalogue_marks_the_index_indicators_and_the_targets(tables):
    assert insight.index_indicators(tables.catalogue) == [
        "SOZ01", "SOZ02", "SOZ03", "SOZ04", "SOZ05", "KIG01", "KIG07", "KIG08", "GES02"]  # fmt: skip
    goals = insight.targets(tables.catalogue)
    assert goals.loc["KIG04", "target"] == 95 and "WHO" in goals.loc["KIG04", "target_source"]
    assert insight.index_indicators(tables.catalogue.drop(columns="index")) == []
    assert insight.targets(tables.catalogue.drop(columns=["target", "target_source"])).empty


def test_the_index_is_computed_once_per_build_and_held_in_the_tables(tables, period):
    assert ("index", period) in tables.insight and ("index", insight.previous_period(period)) in tables.insight
    assert ("neighbours", period, "ortsteil") in tables.insight
    copy = dataclasses.replace(tables)  # a copy made from other tables computes its own
    assert copy.insight == {}


def test_the_index_ranks_the_ortsteile_with_higher_meaning_more_burden(tables, index):
    ranked = index.ranked("ortsteil")
    assert sorted(ranked["rank"]) == list(range(1, len(ranked) + 1))
    assert (ranked["score"].diff().dropna() <= 0).all()  # rank 1 has the highest score
    assert (index.loadings["loading"] > 0).all()
    assert index.loadings.loc["KIG08", "orientation"] == -1  # kariesfrei: higher is better, turned round
    people = ranked["population"]
    assert np.average(ranked["score"], weights=people) == pytest.approx(0, abs=1e-9)
    assert np.average(ranked["score"] ** 2, weights=people) == pytest.approx(1)
    assert ranked["index_class"].value_counts().sort_index().tolist() == [4, 4, 4, 4, 4]  # quintiles of 20
    assert (ranked["rank_lower"] <= ranked["rank"]).all() and (ranked["rank"] <= ranked["rank_upper"]).all()
    assert index.rank_agreement > 0.95  # the equal-weight check agrees
    names = {a.code: a.name for a in tables.areas}
    assert names[ranked.index[0]] == "Goethestraße"
    assert set(index.excluded.index) == {"11", "25", "137"}  # Weddewarden, Fischereihafen, Buschkämpen


def test_the_index_uses_only_published_values(tables, period, index):
    """Every input the published table hides is imputed (flagged), never taken from the data."""
    for code, row in index.ortsteile.iterrows():
        for indicator in index.indicators:
            cell = published(tables, period, indicator, code)
            estimated = indicator in row["imputed"].split(", ")
            assert estimated == bool(cell["suppressed"] or pd.isna(cell["value"])), (code, indicator)


def test_the_stadtteil_index_is_the_weighted_mean_of_its_ortsteile(tables, index):
    lehe = [a for a in tables.areas if a.code == "13"][0]
    members = index.ortsteile.loc[[m for m in lehe.members if m in index.ortsteile.index]]
    expected = np.average(members["score"], weights=members["population"])
    assert index.stadtteile.loc["13", "score"] == pytest.approx(expected)


def test_neighbours_are_the_nearest_ortsteile_on_the_standardised_profile(tables, period):
    found = insight.neighbours_for(tables, period, "ortsteil")
    codes = list(found.neighbours.index)
    profile = pd.DataFrame(
        {i: [published(tables, period, i, c)["value"] for c in codes] for i in found.profile_indicators}, index=codes
    )
    z = (profile - profile.mean()) / profile.std(ddof=0)
    for code in ("212", "134"):
        distance = np.sqrt(((z - z.loc[code]) ** 2).sum(axis=1)).drop(code).sort_values(kind="stable")
        assert found.neighbours.loc[code].tolist() == distance.index[: found.k].tolist()
        assert found.distances.loc[code].to_numpy() == pytest.approx(distance.iloc[: found.k].to_numpy())
    assert "25" not in codes  # fewer than 300 inhabitants: neither compared nor a neighbour


def test_the_similar_areas_benchmark_pools_published_counts_only(tables, period):
    found = insight.neighbours_for(tables, period, "ortsteil")
    catalogue = tables.catalogue.set_index("id")
    benchmarks = found.benchmarks[found.benchmarks["neighbours"] != ""]
    assert len(benchmarks) > 300
    for row in benchmarks.itertuples():
        pooled = [published(tables, period, row.indicator, code) for code in row.neighbours.split(", ")]
        assert row.area not in row.neighbours.split(", ")
        assert not any(cell["suppressed"] for cell in pooled), row  # a hidden count is never pooled
    # one proportion by hand: the Wilson interval of the summed published counts
    row = benchmarks[(benchmarks["indicator"] == "KIG07") & (benchmarks["area"] == "212")].iloc[0]
    cells = [published(tables, period, "KIG07", code) for code in row["neighbours"].split(", ")]
    expected = estimates.proportion(sum(c["numerator"] for c in cells), sum(c["denominator"] for c in cells),
                                    multiplier=float(catalogue.at["KIG07", "multiplier"]))  # fmt: skip
    assert (row["benchmark"], row["benchmark_lower"], row["benchmark_upper"]) == pytest.approx(
        (expected.value, expected.lower, expected.upper)
    )
    own = published(tables, period, "KIG07", "212")
    assert row["comparison"] == estimates.compare_to_benchmark(own["lower"], own["upper"], expected.value,
                                                               "higher_is_worse")  # fmt: skip


def test_a_hidden_neighbour_is_replaced_by_the_next_similar_area(tables, period):
    found = insight.neighbours_for(tables, period, "ortsteil")
    replaced = 0
    for row in found.benchmarks[found.benchmarks["neighbours"] != ""].itertuples():
        nearest = found.neighbours.loc[row.area].tolist()
        used = row.neighbours.split(", ")
        if used != nearest:
            replaced += 1
            for code in set(nearest) - set(used):
                cell = published(tables, period, row.indicator, code)
                assert cell["suppressed"] or pd.isna(cell["value"]), (row, code)
    assert replaced > 0


def test_previous_period():
    assert insight.previous_period("2024") == "2023"
    assert insight.previous_period("2024-Q3") == "2024-Q2"
    assert insight.previous_period("2024-Q1") == "2023-Q4"


def test_too_little_data_gives_no_index_and_no_neighbours(small_tables):
    period = insight.periods.latest(small_tables.indicators["period"].unique())
    assert insight.index_for(small_tables, period) is None  # two inhabited Ortsteile only
    assert insight.neighbours_for(small_tables, period, "ortsteil") is None
