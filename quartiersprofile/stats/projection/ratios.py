"""Cohort-change and child-woman ratios, and their shrinkage toward the city's (`stats.projection`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...model.age_bands import AGE_BANDS
from ...model.contract import SEXES
from .base import (
    _BANDS,
    BAND_WIDTH,
    DEFAULT_BASE_YEARS,
    DEFAULT_MOTHER_AGES,
    OPEN_AGE,
    _base,
    _check_base_years,
    _check_k,
    _check_mother_ages,
    _cube,
    _Fit,
    _grid_frame,
)

# --- ratios ----------------------------------------------------------------------------------------------------


def split_single_years(bands):
    """Spread 5-year band counts [..., 19] over single years of age [..., 91] (ages 0..89, then 90+ as one).

    Within each band the counts follow a straight line through the band's mean, so every band keeps its total
    exactly: the slope is the central difference of the neighbouring bands' means per year ((next - previous)
    / 10), one-sided at 0-4 and at 85-89 (no assumption about the ages inside 90+), and limited so that no
    single year goes below zero. A straight line instead of even ages keeps a large cohort near the band
    bound it is close to; with even ages the ratios would mistake such cohorts for deaths or moves.
    """
    bands = np.asarray(bands, dtype=float)
    means = bands[..., :-1] / BAND_WIDTH
    slope = np.empty_like(means)
    slope[..., 1:-1] = (means[..., 2:] - means[..., :-2]) / (2 * BAND_WIDTH)
    slope[..., 0] = (means[..., 1] - means[..., 0]) / BAND_WIDTH
    slope[..., -1] = (means[..., -1] - means[..., -2]) / BAND_WIDTH
    limit = means / (BAND_WIDTH // 2)
    slope = np.clip(slope, -limit, limit)
    offsets = np.arange(BAND_WIDTH) - BAND_WIDTH // 2
    single = means[..., None] + slope[..., None] * offsets
    return np.concatenate([single.reshape(*bands.shape[:-1], -1), bands[..., -1:]], axis=-1)


def _top_years(bands):
    """The oldest single year of each band 0-4..85-89 [..., 18]: those who move up a band within a year."""
    return split_single_years(bands)[..., BAND_WIDTH - 1 : OPEN_AGE : BAND_WIDTH]


def _transitions(values):
    """Observed and expected populations for each year-to-year transition, bands 5-9..90+.

    values[..., year, sex, band] -> two arrays [..., transition, sex, 18]. Expected is what a band would hold a
    year later had nobody died or moved: the band without its oldest single year plus the oldest single year of
    the band below (`split_single_years`); the open band 90+ keeps all of itself plus the oldest year of 85-89.
    """
    before, after = values[..., :-1, :, :], values[..., 1:, :, :]
    top = _top_years(before)
    expected = before[..., 1:] + top
    expected[..., :-1] -= top[..., 1:]
    return after[..., 1:], expected


def _credibility_moments(observed, expected):
    """Buehlmann-Straub moment sums for arrays [..., area, period] of counts and their expected values.

    Returns (within sum of squares, its degrees of freedom, between sum of squares, number of areas, effective
    size m - sum(m_i^2)/m) per leading index, so that callers can pool them (e.g. over the sexes).
    """
    observed, expected = np.asarray(observed, dtype=float), np.asarray(expected, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        yearly = np.where(expected > 0, observed / expected, 0.0)
        exposure = expected.sum(axis=-1)
        own = np.where(exposure > 0, observed.sum(axis=-1) / exposure, 0.0)
        total = exposure.sum(axis=-1)
        collective = observed.sum(axis=(-2, -1)) / total
    within = np.sum(expected * (yearly - own[..., None]) ** 2, axis=(-2, -1))
    within_df = np.sum(np.clip(np.sum(expected > 0, axis=-1) - 1, 0, None), axis=-1)
    between = np.sum(exposure * (own - collective[..., None]) ** 2, axis=-1)
    areas = np.sum(exposure > 0, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        size = total - np.sum(exposure**2, axis=-1) / total
    return within, within_df, between, areas, np.nan_to_num(size)


def _pooled_constant(within, within_df, between, areas, size):
    """k = sigma^2 / tau^2 from moment sums of one or more collectives (e.g. the sexes, each with its own mean).

    Infinite (full shrinkage) when the areas differ no more than their yearly scatter explains or there is no
    scatter to measure.
    """
    within, within_df, between, areas, size = (np.atleast_1d(m) for m in (within, within_df, between, areas, size))
    if within_df.sum() == 0 or size.sum() <= 0:
        return np.inf
    sigma2 = within.sum() / within_df.sum()
    tau2 = (between.sum() - (np.clip(areas - 1, 0, None) * sigma2).sum()) / size.sum()
    return float(sigma2 / tau2) if tau2 > 0 else np.inf


def shrinkage_constant(observed, expected):
    """Credibility constant k of the Buehlmann-Straub model for ratios observed / expected of several areas.

    `observed` and `expected` have shape (..., areas, periods): e.g. the population of a band a year later and
    the population expected there without deaths and moves, per area and year. k = sigma^2 / tau^2 compares how
    much an area's yearly ratio scatters around its own mean (sigma^2, per expected person) with how much the
    areas' true ratios differ (tau^2, estimated by the method of moments): an area with n expected persons over
    all periods gets the weight n / (n + k) on its own ratio (`shrinkage_weight`). Returns one k per leading
    index (a float for 2-d input); np.inf when the areas differ no more than their yearly scatter explains.
    Needs at least two periods (the scatter within areas cannot be seen in one).
    """
    observed, expected = np.asarray(observed, dtype=float), np.asarray(expected, dtype=float)
    if observed.shape != expected.shape or observed.ndim < 2:
        raise ValueError("observed and expected must have the same shape (..., areas, periods)")
    if observed.shape[-1] < 2:
        raise ValueError("the shrinkage constant needs at least two periods per area (three years of data)")
    if np.any(observed < 0) or np.any(expected < 0):
        raise ValueError("observed and expected must not be negative")
    moments = _credibility_moments(observed, expected)
    flat = [np.reshape(m, -1) for m in moments]
    k = np.array([_pooled_constant(*(m[i] for m in flat)) for i in range(flat[0].size)])
    k = k.reshape(observed.shape[:-2])
    return float(k) if k.ndim == 0 else k


def _ccr_constants(values):
    """k per band 5-9..90+ for values[district, year, sex, band], the two sexes pooled (each with its own mean)."""
    if values.shape[1] < 3:
        raise ValueError(
            "estimating the shrinkage constant k needs at least three years (two year-to-year changes); "
            "pass k (e.g. k=0 for no shrinkage) or more years"
        )
    observed, expected = _transitions(values)  # (D, T, 2, 18)
    order = (3, 2, 0, 1)  # -> band, sex, district, transition
    moments = _credibility_moments(observed.transpose(order), expected.transpose(order))  # each [band, sex]
    return np.array([_pooled_constant(*(m[band] for m in moments)) for band in range(observed.shape[-1])])


def _cwr_constant(children, women, years):
    """Global empirical-Bayes constant for child-woman ratios (Marshall 1991, Poisson variance).

    children and women are summed over `years` base years; the exposure of an area is its mean number of women
    per year, because the 0-4 year olds are a stock (the same child is counted in up to five years), so the
    yearly ratios scatter far less than independent counts would. With city ratio b and exposure-weighted
    variance s^2 of the areas' ratios, tau^2 = s^2 - b / mean exposure and k = b / tau^2.
    """
    exposure = women / years
    total = exposure.sum()
    if total <= 0 or len(women) < 2:
        return np.inf
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.where(women > 0, children / women, 0.0)
    city = children.sum() / women.sum()
    spread = np.sum(exposure * (own - city) ** 2) / total
    tau2 = spread - city / exposure.mean()
    return float(city / tau2) if tau2 > 0 else np.inf


def shrinkage_weight(exposure, k):
    """Weight w = n / (n + k) of an area's own ratio, with n its exposure (persons at risk) and k >= 0.

    The credibility weight of the Buehlmann-Straub and Poisson-gamma models: a ratio resting on few persons
    leans on the city's ratio, a ratio resting on many keeps its own. k = np.inf gives 0 (city ratio), k = 0
    gives 1 for any area with people; no exposure gives 0 (there is no own ratio).
    """
    n, k = np.broadcast_arrays(np.asarray(exposure, dtype=float), np.asarray(k, dtype=float))
    if np.any(np.isnan(n)) or np.any(n < 0):
        raise ValueError("exposure must be a number of at least 0")
    if np.any(np.isnan(k)) or np.any(k < 0):
        raise ValueError("k must be a number of at least 0 (np.inf for full shrinkage)")
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(np.isinf(k), 0.0, np.where(n > 0, n / (n + k), 0.0))
    return float(weight) if weight.ndim == 0 else weight


def shrink(ratio, city_ratio, exposure, k):
    """Area ratio shrunk toward the city's: w * ratio + (1 - w) * city_ratio with w = `shrinkage_weight`.

    Where the area has no exposure its own ratio is undefined (NaN is fine) and the city's ratio is returned.
    """
    weight = shrinkage_weight(exposure, k)
    ratio, city_ratio, weight = np.broadcast_arrays(
        np.asarray(ratio, dtype=float), np.asarray(city_ratio, dtype=float), weight
    )
    with np.errstate(invalid="ignore"):
        shrunk = np.where(weight > 0, weight * ratio + (1 - weight) * city_ratio, city_ratio)
    return float(shrunk) if shrunk.ndim == 0 else shrunk


def _fit(values, ccr_k, cwr_k, mothers):
    """Own, city and shrunk ratios from base years values[district, year, sex, band] (at least two years).

    ccr_k: shrinkage constant(s) of the CCRs (one, or one per band 5-9..90+); cwr_k: that of the CWRs.
    """
    observed_t, expected_t = _transitions(values)
    observed, expected = observed_t.sum(axis=1), expected_t.sum(axis=1)
    city_observed, city_expected = observed.sum(axis=0), expected.sum(axis=0)
    empty = city_expected <= 0
    if np.any(empty):
        sex, band = (int(i[0]) for i in np.nonzero(empty))
        raise ValueError(
            f"nobody in the whole city could enter band {AGE_BANDS[band + 1]} (sex {SEXES[sex]}) in the base years, "
            "so no cohort-change ratio can be estimated for it"
        )
    city_ratios = city_observed / city_expected
    with np.errstate(divide="ignore", invalid="ignore"):
        own_ratios = np.where(expected > 0, observed / expected, np.nan)
    ccr_k = np.broadcast_to(np.asarray(ccr_k, dtype=float), (_BANDS - 1,))

    years = values.shape[1]
    children = values[:, :, :, 0].sum(axis=(1, 2))
    women = values[:, :, 0, mothers].sum(axis=(1, 2))
    if women.sum() <= 0:
        raise ValueError("there are no women of the mother ages in the base years, so no child-woman ratio exists")
    city_cwr = float(children.sum() / women.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        own_cwr = np.where(women > 0, children / women, np.nan)
    cwr_k = float(cwr_k)
    infants = values[:, :, :, 0].sum(axis=(0, 1))
    return _Fit(
        observed=observed,
        expected=expected,
        own_ratios=own_ratios,
        city_ratios=city_ratios,
        ccr_k=ccr_k,
        ccr_weights=shrinkage_weight(expected, ccr_k),
        ratios=shrink(own_ratios, city_ratios, expected, ccr_k),
        children=children,
        women=women,
        own_cwr=own_cwr,
        city_cwr=city_cwr,
        cwr_k=cwr_k,
        cwr_weights=shrinkage_weight(women / years, cwr_k),
        cwr=shrink(own_cwr, city_cwr, women / years, cwr_k),
        boys_share=float(infants[1] / infants.sum()) if infants.sum() > 0 else 0.5,
    )


def _base_cube(population, base_years):
    _check_base_years(base_years)
    cube = _cube(population)
    if len(cube.years) < 2:
        raise ValueError("the ratios need at least two consecutive years of population data")
    return cube


def cohort_change_ratios(population, base_years=DEFAULT_BASE_YEARS, k=None):
    """Annual cohort-change ratios per district, sex and band 5-9..90+, own, city and shrunk toward the city.

    `population`: long table with district, period (year), sex ("w"/"m"), age_band and population. The ratios
    are taken from the last `base_years` years (None: all; at least 2). For band x, the ratio is the
    population of x a year later divided by what x would hold had nobody died or moved (x without its oldest
    single year plus the oldest single year of the band below, see `split_single_years`; 90+ keeps all of
    itself), as sums over the base years' transitions. `k`:
    shrinkage constant (None: estimated per band from all years as in `shrinkage_constant`, the sexes pooled,
    each with its own city mean). Columns:
    district, sex, age_band, observed, expected, own_ratio, city_ratio, k, weight, ratio (the one projected).
    """
    cube = _base_cube(population, base_years)
    mothers = _check_mother_ages(DEFAULT_MOTHER_AGES)
    ccr_k, _ = _estimated_constants(cube.values, k, 0.0, mothers)
    fit = _fit(_base(cube.values, base_years), ccr_k, 0.0, mothers)
    levels = {"district": cube.districts, "sex": SEXES, "age_band": AGE_BANDS[1:]}
    frame = _grid_frame(levels, fit.observed, "observed")
    frame["expected"] = fit.expected.reshape(-1)
    frame["own_ratio"] = fit.own_ratios.reshape(-1)
    frame["city_ratio"] = np.broadcast_to(fit.city_ratios, fit.ratios.shape).reshape(-1)
    frame["k"] = np.broadcast_to(fit.ccr_k, fit.ratios.shape).reshape(-1)
    frame["weight"] = fit.ccr_weights.reshape(-1)
    frame["ratio"] = fit.ratios.reshape(-1)
    return frame


def child_woman_ratios(population, base_years=DEFAULT_BASE_YEARS, k=None, mother_ages=DEFAULT_MOTHER_AGES):
    """Child-woman ratios per district: residents aged 0-4 per woman of the mother ages, own, city and shrunk.

    Sums over the last `base_years` years (None: all). `mother_ages` = (15, 50) counts women aged 15-49.
    `k` in women per year (None: estimated from all years, Marshall's global empirical Bayes). `boys_share`
    is the city's share of boys among the 0-4 year olds, which splits the projected 0-4 band in every
    district. Columns: district, children, women, own_ratio, city_ratio, k, weight, ratio, boys_share.
    """
    cube = _base_cube(population, base_years)
    mothers = _check_mother_ages(mother_ages)
    _, cwr_k = _estimated_constants(cube.values, 0.0, _check_k("k", k), mothers)
    fit = _fit(_base(cube.values, base_years), 0.0, cwr_k, mothers)
    return pd.DataFrame(
        {
            "district": list(cube.districts),
            "children": fit.children,
            "women": fit.women,
            "own_ratio": fit.own_cwr,
            "city_ratio": fit.city_cwr,
            "k": fit.cwr_k,
            "weight": fit.cwr_weights,
            "ratio": fit.cwr,
            "boys_share": fit.boys_share,
        }
    )


def _estimated_constants(values, k, cwr_k, mothers):
    """The shrinkage constants: as given, or (None) estimated from all years of values[district, year, sex, band].

    All years, not only the base years: k weighs how noisy yearly ratios are against how much areas differ,
    a property of the city's small-area geography rather than a trend, and more years estimate it better. The
    back-test uses the same constants for every base year.
    """
    k, cwr_k = _check_k("k", k, per_band=True), _check_k("cwr_k", cwr_k)
    ccr_k = _ccr_constants(values) if k is None else np.broadcast_to(k, (_BANDS - 1,)).astype(float)
    if cwr_k is None:
        children = values[:, :, :, 0].sum(axis=(1, 2))
        women = values[:, :, 0, mothers].sum(axis=(1, 2))
        cwr_k = _cwr_constant(children, women, values.shape[1])
    return ccr_k, float(cwr_k)
