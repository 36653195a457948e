"""Vectorised public-health statistics, modelled on PHEindicatormethods (the Fingertips methods).

Every function takes scalars or array-likes, broadcasts them with numpy and returns results of the
broadcast shape; scalar input gives Python floats (or a str). Confidence levels are two-sided fractions,
e.g. 0.95 or 0.998. Missing values (NaN) pass through as NaN.
"""

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import special  # the distribution functions themselves: scipy.stats is slow to import

from .checks import broadcast, check, check_confidence, check_positive_number, check_whole_number, normal_quantile

# European Standard Population 2013, 19 five-year bands 0-4, 5-9, ..., 85-89, 90+.
ESP2013 = (
    5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
    7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000,
)  # fmt: skip

POLARITIES = ("higher_is_better", "higher_is_worse", "neutral")
TREND_STATISTICS = ("proportion", "rate", "dsr")

# Labels for a value significantly above / below the benchmark, per polarity.
_COMPARISON_LABELS = {
    "higher_is_better": ("better", "worse"),
    "higher_is_worse": ("worse", "better"),
    "neutral": ("higher", "lower"),
}
_BYAR_MIN_EVENTS = 10  # exact Poisson limits below, Byar's approximation from here on; DSRs need as many


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its two-sided confidence interval (floats for scalar input, else arrays)."""

    value: float | np.ndarray
    lower: float | np.ndarray
    upper: float | np.ndarray
    method: str
    confidence: float


@dataclass(frozen=True)
class Trend:
    """Result of a recent-trend test: direction label(s), p-value(s) and the test used."""

    direction: str | np.ndarray
    p_value: float | np.ndarray
    method: str


def _estimate(value, lower, upper, method, confidence):
    """Build an Estimate, turning 0-d results into Python floats."""
    if np.ndim(value) == 0:
        value, lower, upper = float(value), float(lower), float(upper)
    return Estimate(value, lower, upper, method, confidence)


def poisson_limits(events, confidence):
    """Limits for Poisson counts: exact (gamma/chi-square quantiles) below 10 events, Byar's method from 10.

    Exact limits as in Armitage & Berry (2002); Byar's approximation as in Breslow & Day (1987), vol. II.
    Both as in PHEindicatormethods phe_rate. Zero events give a lower limit of exactly 0.
    """
    tail = (1 - confidence) / 2
    z = normal_quantile(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        exact_lower = np.where(events > 0, special.gammaincinv(events, tail), 0.0)
        exact_upper = special.gammainccinv(events + 1, tail)
        byar_lower = events * (1 - 1 / (9 * events) - z / (3 * np.sqrt(events))) ** 3
        byar_upper = (events + 1) * (1 - 1 / (9 * (events + 1)) + z / (3 * np.sqrt(events + 1))) ** 3
    exact = events < _BYAR_MIN_EVENTS
    return np.where(exact, exact_lower, byar_lower), np.where(exact, exact_upper, byar_upper)


def proportion(numerator, denominator, confidence=0.95, multiplier=1):
    """Proportion with Wilson score interval (Wilson 1927; Newcombe & Altman 2000), as phe_proportion.

    The lower limit uses the algebraically equal form 2x^2 / (n (2x + z^2 + z sqrt(z^2 + 4x(n-x)/n))),
    which avoids cancellation and gives exactly 0 for 0/n; n/n gives an upper limit of exactly 1.
    """
    confidence = check_confidence(confidence)
    check_positive_number("multiplier", multiplier)
    x, n = broadcast(numerator, denominator)
    check(n <= 0, "denominator must be greater than 0")
    check(x < 0, "numerator must not be negative")
    check(x > n, "numerator must not be larger than the denominator")
    z = normal_quantile(confidence)
    spread = 2 * x + z**2 + z * np.sqrt(z**2 + 4 * x * (n - x) / n)
    lower = 2 * x**2 / (n * spread)
    upper = np.where(x == n, 1.0, spread / (2 * (n + z**2)))
    return _estimate(x / n * multiplier, lower * multiplier, upper * multiplier, "Wilson score", confidence)


def rate(events, population, confidence=0.95, multiplier=100_000):
    """Crude rate with exact Poisson limits below 10 events and Byar's method from 10, as phe_rate."""
    confidence = check_confidence(confidence)
    check_positive_number("multiplier", multiplier)
    x, n = broadcast(events, population)
    check(x < 0, "events must not be negative")
    check(n <= 0, "population must be greater than 0")
    lower, upper = poisson_limits(x, confidence)
    scale = multiplier / n
    return _estimate(x * scale, lower * scale, upper * scale, "exact Poisson (< 10 events), Byar", confidence)


