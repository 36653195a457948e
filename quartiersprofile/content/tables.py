"""The tables every profile of a build reads (`ProfileTables`), computed once and shared by all notebook runs."""

from __future__ import annotations

import pickle
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..model import areas as area_rules
from ..model import periods
from ..model.dataset import Dataset
from ..stats.suppression import SuppressionRule
from . import insight
from .indicators import apply_suppression, build_indicator_table
from .outcomes import HealthOutcomes, health_outcomes
from .projection import ProjectionTables, compute_projection


@dataclass(frozen=True)
class ProfileTables:
    """Everything the profiles of one build read, computed once and shared by all notebook runs."""

    indicators: pd.DataFrame
    catalogue: pd.DataFrame
    population: pd.DataFrame  # area, period, sex, age_band, population (summed over member Ortsteile)
    districts: pd.DataFrame
    areas: tuple[area_rules.Area, ...]
    metadata: dict
    rule: SuppressionRule
    boundaries: dict | None = None
    #: the rows of the indicators the catalogue has by sex, for women and men: the columns of `indicators` and
    #: `sex` ("w", "m"); suppressed together with `indicators` (all persons = women + men)
    by_sex: pd.DataFrame | None = None
    #: life expectancy, SMRs and the inequality across areas (`outcomes.health_outcomes`)
    outcomes: HealthOutcomes | None = None
    #: the population projection of every area, with intervals and the back-test (`projection.compute_projection`)
    projection: ProjectionTables | None = None
    #: the index and the similar areas by period (`insight.prime` fills it): not an argument, so that a copy made
    #: with `dataclasses.replace` computes them afresh from its own tables
    insight: dict = field(default_factory=dict, init=False, repr=False, compare=False)


def compute_tables(
    dataset: Dataset,
    rule: SuppressionRule | None = None,
    unsuppressed: pd.DataFrame | None = None,
    cache: MutableMapping[str, pd.DataFrame] | None = None,
) -> ProfileTables:
    """The tables every profile reads. `unsuppressed`: the indicator table before suppression
    (`indicators.unsuppressed_indicator_table`), when the caller has computed it already (the build's audit);
    `cache`: where the secondary suppression of earlier runs is kept (see `indicators.apply_suppression`)."""
    rule = rule or SuppressionRule()
    areas = area_rules.profile_areas(dataset.districts, dataset.population)
    if unsuppressed is None:
        indicators = build_indicator_table(dataset, areas, rule, cache)
    else:
        indicators = apply_suppression(unsuppressed, dataset.catalogue, areas, rule, cache)
    one_sex = indicators["sex"].ne("")
    by_sex = indicators[one_sex].reset_index(drop=True)
    indicators = indicators[~one_sex].drop(columns="sex").reset_index(drop=True)
    members = pd.DataFrame([(a.code, m) for a in areas for m in a.members], columns=["area", "district"])
    population = (
        dataset.population.merge(members, on="district")
        .groupby(["area", "period", "sex", "age_band"], sort=False)["population"]
        .sum()
        .reset_index()
    )
    tables = ProfileTables(
        indicators=indicators,
        by_sex=by_sex,
        outcomes=health_outcomes(dataset, areas, indicators, by_sex),
        catalogue=dataset.catalogue,
        population=population,
        districts=dataset.districts,
        areas=tuple(areas),
        metadata=dict(dataset.metadata),
        rule=rule,
        boundaries=dataset.boundaries,
        projection=compute_projection(dataset, areas),
    )
    insight.prime(tables)  # the index and the similar areas of the latest period, once per build
    return tables


def save_tables(tables: ProfileTables) -> bytes:
    """The tables as bytes for the workers (`load_tables` reads them back)."""
    return pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL)


def load_tables(path: str | Path) -> ProfileTables:
    """Read the tables a build cached for its notebook runs (a file this package wrote itself)."""
    with open(path, "rb") as handle:
        return pickle.load(handle)


def latest_period(tables: ProfileTables) -> str:
    """The latest period of the indicator table; on a tie between a year and its Q4 the year wins."""
    return periods.latest(tables.indicators["period"].unique())
