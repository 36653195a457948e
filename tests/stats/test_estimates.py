"""Tests for quartiersprofile.stats.estimates (re-exported as quartiersprofile.stats) against hand calculations and
published values.

Expected values are computed here from the textbook formulas with math/scipy (written out independently of
the module) or taken from published tables: Newcombe (1998) Stat Med 17:857, Table I (Wilson score
intervals), Garwood (1936) exact Poisson limits, and the example of R's prop.trend.test.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as sps

from quartiersprofile import stats
from quartiersprofile.stats import estimates

RTOL = 1e-9


def z_value(confidence):
    return sps.norm.ppf(1 - (1 - confidence) / 2)


def wilson_textbook(x, n, confidence):
    """Wilson score limits in the usual form (Newcombe & Altman 2000, p. 46)."""
    z = z_value(confidence)
    root = z * math.sqrt(z**2 + 4 * x * (1 - x / n))
    return (2 * x + z**2 - root) / (2 * (n + z**2)), (2 * x + z**2 + root) / (2 * (n + z**2))


def exact_poisson(x, confidence):
    """Exact Poisson limits via chi-square quantiles (Armitage & Berry 2002)."""
    alpha = 1 - confidence
    lower = sps.chi2.ppf(alpha / 2, 2 * x) / 2 if x > 0 else 0.0
    return lower, sps.chi2.ppf(1 - alpha / 2, 2 * x + 2) / 2


def byar(x, confidence):
    """Byar's approximation (Breslow & Day 1987)."""
    z = z_value(confidence)
    lower = x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
    upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3
    return lower, upper


# --- proportion -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "n", "lower", "upper"),
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)],
)
def test_proportion_matches_newcombe_published_intervals(x, n, lower, upper):
    est = stats.proportion(x, n)
    assert round(est.lower, 4) == lower
    assert round(est.upper, 4) == upper


@pytest.mark.parametrize("confidence", [0.95, 0.998])
@pytest.mark.parametrize(
    ("x", "n"), [(1, 7), (4, 9), (65, 100), (1045, 5000), (3, 10_000_000), (9_999_999, 10_000_000)]
)
def test_proportion_matches_wilson_formula(x, n, confidence):
    est = stats.proportion(x, n, confidence=confidence)
    lower, upper = wilson_textbook(x, n, confidence)
    assert est.value == pytest.approx(x / n, rel=RTOL)
    assert est.lower == pytest.approx(lower, rel=1e-7)
    assert est.upper == pytest.approx(upper, rel=RTOL)
    assert est.method == "Wilson score"
    assert est.confidence == confidence


def test_proportion_zero_and_all_are_exact():
    none, everything = stats.proportion(0, 50, confidence=0.998), stats.proportion(50, 50, confidence=0.998)
    assert none.lower == 0.0 and none.value == 0.0
    assert none.upper == pytest.approx(wilson_textbook(0, 50, 0.998)[1], rel=RTOL)
    assert everything.upper == 1.0 and everything.value == 1.0
    assert everything.lower == pytest.approx(wilson_textbook(50, 50, 0.998)[0], rel=RTOL)


def test_proportion_multiplier_and_broadcasting():
    numerators = np.array([[0], [5], [10]])
    denominators = np.array([10, 20])
    est = stats.proportion(numerators, denominators, multiplier=100)
    assert est.value.shape == est.lower.shape == est.upper.shape == (3, 2)
    assert est.value[2, 1] == pytest.approx(50.0)
    assert est.lower[1, 1] == pytest.approx(100 * wilson_textbook(5, 20, 0.95)[0], rel=RTOL)
    assert est.upper[2, 0] == 100.0


