"""Targets: a value compared with a goal (e.g. 95 % measles vaccination coverage, WHO) as Fingertips'
"compared with goal" does it - on the point value, with one goal or two limits."""

import numpy as np

from .checks import fail, listed
from .estimates import POLARITIES

TARGET_LABELS = ("achieved", "between limits", "not achieved", "not compared")


def compare_to_target(value, polarity, target, upper_target=None):
    """Classify values against a goal as Fingertips does ("compared with goal"): on the point value only.

    Fingertips (PholioVisualisation TargetComparer) compares the value, not its confidence interval, with one
    or two limits. One limit: "achieved" when value >= target (higher_is_better) or value <= target
    (higher_is_worse), else "not achieved". Two limits (target = lower limit, upper_target = upper limit, e.g.
    90 % and 95 % for vaccination coverage): higher_is_better - below the lower limit "not achieved", at or
    above the upper limit "achieved", in between "between limits"; higher_is_worse - below the lower limit
    "achieved", at or above the upper limit "not achieved", in between "between limits" (Fingertips' boundaries,
    so a value equal to the lower limit is "between limits" here). A missing value or target gives
    "not compared". Neutral indicators have no good side and are refused.
    """
    x, goal = np.broadcast_arrays(np.asarray(value, dtype=float), np.asarray(target, dtype=float))
    polarity = np.broadcast_to(np.asarray(polarity, dtype=str), x.shape)
    unknown = sorted(set(polarity[~np.isin(polarity, POLARITIES)].tolist()))
    if unknown:
        fail(f"polarity must be one of {listed(POLARITIES)}; got {listed(unknown)}")
    if np.any(polarity == "neutral"):
        fail("a goal needs a polarity of higher_is_better or higher_is_worse; neutral indicators have no good side")
    high_is_good = polarity == "higher_is_better"
    missing = np.isnan(x) | np.isnan(goal)
    if upper_target is None:
        met = np.where(high_is_good, x >= goal, x <= goal)
        result = np.select([missing, met], ["not compared", "achieved"], "not achieved")
    else:
        top = np.broadcast_to(np.asarray(upper_target, dtype=float), x.shape)
        if np.any(goal > top):
            fail("the lower target limit must not be above the upper target limit")
        missing |= np.isnan(top)
        below, at_or_above = x < goal, x >= top
        result = np.select(
            [missing, below, at_or_above],
            [
                "not compared",
                np.where(high_is_good, "not achieved", "achieved"),
                np.where(high_is_good, "achieved", "not achieved"),
            ],
            "between limits",
        )
    return str(result) if result.ndim == 0 else result
