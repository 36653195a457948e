"""Inequality across areas: the slope and relative index of inequality (SII, RII) as PHEindicatormethods'
phe_sii, with confidence limits by simulation from a seeded numpy Generator, so that builds are reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special  # the distribution functions themselves: scipy.stats is slow to import

from .checks import (
    broadcast,
    check,
    check_confidence,
    check_whole_number,
    scalar_or_array,
)
from .estimates import Estimate

SII_VALUE_TYPES = ("normal", "rate", "proportion")
SII_TRANSFORMS = {"log": "rate", "logit": "proportion"}
SII_MIN_SIMULATIONS = 1_000
SII_QUANTILE_RANGE = (5, 100)
SII_DEFAULT_SEED = 1
_SII_CHUNK = 8_192  # simulations drawn per block; results do not depend on it
_Z95 = 1.959963984540054  # qnorm(0.975); PHE fixes 95 % for the 20-year rule and for limits given to phe_sii


@dataclass(frozen=True)
class InequalityEstimate:
    """Slope index (`sii`) and relative index (`rii`) of inequality, each an Estimate with simulated limits.

    `intercept` is the fitted value at the most deprived end (relative rank 0), in the units of the values
    (times abs(multiplier) when a transform was used, as in PHE).
    """

    sii: Estimate
    rii: Estimate
    intercept: float | np.ndarray


def _estimate(value, lower, upper, method, confidence):
    """Build an Estimate, turning 0-d results into Python floats."""
    return Estimate(scalar_or_array(value), scalar_or_array(lower), scalar_or_array(upper), method, confidence)


def _forward(values, value_type):
    """Map values to the scale on which PHE simulates them: identity, log (rates) or logit (proportions)."""
    if value_type == "rate":
        return np.log(values)
    if value_type == "proportion":
        return special.logit(values)
    return values


def _inverse(values, value_type):
    """Inverse of `_forward`."""
    if value_type == "rate":
        return np.exp(values)
    if value_type == "proportion":
        return special.expit(values)
    return values


def _sii_options(transform, value_type, multiplier, simulations, se, lower, upper):
    """Check the options of `sii` and return the value type."""
    if transform is not None and transform not in SII_TRANSFORMS:
        raise ValueError(f"transform must be None, 'log' (rates) or 'logit' (proportions), got {transform!r}")
    if value_type is None:
        value_type = SII_TRANSFORMS.get(transform, "normal")
    if value_type not in SII_VALUE_TYPES:
        raise ValueError(f"value_type must be one of {', '.join(SII_VALUE_TYPES)}, got {value_type!r}")
    if transform is not None and SII_TRANSFORMS[transform] != value_type:
        raise ValueError(f"transform {transform!r} needs value_type {SII_TRANSFORMS[transform]!r}, not {value_type!r}")
    number = isinstance(multiplier, int | float | np.number) and not isinstance(multiplier, bool)
    if not number or not np.isfinite(multiplier) or multiplier == 0:
        raise ValueError(f"multiplier must be a single number other than 0 (e.g. 1, 100 or -1), got {multiplier!r}")
    check_whole_number("simulations", simulations, SII_MIN_SIMULATIONS)
    has_limits = lower is not None or upper is not None
    if se is None and (lower is None or upper is None):
        raise ValueError("sii needs the standard error of each value (se=...) or its 95% limits (lower=..., upper=...)")
    if se is not None and has_limits:
        raise ValueError("give either se or lower and upper, not both")
    if transform is not None and se is not None:
        raise ValueError("with a transform, give the 95% limits (lower, upper) rather than se, as PHE requires")
    return value_type


def _order_positions(simulations, confidence):
    """0-based positions of the lower and upper limit among the sorted simulations, as PHE's SimulationFunc."""
    upper_tail = confidence + (1 - confidence) / 2
    first, last = round(simulations * (1 - upper_tail)), round(simulations * upper_tail)
    if first < 1:
        raise ValueError(f"{simulations} simulations are too few for {confidence:.4%} limits; use more")
    return first - 1, last - 1