def dsr(events, population, standard=None, confidence=0.95, multiplier=100_000):
    """Directly age-standardised rate with Dobson et al. (1991) limits, as PHEindicatormethods calculate_dsr.

    The last axis holds the age bands (default: the 19 bands of ESP2013). The limits scale the Poisson
    limits of the total events (Byar's method, `poisson_limits`) by sqrt(var(DSR) / total events) with
    var(DSR) = sum(events_i * (standard_i / population_i)^2) / sum(standard)^2. Value and limits are NaN
    when there are fewer than 10 events in total, and where an age band has no population (undefined).
    As in PHEindicatormethods, the lower limit can fall below 0 when a few events carry very large weights.
    """
    confidence = check_confidence(confidence)
    check_positive_number("multiplier", multiplier)
    x, n = broadcast(events, population)
    if x.ndim == 0:
        raise ValueError("events and population need an age band axis (the last axis)")
    weights = np.asarray(ESP2013 if standard is None else standard, dtype=float)
    if weights.shape != x.shape[-1:]:
        raise ValueError(
            f"the standard population has {weights.size} age bands but the data have {x.shape[-1]}; "
            "pass a standard of matching length (e.g. ESP2013[:13] for ages 0-64)"
        )
    check(weights < 0, "standard population must not be negative")
    check(weights.sum() <= 0, "standard population must have a positive total")
    check(x < 0, "events must not be negative")
    check(n < 0, "population must not be negative")
    check((n == 0) & (x > 0), "an age band with events must have a population greater than 0")
    total_weight = weights.sum()
    total = x.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = weights / n
        value = np.sum(x * ratio, axis=-1) / total_weight * multiplier
        scale = np.sqrt(np.sum(x * ratio**2, axis=-1) / total_weight**2 / total) * multiplier
    lower_count, upper_count = poisson_limits(total, confidence)
    unreliable = total < _BYAR_MIN_EVENTS
    value = np.where(unreliable, np.nan, value)
    lower = np.where(unreliable, np.nan, value + scale * (lower_count - total))
    upper = np.where(unreliable, np.nan, value + scale * (upper_count - total))
    return _estimate(value, lower, upper, "Dobson", confidence)


def mean_from_summary(total, n, sd, confidence=0.95):
    """Mean from summary data (sum, count, sample standard deviation) with Student's t interval, as phe_mean.

    The limits are NaN where n is 1 (no spread can be estimated).
    """
    confidence = check_confidence(confidence)
    total, n, sd = broadcast(total, n, sd)
    check(n < 1, "n (number of observations) must be at least 1")
    check(sd < 0, "sd must not be negative")
    value = total / n
    with np.errstate(divide="ignore", invalid="ignore"):
        half_width = -special.stdtrit(n - 1, (1 - confidence) / 2) * sd / np.sqrt(n)  # = scipy.stats.t.isf
    return _estimate(value, value - half_width, value + half_width, "Student's t", confidence)


