"""Gesundheits- und Sozialindex: one burden score per small area from several indicators, as the Berlin
Gesundheits- und Sozialstrukturatlas and the Hamburg RISE Sozialmonitoring make it.

`social_index` standardises the indicators across the areas (population-weighted z-scores), turns them so that a
higher value always means more burden, and combines them by the first principal component of their weighted
correlation matrix (loadings reported), with the mean of the z-scores (equal weights) as the check; it ranks the
areas (1 = highest burden) and puts them into five classes (5 = highest burden). The rank intervals and the
index of larger areas are in `index_uncertainty`. Plain functions on tables of published values; arguments are
checked and a problem is a ValueError in plain words.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .checks import check_frame, fail, listed
from .estimates import POLARITIES

#: The classes in words (class 5 = the highest burden).
CLASS_LABELS = {1: "sehr niedrige Belastung", 2: "niedrige Belastung", 3: "mittlere Belastung",
                4: "hohe Belastung", 5: "sehr hohe Belastung"}  # fmt: skip


# --- shared by the index modules ----------------------------------------------------------------------------


def weighted_mean_sd(values, weights, axis=0):
    """Weighted mean and SD along `axis` (divisor: the sum of weights, i.e. the population SD)."""
    share = weights / weights.sum(axis=axis, keepdims=True)
    mean = np.sum(share * values, axis=axis, keepdims=True)
    sd = np.sqrt(np.sum(share * (values - mean) ** 2, axis=axis, keepdims=True))
    return mean, sd


def ranks_of(scores):
    """Ranks along the last axis, 1 = highest score; ties keep the order of the areas (stable sort)."""
    order = np.argsort(-scores, axis=-1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, scores.shape[-1] + 1), axis=-1)
    return ranks


def quintile_classes(ranks, n):
    """Five classes from ranks: the fifth of areas with the highest burden (ranks 1 .. n/5) is class 5."""
    return 6 - np.ceil(5 * ranks / n).astype(int)


def cut_classes(scores, cuts):
    """Classes 1 .. len(cuts)+1 from fixed cut points; a score equal to a cut point goes to the higher class."""
    return 1 + np.searchsorted(np.asarray(cuts, dtype=float), scores, side="right")


# --- the index ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SocialIndex:
    """A Gesundheits- und Sozialindex for small areas (areas that entered the index only).

    score: first principal component of the oriented z-scores, rescaled to population-weighted mean 0 and
        SD 1 across the areas (0 = the average inhabitant's area, +1 = one SD more burden). Higher = more burden.
    equal_score: the mean of the oriented z-scores, rescaled the same way (the check on the weighting).
    rank: 1 = highest burden (by `score`). index_class: 1..5, 5 = highest burden (see `classes`).
    weights: the unit-length first eigenvector; score = (oriented z-scores @ weights) / sqrt(eigenvalue).
    loadings: the correlation of each oriented indicator with the component (weights * sqrt(eigenvalue)).
    explained: share of the standardised variance that the component carries (eigenvalue / indicators).
    agreement, rank_agreement: weighted Pearson correlation of score and equal_score; Spearman's rank correlation.
    centre, spread, orientation: the standardisation (weighted mean and SD on the original scale, +1/-1).
    values, imputed, impute: the table the index was computed from, where values were imputed and how.
    population: the weights of the included areas. excluded: area -> reason, for areas left out.
    classes: "quintiles" or the fixed cut points; cut_points: score thresholds between classes (ascending).
    """

    score: pd.Series
    equal_score: pd.Series
    rank: pd.Series
    index_class: pd.Series
    weights: pd.Series
    loadings: pd.Series
    explained: float
    eigenvalue: float
    agreement: float
    rank_agreement: float
    centre: pd.Series
    spread: pd.Series
    orientation: pd.Series
    values: pd.DataFrame
    imputed: pd.DataFrame
    impute: str
    population: pd.Series
    excluded: pd.Series
    classes: str | tuple
    cut_points: tuple
    method: str

    def table(self):
        """One row per included area: score, equal-weight score, rank, class and number of imputed values."""
        return pd.DataFrame(
            {
                "score": self.score,
                "equal_score": self.equal_score,
                "rank": self.rank,
                "index_class": self.index_class,
                "imputed": self.imputed.sum(axis=1),
            }
        ).sort_values("rank")


def _check_polarity(columns, polarity):
    """Orientation +1 (higher_is_worse) or -1 (higher_is_better) per indicator; neutral ones are refused."""
    if not isinstance(polarity, Mapping | pd.Series):
        fail("polarity must map each indicator to higher_is_better, higher_is_worse or neutral")
    missing = [column for column in columns if column not in polarity]
    if missing:
        fail(f"polarity is missing for: {listed(missing)}")
    given = {column: polarity[column] for column in columns}
    unknown = sorted({str(value) for value in given.values() if value not in POLARITIES})
    if unknown:
        fail(f"polarity must be one of {listed(POLARITIES)}; got {listed(unknown)}")
    neutral = [column for column, value in given.items() if value == "neutral"]
    if neutral:
        fail(
            f"neutral indicators cannot enter a burden index (no direction is better): {listed(neutral)}; "
            "leave them out or give them a polarity"
        )
    return pd.Series({column: -1.0 if value == "higher_is_better" else 1.0 for column, value in given.items()})


def _class_spec(classes):
    if isinstance(classes, str):
        if classes != "quintiles":
            fail(f'classes must be "quintiles" or a sequence of ascending cut points, not {classes!r}')
        return classes
    try:
        cuts = tuple(float(cut) for cut in classes)
    except (TypeError, ValueError):
        fail(f'classes must be "quintiles" or a sequence of ascending cut points, not {classes!r}')
    if not cuts or any(not math.isfinite(cut) for cut in cuts) or np.any(np.diff(cuts) <= 0):
        fail(f"cut points must be finite numbers in ascending order, got {classes!r}")
    return cuts


def assign_classes(scores, ranks, spec):
    if spec == "quintiles":
        return quintile_classes(ranks, scores.shape[-1])
    return cut_classes(scores, spec)


def _quintile_cut_points(scores, index_class):
    """Score thresholds between neighbouring quintile classes: midway between the classes' edge scores."""
    cuts = []
    for lower_class in range(1, 5):
        below, above = scores[index_class == lower_class], scores[index_class == lower_class + 1]
        if below.size and above.size:
            cuts.append(float((below.max() + above.min()) / 2))
    return tuple(cuts)


IMPUTATIONS = ("component", "fallback", "mean")
_IMPUTE_TOLERANCE = 1e-10  # largest change of an imputed value, in SDs, at which the iteration stops
_IMPUTE_ITERATIONS = 1000


def _component(x, share):
    """Weighted standardisation and first principal component of the weighted correlation matrix.

    Returns centre and spread (1 x indicators), the z-scores, the largest eigenvalue and its unit eigenvector.
    """
    centre, spread = weighted_mean_sd(x, share[:, None])
    z = (x - centre) / spread
    eigenvalues, eigenvectors = np.linalg.eigh(z.T @ (share[:, None] * z))
    return centre, spread, z, float(eigenvalues[-1]), eigenvectors[:, -1]


def _impute_component(x, missing, share):
    """Iterative one-component PCA imputation (Kiers 1997; Josse & Husson 2012, missMDA imputePCA with ncp=1).

    Missing cells start at the weighted mean of the observed values; then, until they stop changing, the
    standardisation and first component are re-estimated and each missing cell is replaced by its rank-one
    reconstruction (the area's component score times the indicator's weight, back on the original scale).
    At convergence an area's score rests on its observed indicators only, as the index model would predict
    the missing ones; observed values are never changed.
    """
    observed_mean = np.nansum(np.where(missing, 0.0, x * share[:, None]), axis=0) / np.sum(
        np.where(missing, 0.0, share[:, None]), axis=0
    )
    filled = np.where(missing, observed_mean, x)
    for _ in range(_IMPUTE_ITERATIONS):
        centre, spread, z, _, vector = _component(filled, share)
        reconstruction = np.outer(z @ vector, vector) * spread + centre
        updated = np.where(missing, reconstruction, x)
        if np.max(np.abs(updated - filled) / spread) < _IMPUTE_TOLERANCE:
            return updated
        filled = updated
    fail(f"the component imputation did not settle in {_IMPUTE_ITERATIONS} rounds; use impute='fallback'")


def social_index(
    values,
    population,
    polarity,
    impute="component",
    fallback=None,
    min_population=300,
    max_missing=0.5,
    classes="quintiles",
):
    """Gesundheits- und Sozialindex: weighted z-scores oriented to burden, combined by the first principal component.

    values: DataFrame, areas x index indicators on their published scale; NaN where a value is missing
        (suppressed). population: Series area -> inhabitants, the weights. polarity: indicator -> polarity;
        higher_is_better indicators are turned round, neutral indicators are refused (they have no burden side).
    Areas below `min_population` inhabitants (Hamburg and Berlin use 300) or with more than `max_missing` of
    their indicators missing are left out (`excluded`): an index made mostly of imputed values says little.
    Missing values of the other areas are imputed and flagged in `imputed`:
    - "component" (default): iterative one-component PCA imputation - the missing value the index model predicts
      from the area's observed indicators (`_impute_component`); on the development snapshot this came closest
      to the unsuppressed values' ranks, where a parent value pulled well-off Ortsteile of a poor Stadtteil up;
    - "fallback": the values of `fallback` (e.g. each Ortsteil's Stadtteil value; published parent values
      contain the suppressed counts without revealing them), then the weighted mean;
    - "mean": the population-weighted mean of the observed areas (z = 0).

    Standardisation: population-weighted mean and SD (divisor: total population) across the included areas,
    so 0 is the average inhabitant's area and small areas do not pull the scale. The component is taken from
    the weighted correlation matrix of the oriented z-scores (numpy.linalg.eigh), its sign fixed so that the
    loadings sum to a positive number (higher score = more burden), the score rescaled to weighted mean 0 and
    SD 1. classes: "quintiles" (fifths of the ranking; Berlin uses five classes) or ascending cut points on the
    score scale, e.g. (-1, -0.5, 0.5, 1) for SD bands as in Hamburg; class 5 is the highest burden.
    """
    # Long on purpose: the method's steps in the order docs/architecture.md lists them.
    values = check_frame("values", values)
    if values.shape[1] < 2:
        fail("an index needs at least two indicators")
    orientation = _check_polarity(values.columns, polarity)
    spec = _class_spec(classes)
    if impute not in IMPUTATIONS:
        fail(f"impute must be one of {listed(IMPUTATIONS)}, got {impute!r}")
    if (impute == "fallback") != (fallback is not None):
        fail('fallback values are needed with impute="fallback", and only then')
    if not isinstance(population, pd.Series):
        fail("population must be a pandas Series: area -> number of inhabitants")
    absent = values.index.difference(population.index)
    if len(absent):
        fail(f"population is missing for: {listed(absent)}")
    weights = population.reindex(values.index).astype(float)
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        fail("population must be a finite number of at least 0 for every area")
    if np.ndim(min_population) != 0 or not min_population >= 0:
        fail(f"min_population must be one number of at least 0, not {min_population!r}")
    if np.ndim(max_missing) != 0 or not 0 <= max_missing < 1:
        fail(f"max_missing must be a share from 0 up to (not including) 1, not {max_missing!r}")
    if np.isinf(values.to_numpy()).any():
        fail("values must be finite numbers or NaN (missing)")

    missing_share = values.isna().mean(axis=1)
    reasons = pd.Series(
        np.select(
            [weights < min_population, missing_share > max_missing],
            [f"fewer than {min_population} inhabitants", f"more than {max_missing:.0%} of the indicators missing"],
            "",
        ),
        index=values.index,
    )
    excluded = reasons[reasons != ""]
    keep = reasons.index[reasons == ""]
    needed = 5 if spec == "quintiles" else 3
    if len(keep) < needed:
        fail(
            f"only {len(keep)} areas are left after the exclusions; an index needs at least 3, "
            "and five quintile classes need at least 5"
        )
    data, weights = values.loc[keep], weights.loc[keep]
    if weights.sum() <= 0:
        fail("the included areas have no population")
    empty = data.columns[data.isna().all()]
    if len(empty):
        fail(f"no included area has a value for: {listed(empty)}")
    flat = data.columns[(data.max() == data.min()).to_numpy()]
    if len(flat):
        fail(f"these indicators have the same value in every area and cannot be standardised: {listed(flat)}")

    imputed = data.isna()
    x, w = data.to_numpy(), weights.to_numpy()
    share = w / w.sum()
    if imputed.to_numpy().any():
        if impute == "component":
            x = _impute_component(x, imputed.to_numpy(), share)
        else:
            if impute == "fallback":
                replacement = check_frame("fallback", fallback).reindex(index=data.index, columns=data.columns)
                x = np.where(imputed, replacement.to_numpy(), x)
            observed = ~imputed.to_numpy()
            observed_mean = np.sum(np.where(observed, x, 0.0) * share[:, None], axis=0) / np.sum(
                observed * share[:, None], axis=0
            )
            x = np.where(np.isnan(x), observed_mean, x)

    centre, spread, z, eigenvalue, vector = _component(x, share)
    z = z * orientation.to_numpy()
    vector = vector * orientation.to_numpy()  # the component of the oriented z-scores
    if vector.sum() < 0:
        vector = -vector
    score = z @ vector / math.sqrt(eigenvalue)
    equal = z.mean(axis=1)
    equal_mean, equal_sd = weighted_mean_sd(equal, share)
    equal = (equal - equal_mean) / equal_sd
    ranks = ranks_of(score)
    index_class = assign_classes(score, ranks, spec)
    cut_points = _quintile_cut_points(score, index_class) if spec == "quintiles" else spec

    areas, indicators = data.index, data.columns
    return SocialIndex(
        score=pd.Series(score, index=areas, name="score"),
        equal_score=pd.Series(equal, index=areas, name="equal_score"),
        rank=pd.Series(ranks, index=areas, name="rank"),
        index_class=pd.Series(index_class, index=areas, name="index_class"),
        weights=pd.Series(vector, index=indicators, name="weight"),
        loadings=pd.Series(vector * math.sqrt(eigenvalue), index=indicators, name="loading"),
        explained=eigenvalue / len(indicators),
        eigenvalue=eigenvalue,
        agreement=float(np.sum(share * score * equal)),
        rank_agreement=float(np.corrcoef(ranks, ranks_of(equal))[0, 1]),
        centre=pd.Series(centre[0], index=indicators, name="centre"),
        spread=pd.Series(spread[0], index=indicators, name="spread"),
        orientation=orientation.rename("orientation"),
        values=pd.DataFrame(x, index=areas, columns=indicators),
        imputed=imputed,
        impute=impute,
        population=weights,
        excluded=excluded,
        classes=spec,
        cut_points=cut_points,
        method="first principal component of population-weighted z-scores",
    )