def sii(
    values,
    population,
    quantile,
    transform=None,
    multiplier=1,
    confidence=0.95,
    simulations=100_000,
    seed=SII_DEFAULT_SEED,
    *,
    se=None,
    lower=None,
    upper=None,
    value_type=None,
):
    """Slope index (SII) and relative index (RII) of inequality with simulated limits, as PHEindicatormethods phe_sii.

    values, population, quantile: one entry per quantile (e.g. deprivation decile) on the last axis, leading
    axes for areas; quantile labels are sorted, 1 = most deprived. Give each value's uncertainty as `se` or as
    its 95 % limits `lower`/`upper` (always 95 %, as PHE). value_type "normal" (default), "rate" or
    "proportion" (0-1): for rates and proportions PHE works on the log / logit scale - limits are converted
    there, SE = (t(upper) - t(lower)) / (2 x 1.96), and an `se` you give is taken to be on that scale.
    transform "log" (rates) or "logit" (proportions) fits the regression on that scale (PHE transform = TRUE;
    it implies the value_type and needs lower/upper).

    Point estimates: each quantile's relative rank is the midpoint of its share of the area population in the
    cumulative distribution (quantile 1 from 0); value is regressed on rank by least squares weighted by the
    population share (PHE fits y sqrt(a) ~ sqrt(a) + b sqrt(a) without intercept - the same). SII = multiplier
    x slope (fitted value at rank 1 minus rank 0); RII = fitted(1) / fitted(0), inverted when the multiplier
    is negative. With a transform both are back-transformed: SII = (t^-1(i + s) - t^-1(i)) x multiplier, RII =
    t^-1(i + s) / t^-1(i), and the limits come from the simulated slopes pivoted about the fitted value at
    rank 0.5, as PHE.

    Limits: `simulations` draws of every value from a normal distribution (mean = value, SD = SE, on the
    log/logit scale for rates and proportions, back-transformed unless a transform is used), the regression
    refitted to each draw, and the limits read off the sorted draws at positions round(n alpha/2) and
    round(n (1 - alpha/2)) as PHE. Draws come from numpy Generators spawned per area from `seed` (int,
    numpy Generator or None for fresh entropy), so an area's limits depend only on the seed, its position and
    its data. Areas with a missing value give NaN.
    """
    # Long on purpose: phe_sii in one piece, to be read against the R source line by line.
    confidence = check_confidence(confidence)
    value_type = _sii_options(transform, value_type, multiplier, simulations, se, lower, upper)
    spread = [se] if se is not None else [lower, upper]
    try:
        values, population, quantile, *spread = broadcast(values, population, quantile, *spread)
    except ValueError:
        raise ValueError("values, population, quantile and se (or lower and upper) must have matching shapes") from None
    if values.ndim == 0:
        raise ValueError("values need a quantile axis (the last axis)")
    count = values.shape[-1]
    if not SII_QUANTILE_RANGE[0] <= count <= SII_QUANTILE_RANGE[1]:
        raise ValueError(f"the number of quantiles must be between 5 and 100, got {count}")
    check(np.isnan(quantile), "quantile labels must not be missing")
    order = np.argsort(quantile, axis=-1, kind="stable")
    quantile, values, population, *spread = (
        np.take_along_axis(array, order, axis=-1) for array in (quantile, values, population, *spread)
    )
    check(np.diff(quantile, axis=-1) == 0, "quantile labels must be unique within each area")
    check(population <= 0, "population must be greater than 0 in every quantile")
    check(np.isinf(values) | np.isinf(population), "values and population must be finite")
    if se is not None:
        check(spread[0] < 0, "standard errors must not be negative")
    else:
        check(spread[0] > spread[1], "lower limits must not be above upper limits")
    if value_type == "rate":
        check(values <= 0, "rates must be greater than 0 (they are log-transformed)")
        if se is None:
            check(spread[0] <= 0, "the lower limits of rates must be greater than 0 (they are log-transformed)")
    elif value_type == "proportion":
        check((values <= 0) | (values >= 1), "proportions must lie strictly between 0 and 1 (logit-transformed)")
        if se is None:
            check((spread[0] <= 0) | (spread[1] >= 1), "proportion limits must lie strictly between 0 and 1")

    working = _forward(values, value_type)
    if se is not None:
        working_se = spread[0]
    else:
        working_se = (_forward(spread[1], value_type) - _forward(spread[0], value_type)) / (2 * _Z95)

    share = population / population.sum(axis=-1, keepdims=True)  # a
    rank = np.cumsum(share, axis=-1) - share / 2  # b, FindXValues
    mean_rank = np.sum(share * rank, axis=-1, keepdims=True)
    centred = rank - mean_rank
    slope_weights = share * centred / np.sum(share * centred**2, axis=-1, keepdims=True)
    intercept_weights = share - mean_rank * slope_weights  # fit = y @ weights (weighted least squares)

    fitted_y = working if transform is not None else values
    slope = np.sum(fitted_y * slope_weights, axis=-1)
    intercept = np.sum(fitted_y * intercept_weights, axis=-1)
    first, last = _order_positions(simulations, confidence)

    leading = values.shape[:-1]
    flat = [array.reshape(-1, count) for array in (working, working_se, slope_weights, intercept_weights)]
    generators = _spawn(seed, int(np.prod(leading)))
    bounds = np.full((len(generators), 4), np.nan)  # slope or SII lower/upper, RII lower/upper
    for area, generator in enumerate(generators):
        centre, sd, slope_w, intercept_w = (array[area] for array in flat)
        if np.isnan(centre).any() or np.isnan(sd).any():
            continue
        slopes, intercepts = _simulate_fits(
            generator, centre, sd, slope_w, intercept_w, simulations, None if transform is not None else value_type
        )
        if transform is None:
            sii_draws = multiplier * slopes
            rii_draws = (intercepts + slopes) / intercepts
            if multiplier < 0:
                rii_draws = 1 / rii_draws
            bounds[area, :2] = np.partition(sii_draws, (first, last))[[first, last]]
            bounds[area, 2:] = np.partition(rii_draws, (first, last))[[first, last]]
        else:
            bounds[area, :2] = np.partition(slopes, (first, last))[[first, last]]
    bounds = bounds.reshape(*leading, 4)

    if transform is None:
        sii_value = multiplier * slope
        rii_value = (intercept + slope) / intercept
        if multiplier < 0:
            rii_value = 1 / rii_value
        sii_lower, sii_upper, rii_lower, rii_upper = np.moveaxis(bounds, -1, 0)
        intercept_value = intercept
    else:
        sii_value, rii_value, intercept_value = _back_transform(intercept, slope, value_type, multiplier)
        middle = intercept + slope / 2  # fitted value at rank 0.5, kept fixed for the limits
        low = _back_transform(middle - bounds[..., 0] / 2, bounds[..., 0], value_type, multiplier)
        high = _back_transform(middle - bounds[..., 1] / 2, bounds[..., 1], value_type, multiplier)
        if multiplier < 0:
            low, high = high, low
        sii_lower, sii_upper, rii_lower, rii_upper = low[0], high[0], low[1], high[1]

    method = (
        f"population-weighted regression on relative rank ({transform or 'no'} transform, {value_type} values); "
        f"limits by simulation, {simulations} draws"
    )
    return InequalityEstimate(
        _estimate(sii_value, sii_lower, sii_upper, method, confidence),
        _estimate(rii_value, rii_lower, rii_upper, method, confidence),
        scalar_or_array(intercept_value),
    )


