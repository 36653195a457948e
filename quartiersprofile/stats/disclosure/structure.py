"""The attacker's linear model of a published indicator table, shared by `attack` and `protect`: what relates the
cells (`Structure`), the project's tables in the model's format, and the skeleton of cells, expressions and
variables (`build_skeleton`); `problem` adds what is shown, `solver` bounds what is hidden.

Variables. One non-negative variable per (quantity group, base unit, base period). A quantity is
``(indicator, "numerator" | "denominator")``; quantities declared equal by `Structure.links` (at base level,
for every unit and base period) form one group and share their variables. A base unit is an inhabited
Ortsteil (the codes in `Structure.members`); a base period is one year ("2024") or one quarter ("2024-Q3").

Expressions. A published quantity of a cell is the sum of its group's variables over the area's members and
the cell's window (the tuple of base periods a pooled cell sums over). Cells of linked quantities with the same
area and window therefore share one *expression*; an expression is known to the attacker as soon as any cell
shows it.

Constraints (what an attacker knows):

- every shown expression equals its published value;
- every variable is >= 0;
- for proportion, rate and dsr cells: numerator <= denominator (a bound when the denominator is known, a
  linear constraint between two expressions otherwise);
- what the small-number rule itself reveals about a hidden numerator: when the cell's
  denominator is known and >= `min_denominator` (or the statistic has no denominator rule: count, ratio), the
  numerator is >= 1, because zeros are shown and secondary suppression never hides a zero. (A share of 100 % is
  shown by the rule too, but secondary suppression may hide one as a partner, so nothing follows from it.)
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ...model import periods

NUMERATOR = "numerator"
DENOMINATOR = "denominator"
Quantity = tuple[str, str]

#: statistics whose numerator cannot exceed the denominator
BOUNDED_STATISTICS = frozenset({"proportion", "rate", "dsr"})
#: statistics the denominator rule does not apply to (no denominator, or one that is not a population)
NO_DENOMINATOR_RULE = frozenset({"count", "ratio"})
STATISTICS = frozenset({"proportion", "rate", "dsr", "mean", "count", "ratio"})
REQUIRED_COLUMNS = ("indicator", "area", "period", "window", "statistic", "numerator", "denominator")

_TOL = 1e-6



@dataclass(frozen=True)
class Structure:
    """What relates the published cells: the areas' base units, the linked quantities and the rule.

    `members` maps every published area code to the base units (inhabited Ortsteile) it sums; `links` are pairs
    of quantities ``(indicator, "numerator" | "denominator")`` that are equal at base level for every unit and
    base period (e.g. ``(("KIG04", "denominator"), ("KIG03", "numerator"))``).
    """

    members: Mapping[str, tuple[str, ...]]
    links: Collection[tuple[Quantity, Quantity]] = ()
    min_count: int = 5
    min_denominator: int = 20

    def __post_init__(self):
        """Normalise `members` to a dict of tuples of strings and check the thresholds and links."""
        members = {str(area): tuple(str(unit) for unit in units) for area, units in self.members.items()}
        empty = [area for area, units in members.items() if not units]
        if empty:
            raise ValueError(f"areas without base units: {', '.join(sorted(empty))}")
        object.__setattr__(self, "members", members)
        links = tuple((tuple(a), tuple(b)) for a, b in self.links)
        for pair in links:
            for indicator_side in pair:
                if len(indicator_side) != 2 or indicator_side[1] not in (NUMERATOR, DENOMINATOR):
                    raise ValueError(f"a link joins (indicator, 'numerator'|'denominator') pairs, got {pair!r}")
        object.__setattr__(self, "links", links)
        for name in ("min_count", "min_denominator"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")

    def parents(self) -> dict[str, str]:
        """Each area's parent: the area with the smallest member set that strictly contains its members."""
        sets = {area: frozenset(units) for area, units in self.members.items()}
        parents = {}
        for area, units in sets.items():
            supersets = [(len(s), other) for other, s in sets.items() if other != area and units < s]
            if supersets:
                parents[area] = min(supersets)[1]
        return parents


def period_key(period: str) -> tuple[int, int, bool]:
    """Chronological order of base periods (`model.periods`): the quarters of a year, then the year itself."""
    return (*periods.sort_key(period), not periods.is_quarter(period))


