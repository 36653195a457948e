"""Secondary suppression (`disclosure.protect`): every scenario of the audit tests passes after protection."""

import numpy as np
import pandas as pd
import pytest
from support.disclosure_tables import MEMBERS, apply_flags, per_unit, row, rule_primary, structure, true_table

from quartiersprofile.stats.disclosure import ProtectionError, Structure, audit, protect, visible_complements

YEARS = ("2020", "2021", "2022", "2023", "2024")
UNITS = ("a", "b", "c", "d", "e")


def check_protected(table, flags, structure_, primary):
    """The protected table passes the audit, hides every primary cell and never hides a zero on its own."""
    published = apply_flags(table, flags)
    result = audit(published, structure_)
    assert not result["disclosed"].any(), result[result["disclosed"]]
    assert visible_complements(published, structure_) == []
    hidden = ~flags["numerator_shown"].to_numpy()
    assert hidden[primary].all()
    alone = hidden & flags["denominator_shown"].to_numpy() & flags["secondary"].to_numpy()
    assert (table["numerator"].to_numpy()[alone] > 0).all(), "a zero numerator hidden on its own"
    assert not (flags["secondary"].to_numpy() & primary).any()
    return result


def proportion(numerators, denominators, indicator="P"):
    return true_table(MEMBERS, indicator, "proportion", per_unit(numerators), per_unit(denominators))


@pytest.mark.parametrize(
    ("numerators", "denominators"),
    [
        ({"a": 1, "b": 0, "c": 10, "d": 12, "e": 30}, {"a": 10, "b": 12, "c": 40, "d": 45, "e": 100}),
        ({"a": 2, "b": 3, "c": 10, "d": 12, "e": 30}, {"a": 30, "b": 40, "c": 40, "d": 45, "e": 100}),
        ({"a": 47, "b": 48, "c": 10, "d": 12, "e": 30}, {"a": 48, "b": 52, "c": 40, "d": 45, "e": 100}),
        ({"a": 7, "b": 8, "c": 6, "d": 6, "e": 40}, {"a": 7, "b": 8, "c": 6, "d": 6, "e": 50}),
        ({"a": 3, "b": 0, "c": 0, "d": 12, "e": 30}, {"a": 30, "b": 40, "c": 40, "d": 45, "e": 100}),
    ],
    ids=["sum-to-one", "zeros-rule", "complement-47-of-48", "bound-100-percent", "zero-siblings"],
)
def test_protect_passes_the_audit(numerators, denominators):
    table = proportion(numerators, denominators)
    primary = rule_primary(table)
    assert primary.any()
    flags = protect(table, primary, structure())
    check_protected(table, flags, structure(), primary)
    assert flags.index.equals(table.index)


def test_protect_hides_a_sibling_before_the_parent():
    # a (3 of 30) is primary; its sibling b and parent S1 are shown: hide b (the smallest partner), not S1
    table = proportion({"a": 3, "b": 40, "c": 10, "d": 12, "e": 30}, {"a": 30, "b": 60, "c": 40, "d": 45, "e": 100})
    flags = protect(table, rule_primary(table), structure())
    hidden = set(table.loc[~flags["numerator_shown"], "area"])
    assert hidden == {"a", "b"}


def test_protect_hides_the_linked_cell_whole():
    members = {"C": ("a", "b"), "a": ("a",), "b": ("b",)}
    x = true_table(members, "X", "proportion", per_unit({"a": 32, "b": 50}), per_unit({"a": 35, "b": 54}))
    y = true_table(members, "Y", "proportion", per_unit({"a": 30, "b": 44}), per_unit({"a": 32, "b": 50}))
    table = pd.concat([x, y], ignore_index=True)
    structure_ = Structure(members=members, links=[(("Y", "denominator"), ("X", "numerator"))])
    primary = rule_primary(table)  # X's complements 3 and 4
    flags = protect(table, primary, structure_)
    check_protected(table, flags, structure_, primary)
    y_rows = flags[(table["indicator"] == "Y").to_numpy()]
    assert (~y_rows["denominator_shown"] & ~y_rows["numerator_shown"]).any(), "a Y cell hidden whole"


def test_protect_a_mean_hides_a_partner_sum_and_no_denominator():
    members = {"C": ("a", "b"), "a": ("a",), "b": ("b",)}
    mean = true_table(members, "M", "mean", per_unit({"a": 20, "b": 60}), per_unit({"a": 11, "b": 40}))
    share = true_table(members, "S", "proportion", per_unit({"a": 5, "b": 30}), per_unit({"a": 11, "b": 40}))
    table = pd.concat([mean, share], ignore_index=True)
    structure_ = Structure(members=members, links=[(("M", "denominator"), ("S", "denominator"))])
    primary = rule_primary(table)  # n = 11 < 20 hides M and S in a
    flags = protect(table, primary, structure_)
    check_protected(table, flags, structure_, primary)
    assert flags["denominator_shown"].all()  # n is published: it is the shares' denominator anyway
    m_b = flags[((table["indicator"] == "M") & (table["area"] == "b")).to_numpy()].iloc[0]
    assert not m_b["numerator_shown"]  # a's sum would be the city's minus b's

