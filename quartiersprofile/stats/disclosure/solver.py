"""How the attacker's bounds are computed for a `problem.Problem` (HiGHS through scipy).

Integer reasoning. All counts are whole numbers. A quantity group is treated as integer when every value of it
the attacker sees is a whole number (areas in km² are not). Bounds come from the LP relaxation solved with
HiGHS dual simplex (`scipy.optimize.linprog(method="highs-ds")`), which returns a basic (vertex) optimum: when
that optimum is integral in all integer variables the LP bound *is* the integer bound; otherwise the bound is
recomputed with `scipy.optimize.milp` (integrality on). The result is exact for the integer model either way.
Measured on the real snapshot: today's table never needed the MILP; the protected table (hidden denominators
couple numerators and denominators) had fractional vertices in 251 of ~2,500 exact LPs, yet ceil/floor of the
LP bounds gave exactly the MILP intervals everywhere. The MILP fallback is kept because that is not guaranteed
(the constraint matrix is not totally unimodular once windows, hierarchy and links combine); in the default
mode it costs about one MILP call per audit.

Speed. Before any solver call, shown expressions with a single unknown variable, or with value 0 (all their
variables are then 0), fix variables; this is repeated to a fixed point. The remaining variables and
constraints are split into connected components (`scipy.sparse.csgraph.connected_components`); components
without a hidden quantity are skipped, quantities whose variables are all fixed are known exactly, and the
rest are bounded per component. Independent components are solved together: their LPs are stacked block-
diagonally into one HiGHS call of about `_CHUNK` variables (per-call overhead dominates small LPs). Phase 1:
LPs with random-sign objectives over a component's open quantities find integral feasible points; a quantity
whose points are already `required - 1` apart is certified NOT disclosed without a solve of its own (its
reported interval is then the certified sub-interval, ``exact=False``). Phase 2 solves min and max of the rest
exactly, in waves, every solution being another point; a side that a point already pushed to the bound the
quantity's own cell implies (e.g. 1 or denominator - 1) needs no solve. Disclosed quantities are therefore
always exact. Component results are cached by their content, so re-auditing after a change re-solves only the
components it touched.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds as Bounds_
from scipy.optimize import LinearConstraint, linprog, milp
from scipy.sparse.csgraph import connected_components

from .problem import InconsistentTableError, Problem, _expr_rows, cell_name, expr_name
from .structure import _TOL

# ----------------------------------------------------------------------------------------------------------------
# solving


@dataclass
class Bounds:
    """Per target of a `Problem`: the attacker's bounds and how they were found.

    `exact` marks the attacker's full interval. Otherwise [lower, upper] is an interval of values between two
    integral feasible points the solver found - the attacker cannot narrow the count below it, which certifies
    that the count is not disclosed (all that is needed: a disclosed target is always solved exactly).
    """

    lower: np.ndarray
    upper: np.ndarray
    exact: np.ndarray
    method: np.ndarray  # "known", "fixed", "lp", "milp", "points"
    component: np.ndarray  # component id (-1: none)
    stats: dict
    binding: dict  # target -> expression ids of the published values the bounds rest on (exact LP bounds)
    fixing: tuple = ()  # how propagation fixed variables (for `explain`)


@dataclass
class _Comp:
    """One connected component with hidden quantities, in local numbering."""

    targets: np.ndarray
    n: int
    eq: sp.coo_matrix
    b_eq: np.ndarray
    eq_ids: np.ndarray  # expression of each equality
    ub: sp.coo_matrix
    b_ub: np.ndarray
    ub_ids: np.ndarray  # row of problem.ub_rows of each inequality
    C: np.ndarray  # dense targets x variables
    max_only: np.ndarray
    integer: np.ndarray
    name: str  # for messages: the first hidden quantity of the component
    floor: np.ndarray  # target bounds from their own cells, in the component's terms (without constants)
    ceil: np.ndarray
    need: np.ndarray  # how far apart two points must be to certify a target (required - 1)
    # results
    lo: np.ndarray = None
    hi: np.ndarray = None
    exact: np.ndarray = None
    method: np.ndarray = None
    binding_eq: list = None
    binding_ub: list = None
    # working state of `_bound_components`
    done_lo: np.ndarray = None  # the minimum is exact
    done_hi: np.ndarray = None
    rng: np.random.Generator = None


def _propagate(E_eq: sp.csr_matrix, rhs: np.ndarray, n_var: int):
    """Fix variables of shown rows with value 0 or with a single unknown variable, to a fixed point.

    Returns (fixed mask, values, fixing row per variable or -1, round in which each was fixed).
    """
    fixed = np.zeros(n_var, dtype=bool)
    val = np.zeros(n_var)
    by = np.full(n_var, -1, dtype=np.int64)
    when = np.full(n_var, -1, dtype=np.int64)
    active = np.ones(E_eq.shape[0], dtype=bool)
    scale = np.maximum(1.0, np.abs(rhs))
    for step in range(10_000):
        n_free = E_eq @ (~fixed).astype(float)
        residual = rhs - E_eq @ val
        bad = active & ((residual < -_TOL * scale) | ((n_free == 0) & (np.abs(residual) > _TOL * scale)))
        if bad.any():
            error = InconsistentTableError("published sums do not add up")
            error.row = int(np.flatnonzero(bad)[0])
            raise error
        active &= n_free > 0
        zero = active & (np.abs(residual) <= _TOL * scale)
        single = active & (n_free == 1) & ~zero
        rows = np.flatnonzero(zero | single)
        if rows.size == 0:
            break
        sub = E_eq[rows].tocoo()
        keep = ~fixed[sub.col]
        r_local, cols = sub.row[keep], sub.col[keep]
        new_val = np.where(zero[rows[r_local]], 0.0, residual[rows[r_local]] / sub.data[keep])
        cols_u, first = np.unique(cols, return_index=True)
        val[cols_u] = np.maximum(new_val[first], 0.0)
        by[cols_u] = rows[r_local[first]]
        when[cols_u] = step
        fixed[cols_u] = True
        active[rows] = False
    return fixed, val, by, when


def _signature(*arrays) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(str(a.dtype).encode() + str(a.shape).encode())
        h.update(a.tobytes())
    return h.digest()


def solve(problem: Problem, cache: dict | None = None, exact: bool = False, seed: int = 0) -> Bounds:
    """Bounds of every target of `problem` (method: module docstring). `cache` maps component signatures to
    results across calls; `exact` solves every target's min and max instead of certifying wide ones."""
    # Long on purpose: the LP set up, solved and read back where its arrays are built once.
    sk = problem.skeleton
    n_var = sk.E.shape[1]
    T = problem.t_pos.size
    lower = np.full(T, np.nan)
    upper = np.full(T, np.nan)
    exact_flag = np.zeros(T, dtype=bool)
    method = np.full(T, "", dtype=object)
    component = np.full(T, -1, dtype=np.int64)
    stats = {"targets": T, "components": 0, "solved_components": 0, "cached_components": 0, "variables": 0,
             "lp_calls": 0, "lp_blocks": 0, "milp": 0, "certified_by_points": 0}  # fmt: skip
    result = Bounds(lower, upper, exact_flag, method, component, stats, {})
    known, value = problem.expr_known, problem.expr_value
    eq_expr = np.flatnonzero(known)
    E_eq = sk.E[eq_expr]
    try:
        fixed, fval, fix_by, fix_when = _propagate(E_eq, value[eq_expr], n_var)
    except InconsistentTableError as error:
        row = getattr(error, "row", None)
        where = f": {expr_name(sk, int(eq_expr[row]))} cannot be reached from its parts" if row is not None else ""
        raise InconsistentTableError(f"published sums do not add up{where}") from None
    result.fixing = (eq_expr, E_eq, fixed, fix_by, fix_when)
    if T == 0:
        return result

    # targets over the variables of their unknown expressions; known expressions and fixed variables are constants
    pos_unknown = (problem.t_pos >= 0) & ~known[np.maximum(problem.t_pos, 0)]
    neg_unknown = (problem.t_neg >= 0) & ~known[np.maximum(problem.t_neg, 0)]
    T_expr = _expr_rows(
        np.where(pos_unknown, problem.t_pos, 0), pos_unknown.astype(float),
        np.where(neg_unknown, problem.t_neg, -1), sk.n_expr,
    )  # fmt: skip
    T_mat = (T_expr @ sk.E).tocsr()
    T_mat.eliminate_zeros()
    t_const = (
        T_mat @ fval
        + np.where((problem.t_pos >= 0) & ~pos_unknown, value[np.maximum(problem.t_pos, 0)], 0.0)
        - np.where((problem.t_neg >= 0) & ~neg_unknown, value[np.maximum(problem.t_neg, 0)], 0.0)
    )
    free_idx = np.flatnonzero(~fixed)
    T_free = T_mat[:, free_idx].tocsr()
    has_free = np.diff(T_free.indptr) > 0
    settled = ~has_free
    lower[settled] = upper[settled] = t_const[settled]
    exact_flag[settled] = True
    method[settled] = np.where(pos_unknown[settled] | neg_unknown[settled], "fixed", "known")
    # inequalities whose variables are all fixed must hold
    ub_free = problem.ub_rows[:, free_idx].tocsr()
    ub_rhs = problem.ub_rhs - problem.ub_rows @ fval
    ub_live = np.diff(ub_free.indptr) > 0
    violated = ~ub_live & (ub_rhs < -_TOL * np.maximum(1.0, np.abs(problem.ub_rhs)))
    if violated.any():
        cell = problem.ub_cell[np.flatnonzero(violated)[0]]
        raise InconsistentTableError(f"published values violate a bound of {cell_name(sk, int(cell))}")
    if not has_free.any():
        return result

    # reduced constraints over the free variables
    eq_free = E_eq[:, free_idx].tocsr()
    eq_rhs = value[eq_expr] - E_eq @ fval
    eq_keep = np.flatnonzero(np.diff(eq_free.indptr) > 0)
    ub_keep = np.flatnonzero(ub_live)
    t_rows = np.flatnonzero(has_free)

    nf = free_idx.size
    R = sp.vstack([eq_free[eq_keep], ub_free[ub_keep], T_free[t_rows]]).tocsr()
    R.data[:] = 1.0
    G = sp.bmat([[None, R.T], [R, None]]).tocsr()
    n_comp, labels = connected_components(G, directed=False)
    var_label = labels[:nf]
    row_label = labels[nf:]
    n_eq, n_ub = eq_keep.size, ub_keep.size
    eq_label, ub_label, t_label = row_label[:n_eq], row_label[n_eq : n_eq + n_ub], row_label[n_eq + n_ub :]
    component[t_rows] = t_label
    comps = np.unique(t_label)
    stats["components"] = int(comps.size)

    def grouped(labels_):
        order = np.argsort(labels_, kind="stable")
        return order, np.searchsorted(labels_[order], np.arange(n_comp + 1))

    (v_ord, v_cut), (e_ord, e_cut), (u_ord, u_cut), (t_ord, t_cut) = map(
        grouped, (var_label, eq_label, ub_label, t_label)
    )
    salt = np.array([exact, seed, sk.structure.min_count], dtype=np.int64)
    todo: list[_Comp] = []
    keys = []
    for comp in comps:
        vsel = v_ord[v_cut[comp] : v_cut[comp + 1]]
        esel = eq_keep[e_ord[e_cut[comp] : e_cut[comp + 1]]]
        usel = ub_keep[u_ord[u_cut[comp] : u_cut[comp + 1]]]
        tsel = t_rows[t_ord[t_cut[comp] : t_cut[comp + 1]]]
        key = None
        if cache is not None:
            # the content of a component: its free variables, its rows (by identity, with their reduced
            # right-hand sides) and its targets determine the result
            key = _signature(
                free_idx[vsel], eq_expr[esel], np.round(eq_rhs[esel], 9), problem.ub_cell[usel],
                problem.ub_kind[usel], np.round(ub_rhs[usel], 9), problem.t_pos[tsel], problem.t_neg[tsel],
                problem.t_max_only[tsel], pos_unknown[tsel], neg_unknown[tsel], problem.var_integer[free_idx[vsel]],
                problem.t_floor[tsel] - t_const[tsel], problem.t_ceil[tsel] - t_const[tsel], problem.t_need[tsel],
                salt,
            )  # fmt: skip
            if key in cache:
                stats["cached_components"] += 1
                _store(result, tsel, eq_expr[esel], usel, cache[key], t_const)
                continue
        comp_ = _Comp(
            targets=tsel, n=vsel.size, eq=eq_free[esel][:, vsel].tocoo(), b_eq=eq_rhs[esel],
            eq_ids=eq_expr[esel], ub=ub_free[usel][:, vsel].tocoo(), b_ub=ub_rhs[usel], ub_ids=usel,
            C=T_free[tsel][:, vsel].toarray(), max_only=problem.t_max_only[tsel],
            integer=problem.var_integer[free_idx[vsel]], name=expr_name(sk, int(problem.t_pos[tsel[0]])),
            floor=problem.t_floor[tsel] - t_const[tsel],
            ceil=problem.t_ceil[tsel] - t_const[tsel], need=problem.t_need[tsel],
        )  # fmt: skip
        todo.append(comp_)
        keys.append(key)
    stats["solved_components"] = len(todo)
    stats["variables"] = int(sum(c.n for c in todo))
    if todo:
        big = max(_BIG, 1e3 * float(np.nanmax(np.abs(value), initial=0.0)))
        _bound_components(todo, exact, seed, stats, big)
    for c, key in zip(todo, keys, strict=True):
        res = (c.lo, c.hi, c.exact, c.method, c.binding_eq, c.binding_ub)
        if cache is not None:
            cache[key] = res
        _store(result, c.targets, c.eq_ids, c.ub_ids, res, t_const)
    return result


