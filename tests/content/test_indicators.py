"""The indicator table (quartiersprofile.content.indicators) against values computed by hand from the raw
observations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from quartiersprofile.content.indicators import VALUE_COLUMNS, apply_suppression
from quartiersprofile.model.age_bands import AGE_BANDS
from quartiersprofile.model.areas import Area
from quartiersprofile.stats.suppression import SuppressionRule

ESP2013 = [5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000, 7000, 6500, 6000, 5500, 5000, 4000, 2500,
           1500, 1000]


@pytest.fixture(scope="module")
def dataset(bundled_dataset):
    return bundled_dataset


@pytest.fixture(scope="module")
def tables(bundled_tables):
    return bundled_tables


def _row(tables, indicator, area, period):
    t = tables.indicators
    (row,) = t[(t["indicator"] == indicator) & (t["area"] == area) & (t["period"] == period)].to_dict("records")
    return row


def _raw(dataset, indicator, districts, periods):
    obs = dataset.observations
    return obs[(obs["indicator"] == indicator) & obs["district"].isin(districts) & obs["period"].isin(periods)]


def _wilson(x, n, z=1.959963984540054):
    p = x / n
    centre = (2 * x + z**2) / (2 * (n + z**2))
    half = z * math.sqrt(z**2 + 4 * x * (1 - p)) / (2 * (n + z**2))
    return centre - half, centre + half


def test_stadtteil_proportion_sums_its_ortsteile_with_wilson_limits(dataset, tables):
    lehe = [f"13{i}" for i in range(1, 8)]
    raw = _raw(dataset, "SOZ05", lehe, ["2024"])
    x, n = raw["numerator"].sum(), raw["denominator"].sum()
    row = _row(tables, "SOZ05", "13", "2024")
    assert row["numerator"] == x and row["denominator"] == n
    assert row["value"] == pytest.approx(100 * x / n, rel=1e-9)
    lower, upper = _wilson(x, n)
    assert (row["lower"], row["upper"]) == pytest.approx((100 * lower, 100 * upper), rel=1e-9)


def test_city_value_is_the_sum_of_all_inhabited_ortsteile(dataset, tables):
    raw = _raw(dataset, "SOZ05", list(dataset.observations["district"].unique()), ["2024"])
    row = _row(tables, "SOZ05", "13", "2024")
    assert row["city_value"] == pytest.approx(100 * raw["numerator"].sum() / raw["denominator"].sum(), rel=1e-9)


def test_school_entry_indicators_pool_three_cohorts(dataset, tables):
    raw = _raw(dataset, "KIG01", ["212"], ["2022", "2023", "2024"])
    row = _row(tables, "KIG01", "212", "2024")
    assert row["period_label"] == "2022–2024"
    if not row["suppressed"]:
        assert row["numerator"] == raw["numerator"].sum()
    assert row["denominator"] == raw["denominator"].sum()


def test_age_standardised_mortality_follows_dobson(dataset, tables):
    spec = dataset.catalogue.set_index("id").loc["GES01"]
    years = [str(y) for y in range(2024 - int(spec["years_pooled"]) + 1, 2025)]
    raw = _raw(dataset, "GES01", [f"13{i}" for i in range(1, 8)], years)
    by_band = raw.groupby("age_band")[["numerator", "denominator"]].sum().reindex(AGE_BANDS).fillna(0)
    events, population = by_band["numerator"].to_numpy(), by_band["denominator"].to_numpy()
    weights = np.array(ESP2013, dtype=float)
    value = (weights * events / population).sum() / weights.sum() * 100_000
    variance = (weights**2 * events / population**2).sum() / weights.sum() ** 2
    total = events.sum()
    # Dobson: Byar limits on the total count O, shifted onto the DSR scale by sqrt(var / O)
    o_low = total * (1 - 1 / (9 * total) - 1.959963984540054 / (3 * math.sqrt(total))) ** 3
    o_up = (total + 1) * (1 - 1 / (9 * (total + 1)) + 1.959963984540054 / (3 * math.sqrt(total + 1))) ** 3
    scale = math.sqrt(variance / total) * 100_000
    row = _row(tables, "GES01", "13", "2024")
    assert row["value"] == pytest.approx(value, rel=1e-9)
    assert row["lower"] == pytest.approx(value + (o_low - total) * scale, rel=1e-6)
    assert row["upper"] == pytest.approx(value + (o_up - total) * scale, rel=1e-6)


def test_comparison_uses_the_city_value_against_the_interval(tables):
    t = tables.indicators
    compared = t[t["comparison_95"].isin(["better", "worse", "higher", "lower"])]
    outside = (compared["city_value"] < compared["lower"]) | (compared["city_value"] > compared["upper"])
    assert len(compared) > 0 and outside.all()
    similar = t[t["comparison_95"] == "similar"]
    assert ((similar["city_value"] >= similar["lower"]) & (similar["city_value"] <= similar["upper"])).all()


def test_suppressed_rows_carry_no_count_value_or_interval(tables):
    t = tables.indicators
    hidden = t[t["suppressed"]]
    assert len(hidden) > 0
    assert hidden[["numerator", "value", "lower", "upper", "lower_998", "upper_998"]].isna().all().all()
    assert (hidden["comparison_95"] == "suppressed").all() and (hidden["trend"] == "suppressed").all()
    visible_small = t[~t["suppressed"] & t["numerator"].between(1, 4)]
    statistic = t["indicator"].map(tables.catalogue.set_index("id")["statistic"])
    assert visible_small.index.intersection(statistic[statistic.isin(["proportion", "rate", "dsr"])].index).empty


def test_no_suppressed_ortsteil_can_be_recovered_from_its_stadtteil(tables):
    t = tables.indicators
    parents = {a.code: a.parent_code for a in tables.areas if a.level == "ortsteil"}
    ortsteile = t[t["area"].isin(list(parents))].assign(parent=lambda d: d["area"].map(parents))
    for (_, _, parent), group in ortsteile.groupby(["indicator", "period", "parent"]):
        hidden = int(group["suppressed"].sum())
        parent_row = t[(t["indicator"] == group["indicator"].iloc[0]) & (t["area"] == parent)
                       & (t["period"] == group["period"].iloc[0])]
        if hidden and not parent_row["suppressed"].iloc[0]:
            assert hidden >= 2, (group["indicator"].iloc[0], parent)


def test_trend_test_matches_a_hand_computed_chi_square_for_linear_trend(dataset, tables):
    raw = _raw(dataset, "SOZ06", [f"13{i}" for i in range(1, 8)], [str(y) for y in range(2020, 2025)])
    sums = raw.groupby("period")[["numerator", "denominator"]].sum().sort_index()
    x, n = sums["numerator"].to_numpy(), sums["denominator"].to_numpy()
    scores = np.arange(5)
    p_bar = x.sum() / n.sum()
    t_stat = (scores * (x - n * p_bar)).sum()
    var = p_bar * (1 - p_bar) * ((n * scores**2).sum() - (n * scores).sum() ** 2 / n.sum())
    p_value = sps.chi2.sf(t_stat**2 / var, 1)
    row = _row(tables, "SOZ06", "13", "2024")
    assert row["trend_p"] == pytest.approx(p_value, rel=1e-6)
    expected = "no significant change" if p_value >= 0.05 else ("increasing" if t_stat > 0 else "decreasing")
    assert row["trend"] == expected


def _area(code, level, parent=""):
    return Area(code, f"Gebiet {code}", level, parent, "", (code,))


def test_suppression_hides_a_means_small_n_and_a_hidden_city_value_everywhere():
    areas = [_area("1", "stadt"), _area("11", "stadtteil", "1"), _area("12", "stadtteil", "1")]
    areas[0] = Area("1", "Gebiet 1", "stadt", "", "", ("11", "12"))
    table = pd.DataFrame({
        "indicator": ["M", "M", "M", "C", "C", "C"], "area": ["1", "11", "12"] * 2, "period": "2024",
        "period_label": "2024",
        "numerator": [60.0, 12.0, 48.0, 3.0, 1.0, 2.0], "denominator": [30.0, 3.0, 27.0, 900.0, 400.0, 500.0],
        "city_value": [2.0, 2.0, 2.0, 3.3, 3.3, 3.3], "comparison_95": "similar", "comparison_998": "similar",
        "trend": "no significant change", "trend_p": 0.5,
    })  # fmt: skip
    for column in VALUE_COLUMNS:
        table[column] = table["numerator"] / table["denominator"]
    catalogue = pd.DataFrame({"id": ["M", "C"], "statistic": ["mean", "proportion"]})
    result = apply_suppression(table, catalogue, areas, SuppressionRule()).set_index(["indicator", "area"])
    # n = 3 people measured (< 20): the mean and its sum are hidden, n is published like a denominator
    assert result.loc[("M", "11"), "suppressed"] and np.isnan(result.loc[("M", "11"), "value"])
    assert result.loc[("M", "11"), "denominator"] == 3 and result.loc[("M", "11"), "suppression_reason"] == (
        "kleine Bezugsgröße"
    )
    # 12's sum would be the city's minus 11's: hidden as a partner (its n = 27 stays)
    assert result.loc[("M", "12"), "suppressed"] and result.loc[("M", "12"), "suppression_reason"] == (
        "Schutz vor Rückrechnung"
    )
    assert not result.loc["M", "denominator_suppressed"].any()
    assert result.loc["C", "suppressed"].all()  # 1, 2 and their sum 3 are all small counts
    assert result.loc["C", "city_value"].isna().all() and (result.loc["C", "comparison_95"] == "suppressed").all()
    assert (result.loc["M", "city_value"] == 2.0).all()  # the city's mean (n = 30) is published
    trends = result.loc[("M", "11"), "trend"], result.loc[("M", "1"), "trend"]
    assert trends == ("suppressed", "no significant change")
