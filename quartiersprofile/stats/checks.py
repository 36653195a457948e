"""Argument checks and small helpers shared by the statistics modules: plain-language errors for what callers
pass, checked before anything is computed."""

import numpy as np
from scipy import special  # the distribution functions themselves: scipy.stats is slow to import


def check_confidence(confidence):
    """Return the confidence level as float after checking it lies strictly between 0 and 1."""
    if np.ndim(confidence) != 0 or not 0 < confidence < 1:
        raise ValueError(f"confidence must be one number between 0 and 1 (e.g. 0.95), not {confidence!r}")
    return float(confidence)


def check_positive_number(name, value):
    """Check that a multiplier-like argument is a single positive number."""
    if np.ndim(value) != 0 or not value > 0:
        raise ValueError(f"{name} must be a single positive number, got {value!r}")


def check_whole_number(name, value, minimum):
    """Check that a count-like argument is a whole number of at least `minimum`."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}, got {value!r}")


def check(condition, message):
    """Raise ValueError(message) when any element of `condition` is true (NaN compares false)."""
    if np.any(condition):
        raise ValueError(message)


def broadcast(*values):
    """Broadcast array-likes to float arrays of one shape."""
    return np.broadcast_arrays(*(np.asarray(value, dtype=float) for value in values))


def normal_quantile(confidence):
    """Two-sided standard normal quantile for the confidence level."""
    return -special.ndtri((1 - confidence) / 2)  # = scipy.stats.norm.isf


def scalar_or_array(value):
    """Turn a 0-d result into a Python float (or str), leave arrays alone."""
    if np.ndim(value) == 0:
        value = np.asarray(value)
        return str(value) if value.dtype.kind == "U" else float(value)
    return value


def fail(message):
    """Raise ValueError(message): for checks that are no simple condition."""
    raise ValueError(message)


def check_fraction(name, value):
    """Return a share or level (e.g. a confidence level) as float after checking it lies strictly between 0 and 1."""
    if np.ndim(value) != 0 or not 0 < value < 1:
        fail(f"{name} must be one number between 0 and 1 (e.g. 0.95), not {value!r}")
    return float(value)


def check_frame(name, frame):
    """A table of areas (rows) by indicators (columns) as floats, after checking it is one with unique labels."""
    import pandas as pd  # only the table-taking functions need pandas

    if not isinstance(frame, pd.DataFrame):
        fail(f"{name} must be a pandas DataFrame with areas as rows and indicators as columns")
    if frame.index.has_duplicates or frame.columns.has_duplicates:
        fail(f"{name} has duplicate area or indicator labels")
    try:
        return frame.astype(float)
    except (TypeError, ValueError):
        fail(f"{name} must hold numbers only")


def listed(labels):
    """Labels as one comma-separated text, for messages."""
    return ", ".join(str(label) for label in labels)