def mean(values, confidence=0.95):
    """Mean of raw values along the last axis (NaN ignored) with Student's t interval, as phe_mean."""
    values = np.asarray(values, dtype=float)
    if values.ndim == 0:
        raise ValueError("values must be an array of observations (observations on the last axis)")
    n = np.sum(~np.isnan(values), axis=-1)
    check(n == 0, "values must contain at least one non-missing observation")
    total = np.nansum(values, axis=-1)
    squares = np.nansum((values - (total / n)[..., None]) ** 2, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(squares / (n - 1))
    return mean_from_summary(total, n, sd, confidence)


def compare_to_benchmark(lower, upper, benchmark, polarity):
    """Classify values by whether their confidence interval excludes the benchmark (Fingertips comparison).

    Returns "better"/"worse" (polarity higher_is_better or higher_is_worse), "higher"/"lower" (neutral),
    "similar" when the benchmark lies within [lower, upper] (limits included), and "not compared" when a
    limit or the benchmark is missing. Array input gives an array of str, scalar input a str.
    """
    low, high, mark = broadcast(lower, upper, benchmark)
    low, high, mark, polarity = np.broadcast_arrays(low, high, mark, np.asarray(polarity, dtype=str))
    matches = polarity[..., None] == np.array(POLARITIES)
    unknown = sorted(set(polarity[~matches.any(axis=-1)].tolist()))
    if unknown:
        raise ValueError(f"polarity must be one of {', '.join(POLARITIES)}; got {', '.join(unknown)}")
    check(low > high, "lower limit must not be above the upper limit")
    labels = np.array([_COMPARISON_LABELS[name] for name in POLARITIES])[matches.argmax(axis=-1)]
    above, below = labels[..., 0], labels[..., 1]
    missing = np.isnan(low) | np.isnan(high) | np.isnan(mark)
    result = np.select([missing, low > mark, high < mark], ["not compared", above, below], "similar")
    return str(result) if result.ndim == 0 else result


def recent_trend(numerators, denominators, statistic="proportion", periods=5, confidence=0.95):
    """Test for a linear trend over the last `periods` equally spaced time points (last axis, oldest first).

    Proportions: chi-square test for linear trend (Cochran 1954; Armitage 1955), as R prop.trend.test.
    Rates: score test for a log-linear trend in Poisson rates, chi2 = (sum (t - tbar) x)^2 / (X var_w(t))
    with population-weighted time mean and variance (Breslow & Day 1987, vol. II, eq. 3.12); for "dsr"
    pass the total events and population (a crude-rate test that ignores changes in age structure).
    The direction is "not calculated" with fewer than `periods` values, a missing value, a zero
    denominator, or when the test is undefined (no events, or all events for a proportion).
    """
    confidence = check_confidence(confidence)
    if statistic not in TREND_STATISTICS:
        raise ValueError(f"statistic must be one of {', '.join(TREND_STATISTICS)}, got {statistic!r}")
    check_whole_number("periods", periods, 2)
    x, n = broadcast(numerators, denominators)
    if x.ndim == 0:
        raise ValueError("numerators and denominators need a time axis (the last axis)")
    check(x < 0, "numerators must not be negative")
    check(n < 0, "denominators must not be negative")
    if statistic == "proportion":
        check(x > n, "numerators must not be larger than the denominators")
    x, n = x[..., -periods:], n[..., -periods:]
    time = np.arange(x.shape[-1], dtype=float)
    total, population = x.sum(axis=-1), n.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = n / population[..., None]
        centred = time - np.sum(share * time, axis=-1)[..., None]
        spread = np.sum(share * centred**2, axis=-1)
        score = np.sum(centred * x, axis=-1)
        if statistic == "proportion":
            p = total / population
            variance = population * p * (1 - p) * spread
            method = "chi-square test for linear trend (Cochran-Armitage)"
        else:
            variance = total * spread
            method = "score test for log-linear trend in Poisson rates (Breslow & Day)"
        chi_square = score**2 / variance
    complete = (x.shape[-1] == periods) & np.all(n > 0, axis=-1) & ~np.any(np.isnan(x), axis=-1)
    usable = complete & (variance > 0)
    p_value = np.where(usable, special.chdtrc(1, chi_square), np.nan)  # = scipy.stats.chi2.sf
    significant = p_value < 1 - confidence
    direction = np.select(
        [~usable, significant & (score > 0), significant & (score < 0)],
        ["not calculated", "increasing", "decreasing"],
        "no significant change",
    )
    if direction.ndim == 0:
        return Trend(str(direction), float(p_value), method)
    return Trend(direction, p_value, method)


def dsr_variance(events, population, standard=None, multiplier=100_000):
    """The variance of a directly standardised rate (Dobson et al. 1991): sum(events_i * (w_i / n_i)^2) /
    sum(w)^2, times multiplier^2; age bands on the last axis, as `dsr`. NaN where a band has no population."""
    x, n = broadcast(events, population)
    weights = np.asarray(ESP2013 if standard is None else standard, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = np.sum(x * (weights / n) ** 2, axis=-1) / weights.sum() ** 2 * multiplier**2
    return np.where(np.any(n <= 0, axis=-1), np.nan, variance)


def weighted_trend(values, variances, periods=5, confidence=0.95):
    """Test for a linear trend in estimates with known variances (last axis, oldest first), such as DSRs: the
    slope of a weighted least-squares line (weights 1 / variance) divided by its standard error, compared with
    the standard normal (a chi-square with 1 degree of freedom), as for a meta-regression on time.

    Used for age-standardised rates instead of the Poisson test on crude counts, which mistakes a change in the
    age structure (an ageing area) for a trend. "not calculated" with fewer than `periods` values, a missing
    value or a variance that is not positive.
    """
    confidence = check_confidence(confidence)
    check_whole_number("periods", periods, 2)
    y, v = broadcast(values, variances)
    if y.ndim == 0:
        raise ValueError("values and variances need a time axis (the last axis)")
    y, v = y[..., -periods:], v[..., -periods:]
    time = np.arange(y.shape[-1], dtype=float)
    usable = (y.shape[-1] == periods) & np.all(np.isfinite(y) & np.isfinite(v) & (v > 0), axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(usable[..., None], 1 / v, 0.0)
        total = w.sum(axis=-1)
        centred = time - np.sum(w * time, axis=-1)[..., None] / total[..., None]
        spread = np.sum(w * centred**2, axis=-1)
        slope = np.sum(w * centred * y, axis=-1) / spread
        chi_square = slope**2 * spread
    p_value = np.where(usable, special.chdtrc(1, chi_square), np.nan)
    significant = p_value < 1 - confidence
    direction = np.select(
        [~usable, significant & (slope > 0), significant & (slope < 0)],
        ["not calculated", "increasing", "decreasing"],
        "no significant change",
    )
    method = "weighted least-squares slope of the estimates (weights 1/variance), z test"
    if direction.ndim == 0:
        return Trend(str(direction), float(p_value), method)
    return Trend(direction, p_value, method)


def pool(counts, window):
    """Rolling sums over `window` periods along the last axis (position t sums t-window+1..t).

    Positions with fewer than `window` preceding values, or a missing value in the window, are NaN.
    """
    check_whole_number("window", window, 1)
    counts = np.asarray(counts, dtype=float)
    if counts.ndim == 0:
        raise ValueError("counts need a time axis (the last axis)")
    pooled = np.full(counts.shape, np.nan)
    if counts.shape[-1] >= window:
        pooled[..., window - 1 :] = sliding_window_view(counts, window, axis=-1).sum(axis=-1)
    return pooled