def synthetic(seed=0, years=YEARS):
    """A small multi-indicator, multi-period table with pooled windows and links, like the project's."""
    rng = np.random.default_rng(seed)

    def draw(low, high):
        return {(u, y): float(rng.integers(low, high)) for u in UNITS for y in years}

    pop = draw(40, 400)
    kids = {k: float(rng.integers(0, 4)) for k in pop}  # few children per unit and year
    docs = {k: float(rng.integers(0, 3)) for k in pop}
    docs_ok = {k: float(max(0, v - rng.integers(0, 2))) for k, v in kids.items()}
    vaccinated = {k: float(max(0, v - rng.integers(0, 2))) for k, v in docs_ok.items()}
    tables = [
        true_table(MEMBERS, "POP", "count", pop, periods=years),
        true_table(MEMBERS, "DOC", "rate", docs, pop, periods=years),
        true_table(MEMBERS, "OLD", "proportion", {k: float(rng.integers(0, 8)) for k in pop}, pop, periods=years),
        true_table(MEMBERS, "IMP", "proportion", docs_ok, kids, periods=years, window=3),
        true_table(MEMBERS, "VAC", "proportion", vaccinated, docs_ok, periods=years, window=3),
        true_table(MEMBERS, "DMF", "mean", {k: 2 * v for k, v in kids.items()}, kids, periods=years, window=3),
    ]
    links = [
        (("POP", "numerator"), ("DOC", "denominator")),
        (("POP", "numerator"), ("OLD", "denominator")),
        (("IMP", "numerator"), ("VAC", "denominator")),
        (("IMP", "denominator"), ("DMF", "denominator")),
    ]
    return pd.concat(tables, ignore_index=True), structure(links)


def test_protect_synthetic_project_table():
    table, structure_ = synthetic()
    primary = rule_primary(table)
    flags = protect(table, primary, structure_)
    check_protected(table, flags, structure_, primary)
    assert flags["secondary"].any()
    stats = flags.attrs["stats"]
    assert stats["secondary_cells"] == int(flags["secondary"].sum()) and stats["unavoidable"] == []


def test_protect_is_deterministic():
    table, structure_ = synthetic(seed=1)
    primary = rule_primary(table)
    first = protect(table, primary, structure_)
    second = protect(table.copy(), primary.copy(), structure_)
    pd.testing.assert_frame_equal(first, second)
    shuffled = table.sample(frac=1.0, random_state=0)
    third = protect(shuffled, primary[shuffled.index.to_numpy()], structure_)
    pd.testing.assert_frame_equal(first, third.loc[first.index])


def test_a_new_year_does_not_change_earlier_years():
    table, structure_ = synthetic(seed=2)
    primary = rule_primary(table)
    full = protect(table, primary, structure_)
    earlier = (table["period"] < "2024").to_numpy()
    before = protect(table[earlier], primary[earlier], structure_)
    pd.testing.assert_frame_equal(full[earlier], before)


def test_unprotectable_cell_raises_naming_it():
    # with min_count 50 a hidden 3 of 30 can never have 31 possible values while its denominator is shown
    table = proportion({"a": 3, "b": 5, "c": 10, "d": 12, "e": 30}, {"a": 30, "b": 25, "c": 40, "d": 45, "e": 100})
    strict = structure(min_count=50)
    primary = (table["area"] == "a").to_numpy()
    with pytest.raises(ProtectionError, match="P area a period 2024"):
        protect(table, primary, strict)


def test_primary_must_not_hide_a_zero_the_rule_shows():
    table = proportion({"a": 0, "b": 5, "c": 10, "d": 12, "e": 30}, {"a": 30, "b": 25, "c": 40, "d": 45, "e": 100})
    with pytest.raises(ValueError, match="zeros"):
        protect(table, (table["area"] == "a").to_numpy(), structure())


def test_visible_complements_are_hidden_even_if_primary_missed_them():
    table = proportion({"a": 47, "b": 20, "c": 10, "d": 12, "e": 30}, {"a": 48, "b": 52, "c": 40, "d": 45, "e": 100})
    flags = protect(table, np.zeros(len(table), dtype=bool), structure())
    assert not flags.loc[(table["area"] == "a").to_numpy(), "numerator_shown"].any()
    assert flags.loc[(table["area"] == "a").to_numpy(), "secondary"].all()
    check_protected(table, flags, structure(), np.zeros(len(table), dtype=bool))
    assert not row(audit(apply_flags(table, flags), structure()), "P", "a").disclosed
