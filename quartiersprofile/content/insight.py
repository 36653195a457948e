"""Insight the peers do not give, computed once per build and period from the published (suppressed) table: the
Gesundheits- und Sozialindex of the Ortsteile and Stadtteile, and each area's similar areas with the benchmark
"ähnliche Gebiete" of every indicator.

Everything here reads the published indicator table only, so a hidden (suppressed) value takes part in nothing:
the index imputes a hidden input from the published ones (`stats.social_index`), and a neighbour whose counts are
hidden is replaced by the next most similar area with published counts, never pooled (`stats.neighbours`). The
pooled value of published counts, or the weighted mean of published values, is derivable from what is published
anyway and adds no information an attacker could use.

The results are cached in `ProfileTables.insight` by period: `prime` fills it for the build's period (and the
previous one, for "Was hat sich verändert?") before the tables go to the workers, so each profile only looks
them up. `quartiersprofile.content.insight_rows` turns them into one profile's rows, `insight_text` into German.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..model import periods
from ..stats.estimates import compare_to_benchmark, proportion, rate
from ..stats.index_uncertainty import aggregate_index, rank_uncertainty
from ..stats.neighbours import neighbour_groups, similar_areas, weighted_benchmark
from ..stats.social_index import CLASS_LABELS, social_index

if TYPE_CHECKING:  # the tables module imports this one
    from .tables import ProfileTables

logger = logging.getLogger(__name__)

#: Areas with fewer inhabitants are left out of the index (as in Hamburg and Berlin).
MIN_POPULATION = 300
#: Draws of the rank simulation and its seed (fixed: two builds from the same data print the same intervals).
DRAWS = 1000
SEED = 2024
#: The social and demographic profile on which areas are compared for similarity: context, not the outcomes that
#: are benchmarked (shares under 15, 65 and older, without German citizenship; SGB II, unemployment, single
#: parents), as CIPFA's Nearest Neighbours model compares councils. Ids missing from the catalogue are skipped.
PROFILE_INDICATORS = ("DEM03", "DEM04", "DEM07", "SOZ01", "SOZ03", "SOZ05")
#: Similar areas per area: Ortsteile among the Ortsteile, Stadtteile (and the city's comparisons) among the 9.
NEIGHBOURS = {"ortsteil": 4, "stadtteil": 3}
#: Statistics with a benchmark "ähnliche Gebiete": pooled counts (proportion, rate) or the weighted mean of the
#: published values with their intervals (dsr, mean); counts and ratios have no interval to compare.
POOLED = ("proportion", "rate")
WEIGHTED = ("dsr", "mean")
LEVEL_WORDS = {
    "ortsteil": ("Ortsteil", "Ortsteile", "Ortsteilen"),
    "stadtteil": ("Stadtteil", "Stadtteile", "Stadtteilen"),
}
EXCLUSION_REASONS = {
    "population": f"weniger als {MIN_POPULATION} Einwohner:innen",
    "missing": "mehr als die Hälfte der Indexindikatoren nicht ausgewiesen",
}


# --- the catalogue ---------------------------------------------------------------------------------------------


def index_indicators(catalogue: pd.DataFrame) -> list[str]:
    """The ids the catalogue marks for the index (column ``index``), in catalogue order."""
    if "index" not in catalogue:
        return []
    return catalogue.loc[catalogue["index"].eq("true").to_numpy(dtype=bool), "id"].tolist()


def targets(catalogue: pd.DataFrame) -> pd.DataFrame:
    """Indicator id -> target and target_source, for the indicators with a target and a polarity."""
    if "target" not in catalogue or catalogue["target"].isna().all():
        return pd.DataFrame({"target": pd.Series(dtype=float), "target_source": pd.Series(dtype=object)})
    chosen = catalogue[catalogue["target"].notna() & catalogue["polarity"].ne("neutral")]
    source = chosen["target_source"] if "target_source" in chosen else pd.Series("", index=chosen.index)
    return pd.DataFrame(
        {"target": chosen["target"].to_numpy(dtype=float), "target_source": source.fillna("").to_numpy(dtype=object)},
        index=pd.Index(chosen["id"], name="id"),
    )


# --- periods and units -----------------------------------------------------------------------------------------


def previous_period(period: str) -> str:
    """The period of the last report: the previous year for a year, the previous quarter for a quarter."""
    found = periods.Period.parse(period)
    if found.quarter is None:
        return str(found.year - 1)
    if found.quarter == 1:
        return f"{found.year - 1}-Q4"
    return f"{found.year}-Q{found.quarter - 1}"


def has_period(tables: ProfileTables, period: str) -> bool:
    """Whether the data hold the period: a year with any value in it, a quarter with quarterly values of it."""
    available = set(tables.indicators["period"].unique())
    if periods.is_quarter(period):
        return period in available
    return periods.has_data_for(available, period)


def shown_periods(tables: ProfileTables, period: str) -> dict[str, str]:
    """Indicator -> the period a report of `period` shows for it (as `Profile`: the latest up to the period)."""
    table = tables.indicators
    shown = {}
    for indicator, group in table.groupby("indicator", sort=False)["period"]:
        found = periods.matching(group.unique(), period)
        if found is not None:
            shown[indicator] = found
    return shown


def level_units(tables: ProfileTables, level: str) -> list:
    """The areas compared at a level, as `Profile.peers`: the Ortsteile (a one-Ortsteil Stadtteil under its
    Stadtteil code) or the Stadtteile."""
    if level == "ortsteil":
        return [a for a in tables.areas if a.level == "ortsteil" or a.also_code]
    return [a for a in tables.areas if a.level == "stadtteil"]


def population(tables: ProfileTables, period: str) -> pd.Series:
    """Inhabitants per area in the population year that serves the period."""
    pop = tables.population
    if "period" not in pop or pop.empty:
        return pd.Series(dtype=float)
    year = periods.matching(pop["period"].unique(), period)
    if year is None:
        return pd.Series(dtype=float)
    return pop[pop["period"] == year].groupby("area")["population"].sum().astype(float)


def report_rows(tables: ProfileTables, period: str, areas=None) -> pd.DataFrame:
    """The published rows a report of `period` shows (one period per indicator), of `areas` (codes) or all."""
    table = tables.indicators
    wanted = table["period"] == table["indicator"].map(shown_periods(tables, period))
    if areas is not None:
        wanted &= table["area"].isin(list(areas))
    return table[wanted]


def _matrix(rows: pd.DataFrame, codes: list[str], indicators: list[str], column: str) -> pd.DataFrame:
    wide = rows.pivot(index="area", columns="indicator", values=column)
    return wide.reindex(index=codes, columns=indicators).astype(float)


# --- the index -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexResult:
    """The Gesundheits- und Sozialindex of one period.

    ortsteile: per Ortsteil-level area code that entered the index: score, equal_score, rank, index_class,
    rank_lower, rank_upper (95 % interval of the rank), class_share, imputed (ids of estimated inputs, comma
    separated), population. stadtteile: per Stadtteil code: score, rank, index_class, rank_lower, rank_upper,
    coverage (share of its inhabitants in Ortsteile in the index), members. loadings: per indicator: weight,
    loading, centre, spread, orientation (+1, or -1 for higher_is_better). excluded: code -> reason (German).
    """

    period: str
    indicators: tuple[str, ...]
    ortsteile: pd.DataFrame
    stadtteile: pd.DataFrame
    loadings: pd.DataFrame
    explained: float
    agreement: float
    rank_agreement: float
    cut_points: tuple[float, ...]
    excluded: pd.Series
    shown_periods: dict

    def position(self, code: str, level: str) -> pd.Series | None:
        """The area's row (of `ortsteile` or `stadtteile`), None when it has no score."""
        table = self.ortsteile if level == "ortsteil" else self.stadtteile
        if code not in table.index or pd.isna(table.at[code, "score"]):
            return None
        return table.loc[code]

    def ranked(self, level: str) -> pd.DataFrame:
        """The areas of a level with a score, rank 1 (highest burden) first."""
        table = self.ortsteile if level == "ortsteil" else self.stadtteile
        return table[table["score"].notna()].sort_values("rank")