def test_proportion_scalar_input_gives_floats():
    est = stats.proportion(3, 10)
    assert all(type(v) is float for v in (est.value, est.lower, est.upper))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"numerator": 5, "denominator": 0}, "denominator must be greater than 0"),
        ({"numerator": -1, "denominator": 10}, "numerator must not be negative"),
        ({"numerator": [3, 11], "denominator": 10}, "numerator must not be larger than the denominator"),
        ({"numerator": 3, "denominator": 10, "confidence": 95}, "confidence must be"),
        ({"numerator": 3, "denominator": 10, "confidence": 1.0}, "confidence must be"),
        ({"numerator": 3, "denominator": 10, "multiplier": 0}, "multiplier must be"),
    ],
)
def test_proportion_rejects_invalid_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        stats.proportion(**kwargs)


@given(
    st.integers(min_value=1, max_value=10**7).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.sampled_from([0.95, 0.998]),
)
def test_proportion_interval_contains_value(case, confidence):
    x, n = case
    est = stats.proportion(x, n, confidence=confidence)
    assert 0.0 <= est.lower <= est.value <= est.upper <= 1.0


# --- rate -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "lower", "upper"),
    [(0, 0.0, 3.689), (1, 0.0253, 5.572), (5, 1.623, 11.668), (9, 4.115, 17.085)],
)
def test_rate_small_counts_match_published_exact_limits(events, lower, upper):
    est = stats.rate(events, 1, multiplier=1)
    assert est.lower == pytest.approx(lower, abs=6e-4)
    assert est.upper == pytest.approx(upper, abs=6e-4)


@pytest.mark.parametrize("confidence", [0.95, 0.998])
@pytest.mark.parametrize("events", range(10))
def test_rate_below_ten_events_is_exact_poisson(events, confidence):
    est = stats.rate(events, 25_000, confidence=confidence)
    lower, upper = exact_poisson(events, confidence)
    assert est.value == pytest.approx(events / 25_000 * 100_000, rel=RTOL)
    assert est.lower == pytest.approx(lower / 25_000 * 100_000, rel=RTOL)
    assert est.upper == pytest.approx(upper / 25_000 * 100_000, rel=RTOL)


def test_rate_zero_events_has_lower_limit_zero():
    assert stats.rate(0, 1000).lower == 0.0


@pytest.mark.parametrize("confidence", [0.95, 0.998])
@pytest.mark.parametrize("events", [10, 11, 65, 1045, 10_000_000])
def test_rate_from_ten_events_is_byar(events, confidence):
    population = 1e9
    est = stats.rate(events, population, confidence=confidence, multiplier=1000)
    lower, upper = byar(events, confidence)
    assert est.lower == pytest.approx(lower / population * 1000, rel=RTOL)
    assert est.upper == pytest.approx(upper / population * 1000, rel=RTOL)


def test_rate_switches_method_at_ten_events():
    est = stats.rate([9, 10], [1000, 1000], multiplier=1000)
    assert est.lower[0] == pytest.approx(exact_poisson(9, 0.95)[0], rel=RTOL)
    assert est.lower[1] == pytest.approx(byar(10, 0.95)[0], rel=RTOL)
    assert est.upper[1] == pytest.approx(byar(10, 0.95)[1], rel=RTOL)


def test_rate_broadcasts_and_passes_missing_values_through():
    est = stats.rate([[3, np.nan, 30]], [[1000], [2000]])
    assert est.value.shape == (2, 3)
    assert np.isnan(est.lower[0, 1]) and np.isnan(est.upper[1, 1])
    assert est.value[1, 2] == pytest.approx(1500.0)


@pytest.mark.parametrize(
    ("events", "population", "message"),
    [(-1, 100, "events must not be negative"), (5, 0, "population must be greater than 0")],
)
def test_rate_rejects_invalid_input(events, population, message):
    with pytest.raises(ValueError, match=message):
        stats.rate(events, population)


@given(st.integers(0, 10**7), st.integers(1, 10**9), st.sampled_from([0.95, 0.998]))
def test_rate_interval_contains_value(events, population, confidence):
    est = stats.rate(events, population, confidence=confidence)
    assert 0.0 <= est.lower <= est.value <= est.upper


