"""Tests for quartiersprofile.stats.suppression: primary rule, complementary suppression, blanking."""

import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quartiersprofile.stats.suppression import (
    SUPPRESSED_MARKER,
    SuppressionRule,
    primary_suppression,
    suppress,
)

# City 4012 with Stadtteile 11 (Ortsteile 111-113), 12 (121, 122) and 13 (single Ortsteil 131).
PARENTS = {"11": "4012", "12": "4012", "13": "4012", "111": "11", "112": "11", "113": "11",
           "121": "12", "122": "12", "131": "13"}  # fmt: skip
ORTSTEILE = ["111", "112", "113", "121", "122", "131"]
VALUES = ["value", "lower", "upper", "lower_998", "upper_998"]


def make_table(ortsteile, indicator="i1", period="2024"):
    """Indicator rows for all levels from Ortsteil (numerator, denominator) pairs, summed upwards."""
    counts = dict(ortsteile)
    for child in ["111", "112", "113", "121", "122", "131", "11", "12", "13"]:
        parent = PARENTS[child]
        numerator, denominator = counts.get(parent, (0, 0))
        counts[parent] = (numerator + counts[child][0], denominator + counts[child][1])
    table = pd.DataFrame(
        [(indicator, code, period, n, d) for code, (n, d) in counts.items()],
        columns=["indicator", "district", "period", "numerator", "denominator"],
    )
    share = table["numerator"] / table["denominator"]
    for offset, name in enumerate(VALUES):
        table[name] = share + offset
    return table


def status(result):
    """Mapping district -> suppression reason ("" when shown)."""
    return dict(zip(result["district"], result["suppression_reason"], strict=True))


BASE = {"111": (30, 900), "112": (20, 800), "113": (37, 1000), "121": (15, 700), "122": (25, 900),
        "131": (40, 1200)}  # fmt: skip


def test_primary_suppression_rule():
    numerator = [0, 1, 4, 5, np.nan, 10, 10, 10]
    denominator = [100, 100, 100, 100, 100, 19, 20, np.nan]
    flags = primary_suppression(numerator, denominator, SuppressionRule())
    assert flags.tolist() == [False, True, True, False, False, True, False, False]
    assert primary_suppression([0, 3, 5], rule=SuppressionRule()).tolist() == [False, True, False]


def test_primary_suppression_follows_rule_thresholds():
    rule = SuppressionRule(min_count=3, min_denominator=50)
    assert primary_suppression([2, 3, 3], [100, 100, 49], rule).tolist() == [True, False, True]


def test_nothing_hidden_without_small_numbers():
    result = suppress(make_table(BASE), PARENTS)
    assert not result["suppressed"].any()
    assert set(result["suppression_reason"]) == {""}
    pd.testing.assert_frame_equal(result.drop(columns=["suppressed", "suppression_reason"]), make_table(BASE))


def test_zeros_are_shown():
    result = suppress(make_table({**BASE, "113": (0, 1000)}), PARENTS)
    row = result.set_index("district").loc["113"]
    assert not row["suppressed"] and row["numerator"] == 0 and row["value"] == 0


def test_differencing_hides_the_smallest_positive_sibling():
    table = make_table({**BASE, "111": (3, 900), "113": (0, 1000)})
    result = suppress(table, PARENTS)
    reasons = status(result)
    assert reasons["111"] == "kleine Fallzahl"
    assert reasons["112"] == "Differenzbildung"  # 20 cases, the zero in 113 is skipped
    assert reasons["113"] == "" and reasons["11"] == "" and reasons["4012"] == ""
    assert result["suppressed"].sum() == 2


def test_differencing_tie_goes_to_the_smallest_code():
    result = suppress(make_table({**BASE, "111": (30, 900), "112": (2, 800), "113": (30, 1000)}), PARENTS)
    reasons = status(result)
    assert reasons["112"] == "kleine Fallzahl" and reasons["111"] == "Differenzbildung"
    assert reasons["113"] == ""


def test_small_denominator_is_a_reason_of_its_own():
    result = suppress(make_table({**BASE, "122": (8, 19)}), PARENTS)
    reasons = status(result)
    assert reasons["122"] == "kleine Bezugsgröße" and reasons["121"] == "Differenzbildung"