# ----------------------------------------------------------------------------------------------------------------
# the skeleton: cells, expressions and variables, independent of what is shown


def normalise_cells(table: pd.DataFrame) -> pd.DataFrame:
    """Check the input columns and return a clean copy with a RangeIndex."""
    missing = [name for name in REQUIRED_COLUMNS if name not in table]
    if missing:
        raise ValueError(f"table lacks the column(s) {', '.join(missing)}")
    cells = table.reset_index(drop=True).copy()
    for name in ("indicator", "area", "period", "statistic"):
        cells[name] = cells[name].astype(str)
    seen: dict = {}

    def clean(w):
        key = tuple(w) if isinstance(w, (tuple, list)) else (w,)
        if key not in seen:
            seen[key] = tuple(str(p) for p in key)
        return seen[key]

    cells["window"] = pd.Series([clean(w) for w in cells["window"]], dtype=object)
    unknown = sorted(set(cells["statistic"]) - STATISTICS)
    if unknown:
        raise ValueError(f"unknown statistic(s): {', '.join(unknown)}")
    duplicated = cells.duplicated(["indicator", "area", "period"])
    if duplicated.any():
        row = cells[duplicated].iloc[0]
        raise ValueError(f"more than one row for {row['indicator']}, area {row['area']}, period {row['period']}")
    ends = np.array([w[-1] for w in cells["window"]], dtype=object)
    bad_window = np.flatnonzero(ends != cells["period"].to_numpy())
    if bad_window.size:
        row = cells.iloc[int(bad_window[0])]
        raise ValueError(f"window {row['window']} of {row['indicator']} {row['area']} does not end in its period")
    return cells


