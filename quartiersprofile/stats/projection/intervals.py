"""Back-tests, prediction intervals and the projection with intervals per area (`stats.projection`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...model.age_bands import AGE_BANDS
from ...model.contract import SEXES
from .areas import (
    _area_groups,
    _areas,
    _check_size_bounds,
    _residents,
    _size_classes,
    _with_labels,
    group_label,
    group_weights,
    size_class_labels,
)
from .base import (
    DEFAULT_BASE_YEARS,
    DEFAULT_GROUPS,
    DEFAULT_MOTHER_AGES,
    DEFAULT_SIZE_BOUNDS,
    SCALINGS,
    TOTAL,
    _base,
    _check_base_years,
    _check_mother_ages,
    _check_whole_number,
    _cube,
    _grid_frame,
    _require_columns,
)
from .cohorts import _control_array, _run
from .ratios import _estimated_constants

# --- back-test and intervals -----------------------------------------------------------------------------------


def _backtest(cube, info, base_years, ccr_k, cwr_k, max_horizon, min_base_years, groups, size_bounds, mothers):
    """Back-test arrays -> DataFrame of projected and observed area-group counts per base year and horizon."""
    values, years = cube.values, cube.years
    weights = group_weights(groups)
    observed = _area_groups(values, info.membership, weights)  # [area, year, group]
    classes = _size_classes(_residents(info, values[:, -1]), size_bounds)
    pieces = []
    for last in range(min_base_years - 1, len(years) - 1):
        horizon = len(years) - 1 - last if max_horizon is None else min(max_horizon, len(years) - 1 - last)
        first = 0 if base_years is None else max(0, last + 1 - base_years)
        parts, _ = _run(values[:, first : last + 1], horizon, ccr_k, cwr_k, mothers)
        projected = _area_groups(parts, info.membership, weights)
        pieces.append((years[last], projected, observed[:, last + 1 : last + 1 + horizon]))
    frames = []
    for base_year, projected, actual in pieces:
        horizon = projected.shape[1]
        levels = {
            "area": info.codes,
            "year": range(base_year + 1, base_year + horizon + 1),
            "group": range(len(groups)),
        }
        frame = _grid_frame(levels, projected, "projected")
        frame["observed"] = actual.reshape(-1)
        frame.insert(1, "base_year", base_year)
        frames.append(frame)
    if not frames:
        raise ValueError(
            f"a back-test needs at least {min_base_years + 1} years of population data "
            f"({min_base_years} base years and one year to compare with); there are {len(years)}"
        )
    result = pd.concat(frames, ignore_index=True)
    result.insert(3, "horizon", result["year"] - result["base_year"])
    position = {code: i for i, code in enumerate(info.codes)}
    labels = size_class_labels(size_bounds)
    result.insert(
        1,
        "size_class",
        pd.Categorical.from_codes(classes[result["area"].map(position).to_numpy()], categories=labels, ordered=True),
    )
    result = _with_labels(result, info, groups)
    projected, actual = result["projected"].to_numpy(), result["observed"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        result["pct_error"] = np.where(actual > 0, 100 * (projected - actual) / actual, np.nan)
        result["log_error"] = np.where((actual > 0) & (projected > 0), np.log(projected / actual), np.nan)
    return result


def backtest(
    population,
    areas,
    base_years=DEFAULT_BASE_YEARS,
    k=None,
    cwr_k=None,
    max_horizon=None,
    min_base_years=2,
    groups=DEFAULT_GROUPS,
    size_bounds=DEFAULT_SIZE_BOUNDS,
    mother_ages=DEFAULT_MOTHER_AGES,
):
    """Project from every earlier base year to the years already known and compare, per area and age group.

    Each base year B from the `min_base_years`-th year on fits the ratios on the years up to B (at most the last
    `base_years`), projects to B+1 .. the latest year (at most `max_horizon` years) with control to the city's
    own projection, and sums districts to the areas of `areas` and to `groups`. The shrinkage constants are
    estimated once from all years given (None) or taken as given: they are settings of the method, not part
    of what is tested. With 2019-2024 the base years are 2020-2023 and the longest horizon is 4 years (from
    2020, with ratios from one transition only). Areas are put in size classes by their residents in the
    latest year. Returns area, size_class, name, level, base_year, year, horizon, age_group, age_from, age_to,
    projected, observed, pct_error = 100 (projected - observed) / observed and log_error = ln(projected /
    observed) (NaN where undefined).
    """
    _check_base_years(base_years)
    _check_whole_number("min_base_years", min_base_years, 2)
    if max_horizon is not None:
        _check_whole_number("max_horizon", max_horizon, 1)
    mothers = _check_mother_ages(mother_ages)
    bounds = _check_size_bounds(size_bounds)
    groups = tuple(groups)
    cube = _cube(population)
    info = _areas(areas, cube.districts)
    if len(cube.years) < min_base_years + 1:
        raise ValueError(
            f"a back-test needs at least {min_base_years + 1} years of population data; there are {len(cube.years)}"
        )
    ccr_k, cwr_k = _estimated_constants(cube.values, k, cwr_k, mothers)
    return _backtest(cube, info, base_years, ccr_k, cwr_k, max_horizon, min_base_years, groups, bounds, mothers)


def _select_group(errors, lower, upper):
    selected = errors["age_from"].eq(lower) & (
        errors["age_to"].isna() if upper is None else errors["age_to"].eq(upper).fillna(False)
    )
    if not selected.any():
        raise ValueError(f"the back-test has no age group {group_label(lower, upper)} ({lower}, {upper})")
    return errors[selected]


#: The groups of the back-test error table: the whole population and the "young old".
ERROR_TABLE_GROUPS = (TOTAL, (65, 79))


def backtest_error_table(errors, horizon=None, groups=ERROR_TABLE_GROUPS):
    """MAPE (mean absolute percentage error, %) per area-size class at one horizon, for each age group.

    `errors` from `backtest`; `horizon` defaults to the longest one in it. `groups` as (first, last) year of age
    (default: total population and 65-79). Returns size_class, areas, projections (area x base year pairs),
    horizon and one column "MAPE <group label>" per group; classes without areas are left out.
    """
    _require_columns(errors, ("size_class", "area", "horizon", "age_from", "age_to", "pct_error"), "errors")
    horizon = int(errors["horizon"].max()) if horizon is None else horizon
    at_horizon = errors[errors["horizon"] == horizon]
    if at_horizon.empty:
        raise ValueError(
            f"the back-test has no projections {horizon} years ahead; horizons: "
            f"{sorted(errors['horizon'].unique().tolist())}"
        )
    table = None
    for lower, upper in groups:
        subset = _select_group(at_horizon, lower, upper)
        summary = subset.groupby("size_class", observed=True).agg(
            areas=("area", "nunique"),
            projections=("pct_error", "size"),
            mape=("pct_error", lambda e: float(np.nanmean(np.abs(e))) if e.notna().any() else np.nan),
        )
        column = f"MAPE {group_label(lower, upper)}"
        if table is None:
            table = summary.rename(columns={"mape": column})
            table.insert(2, "horizon", horizon)
        else:
            table[column] = summary["mape"]
    return table.reset_index()


def _scale(horizon, scaling):
    horizon = np.asarray(horizon, dtype=float)
    return horizon if scaling == "linear" else np.sqrt(horizon)


def _check_interval_settings(coverage, scaling):
    if np.ndim(coverage) != 0 or not 0 < coverage < 1:
        raise ValueError(f"coverage must be one number between 0 and 1 (e.g. 0.8 for 80 % intervals), not {coverage!r}")
    if scaling not in SCALINGS:
        raise ValueError(f"scaling must be one of {', '.join(SCALINGS)}, got {scaling!r}")


def error_quantiles(errors, coverage=0.8, scaling="linear"):
    """Quantile of the absolute log errors per year of horizon, per size class and age group.

    Every back-test error |ln(projected / observed)| is divided by its horizon h ("linear", errors growing in
    proportion to the horizon as found by Smith & Sincich 1988) or by sqrt(h) ("sqrt", a random walk), which
    pools all horizons; the `coverage` quantile of these per class and group (`raw_quantile`) is the
    half-width of the interval per unit of scaled horizon. A few dozen errors per class make these quantiles
    noisy, so `quantile` is never below that of a larger size class for the same group: smaller areas do not
    get narrower intervals than larger ones. Returns size_class, age_group, errors (how many), raw_quantile,
    quantile.
    """
    _check_interval_settings(coverage, scaling)
    _require_columns(errors, ("size_class", "age_group", "horizon", "log_error"), "errors")
    usable = errors.dropna(subset=["log_error"])
    scaled = usable.assign(scaled=np.abs(usable["log_error"]) / _scale(usable["horizon"], scaling))
    summary = scaled.groupby(["size_class", "age_group"], observed=True, sort=False)["scaled"]
    table = summary.agg(errors="size", raw_quantile=lambda e: float(np.quantile(e, coverage))).reset_index()
    table = table.sort_values("size_class", kind="stable", ignore_index=True)
    larger_first = table.iloc[::-1]
    table["quantile"] = larger_first.groupby("age_group", sort=False)["raw_quantile"].cummax().iloc[::-1]
    return table


def prediction_intervals(projection, errors, coverage=0.8, scaling="linear"):
    """Add lower and upper limits to an area projection from back-test errors of the same size class and group.

    `projection` needs size_class, age_group, horizon and population (as made by `project_with_intervals`).
    With q the `coverage` quantile from `error_quantiles` and s(h) = h or sqrt(h), the limits are
    population * exp(-q s(h)) and population * exp(q s(h)): symmetric on the log scale, never negative.
    Class and group combinations without back-test errors get NaN limits.
    """
    _require_columns(projection, ("size_class", "age_group", "horizon", "population"), "projection")
    quantiles = error_quantiles(errors, coverage, scaling)
    key = pd.MultiIndex.from_frame(quantiles[["size_class", "age_group"]].astype(str))
    lookup = pd.Series(quantiles["quantile"].to_numpy(), index=key)
    wanted = pd.MultiIndex.from_arrays([projection["size_class"].astype(str), projection["age_group"].astype(str)])
    half_width = lookup.reindex(wanted).to_numpy() * _scale(projection["horizon"], scaling)
    population = projection["population"].to_numpy(dtype=float)
    return projection.assign(lower=population * np.exp(-half_width), upper=population * np.exp(half_width))


@dataclass(frozen=True)
class ProjectionRun:
    """Everything one projection with intervals produces (`run_projection`)."""

    #: area, name, level, size_class, year, horizon, age_group, age_from, age_to, population, lower, upper: the
    #: projected years; attrs hold the settings and the shrinkage constants used
    groups: pd.DataFrame
    #: area, year, sex, age_band, population: the projected years by sex and band, summed over each area's members
    bands: pd.DataFrame
    #: area, name, level, year, age_group, age_from, age_to, population: the launch year (the latest observed)
    launch: pd.DataFrame
    #: the back-test errors the intervals come from (`backtest`)
    errors: pd.DataFrame


def run_projection(
    population,
    areas,
    horizon=10,
    coverage=0.8,
    scaling="linear",
    base_years=DEFAULT_BASE_YEARS,
    k=None,
    cwr_k=None,
    control=None,
    groups=DEFAULT_GROUPS,
    size_bounds=DEFAULT_SIZE_BOUNDS,
    mother_ages=DEFAULT_MOTHER_AGES,
    max_backtest_horizon=None,
):
    """`project_with_intervals`, and beside it the projected bands of every area, its launch-year groups and the
    back-test errors, from one fit (a `ProjectionRun`)."""
    _check_whole_number("horizon", horizon, 1)
    _check_interval_settings(coverage, scaling)
    _check_base_years(base_years)
    mothers = _check_mother_ages(mother_ages)
    bounds = _check_size_bounds(size_bounds)
    groups = tuple(groups)
    weights = group_weights(groups)
    cube = _cube(population)
    info = _areas(areas, cube.districts)
    if len(cube.years) < 3:
        raise ValueError("prediction intervals need a back-test and so at least three years of population data")
    ccr_k, cwr_k = _estimated_constants(cube.values, k, cwr_k, mothers)
    launch = cube.years[-1]
    years = tuple(range(launch + 1, launch + horizon + 1))
    total = None if control is None else _control_array(control, years)
    parts, _ = _run(_base(cube.values, base_years), horizon, ccr_k, cwr_k, mothers, total)
    errors = _backtest(cube, info, base_years, ccr_k, cwr_k, max_backtest_horizon, 2, groups, bounds, mothers)

    classes = np.asarray(size_class_labels(bounds))[_size_classes(_residents(info, cube.values[:, -1]), bounds)]
    result = _grid_frame(
        {"area": info.codes, "year": years, "group": range(len(groups))},
        _area_groups(parts, info.membership, weights),
        "population",
    )
    result.insert(1, "size_class", classes[np.repeat(np.arange(len(info.codes)), horizon * len(groups))])
    result.insert(3, "horizon", result["year"] - launch)
    result = prediction_intervals(_with_labels(result, info, groups), errors, coverage, scaling)
    result = result[
        [
            "area",
            "name",
            "level",
            "size_class",
            "year",
            "horizon",
            "age_group",
            "age_from",
            "age_to",
            "population",
            "lower",
            "upper",
        ]
    ]
    result.attrs.update(
        coverage=coverage,
        scaling=scaling,
        base_years=base_years,
        ccr_k=ccr_k.tolist(),
        cwr_k=cwr_k,
        launch_year=launch,
        control="official" if control is not None else "city projection",
    )
    levels = {"area": info.codes, "year": years, "sex": SEXES, "age_band": AGE_BANDS}
    bands = _grid_frame(levels, np.einsum("ad,dysb->aysb", info.membership, parts), "population")
    observed = _grid_frame(
        {"area": info.codes, "year": (launch,), "group": range(len(groups))},
        _area_groups(cube.values[:, -1:], info.membership, weights),
        "population",
    )
    return ProjectionRun(result, bands, _with_labels(observed, info, groups), errors)


def project_with_intervals(
    population,
    areas,
    horizon=10,
    coverage=0.8,
    scaling="linear",
    base_years=DEFAULT_BASE_YEARS,
    k=None,
    cwr_k=None,
    control=None,
    groups=DEFAULT_GROUPS,
    size_bounds=DEFAULT_SIZE_BOUNDS,
    mother_ages=DEFAULT_MOTHER_AGES,
    max_backtest_horizon=None,
):
    """Projection per area of `areas` (Ortsteile, Stadtteile, city), year and age group, with prediction limits.

    Projects all districts (`project`), sums them to the areas and `groups`, back-tests the method on the same
    data (`backtest`, with the city's own projection as control even when `control` is given) and adds
    `coverage` limits from the errors of the area's size class and age group (`prediction_intervals`). Returns
    area, name, level, size_class, year, horizon, age_group, age_from, age_to (inclusive bounds, NA open),
    population, lower, upper; attrs hold the settings and the shrinkage constants used.
    """
    return run_projection(
        population, areas, horizon, coverage, scaling, base_years, k, cwr_k, control, groups, size_bounds,
        mother_ages, max_backtest_horizon,
    ).groups  # fmt: skip