# --- dsr --------------------------------------------------------------------------------------------

ESP = [5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
       7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000]  # fmt: skip
EVENTS = [0, 1, 0, 2, 3, 1, 4, 2, 6, 8, 10, 15, 20, 30, 41, 60, 70, 90, 55]
POPULATION = [4100, 4300, 4200, 4500, 5200, 5600, 5900, 5400, 5000, 5300,
              6100, 6600, 6000, 5200, 4300, 3900, 2500, 1300, 450]  # fmt: skip


def dobson_textbook(events, population, standard, confidence, multiplier=100_000):
    """Dobson et al. (1991) limits with Byar's limits for the total, as in PHEindicatormethods."""
    total_standard = sum(standard)
    value = sum(e * w / p for e, p, w in zip(events, population, standard, strict=True)) / total_standard
    variance = sum(e * (w / p) ** 2 for e, p, w in zip(events, population, standard, strict=True))
    variance /= total_standard**2
    total = sum(events)
    low, high = byar(total, confidence)
    factor = math.sqrt(variance / total)
    return (
        value * multiplier,
        (value + factor * (low - total)) * multiplier,
        (value + factor * (high - total)) * multiplier,
    )


def test_esp2013_constant():
    assert tuple(stats.ESP2013) == tuple(ESP) and sum(stats.ESP2013) == 100_000


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_dsr_matches_dobson_formula(confidence):
    est = stats.dsr(EVENTS, POPULATION, confidence=confidence)
    value, lower, upper = dobson_textbook(EVENTS, POPULATION, ESP, confidence)
    assert est.value == pytest.approx(value, rel=RTOL)
    assert est.lower == pytest.approx(lower, rel=RTOL)
    assert est.upper == pytest.approx(upper, rel=RTOL)
    assert est.method == "Dobson"


def test_dsr_with_very_large_counts():
    events, population = [e * 20_000 for e in EVENTS], [p * 1000 for p in POPULATION]
    est = stats.dsr(events, population, confidence=0.998)
    value, lower, upper = dobson_textbook(events, population, ESP, 0.998)
    assert (est.value, est.lower, est.upper) == pytest.approx((value, lower, upper), rel=RTOL)


def test_dsr_two_dimensional_input_gives_one_dsr_per_row():
    events = np.array([EVENTS, [2 * e for e in EVENTS], [0] * 18 + [9]])
    est = stats.dsr(events, POPULATION)
    assert est.value.shape == (3,)
    assert est.value[1] == pytest.approx(2 * est.value[0], rel=RTOL)
    assert est.upper[1] == pytest.approx(dobson_textbook(events[1], POPULATION, ESP, 0.95)[2], rel=RTOL)
    assert np.isnan(est.value[2]) and np.isnan(est.lower[2]) and np.isnan(est.upper[2])


def test_dsr_fewer_than_ten_events_is_missing():
    est = stats.dsr([0] * 10 + [1] * 9, POPULATION)
    assert math.isnan(est.value) and math.isnan(est.lower) and math.isnan(est.upper)
    assert not math.isnan(stats.dsr([0] * 9 + [1] * 10, POPULATION).value)


def test_dsr_premature_mortality_with_first_thirteen_bands():
    est = stats.dsr(EVENTS[:13], POPULATION[:13], standard=stats.ESP2013[:13])
    value, lower, upper = dobson_textbook(EVENTS[:13], POPULATION[:13], ESP[:13], 0.95)
    assert (est.value, est.lower, est.upper) == pytest.approx((value, lower, upper), rel=RTOL)


def test_dsr_with_an_empty_age_band_is_undefined():
    population = POPULATION[:-1] + [0]
    events = EVENTS[:-1] + [0]
    assert math.isnan(stats.dsr(events, population).value)


