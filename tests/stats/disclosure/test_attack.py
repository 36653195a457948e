"""Hand-computable cases for the attacker's audit (`disclosure.attack`)."""

import numpy as np
import pandas as pd
import pytest
from support.disclosure_tables import MEMBERS, per_unit, publish, row, structure, true_table

from quartiersprofile.stats.disclosure import (
    Disclosure,
    InconsistentTableError,
    Structure,
    audit,
    catalogue_links,
    detect_links,
    disclosures,
    format_disclosures,
    link_groups,
    links_of,
    visible_complements,
)


def proportion(numerators, denominators, indicator="P", members=MEMBERS):
    return true_table(members, indicator, "proportion", per_unit(numerators), per_unit(denominators))


def test_two_hidden_children_summing_to_one_are_disclosed():
    # S1 = a + b shows 1 of 22; a (1 of 10) and b (0 of 12) are hidden for their small denominators
    table = proportion({"a": 1, "b": 0, "c": 10, "d": 12, "e": 30}, {"a": 10, "b": 12, "c": 40, "d": 45, "e": 100})
    result = audit(publish(table, hide_num=[("P", "a", "2024"), ("P", "b", "2024")]), structure())
    a = row(result, "P", "a")
    assert (a.lower, a.upper, a.possible, a.required) == (0, 1, 2, 5)
    assert a.disclosed and a.exact
    complement = row(result, "P", "a", quantity="complement")
    assert (complement.lower, complement.upper) == (9, 10) and complement.disclosed
    assert row(result, "P", "b").disclosed


def test_sibling_partner_with_room_is_not_disclosed():
    # a (3 of 30) and b (40 of 60) hidden: a + b = 43, a <= 30, b <= 60 - the zeros rule gives a >= 1
    table = proportion({"a": 3, "b": 40, "c": 10, "d": 12, "e": 30}, {"a": 30, "b": 60, "c": 40, "d": 45, "e": 100})
    result = audit(publish(table, hide_num=[("P", "a", "2024"), ("P", "b", "2024")]), structure(), exact=True)
    a = row(result, "P", "a")
    assert (a.lower, a.upper) == (1, 30) and not a.disclosed


def test_zeros_rule_makes_two_small_hidden_counts_disclosed():
    # a + b = 5 with both hidden: zeros are shown, so each is >= 1 and at most 4 - four values, disclosed
    table = proportion({"a": 2, "b": 3, "c": 10, "d": 12, "e": 30}, {"a": 30, "b": 40, "c": 40, "d": 45, "e": 100})
    hidden = [("P", "a", "2024"), ("P", "b", "2024")]
    a = row(audit(publish(table, hide_num=hidden), structure()), "P", "a")
    assert (a.lower, a.upper, a.possible) == (1, 4, 4) and a.disclosed
    # with denominators below 20 a hidden count may be 0: six values, not disclosed
    small = proportion({"a": 2, "b": 3, "c": 10, "d": 12, "e": 30}, {"a": 15, "b": 12, "c": 40, "d": 45, "e": 100})
    a = row(audit(publish(small, hide_num=hidden), structure(), exact=True), "P", "a")
    assert (a.lower, a.upper, a.possible, a.required) == (0, 5, 6, 5) and not a.disclosed


def test_a_hidden_share_may_be_100_percent_but_not_0():
    # zeros are never hidden, so a hidden count with a denominator of 20 or more is at least 1; a share of 100 % may
    # be hidden as a partner, so nothing follows from it: up to its denominator
    table = proportion({"a": 28, "b": 40, "c": 10, "d": 12, "e": 30}, {"a": 30, "b": 60, "c": 40, "d": 45, "e": 100})
    hidden = [("P", "a", "2024"), ("P", "b", "2024")]
    result = audit(publish(table, hide_num=hidden), structure(), exact=True)
    a = row(result, "P", "a")
    assert (a.lower, a.upper) == (8, 30)  # b <= 60 of 60, so a >= 68 - 60; a <= its denominator, 30
    assert row(result, "P", "a", quantity="complement").lower == 0