def _store(result: Bounds, targets, eq_ids, ub_ids, res, t_const):
    """Copy one component's results (local binding rows to expression ids / problem rows)."""
    lo, hi, ex, how, beq, bub = res
    result.lower[targets] = lo + t_const[targets]
    result.upper[targets] = hi + t_const[targets]
    result.exact[targets] = ex
    result.method[targets] = how
    for k, target in enumerate(targets):
        if beq[k] is not None:
            result.binding[int(target)] = (eq_ids[beq[k]], ub_ids[bub[k]])


#: variables per stacked LP; measured on the real table, about 1000 is fastest with HiGHS dual simplex
_CHUNK = 1000
#: at most this many rounds of random-sign objectives look for integral points spreading the hidden quantities
#: (a component stops as soon as a round certifies nothing new)
_POINT_ROUNDS = 12
#: targets per component solved exactly per wave; every solution is a point that may certify the others
_WAVE = 8
_BIG = 1e9


def _stack(chunk, part, row_off, col_off) -> sp.csr_matrix:
    """Block-diagonal matrix of the `part` ("eq" or "ub") matrices of the chunk's components."""
    rows = np.concatenate([getattr(b[0], part).row + row_off[k] for k, b in enumerate(chunk)])
    cols = np.concatenate([getattr(b[0], part).col + col_off[k] for k, b in enumerate(chunk)])
    data = np.concatenate([getattr(b[0], part).data for b in chunk])
    return sp.csr_matrix((data, (rows, cols)), shape=(row_off[-1], col_off[-1]))


