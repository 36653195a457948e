"""How sure an area's place in the Gesundheits- und Sozialindex is, and the index of larger areas.

`rank_uncertainty` simulates every input value within its confidence interval and gives each area the 95 %
interval of its rank; `aggregate_index` carries the index up to larger areas (the Stadtteile) as the
population-weighted mean of their small areas' scores, with rank intervals from the same simulation.
"""

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .checks import check, check_fraction, check_frame, check_whole_number, fail, listed, normal_quantile
from .social_index import SocialIndex, assign_classes, cut_classes, ranks_of, weighted_mean_sd


@dataclass(frozen=True)
class RankUncertainty:
    """Rank intervals from simulating the index inputs within their confidence intervals.

    rank_lower, rank_upper: the `interval` (e.g. 95 %) rank interval per area (1 = highest burden);
    rank_median: the median simulated rank; class_share: the share of draws in which the area stays in its
    published class. scores: the simulated scores (draws x areas), for `aggregate_index`.
    """

    rank_lower: pd.Series
    rank_upper: pd.Series
    rank_median: pd.Series
    class_share: pd.Series
    scores: pd.DataFrame
    draws: int
    seed: int
    reestimated: bool
    interval: float
    method: str


def _aligned_limit(name, frame, index):
    frame = check_frame(name, frame)
    return frame.reindex(index=index.values.index, columns=index.values.columns).to_numpy()


def _simulated_scores(index, draws_x, reestimate):
    """Index scores for simulated input tables (draws x areas x indicators)."""
    orientation = index.orientation.to_numpy()
    weights = index.population.to_numpy()
    if not reestimate:
        z = (draws_x - index.centre.to_numpy()) / index.spread.to_numpy() * orientation
        return z @ index.weights.to_numpy() / math.sqrt(index.eigenvalue)
    centre, spread = weighted_mean_sd(draws_x, weights[None, :, None], axis=1)
    z = (draws_x - centre) / spread * orientation
    share = weights / weights.sum()
    correlation = np.einsum("dai,a,daj->dij", z, share, z)
    eigenvalues, eigenvectors = np.linalg.eigh(correlation)
    vectors = eigenvectors[..., -1]
    vectors *= np.where(vectors.sum(axis=1) < 0, -1.0, 1.0)[:, None]
    return np.einsum("dai,di->da", z, vectors) / np.sqrt(eigenvalues[:, -1])[:, None]


def rank_uncertainty(index, lower, upper, draws=1000, seed=0, reestimate=False, ci_level=0.95, interval=0.95):
    """Rank intervals: simulate every input value within its confidence interval and recompute the index.

    lower, upper: DataFrames of the published limits (areas x indicators, at confidence `ci_level`). Each
    observed value is drawn from a normal distribution centred on the value with SD = (upper - lower) / (2 z),
    z = 1.96 for 95 % limits (symmetric on the published scale; draws are not clipped, so a draw may fall
    below 0 near the bottom of a scale). Imputed values have no interval of their own. A value imputed from the
    component is drawn with the SD the component leaves unexplained, spread * sqrt(1 - loading^2) (the error of
    predicting the indicator from the component); a fallback or mean value with the indicator's full
    between-area SD (`index.spread`). Either widens the rank intervals of flagged areas, as it should.

    reestimate=False (default) keeps the index as published - standardisation and weights fixed - and asks
    how sure each area's rank is under that index; reestimate=True also re-estimates the weighted means, SDs
    and the component in every draw (sign fixed as in `social_index`), adding the instability of the weights.
    draws are made with numpy.random.default_rng(seed), so the intervals are reproducible.
    """
    if not isinstance(index, SocialIndex):
        fail("index must be the result of social_index")
    check_whole_number("draws", draws, 100)
    ci_level, interval = check_fraction("ci_level", ci_level), check_fraction("interval", interval)
    low, high = _aligned_limit("lower", lower, index), _aligned_limit("upper", upper, index)
    imputed = index.imputed.to_numpy()
    with np.errstate(invalid="ignore"):
        sd = (high - low) / (2 * normal_quantile(ci_level))
    gaps = ~imputed & ~np.isfinite(sd)
    if gaps.any():
        rows, cols = np.nonzero(gaps)
        cells = [f"{index.values.index[r]}/{index.values.columns[c]}" for r, c in zip(rows[:5], cols[:5], strict=True)]
        fail(f"confidence limits are missing for observed values (area/indicator): {listed(cells)}")
    check(sd[~imputed] < 0, "upper limits must not lie below the lower limits")
    unexplained = index.spread.to_numpy()
    if index.impute == "component":
        unexplained = unexplained * np.sqrt(np.clip(1 - index.loadings.to_numpy() ** 2, 0.0, None))
    sd = np.where(imputed, unexplained, sd)

    rng = np.random.default_rng(seed)
    x = index.values.to_numpy()
    draws_x = x + sd * rng.standard_normal((draws, *x.shape))
    scores = _simulated_scores(index, draws_x, reestimate)
    ranks = ranks_of(scores)
    classes = assign_classes(scores, ranks, index.classes)
    tail = (1 - interval) / 2
    areas = index.values.index
    quantile = np.quantile(ranks, [tail, 0.5, 1 - tail], axis=0, method="inverted_cdf").astype(int)
    return RankUncertainty(
        rank_lower=pd.Series(quantile[0], index=areas, name="rank_lower"),
        rank_upper=pd.Series(quantile[2], index=areas, name="rank_upper"),
        rank_median=pd.Series(quantile[1], index=areas, name="rank_median"),
        class_share=pd.Series((classes == index.index_class.to_numpy()).mean(axis=0), index=areas),
        scores=pd.DataFrame(scores, columns=areas),
        draws=draws,
        seed=seed,
        reestimated=bool(reestimate),
        interval=interval,
        method="normal draws within the confidence intervals, "
        + ("index re-estimated in every draw" if reestimate else "standardisation and weights fixed"),
    )