def shown_flags(cells: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``numerator_shown`` and ``denominator_shown`` (default: the value is not NaN); a count has no denominator.
    A shown value must be present."""
    flags = []
    for side in (NUMERATOR, DENOMINATOR):
        values = cells[side].to_numpy(dtype=float)
        column = f"{side}_shown"
        shown = cells[column].fillna(False).to_numpy(dtype=bool) if column in cells else ~np.isnan(values)
        if side == DENOMINATOR:
            shown = shown & (cells["statistic"] != "count").to_numpy()
        missing = shown & np.isnan(values)
        if missing.any():
            r = cells.iloc[int(np.flatnonzero(missing)[0])]
            raise ValueError(f"{r['indicator']} area {r['area']} period {r['period']}: {side} shown but missing")
        flags.append(shown)
    return flags[0], flags[1]


@dataclass
class Skeleton:
    """Cells, expressions and variables of a table; what is shown is applied later (`Problem`)."""

    cells: pd.DataFrame
    structure: Structure
    num_expr: np.ndarray  # expression of each cell's numerator
    den_expr: np.ndarray  # expression of each cell's denominator, -1 for a count
    bounded: np.ndarray  # numerator <= denominator
    proportion: np.ndarray
    rule_free: np.ndarray  # count / ratio: a hidden numerator was not hidden for its denominator
    has_den: np.ndarray
    E: sp.csr_matrix  # expressions x variables
    expr_group: np.ndarray
    expr_area: np.ndarray
    expr_window: np.ndarray
    expr_period: np.ndarray
    group_names: list[str]
    group_of: dict[Quantity, int]
    var_group: np.ndarray
    expr_cells: list[list[tuple[int, str]]] = field(default_factory=list)  # (cell, side) showing each expression

    @property
    def n_cells(self) -> int:
        """Number of published cells."""
        return len(self.cells)

    @property
    def n_expr(self) -> int:
        """Number of distinct published expressions."""
        return self.E.shape[0]

    @property
    def protected_expr(self) -> np.ndarray:
        """The expression of each cell's protected count: its numerator (for a mean the sum of the values; its n
        is published like a proportion's denominator)."""
        return self.num_expr


def _groups(quantities: list[Quantity], links) -> tuple[dict[Quantity, int], list[str]]:
    """Union-find of quantities over the links; group ids in order of first appearance, with readable names."""
    parent: dict[Quantity, Quantity] = {q: q for q in quantities}

    def find(q):
        while parent[q] != q:
            parent[q] = parent[parent[q]]
            q = parent[q]
        return q

    for a, b in links:
        for q in (a, b):
            parent.setdefault(q, q)
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots: dict[Quantity, int] = {}
    members: dict[int, list[Quantity]] = {}
    group_of = {}
    for q in sorted(parent):
        gid = roots.setdefault(find(q), len(roots))
        group_of[q] = gid
        members.setdefault(gid, []).append(q)
    names = [" = ".join(f"{ind} {side}" for ind, side in members[g]) for g in range(len(roots))]
    return group_of, names


def build_skeleton(table: pd.DataFrame, structure: Structure) -> Skeleton:
    """Index the cells, their expressions and the variables of a table (see the module docstring)."""
    # Long on purpose: each kind of relation added in turn to one set of equations.
    cells = normalise_cells(table)
    indicator = cells["indicator"].to_numpy(dtype=object)
    area = cells["area"].to_numpy(dtype=object)
    window = cells["window"].to_numpy(dtype=object)
    statistic = cells["statistic"].to_numpy(dtype=object)
    unknown_areas = sorted(set(area.tolist()) - set(structure.members))
    if unknown_areas:
        raise ValueError(f"areas without members in the structure: {', '.join(unknown_areas)}")
    has_den = statistic != "count"
    quantities = sorted(
        {(i, NUMERATOR) for i in set(indicator.tolist())} | {(i, DENOMINATOR) for i in set(indicator[has_den].tolist())}
    )
    group_of, group_names = _groups(quantities, structure.links)

    keys: dict[tuple[int, str, tuple[str, ...]], int] = {}
    expr_cells: list[list[tuple[int, str]]] = []
    num_expr = np.empty(len(cells), dtype=np.int64)
    den_expr = np.full(len(cells), -1, dtype=np.int64)
    for row in range(len(cells)):
        for side, target in ((NUMERATOR, num_expr), (DENOMINATOR, den_expr)):
            if side == DENOMINATOR and not has_den[row]:
                continue
            key = (group_of[(indicator[row], side)], area[row], window[row])
            eid = keys.setdefault(key, len(keys))
            if eid == len(expr_cells):
                expr_cells.append([])
            expr_cells[eid].append((row, side))
            target[row] = eid

    # variables: dense per group over all base units x the group's base periods
    units = sorted({u for us in structure.members.values() for u in us})
    unit_index = {u: k for k, u in enumerate(units)}
    n_groups = len(group_names)
    group_periods: list[set[str]] = [set() for _ in range(n_groups)]
    for (g, _a, w) in keys:
        group_periods[g].update(w)
    period_index = [{p: k for k, p in enumerate(sorted(ps, key=period_key))} for ps in group_periods]
    sizes = np.array([len(units) * len(ps) for ps in group_periods], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    member_idx = {a: np.array([unit_index[u] for u in us], dtype=np.int64) for a, us in structure.members.items()}
    indptr = [0]
    indices = []
    expr_group = np.empty(len(keys), dtype=np.int64)
    expr_area = np.empty(len(keys), dtype=object)
    expr_window = np.empty(len(keys), dtype=object)
    for (g, a, w), eid in keys.items():
        pidx = np.array([period_index[g][p] for p in w], dtype=np.int64)
        cols = offsets[g] + (member_idx[a][:, None] * len(period_index[g]) + pidx[None, :]).ravel()
        indices.append(np.sort(cols))
        indptr.append(indptr[-1] + cols.size)
        expr_group[eid], expr_area[eid], expr_window[eid] = g, a, w
    indices = np.concatenate(indices) if indices else np.empty(0, dtype=np.int64)
    E = sp.csr_matrix((np.ones(indices.size), indices, np.array(indptr)), shape=(len(keys), int(offsets[-1])))
    var_group = np.repeat(np.arange(n_groups), sizes)
    expr_period = np.array([w[-1] for w in expr_window], dtype=object)
    return Skeleton(
        cells=cells,
        structure=structure,
        num_expr=num_expr,
        den_expr=den_expr,
        bounded=np.isin(statistic, list(BOUNDED_STATISTICS)),
        proportion=statistic == "proportion",
        rule_free=np.isin(statistic, list(NO_DENOMINATOR_RULE)),
        has_den=has_den,
        E=E,
        expr_group=expr_group,
        expr_area=expr_area,
        expr_window=expr_window,
        expr_period=expr_period,
        group_names=group_names,
        group_of=group_of,
        var_group=var_group,
        expr_cells=expr_cells,
    )
