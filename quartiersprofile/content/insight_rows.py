"""One profile's share of the insight (`content.insight`): the benchmark "ähnliche Gebiete" and the target beside
each indicator row, the area's similar areas, its place in the Gesundheits- und Sozialindex, and the spine rows
with both benchmarks.

A hidden (suppressed) row takes part in nothing: its benchmark columns stay empty, so that no number appears in
a row whose own value is hidden (the disclosure audit checks exactly that in tables and downloads).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..stats.targets import compare_to_target
from . import insight

if TYPE_CHECKING:  # the profile imports this module
    from .profile import Profile

#: The columns `with_benchmarks` adds to a profile's indicator rows.
BENCHMARK_COLUMNS = (
    "neighbours_value",  # the similar areas' pooled value (published counts only)
    "neighbours_lower",
    "neighbours_upper",
    "neighbours_comparison",  # the area's 95 % interval against it: better/similar/worse (higher/lower)
    "neighbours_areas",  # the names of the areas pooled, comma separated
    "target",  # the catalogue's target
    "target_source",
    "target_comparison",  # achieved / not achieved / not compared (Fingertips: on the point value)
)

NUMBER_COLUMNS = ("neighbours_value", "neighbours_lower", "neighbours_upper", "target")


def level(profile: Profile) -> str:
    """The level the profile's area is compared at: "ortsteil" or "stadtteil" (Stadtteile and the city)."""
    return profile.area.peer_level


def _names(profile: Profile) -> dict[str, str]:
    return {a.code: a.name for a in profile.tables.areas}


def neighbours(profile: Profile) -> insight.NeighbourResult | None:
    return insight.neighbours_for(profile.tables, profile.period, level(profile))


def similar_areas(profile: Profile) -> pd.DataFrame:
    """The area's similar areas, nearest first: code, name, distance; empty when it has none (the city, tiny
    areas, areas whose profile is mostly hidden)."""
    found = neighbours(profile)
    if found is None or profile.area.code not in found.neighbours.index:
        return pd.DataFrame(columns=["code", "name", "distance"])
    codes = found.neighbours.loc[profile.area.code].tolist()
    names = _names(profile)
    return pd.DataFrame(
        {
            "code": codes,
            "name": [names[c] for c in codes],
            "distance": found.distances.loc[profile.area.code].to_numpy(dtype=float),
        }
    )


def with_benchmarks(profile: Profile, rows: pd.DataFrame) -> pd.DataFrame:
    """The profile's indicator rows (`Profile.indicator_rows` without these columns) with `BENCHMARK_COLUMNS`."""
    count = len(rows)
    hidden = rows["suppressed"].astype(bool).to_numpy() if "suppressed" in rows else np.zeros(count, dtype=bool)
    columns = {name: np.full(count, np.nan) if name in NUMBER_COLUMNS else np.full(count, "", dtype=object)
               for name in BENCHMARK_COLUMNS}  # fmt: skip
    found = neighbours(profile) if count else None
    if found is not None and len(found.benchmarks):
        own = found.benchmarks[found.benchmarks["area"] == profile.area.code].set_index("indicator")
        own = own.reindex(rows["id"].to_numpy())
        names = _names(profile)
        columns["neighbours_value"] = own["benchmark"].to_numpy(dtype=float)
        columns["neighbours_lower"] = own["benchmark_lower"].to_numpy(dtype=float)
        columns["neighbours_upper"] = own["benchmark_upper"].to_numpy(dtype=float)
        columns["neighbours_comparison"] = own["comparison"].fillna("").to_numpy(dtype=object)
        columns["neighbours_areas"] = np.array(
            [", ".join(names[c] for c in codes.split(", ")) if isinstance(codes, str) and codes else ""
             for codes in own["neighbours"]], dtype=object,
        )  # fmt: skip
    goals = insight.targets(profile.tables.catalogue)
    if count and len(goals):
        goals = goals.reindex(rows["id"].to_numpy())
        target = goals["target"].to_numpy(dtype=float)
        columns["target"] = target
        columns["target_source"] = goals["target_source"].fillna("").to_numpy(dtype=object)
        judged = ~np.isnan(target) & (rows["polarity"].to_numpy() != "neutral")
        if judged.any():
            values, polarity = rows["value"].to_numpy(dtype=float), rows["polarity"].to_numpy(dtype=str)
            columns["target_comparison"][judged] = compare_to_target(values[judged], polarity[judged], target[judged])
    for name, values in columns.items():  # a hidden value takes part in nothing: no benchmark, no target in its row
        columns[name] = np.where(hidden, np.nan if values.dtype.kind == "f" else "", values).astype(values.dtype)
    return rows.assign(**columns)


def index_position(profile: Profile, period: str | None = None) -> pd.Series | None:
    """The area's row of the index (score, rank, index_class, rank_lower, rank_upper, ...; Stadtteile: the mean
    of their Ortsteile), None when it has none (the city; an area left out; no index). `period`: default the
    profile's."""
    found = insight.index_for(profile.tables, period or profile.period)
    if found is None or profile.area.level == "stadt":
        return None
    return found.position(profile.area.code, level(profile))


def index_count(profile: Profile, period: str | None = None) -> int:
    """How many areas of the profile's level are ranked in the index."""
    found = insight.index_for(profile.tables, period or profile.period)
    return 0 if found is None else len(found.ranked(level(profile)))


def spine_rows(profile: Profile) -> pd.DataFrame:
    """`Profile.spine_rows` with the two further benchmarks, `neighbours_value` and `target` (NaN where there is
    none, and in hidden rows), for the spine chart's markers."""
    spine = profile.spine_rows()
    if spine.empty:
        return spine
    rows = profile.indicator_rows().drop_duplicates("name").set_index("name")
    spine["neighbours_value"] = spine["name"].map(rows["neighbours_value"]).astype(float)
    spine["target"] = spine["name"].map(rows["target"]).astype(float)
    return spine
