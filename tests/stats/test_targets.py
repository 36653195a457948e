"""quartiersprofile.stats.targets: the comparison with a goal as Fingertips makes it."""

import numpy as np
import pytest

from quartiersprofile.stats.targets import compare_to_target


@pytest.mark.parametrize(
    ("value", "polarity", "target", "upper", "label"),
    [
        (95.0, "higher_is_better", 95, None, "achieved"),  # on the goal counts as meeting it
        (94.9, "higher_is_better", 95, None, "not achieved"),
        (10.0, "higher_is_worse", 10, None, "achieved"),
        (10.1, "higher_is_worse", 10, None, "not achieved"),
        (89.9, "higher_is_better", 90, 95, "not achieved"),
        (90.0, "higher_is_better", 90, 95, "between limits"),
        (95.0, "higher_is_better", 90, 95, "achieved"),
        (4.9, "higher_is_worse", 5, 10, "achieved"),
        (5.0, "higher_is_worse", 5, 10, "between limits"),  # Fingertips: only below the lower limit is better
        (10.0, "higher_is_worse", 5, 10, "not achieved"),
        (np.nan, "higher_is_better", 95, None, "not compared"),
        (96.0, "higher_is_better", np.nan, None, "not compared"),
    ],
)
def test_compare_to_target_follows_fingertips(value, polarity, target, upper, label):
    assert compare_to_target(value, polarity, target, upper) == label


def test_compare_to_target_is_vectorised_and_checked():
    labels = compare_to_target([80, 92, 97], ["higher_is_better"] * 3, 90, 95)
    assert labels.tolist() == ["not achieved", "between limits", "achieved"]
    with pytest.raises(ValueError, match="neutral"):
        compare_to_target(5, "neutral", 4)
    with pytest.raises(ValueError, match="lower target limit"):
        compare_to_target(5, "higher_is_worse", 6, 4)
