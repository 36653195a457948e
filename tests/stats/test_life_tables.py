"""Life expectancy (`stats.life_tables`) against PHEindicatormethods' published test values and an independent
band-by-band life table.

Reference values live in tests/fixtures/phe; each file names the repository, path and commit it was copied from
(le_phe_testthat.csv: the expected life expectancies of PHEindicatormethods' testLifeExpectancy.R).
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from quartiersprofile.stats import life_tables

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "phe"
RTOL = 1e-9


def read_fixture(name):
    return pd.read_csv(FIXTURES / name, comment="#")


def z_value(confidence):
    return sps.norm.ppf(1 - (1 - confidence) / 2)



PHE_LE = read_fixture("le_phe_testthat.csv")
DEATHS, POPS = PHE_LE.deaths.to_numpy(float), PHE_LE.pops.to_numpy(float)


# --- life expectancy: independent implementation ------------------------------------------------------------


def textbook_life_table(deaths, population, starts, confidence=0.95):
    """Chiang II abridged life table written out band by band (PHE Life Expectancy Calculator; Eayres & Williams
    2004), with Silcocks et al.'s variance term for the open band. Returns (e, lower, upper) per band start."""
    bands = len(starts)
    survivors, q, width, fraction = [100_000.0], [], [], []
    for i in range(bands - 1):
        n = starts[i + 1] - starts[i]
        a = 0.1 if starts[i] == 0 else 0.5
        m = deaths[i] / population[i]
        q.append(min(1.0, n * m / (1 + n * m * (1 - a))))
        width.append(n)
        fraction.append(a)
        survivors.append(survivors[-1] * (1 - q[-1]))
    m_open = deaths[-1] / population[-1]
    person_years = [
        width[i] * (survivors[i + 1] + fraction[i] * (survivors[i] - survivors[i + 1])) for i in range(bands - 1)
    ]
    person_years.append(survivors[-1] / m_open)
    expectancy = [sum(person_years[i:]) / survivors[i] for i in range(bands)]
    terms = []
    for i in range(bands - 1):
        var_p = q[i] ** 2 * (1 - q[i]) / deaths[i] if deaths[i] > 0 else 0.0
        terms.append(survivors[i] ** 2 * ((1 - fraction[i]) * width[i] + expectancy[i + 1]) ** 2 * var_p)
    terms.append(survivors[-1] ** 2 / (deaths[-1] * m_open**2))
    z = z_value(confidence)
    table = []
    for i in range(bands):
        se = math.sqrt(sum(terms[i:])) / survivors[i]
        table.append((expectancy[i], expectancy[i] - z * se, expectancy[i] + z * se))
    return table


def five_year_bands(deaths, population):
    """Merge PHE's bands 0 and 1-4 into one 0-4 band."""
    return np.r_[deaths[:2].sum(), deaths[2:]], np.r_[population[:2].sum(), population[2:]]


# --- life expectancy: reference values ----------------------------------------------------------------------


@pytest.mark.parametrize("row", range(len(PHE_LE)))
def test_life_expectancy_matches_phe_test_values(row):
    ref = PHE_LE.iloc[row]
    est = life_tables.life_expectancy(DEATHS, POPS, life_tables.PHE_AGE_BANDS, at_age=int(ref.startage))
    assert est.reason == ""
    assert est.value == pytest.approx(ref.value, rel=1e-8)
    se = (est.upper - est.lower) / (2 * z_value(0.95))
    # PHE's expected limits were made with z = 1.96 exactly (its R code uses qnorm(0.975); its tests round to
    # 4 decimals): with our standard error and 1.96 they are reproduced to the last printed digit.
    assert ref.lowercl == pytest.approx(est.value - 1.96 * se, abs=2e-8)
    assert ref.uppercl == pytest.approx(est.value + 1.96 * se, abs=2e-8)
    assert se == pytest.approx((ref.uppercl - ref.lowercl) / (2 * 1.96), rel=1e-6)
    assert est.lower == pytest.approx(ref.lowercl, rel=1e-6)
    assert est.upper == pytest.approx(ref.uppercl, rel=1e-6)
    assert est.method == "Chiang, using Silcocks et al for confidence limits"
    assert est.confidence == 0.95


@pytest.mark.parametrize("confidence", [0.95, 0.998, 0.9])
@pytest.mark.parametrize("layout", ["phe", "five_year"])
def test_life_expectancy_matches_textbook_table_for_both_layouts(layout, confidence):
    deaths, population, starts = DEATHS, POPS, life_tables.PHE_AGE_BANDS
    if layout == "five_year":
        (deaths, population), starts = five_year_bands(DEATHS, POPS), life_tables.FIVE_YEAR_AGE_BANDS
    table = textbook_life_table(deaths, population, starts, confidence)
    for start, (value, lower, upper) in zip(starts, table, strict=True):
        est = life_tables.life_expectancy(deaths, population, starts, confidence=confidence, at_age=start)
        assert (est.value, est.lower, est.upper) == pytest.approx((value, lower, upper), rel=RTOL)