@pytest.mark.parametrize(
    ("events", "population", "standard", "message"),
    [
        (EVENTS[:13], POPULATION[:13], None, "standard population has 19 age bands but the data have 13"),
        (EVENTS, POPULATION, ESP[:13], "standard population has 13 age bands"),
        ([-1] + EVENTS[1:], POPULATION, None, "events must not be negative"),
        (EVENTS, [-5] + POPULATION[1:], None, "population must not be negative"),
        (EVENTS, POPULATION[:-1] + [0], None, "age band with events must have a population"),
        (5, 100, None, "age band axis"),
    ],
)
def test_dsr_rejects_invalid_input(events, population, standard, message):
    with pytest.raises(ValueError, match=message):
        stats.dsr(events, population, standard=standard)


@given(
    st.lists(st.integers(0, 500), min_size=19, max_size=19).filter(lambda e: sum(e) >= 10),
    st.lists(st.integers(1, 100_000), min_size=19, max_size=19),
)
def test_dsr_interval_contains_value(events, population):
    # Dobson's lower limit may fall below 0 for extreme weights (as in PHEindicatormethods), never above.
    est = stats.dsr(events, population, confidence=0.998)
    assert est.lower <= est.value <= est.upper


# --- mean -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_mean_matches_students_t(confidence):
    values = [21.4, 19.8, 25.0, 23.3, 18.9, 22.2, 30.1]
    lower, upper = sps.t.interval(confidence, len(values) - 1, loc=np.mean(values), scale=sps.sem(values))
    est = stats.mean(values, confidence=confidence)
    assert est.value == pytest.approx(np.mean(values), rel=RTOL)
    assert (est.lower, est.upper) == pytest.approx((lower, upper), rel=RTOL)
    assert est.method == "Student's t"


def test_mean_ignores_missing_values_per_row():
    est = stats.mean([[1.0, 2.0, 3.0, np.nan], [4.0, 6.0, 8.0, 10.0]])
    assert est.value == pytest.approx([2.0, 7.0])
    half = sps.t.ppf(0.975, 2) * 1.0 / math.sqrt(3)
    assert est.lower[0] == pytest.approx(2.0 - half, rel=RTOL)


def test_mean_from_summary_matches_raw_values():
    values = np.array([3.0, 7.0, 8.0, 12.0, 15.0])
    est = stats.mean_from_summary(values.sum(), values.size, values.std(ddof=1), confidence=0.998)
    raw = stats.mean(values, confidence=0.998)
    assert (est.value, est.lower, est.upper) == pytest.approx((raw.value, raw.lower, raw.upper), rel=RTOL)


def test_mean_of_one_observation_has_no_interval():
    est = stats.mean_from_summary([10.0, 30.0], [1, 3], [0.0, 2.0])
    assert est.value[0] == 10.0 and np.isnan(est.lower[0]) and np.isnan(est.upper[0])
    assert est.upper[1] == pytest.approx(10.0 + sps.t.ppf(0.975, 2) * 2.0 / math.sqrt(3), rel=RTOL)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: stats.mean_from_summary(10, 0, 1), "at least 1"),
        (lambda: stats.mean_from_summary(10, 5, -1), "sd must not be negative"),
        (lambda: stats.mean([np.nan, np.nan]), "at least one non-missing"),
        (lambda: stats.mean(4.0), "array of observations"),
    ],
)
def test_mean_rejects_invalid_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- compare_to_benchmark ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lower", "upper", "benchmark", "polarity", "expected"),
    [
        (10, 12, 9, "higher_is_better", "better"),
        (10, 12, 9, "higher_is_worse", "worse"),
        (10, 12, 9, "neutral", "higher"),
        (10, 12, 13, "higher_is_better", "worse"),
        (10, 12, 13, "higher_is_worse", "better"),
        (10, 12, 13, "neutral", "lower"),
        (10, 12, 11, "higher_is_worse", "similar"),
        (10, 12, 10, "higher_is_better", "similar"),
        (10, 12, 12, "neutral", "similar"),
        (np.nan, 12, 11, "neutral", "not compared"),
        (10, np.nan, 11, "neutral", "not compared"),
        (10, 12, np.nan, "higher_is_better", "not compared"),
    ],
)
def test_compare_to_benchmark_scalar(lower, upper, benchmark, polarity, expected):
    assert stats.compare_to_benchmark(lower, upper, benchmark, polarity) == expected