def compute_index(tables: ProfileTables, period: str) -> IndexResult | None:
    """The index of the Ortsteile in `period` and its Stadtteil means; None when the catalogue marks fewer than
    two indicators or too few areas are left (the log says why)."""
    # Long on purpose: both levels and their rank simulations from the same published rows.
    indicators = index_indicators(tables.catalogue)
    if len(indicators) < 2:
        return None
    units = level_units(tables, "ortsteil")
    codes = [a.code for a in units]
    if len(codes) < 5:  # five classes need five areas
        return None
    shown = shown_periods(tables, period)
    indicators = [i for i in indicators if i in shown]
    rows = report_rows(tables, period, codes)
    rows = rows[rows["indicator"].isin(indicators)]
    values, lower, upper = (_matrix(rows, codes, indicators, column) for column in ("value", "lower", "upper"))
    people = population(tables, period).reindex(codes).fillna(0.0)
    polarity = tables.catalogue.set_index("id")["polarity"]
    try:
        index = social_index(values, people, polarity, min_population=MIN_POPULATION)
    except ValueError as err:
        logger.info("Kein Gesundheits- und Sozialindex für %s: %s", period, err)
        return None
    try:
        uncertainty = rank_uncertainty(index, lower, upper, draws=DRAWS, seed=SEED)
    except ValueError as err:  # e.g. a published value without its interval
        logger.info("Keine Rangintervalle für %s: %s", period, err)
        uncertainty = None
    parent = pd.Series({a.code: (a.code if a.also_code else a.parent_code) for a in units})
    groups = aggregate_index(index, parent, population=people, uncertainty=uncertainty)
    imputed = index.imputed.apply(lambda row: ", ".join(row.index[row.to_numpy(dtype=bool)]), axis=1)
    ortsteile = pd.DataFrame(
        {
            "score": index.score,
            "equal_score": index.equal_score,
            "rank": index.rank,
            "index_class": index.index_class,
            "rank_lower": uncertainty.rank_lower if uncertainty else index.rank,
            "rank_upper": uncertainty.rank_upper if uncertainty else index.rank,
            "class_share": uncertainty.class_share if uncertainty else np.nan,
            "imputed": imputed,
            "population": index.population,
        }
    )
    stadtteile = pd.DataFrame(
        {
            "score": groups.score,
            "rank": groups.rank,
            "index_class": groups.index_class,
            "rank_lower": groups.rank_lower if groups.rank_lower is not None else groups.rank,
            "rank_upper": groups.rank_upper if groups.rank_upper is not None else groups.rank,
            "coverage": groups.coverage,
            "members": groups.members,
        }
    )
    loadings = pd.DataFrame(
        {
            "weight": index.weights,
            "loading": index.loadings,
            "centre": index.centre,
            "spread": index.spread,
            "orientation": index.orientation,
        }
    )
    reasons = index.excluded.map(
        lambda reason: EXCLUSION_REASONS["population" if "inhabitants" in reason else "missing"]
    )
    return IndexResult(
        period=period,
        indicators=tuple(indicators),
        ortsteile=ortsteile,
        stadtteile=stadtteile,
        loadings=loadings,
        explained=float(index.explained),
        agreement=float(index.agreement),
        rank_agreement=float(index.rank_agreement),
        cut_points=tuple(index.cut_points),
        excluded=reasons,
        shown_periods={i: shown[i] for i in indicators},
    )


