"""Constants, argument checks and the population cube the projection works on (`stats.projection`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...model.age_bands import AGE_BANDS, AGE_GROUPS, band_limits
from ...model.contract import SEXES
from ...model.periods import YEAR_PATTERN

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
