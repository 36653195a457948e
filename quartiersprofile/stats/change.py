"""Change between two periods: the difference (proportions, means) or ratio (rates, DSRs) of two independent
estimates with its confidence interval from the estimates' own intervals (MOVER: Newcombe's hybrid score
method for proportions, log-scale MOVER for rates), and the change of a comparison class ("similar → worse")."""

from dataclasses import dataclass

import numpy as np

from .checks import fail, listed
from .estimates import POLARITIES, Estimate

CHANGE_STATISTICS = ("proportion", "rate", "dsr", "mean")

# Comparison labels in order from worst to best (polarity-aware) and from low to high (neutral).
_GOOD_ORDER = {"worse": 0, "similar": 1, "better": 2}
_NEUTRAL_ORDER = {"lower": 0, "similar": 1, "higher": 2}


@dataclass(frozen=True)
class Change:
    """Change between two independent estimates (earlier -> later).

    difference: later value - earlier value. estimate, lower, upper: the measure of change with its interval -
    the difference for proportions and means, the ratio later / earlier for rates and DSRs; `measure` says which.
    direction: "increased" / "decreased" (interval excludes no change) / "no significant change" /
    "not calculated". assessment: with the polarity, "improved" / "worsened" / "no significant change" /
    "not calculated"; neutral indicators repeat the direction. The interval has the confidence level of the
    input intervals.
    """

    difference: float | np.ndarray
    estimate: float | np.ndarray
    lower: float | np.ndarray
    upper: float | np.ndarray
    measure: str
    direction: str | np.ndarray
    assessment: str | np.ndarray
    method: str


def _triple(name, estimate):
    if isinstance(estimate, Estimate):
        return estimate.value, estimate.lower, estimate.upper
    if isinstance(estimate, tuple | list) and len(estimate) == 3:
        return estimate
    fail(f"{name} must be an Estimate or a (value, lower, upper) tuple")


def change(earlier, later, statistic, polarity="neutral"):
    """Test the change between two periods from each period's value and confidence interval (MOVER).

    earlier, later: Estimates or (value, lower, upper) tuples at the same confidence level, from independent
    data (non-overlapping periods: 5-year pools 2019-2023 and 2020-2024 share four years and are NOT
    independent). The Method of Variance Estimates Recovery (Zou & Donner 2008) recovers each estimate's
    variance from its own, possibly asymmetric, limits:
    - proportion: difference with Newcombe's (1998) hybrid score interval (method 10) from the Wilson limits,
      L = d - sqrt((p2 - l2)^2 + (u1 - p1)^2), U = d + sqrt((u2 - p2)^2 + (p1 - l1)^2), d = p2 - p1;
    - mean: difference with the same formula; for symmetric limits this is d +- z sqrt(se1^2 + se2^2), the
      normal (Welch-like, unpooled) interval with each SE recovered from its interval width;
    - rate, dsr: ratio later / earlier, MOVER on the log scale from the exact-Poisson/Byar or Dobson limits
      (log ratio limits as above with logarithms). When one value is 0, the ratio's finite limit comes from
      the MOVER-R formula on the natural scale (Donner & Zou 2012); both 0 gives "not calculated".
    Significant when the interval excludes 0 (difference) or 1 (ratio). Values are broadcast like numpy.
    """
    if statistic not in CHANGE_STATISTICS:
        fail(f"statistic must be one of {listed(CHANGE_STATISTICS)}, got {statistic!r}")
    if polarity not in POLARITIES:
        fail(f"polarity must be one of {listed(POLARITIES)}, got {polarity!r}")
    v1, l1, u1, v2, l2, u2 = np.broadcast_arrays(
        *(np.asarray(part, dtype=float) for part in (*_triple("earlier", earlier), *_triple("later", later)))
    )
    for value, low, high in ((v1, l1, u1), (v2, l2, u2)):
        if np.any((low > value) | (value > high)):
            fail("each value must lie within its confidence interval (lower <= value <= upper)")
    if statistic in ("rate", "dsr") and np.any((v1 < 0) | (v2 < 0)):
        fail("rates must not be negative")
    missing = np.isnan(v1) | np.isnan(l1) | np.isnan(u1) | np.isnan(v2) | np.isnan(l2) | np.isnan(u2)
    difference = v2 - v1

    if statistic in ("proportion", "mean"):
        estimate = difference
        lower = difference - np.sqrt((v2 - l2) ** 2 + (u1 - v1) ** 2)
        upper = difference + np.sqrt((u2 - v2) ** 2 + (v1 - l1) ** 2)
        null, measure = 0.0, "difference"
        method = "MOVER difference (Newcombe hybrid score)" if statistic == "proportion" else "MOVER difference"
    else:
        estimate, lower, upper = _ratio_mover(v2, l2, u2, v1, l1, u1)
        null, measure, method = 1.0, "ratio", "MOVER ratio on the log scale"
    undefined = missing | np.isnan(estimate)
    estimate, lower, upper = (np.where(undefined, np.nan, part) for part in (estimate, lower, upper))
    direction = np.select(
        [undefined, lower > null, upper < null], ["not calculated", "increased", "decreased"], "no significant change"
    )
    if polarity == "neutral":
        assessment = direction
    else:
        good = "increased" if polarity == "higher_is_better" else "decreased"
        assessment = np.select(
            [direction == good, np.isin(direction, ("increased", "decreased"))], ["improved", "worsened"], direction
        )
    if np.ndim(estimate) == 0:
        return Change(
            float(difference), float(estimate), float(lower), float(upper), measure, str(direction),
            str(assessment), method,
        )  # fmt: skip
    return Change(difference, estimate, lower, upper, measure, direction, assessment, method)