def _solve_stacked(blocks, stats, big):
    """Solve independent LP blocks ``(comp, objective)`` stacked into few HiGHS calls.

    Returns per block (x or None when unbounded, eq marginals, ub marginals). Blocks are independent, so the
    stacked optimum is optimal in every block; a block whose objective is unbounded is detected by a box of
    ``big`` and reported as None.
    """
    out = [None] * len(blocks)
    start = 0
    while start < len(blocks):
        stop, size = start, 0
        while stop < len(blocks) and (size == 0 or size + blocks[stop][0].n <= _CHUNK):
            size += blocks[stop][0].n
            stop += 1
        chunk = blocks[start:stop]
        cols = np.cumsum([0] + [b[0].n for b in chunk])
        eq_rows = np.cumsum([0] + [b[0].eq.shape[0] for b in chunk])
        ub_rows = np.cumsum([0] + [b[0].ub.shape[0] for b in chunk])

        A_eq, A_ub = _stack(chunk, "eq", eq_rows, cols), _stack(chunk, "ub", ub_rows, cols)
        b_eq = np.concatenate([b[0].b_eq for b in chunk])
        b_ub = np.concatenate([b[0].b_ub for b in chunk])
        cost = np.concatenate([b[1] for b in chunk])
        res = linprog(
            cost,
            A_ub=A_ub if A_ub.shape[0] else None,
            b_ub=b_ub if A_ub.shape[0] else None,
            A_eq=A_eq if A_eq.shape[0] else None,
            b_eq=b_eq if A_eq.shape[0] else None,
            bounds=(0, big),
            method="highs-ds",
            options={"presolve": False},  # presolve costs more than it saves on stacked small blocks
        )
        stats["lp_calls"] += 1
        stats["lp_blocks"] += len(chunk)
        if res.status != 0:
            if len(chunk) > 1:  # find the offending block
                for k in range(len(chunk)):
                    out[start + k] = _solve_stacked([chunk[k]], stats, big)[0]
            else:
                raise InconsistentTableError(
                    f"the published values contradict the model around {chunk[0][0].name} ({res.message})"
                )
        else:
            eq_m = res.eqlin.marginals if A_eq.shape[0] else np.zeros(0)
            ub_m = res.ineqlin.marginals if A_ub.shape[0] else np.zeros(0)
            for k in range(len(chunk)):
                x = res.x[cols[k] : cols[k + 1]]
                out[start + k] = (
                    None if (x > big / 10).any() else x,
                    eq_m[eq_rows[k] : eq_rows[k + 1]],
                    ub_m[ub_rows[k] : ub_rows[k + 1]],
                )
        start = stop
    return out