def test_compare_to_benchmark_arrays_with_polarity_per_value():
    polarity = ["higher_is_better", "higher_is_worse", "neutral", "neutral"]
    result = stats.compare_to_benchmark([1.0, 5.0, 5.0, np.nan], [2.0, 6.0, 6.0, 3.0], 3.0, polarity)
    assert isinstance(result, np.ndarray)
    assert result.tolist() == ["worse", "worse", "higher", "not compared"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((1, 2, 3, "higher_is_good"), "polarity must be one of"),
        ((3, 2, 3, "neutral"), "lower limit must not be above the upper limit"),
    ],
)
def test_compare_to_benchmark_rejects_invalid_input(args, message):
    with pytest.raises(ValueError, match=message):
        stats.compare_to_benchmark(*args)


# --- recent_trend -----------------------------------------------------------------------------------


def test_trend_proportion_matches_r_prop_trend_test_example():
    # R: prop.trend.test(c(83, 90, 129, 70), c(86, 93, 136, 82)) -> X-squared = 8.2249, p-value = 0.004132
    trend = stats.recent_trend([83, 90, 129, 70], [86, 93, 136, 82], periods=4)
    assert trend.p_value == pytest.approx(0.004132, abs=5e-7)
    assert trend.direction == "decreasing"
    assert sps.chi2.isf(trend.p_value, 1) == pytest.approx(8.2249, abs=5e-5)


def test_trend_proportion_increasing_and_flat():
    trend = stats.recent_trend([[100, 120, 140, 160, 180], [150, 152, 149, 151, 150]], [[1000] * 5] * 2)
    assert trend.direction.tolist() == ["increasing", "no significant change"]
    assert trend.method == "chi-square test for linear trend (Cochran-Armitage)"


def poisson_trend_textbook(events, population):
    """Breslow & Day (1987) score test for trend in rates: scores 1..k, expected counts from pooled rate."""
    scores = range(1, len(events) + 1)
    expected = [sum(events) * p / sum(population) for p in population]
    score = sum(s * (o - e) for s, o, e in zip(scores, events, expected, strict=True))
    variance = sum(s * s * e for s, e in zip(scores, expected, strict=True))
    variance -= sum(s * e for s, e in zip(scores, expected, strict=True)) ** 2 / sum(expected)
    return sps.chi2.sf(score**2 / variance, 1)


@pytest.mark.parametrize("statistic", ["rate", "dsr"])
def test_trend_rate_matches_poisson_score_test(statistic):
    events = [40, 52, 49, 61, 70, 75, 90]
    population = [10_000, 10_200, 10_100, 10_500, 10_400, 10_600, 10_800]
    trend = stats.recent_trend(events, population, statistic=statistic)
    assert trend.p_value == pytest.approx(poisson_trend_textbook(events[-5:], population[-5:]), rel=1e-9)
    assert trend.direction == "increasing"


def test_trend_respects_confidence_level():
    events, population = [50, 55, 61, 64, 70], [10_000] * 5
    p_value = poisson_trend_textbook(events, population)
    assert 0.002 < p_value < 0.05
    assert stats.recent_trend(events, population, "rate").direction == "increasing"
    strict = stats.recent_trend(events, population, "rate", confidence=0.998)
    assert strict.direction == "no significant change"


@pytest.mark.parametrize(
    ("numerators", "denominators"),
    [
        ([5, 6, 7, 8], [100] * 4),  # fewer than five periods
        ([5, 6, np.nan, 8, 9], [100] * 5),  # a missing value
        ([5, 6, 0, 8, 9], [100, 100, 0, 100, 100]),  # a zero denominator
        ([0, 0, 0, 0, 0], [100] * 5),  # no events: test undefined
    ],
)
def test_trend_not_calculated(numerators, denominators):
    trend = stats.recent_trend(numerators, denominators)
    assert trend.direction == "not calculated" and math.isnan(trend.p_value)


