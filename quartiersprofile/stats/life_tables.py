"""Life expectancy from an abridged life table, as PHEindicatormethods' phe_life_expectancy (the method OHID
publishes in Fingertips): Chiang II with Silcocks et al.'s variance for the open age band, including PHE's rules
for when a value is not calculated or not shown.

Conventions as in `estimates`: arguments are checked first (plain-language ValueError); age bands on the last
axis, any leading axes (areas, sexes, periods) at once; single-area input gives Python floats and str; missing
values give NaN for the area.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .checks import (
    broadcast,
    check,
    check_confidence,
    normal_quantile,
    scalar_or_array,
)
from .estimates import Estimate

# Age band layouts (band start ages; the last band is open, 90+).
PHE_AGE_BANDS = (0, 1, *range(5, 95, 5))  # the 20 bands of phe_life_expectancy: 0, 1-4, 5-9, ..., 85-89, 90+
FIVE_YEAR_AGE_BANDS = tuple(range(0, 95, 5))  # 19 bands 0-4, 5-9, ..., 85-89, 90+

LE_RADIX = 100_000  # l0
LE_MIN_TOTAL_POPULATION = 5_000  # life expectancy is not calculated for a total population of this or less
LE_MAX_CI_WIDTH = 20  # years; a value whose 95 % interval is wider is not shown (its limits still are)

# Reasons why a life expectancy is missing ("" when it was calculated and is shown).
LE_REASON_MISSING = "missing deaths or population"
LE_REASON_NO_POPULATION = "an age band has no population"
LE_REASON_DEATHS_EXCEED_POPULATION = "deaths exceed the population in an age band"
LE_REASON_SMALL_POPULATION = "total population is 5,000 or less"
LE_REASON_NO_FINAL_DEATHS = "no deaths in the final (open) age band"
LE_REASON_WIDE_INTERVAL = "95% confidence interval is wider than 20 years"
_Z95 = 1.959963984540054  # qnorm(0.975); PHE fixes 95 % for the 20-year rule and for limits given to phe_sii


@dataclass(frozen=True)
class LifeExpectancyEstimate(Estimate):
    """An Estimate of life expectancy plus why it is missing: `reason` is "" where the value is shown.

    When the 95 % interval is wider than 20 years only `value` is NaN (the limits are kept, as in PHE); for
    every other reason value and limits are NaN.
    """

    reason: str | np.ndarray = ""


def _estimate(value, lower, upper, method, confidence):
    """Build an Estimate, turning 0-d results into Python floats."""
    return Estimate(scalar_or_array(value), scalar_or_array(lower), scalar_or_array(upper), method, confidence)


def _reverse_cumsum(values):
    """Sum from each position to the end of the last axis."""
    return np.flip(np.cumsum(np.flip(values, axis=-1), axis=-1), axis=-1)


def _check_age_bands(age_band_start):
    """Return the band start ages as a float array after checking they can form an abridged life table."""
    starts = np.asarray(age_band_start, dtype=float)
    if starts.ndim != 1 or starts.size < 2:
        raise ValueError("age_band_start must list the start age of at least two age bands, youngest first")
    check(~np.isfinite(starts), "age_band_start must contain only finite ages")
    if starts[0] != 0:
        raise ValueError(f"the first age band must start at age 0, not {age_band_start[0]!r}")
    check(np.diff(starts) <= 0, "age_band_start must be strictly increasing (youngest band first)")
    return starts


def life_expectancy(deaths, population, age_band_start, confidence=0.95, at_age=0):
    """Life expectancy at `at_age` from an abridged life table, as PHEindicatormethods phe_life_expectancy.

    deaths, population: counts per age band on the last axis (person-years; usually the mid-year population
    summed over the years the deaths cover), any leading axes for areas. age_band_start: the start age of each
    band, youngest first, starting at 0, the last band open-ended - PHE's 20 bands (`PHE_AGE_BANDS`: 0, 1-4,
    5-9, ..., 90+) or five-year bands (`FIVE_YEAR_AGE_BANDS`: 0-4, ..., 90+). at_age: one of the band starts.

    Method (Chiang II, as PHE and ONS): l0 = 100,000; fraction of the interval lived by those dying in it
    a = 0.1 for the band starting at 0 (also when that band is 0-4) and 0.5 otherwise; M = deaths/population;
    q = nM / (1 + nM(1 - a)), or 1 where deaths exceed population/(n a); the open band has q = 1 and
    L = l/M. Variance: Chiang's sum over bands of l^2 ((1 - a) n + e_next)^2 q^2 (1 - q) / deaths plus, for
    the open band, Silcocks et al.'s term l^2 / (deaths M^2); limits e +/- z SE.

    Not calculated (value and limits NaN, `reason` says why) when a deaths or population value is missing, an
    age band has no population, deaths exceed the population in a band, the total population is 5,000 or less,
    or the final band has no deaths. A value whose 95 % interval is wider than 20 years (1.96 SE > 10,
    whatever `confidence` is) is not shown: value NaN, limits kept, as PHE. Negative counts raise ValueError.
    """
    # Long on purpose: the Chiang II table as PHEindicatormethods builds it, column by column.
    confidence = check_confidence(confidence)
    starts = _check_age_bands(age_band_start)
    deaths, population = broadcast(deaths, population)
    if deaths.ndim == 0 or deaths.shape[-1] != starts.size:
        raise ValueError(
            f"deaths and population need one value per age band on the last axis ({starts.size} bands "
            f"from age_band_start), got shape {deaths.shape}"
        )
    check(deaths < 0, "deaths must not be negative")
    check(population < 0, "population must not be negative")
    if isinstance(at_age, bool) or not isinstance(at_age, int | float | np.number) or at_age not in starts:
        raise ValueError(
            f"at_age must be the start age of one of the bands {starts.astype(int).tolist()}, got {at_age!r}"
        )
    index = int(np.flatnonzero(starts == at_age)[0])

    widths = np.diff(starts)  # n for all but the open band
    share = np.where(starts[:-1] == 0, 0.1, 0.5)  # a for all but the open band
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rate = deaths / population  # M
        closed_rate = rate[..., :-1]
        all_die = deaths[..., :-1] > population[..., :-1] / widths / share
        q_closed = np.where(all_die, 1.0, closed_rate * widths / (1 + closed_rate * widths * (1 - share)))
        survivors = LE_RADIX * np.cumprod(np.concatenate([np.ones_like(rate[..., :1]), 1 - q_closed], axis=-1), axis=-1)
        l_closed, l_next = survivors[..., :-1], survivors[..., 1:]
        dying = l_closed - l_next  # d for the closed bands
        years = np.concatenate(
            [widths * (l_next + share * dying), survivors[..., -1:] / rate[..., -1:]], axis=-1
        )  # L; the open band lives 1/M years on average
        expectancy = np.where(survivors == 0, 0.0, _reverse_cumsum(years) / survivors)
        q_variance = np.where(dying == 0, 0.0, q_closed**2 * (1 - q_closed) / deaths[..., :-1])
        weighted = np.concatenate(
            [
                q_variance * l_closed**2 * ((1 - share) * widths + expectancy[..., 1:]) ** 2,
                (survivors[..., -1:] / 2) ** 2 * 4 / (deaths[..., -1:] * rate[..., -1:] ** 2),  # Silcocks et al.
            ],
            axis=-1,
        )
        se = np.sqrt(_reverse_cumsum(weighted)[..., index] / survivors[..., index] ** 2)
        value = expectancy[..., index]
        half_width = normal_quantile(confidence) * se

    reason = np.select(
        [
            np.any(np.isnan(deaths) | np.isnan(population), axis=-1),
            np.any(population == 0, axis=-1),
            np.any(deaths > population, axis=-1),
            population.sum(axis=-1) <= LE_MIN_TOTAL_POPULATION,
            deaths[..., -1] == 0,
        ],
        [
            LE_REASON_MISSING,
            LE_REASON_NO_POPULATION,
            LE_REASON_DEATHS_EXCEED_POPULATION,
            LE_REASON_SMALL_POPULATION,
            LE_REASON_NO_FINAL_DEATHS,
        ],
        "",
    )
    not_calculated = reason != ""
    too_wide = ~not_calculated & (_Z95 * se > LE_MAX_CI_WIDTH / 2)
    reason = np.where(too_wide, LE_REASON_WIDE_INTERVAL, reason)
    with np.errstate(invalid="ignore"):
        lower = np.where(not_calculated, np.nan, value - half_width)
        upper = np.where(not_calculated, np.nan, value + half_width)
    value = np.where(not_calculated | too_wide, np.nan, value)
    return LifeExpectancyEstimate(
        scalar_or_array(value),
        scalar_or_array(lower),
        scalar_or_array(upper),
        "Chiang, using Silcocks et al for confidence limits",
        confidence,
        scalar_or_array(reason),
    )
