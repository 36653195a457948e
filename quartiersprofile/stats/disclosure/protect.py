"""Secondary suppression that passes the attacker's audit (`attack`).

Input: the TRUE table (the `attack` columns with every value) and a boolean `primary` per row - the rows the
small-number rule hides (`stats.suppression`): their numerator is hidden and their denominator stays shown.
Output per row: ``numerator_shown``, ``denominator_shown`` and
``secondary``.

Method - audit, hide, re-audit:

1. The table is published period by period in chronological order (quarters of a year, then the year; a pooled
   cell belongs to its last base period). At step t the attacker sees every cell of periods <= t; flags of earlier
   periods are frozen. So adding a new year of data later does not change what was published for earlier years:
   a new cell that would disclose an old one is protected by hiding cells of the new period. Only when no cell of
   period t can help is an earlier cell hidden ("unavoidable"; listed in ``result.attrs["stats"]``).
2. Every hidden count is bounded by the attacker's LP (`solver.solve`, cached per component so that only
   components a change touched are solved again). Disclosed counts are taken chronologically, then by indicator
   and area (a count before its complement); each is protected by hiding ONE more published value, chosen from
   the values its bounds rest on: the binding equalities of the attacker's LP (non-zero dual values) and the
   published sums that fixed its variables. Preference: cells of period t over earlier ones; no zero numerator
   in a whole-cell hide; the same quantity group (indicator) over linked ones; the same area (a linked cell),
   then siblings in the same parent relation, then parents, then children, then others; the smallest count;
   ties by area code and period. If no binding value can be hidden, the published values sharing variables
   with the count's neighbourhood are candidates. A disclosed count whose bounds rest on a value already
   chosen in this round waits for the next audit (one hide often protects several counts).
3. Hiding a value hides it in every cell that shows it: a numerator occurrence hides that cell's numerator; a
   denominator occurrence (a linked denominator group, e.g. KIG03's hidden numerator = KIG04's denominator)
   hides the whole cell. A numerator of 0 is never hidden on its own (the
   model's "zeros are shown"); a share of 100 % may be hidden (the model infers nothing from 100 %); a whole-cell
   hide may contain a zero numerator: its denominator is hidden too, so the attacker can infer nothing from the
   zero rule there.
4. Shown proportion cells whose complement is 1 .. min_count - 1 are hidden first (secondary when the caller's
   `primary` missed them).

Repeat until no hidden count or complement is disclosed. Every round hides at least one more value, so the loop
terminates; a disclosed count with no value left to hide raises `ProtectionError` naming the cell.

Borrowed from tau-ARGUS' modular / hypercube methods: protection is built around one sensitive cell at a time,
inside the (sub)table relations that contain it, preferring partners at the same level (siblings, the "corner
cells" of a hypercube) over totals, with the cost of a partner its cell value; the attacker's feasibility
intervals decide, as in tau-ARGUS' audit. Differs: there is no fixed hypercube or sub-table enumeration and no
optimal (min-cost) solver - partners come from the dual values of the attacker's LP over ALL relations at once
(hierarchy, linked indicators, bounds, pooled windows), so cross-indicator and cross-period leaks are covered;
the protection level is "at least min_count possible values" instead of a percentage interval; it is greedy,
so more cells may be hidden than a global optimum would.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from .attack import evaluate
from .problem import InconsistentTableError, cell_name, expr_name, make_problem
from .solver import explain, solve
from .structure import DENOMINATOR, NUMERATOR, Structure, build_skeleton, period_key

#: The version of the protection method: a change that can change which cells `protect` hides bumps it, so that
#: results stored by an earlier version are not used.
PROTECTION_VERSION = "1"


class ProtectionError(RuntimeError):
    """A disclosed count that no further suppression can protect."""


def protect(true_table: pd.DataFrame, primary, structure: Structure, *, max_rounds: int = 100_000) -> pd.DataFrame:
    """Secondary suppression for `true_table` (see the module docstring). Returns ``numerator_shown``,
    ``denominator_shown`` and ``secondary`` per row (the input's index); statistics in ``attrs["stats"]``."""
    # Long on purpose: attack, choose, hide, repeat: the loop and its bookkeeping together.
    started = time.perf_counter()
    sk = build_skeleton(true_table, structure)
    cells = sk.cells
    primary = np.asarray(primary, dtype=bool)
    if primary.shape != (len(cells),):
        raise ValueError(f"primary must have one flag per row ({len(cells)}), got shape {primary.shape}")
    num = cells["numerator"].to_numpy(dtype=float)
    den = cells["denominator"].to_numpy(dtype=float)
    _check_truth(sk, num, den)
    rule = structure

    num_shown = ~primary
    den_shown = sk.has_den.copy()
    secondary = np.zeros(len(cells), dtype=bool)
    complement = den - num
    visible = num_shown & den_shown & sk.proportion & (complement >= 1) & (complement <= rule.min_count - 1)
    num_shown[visible] = False
    secondary[visible] = True
    zero_hidden = ~num_shown & (num == 0) & ((sk.rule_free) | (den_shown & (den >= rule.min_denominator)))
    if zero_hidden.any():
        row = int(np.flatnonzero(zero_hidden)[0])
        raise ValueError(
            f"primary hides {cell_name(sk, row)} with numerator {num[row]:g} of {den[row]:g}: the rule shows zeros "
            "when the denominator is at least min_denominator"
        )

    keys = [period_key(p) for p in cells["period"]]
    steps = sorted(set(keys))
    key_rank = {k: i for i, k in enumerate(steps)}
    cell_step = np.array([key_rank[k] for k in keys], dtype=np.int64)
    steps_label = {key_rank[k]: p for k, p in zip(keys, cells["period"], strict=True)}
    expr_step = cell_step[[occ[0][0] for occ in sk.expr_cells]]
    parents = structure.parents()
    member_sets = {a: frozenset(u) for a, u in structure.members.items()}

    cache: dict = {}
    stats = {"rounds": 0, "audits": 0, "hidden_values": 0, "unavoidable": [], "fallback_candidates": 0, "log": []}
    for step in range(len(steps)):
        present = cell_step <= step
        for _ in range(max_rounds):
            problem = make_problem(sk, num_shown, den_shown, num, den, present)
            bounds = solve(problem, cache=cache)
            stats["audits"] += 1
            result = evaluate(problem, bounds=bounds)
            disclosed = result[result["disclosed"]]
            if disclosed.empty:
                break
            stats["rounds"] += 1
            # chronologically, then by indicator and area; a count before its complement
            order = np.lexsort((
                (disclosed["quantity"] != "count").to_numpy(), disclosed["area"].to_numpy(),
                disclosed["indicator"].to_numpy(), cell_step[disclosed["cell"].to_numpy()],
            ))  # fmt: skip
            disclosed = disclosed.iloc[order]
            # one value per disclosed count, unless its bounds rest on something this round already changes:
            # then the next audit decides (hiding only widens intervals, so this never under-protects)
            touched: set = set()
            handled_cells: set[int] = set()
            chosen: set[int] = set()
            for row in disclosed.itertuples(index=False):
                if int(row.cell) in handled_cells:
                    continue
                support = set(explain(problem, bounds, int(row.target)).tolist())
                comp = int(bounds.component[row.target])
                if support & touched or (not support and ("component", comp) in touched):
                    continue
                eid, unavoidable, fallback = _choose(
                    sk, problem, bounds, int(row.target), step, expr_step, num, den, num_shown, den_shown,
                    present, parents, member_sets, chosen, support,
                )  # fmt: skip
                if eid is None:
                    raise ProtectionError(
                        f"cannot protect {row.quantity} of {cell_name(sk, int(row.cell))}: the attacker's interval "
                        f"[{row.lower:g}, {row.upper:g}] stays below {row.required} values and no published value "
                        "that it depends on can be hidden"
                    )
                handled_cells.add(int(row.cell))
                touched |= support | {eid, ("component", comp)}
                chosen.add(eid)
                stats["fallback_candidates"] += int(fallback)
                stats["log"].append(
                    f"{steps_label[step]}: {row.quantity} of {cell_name(sk, int(row.cell))} in [{row.lower:g}, "
                    f"{row.upper:g}]: hide {expr_name(sk, eid)}{' (fallback)' if fallback else ''}"
                )
                for c, side in sk.expr_cells[eid]:
                    if not present[c]:
                        continue
                    if unavoidable:
                        stats["unavoidable"].append(cell_name(sk, c))
                    num_shown[c] = False
                    if side == DENOMINATOR:
                        den_shown[c] = False
                    secondary[c] |= not primary[c]
                stats["hidden_values"] += 1
        else:
            raise ProtectionError(f"no protection after {max_rounds} rounds in period step {steps[step]}")

    out = pd.DataFrame(
        {"numerator_shown": num_shown, "denominator_shown": den_shown & sk.has_den, "secondary": secondary},
        index=true_table.index,
    )
    stats["seconds"] = time.perf_counter() - started
    stats["secondary_cells"] = int(secondary.sum())
    out.attrs["stats"] = stats
    return out


def _check_truth(sk, num, den):
    """The true table must be complete and consistent with the model (links, sums, bounds)."""
    bad = ~np.isfinite(num) | (sk.has_den & ~np.isfinite(den))
    if bad.any():
        raise ValueError(f"true table lacks a value for {cell_name(sk, int(np.flatnonzero(bad)[0]))}")
    over = sk.bounded & (num > den + 1e-9)
    if over.any():
        raise InconsistentTableError(f"numerator exceeds denominator in {cell_name(sk, int(np.flatnonzero(over)[0]))}")
    everything = make_problem(sk, np.ones(len(num), bool), sk.has_den, num, den)  # checks the links
    solve(everything)  # propagation checks that the sums add up


def _choose(sk, problem, bounds, target, step, expr_step, num, den, num_shown, den_shown, present,
            parents, member_sets, chosen, support):  # fmt: skip
    """The published value to hide next for a disclosed target: (expression id or None, unavoidable, fallback)."""
    # the protected side: a complement's numerator, a count's own expression
    # Long on purpose: each candidate's cost and the deterministic tie-break read together.
    anchor = int(problem.t_neg[target] if problem.t_neg[target] >= 0 else problem.t_pos[target])
    t_area, t_group = sk.expr_area[anchor], sk.expr_group[anchor]
    t_members = member_sets[t_area]

    def hideable(eid):
        """Whether hiding `eid` everywhere keeps the rule's promises; and how many zero numerators it hides."""
        if not problem.expr_known[eid] or eid in chosen:
            return False, 0
        zeros = 0
        occurrences = 0
        for c, side in sk.expr_cells[eid]:
            if not present[c] or not (num_shown[c] if side == NUMERATOR else den_shown[c]):
                continue
            occurrences += 1
            if side == NUMERATOR:
                if num[c] == 0:
                    return False, 0
            else:
                zeros += int(num_shown[c] and num[c] == 0)
        return occurrences > 0, zeros

    def rank(eid):
        area, group = sk.expr_area[eid], sk.expr_group[eid]
        if area == t_area:
            relation = 0
        elif parents.get(area) is not None and parents.get(area) == parents.get(t_area):
            relation = 1
        elif member_sets[area] > t_members:
            relation = 2
        elif member_sets[area] < t_members:
            relation = 3
        else:
            relation = 4
        return relation, group

    def best(candidates):
        scored = []
        for eid in candidates:
            ok, zeros = hideable(int(eid))
            if not ok:
                continue
            relation, group = rank(int(eid))
            frozen = expr_step[eid] < step
            key = (frozen, zeros > 0, group != t_group, relation, problem.expr_value[eid], sk.expr_area[eid],
                   period_key(sk.expr_period[eid]), sk.group_names[group])  # fmt: skip
            scored.append((key, int(eid)))
        if not scored:
            return None, False
        key, eid = min(scored)
        return eid, bool(key[0])

    eid, frozen = best(sorted(support))
    if eid is not None:
        return eid, frozen, False
    # fallback: published values sharing variables with the target's neighbourhood (two steps)
    E = sk.E
    exprs = [e for e in (problem.t_pos[target], problem.t_neg[target]) if e >= 0]
    variables = np.unique(np.concatenate([E.indices[E.indptr[e] : E.indptr[e + 1]] for e in exprs]))
    known = np.flatnonzero(problem.expr_known)
    E_known = E[known]
    for _ in range(2):
        mask = np.zeros(E.shape[1])
        mask[variables] = 1.0
        touching = known[(E_known @ mask) > 0]
        variables = np.unique(E[touching].indices)
    eid, frozen = best(touching)
    return eid, frozen, eid is not None