def test_trend_uses_only_the_last_periods():
    trend = stats.recent_trend([np.nan, 0, 10, 20, 30, 40, 50], [100] * 7)
    assert trend.direction == "increasing"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"statistic": "mean"}, "statistic must be one of"),
        ({"periods": 1}, "periods must be a whole number of at least 2"),
        ({"periods": 4.5}, "periods must be a whole number"),
    ],
)
def test_trend_rejects_invalid_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        stats.recent_trend([1, 2, 3, 4, 5], [10] * 5, **kwargs)


def test_trend_rejects_numerator_above_denominator_for_proportions():
    with pytest.raises(ValueError, match="numerators must not be larger than the denominators"):
        stats.recent_trend([1, 2, 3, 4, 50], [10] * 5)


# --- pool -------------------------------------------------------------------------------------------


def test_pool_rolling_sums():
    np.testing.assert_array_equal(stats.pool([1, 2, 3, 4, 5], 3), [np.nan, np.nan, 6, 9, 12])


def test_pool_two_dimensional_and_missing_values():
    pooled = stats.pool([[1, 2, 3, 4], [1, np.nan, 1, 1]], 2)
    np.testing.assert_array_equal(pooled, [[np.nan, 3, 5, 7], [np.nan, np.nan, np.nan, 2]])


def test_pool_window_longer_than_series_and_window_one():
    assert np.isnan(stats.pool([1, 2], 3)).all()
    np.testing.assert_array_equal(stats.pool([1, 2], 1), [1, 2])


@pytest.mark.parametrize("window", [0, 2.5, True])
def test_pool_rejects_invalid_window(window):
    with pytest.raises(ValueError, match="window must be a whole number"):
        stats.pool([1, 2, 3], window)


def test_the_package_re_exports_the_estimates():
    names = ["ESP2013", "Estimate", "Trend", "compare_to_benchmark", "dsr", "mean", "mean_from_summary", "pool",
             "proportion", "rate", "recent_trend"]  # fmt: skip
    assert set(names) <= set(stats.__all__)
    assert all(getattr(stats, name) is getattr(estimates, name) for name in names)


def test_dsr_variance_is_dobson_s():
    events, population, standard = [3.0, 10.0], [1000.0, 500.0], [6000.0, 4000.0]
    expected = (3 * (6000 / 1000) ** 2 + 10 * (4000 / 500) ** 2) / 10000**2 * 100_000**2
    assert stats.dsr_variance(events, population, standard) == pytest.approx(expected, rel=1e-12)
    assert np.isnan(stats.dsr_variance([1.0, 2.0], [0.0, 10.0], standard))


def test_weighted_trend_agrees_with_numpy_weighted_least_squares():
    values = np.array([[510.0, 498.0, 470.0, 455.0, 440.0], [300.0, 305.0, 298.0, 302.0, 301.0]])
    variances = np.array([[400.0, 380.0, 420.0, 390.0, 410.0], [900.0, 800.0, 950.0, 870.0, 910.0]])
    trend = stats.weighted_trend(values, variances)
    for row in range(2):
        slope, covariance = np.polyfit(np.arange(5.0), values[row], 1, w=1 / np.sqrt(variances[row]), cov="unscaled")
        p_value = sps.chi2.sf(slope[0] ** 2 / covariance[0, 0], 1)
        assert trend.p_value[row] == pytest.approx(p_value, rel=1e-9)
    assert trend.direction.tolist() == ["decreasing", "no significant change"]
    assert stats.weighted_trend([1.0, 2.0, 3.0, 4.0, np.nan], [1.0] * 5).direction == "not calculated"
    assert stats.weighted_trend([1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 1.0, 0.0, 1.0, 1.0]).direction == "not calculated"