def test_two_level_cascade():
    # Stadtteil 13 (= Ortsteil 131) has 3 cases; inside the city, Stadtteil 12 (40 cases, fewer than 11's 87)
    # must be hidden too, which in turn exposes Stadtteil 12 as the sum of 121 and 122: 121 is hidden as well.
    result = suppress(make_table({**BASE, "131": (3, 1200)}), PARENTS)
    reasons = status(result)
    assert reasons["131"] == "kleine Fallzahl" and reasons["13"] == "kleine Fallzahl"
    assert reasons["12"] == "Differenzbildung"
    assert reasons["121"] == "Differenzbildung" and reasons["122"] == ""
    assert all(reasons[code] == "" for code in ("4012", "11", "111", "112", "113"))


def test_suppressed_parent_needs_no_complementary_child():
    # Stadtteil 11 and Ortsteil 111 both have 4 cases (112, 113 none): two hidden cells, no differencing.
    table = make_table({**BASE, "111": (4, 900), "112": (0, 800), "113": (0, 1000)})
    reasons = status(suppress(table, PARENTS))
    assert reasons["11"] == "kleine Fallzahl" and reasons["111"] == "kleine Fallzahl"
    assert reasons["112"] == "" and reasons["113"] == ""


def test_single_inhabited_child_shares_a_complementary_suppression_of_its_parent():
    # 12 is hidden by the primary rule, so 13 (40 cases, fewer than 11's 87) is hidden in the city; Ortsteil
    # 131 equals Stadtteil 13 and must be hidden too.
    reasons = status(suppress(make_table({**BASE, "121": (1, 700), "122": (2, 900)}), PARENTS))
    assert reasons["12"] == "kleine Fallzahl"
    assert reasons["13"] == "Differenzbildung" and reasons["131"] == "Differenzbildung"


def test_parent_equal_to_a_hidden_child_is_hidden_too():
    # 122 has 8 cases on 19 people and 121 none, so Stadtteil 12 would show the 8 cases of 122.
    reasons = status(suppress(make_table({**BASE, "121": (0, 700), "122": (8, 19)}), PARENTS))
    assert reasons["122"] == "kleine Bezugsgröße"
    assert reasons["12"] == "Differenzbildung" and reasons["121"] == ""
    assert reasons["13"] == "Differenzbildung"  # then 12 is the only hidden Stadtteil in the city
    assert reasons["131"] == "Differenzbildung"


def test_numerator_and_values_blanked_denominator_kept():
    table = make_table({**BASE, "111": (3, 900)}).assign(note="x")
    result = suppress(table, PARENTS).set_index("district")
    for code in ("111", "112"):
        row = result.loc[code]
        assert row[["numerator", *VALUES]].isna().all()
        assert row["denominator"] == table.set_index("district").at[code, "denominator"]
        assert row["note"] == "x"
    assert result.loc["113", ["numerator", *VALUES]].notna().all()
    assert table["numerator"].notna().all()  # the input is left unchanged


def test_only_the_named_value_columns_are_blanked():
    table = make_table({**BASE, "111": (3, 900)})
    result = suppress(table, PARENTS, value_columns=("value",)).set_index("district")
    assert np.isnan(result.at["111", "value"]) and not np.isnan(result.at["111", "lower"])


def test_indicators_and_periods_are_independent():
    table = pd.concat(
        [make_table({**BASE, "111": (3, 900)}, "i1", "2023"), make_table(BASE, "i1", "2024"),
         make_table(BASE, "i2", "2023")],
        ignore_index=True,
    )  # fmt: skip
    result = suppress(table, PARENTS)
    hidden = result.loc[result["suppressed"], ["indicator", "period", "district"]]
    assert hidden.values.tolist() == [["i1", "2023", "111"], ["i1", "2023", "112"]]


@pytest.mark.parametrize(
    ("table", "parents", "message"),
    [
        (make_table(BASE).drop(columns="upper_998"), PARENTS, "lacks the column"),
        (pd.concat([make_table(BASE)] * 2), PARENTS, "one row per indicator, district and period"),
        (make_table(BASE), {**PARENTS, "4012": "111"}, "cycle"),
    ],
)
def test_suppress_rejects_invalid_input(table, parents, message):
    with pytest.raises(ValueError, match=message):
        suppress(table, parents)


