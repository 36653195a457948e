"""quartiersprofile.stats.change: the change between two periods against published intervals (Newcombe 1998,
Table II, method 10) and independent formulas (Wald and exact conditional intervals of a rate ratio)."""

import math

import numpy as np
import pytest
from scipy import stats as sps

from quartiersprofile.stats import estimates
from quartiersprofile.stats.change import change, class_change

Z95 = sps.norm.ppf(0.975)


def wilson(x, n):
    root = Z95 * math.sqrt(Z95**2 + 4 * x * (1 - x / n))
    return (2 * x + Z95**2 - root) / (2 * (n + Z95**2)), (2 * x + Z95**2 + root) / (2 * (n + Z95**2))


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "lower", "upper"),
    [  # Newcombe (1998), Table II, method 10: interval for p1 - p2
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (6, 7, 2, 7, 0.0582, 0.8062),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (0, 10, 0, 10, -0.2775, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0000),
        (10, 10, 0, 10, 0.6075, 1.0000),
    ],
)
def test_proportion_change_matches_newcombe_published_intervals(x1, n1, x2, n2, lower, upper):
    later, earlier = estimates.proportion(x1, n1), estimates.proportion(x2, n2)
    result = change(earlier, later, "proportion")
    assert result.estimate == pytest.approx(x1 / n1 - x2 / n2)
    assert round(result.lower, 4) == lower and round(result.upper, 4) == upper
    assert result.measure == "difference"


def test_proportion_change_on_the_percent_scale_and_direction():
    earlier, later = (
        estimates.proportion(300, 1000, multiplier=100),
        estimates.proportion(360, 1000, multiplier=100),
    )
    result = change(earlier, later, "proportion", "higher_is_worse")
    (_, u1), (l2, _) = wilson(300, 1000), wilson(360, 1000)
    expected_lower = 0.06 - math.sqrt((0.36 - l2) ** 2 + (u1 - 0.30) ** 2)
    assert result.lower == pytest.approx(100 * expected_lower)
    assert result.direction == "increased" and result.assessment == "worsened"
    better = change(earlier, later, "proportion", "higher_is_better")
    assert better.assessment == "improved"
    same = change(earlier, estimates.proportion(310, 1000, multiplier=100), "proportion", "higher_is_worse")
    assert same.direction == "no significant change" and same.assessment == "no significant change"


def test_mean_change_is_the_normal_interval_from_the_two_ses():
    se1, se2 = 0.2, 0.3
    result = change((2.0, 2.0 - Z95 * se1, 2.0 + Z95 * se1), (1.4, 1.4 - Z95 * se2, 1.4 + Z95 * se2), "mean")
    half = Z95 * math.sqrt(se1**2 + se2**2)
    assert (result.estimate, result.lower, result.upper) == pytest.approx((-0.6, -0.6 - half, -0.6 + half))
    assert result.direction == "no significant change"  # half width 0.707 > 0.6


@pytest.mark.parametrize(("events1", "people1", "events2", "people2"), [(1000, 1e6, 1200, 1e6), (400, 2e5, 300, 2.2e5)])
def test_rate_ratio_with_many_events_agrees_with_the_wald_interval(events1, people1, events2, people2):
    earlier = estimates.rate(events1, people1)
    later = estimates.rate(events2, people2)
    result = change(earlier, later, "rate", "higher_is_worse")
    ratio = (events2 / people2) / (events1 / people1)
    half = Z95 * math.sqrt(1 / events1 + 1 / events2)  # textbook SE of a log rate ratio
    assert result.estimate == pytest.approx(ratio)
    assert result.lower == pytest.approx(ratio * math.exp(-half), rel=5e-3)
    assert result.upper == pytest.approx(ratio * math.exp(half), rel=5e-3)
    assert result.measure == "ratio"


@pytest.mark.parametrize(("events1", "events2"), [(15, 41), (30, 12), (8, 20)])
def test_rate_ratio_with_few_events_is_close_to_the_exact_conditional_interval(events1, events2):
    people1, people2 = 19_017.0, 28_010.0
    result = change(estimates.rate(events1, people1), estimates.rate(events2, people2), "rate")
    # events2 given the total is binomial with p = people2 * ratio / (people1 + people2 * ratio): Clopper-Pearson
    total = events1 + events2
    p_low = sps.beta.ppf(0.025, events2, total - events2 + 1)
    p_high = sps.beta.ppf(0.975, events2 + 1, total - events2)
    exact = p_low / (1 - p_low) * people1 / people2, p_high / (1 - p_high) * people1 / people2
    assert result.lower == pytest.approx(exact[0], rel=0.03)
    assert result.upper == pytest.approx(exact[1], rel=0.03)


def test_rate_ratio_with_zero_events():
    dropped = change(estimates.rate(10, 5000), estimates.rate(0, 5000), "rate", "higher_is_worse")
    assert dropped.estimate == 0 and dropped.lower == 0 and 0.3 < dropped.upper < 0.6
    assert dropped.direction == "decreased" and dropped.assessment == "improved"
    rose = change(estimates.rate(0, 5000), estimates.rate(10, 5000), "rate")
    assert math.isinf(rose.estimate) and math.isinf(rose.upper)
    assert rose.lower == pytest.approx(1 / dropped.upper) and rose.direction == "increased"
    none = change(estimates.rate(0, 5000), estimates.rate(0, 5000), "rate")
    assert none.direction == "not calculated" and np.isnan(none.estimate)


def test_rate_ratio_with_a_negative_dsr_lower_limit_is_open_ended():
    result = change((50.0, -5.0, 160.0), (120.0, 80.0, 170.0), "dsr")
    assert result.upper == math.inf and result.lower > 0 and result.direction == "no significant change"


def test_change_is_vectorised_and_checked():
    earlier = estimates.proportion([10, 50, np.nan], [100, 100, 100])
    later = estimates.proportion([30, 52, 5], [100, 100, 100])
    result = change(earlier, later, "proportion", "neutral")
    assert result.direction.tolist() == ["increased", "no significant change", "not calculated"]
    assert result.assessment.tolist() == result.direction.tolist()
    with pytest.raises(ValueError, match="within its confidence interval"):
        change((5, 6, 7), (5, 4, 6), "mean")
    with pytest.raises(ValueError, match="statistic must be one of"):
        change((5, 4, 6), (5, 4, 6), "count")


def test_class_change():
    result = class_change(
        ["similar", "worse", "better", "similar", "higher", "not compared"],
        ["worse", "better", "better", "higher", "lower", "similar"],
    )
    assert result.direction.tolist() == ["worsened", "improved", "unchanged", "changed", "changed", "not compared"]
    assert result.transition[0] == "similar → worse"
    assert class_change("better", "similar").direction == "worsened"
    with pytest.raises(ValueError, match="mix polarity labels"):
        class_change("better", "higher")
    with pytest.raises(ValueError, match="comparison labels"):
        class_change("good", "similar")