def _integral(c: _Comp, x) -> bool:
    return not c.integer.any() or float(np.abs(x[c.integer] - np.round(x[c.integer])).max()) <= 1e-7


def _milp_point(c: _Comp, cost, stats, big):
    """An integral optimum of `cost` over one component (when the LP vertex is fractional); None if unbounded."""
    stats["milp"] += 1
    constraints = []
    if c.eq.shape[0]:
        constraints.append(LinearConstraint(c.eq.tocsr(), c.b_eq, c.b_eq))
    if c.ub.shape[0]:
        constraints.append(LinearConstraint(c.ub.tocsr(), -np.inf, c.b_ub))
    res = milp(cost, integrality=c.integer.astype(int), bounds=Bounds_(0, big), constraints=constraints)
    if res.status != 0:
        raise InconsistentTableError(f"the published values contradict the model around {c.name} ({res.message})")
    return None if (res.x > big / 10).any() else res.x


def _bound_components(comps: list[_Comp], exact: bool, seed: int, stats, big):
    """Bounds of the targets of independent components.

    Phase 1: a few stacked LPs with random-sign objectives over the open targets give integral points (a
    fractional vertex is replaced by the MILP optimum of the same objective); unless `exact`, a target whose
    points already lie `need` apart is certified not disclosed. Phase 2, in waves: exact min and max of open targets
    (a fractional vertex falls back to MILP), recording the binding published values (non-zero duals); every
    solution is an integral point too and may certify other targets of its component; a side whose point
    reaches the bound implied by the target's own cell needs no solve.
    """
    # Long on purpose: min and max per component share the component's matrix.
    for c in comps:
        T = c.C.shape[0]
        c.lo = np.full(T, np.inf)
        c.hi = np.full(T, -np.inf)
        c.exact = np.zeros(T, dtype=bool)
        c.method = np.full(T, "points", dtype=object)
        c.binding_eq = [None] * T
        c.binding_ub = [None] * T
        c.done_lo = c.max_only.copy()  # a denominator's maximum only
        # random signs depend on the component's own content only, not on the rest of the table
        c.rng = np.random.default_rng([seed, c.n, int(c.eq.nnz), int(c.ub.nnz), T])
        c.done_hi = np.zeros(T, dtype=bool)

    def certified(c):
        return np.where(c.max_only, c.hi >= c.need - 1e-9, c.hi - c.lo >= c.need - 1e-9)

    def add_point(c, x):
        values = c.C @ x
        c.lo = np.minimum(c.lo, values)
        c.hi = np.maximum(c.hi, values)

    def integral_point(c, cost, x):
        if x is None or _integral(c, x):
            return x
        return _milp_point(c, cost, stats, big)

    def still_open(c):
        if exact:  # points cannot make a target exact, except by reaching the bounds its own cell implies
            return ~((c.max_only | (c.lo <= c.floor + 1e-9)) & (c.hi >= c.ceil - 1e-9))
        return ~certified(c)

    active = {id(c): True for c in comps}
    for _ in range(_POINT_ROUNDS):
        blocks = []
        before = {}
        for c in comps:
            open_ = still_open(c)
            before[id(c)] = int(open_.sum())
            if not open_.any() or not active[id(c)]:
                continue
            signs = c.rng.choice([-1.0, 1.0], size=c.C.shape[0]) * open_
            signs[c.max_only & open_] = -1.0  # only ever pushed up
            direction = c.C.T @ signs
            blocks.append((c, direction))
            if not c.max_only[open_].all():
                blocks.append((c, -direction))
        if not blocks:
            break
        for (c, cost), sol in zip(blocks, _solve_stacked(blocks, stats, big), strict=True):
            x = integral_point(c, cost, sol[0])
            if x is not None:
                add_point(c, x)
        for c in comps:  # go on while a round still certifies something (the rest is narrow: solve it)
            active[id(c)] = active[id(c)] and int(still_open(c).sum()) < before[id(c)]
    if not exact:
        for c in comps:
            stats["certified_by_points"] += int(certified(c).sum())

    while True:
        blocks, index = [], []
        for c in comps:
            # a side whose point reached the bound the target's own cell implies is exact already
            reach_lo = ~c.done_lo & (c.lo <= c.floor + 1e-9)
            reach_hi = ~c.done_hi & (c.hi >= c.ceil - 1e-9)
            c.lo[reach_lo], c.hi[reach_hi] = c.floor[reach_lo], c.ceil[reach_hi]
            c.done_lo |= reach_lo
            c.done_hi |= reach_hi
            open_ = ~(c.done_lo & c.done_hi)
            if not exact:
                open_ &= ~certified(c)
            for t in np.flatnonzero(open_)[:_WAVE]:
                for sense, done in ((1.0, c.done_lo), (-1.0, c.done_hi)):
                    if not done[t]:
                        blocks.append((c, sense * c.C[t]))
                        index.append((c, int(t), sense))
        if not blocks:
            break
        for (c, t, sense), (_c, cost), sol in zip(index, blocks, _solve_stacked(blocks, stats, big), strict=True):
            x, eq_m, ub_m = sol
            if x is None:
                bound = np.inf if sense == -1.0 else -np.inf
            elif _integral(c, x):
                bound = float(c.C[t] @ x)
                beq = np.flatnonzero(np.abs(eq_m) > 1e-9)
                bub = np.flatnonzero(np.abs(ub_m) > 1e-9)
                if c.binding_eq[t] is None:
                    c.binding_eq[t], c.binding_ub[t] = beq, bub
                else:
                    c.binding_eq[t] = np.union1d(c.binding_eq[t], beq)
                    c.binding_ub[t] = np.union1d(c.binding_ub[t], bub)
                c.method[t] = "lp" if c.method[t] != "milp" else "milp"
                add_point(c, x)
            else:
                x = _milp_point(c, cost, stats, big)
                bound = np.inf if x is None and sense == -1.0 else float(c.C[t] @ x)
                c.method[t] = "milp"
                if x is not None:
                    add_point(c, x)
            if sense == 1.0:
                c.lo[t], c.done_lo[t] = bound, True
            else:
                c.hi[t], c.done_hi[t] = bound, True
    for c in comps:
        c.exact = c.done_lo & c.done_hi
        c.method[c.exact & (c.method == "points")] = "implied"
        for t in np.flatnonzero(c.exact):
            if c.binding_eq[t] is None:
                c.binding_eq[t], c.binding_ub[t] = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        c.lo[c.max_only] = -np.inf


