"""Population projection for the Ortsteile of Bremerhaven by sex and 5-year age band (Hamilton-Perry, annual steps).

The register gives the population on 31.12. by Ortsteil, sex and age band ("0-4", ..., "85-89", "90+") for a
few consecutive years, and nothing about births, deaths or moves. Cohort-change ratios need nothing more
(Hamilton & Perry 1962; Swanson, Schlottmann & Schmidt 2010; Baker et al. 2017):

* bands 5-9 to 90+ follow their cohort with a cohort-change ratio (CCR), the open band 90+ is "closed" by
  adding the cohort that enters it to the survivors already in it; the band 0-4 follows from the women aged
  15-49 through a child-woman ratio (CWR), split into girls and boys by the city's sex ratio at 0-4;
* the ratios of small areas are shrunk toward the city's with credibility weights w = n / (n + k)
  (Buehlmann & Straub 1970 for the CCRs, Marshall 1991 for the CWRs), k estimated from the data;
* the Ortsteile are scaled to the city's own projection (or an official one) per year, sex and band, so that
  they add up to it exactly; Stadtteile and the city are sums of their Ortsteile;
* prediction intervals come from back-tests on the register itself (Smith & Sincich 1988; Rayer, Smith &
  Tayman 2009): absolute log errors per area-size class and age group, scaled with the projection horizon.

Why one-year steps. Classic Hamilton-Perry moves every band up one band in a 5-year step, with ratios observed
over five years. Six annual stocks (2019-2024) hold exactly one such ratio and leave no year to test it on.
Here the step is one year. Who moves up a band within a year is the oldest single year of each band; the bands
are spread over single years by a straight line through each band's mean (`split_single_years`), so without
deaths or moves a band would hold itself minus its oldest year plus the oldest year of the band below a year
later (the open band 90+ keeps all of itself). The annual CCR is observed / expected, a ratio of sums over the
base years, which span the same five years as the one classic ratio. The projection keeps single years of age
inside: the launch population is spread over single years once, every single-year cohort then ages one year
per step and is multiplied by the CCR of the band it enters, and only the output is summed to 5-year bands.
This keeps cohorts together (re-spreading every year would smear a large cohort over ever more bands), and
with equal ratios in all bands it is exactly the 5-year step.
Age groups are given by their first and last year of age (inclusive; None for an open group), as
`model.age_bands.AGE_GROUPS`, and named from these bounds (`model.age_bands.age_group_label`). The method, the
back-test results and the references: docs/projection.md.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..model.age_bands import AGE_BANDS, AGE_GROUPS, age_group_label, band_limits
from ..model.contract import SEXES
from ..model.periods import YEAR_PATTERN

BAND_WIDTH = int(band_limits(AGE_BANDS[0])[1]) + 1  # 5 years
OPEN_AGE = band_limits(AGE_BANDS[-1])[0]  # lower bound of the open top band: 90
#: The whole population, as an age group.
TOTAL = (0, None)
# Age groups of the output as (first, last year of age or None for open), both inclusive. All bounds are band
# bounds, so no band has to be split: "unter 20" instead of "unter 18" (see `group_weights`).
DEFAULT_GROUPS = (TOTAL, *AGE_GROUPS)
# Area-size classes by residents in the latest year: under 1,000, 1,000-4,999, 5,000-9,999, 10,000 and more.
DEFAULT_SIZE_BOUNDS = (1_000, 5_000, 10_000)
DEFAULT_BASE_YEARS = 6  # five annual transitions: the span of one classic 5-year Hamilton-Perry ratio
DEFAULT_MOTHER_AGES = (15, 50)  # women 15-49 as the CWR denominator, as in the general fertility rate
SCALINGS = ("linear", "sqrt")

_BANDS = len(AGE_BANDS)
_POPULATION_COLUMNS = ("district", "sex", "age_band", "population")


@dataclass(frozen=True)
class _Cube:
    """A complete population table as an array values[district, year, sex, band] (sexes w, m; AGE_BANDS)."""

    districts: tuple[str, ...]
    years: tuple[int, ...]
    values: np.ndarray


@dataclass(frozen=True)
class _Fit:
    """Ratios fitted on base years; arrays over districts (D), sexes (2) and bands 5-9..90+ (18)."""

    observed: np.ndarray  # (D, 2, 18) populations a year later, summed over the base transitions
    expected: np.ndarray  # (D, 2, 18) the same people had nobody died or moved
    own_ratios: np.ndarray  # (D, 2, 18) observed / expected (NaN where nobody was expected)
    city_ratios: np.ndarray  # (2, 18)
    ccr_k: np.ndarray  # (18,) shrinkage constant per band, in expected persons summed over the transitions
    ccr_weights: np.ndarray  # (D, 2, 18)
    ratios: np.ndarray  # (D, 2, 18) shrunk ratios used in the projection
    children: np.ndarray  # (D,) residents aged 0-4, summed over the base years
    women: np.ndarray  # (D,) women of the mother ages, summed over the base years
    own_cwr: np.ndarray  # (D,)
    city_cwr: float
    cwr_k: float  # in women per year (mean over the base years)
    cwr_weights: np.ndarray  # (D,)
    cwr: np.ndarray  # (D,) shrunk child-woman ratios used in the projection
    boys_share: float  # the city's share of boys among the 0-4 year olds in the base years


# --- argument checks -------------------------------------------------------------------------------------------


def _check_whole_number(name, value, minimum):
    """Check that a count-like argument is a whole number of at least `minimum`."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}, got {value!r}")