@dataclass(frozen=True)
class GroupIndex:
    """The index of larger areas (e.g. Stadtteile) from the scores of their small areas.

    score: population-weighted mean of the member areas' scores (same scale as the small-area score);
    rank: 1 = highest burden among the groups; index_class: the small areas' cut points applied to the score;
    coverage: share of the group's population in areas that entered the index; members: number of those
    areas. rank_lower, rank_upper: rank interval from the simulated scores, when given (else None).
    """

    score: pd.Series
    rank: pd.Series
    index_class: pd.Series
    coverage: pd.Series
    members: pd.Series
    rank_lower: pd.Series | None
    rank_upper: pd.Series | None
    method: str


def aggregate_index(index, parent, population=None, uncertainty=None):
    """Index of larger areas as the population-weighted mean of their small areas' index scores.

    Chosen over a second index computed on Stadtteil values: there are only nine Stadtteile (too few for a
    stable component), and the weighted mean keeps one scale and one set of weights for both levels (the
    Hamburg Sozialmonitoring aggregates its Statistische Gebiete the same way). parent: Series small area ->
    larger area for (at least) the included areas. population: optional Series with the inhabitants of every
    small area, including excluded ones, for `coverage` (default: 1 for every group with a score). Groups
    whose small areas were all excluded are listed without score, rank or class (coverage 0). uncertainty: a
    RankUncertainty of the same index, whose simulated scores are aggregated draw by draw to give rank intervals.
    """
    if not isinstance(index, SocialIndex):
        fail("index must be the result of social_index")
    if not isinstance(parent, pd.Series):
        fail("parent must be a pandas Series: small area -> larger area")
    unmapped = index.score.index.difference(parent.dropna().index)
    if len(unmapped):
        fail(f"parent is missing for: {listed(unmapped)}")
    areas = index.score.index
    groups = parent.loc[areas]
    everything = pd.Index(parent.dropna().unique())
    weights = index.population
    total = weights.groupby(groups).sum()
    scored = total.index[total > 0]
    score = ((index.score * weights).groupby(groups).sum() / total).reindex(everything)
    if population is None:
        coverage = pd.Series(1.0, index=scored).reindex(everything, fill_value=0.0)
    else:
        if not isinstance(population, pd.Series) or len(parent.index.difference(population.index)):
            fail("population must be a pandas Series with the inhabitants of every small area in parent")
        everyone = population.reindex(parent.index).astype(float).groupby(parent).sum()
        coverage = (total.reindex(everything, fill_value=0.0) / everyone.reindex(everything)).fillna(0.0)
    ranks = pd.Series(ranks_of(score.loc[scored].to_numpy()), index=scored).reindex(everything).astype("Int64")
    index_class = pd.Series(cut_classes(score.loc[scored].to_numpy(), index.cut_points), index=scored)
    rank_lower = rank_upper = None
    if uncertainty is not None:
        if not isinstance(uncertainty, RankUncertainty) or not uncertainty.scores.columns.equals(areas):
            fail("uncertainty must be the rank_uncertainty result of the same index")
        membership = (groups.to_numpy()[:, None] == scored.to_numpy()[None, :]).astype(float)
        matrix = membership * weights.to_numpy()[:, None] / total.loc[scored].to_numpy()[None, :]
        group_ranks = ranks_of(uncertainty.scores.to_numpy() @ matrix)
        tail = (1 - uncertainty.interval) / 2
        limits = np.quantile(group_ranks, [tail, 1 - tail], axis=0, method="inverted_cdf").astype(int)
        rank_lower = pd.Series(limits[0], index=scored).reindex(everything).astype("Int64").rename("rank_lower")
        rank_upper = pd.Series(limits[1], index=scored).reindex(everything).astype("Int64").rename("rank_upper")
    return GroupIndex(
        score=score.rename("score"),
        rank=ranks.rename("rank"),
        index_class=index_class.reindex(everything).astype("Int64").rename("index_class"),
        coverage=coverage.rename("coverage"),
        members=groups.value_counts().reindex(everything, fill_value=0).rename("members"),
        rank_lower=rank_lower,
        rank_upper=rank_upper,
        method="population-weighted mean of the small areas' index scores",
    )
