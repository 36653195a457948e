"""The audit agrees with an independent method: exhaustive enumeration of all integer solutions of tiny tables.

The enumeration re-derives the attacker's knowledge from the published rows by itself (sums over members and
windows, numerator <= denominator, the rule's >= 1 and <= denominator - 1) and tries every integer assignment of
the base-level numerators in a box; the audit must report the same min and max (``exact=True``) and the same
disclosed flags (default mode).
"""

import itertools

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from support.disclosure_tables import publish, true_table

from quartiersprofile.stats.disclosure import Structure, audit

SMALL = {"C": ("a", "b"), "a": ("a",), "b": ("b",)}
MEDIUM = {"C": ("a", "b", "c"), "S1": ("a", "b"), "S2": ("c",), "a": ("a",), "b": ("b",)}
MIN_COUNT, MIN_DEN = 5, 20


@st.composite
def scenarios(draw):
    kind = draw(st.sampled_from(["small", "medium", "linked"]))
    members = MEDIUM if kind == "medium" else SMALL
    units = sorted({u for us in members.values() for u in us})
    statistic = "proportion" if kind == "linked" else draw(st.sampled_from(["proportion", "rate", "count"]))
    window = 1 if kind == "medium" else draw(st.sampled_from([1, 2]))
    years = ("2022", "2023", "2024") if window == 2 else ("2023", "2024")
    top = 3 if window == 2 or kind == "medium" else 6
    nums = {(u, y): draw(st.integers(0, top)) for u in units for y in years}
    dens = None if statistic == "count" else {k: v + draw(st.integers(0, 14)) for k, v in nums.items()}
    table = true_table(members, "X", statistic, nums, dens, periods=years, window=window)
    if kind == "linked":  # Y's denominator is X's numerator; Y is published for some areas only, fully shown
        y = true_table(members, "Y", "proportion", {k: v // 2 for k, v in nums.items()}, nums, periods=years,
                       window=window)  # fmt: skip
        keep = draw(st.lists(st.sampled_from(sorted(members)), unique=True, min_size=1, max_size=2))
        table = pd.concat([table, y[y["area"].isin(keep)]], ignore_index=True)
    hide = []
    for r in table[(table["indicator"] == "X") & (table["area"] != "C")].itertuples():
        if not draw(st.booleans()):
            continue
        known_den = r.statistic != "count" and r.denominator >= MIN_DEN
        if (r.statistic == "count" or known_den) and r.numerator == 0:
            continue  # zeros are shown
        if r.statistic == "proportion" and known_den and r.numerator == r.denominator:
            continue  # so are complements of 0
        hide.append((r.indicator, r.area, r.period))
    links = [(("Y", "denominator"), ("X", "numerator"))] if kind == "linked" else []
    return members, publish(table, hide_num=hide), links


def enumerate_bounds(members, published):
    """Min and max of every hidden X count (and proportion complement) over all integer solutions."""
    x = published[published["indicator"] == "X"].reset_index(drop=True)
    y = published[published["indicator"] == "Y"]
    periods = sorted({p for w in x["window"] for p in w})
    units = sorted({u for us in members.values() for u in us})
    var = {(u, p): k for k, (u, p) in enumerate(itertools.product(units, periods))}

    def row_of(area, window):
        v = np.zeros(len(var), dtype=np.int32)
        for u in members[area]:
            for p in window:
                v[var[(u, p)]] = 1
        return v

    eq = [(row_of(r.area, r.window), r.numerator) for r in x.itertuples() if r.numerator_shown]
    eq += [(row_of(r.area, r.window), r.denominator) for r in y.itertuples() if r.denominator_shown]
    box = np.full(len(var), 10**6)
    for v, value in eq:
        box = np.where(v > 0, np.minimum(box, value), box)
    assert (box < 10**6).all(), "every variable is in a shown sum (the city is always shown)"
    assume(np.prod(box + 1.0) <= 2e6)  # keep the enumeration small
    axes = [np.arange(int(b) + 1, dtype=np.int32) for b in box]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, len(var))
    ok = np.ones(len(grid), dtype=bool)
    for v, value in eq:
        ok &= grid @ v == value
    hidden = [r for r in x.itertuples() if not r.numerator_shown]
    for r in hidden:
        s = grid @ row_of(r.area, r.window)
        if r.statistic in ("proportion", "rate"):
            ok &= s <= r.denominator
        known_den = r.statistic != "count" and r.denominator >= MIN_DEN
        if r.statistic == "count" or known_den:
            ok &= s >= 1
        if r.statistic == "proportion" and known_den:
            ok &= s <= r.denominator - 1
    feasible = grid[ok]
    assert len(feasible), "the true table is a solution"
    bounds = {}
    for r in hidden:
        s = feasible @ row_of(r.area, r.window)
        bounds[(r.area, r.period, "count")] = (s.min(), s.max())
        if r.statistic == "proportion":
            bounds[(r.area, r.period, "complement")] = (r.denominator - s.max(), r.denominator - s.min())
    return bounds


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_audit_agrees_with_exhaustive_enumeration(scenario):
    members, published, links = scenario
    expected = enumerate_bounds(members, published)
    structure = Structure(members=members, links=links)
    exact = audit(published, structure, exact=True)
    fast = audit(published, structure)
    got = {(r.area, r.period, r.quantity): (r.lower, r.upper) for r in exact[exact["indicator"] == "X"].itertuples()}
    event(f"hidden quantities: {min(len(got), 3)}+, disclosed: {bool(exact['disclosed'].any())}, links: {bool(links)}")
    assert got == {k: (float(lo), float(hi)) for k, (lo, hi) in expected.items()}
    x = published[published["indicator"] == "X"].set_index(["area", "period"])
    for r in fast[fast["indicator"] == "X"].itertuples():
        lo, hi = expected[(r.area, r.period, r.quantity)]
        den = x.loc[(r.area, r.period), "denominator"]
        required = min(MIN_COUNT, den + 1) if r.statistic in ("proportion", "rate") else MIN_COUNT
        known_zero = r.quantity == "count" and lo == hi == 0  # nobody affected: not a disclosure
        assert r.disclosed == (hi - lo + 1 < required and not known_zero), (r, lo, hi, required)
        assert r.required == required
        if not r.exact:  # a certified interval lies inside the attacker's
            assert lo <= r.lower and r.upper <= hi