def explain(problem: Problem, bounds: Bounds, target: int) -> np.ndarray:
    """Expression ids of the published values the attacker's bounds on `target` rest on: the binding equalities
    of its exact LPs and the shown rows that fixed variables (transitively). Empty when unknown (MILP)."""
    sk = problem.skeleton
    eq_expr, E_eq, fixed, fix_by, fix_when = bounds.fixing
    used: set[int] = set()
    start_vars: list[int] = []
    is_count = problem.t_neg[target] < 0
    for e in (problem.t_pos[target], problem.t_neg[target]):
        if e >= 0:
            if problem.expr_known[e]:
                # a count published elsewhere (a linked cell) is its own leak; a complement's known denominator
                # is just the constant the complement is taken from
                if is_count:
                    used.add(int(e))
                continue
            start_vars.extend(sk.E.indices[sk.E.indptr[e] : sk.E.indptr[e + 1]].tolist())
    eq_ids, ub_ids = bounds.binding.get(int(target), (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)))
    for e in eq_ids:
        used.add(int(e))
        start_vars.extend(sk.E.indices[sk.E.indptr[e] : sk.E.indptr[e + 1]].tolist())
    for r in ub_ids:
        row = problem.ub_rows
        start_vars.extend(row.indices[row.indptr[r] : row.indptr[r + 1]].tolist())
    stack = [v for v in start_vars if fixed[v]]
    seen_vars = set()
    while stack:
        v = stack.pop()
        if v in seen_vars:
            continue
        seen_vars.add(v)
        r = fix_by[v]
        used.add(int(eq_expr[r]))
        for u in E_eq.indices[E_eq.indptr[r] : E_eq.indptr[r + 1]]:
            if fixed[u] and fix_when[u] < fix_when[v]:
                stack.append(int(u))
    return np.array(sorted(used), dtype=np.int64)