def _check_base_years(base_years):
    if base_years is not None:
        _check_whole_number("base_years (the number of years the ratios are taken from)", base_years, 2)


def _check_k(name, k, per_band=False):
    """None (estimate) or a number >= 0 (np.inf: the city's ratio); for CCRs also one number per band 5-9..90+."""
    if k is None:
        return None
    try:
        values = np.asarray(k, dtype=float)
    except (TypeError, ValueError):
        values = np.array(np.nan)
    shapes = ((), (_BANDS - 1,)) if per_band else ((),)
    if values.shape not in shapes or np.any(np.isnan(values)) or np.any(values < 0):
        extra = f" or {_BANDS - 1} such numbers (bands 5-9 to 90+)" if per_band else ""
        raise ValueError(
            f"{name} must be None (estimate it) or a number of at least 0 (np.inf: city ratios){extra}, got {k!r}"
        )
    return values


def _check_mother_ages(mother_ages):
    """Return the band slice of the mother ages, e.g. (15, 50) -> bands 15-19 .. 45-49."""
    try:
        lower, upper = (int(age) for age in mother_ages)
    except (TypeError, ValueError):
        lower = upper = -1
    if not (BAND_WIDTH <= lower < upper <= OPEN_AGE and lower % BAND_WIDTH == 0 and upper % BAND_WIDTH == 0):
        raise ValueError(
            "mother_ages must be two band bounds (multiples of 5 between 5 and 90) with the upper bound excluded, "
            f"e.g. (15, 50) for women 15-49 or (15, 45) for 15-44; got {mother_ages!r}"
        )
    return slice(lower // BAND_WIDTH, upper // BAND_WIDTH)


def _require_columns(frame, columns, what):
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(
            f"{what} lacks the column(s) {', '.join(missing)}; it has {', '.join(map(str, frame.columns))}"
        )


def _year_column(frame, what):
    """Name of the year column: "period" (the register's name) or "year" (the projection's)."""
    for name in ("period", "year"):
        if name in frame.columns:
            return name
    raise ValueError(f"{what} needs a column period (or year) with the year of each count, e.g. 2024")


def _cube(population, what="population", consecutive=True):
    """Check a long population table (district, period or year, sex, age_band, population) and return a _Cube.

    Every district needs one count per year, sex and band; with `consecutive` the years must follow each other
    without gaps (the ratios are year-to-year changes).
    """
    _require_columns(population, _POPULATION_COLUMNS, what)
    year_column = _year_column(population, what)
    if population.empty:
        raise ValueError(f"{what} has no rows")
    year_text = population[year_column].astype(str)
    bad = sorted(set(year_text[~year_text.str.fullmatch(YEAR_PATTERN)]))
    if bad:
        raise ValueError(
            f"{what}: {year_column} must be a year such as 2024 (stock on 31.12.), not {', '.join(bad[:5])}"
        )
    year = year_text.astype(int).to_numpy()
    counts = pd.to_numeric(population["population"], errors="coerce").to_numpy(dtype=float)
    if not np.all(np.isfinite(counts)) or np.any(counts < 0):
        raise ValueError(f"{what}: population must be a number of at least 0 in every row (no gaps, no negatives)")
    sex = pd.Index(SEXES).get_indexer(population["sex"].astype(str))
    if np.any(sex < 0):
        unknown = sorted(set(population["sex"][sex < 0].astype(str)))
        raise ValueError(f"{what}: sex must be 'w' or 'm', got {', '.join(unknown)}")
    band = pd.Index(AGE_BANDS).get_indexer(population["age_band"].astype(str))
    if np.any(band < 0):
        unknown = sorted(set(population["age_band"][band < 0].astype(str)))
        raise ValueError(f"{what}: age_band must be one of {', '.join(AGE_BANDS)}; got {', '.join(unknown[:5])}")
    districts, district = np.unique(population["district"].astype(str).to_numpy(), return_inverse=True)
    years, year_index = np.unique(year, return_inverse=True)
    gaps = sorted(set(range(years[0], years[-1] + 1)) - set(years.tolist()))
    if consecutive and gaps:
        raise ValueError(f"{what}: the years must follow each other without gaps (annual stocks); missing {gaps}")
    shape = (len(districts), len(years), len(SEXES), _BANDS)
    cell = np.ravel_multi_index((district, year_index, sex, band), shape)
    filled = np.bincount(cell, minlength=np.prod(shape)).reshape(shape)
    if np.any(filled != 1):
        index = tuple(int(i[0]) for i in np.nonzero(filled != 1))
        problem = "twice or more" if filled[index] > 1 else "missing"
        raise ValueError(
            f"{what} needs exactly one row per district, year, sex and age band; district {districts[index[0]]}, "
            f"{years[index[1]]}, sex {SEXES[index[2]]}, band {AGE_BANDS[index[3]]} is {problem}"
        )
    values = np.zeros(shape)
    values.reshape(-1)[cell] = counts
    return _Cube(tuple(str(d) for d in districts), tuple(int(y) for y in years), values)


def _grid_frame(levels, values, value_name):
    """Long DataFrame of an array: one column per axis (labels from `levels`, a dict in axis order) + values."""
    values = np.asarray(values)
    columns = {}
    for axis, (name, labels) in enumerate(levels.items()):
        inner, outer = int(np.prod(values.shape[axis + 1 :])), int(np.prod(values.shape[:axis]))
        columns[name] = np.tile(np.repeat(np.asarray(labels), inner), outer)
    columns[value_name] = values.reshape(-1)
    return pd.DataFrame(columns)


def _base(values, base_years):
    """The last `base_years` years of values[..., year, sex, band] (all when None)."""
    return values[:, -base_years:] if base_years is not None else values


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


# --- projection ------------------------------------------------------------------------------------------------


def _project_values(launch, fit, horizon, mothers):
    """Project launch[district, sex, band] `horizon` years with the fitted ratios -> [district, year, sex, band].

    Single years of age inside (0..89 and the open 90+): the launch bands are spread over single years once
    (`split_single_years`), then each year every single-year cohort moves up one year and is multiplied by
    the ratio of the band it enters; 90+ collects its own survivors and those from age 89 (the closed top
    band). The band 0-4 is the CWR times the women of the mother ages in the same year, split into girls and
    boys by the boys' share and over ages 0-4 like any band.
    """
    districts = launch.shape[0]
    state = split_single_years(launch)
    entering = np.repeat(fit.ratios[..., :-1], BAND_WIDTH, axis=-1)  # ratio for single ages 5..89
    top_ratio = fit.ratios[..., -1]
    sex_shares = np.array([1 - fit.boys_share, fit.boys_share])
    mother_ages = slice(mothers.start * BAND_WIDTH, mothers.stop * BAND_WIDTH)
    result = np.empty((districts, horizon, len(SEXES), _BANDS))
    for step in range(horizon):
        aged = np.empty_like(state)
        aged[..., BAND_WIDTH:OPEN_AGE] = state[..., BAND_WIDTH - 1 : OPEN_AGE - 1] * entering
        aged[..., OPEN_AGE] = (state[..., OPEN_AGE - 1] + state[..., OPEN_AGE]) * top_ratio
        bands = np.empty((districts, len(SEXES), _BANDS))
        bands[..., 1:-1] = aged[..., BAND_WIDTH:OPEN_AGE].reshape(districts, len(SEXES), -1, BAND_WIDTH).sum(-1)
        bands[..., -1] = aged[..., OPEN_AGE]
        bands[..., 0] = (fit.cwr * aged[:, 0, mother_ages].sum(axis=-1))[:, None] * sex_shares
        aged[..., :BAND_WIDTH] = split_single_years(bands)[..., :BAND_WIDTH]
        state = aged
        result[:, step] = bands
    return result


def _control(parts, total):
    """Scale parts[district, year, sex, band] so that they add up to total[year, sex, band] in every cell.

    Proportional adjustment per cell. Where the parts hold nobody but the total does, the total is shared by
    the districts' shares of that sex in that year (all districts equally if those are zero, too).
    """
    sums = parts.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        controlled = parts * np.where(sums > 0, total / sums, 0.0)
    gaps = (sums <= 0) & (total > 0)
    if np.any(gaps):
        by_sex = parts.sum(axis=-1, keepdims=True)
        sex_totals = by_sex.sum(axis=0, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            shares = np.where(sex_totals > 0, by_sex / sex_totals, 1 / parts.shape[0])
        controlled = np.where(gaps, shares * total, controlled)
    return controlled


def _run(values, horizon, ccr_k, cwr_k, mothers, control=None):
    """Fit on values[district, year, sex, band] (the base years), project, control: -> (parts, city)."""
    fit = _fit(values, ccr_k, cwr_k, mothers)
    parts = _project_values(values[:, -1], fit, horizon, mothers)
    if control is None:
        city = values.sum(axis=0, keepdims=True)
        control = _project_values(city[:, -1], _fit(city, 0.0, 0.0, mothers), horizon, mothers)[0]
    return _control(parts, control), control


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


def _control_array(control, years):
    """An official city projection (year, sex, age_band, population) as total[year, sex, band] for `years`."""
    frame = control.assign(district="city")
    cube = _cube(frame, what="the control table", consecutive=False)
    missing = sorted(set(years) - set(cube.years))
    if missing:
        raise ValueError(f"the control table must hold every projected year; missing {missing}")
    return cube.values[0, [cube.years.index(year) for year in years]]


def project(
    population,
    horizon=10,
    base_years=DEFAULT_BASE_YEARS,
    k=None,
    cwr_k=None,
    control=None,
    mother_ages=DEFAULT_MOTHER_AGES,
):
    """Project every district `horizon` years past the latest year, by sex and 5-year band.

    `population`: long table (district, period or year, sex, age_band, population) of consecutive years, one
    row per district, year, sex and band. Ratios from the last `base_years` years (None: all), shrunk with `k`
    (CCR, expected persons) and `cwr_k` (CWR, women per year), both estimated from all years when None. The
    districts are
    scaled to the projection of their sum (the city) per year, sex and band; pass `control` (year, sex,
    age_band, population for every projected year) to scale them to an official city projection instead.
    Returns district, year (int), sex, age_band, population for the projected years only.
    """
    _check_whole_number("horizon", horizon, 1)
    mothers = _check_mother_ages(mother_ages)
    cube = _base_cube(population, base_years)
    years = tuple(range(cube.years[-1] + 1, cube.years[-1] + horizon + 1))
    total = None if control is None else _control_array(control, years)
    ccr_k, cwr_k = _estimated_constants(cube.values, k, cwr_k, mothers)
    parts, _ = _run(_base(cube.values, base_years), horizon, ccr_k, cwr_k, mothers, total)
    levels = {"district": cube.districts, "year": years, "sex": SEXES, "age_band": AGE_BANDS}
    return _grid_frame(levels, parts, "population")


def control_to_total(parts, total):
    """Scale district counts so that they add up to `total` for every year, sex and band (proportional).

    `parts`: long table district, year (or period), sex, age_band, population; `total`: year (or period), sex,
    age_band, population, with every year of `parts`. Each cell of every district is multiplied by
    total / sum of the districts; a cell the districts leave empty while the total does not is shared by the
    districts' shares of that sex and year. Returns `parts` (same rows and order) with the new population.
    """
    cube = _cube(parts, what="parts", consecutive=False)
    totals = _control_array(total, cube.years)
    controlled = _control(cube.values, totals)
    year_column = _year_column(parts, "parts")
    index = pd.MultiIndex.from_arrays(
        [
            parts["district"].astype(str),
            parts[year_column].astype(str).astype(int),
            parts["sex"].astype(str),
            parts["age_band"].astype(str),
        ]
    )
    levels = {"district": cube.districts, "year": cube.years, "sex": SEXES, "age_band": AGE_BANDS}
    new = _grid_frame(levels, controlled, "population").set_index(list(levels))["population"]
    return parts.assign(population=new.reindex(index).to_numpy())


# --- areas and age groups --------------------------------------------------------------------------------------


def group_label(lower, upper):
    """German label of an age group from its first and last year of age (None: open), as the reports name it
    (`model.age_bands.age_group_label`): (0, 19) 'unter 20', (65, 79) '65–79', (80, None) '80 und älter';
    the whole population (0, None) is 'insgesamt'."""
    return "insgesamt" if (lower, upper) == TOTAL else age_group_label(lower, upper)


def group_weights(groups=DEFAULT_GROUPS):
    """Matrix [band, group] with the share of each 5-year band that falls into each age group.

    `groups`: (first, last) year of age, both inclusive, None for an open group (as `model.age_bands.AGE_GROUPS`).
    Bounds on band bounds take whole bands. A bound inside a band takes its share assuming even ages within the
    band: (0, 17) takes 3/5 of 15-19 (an approximation; the default groups avoid it). The open band 90+ cannot be
    split.
    """
    groups = tuple(groups)
    if not groups:
        raise ValueError("groups must name at least one age group as (first, last) year of age, e.g. (65, 79)")
    weights = np.zeros((_BANDS, len(groups)))
    starts = np.arange(_BANDS - 1) * BAND_WIDTH
    for column, group in enumerate(groups):
        try:
            lower, upper = group
            valid = isinstance(lower, int) and (upper is None or isinstance(upper, int)) and lower >= 0
            valid = valid and (upper is None or upper >= lower)
        except (TypeError, ValueError):
            valid = False
        if not valid:
            raise ValueError(
                f"each age group must be (first, last) whole years of age with first <= last or last None; "
                f"got {group!r}"
            )
        if lower > OPEN_AGE or (upper is not None and upper >= OPEN_AGE):
            raise ValueError(f"age group {group!r} splits the open band 90+; use a last age up to 89 or (first, None)")
        stop = np.inf if upper is None else upper + 1
        overlap = np.clip(np.minimum(starts + BAND_WIDTH, stop) - np.maximum(starts, lower), 0, None)
        weights[:-1, column] = overlap / BAND_WIDTH
        weights[-1, column] = 1.0 if upper is None else 0.0
    return weights


def _group_frame(groups):
    return {
        "age_group": [group_label(lower, upper) for lower, upper in groups],
        "age_from": [lower for lower, _ in groups],
        "age_to": pd.array([upper for _, upper in groups], dtype="Int64"),
    }


@dataclass(frozen=True)
class _Areas:
    codes: tuple[str, ...]
    names: tuple[str, ...]
    levels: tuple[str, ...]
    membership: np.ndarray  # [area, district] 0/1


def _areas(areas, districts):
    """Check the areas table (code, name, level, members) against the districts of the population table."""
    _require_columns(areas, ("code", "name", "level", "members"), "areas")
    if areas.empty:
        raise ValueError("areas has no rows")
    codes = areas["code"].astype(str).tolist()
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise ValueError(f"areas lists the code(s) {', '.join(duplicates)} more than once")
    position = {district: i for i, district in enumerate(districts)}
    membership = np.zeros((len(codes), len(districts)))
    for row, (code, members) in enumerate(zip(codes, areas["members"], strict=True)):
        names = [m.strip() for m in str(members).split(",") if m.strip()] if not pd.isna(members) else []
        unknown = [m for m in names if m not in position]
        if not names or unknown:
            raise ValueError(
                f"area {code} must list its Ortsteile (comma-separated codes of the population table) as members; "
                + (f"unknown: {', '.join(unknown)}" if unknown else "it lists none")
            )
        membership[row, [position[m] for m in names]] = 1.0
    return _Areas(tuple(codes), tuple(areas["name"].astype(str)), tuple(areas["level"].astype(str)), membership)


def _area_groups(values, membership, weights):
    """values[district, year, sex, band] -> [area, year, group] (both sexes)."""
    return np.einsum("ad,dysb,bg->ayg", membership, values, weights, optimize=True)


def aggregate(frame, areas, groups=DEFAULT_GROUPS):
    """Sum a district table (observed or projected) to the areas of `areas` and to age groups, both sexes.

    `frame`: district, year (or period), sex, age_band, population; `areas`: code, name, level, members
    (comma-separated district codes). Returns area, name, level, year, age_group, age_from, age_to (inclusive,
    NA for open groups), population.
    """
    cube = _cube(frame, what="frame", consecutive=False)
    info = _areas(areas, cube.districts)
    totals = _area_groups(cube.values, info.membership, group_weights(groups))
    result = _grid_frame({"area": info.codes, "year": cube.years, "group": range(len(groups))}, totals, "population")
    return _with_labels(result, info, groups)


def _with_labels(result, info, groups):
    """Add name and level after area and the group labels and bounds in place of a 'group' index column."""
    at = result.columns.get_loc("group")
    group = result.pop("group").to_numpy()
    labels = _group_frame(groups)
    for offset, (name, values) in enumerate(labels.items()):
        result.insert(at + offset, name, values[group] if name == "age_to" else np.asarray(values)[group])
    position = {code: i for i, code in enumerate(info.codes)}
    area = result["area"].map(position).to_numpy()
    result.insert(1, "name", np.asarray(info.names)[area])
    result.insert(2, "level", np.asarray(info.levels)[area])
    return result


def size_class_labels(size_bounds=DEFAULT_SIZE_BOUNDS):
    """Labels of the area-size classes: 'unter 1.000', '1.000–4.999', ..., '10.000 und mehr'."""

    def number(value):
        return f"{value:,}".replace(",", ".")

    bounds = list(size_bounds)
    labels = [f"unter {number(bounds[0])}"]
    labels += [f"{number(low)}–{number(high - 1)}" for low, high in itertools.pairwise(bounds)]
    return labels + [f"{number(bounds[-1])} und mehr"]


def _check_size_bounds(size_bounds):
    bounds = tuple(size_bounds)
    if not bounds or any(not isinstance(b, int) or b <= 0 for b in bounds) or list(bounds) != sorted(set(bounds)):
        raise ValueError(
            f"size_bounds must be increasing whole numbers above 0, e.g. (1000, 5000, 10000); got {size_bounds!r}"
        )
    return bounds


def _residents(info, launch):
    """Residents of each area in one year, from launch[district, sex, band]."""
    return np.einsum("ad,dsb->a", info.membership, launch)


def _size_classes(population, size_bounds):
    """Size class (index into size_class_labels) of each area from its residents."""
    return np.searchsorted(np.asarray(size_bounds), population, side="right")


# --- back-test and intervals -----------------------------------------------------------------------------------


def _backtest(cube, info, base_years, ccr_k, cwr_k, max_horizon, min_base_years, groups, size_bounds, mothers):
    """Back-test arrays -> DataFrame of projected and observed area-group counts per base year and horizon."""
    values, years = cube.values, cube.years
    weights = group_weights(groups)
    observed = _area_groups(values, info.membership, weights)  # [area, year, group]
    classes = _size_classes(_residents(info, values[:, -1]), size_bounds)
    pieces = []
    for last in range(min_base_years - 1, len(years) - 1):
        horizon = len(years) - 1 - last if max_horizon is None else min(max_horizon, len(years) - 1 - last)
        first = 0 if base_years is None else max(0, last + 1 - base_years)
        parts, _ = _run(values[:, first : last + 1], horizon, ccr_k, cwr_k, mothers)
        projected = _area_groups(parts, info.membership, weights)
        pieces.append((years[last], projected, observed[:, last + 1 : last + 1 + horizon]))
    frames = []
    for base_year, projected, actual in pieces:
        horizon = projected.shape[1]
        levels = {
            "area": info.codes,
            "year": range(base_year + 1, base_year + horizon + 1),
            "group": range(len(groups)),
        }
        frame = _grid_frame(levels, projected, "projected")
        frame["observed"] = actual.reshape(-1)
        frame.insert(1, "base_year", base_year)
        frames.append(frame)
    if not frames:
        raise ValueError(
            f"a back-test needs at least {min_base_years + 1} years of population data "
            f"({min_base_years} base years and one year to compare with); there are {len(years)}"
        )
    result = pd.concat(frames, ignore_index=True)
    result.insert(3, "horizon", result["year"] - result["base_year"])
    position = {code: i for i, code in enumerate(info.codes)}
    labels = size_class_labels(size_bounds)
    result.insert(
        1,
        "size_class",
        pd.Categorical.from_codes(classes[result["area"].map(position).to_numpy()], categories=labels, ordered=True),
    )
    result = _with_labels(result, info, groups)
    projected, actual = result["projected"].to_numpy(), result["observed"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        result["pct_error"] = np.where(actual > 0, 100 * (projected - actual) / actual, np.nan)
        result["log_error"] = np.where((actual > 0) & (projected > 0), np.log(projected / actual), np.nan)
    return result


def backtest(
    population,
    areas,
    base_years=DEFAULT_BASE_YEARS,
    k=None,
    cwr_k=None,
    max_horizon=None,
    min_base_years=2,
    groups=DEFAULT_GROUPS,
    size_bounds=DEFAULT_SIZE_BOUNDS,
    mother_ages=DEFAULT_MOTHER_AGES,
):
    """Project from every earlier base year to the years already known and compare, per area and age group.

    Each base year B from the `min_base_years`-th year on fits the ratios on the years up to B (at most the last
    `base_years`), projects to B+1 .. the latest year (at most `max_horizon` years) with control to the city's
    own projection, and sums districts to the areas of `areas` and to `groups`. The shrinkage constants are
    estimated once from all years given (None) or taken as given: they are settings of the method, not part
    of what is tested. With 2019-2024 the base years are 2020-2023 and the longest horizon is 4 years (from
    2020, with ratios from one transition only). Areas are put in size classes by their residents in the
    latest year. Returns area, size_class, name, level, base_year, year, horizon, age_group, age_from, age_to,
    projected, observed, pct_error = 100 (projected - observed) / observed and log_error = ln(projected /
    observed) (NaN where undefined).
    """
    _check_base_years(base_years)
    _check_whole_number("min_base_years", min_base_years, 2)
    if max_horizon is not None:
        _check_whole_number("max_horizon", max_horizon, 1)
    mothers = _check_mother_ages(mother_ages)
    bounds = _check_size_bounds(size_bounds)
    groups = tuple(groups)
    cube = _cube(population)
    info = _areas(areas, cube.districts)
    if len(cube.years) < min_base_years + 1:
        raise ValueError(
            f"a back-test needs at least {min_base_years + 1} years of population data; there are {len(cube.years)}"
        )
    ccr_k, cwr_k = _estimated_constants(cube.values, k, cwr_k, mothers)
    return _backtest(cube, info, base_years, ccr_k, cwr_k, max_horizon, min_base_years, groups, bounds, mothers)


def _select_group(errors, lower, upper):
    selected = errors["age_from"].eq(lower) & (
        errors["age_to"].isna() if upper is None else errors["age_to"].eq(upper).fillna(False)
    )
    if not selected.any():
        raise ValueError(f"the back-test has no age group {group_label(lower, upper)} ({lower}, {upper})")
    return errors[selected]


#: The groups of the back-test error table: the whole population and the "young old".
ERROR_TABLE_GROUPS = (TOTAL, (65, 79))


def backtest_error_table(errors, horizon=None, groups=ERROR_TABLE_GROUPS):
    """MAPE (mean absolute percentage error, %) per area-size class at one horizon, for each age group.

    `errors` from `backtest`; `horizon` defaults to the longest one in it. `groups` as (first, last) year of age
    (default: total population and 65-79). Returns size_class, areas, projections (area x base year pairs),
    horizon and one column "MAPE <group label>" per group; classes without areas are left out.
    """
    _require_columns(errors, ("size_class", "area", "horizon", "age_from", "age_to", "pct_error"), "errors")
    horizon = int(errors["horizon"].max()) if horizon is None else horizon
    at_horizon = errors[errors["horizon"] == horizon]
    if at_horizon.empty:
        raise ValueError(
            f"the back-test has no projections {horizon} years ahead; horizons: "
            f"{sorted(errors['horizon'].unique().tolist())}"
        )
    table = None
    for lower, upper in groups:
        subset = _select_group(at_horizon, lower, upper)
        summary = subset.groupby("size_class", observed=True).agg(
            areas=("area", "nunique"),
            projections=("pct_error", "size"),
            mape=("pct_error", lambda e: float(np.nanmean(np.abs(e))) if e.notna().any() else np.nan),
        )
        column = f"MAPE {group_label(lower, upper)}"
        if table is None:
            table = summary.rename(columns={"mape": column})
            table.insert(2, "horizon", horizon)
        else:
            table[column] = summary["mape"]
    return table.reset_index()


def _scale(horizon, scaling):
    horizon = np.asarray(horizon, dtype=float)
    return horizon if scaling == "linear" else np.sqrt(horizon)


def _check_interval_settings(coverage, scaling):
    if np.ndim(coverage) != 0 or not 0 < coverage < 1:
        raise ValueError(f"coverage must be one number between 0 and 1 (e.g. 0.8 for 80 % intervals), not {coverage!r}")
    if scaling not in SCALINGS:
        raise ValueError(f"scaling must be one of {', '.join(SCALINGS)}, got {scaling!r}")


def error_quantiles(errors, coverage=0.8, scaling="linear"):
    """Quantile of the absolute log errors per year of horizon, per size class and age group.

    Every back-test error |ln(projected / observed)| is divided by its horizon h ("linear", errors growing in
    proportion to the horizon as found by Smith & Sincich 1988) or by sqrt(h) ("sqrt", a random walk), which
    pools all horizons; the `coverage` quantile of these per class and group (`raw_quantile`) is the
    half-width of the interval per unit of scaled horizon. A few dozen errors per class make these quantiles
    noisy, so `quantile` is never below that of a larger size class for the same group: smaller areas do not
    get narrower intervals than larger ones. Returns size_class, age_group, errors (how many), raw_quantile,
    quantile.
    """
    _check_interval_settings(coverage, scaling)
    _require_columns(errors, ("size_class", "age_group", "horizon", "log_error"), "errors")
    usable = errors.dropna(subset=["log_error"])
    scaled = usable.assign(scaled=np.abs(usable["log_error"]) / _scale(usable["horizon"], scaling))
    summary = scaled.groupby(["size_class", "age_group"], observed=True, sort=False)["scaled"]
    table = summary.agg(errors="size", raw_quantile=lambda e: float(np.quantile(e, coverage))).reset_index()
    table = table.sort_values("size_class", kind="stable", ignore_index=True)
    larger_first = table.iloc[::-1]
    table["quantile"] = larger_first.groupby("age_group", sort=False)["raw_quantile"].cummax().iloc[::-1]
    return table


def prediction_intervals(projection, errors, coverage=0.8, scaling="linear"):
    """Add lower and upper limits to an area projection from back-test errors of the same size class and group.

    `projection` needs size_class, age_group, horizon and population (as made by `project_with_intervals`).
    With q the `coverage` quantile from `error_quantiles` and s(h) = h or sqrt(h), the limits are
    population * exp(-q s(h)) and population * exp(q s(h)): symmetric on the log scale, never negative.
    Class and group combinations without back-test errors get NaN limits.
    """
    _require_columns(projection, ("size_class", "age_group", "horizon", "population"), "projection")
    quantiles = error_quantiles(errors, coverage, scaling)
    key = pd.MultiIndex.from_frame(quantiles[["size_class", "age_group"]].astype(str))
    lookup = pd.Series(quantiles["quantile"].to_numpy(), index=key)
    wanted = pd.MultiIndex.from_arrays([projection["size_class"].astype(str), projection["age_group"].astype(str)])
    half_width = lookup.reindex(wanted).to_numpy() * _scale(projection["horizon"], scaling)
    population = projection["population"].to_numpy(dtype=float)
    return projection.assign(lower=population * np.exp(-half_width), upper=population * np.exp(half_width))


@dataclass(frozen=True)
class ProjectionRun:
    """Everything one projection with intervals produces (`run_projection`)."""

    #: area, name, level, size_class, year, horizon, age_group, age_from, age_to, population, lower, upper: the
    #: projected years; attrs hold the settings and the shrinkage constants used
    groups: pd.DataFrame
    #: area, year, sex, age_band, population: the projected years by sex and band, summed over each area's members
    bands: pd.DataFrame
    #: area, name, level, year, age_group, age_from, age_to, population: the launch year (the latest observed)
    launch: pd.DataFrame
    #: the back-test errors the intervals come from (`backtest`)
    errors: pd.DataFrame


def run_projection(
    population,
    areas,
    horizon=10,
    coverage=0.8,
    scaling="linear",
    base_years=DEFAULT_BASE_YEARS,
    k=None,
    cwr_k=None,
    control=None,
    groups=DEFAULT_GROUPS,
    size_bounds=DEFAULT_SIZE_BOUNDS,
    mother_ages=DEFAULT_MOTHER_AGES,
    max_backtest_horizon=None,
):
    """`project_with_intervals`, and beside it the projected bands of every area, its launch-year groups and the
    back-test errors, from one fit (a `ProjectionRun`)."""
    _check_whole_number("horizon", horizon, 1)
    _check_interval_settings(coverage, scaling)
    _check_base_years(base_years)
    mothers = _check_mother_ages(mother_ages)
    bounds = _check_size_bounds(size_bounds)
    groups = tuple(groups)
    weights = group_weights(groups)
    cube = _cube(population)
    info = _areas(areas, cube.districts)
    if len(cube.years) < 3:
        raise ValueError("prediction intervals need a back-test and so at least three years of population data")
    ccr_k, cwr_k = _estimated_constants(cube.values, k, cwr_k, mothers)
    launch = cube.years[-1]
    years = tuple(range(launch + 1, launch + horizon + 1))
    total = None if control is None else _control_array(control, years)
    parts, _ = _run(_base(cube.values, base_years), horizon, ccr_k, cwr_k, mothers, total)
    errors = _backtest(cube, info, base_years, ccr_k, cwr_k, max_backtest_horizon, 2, groups, bounds, mothers)

    classes = np.asarray(size_class_labels(bounds))[_size_classes(_residents(info, cube.values[:, -1]), bounds)]
    result = _grid_frame(
        {"area": info.codes, "year": years, "group": range(len(groups))},
        _area_groups(parts, info.membership, weights),
        "population",
    )
    result.insert(1, "size_class", classes[np.repeat(np.arange(len(info.codes)), horizon * len(groups))])
    result.insert(3, "horizon", result["year"] - launch)
    result = prediction_intervals(_with_labels(result, info, groups), errors, coverage, scaling)
    result = result[
        [
            "area",
            "name",
            "level",
            "size_class",
            "year",
            "horizon",
            "age_group",
            "age_from",
            "age_to",
            "population",
            "lower",
            "upper",
        ]
    ]
    result.attrs.update(
        coverage=coverage,
        scaling=scaling,
        base_years=base_years,
        ccr_k=ccr_k.tolist(),
        cwr_k=cwr_k,
        launch_year=launch,
        control="official" if control is not None else "city projection",
    )
    levels = {"area": info.codes, "year": years, "sex": SEXES, "age_band": AGE_BANDS}
    bands = _grid_frame(levels, np.einsum("ad,dysb->aysb", info.membership, parts), "population")
    observed = _grid_frame(
        {"area": info.codes, "year": (launch,), "group": range(len(groups))},
        _area_groups(cube.values[:, -1:], info.membership, weights),
        "population",
    )
    return ProjectionRun(result, bands, _with_labels(observed, info, groups), errors)


def project_with_intervals(
    population,
    areas,
    horizon=10,
    coverage=0.8,
    scaling="linear",
    base_years=DEFAULT_BASE_YEARS,
    k=None,
    cwr_k=None,
    control=None,
    groups=DEFAULT_GROUPS,
    size_bounds=DEFAULT_SIZE_BOUNDS,
    mother_ages=DEFAULT_MOTHER_AGES,
    max_backtest_horizon=None,
):
    """Projection per area of `areas` (Ortsteile, Stadtteile, city), year and age group, with prediction limits.

    Projects all districts (`project`), sums them to the areas and `groups`, back-tests the method on the same
    data (`backtest`, with the city's own projection as control even when `control` is given) and adds
    `coverage` limits from the errors of the area's size class and age group (`prediction_intervals`). Returns
    area, name, level, size_class, year, horizon, age_group, age_from, age_to (inclusive bounds, NA open),
    population, lower, upper; attrs hold the settings and the shrinkage constants used.
    """
    return run_projection(
        population, areas, horizon, coverage, scaling, base_years, k, cwr_k, control, groups, size_bounds,
        mother_ages, max_backtest_horizon,
    ).groups  # fmt: skip