def class_label(index_class) -> str:
    return CLASS_LABELS[int(index_class)]


# --- similar areas ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NeighbourResult:
    """Similar areas at one level in one period.

    neighbours: area code -> its k most similar areas (codes, columns 1..k, nearest first); distances: the
    matching Euclidean distances on the z-scores of `profile_indicators`. benchmarks: indicator, area,
    benchmark, benchmark_lower, benchmark_upper (95 %), comparison (of the area's own interval with the
    benchmark), neighbours (the codes pooled, comma separated: a neighbour with hidden numbers replaced).
    """

    level: str
    k: int
    profile_indicators: tuple[str, ...]
    neighbours: pd.DataFrame
    distances: pd.DataFrame
    benchmarks: pd.DataFrame


def compute_neighbours(tables: ProfileTables, period: str, level: str) -> NeighbourResult | None:
    """Each area's similar areas at `level` and the benchmark "ähnliche Gebiete" of every indicator with an
    interval; None when the profile indicators are missing or too few areas have them. Areas with fewer than
    `MIN_POPULATION` inhabitants, or with less than half of the profile known, are left out (their profile says
    too little), as neighbours and as areas with neighbours."""
    # Long on purpose: profile, standardisation, choice and exclusions of one level share their frames.
    k = NEIGHBOURS[level]
    catalogue = tables.catalogue.set_index("id")
    shown = shown_periods(tables, period)
    chosen = [i for i in PROFILE_INDICATORS if i in catalogue.index and i in shown]
    people = population(tables, period)
    codes = [a.code for a in level_units(tables, level) if people.get(a.code, 0) >= MIN_POPULATION]
    rows = report_rows(tables, period, codes)
    if len(chosen) < 2:
        return None
    profile = _matrix(rows[rows["indicator"].isin(chosen)], codes, chosen, "value")
    profile = profile[profile.notna().mean(axis=1) >= 0.5]
    profile = profile.loc[:, profile.notna().sum() >= 2]
    if len(profile) <= k or profile.shape[1] < 2 or (profile.std(ddof=0) == 0).any():
        return None
    found = similar_areas(profile, k=k)
    members = list(found.neighbours.index)
    statistic = catalogue["statistic"]
    indicators = [i for i in dict.fromkeys(rows["indicator"]) if statistic.get(i) in POOLED + WEIGHTED]
    wide = {
        column: _matrix(rows, members, indicators, column).to_numpy()
        for column in ("numerator", "denominator", "value", "lower", "upper")
    }
    hidden = _matrix(rows.assign(hidden=rows["suppressed"].astype(float)), members, indicators, "hidden").to_numpy()
    usable = (hidden == 0) & np.isfinite(wide["value"]) & (wide["denominator"] > 0)
    labels = np.array(members, dtype=object)
    parts = []
    for j, indicator in enumerate(indicators):
        positions, complete = neighbour_groups(found, usable[:, j])
        group = {name: values[:, j][positions] for name, values in wide.items()}
        if statistic[indicator] in POOLED:
            numerators = np.where(complete[:, None], group["numerator"], np.nan)
            method = proportion if statistic[indicator] == "proportion" else rate
            benchmark = method(
                numerators.sum(axis=1),
                group["denominator"].sum(axis=1),
                multiplier=float(catalogue.at[indicator, "multiplier"]),
            )
        else:
            values = np.where(complete[:, None], group["value"], np.nan)
            benchmark = weighted_benchmark(values, group["lower"], group["upper"], group["denominator"])
        comparison = compare_to_benchmark(
            wide["lower"][:, j], wide["upper"][:, j], benchmark.value, catalogue.at[indicator, "polarity"]
        )
        parts.append(
            pd.DataFrame(
                {
                    "indicator": indicator,
                    "area": members,
                    "benchmark": benchmark.value,
                    "benchmark_lower": benchmark.lower,
                    "benchmark_upper": benchmark.upper,
                    "comparison": comparison,
                    "neighbours": [
                        ", ".join(row) if ok else "" for row, ok in zip(labels[positions], complete, strict=True)
                    ],
                }
            )
        )
    columns = ["indicator", "area", "benchmark", "benchmark_lower", "benchmark_upper", "comparison", "neighbours"]
    benchmarks = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    return NeighbourResult(level, k, tuple(profile.columns), found.neighbours, found.distances, benchmarks)


# --- once per build --------------------------------------------------------------------------------------------


def index_for(tables: ProfileTables, period: str) -> IndexResult | None:
    """The index of `period` (computed once per tables object and period, see `prime`)."""
    key = ("index", period)
    if key not in tables.insight:
        tables.insight[key] = compute_index(tables, period)
    return tables.insight[key]


def neighbours_for(tables: ProfileTables, period: str, level: str) -> NeighbourResult | None:
    """The similar areas of `level` in `period` (computed once per tables object, period and level)."""
    key = ("neighbours", period, level)
    if key not in tables.insight:
        tables.insight[key] = compute_neighbours(tables, period, level)
    return tables.insight[key]


def prime(tables: ProfileTables, period: str | None = None) -> None:
    """Compute what the profiles of `period` (default: the latest) read - the index of the period and of the
    previous one, the similar areas of both levels - so that the tables the workers load hold them."""
    if period is None:
        period = periods.latest(tables.indicators["period"].unique()) if len(tables.indicators) else None
    if period is None:
        return
    index_for(tables, period)
    previous = previous_period(period)
    if has_period(tables, previous):
        index_for(tables, previous)
    for level in NEIGHBOURS:
        neighbours_for(tables, period, level)
