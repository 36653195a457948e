"""quartiersprofile.stats.neighbours: similar areas on constructed tables with a known answer, pooled benchmarks
against textbook formulas, and the comparison with the neighbours that never pools a hidden count."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from quartiersprofile.stats import estimates
from quartiersprofile.stats.neighbours import (
    compare_with_neighbour_values,
    compare_with_neighbours,
    pooled_benchmark,
    similar_areas,
    weighted_benchmark,
)

Z95 = sps.norm.ppf(0.975)


def test_neighbours_on_two_clusters():
    profile = pd.DataFrame(
        {"s": [0.0, 0.2, 0.5, 10.0, 10.3, 11.0], "d": [0.0, 0.1, 0.0, 10.0, 10.0, 10.4]}, index=list("ABCDEF")
    )
    result = similar_areas(profile, k=2)
    assert result.neighbours.loc["A"].tolist() == ["B", "C"]
    assert result.neighbours.loc["D"].tolist() == ["E", "F"]
    assert result.neighbours.loc["F"].tolist() == ["E", "D"]
    z = (profile - profile.mean()) / profile.std(ddof=0)
    expected = np.sqrt(((z.loc["A"] - z.loc["C"]) ** 2).sum())
    assert result.matrix.loc["A", "C"] == pytest.approx(expected)
    assert result.distances.loc["A", 2] == pytest.approx(expected)
    assert np.allclose(result.matrix, result.matrix.T) and (np.diag(result.matrix) == 0).all()


def test_neighbour_weights_missing_values_and_mahalanobis():
    profile = pd.DataFrame({"s": [1.0, -1, 1, -1], "d": [1.0, 1, -1, -1], "noise": [5.0, 0, 9, 2]}, index=list("ABCD"))
    ignored = similar_areas(profile, k=1, weights={"s": 1, "d": 1, "noise": 0})
    plain = similar_areas(profile[["s", "d"]], k=1)
    assert ignored.matrix.to_numpy() * math.sqrt(2 / 3) == pytest.approx(plain.matrix.to_numpy())
    # s and d are uncorrelated with SD 1: the Mahalanobis distance equals the Euclidean one
    mahalanobis = similar_areas(profile[["s", "d"]], k=1, metric="mahalanobis")
    assert mahalanobis.matrix.to_numpy() == pytest.approx(plain.matrix.to_numpy())
    gappy = profile[["s", "d"]].copy()
    gappy.loc["B", "d"] = np.nan
    result = similar_areas(gappy, k=1)
    z_s = (gappy.s - gappy.s.mean()) / gappy.s.std(ddof=0)
    assert result.matrix.loc["A", "B"] == pytest.approx(math.sqrt(2 * (z_s["A"] - z_s["B"]) ** 2))
    assert result.compared.to_dict() == {"A": 2, "B": 1, "C": 2, "D": 2}
    with pytest.raises(ValueError, match="complete profile"):
        similar_areas(gappy, k=1, metric="mahalanobis")
    with pytest.raises(ValueError, match="k must be a whole number from 1 to 3"):
        similar_areas(profile, k=4)


def wilson(x, n):
    root = Z95 * math.sqrt(Z95**2 + 4 * x * (1 - x / n))
    return (2 * x + Z95**2 - root) / (2 * (n + Z95**2)), (2 * x + Z95**2 + root) / (2 * (n + Z95**2))


def test_pooled_benchmark_pools_counts():
    proportion = pooled_benchmark([12, 30, 8], [100, 250, 50], "proportion", multiplier=100)
    assert proportion.value == pytest.approx(50 / 400 * 100)
    assert (proportion.lower, proportion.upper) == pytest.approx(tuple(100 * v for v in wilson(50, 400)))
    rate = pooled_benchmark([2, 3], [1000, 3000], "rate", multiplier=1000)
    exact = sps.chi2.ppf(0.025, 10) / 2, sps.chi2.ppf(0.975, 12) / 2  # 5 events: exact Poisson limits
    assert (rate.lower, rate.upper) == pytest.approx((exact[0] / 4, exact[1] / 4))
    events = np.array([[3.0, 9.0, 20.0], [1.0, 4.0, 15.0]])  # two areas x three age bands
    people = np.array([[1000.0, 800.0, 500.0], [700.0, 600.0, 400.0]])
    dsr = pooled_benchmark(events, people, "dsr", standard=[1, 1, 1])
    direct = estimates.dsr(events.sum(axis=0), people.sum(axis=0), standard=[1, 1, 1])
    assert dsr.value == pytest.approx(direct.value)
    with pytest.raises(ValueError, match="standard deviation"):
        pooled_benchmark([1, 2], [3, 4], "mean")


def test_compare_with_neighbours_replaces_suppressed_neighbours():
    profile = pd.DataFrame({"s": [0.0, 1, 2, 3, 4, 20]}, index=list("ABCDEF"))
    neighbours = similar_areas(profile, k=2)
    numerators = pd.Series([10, 20, np.nan, 40, 50, 5.0], index=profile.index)
    denominators = pd.Series(100.0, index=profile.index)
    estimate = estimates.proportion(numerators.fillna(0), denominators, multiplier=100)
    lower = pd.Series(estimate.lower, index=profile.index)
    upper = pd.Series(estimate.upper, index=profile.index)
    result = compare_with_neighbours(
        neighbours, numerators, denominators, lower, upper, "proportion", "higher_is_worse", multiplier=100
    )
    assert result.loc["B", "neighbours"] == "A, D"  # C is suppressed: the next nearest with counts is D
    assert result.loc["B", "benchmark"] == pytest.approx(25.0)
    assert result.loc["F", "neighbours"] == "E, D" and result.loc["F", "comparison"] == "better"
    strict = compare_with_neighbours(
        neighbours, numerators, denominators, lower, upper, "proportion", "higher_is_worse", multiplier=100,
        replace_missing=False,
    )  # fmt: skip
    assert strict.loc["B", "comparison"] == "not compared"
    assert np.isnan(strict.loc["B", "benchmark"])


def test_weighted_benchmark_is_the_weighted_mean_with_the_stratified_interval():
    se = np.array([2.0, 4.0, 1.0])
    values, weights = np.array([100.0, 130.0, 90.0]), np.array([1000.0, 500.0, 2500.0])
    result = weighted_benchmark(values, values - Z95 * se, values + Z95 * se, weights)
    share = weights / weights.sum()
    assert result.value == pytest.approx(np.sum(share * values))
    half = Z95 * math.sqrt(np.sum(share**2 * se**2))
    assert (result.lower, result.upper) == pytest.approx((result.value - half, result.value + half))
    # a mean weighted by the number examined is the mean of the pooled observations
    totals, counts = np.array([30.0, 12.0]), np.array([20.0, 10.0])
    mean = weighted_benchmark(totals / counts, totals / counts - 0.1, totals / counts + 0.1, counts)
    assert mean.value == pytest.approx(totals.sum() / counts.sum())
    assert np.isnan(weighted_benchmark([1.0, np.nan], [0.5, 0.5], [1.5, 1.5], [1, 1]).value)


def test_compare_with_neighbour_values_skips_areas_without_published_values():
    profile = pd.DataFrame({"s": [0.0, 1, 2, 3, 4, 20]}, index=list("ABCDEF"))
    neighbours = similar_areas(profile, k=2)
    values = pd.Series([100.0, 110, np.nan, 130, 140, 300], index=profile.index)  # C hidden
    lower, upper = values - 5, values + 5
    weights = pd.Series(1000.0, index=profile.index)
    result = compare_with_neighbour_values(neighbours, values, lower, upper, weights, "higher_is_worse")
    assert result.loc["B", "neighbours"] == "A, D"
    assert result.loc["B", "benchmark"] == pytest.approx(115.0)
    assert result.loc["F", "comparison"] == "worse" and result.loc["C", "comparison"] == "not compared"
    strict = compare_with_neighbour_values(
        neighbours, values, lower, upper, weights, "higher_is_worse", replace_missing=False
    )
    assert np.isnan(strict.loc["B", "benchmark"]) and strict.loc["B", "neighbours"] == ""