def test_linked_denominator_pins_a_hidden_numerator():
    members = {"C": ("a", "b"), "a": ("a",), "b": ("b",)}
    x = true_table(members, "X", "proportion", per_unit({"a": 32, "b": 50}), per_unit({"a": 35, "b": 54}))
    y = true_table(members, "Y", "proportion", per_unit({"a": 30, "b": 47}), per_unit({"a": 32, "b": 50}))
    published = publish(pd.concat([x, y], ignore_index=True), hide_num=[("X", "a", "2024"), ("X", "b", "2024")])
    unlinked = audit(published, Structure(members=members), exact=True)
    a = row(unlinked, "X", "a")
    assert (a.lower, a.upper) == (28, 35) and not a.disclosed
    linked = audit(published, Structure(members=members, links=[(("Y", "denominator"), ("X", "numerator"))]))
    a = row(linked, "X", "a")
    assert (a.lower, a.upper) == (32, 32) and a.disclosed and a.method == "known"


def test_bound_case_city_minus_visible_stadtteile_equals_hidden_denominators():
    # S1 (15 of 15) and S2 (12 of 12) are hidden for small denominators; C - S3 = 27 = 15 + 12, so both are 100 %
    nums = {"a": 7, "b": 8, "c": 6, "d": 6, "e": 40}
    dens = {"a": 7, "b": 8, "c": 6, "d": 6, "e": 50}
    table = proportion(nums, dens)
    hidden = [("P", area, "2024") for area in ("S1", "S2", "a", "b", "c", "d")]
    result = audit(publish(table, hide_num=hidden), structure())
    s1 = row(result, "P", "S1")
    assert (s1.lower, s1.upper) == (15, 15) and s1.disclosed
    assert (row(result, "P", "a").lower, row(result, "P", "a").upper) == (7, 7)
    # the same with the denominators hidden too: only the complements (0) are disclosed
    result = audit(publish(table, hide_num=hidden, hide_den=hidden), structure())
    complement = row(result, "P", "S1", quantity="complement")
    assert (complement.lower, complement.upper) == (0, 0) and complement.disclosed
    assert not row(result, "P", "S1").disclosed


def test_pooled_window_recovers_a_hidden_year():
    # R: annual counts; Q: a 3-year rate whose denominator is R summed over the window (linked at base level)
    members = {"C": ("a", "b"), "a": ("a",), "b": ("b",)}
    years = ("2022", "2023", "2024")
    counts = {("a", "2022"): 10, ("a", "2023"): 12, ("a", "2024"): 3, ("b", "2022"): 20, ("b", "2023"): 21,
              ("b", "2024"): 22}  # fmt: skip
    r = true_table(members, "R", "count", counts, periods=years)
    q = true_table(members, "Q", "rate", {("a", "2024"): 1, ("b", "2024"): 2}, counts, periods=years, window=3)
    published = publish(pd.concat([r, q], ignore_index=True), hide_num=[("R", "a", "2024"), ("R", "b", "2024")])
    assert q["window"].iloc[0] == years
    unlinked = row(audit(published, Structure(members=members)), "R", "a")
    assert not unlinked.disclosed  # a + b = 25 and both >= 1
    linked = audit(published, Structure(members=members, links=[(("Q", "denominator"), ("R", "numerator"))]))
    a = row(linked, "R", "a")
    assert (a.lower, a.upper) == (3, 3) and a.disclosed


def test_overlapping_windows_pin_a_partner_to_zero():
    # 3-year windows ending 2022, 2023, 2024. Unit b has no cases; its 2021-2023 cell is hidden for its small
    # denominator, but the shown zeros of the overlapping windows 2020-2022 and 2022-2024 make it 0 - so a's hidden
    # 2021-2023 count is the city's.
    members = {"C": ("a", "b"), "a": ("a",), "b": ("b",)}
    years = ("2020", "2021", "2022", "2023", "2024")
    nums = {("a", y): v for y, v in zip(years, (1, 3, 4, 3, 2), strict=True)}
    dens = {("a", y): 20 for y in years} | {("b", y): v for y, v in zip(years, (20, 5, 5, 5, 20), strict=True)}
    table = true_table(members, "K", "proportion", nums, dens, periods=years, window=3)
    hidden = [("K", "a", "2023"), ("K", "b", "2023")]
    a = row(audit(publish(table, hide_num=hidden), Structure(members=members)), "K", "a", period="2023")
    assert (a.lower, a.upper) == (10, 10) and a.disclosed
    # the 2021-2023 window alone: a + b = 10 with b anywhere in 0..15 leaves a in 1..10
    alone = publish(table[table["period"] == "2023"], hide_num=hidden)
    a = row(audit(alone, Structure(members=members), exact=True), "K", "a", period="2023")
    assert (a.lower, a.upper) == (1, 10) and not a.disclosed