def test_five_year_layout_keeps_a_of_0_1_for_the_first_band():
    deaths, population = five_year_bands(DEATHS, POPS)
    est = life_tables.life_expectancy(deaths, population, life_tables.FIVE_YEAR_AGE_BANDS)
    l5 = 1e5 * (1 - 5 * 26 / 42119 / (1 + 5 * 26 / 42119 * 0.9))
    at_5 = life_tables.life_expectancy(deaths, population, life_tables.FIVE_YEAR_AGE_BANDS, at_age=5).value
    assert est.value == pytest.approx((5 * (l5 + 0.1 * (1e5 - l5)) + l5 * at_5) / 1e5, rel=RTOL)
    # above 5 the two layouts give the same table
    assert at_5 == pytest.approx(life_tables.life_expectancy(DEATHS, POPS, life_tables.PHE_AGE_BANDS, at_age=5).value)


@settings(max_examples=60, deadline=None)
@given(
    layout=st.sampled_from([life_tables.PHE_AGE_BANDS, life_tables.FIVE_YEAR_AGE_BANDS]),
    populations=st.lists(st.integers(500, 60_000), min_size=20, max_size=20),
    factors=st.lists(st.floats(0.3, 1.6), min_size=20, max_size=20),
    band=st.integers(0, 19),
)
def test_life_expectancy_agrees_with_textbook_table_on_random_data(layout, populations, factors, band):
    starts = np.array(layout, float)
    population = np.array(populations[: starts.size], float)
    rates = np.minimum(np.exp(-9.5 + 0.085 * starts) * np.array(factors[: starts.size]), 0.3)
    deaths = np.round(population * rates)
    deaths[-1] = max(deaths[-1], 1)
    age_index = band % len(layout)
    at_age = layout[age_index]
    est = life_tables.life_expectancy(deaths, population, layout, at_age=at_age)
    value, lower, upper = textbook_life_table(deaths, population, starts)[age_index]
    assert (est.lower, est.upper) == pytest.approx((lower, upper), rel=RTOL)
    if est.reason == "":
        assert est.value == pytest.approx(value, rel=RTOL)
    else:  # the totals are at least 9,500, so only the 20-year rule can hide a value
        assert est.reason == life_tables.LE_REASON_WIDE_INTERVAL and math.isnan(est.value)


def test_life_expectancy_vectorises_over_leading_axes():
    rng = np.random.default_rng(7)
    deaths = np.round(DEATHS * rng.uniform(0.7, 1.3, size=(2, 3, 20)))
    population = np.broadcast_to(POPS, (2, 3, 20))
    est = life_tables.life_expectancy(deaths, population, life_tables.PHE_AGE_BANDS, at_age=65)
    assert est.value.shape == est.lower.shape == est.reason.shape == (2, 3)
    for index in np.ndindex(2, 3):
        single = life_tables.life_expectancy(deaths[index], POPS, life_tables.PHE_AGE_BANDS, at_age=65)
        assert (est.value[index], est.lower[index], est.upper[index]) == (single.value, single.lower, single.upper)
        assert est.reason[index] == single.reason == ""


def test_life_expectancy_scalar_input_gives_python_types():
    est = life_tables.life_expectancy(DEATHS.tolist(), POPS.tolist(), list(life_tables.PHE_AGE_BANDS), at_age=65.0)
    assert type(est.value) is float and type(est.lower) is float and type(est.reason) is str
    assert isinstance(est, life_tables.Estimate)


# --- life expectancy: not calculated -----------------------------------------------------------------------

# PHE's own problem data sets from testLifeExpectancy.R (df_low_pops, df_zero_pop, df_deaths_greater_pops)
LOW_POPS = [128, 152, 120, 176, 194, 180, 145, 149, 107, 185, 165, 109, 100, 122, 133, 189, 123, 121, 147, 138]
LOW_POP_DEATHS = [58, 93, 78, 94, 59, 71, 80, 73, 69, 72, 91, 69, 78, 71, 54, 91, 82, 53, 50, 84]


def with_value(values, index, value):
    changed = np.array(values, float)
    changed[index] = value
    return changed


NOT_CALCULATED = {
    "low population": (LOW_POP_DEATHS, LOW_POPS, life_tables.LE_REASON_SMALL_POPULATION),
    "zero population": (DEATHS, with_value(POPS, 5, 0), life_tables.LE_REASON_NO_POPULATION),
    "deaths above population": (DEATHS, with_value(POPS, 18, 119), life_tables.LE_REASON_DEATHS_EXCEED_POPULATION),
    "no deaths in 90+": (with_value(DEATHS, 19, 0), POPS, life_tables.LE_REASON_NO_FINAL_DEATHS),
    "missing deaths": (with_value(DEATHS, 3, np.nan), POPS, life_tables.LE_REASON_MISSING),
    "missing population": (DEATHS, with_value(POPS, 0, np.nan), life_tables.LE_REASON_MISSING),
}


