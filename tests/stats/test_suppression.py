"""The small-number rule (quartiersprofile.stats.suppression): primary reasons and the whole suppression of a table
(primary plus secondary). The attacker's model itself is tested in tests/stats/disclosure/, against exhaustive
enumeration; here its verdict on the suppressed tables is the independent check."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quartiersprofile.stats.disclosure import Structure, audit, visible_complements
from quartiersprofile.stats.suppression import (
    REASON_SECONDARY,
    REASON_SMALL_COMPLEMENT,
    REASON_SMALL_COUNT,
    REASON_SMALL_DENOMINATOR,
    SUPPRESSED_MARKER,
    SuppressionRule,
    primary_reasons,
    suppress,
)

# city 4012 = Stadtteile 11 + 12; 11 = Ortsteile 111 + 112; 12 = Ortsteile 121 + 122 + 123
MEMBERS = {
    "4012": ("111", "112", "121", "122", "123"),
    "11": ("111", "112"),
    "12": ("121", "122", "123"),
    **{code: (code,) for code in ("111", "112", "121", "122", "123")},
}


def table(numerators: dict, denominators: dict, indicator="P", statistic="proportion", period="2024") -> pd.DataFrame:
    """Cells of every area from base-unit counts (each area the sum of its Ortsteile)."""
    rows = []
    for area, units in MEMBERS.items():
        rows.append({
            "indicator": indicator, "area": area, "period": period, "window": (period,), "statistic": statistic,
            "numerator": float(sum(numerators[u] for u in units)),
            "denominator": float(sum(denominators[u] for u in units)),
        })  # fmt: skip
    return pd.DataFrame(rows)


def published(cells: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    shown = cells.assign(numerator_shown=flags["numerator_shown"], denominator_shown=flags["denominator_shown"])
    shown.loc[~shown["numerator_shown"], "numerator"] = np.nan
    shown.loc[~shown["denominator_shown"], "denominator"] = np.nan
    return shown


def test_primary_reasons():
    reasons = primary_reasons(
        numerator=[0, 1, 4, 5, 30, 46, 48, 12, 3, 7],
        denominator=[100, 100, 100, 100, 19, 50, 48, 5, 100, 2.5],
        statistic=["proportion"] * 7 + ["rate", "mean", "ratio"],
    )
    assert reasons.tolist() == [
        "", REASON_SMALL_COUNT, REASON_SMALL_COUNT, "",  # zeros are shown, 5 is not small
        REASON_SMALL_DENOMINATOR, REASON_SMALL_COMPLEMENT, "",  # 46 of 50: 4 without; 48 of 48 is shown
        REASON_SMALL_DENOMINATOR,  # a rate over 5 people
        "",  # a mean's numerator (a sum of values) is no count; its n = 100 is large
        "",  # a ratio's denominator (km²) is no population
    ]  # fmt: skip


def test_primary_reasons_follow_the_thresholds():
    rule = SuppressionRule(min_count=10, min_denominator=50)
    reasons = primary_reasons([9, 10, 10, 185], [200, 200, 49, 191], ["proportion"] * 4, rule)
    assert reasons.tolist() == [REASON_SMALL_COUNT, "", REASON_SMALL_DENOMINATOR, REASON_SMALL_COMPLEMENT]


def test_a_lonely_hidden_cell_gets_a_partner():
    cells = table({"111": 2, "112": 30, "121": 40, "122": 50, "123": 60},
                  {"111": 100, "112": 100, "121": 200, "122": 200, "123": 200})  # fmt: skip
    flags = suppress(cells, MEMBERS)
    hidden = dict(zip(cells["area"], ~flags["numerator_shown"], strict=True))
    reasons = dict(zip(cells["area"], flags["reason"], strict=True))
    assert reasons["111"] == REASON_SMALL_COUNT
    assert hidden["112"] and reasons["112"] == REASON_SECONDARY  # else 11 - 112 = 111
    assert not any(hidden[code] for code in ("4012", "11", "12", "121", "122", "123"))
    assert flags["denominator_shown"].all()  # denominators stay shown


def test_a_hidden_count_read_off_a_linked_denominator_hides_that_cell_whole():
    # V's denominator is D's numerator in every Ortsteil (vaccination record presented -> vaccinated)
    documents = {"111": 3, "112": 40, "121": 45, "122": 50, "123": 55}
    examined = {"111": 40, "112": 45, "121": 50, "122": 55, "123": 60}
    vaccinated = {"111": 3, "112": 38, "121": 40, "122": 41, "123": 50}
    cells = pd.concat([
        table(documents, examined, "D"), table(vaccinated, documents, "V"),
    ], ignore_index=True)  # fmt: skip
    links = [(("V", "denominator"), ("D", "numerator"))]
    flags = suppress(cells, MEMBERS, links)
    v_111 = flags[((cells["indicator"] == "V") & (cells["area"] == "111")).to_numpy()].iloc[0]
    assert not v_111["numerator_shown"] and not v_111["denominator_shown"]
    structure = Structure(MEMBERS, links)
    result = audit(published(cells, flags), structure, exact=True)
    assert not result["disclosed"].any() and not visible_complements(published(cells, flags), structure)


def test_zeros_are_never_hidden_as_partners():
    cells = table({"111": 1, "112": 0, "121": 0, "122": 30, "123": 30},
                  {"111": 100, "112": 100, "121": 100, "122": 100, "123": 100})  # fmt: skip
    flags = suppress(cells, MEMBERS)
    zero = (cells["numerator"] == 0).to_numpy()
    assert flags["numerator_shown"].to_numpy()[zero].all()
    result = audit(published(cells, flags), Structure(MEMBERS), exact=True)
    assert not result["disclosed"].any()


def test_suppression_is_deterministic():
    cells = table({"111": 2, "112": 3, "121": 40, "122": 4, "123": 60},
                  {"111": 100, "112": 100, "121": 200, "122": 200, "123": 200})  # fmt: skip
    first = suppress(cells, MEMBERS)
    shuffled = cells.sample(frac=1, random_state=3)
    again = suppress(shuffled, MEMBERS).loc[cells.index]
    pd.testing.assert_frame_equal(first, again)


count = st.integers(0, 12)
size = st.integers(5, 60)


@settings(max_examples=40, deadline=None)
@given(st.fixed_dictionaries({code: st.tuples(count, size) for code in ("111", "112", "121", "122", "123")}))
def test_no_hidden_count_can_be_narrowed_to_fewer_than_five_values(ortsteile):
    numerators = {code: min(n, d) for code, (n, d) in ortsteile.items()}
    denominators = {code: d for code, (_, d) in ortsteile.items()}
    cells = table(numerators, denominators)
    flags = suppress(cells, MEMBERS)
    primary = primary_reasons(cells["numerator"], cells["denominator"], cells["statistic"]) != ""
    assert not flags["numerator_shown"].to_numpy()[primary].any()
    structure = Structure(MEMBERS)
    result = audit(published(cells, flags), structure, exact=True)
    assert not result["disclosed"].any()
    assert not visible_complements(published(cells, flags), structure)


def test_footnote_states_the_rule_and_the_protection_criterion():
    assert SUPPRESSED_MARKER == "•"
    text = SuppressionRule().describe_de()
    assert text.startswith("Werte mit 1 bis 4 Fällen oder einer Bezugsgröße unter 20 werden nicht ausgewiesen (•)")
    assert "bei denen nur 1 bis 4 Personen nicht zur gezählten Gruppe gehören" in text
    assert "Nullwerte werden gezeigt" in text
    assert text.endswith("noch mindestens 5 mögliche Werte offenlässt.")
    other = SuppressionRule(min_count=2, min_denominator=1000).describe_de()
    assert other.startswith("Werte mit 1 Fall oder einer Bezugsgröße unter 1.000 werden")
    assert "nur 1 Person nicht" in other and "mindestens 2 mögliche Werte" in other


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"min_count": -1}, "min_count must be"), ({"min_denominator": 2.5}, "min_denominator must be"),
     ({"min_count": 1}, "min_count must be at least 2"), ({"min_denominator": 0}, "at least 1")],
)  # fmt: skip
def test_rule_rejects_invalid_thresholds(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SuppressionRule(**kwargs)
