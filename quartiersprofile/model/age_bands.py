"""Age bands of the population table: nineteen 5-year bands "0-4", "5-9", ..., "85-89" and the open "90+"."""

from __future__ import annotations

import re

import pandas as pd

AGE_BANDS = (*(f"{lower}-{lower + 4}" for lower in range(0, 90, 5)), "90+")
_AGE_SPEC = re.compile(r"(?P<lower>\d+)(?:-(?P<upper>\d+)|\+)")


def band_limits(band: str) -> tuple[int, float]:
    lower, _, upper = band.rstrip("+").partition("-")
    return int(lower), float(upper) if upper else float("inf")


def select_age_bands(spec: str | None = None) -> tuple[str, ...]:
    """The 5-year bands of an ``age_bands`` spec such as "0-64" or "65+"; all 19 bands when empty.

    >>> select_age_bands("0-9"), len(select_age_bands(""))
    (('0-4', '5-9'), 19)
    """
    if spec is None or pd.isna(spec) or spec == "":
        return AGE_BANDS
    match = _AGE_SPEC.fullmatch(spec)
    lower = int(match["lower"]) if match else -1
    upper = float(match["upper"]) if match and match["upper"] else float("inf")
    bands = tuple(
        band for band in AGE_BANDS if lower <= band_limits(band)[0] and band_limits(band)[1] <= upper
    )
    if not bands or band_limits(bands[0])[0] != lower or band_limits(bands[-1])[1] != upper:
        raise ValueError(
            f"invalid age_bands {spec!r}: expected bounds of the 5-year bands, e.g. '0-64' or '65+'"
        )
    return bands


def is_age_spec(spec: str) -> bool:
    try:
        select_age_bands(spec)
    except ValueError:
        return False
    return True


#: The age groups the reports show, by the first and last age of each (None: open): the register's 5-year
#: bands allow no other bounds, so the board's "under 18" is reported as "unter 20".
AGE_GROUPS = ((0, 19), (20, 64), (65, 79), (80, None))


def age_group_label(lower: int, upper: int | None) -> str:
    """The German name of an age group from its bounds: (0, 19) -> "unter 20", (20, 64) -> "20–64",
    (80, None) -> "80 und älter". Names always follow the bounds the numbers were summed over."""
    if upper is None:
        return f"{lower} und älter"
    if lower == 0:
        return f"unter {upper + 1}"
    return f"{lower}–{upper}"


def bands_of_group(lower: int, upper: int | None) -> tuple[str, ...]:
    """The 5-year bands that make up an age group; a ValueError for bounds that do not fall on band limits."""
    bands = tuple(
        band for band in AGE_BANDS
        if band_limits(band)[0] >= lower and (upper is None or band_limits(band)[1] <= upper)
    )  # fmt: skip
    if not bands or band_limits(bands[0])[0] != lower or (upper is not None and band_limits(bands[-1])[1] != upper):
        raise ValueError(f"age group {lower}–{upper} does not fall on the limits of the 5-year bands")
    return bands