def _spawn(seed, count):
    """Independent Generators for `count` areas from an int seed, a Generator or None."""
    parent = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    return parent.spawn(count)


def _simulate_fits(generator, centre, sd, slope_weights, intercept_weights, simulations, back_transform):
    """Slopes and intercepts of the weighted regression refitted to `simulations` normal draws of the values.

    Draws are made in fixed blocks of whole simulations (rows), so they equal one (simulations, quantiles) draw.
    `back_transform` is the value type whose inverse transform is applied to the draws, or None for none.
    """
    slopes = np.empty(simulations)
    intercepts = np.empty(simulations)
    for start in range(0, simulations, _SII_CHUNK):
        stop = min(start + _SII_CHUNK, simulations)
        draws = centre + sd * generator.standard_normal((stop - start, centre.size))
        if back_transform is not None:
            draws = _inverse(draws, back_transform)
        slopes[start:stop] = draws @ slope_weights
        intercepts[start:stop] = draws @ intercept_weights
    return slopes, intercepts


def _back_transform(intercept, slope, value_type, multiplier):
    """SII, RII and intercept in the original units from a fit on the log or logit scale, as phe_sii."""
    at_zero, at_one = _inverse(intercept, value_type), _inverse(intercept + slope, value_type)
    ratio = at_one / at_zero
    return (at_one - at_zero) * multiplier, (1 / ratio if multiplier < 0 else ratio), at_zero * abs(multiplier)