def test_overlapping_windows_alone_do_not_recover_a_hidden_window():
    members = {"C": ("u",)}
    years = ("2020", "2021", "2022", "2023", "2024")
    nums = {("u", y): v for y, v in zip(years, (5, 0, 1, 2, 6), strict=True)}
    table = true_table(members, "W", "proportion", nums, {("u", y): 40 for y in years}, periods=years, window=3)
    result = audit(publish(table, hide_num=[("W", "C", "2023")]), Structure(members=members), exact=True)
    w = row(result, "W", "C", period="2023")
    assert (w.lower, w.upper) == (1, 15) and not w.disclosed


def test_complement_47_of_48():
    table = proportion({"a": 47, "b": 48, "c": 10, "d": 12, "e": 30}, {"a": 48, "b": 52, "c": 40, "d": 45, "e": 100})
    found = visible_complements(table, structure())
    assert [(f.area, f.lower) for f in found] == [("a", 1), ("b", 4)]
    assert "complement = 1" in str(found[0]) and "area a" in str(found[0])
    # hidden, but the sibling and the parent are shown: 47 exactly
    result = audit(publish(table, hide_num=[("P", "a", "2024")]), structure())
    assert row(result, "P", "a").disclosed and row(result, "P", "a", quantity="complement").upper == 1
    # the sibling (48 of 52) hidden too: b <= 52, so a >= 95 - 52 = 43, and a <= 48: six values, not disclosed
    both = [("P", "a", "2024"), ("P", "b", "2024")]
    result = audit(publish(table, hide_num=both), structure(), exact=True)
    a = row(result, "P", "a")
    assert (a.lower, a.upper) == (43, 48) and not a.disclosed
    # with a sibling of 48 of 100: a in 1..48, complement in 0..47 - not disclosed
    wide = proportion({"a": 47, "b": 48, "c": 10, "d": 12, "e": 30}, {"a": 48, "b": 100, "c": 40, "d": 45, "e": 100})
    result = audit(publish(wide, hide_num=both), structure(), exact=True)
    assert (row(result, "P", "a").lower, row(result, "P", "a").upper) == (1, 48)
    assert not row(result, "P", "a", quantity="complement").disclosed


def test_small_denominator_needs_fewer_values():
    # a proportion over 3: all four counts 0..3 possible is enough (required = 4)
    members = {"C": ("u",)}
    table = true_table(members, "P", "proportion", per_unit({"u": 1}), per_unit({"u": 3}))
    c = row(audit(publish(table, hide_num=[("P", "C", "2024")]), Structure(members=members), exact=True), "P", "C")
    assert (c.lower, c.upper, c.possible, c.required) == (0, 3, 4, 4) and not c.disclosed


def test_a_mean_protects_its_sum_and_publishes_its_n():
    # a mean's numerator is the sum of the values (protected like a count); its n is shown like a denominator
    members = {"C": ("a", "b"), "a": ("a",), "b": ("b",)}
    mean = true_table(members, "M", "mean", per_unit({"a": 20, "b": 60}), per_unit({"a": 11, "b": 40}))
    hidden = [("M", "a", "2024")]
    alone = row(audit(publish(mean, hide_num=hidden), Structure(members=members)), "M", "a")
    assert (alone.lower, alone.upper) == (20, 20) and alone.disclosed  # the city's sum minus b's
    both = [("M", "a", "2024"), ("M", "b", "2024")]
    published = publish(mean, hide_num=both)
    assert published["denominator_shown"].all()
    sums = row(audit(published, Structure(members=members), exact=True), "M", "a")
    # a (n = 11 < 20) may be 0; b (n = 40) hidden although not small is a partner, never 0: a is 0..79
    assert (sums.lower, sums.upper) == (0, 79) and not sums.disclosed


def test_findings_name_indicator_period_area_and_interval():
    table = proportion({"a": 1, "b": 0, "c": 10, "d": 12, "e": 30}, {"a": 10, "b": 12, "c": 40, "d": 45, "e": 100})
    result = audit(publish(table, hide_num=[("P", "a", "2024"), ("P", "b", "2024")]), structure())
    findings = disclosures(result)
    assert all(isinstance(f, Disclosure) for f in findings)
    text = str(next(f for f in findings if f.area == "a" and f.quantity == "count"))
    assert text.startswith("P 2024, area a: count in [0, 1]") and "2 possible values" in text and "disclosed" in text
    assert format_disclosures(findings, limit=1).endswith(f"... and {len(findings) - 1} more")


