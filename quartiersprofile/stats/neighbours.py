"""Similar areas ("statistical neighbours"): each area's most similar areas on a standardised social and
demographic profile (CIPFA's Nearest Neighbours model, Euclidean distance on z-scores), the pooled value of a
group of areas, and the comparison of every area with its own neighbours' pooled value (Fingertips-style).

A neighbour whose counts are hidden by the small-number rule is never pooled: the next most similar area with
published counts takes its place (a pooled sum with a hidden count in it would reveal the count by differencing).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .checks import check, check_fraction, check_frame, fail, listed, normal_quantile
from .estimates import Estimate, compare_to_benchmark, dsr, proportion, rate

POOLED_STATISTICS = ("proportion", "rate", "dsr")
METRICS = ("euclidean", "mahalanobis")


@dataclass(frozen=True)
class Neighbours:
    """Each area's k most similar areas, nearest first.

    neighbours: DataFrame area x (1..k) with the neighbours' labels; distances: the matching distances;
    compared: number of indicators each area had a value for; matrix: all pairwise distances.
    """

    neighbours: pd.DataFrame
    distances: pd.DataFrame
    compared: pd.Series
    matrix: pd.DataFrame
    metric: str


def similar_areas(profile, k=4, population=None, weights=None, metric="euclidean"):
    """The k most similar areas of every area on a standardised profile (statistical nearest neighbours).

    profile: DataFrame, areas x profile indicators (social and demographic context, not the outcomes to be
    benchmarked). Each indicator is z-standardised across the areas (unweighted as in CIPFA's model, or
    population-weighted if `population` is given). metric="euclidean" (default, CIPFA / Children's Services
    statistical neighbours): sqrt(sum_j w_j (z_aj - z_bj)^2) with indicator weights w (default 1, rescaled to
    mean 1). With missing values, each pair is compared on the indicators both have, the sum scaled up by
    (all weights / weights compared) - like Gower's coefficient - and `compared` says how many were used.
    metric="mahalanobis": sqrt(dz' S^-1 dz) with S the correlation matrix of the z-scores (pseudo-inverse), which
    discounts correlated indicators (e.g. SGB-II and child poverty rates counting one thing twice) but rests on a
    correlation matrix estimated from few areas; it needs a complete profile and takes no indicator weights.
    Ties in distance are broken by the order of the areas.
    """
    # Long on purpose: standardise, measure, choose, describe; each step uses the last's arrays.
    profile = check_frame("profile", profile)
    if metric not in METRICS:
        fail(f"metric must be one of {listed(METRICS)}, got {metric!r}")
    n, p = profile.shape
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k < n:
        fail(f"k must be a whole number from 1 to {n - 1} (the number of other areas), got {k!r}")
    if population is None:
        area_weights = np.ones(n)
    else:
        if not isinstance(population, pd.Series) or len(profile.index.difference(population.index)):
            fail("population must be a pandas Series with a value for every area of the profile")
        area_weights = population.reindex(profile.index).to_numpy(dtype=float)
        if not np.all(np.isfinite(area_weights)) or np.any(area_weights < 0) or area_weights.sum() <= 0:
            fail("population must be finite, not negative and not all 0")
    if weights is None:
        indicator_weights = np.ones(p)
    else:
        if metric == "mahalanobis":
            fail("the Mahalanobis distance takes no indicator weights (it sets its own from the correlations)")
        indicator_weights = pd.Series(weights).reindex(profile.columns).to_numpy(dtype=float)
        if not np.all(np.isfinite(indicator_weights)) or np.any(indicator_weights < 0):
            fail("weights must give every profile indicator a finite weight of at least 0")
        if indicator_weights.sum() <= 0:
            fail("at least one indicator weight must be greater than 0")
        indicator_weights = indicator_weights / indicator_weights.mean()

    x = profile.to_numpy()
    present = ~np.isnan(x)
    if np.isinf(x).any():
        fail("profile values must be finite numbers or NaN (missing)")
    if metric == "mahalanobis" and not present.all():
        fail("the Mahalanobis distance needs a complete profile; leave out indicators with missing values")
    counts = present.sum(axis=0)
    if np.any(counts < 2):
        fail(f"these indicators have fewer than two values: {listed(profile.columns[counts < 2])}")
    w = np.where(present, area_weights[:, None], 0.0)
    mean = np.nansum(w * x, axis=0) / w.sum(axis=0)
    sd = np.sqrt(np.nansum(w * (x - mean) ** 2, axis=0) / w.sum(axis=0))
    if np.any(sd == 0):
        fail(f"these indicators have the same value in every area: {listed(profile.columns[sd == 0])}")
    z = (x - mean) / sd
    delta = z[:, None, :] - z[None, :, :]

    if metric == "euclidean":
        both = present[:, None, :] & present[None, :, :]
        weight_compared = np.sum(both * indicator_weights, axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            squared = np.nansum(np.where(both, indicator_weights * delta**2, 0.0), axis=-1)
            distance = np.sqrt(squared * indicator_weights.sum() / weight_compared)
        distance[weight_compared == 0] = np.inf
    else:
        share = area_weights / area_weights.sum()
        correlation = z.T @ (share[:, None] * z)
        inverse = np.linalg.pinv(correlation, hermitian=True)
        distance = np.sqrt(np.maximum(np.einsum("abi,ij,abj->ab", delta, inverse, delta), 0.0))
    np.fill_diagonal(distance, 0.0)

    ranked = distance.copy()
    np.fill_diagonal(ranked, np.inf)
    order = np.argsort(ranked, axis=1, kind="stable")[:, :k]
    areas = profile.index
    columns = pd.RangeIndex(1, k + 1, name="order")
    return Neighbours(
        neighbours=pd.DataFrame(areas.to_numpy()[order], index=areas, columns=columns),
        distances=pd.DataFrame(np.take_along_axis(ranked, order, axis=1), index=areas, columns=columns),
        compared=pd.Series(present.sum(axis=1), index=areas, name="compared"),
        matrix=pd.DataFrame(distance, index=areas, columns=areas),
        metric=metric,
    )


def pooled_benchmark(numerators, denominators, statistic, confidence=0.95, multiplier=None, standard=None):
    """Pooled value of a group of areas (e.g. an area's neighbours) with its confidence interval.

    The counts are summed over the group - the last axis; for "dsr" the second-to-last, the age bands being
    the last - and the statistic is computed from the pooled counts with the formulas of quartiersprofile.stats:
    proportion (Wilson score), rate (exact Poisson below 10 events, Byar from 10), dsr (Dobson; `standard` as
    in stats.dsr). Pooling the counts, rather than averaging the areas' values, weights each area by its size,
    as a group value published by Fingertips would. A missing count in the group gives a missing benchmark
    rather than a benchmark of fewer areas. multiplier: None uses the stats default (1, 100,000, 100,000).
    """
    if statistic not in POOLED_STATISTICS:
        hint = " (pooling means needs each area's standard deviation)" if statistic == "mean" else ""
        fail(f"statistic must be one of {listed(POOLED_STATISTICS)}, got {statistic!r}{hint}")
    x, n = np.broadcast_arrays(np.asarray(numerators, dtype=float), np.asarray(denominators, dtype=float))
    axis = -2 if statistic == "dsr" else -1
    if x.ndim < (2 if statistic == "dsr" else 1):
        fail("numerators and denominators need an axis of areas to pool over")
    pooled_x, pooled_n = x.sum(axis=axis), n.sum(axis=axis)
    options = {} if multiplier is None else {"multiplier": multiplier}
    if statistic == "proportion":
        return proportion(pooled_x, pooled_n, confidence=confidence, **options)
    if statistic == "rate":
        return rate(pooled_x, pooled_n, confidence=confidence, **options)
    return dsr(pooled_x, pooled_n, standard=standard, confidence=confidence, **options)


def neighbour_groups(neighbours, usable, replace_missing=True):
    """Each area's group of neighbours for a benchmark, as positions in `neighbours.neighbours.index`.

    usable: one bool per area (in that order), whether its numbers may be pooled (published). With
    `replace_missing` a neighbour that is not usable is replaced by the next most similar usable area, so that
    every group has k usable areas; else the k neighbours are kept. Returns (positions: areas x k, complete: one
    bool per area, whether its group has k usable areas).
    """
    if not isinstance(neighbours, Neighbours):
        fail("neighbours must be the result of similar_areas")
    areas = neighbours.neighbours.index
    k = neighbours.neighbours.shape[1]
    usable = np.asarray(usable, dtype=bool)
    if usable.shape != (len(areas),):
        fail(f"usable must hold one true/false value per area ({len(areas)})")
    if replace_missing:
        ranked = neighbours.matrix.reindex(index=areas, columns=areas).to_numpy().copy()
        np.fill_diagonal(ranked, np.inf)
        ranked[:, ~usable] = np.inf
        positions = np.argsort(ranked, axis=1, kind="stable")[:, :k]
        complete = np.isfinite(np.take_along_axis(ranked, positions, axis=1)).all(axis=1)
    else:
        positions = areas.get_indexer(neighbours.neighbours.to_numpy().ravel()).reshape(len(areas), k)
        complete = usable[positions].all(axis=1)
    return positions, complete


def compare_with_neighbours(
    neighbours,
    numerators,
    denominators,
    lower,
    upper,
    statistic,
    polarity,
    *,
    multiplier,
    confidence=0.95,
    standard=None,
    replace_missing=True,
):
    """Compare every area with the pooled value of its own neighbours (Fingertips-style).

    neighbours: a Neighbours result. numerators, denominators: published counts per area (Series; DataFrames
    with age bands as columns for "dsr"). lower, upper: the areas' own published limits (Series) on the scale
    of `multiplier` (required, e.g. 100 for a percentage, so benchmark and limits share one scale). The
    benchmark pools k neighbours only (never the area itself); the area is "better"/"worse" ("higher"/"lower"
    for neutral indicators) when its interval excludes the benchmark value, else "similar", and "not compared"
    when its own limits or the benchmark are missing (stats.compare_to_benchmark).
    replace_missing=True (default): a neighbour without published counts (suppressed) is replaced by the next
    most similar area with counts, so that every benchmark pools k published areas; the column `neighbours`
    lists the areas used. Suppressed counts are never pooled: with the other neighbours' counts published, a
    pooled benchmark would give them away by differencing. replace_missing=False keeps the k neighbours and
    leaves the area "not compared" when one of them has no counts.
    """
    if not isinstance(neighbours, Neighbours):
        fail("neighbours must be the result of similar_areas")
    areas = neighbours.neighbours.index

    def counts(name, frame):
        if not isinstance(frame, pd.Series | pd.DataFrame):
            fail(f"{name} must be a pandas Series (a DataFrame with age bands as columns for dsr)")
        absent = areas.difference(frame.index)
        if len(absent):
            fail(f"{name} is missing for: {listed(absent)}")
        return frame.reindex(areas).to_numpy(dtype=float)

    x, n = counts("numerators", numerators), counts("denominators", denominators)
    if (statistic == "dsr") != (x.ndim == 2):
        fail('numerators and denominators must be DataFrames with age bands as columns exactly when statistic="dsr"')
    published = ~np.isnan(x.reshape(len(areas), -1)).any(axis=1) & ~np.isnan(n.reshape(len(areas), -1)).any(axis=1)
    positions, complete = neighbour_groups(neighbours, published, replace_missing)
    x, n = x[positions], n[positions]  # (areas, k) or, for dsr, (areas, k, age bands)
    x[~complete] = np.nan
    benchmark = pooled_benchmark(x, n, statistic, confidence, multiplier, standard)
    low = pd.Series(lower).reindex(areas).to_numpy(dtype=float)
    high = pd.Series(upper).reindex(areas).to_numpy(dtype=float)
    comparison = compare_to_benchmark(low, high, benchmark.value, polarity)
    return _benchmark_frame(areas, positions, complete, benchmark, comparison)


def weighted_benchmark(values, lower, upper, weights, confidence=0.95):
    """Population-weighted mean of a group of areas' published values (last axis) with a normal interval.

    For DSRs and means, whose pooled value would need more than the published counts (age-specific events;
    each area's standard deviation): value = sum(w v) / sum(w), variance sum((w / sum(w))^2 se^2) with each
    se = (upper - lower) / (2 z) recovered from the value's own published interval (z of `confidence`, the
    level of those limits). For a mean weighted by the number examined this is exactly the mean of the pooled
    observations, with the interval of a stratified mean. Missing numbers in a group give a missing benchmark.
    """
    confidence = check_fraction("confidence", confidence)
    v, low, high, w = np.broadcast_arrays(*(np.asarray(part, dtype=float) for part in (values, lower, upper, weights)))
    if v.ndim < 1:
        fail("values, limits and weights need an axis of areas to pool over")
    check(w < 0, "weights must not be negative")
    check(low > high, "lower limits must not lie above the upper limits")
    z = normal_quantile(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = w / w.sum(axis=-1, keepdims=True)
        value = np.sum(share * v, axis=-1)
        se = np.sqrt(np.sum(share**2 * ((high - low) / (2 * z)) ** 2, axis=-1))
    missing = np.isnan(value) | np.isnan(se) | ~np.isfinite(value)
    value, lower_limit, upper_limit = (
        np.where(missing, np.nan, part) for part in (value, value - z * se, value + z * se)
    )
    method = "population-weighted mean of the published values, normal interval"
    if value.ndim == 0:
        return Estimate(float(value), float(lower_limit), float(upper_limit), method, confidence)
    return Estimate(value, lower_limit, upper_limit, method, confidence)


def compare_with_neighbour_values(
    neighbours, values, lower, upper, weights, polarity, *, confidence=0.95, replace_missing=True
):
    """Compare every area with its neighbours' population-weighted mean value (`weighted_benchmark`), for DSRs
    and means: as `compare_with_neighbours`, from published values, limits (at `confidence`) and weights (the
    published denominators: people at risk, people examined). A neighbour without a published value, interval
    or weight is replaced by the next most similar area that has them (`replace_missing`)."""
    areas = neighbours.neighbours.index if isinstance(neighbours, Neighbours) else None
    if areas is None:
        fail("neighbours must be the result of similar_areas")

    def column(name, series):
        if not isinstance(series, pd.Series):
            fail(f"{name} must be a pandas Series: area -> number")
        absent = areas.difference(series.index)
        if len(absent):
            fail(f"{name} is missing for: {listed(absent)}")
        return series.reindex(areas).to_numpy(dtype=float)

    v, low, high, w = (column(n, s) for n, s in (("values", values), ("lower", lower), ("upper", upper),
                                                   ("weights", weights)))  # fmt: skip
    usable = np.isfinite(v) & np.isfinite(low) & np.isfinite(high) & np.isfinite(w) & (w > 0)
    positions, complete = neighbour_groups(neighbours, usable, replace_missing)
    group = [part[positions] for part in (v, low, high, w)]
    group[0][~complete] = np.nan
    benchmark = weighted_benchmark(*group, confidence=confidence)
    comparison = compare_to_benchmark(low, high, benchmark.value, polarity)
    return _benchmark_frame(areas, positions, complete, benchmark, comparison)


def _benchmark_frame(areas: pd.Index, positions, complete, benchmark, comparison) -> pd.DataFrame:
    """One row per area: the similar areas' benchmark with its limits, the comparison, and the neighbours' codes
    (empty where the group is incomplete)."""
    labels = areas.to_numpy()[positions]
    return pd.DataFrame(
        {
            "benchmark": benchmark.value,
            "benchmark_lower": benchmark.lower,
            "benchmark_upper": benchmark.upper,
            "comparison": comparison,
            "neighbours": [", ".join(map(str, row)) if ok else "" for row, ok in zip(labels, complete, strict=True)],
        },
        index=areas,
    )