@pytest.mark.parametrize("case", NOT_CALCULATED)
@pytest.mark.parametrize("at_age", [0, 65, 90])
def test_life_expectancy_not_calculated(case, at_age):
    deaths, population, reason = NOT_CALCULATED[case]
    est = life_tables.life_expectancy(deaths, population, life_tables.PHE_AGE_BANDS, at_age=at_age)
    assert est.reason == reason
    assert math.isnan(est.value) and math.isnan(est.lower) and math.isnan(est.upper)


def test_total_population_of_exactly_5000_is_not_calculated_but_5001_is():
    deaths = np.r_[np.zeros(19), 10.0]
    population = np.full(20, 250.0)
    assert life_tables.life_expectancy(deaths, population, life_tables.PHE_AGE_BANDS).reason == (
        life_tables.LE_REASON_SMALL_POPULATION
    )
    population[0] += 1
    assert life_tables.life_expectancy(deaths, population, life_tables.PHE_AGE_BANDS).reason != (
        life_tables.LE_REASON_SMALL_POPULATION
    )


def test_value_with_interval_wider_than_20_years_is_hidden_but_limits_kept():
    deaths = np.r_[np.zeros(19), 2.0]
    population = np.full(20, 300.0)
    est = life_tables.life_expectancy(deaths, population, life_tables.PHE_AGE_BANDS, at_age=90)
    table = textbook_life_table(deaths, population, life_tables.PHE_AGE_BANDS)
    assert est.reason == life_tables.LE_REASON_WIDE_INTERVAL
    assert math.isnan(est.value)
    assert (est.lower, est.upper) == pytest.approx(table[-1][1:], rel=RTOL)
    assert est.upper - est.lower > 20


def test_twenty_year_rule_always_uses_95_percent():
    """1.96 SE > 10 decides, whatever the confidence level asked for (as PHE's ciover20 flag)."""
    deaths = np.round(DEATHS / 150)
    deaths[-1] = 8
    population = np.round(POPS / 150)
    est95 = life_tables.life_expectancy(deaths, population, life_tables.PHE_AGE_BANDS, at_age=90)
    se = (est95.upper - est95.lower) / (2 * z_value(0.95))
    assert 10 / 1.96 - 2 < se < 10 / 1.96  # narrow enough at 95 %, but a 99.8 % interval is wider than 20 years
    est998 = life_tables.life_expectancy(deaths, population, life_tables.PHE_AGE_BANDS, confidence=0.998, at_age=90)
    assert est998.upper - est998.lower > 20
    assert est998.reason == "" and est998.value == est95.value


def test_life_expectancy_reasons_per_area():
    areas = [(DEATHS, POPS, "")] + list(NOT_CALCULATED.values())
    deaths = np.array([np.asarray(area[0], float) for area in areas])
    population = np.array([np.asarray(area[1], float) for area in areas])
    est = life_tables.life_expectancy(deaths, population, life_tables.PHE_AGE_BANDS)
    assert est.reason.tolist() == [area[2] for area in areas]
    assert est.value[0] == pytest.approx(PHE_LE.value[0], rel=1e-8)
    assert np.isnan(est.value[1:]).all() and np.isnan(est.lower[1:]).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"deaths": with_value(DEATHS, 2, -5)}, "deaths must not be negative"),
        ({"population": with_value(POPS, 2, -10)}, "population must not be negative"),
        ({"deaths": DEATHS[:19], "population": POPS[:19]}, "one value per age band"),
        ({"deaths": 5.0, "population": 100.0}, "one value per age band"),
        ({"age_band_start": [1, *life_tables.PHE_AGE_BANDS[1:]]}, "must start at age 0"),
        ({"age_band_start": [0, 5, 1, *life_tables.PHE_AGE_BANDS[3:]]}, "strictly increasing"),
        ({"age_band_start": [0]}, "at least two age bands"),
        ({"age_band_start": [0, 1, np.inf, *life_tables.PHE_AGE_BANDS[3:]]}, "finite"),
        ({"at_age": 64}, "at_age must be the start age"),
        ({"at_age": "65"}, "at_age must be the start age"),
        ({"at_age": True}, "at_age must be the start age"),
        ({"confidence": 95}, "confidence must be one number between 0 and 1"),
        ({"confidence": [0.95, 0.998]}, "confidence must be one number between 0 and 1"),
    ],
)
def test_life_expectancy_argument_checks(kwargs, message):
    arguments = {"deaths": DEATHS, "population": POPS, "age_band_start": life_tables.PHE_AGE_BANDS} | kwargs
    with pytest.raises(ValueError, match=message):
        life_tables.life_expectancy(**arguments)