def test_footnote_is_derived_from_the_rule():
    assert SUPPRESSED_MARKER == "•"
    assert SuppressionRule().describe_de() == (
        "Werte mit 1 bis 4 Fällen oder einer Bezugsgröße unter 20 werden nicht ausgewiesen (•), "
        "ebenso Werte, aus denen sie durch Differenzbildung errechnet werden könnten. "
        "Nullwerte werden gezeigt."
    )
    assert (
        SuppressionRule(min_count=2, min_denominator=1000)
        .describe_de()
        .startswith("Werte mit 1 Fall oder einer Bezugsgröße unter 1.000 werden")
    )
    assert (
        SuppressionRule(min_count=11, min_denominator=0)
        .describe_de()
        .startswith("Werte mit 1 bis 10 Fällen werden nicht ausgewiesen")
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"min_count": -1}, "min_count must be"), ({"min_denominator": 2.5}, "min_denominator must be"),
     ({"min_count": 1, "min_denominator": 0}, "rule hides nothing")],
)  # fmt: skip
def test_rule_rejects_invalid_thresholds(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SuppressionRule(**kwargs)


cell = st.tuples(st.integers(0, 12), st.integers(5, 60))


@settings(max_examples=100, deadline=None)
@given(st.fixed_dictionaries({code: cell for code in ORTSTEILE}))
def test_no_hidden_count_can_be_recovered_by_differencing(ortsteile):
    table = make_table(ortsteile)
    result = suppress(table, PARENTS)
    hidden = dict(zip(result["district"], result["suppressed"], strict=True))
    truth = dict(zip(table["district"], table["numerator"], strict=True))
    primary = primary_suppression(table["numerator"], table["denominator"])
    assert result["suppressed"].to_numpy()[primary].all()
    for parent in ("4012", "11", "12", "13"):
        cells = [parent, *(child for child, p in PARENTS.items() if p == parent)]
        hidden_cells = [code for code in cells if hidden[code]]
        # A single hidden cell in parent = sum(children) is recoverable; allowed only for a true zero.
        assert len(hidden_cells) != 1 or truth[hidden_cells[0]] == 0


def test_large_table_is_fast():
    # 40 areas (city, 6 Stadtteile, 33 Ortsteile) x 40 indicators x 30 periods.
    rng = np.random.default_rng(1)
    stadtteile = [f"1{s}" for s in range(6)]
    ortsteile = [f"{s}{o}" for s in stadtteile for o in range(1, 6)] + [f"{s}6" for s in stadtteile[:3]]
    parents = {s: "4012" for s in stadtteile} | {o: o[:2] for o in ortsteile}
    groups = 40 * 30  # one (indicator, period) per row of the count matrices
    numerator = rng.poisson(rng.uniform(0, 15, (groups, 1)), (groups, len(ortsteile)))
    denominator = rng.integers(10, 400, (groups, len(ortsteile)))
    membership = np.array([[parents[o] == s for s in stadtteile] for o in ortsteile], dtype=float)
    counts = [(numerator, denominator), (numerator @ membership, denominator @ membership)]
    counts.append((numerator.sum(axis=1, keepdims=True), denominator.sum(axis=1, keepdims=True)))
    codes = np.concatenate([ortsteile, stadtteile, ["4012"]])
    table = pd.DataFrame(
        {
            "indicator": np.repeat([f"i{i}" for i in range(40)], 30 * len(codes)),
            "district": np.tile(codes, groups),
            "period": np.tile(np.repeat([str(2000 + p) for p in range(30)], len(codes)), 40),
            "numerator": np.hstack([n for n, _ in counts]).ravel(),
            "denominator": np.hstack([d for _, d in counts]).ravel(),
        }
    )
    for name in VALUES:
        table[name] = table["numerator"] / table["denominator"]
    assert len(table) == 48_000
    start = time.perf_counter()
    result = suppress(table, parents)
    assert time.perf_counter() - start < 1.0
    assert result["suppressed"].any() and (result["suppression_reason"] == "Differenzbildung").any()
