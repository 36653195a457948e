"""Areas (Ortsteile, Stadtteile, the city), age groups and size classes of the projection (`stats.projection`)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...model.age_bands import age_group_label
from .base import (
    _BANDS,
    BAND_WIDTH,
    DEFAULT_GROUPS,
    DEFAULT_SIZE_BOUNDS,
    OPEN_AGE,
    TOTAL,
    _cube,
    _grid_frame,
    _require_columns,
)

# --- areas and age groups --------------------------------------------------------------------------------------


def group_label(lower, upper):
    """German label of an age group from its first and last year of age (None: open), as the reports name it
    (`model.age_bands.age_group_label`): (0, 19) 'unter 20', (65, 79) '65–79', (80, None) '80 und älter';
    the whole population (0, None) is 'insgesamt'."""
    return "insgesamt" if (lower, upper) == TOTAL else age_group_label(lower, upper)


def group_weights(groups=DEFAULT_GROUPS):
    """Matrix [band, group] with the share of each 5-year band that falls into each age group.

    `groups`: (first, last) year of age, both inclusive, None for an open group (as `model.age_bands.AGE_GROUPS`).
    Bounds on band bounds take whole bands. A bound inside a band takes its share assuming even ages within the
    band: (0, 17) takes 3/5 of 15-19 (an approximation; the default groups avoid it). The open band 90+ cannot be
    split.
    """
    groups = tuple(groups)
    if not groups:
        raise ValueError("groups must name at least one age group as (first, last) year of age, e.g. (65, 79)")
    weights = np.zeros((_BANDS, len(groups)))
    starts = np.arange(_BANDS - 1) * BAND_WIDTH
    for column, group in enumerate(groups):
        try:
            lower, upper = group
            valid = isinstance(lower, int) and (upper is None or isinstance(upper, int)) and lower >= 0
            valid = valid and (upper is None or upper >= lower)
        except (TypeError, ValueError):
            valid = False
        if not valid:
            raise ValueError(
                f"each age group must be (first, last) whole years of age with first <= last or last None; "
                f"got {group!r}"
            )
        if lower > OPEN_AGE or (upper is not None and upper >= OPEN_AGE):
            raise ValueError(f"age group {group!r} splits the open band 90+; use a last age up to 89 or (first, None)")
        stop = np.inf if upper is None else upper + 1
        overlap = np.clip(np.minimum(starts + BAND_WIDTH, stop) - np.maximum(starts, lower), 0, None)
        weights[:-1, column] = overlap / BAND_WIDTH
        weights[-1, column] = 1.0 if upper is None else 0.0
    return weights


def _group_frame(groups):
    return {
        "age_group": [group_label(lower, upper) for lower, upper in groups],
        "age_from": [lower for lower, _ in groups],
        "age_to": pd.array([upper for _, upper in groups], dtype="Int64"),
    }


@dataclass(frozen=True)
class _Areas:
    codes: tuple[str, ...]
    names: tuple[str, ...]
    levels: tuple[str, ...]
    membership: np.ndarray  # [area, district] 0/1


def _areas(areas, districts):
    """Check the areas table (code, name, level, members) against the districts of the population table."""
    _require_columns(areas, ("code", "name", "level", "members"), "areas")
    if areas.empty:
        raise ValueError("areas has no rows")
    codes = areas["code"].astype(str).tolist()
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise ValueError(f"areas lists the code(s) {', '.join(duplicates)} more than once")
    position = {district: i for i, district in enumerate(districts)}
    membership = np.zeros((len(codes), len(districts)))
    for row, (code, members) in enumerate(zip(codes, areas["members"], strict=True)):
        names = [m.strip() for m in str(members).split(",") if m.strip()] if not pd.isna(members) else []
        unknown = [m for m in names if m not in position]
        if not names or unknown:
            raise ValueError(
                f"area {code} must list its Ortsteile (comma-separated codes of the population table) as members; "
                + (f"unknown: {', '.join(unknown)}" if unknown else "it lists none")
            )
        membership[row, [position[m] for m in names]] = 1.0
    return _Areas(tuple(codes), tuple(areas["name"].astype(str)), tuple(areas["level"].astype(str)), membership)


def _area_groups(values, membership, weights):
    """values[district, year, sex, band] -> [area, year, group] (both sexes)."""
    return np.einsum("ad,dysb,bg->ayg", membership, values, weights, optimize=True)


def aggregate(frame, areas, groups=DEFAULT_GROUPS):
    """Sum a district table (observed or projected) to the areas of `areas` and to age groups, both sexes.

    `frame`: district, year (or period), sex, age_band, population; `areas`: code, name, level, members
    (comma-separated district codes). Returns area, name, level, year, age_group, age_from, age_to (inclusive,
    NA for open groups), population.
    """
    cube = _cube(frame, what="frame", consecutive=False)
    info = _areas(areas, cube.districts)
    totals = _area_groups(cube.values, info.membership, group_weights(groups))
    result = _grid_frame({"area": info.codes, "year": cube.years, "group": range(len(groups))}, totals, "population")
    return _with_labels(result, info, groups)


def _with_labels(result, info, groups):
    """Add name and level after area and the group labels and bounds in place of a 'group' index column."""
    at = result.columns.get_loc("group")
    group = result.pop("group").to_numpy()
    labels = _group_frame(groups)
    for offset, (name, values) in enumerate(labels.items()):
        result.insert(at + offset, name, values[group] if name == "age_to" else np.asarray(values)[group])
    position = {code: i for i, code in enumerate(info.codes)}
    area = result["area"].map(position).to_numpy()
    result.insert(1, "name", np.asarray(info.names)[area])
    result.insert(2, "level", np.asarray(info.levels)[area])
    return result


def size_class_labels(size_bounds=DEFAULT_SIZE_BOUNDS):
    """Labels of the area-size classes: 'unter 1.000', '1.000–4.999', ..., '10.000 und mehr'."""

    def number(value):
        return f"{value:,}".replace(",", ".")

    bounds = list(size_bounds)
    labels = [f"unter {number(bounds[0])}"]
    labels += [f"{number(low)}–{number(high - 1)}" for low, high in itertools.pairwise(bounds)]
    return labels + [f"{number(bounds[-1])} und mehr"]


def _check_size_bounds(size_bounds):
    bounds = tuple(size_bounds)
    if not bounds or any(not isinstance(b, int) or b <= 0 for b in bounds) or list(bounds) != sorted(set(bounds)):
        raise ValueError(
            f"size_bounds must be increasing whole numbers above 0, e.g. (1000, 5000, 10000); got {size_bounds!r}"
        )
    return bounds


def _residents(info, launch):
    """Residents of each area in one year, from launch[district, sex, band]."""
    return np.einsum("ad,dsb->a", info.membership, launch)


def _size_classes(population, size_bounds):
    """Size class (index into size_class_labels) of each area from its residents."""
    return np.searchsorted(np.asarray(size_bounds), population, side="right")