def _ratio_mover(a, a_low, a_high, b, b_low, b_high):
    """Ratio a / b with MOVER limits: log scale for positive values, natural-scale MOVER-R when one value is 0."""
    a_low, b_low = np.maximum(a_low, 0.0), np.maximum(b_low, 0.0)  # a Dobson lower limit can fall below 0
    with np.errstate(divide="ignore", invalid="ignore"):
        log_a, log_b = np.log(a), np.log(b)
        centre = log_a - log_b
        lower = np.exp(centre - np.sqrt((log_a - np.log(a_low)) ** 2 + (np.log(b_high) - log_b) ** 2))
        upper = np.exp(centre + np.sqrt((np.log(a_high) - log_a) ** 2 + (log_b - np.log(b_low)) ** 2))
        ratio = np.exp(centre)
        # a = 0 < b: ratio 0, upper limit a_high / sqrt(b_low (2b - b_low)); b = 0 < a: the mirror image.
        zero_a, zero_b = (a == 0) & (b > 0), (b == 0) & (a > 0)
        upper_zero_a = np.where(b_low > 0, a_high / np.sqrt(b_low * (2 * b - b_low)), np.inf)
        lower_zero_b = np.where(a_low > 0, np.sqrt(a_low * (2 * a - a_low)) / b_high, 0.0)
    ratio = np.select([zero_a, zero_b, (a == 0) & (b == 0)], [0.0, np.inf, np.nan], ratio)
    lower = np.select([zero_a, zero_b], [0.0, lower_zero_b], lower)
    upper = np.select([zero_a, zero_b], [upper_zero_a, np.inf], upper)
    return ratio, lower, upper


@dataclass(frozen=True)
class ClassChange:
    """Change of the comparison class between two periods: "similar → worse" and its direction."""

    transition: str | np.ndarray
    direction: str | np.ndarray


def class_change(before, after):
    """Report a change of the comparison class (e.g. with the city) between two periods.

    before, after: labels of stats.compare_to_benchmark ("better", "similar", "worse"; "higher", "similar",
    "lower" for neutral indicators; "not compared"). direction: "improved" (worse -> similar -> better),
    "worsened" (the other way), "unchanged", "changed" (a move between higher / similar / lower, which has
    no good side) or "not compared" when either period was not compared. A class change is not by itself a
    significant change: use `change` for that.
    """
    old, new = np.broadcast_arrays(np.asarray(before, dtype=str), np.asarray(after, dtype=str))
    known = set(_GOOD_ORDER) | set(_NEUTRAL_ORDER) | {"not compared"}
    unknown = sorted(set(old.ravel().tolist() + new.ravel().tolist()) - known)
    if unknown:
        fail(f"comparison labels must be one of {listed(sorted(known))}; got {listed(unknown)}")
    good = np.isin(old, list(_GOOD_ORDER)) & np.isin(new, list(_GOOD_ORDER))
    neutral = np.isin(old, list(_NEUTRAL_ORDER)) & np.isin(new, list(_NEUTRAL_ORDER))
    compared = (old != "not compared") & (new != "not compared")
    if np.any(compared & ~good & ~neutral):
        fail("before and after mix polarity labels (better/worse) with neutral ones (higher/lower)")
    rank_old = np.vectorize(lambda label: _GOOD_ORDER.get(label, -1), otypes=[int])(old)
    rank_new = np.vectorize(lambda label: _GOOD_ORDER.get(label, -1), otypes=[int])(new)
    direction = np.select(
        [~compared, old == new, good & (rank_new > rank_old), good & (rank_new < rank_old)],
        ["not compared", "unchanged", "improved", "worsened"],
        "changed",
    )
    transition = np.char.add(np.char.add(old, " → "), new)
    if direction.ndim == 0:
        return ClassChange(str(transition), str(direction))
    return ClassChange(transition, direction)
