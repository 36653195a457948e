"""One problem for the solver: the skeleton of a table (`structure.build_skeleton`) with what is shown applied:
the equalities, bounds and targets the attacker works with."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .structure import _TOL, NUMERATOR, Skeleton

# ----------------------------------------------------------------------------------------------------------------
# a state: what is shown, with values


class InconsistentTableError(ValueError):
    """The shown values contradict the model (a wrong link, a sum that does not add up, a bound violated)."""


@dataclass
class Problem:
    """The attacker's constraints for one state of shown flags, and the hidden quantities to bound.

    A target's value is ``E[pos] - E[neg]`` (index -1: no such term); `t_max_only` marks a denominator whose
    largest value is needed (for the "fewer than all counts 0..denominator" part of the requirement).
    """

    skeleton: Skeleton
    present: np.ndarray
    num_shown: np.ndarray
    den_shown: np.ndarray
    expr_known: np.ndarray
    expr_value: np.ndarray
    ub_rows: sp.csr_matrix  # A_ub (rows x variables)
    ub_rhs: np.ndarray
    ub_cell: np.ndarray  # the cell each inequality comes from
    ub_kind: np.ndarray  # which of the four kinds of inequality (see `make_problem`)
    var_integer: np.ndarray
    t_pos: np.ndarray
    t_neg: np.ndarray
    t_max_only: np.ndarray
    cell_count_target: np.ndarray  # per cell, -1 when the protected count is shown
    cell_complement_target: np.ndarray  # per proportion cell with anything hidden, else -1
    cell_denmax_target: np.ndarray  # per bounded cell with a hidden denominator, else -1
    t_floor: np.ndarray  # a lower bound of each target from its own cell's constraints (-inf: none)
    t_ceil: np.ndarray  # an upper bound likewise (inf: none)
    t_need: np.ndarray  # required - 1 where the denominator is known, else min_count - 1 (max over its cells)


def _expr_rows(pos, pos_sign, neg, n_expr) -> sp.csr_matrix:
    """Rows ``pos_sign * e[pos] - e[neg]`` over expressions (neg -1: none)."""
    k = len(pos)
    has_neg = neg >= 0
    rows = np.concatenate([np.arange(k), np.arange(k)[has_neg]])
    cols = np.concatenate([pos, neg[has_neg]]).astype(np.int64)
    vals = np.concatenate([np.asarray(pos_sign, dtype=float), -np.ones(int(has_neg.sum()))])
    return sp.csr_matrix((vals, (rows, cols)), shape=(k, n_expr))


def make_problem(sk: Skeleton, num_shown, den_shown, numerator, denominator, present=None) -> Problem:
    """Apply shown flags and values (NaN where hidden) to a skeleton; checks that shown values agree.

    `present` (default: all) limits the table to some cells, e.g. the periods published so far.
    """
    # Long on purpose: cells, bounds and equations of a period index into each other.
    n = sk.n_cells
    rule = sk.structure
    present = np.ones(n, dtype=bool) if present is None else np.asarray(present, dtype=bool)
    num_shown = np.asarray(num_shown, dtype=bool) & present
    den_shown = np.asarray(den_shown, dtype=bool) & sk.has_den & present
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    missing = (num_shown & ~np.isfinite(numerator)) | (den_shown & ~np.isfinite(denominator))
    if missing.any():
        raise ValueError(f"shown value missing for {cell_name(sk, int(np.flatnonzero(missing)[0]))}")

    # known expressions; all cells showing one must agree
    known = np.zeros(sk.n_expr, dtype=bool)
    value = np.full(sk.n_expr, np.nan)
    idx = np.concatenate([sk.num_expr[num_shown], sk.den_expr[den_shown]])
    vals = np.concatenate([numerator[num_shown], denominator[den_shown]])
    if idx.size:
        uniq, first = np.unique(idx, return_index=True)
        known[uniq] = True
        value[uniq] = vals[first]
        mismatch = np.abs(value[idx] - vals) > _TOL * np.maximum(1.0, np.abs(vals))
        if mismatch.any():
            eid = int(idx[np.flatnonzero(mismatch)[0]])
            shown_by = "; ".join(
                f"{cell_name(sk, c)} {side} = {numerator[c] if side == NUMERATOR else denominator[c]:g}"
                for c, side in sk.expr_cells[eid]
                if (num_shown[c] if side == NUMERATOR else den_shown[c])
            )
            raise InconsistentTableError(f"linked quantities disagree ({expr_name(sk, eid)}): {shown_by}")
    if (value[known] < -_TOL).any():
        raise InconsistentTableError(f"negative value in {expr_name(sk, int(np.flatnonzero(known & (value < 0))[0]))}")

    # integer groups: every known value of the group is whole
    fractional = np.zeros(len(sk.group_names), dtype=bool)
    fractional[np.unique(sk.expr_group[known & (np.abs(value - np.round(value)) > _TOL)])] = True
    var_integer = ~fractional[sk.var_group]

    num_e, den_e = sk.num_expr, sk.den_expr
    den_safe = np.maximum(den_e, 0)
    num_known = known[num_e]
    den_known = sk.has_den & known[den_safe]
    den_value = np.where(den_known, value[den_safe], np.nan)
    hidden_num = present & ~num_shown
    # what the rule reveals about a hidden numerator (see the module docstring)
    revealed = hidden_num & ~num_known & (
        sk.rule_free | (den_known & (den_value >= rule.min_denominator))
    )
    bounded = present & sk.bounded
    groups = []  # (cells, pos, sign, neg, rhs)
    c1 = np.flatnonzero(bounded & ~num_known & den_known)  # E[num] <= d
    groups.append((c1, num_e[c1], 1.0, -1, den_value[c1]))
    c2 = np.flatnonzero(bounded & ~num_known & ~den_known)  # E[num] - E[den] <= 0
    groups.append((c2, num_e[c2], 1.0, den_e[c2], np.zeros(c2.size)))
    c3 = np.flatnonzero(bounded & num_known & ~den_known)  # -E[den] <= -numerator
    groups.append((c3, den_e[c3], -1.0, -1, -value[num_e[c3]]))
    c4 = np.flatnonzero(revealed)  # -E[num] <= -1
    groups.append((c4, num_e[c4], -1.0, -1, -np.ones(c4.size)))
    ub_cell = np.concatenate([g[0] for g in groups]).astype(np.int64)
    ub_kind = np.concatenate([np.full(g[0].size, k) for k, g in enumerate(groups)]).astype(np.int64)
    pos = np.concatenate([g[1] for g in groups]).astype(np.int64)
    sign = np.concatenate([np.full(g[0].size, g[2]) for g in groups])
    neg = np.concatenate([np.broadcast_to(np.asarray(g[3]), g[0].shape) for g in groups]).astype(np.int64)
    rhs = np.concatenate([g[4] for g in groups]).astype(float)
    ub = (_expr_rows(pos, sign, neg, sk.n_expr) @ sk.E).tocsr()

    # targets, deduplicated by (pos, neg, kind)
    protected = sk.protected_expr
    protected_hidden = present & ~num_shown
    t_index: dict[tuple[int, int, int], int] = {}
    count_t = np.full(n, -1, dtype=np.int64)
    comp_t = np.full(n, -1, dtype=np.int64)
    dmax_t = np.full(n, -1, dtype=np.int64)
    for c in np.flatnonzero(protected_hidden):
        count_t[c] = t_index.setdefault((int(protected[c]), -1, 0), len(t_index))
    for c in np.flatnonzero(present & sk.proportion & (~num_shown | ~den_shown)):
        comp_t[c] = t_index.setdefault((int(den_e[c]), int(num_e[c]), 0), len(t_index))
    for c in np.flatnonzero(present & sk.bounded & ~den_shown):
        dmax_t[c] = t_index.setdefault((int(den_e[c]), -1, 1), len(t_index))
    tk = np.array(list(t_index), dtype=np.int64).reshape(-1, 3)
    # bounds each target has from its own cell's constraints alone (a solver is not needed to reach them)
    t_floor = np.full(len(tk), -np.inf)
    t_ceil = np.full(len(tk), np.inf)
    cnt = np.flatnonzero(count_t >= 0)
    np.maximum.at(t_floor, count_t[cnt], revealed[cnt].astype(float))
    cap = np.where(bounded[cnt] & den_known[cnt], den_value[cnt], np.inf)
    np.minimum.at(t_ceil, count_t[cnt], cap)
    cmp_ = np.flatnonzero(comp_t >= 0)
    np.maximum.at(t_floor, comp_t[cmp_], 0.0)
    np.minimum.at(t_ceil, comp_t[cmp_], np.where(den_known[cmp_], den_value[cmp_] - revealed[cmp_], np.inf))
    # certification threshold: required - 1, with required = min(min_count, d + 1) for a known denominator d
    t_need = np.full(len(tk), -np.inf)
    cap_need = np.where(bounded & den_known, np.minimum(rule.min_count, den_value + 1), rule.min_count) - 1
    for targets in (count_t, comp_t):
        sel = np.flatnonzero(targets >= 0)
        np.maximum.at(t_need, targets[sel], cap_need[sel])
    t_need[tk[:, 2] == 1] = rule.min_count - 1
    return Problem(
        skeleton=sk,
        present=present,
        num_shown=num_shown,
        den_shown=den_shown,
        expr_known=known,
        expr_value=value,
        ub_rows=ub,
        ub_rhs=rhs,
        ub_cell=ub_cell,
        ub_kind=ub_kind,
        var_integer=var_integer,
        t_pos=tk[:, 0],
        t_neg=tk[:, 1],
        t_max_only=tk[:, 2].astype(bool),
        cell_count_target=count_t,
        cell_complement_target=comp_t,
        cell_denmax_target=dmax_t,
        t_floor=t_floor,
        t_ceil=t_ceil,
        t_need=t_need,
    )


def window_name(window) -> str:
    """``("2022", "2023", "2024")`` as ``"2022–2024"``."""
    return window[0] if len(window) == 1 else f"{window[0]}–{window[-1]}"


def cell_name(sk: Skeleton, row: int) -> str:
    """A cell as "INDICATOR area AREA period PERIOD" for messages."""
    c = sk.cells
    return f"{c.at[row, 'indicator']} area {c.at[row, 'area']} period {c.at[row, 'period']}"


def expr_name(sk: Skeleton, eid: int) -> str:
    """An expression as "GROUP, area AREA, window W" for messages."""
    return f"{sk.group_names[sk.expr_group[eid]]}, area {sk.expr_area[eid]}, window {window_name(sk.expr_window[eid])}"
