"""The projection of the Ortsteile one year at a time, controlled to a city total (`stats.projection`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...model.age_bands import AGE_BANDS
from ...model.contract import SEXES
from .base import (
    _BANDS,
    BAND_WIDTH,
    DEFAULT_BASE_YEARS,
    DEFAULT_MOTHER_AGES,
    OPEN_AGE,
    _base,
    _check_mother_ages,
    _check_whole_number,
    _cube,
    _grid_frame,
    _year_column,
)
from .ratios import _base_cube, _estimated_constants, _fit, split_single_years

# --- projection ------------------------------------------------------------------------------------------------


def _project_values(launch, fit, horizon, mothers):
    """Project launch[district, sex, band] `horizon` years with the fitted ratios -> [district, year, sex, band].

    Single years of age inside (0..89 and the open 90+): the launch bands are spread over single years once
    (`split_single_years`), then each year every single-year cohort moves up one year and is multiplied by
    the ratio of the band it enters; 90+ collects its own survivors and those from age 89 (the closed top
    band). The band 0-4 is the CWR times the women of the mother ages in the same year, split into girls and
    boys by the boys' share and over ages 0-4 like any band.
    """
    districts = launch.shape[0]
    state = split_single_years(launch)
    entering = np.repeat(fit.ratios[..., :-1], BAND_WIDTH, axis=-1)  # ratio for single ages 5..89
    top_ratio = fit.ratios[..., -1]
    sex_shares = np.array([1 - fit.boys_share, fit.boys_share])
    mother_ages = slice(mothers.start * BAND_WIDTH, mothers.stop * BAND_WIDTH)
    result = np.empty((districts, horizon, len(SEXES), _BANDS))
    for step in range(horizon):
        aged = np.empty_like(state)
        aged[..., BAND_WIDTH:OPEN_AGE] = state[..., BAND_WIDTH - 1 : OPEN_AGE - 1] * entering
        aged[..., OPEN_AGE] = (state[..., OPEN_AGE - 1] + state[..., OPEN_AGE]) * top_ratio
        bands = np.empty((districts, len(SEXES), _BANDS))
        bands[..., 1:-1] = aged[..., BAND_WIDTH:OPEN_AGE].reshape(districts, len(SEXES), -1, BAND_WIDTH).sum(-1)
        bands[..., -1] = aged[..., OPEN_AGE]
        bands[..., 0] = (fit.cwr * aged[:, 0, mother_ages].sum(axis=-1))[:, None] * sex_shares
        aged[..., :BAND_WIDTH] = split_single_years(bands)[..., :BAND_WIDTH]
        state = aged
        result[:, step] = bands
    return result


def _control(parts, total):
    """Scale parts[district, year, sex, band] so that they add up to total[year, sex, band] in every cell.

    Proportional adjustment per cell. Where the parts hold nobody but the total does, the total is shared by
    the districts' shares of that sex in that year (all districts equally if those are zero, too).
    """
    sums = parts.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        controlled = parts * np.where(sums > 0, total / sums, 0.0)
    gaps = (sums <= 0) & (total > 0)
    if np.any(gaps):
        by_sex = parts.sum(axis=-1, keepdims=True)
        sex_totals = by_sex.sum(axis=0, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            shares = np.where(sex_totals > 0, by_sex / sex_totals, 1 / parts.shape[0])
        controlled = np.where(gaps, shares * total, controlled)
    return controlled


def _run(values, horizon, ccr_k, cwr_k, mothers, control=None):
    """Fit on values[district, year, sex, band] (the base years), project, control: -> (parts, city)."""
    fit = _fit(values, ccr_k, cwr_k, mothers)
    parts = _project_values(values[:, -1], fit, horizon, mothers)
    if control is None:
        city = values.sum(axis=0, keepdims=True)
        control = _project_values(city[:, -1], _fit(city, 0.0, 0.0, mothers), horizon, mothers)[0]
    return _control(parts, control), control


def _control_array(control, years):
    """An official city projection (year, sex, age_band, population) as total[year, sex, band] for `years`."""
    frame = control.assign(district="city")
    cube = _cube(frame, what="the control table", consecutive=False)
    missing = sorted(set(years) - set(cube.years))
    if missing:
        raise ValueError(f"the control table must hold every projected year; missing {missing}")
    return cube.values[0, [cube.years.index(year) for year in years]]


def project(
    population,
    horizon=10,
    base_years=DEFAULT_BASE_YEARS,
    k=None,
    cwr_k=None,
    control=None,
    mother_ages=DEFAULT_MOTHER_AGES,
):
    """Project every district `horizon` years past the latest year, by sex and 5-year band.

    `population`: long table (district, period or year, sex, age_band, population) of consecutive years, one
    row per district, year, sex and band. Ratios from the last `base_years` years (None: all), shrunk with `k`
    (CCR, expected persons) and `cwr_k` (CWR, women per year), both estimated from all years when None. The
    districts are
    scaled to the projection of their sum (the city) per year, sex and band; pass `control` (year, sex,
    age_band, population for every projected year) to scale them to an official city projection instead.
    Returns district, year (int), sex, age_band, population for the projected years only.
    """
    _check_whole_number("horizon", horizon, 1)
    mothers = _check_mother_ages(mother_ages)
    cube = _base_cube(population, base_years)
    years = tuple(range(cube.years[-1] + 1, cube.years[-1] + horizon + 1))
    total = None if control is None else _control_array(control, years)
    ccr_k, cwr_k = _estimated_constants(cube.values, k, cwr_k, mothers)
    parts, _ = _run(_base(cube.values, base_years), horizon, ccr_k, cwr_k, mothers, total)
    levels = {"district": cube.districts, "year": years, "sex": SEXES, "age_band": AGE_BANDS}
    return _grid_frame(levels, parts, "population")


def control_to_total(parts, total):
    """Scale district counts so that they add up to `total` for every year, sex and band (proportional).

    `parts`: long table district, year (or period), sex, age_band, population; `total`: year (or period), sex,
    age_band, population, with every year of `parts`. Each cell of every district is multiplied by
    total / sum of the districts; a cell the districts leave empty while the total does not is shared by the
    districts' shares of that sex and year. Returns `parts` (same rows and order) with the new population.
    """
    cube = _cube(parts, what="parts", consecutive=False)
    totals = _control_array(total, cube.years)
    controlled = _control(cube.values, totals)
    year_column = _year_column(parts, "parts")
    index = pd.MultiIndex.from_arrays(
        [
            parts["district"].astype(str),
            parts[year_column].astype(str).astype(int),
            parts["sex"].astype(str),
            parts["age_band"].astype(str),
        ]
    )
    levels = {"district": cube.districts, "year": cube.years, "sex": SEXES, "age_band": AGE_BANDS}
    new = _grid_frame(levels, controlled, "population").set_index(list(levels))["population"]
    return parts.assign(population=new.reindex(index).to_numpy())