def test_pooled_findings_show_the_window():
    members = {"C": ("u",)}
    years = ("2022", "2023", "2024")
    table = true_table(members, "K", "proportion", {("u", "2024"): 2}, {("u", y): 1 for y in years}, periods=years,
                       window=3)  # fmt: skip
    finding = Disclosure("K", "C", "2024", years, "count", 0, 3, 4, 5)
    assert str(finding).startswith("K 2024 (2022–2024), area C: count in [0, 3]")
    assert len(table) == 1


def test_audit_reports_nothing_for_a_fully_shown_table():
    table = proportion({"a": 7, "b": 8, "c": 6, "d": 6, "e": 40}, {"a": 30, "b": 31, "c": 32, "d": 33, "e": 50})
    result = audit(table, structure())
    assert result.empty and result.attrs["stats"]["disclosed"] == 0


def test_inconsistent_links_are_reported():
    members = {"C": ("u",)}
    x = true_table(members, "X", "proportion", per_unit({"u": 5}), per_unit({"u": 30}))
    y = true_table(members, "Y", "proportion", per_unit({"u": 2}), per_unit({"u": 6}))
    with pytest.raises(InconsistentTableError, match="linked quantities disagree"):
        audit(pd.concat([x, y]), Structure(members=members, links=[(("X", "numerator"), ("Y", "denominator"))]))


def test_detect_links_finds_equal_quantities_and_sums_over_windows():
    members = {"C": ("a", "b", "c"), "a": ("a",), "b": ("b",), "c": ("c",)}
    years = ("2020", "2021", "2022", "2023", "2024")
    rng = np.random.default_rng(3)
    pop = {(u, y): float(rng.integers(50, 90)) for u in "abc" for y in years}
    kids = {(u, y): float(rng.integers(5, 40)) for u in "abc" for y in years}
    tables = [
        true_table(members, "POP", "count", pop, periods=years),
        true_table(members, "SHARE", "proportion", kids, pop, periods=years),
        true_table(members, "PY", "rate", {}, pop, periods=years, window=3),  # person-years
        true_table(members, "OTHER", "proportion", kids, {k: v + 1 for k, v in pop.items()}, periods=years),
    ]
    published = publish(pd.concat(tables, ignore_index=True), hide_num=[("SHARE", "a", "2024")])
    found = detect_links(published, min_cells=10)
    pairs = {(a, b): rel for a, b, rel in zip(found["quantity_a"], found["quantity_b"], found["relation"], strict=True)}
    assert pairs[(("POP", "numerator"), ("SHARE", "denominator"))] == "same window"
    assert pairs[(("PY", "denominator"), ("POP", "numerator"))] == "sum over window"
    assert pairs[(("OTHER", "numerator"), ("SHARE", "numerator"))] == "same window"
    assert (("OTHER", "denominator"), ("POP", "numerator")) not in pairs
    groups = link_groups(links_of(found))
    assert [("POP", "numerator"), ("PY", "denominator"), ("SHARE", "denominator")] in groups
    assert len(detect_links(published, min_cells=100)) == 0


def test_catalogue_links_match_the_same_words_and_frequency():
    catalogue = pd.DataFrame(
        {
            "id": ["A", "B", "C", "D"],
            "statistic": ["proportion", "rate", "proportion", "proportion"],
            "numerator": ["Lebendgeborene", "Gestorbene", "x", "y"],
            "denominator": ["Frauen", "Lebendgeborene", "Einwohner", "Einwohner"],
            "frequency": ["annual", "annual", "annual", "quarterly"],
        }
    )
    assert catalogue_links(catalogue) == [(("A", "numerator"), ("B", "denominator"))]


def test_sums_that_do_not_add_up_are_reported():
    table = proportion({"a": 7, "b": 8, "c": 6, "d": 6, "e": 40}, {"a": 30, "b": 31, "c": 32, "d": 33, "e": 50})
    table.loc[table["area"] == "S1", "numerator"] = 99.0
    with pytest.raises(InconsistentTableError, match="do not add up: P numerator, area S1"):
        audit(publish(table, hide_num=[("P", "c", "2024")]), structure())


def test_a_hidden_zero_the_rule_shows_contradicts_the_model():
    # b is 0 of 40 but hidden: "zeros are shown" says b >= 1, while S1 - a = 0
    table = proportion({"a": 7, "b": 0, "c": 6, "d": 6, "e": 40}, {"a": 30, "b": 40, "c": 32, "d": 33, "e": 50})
    with pytest.raises(InconsistentTableError, match="violate a bound of P area b period 2024"):
        audit(publish(table, hide_num=[("P", "b", "2024")]), structure())
