"""quartiersprofile.stats.index_uncertainty: rank intervals by simulation and the index of larger areas."""

import math

import numpy as np
import pandas as pd
import pytest

from quartiersprofile.stats.checks import normal_quantile
from quartiersprofile.stats.index_uncertainty import aggregate_index, rank_uncertainty
from quartiersprofile.stats.social_index import social_index

Z95 = normal_quantile(0.95)


def snapshot_like_index():
    rng = np.random.default_rng(3)
    burden = rng.normal(size=15)
    table = pd.DataFrame({f"i{j}": 20 + 5 * burden + rng.normal(0, 2, 15) for j in range(4)})
    table.index = [f"o{i:02d}" for i in range(15)]
    half_width = pd.DataFrame(rng.uniform(1, 4, size=table.shape), index=table.index, columns=table.columns)
    people = pd.Series(rng.integers(500, 9000, 15).astype(float), index=table.index)
    index = social_index(table, people, dict.fromkeys(table.columns, "higher_is_worse"))
    return index, table - half_width, table + half_width


def test_rank_intervals_are_reproducible_with_a_seed():
    index, lower, upper = snapshot_like_index()
    first = rank_uncertainty(index, lower, upper, draws=1000, seed=42)
    again = rank_uncertainty(index, lower, upper, draws=1000, seed=42)
    other = rank_uncertainty(index, lower, upper, draws=1000, seed=43)
    pd.testing.assert_frame_equal(first.scores, again.scores)
    assert first.rank_lower.equals(again.rank_lower) and first.rank_upper.equals(again.rank_upper)
    assert not np.allclose(first.scores, other.scores)
    assert (first.rank_lower <= index.rank).all() and (index.rank <= first.rank_upper).all()
    assert (first.rank_lower >= 1).all() and (first.rank_upper <= len(index.rank)).all()
    refit = rank_uncertainty(index, lower, upper, draws=1000, seed=42, reestimate=True)
    assert refit.reestimated and (refit.rank_lower <= refit.rank_upper).all()


def test_simulation_uses_the_documented_sd():
    # With the index fixed, a simulated score is linear in the inputs: its SD is known exactly.
    index, lower, upper = snapshot_like_index()
    result = rank_uncertainty(index, lower, upper, draws=20_000, seed=1)
    sd_inputs = (upper - lower) / (2 * Z95)
    coefficients = index.weights / index.spread / math.sqrt(index.eigenvalue)
    expected = np.sqrt((sd_inputs**2 * coefficients**2).sum(axis=1))
    assert result.scores.std().to_numpy() == pytest.approx(expected.to_numpy(), rel=0.03)
    assert result.scores.mean().to_numpy() == pytest.approx(index.score.to_numpy(), abs=0.03)


def test_zero_width_intervals_give_the_published_rank():
    index, _, _ = snapshot_like_index()
    for reestimate in (False, True):
        result = rank_uncertainty(index, index.values, index.values, seed=0, reestimate=reestimate)
        assert result.rank_lower.equals(index.rank.rename("rank_lower"))
        assert result.rank_upper.equals(index.rank.rename("rank_upper"))
        assert (result.class_share == 1).all()


def test_rank_uncertainty_checks_its_inputs():
    index, lower, upper = snapshot_like_index()
    gap = lower.copy()
    gap.iloc[0, 0] = np.nan
    with pytest.raises(ValueError, match="confidence limits are missing"):
        rank_uncertainty(index, gap, upper)
    with pytest.raises(ValueError, match="must not lie below"):
        rank_uncertainty(index, upper, lower)
    with pytest.raises(ValueError, match="draws"):
        rank_uncertainty(index, lower, upper, draws=10)


def test_group_index_is_the_weighted_mean_of_member_scores():
    index, lower, upper = snapshot_like_index()
    parent = pd.Series(["A"] * 5 + ["B"] * 6 + ["C"] * 4, index=index.score.index)
    parent["extra"] = "D"  # a group whose only area did not enter the index
    people = pd.concat([index.population, pd.Series({"extra": 100.0})])
    uncertainty = rank_uncertainty(index, lower, upper, seed=3)
    groups = aggregate_index(index, parent, population=people, uncertainty=uncertainty)
    for name in "ABC":
        members = parent.index[parent == name]
        expected = np.average(index.score[members], weights=index.population[members])
        assert groups.score[name] == pytest.approx(expected)
    assert np.isnan(groups.score["D"]) and groups.rank.isna()["D"] and groups.coverage["D"] == 0
    assert groups.rank.dropna().sort_values().tolist() == [1, 2, 3]
    assert (groups.rank_lower.dropna() <= groups.rank.dropna()).all()
    expected_class = 1 + np.searchsorted(index.cut_points, groups.score.dropna().to_numpy(), side="right")
    assert groups.index_class.dropna().tolist() == expected_class.tolist()
