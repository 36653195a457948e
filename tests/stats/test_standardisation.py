"""The standardised mortality ratio (`stats.standardisation`) against PHE's worked indirect standardisation and
independent textbook limits (scipy.stats chi-square quantiles, Byar's formula by hand), because PHE's ISR test
results are only published inside an Excel file. Fixtures in tests/fixtures/phe name their source and commit.
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from quartiersprofile.stats import standardisation

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "phe"
RTOL = 1e-9


def read_fixture(name):
    return pd.read_csv(FIXTURES / name, comment="#")


def z_value(confidence):
    return sps.norm.ppf(1 - (1 - confidence) / 2)



# --- SMR -------------------------------------------------------------------------------------------------


ISR = read_fixture("isr_sheet.csv")


def exact_poisson(x, confidence):
    """Exact Poisson limits as R's qchisq in calculate_ISRatio (Armitage & Berry 2002)."""
    alpha = 1 - confidence
    lower = sps.chi2.ppf(alpha / 2, 2 * x) / 2 if x > 0 else 0.0
    return lower, sps.chi2.ppf(1 - alpha / 2, 2 * x + 2) / 2


def byar(x, confidence):
    """Byar's approximation (Breslow & Day 1987), as PHE's byars_lower / byars_upper."""
    z = z_value(confidence)
    lower = x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
    upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3
    return lower, upper


def test_expected_events_match_phe_worksheet():
    columns = [ISR[name].to_numpy()[:, None] for name in ("pop", "refcount", "refpop")]
    per_band = standardisation.expected_events(*columns)
    assert per_band == pytest.approx(ISR.Ei.to_numpy(), rel=1e-8)
    total = standardisation.expected_events(ISR["pop"], ISR.refcount, ISR.refpop)
    assert total == pytest.approx(ISR.Ei.sum(), rel=1e-8)


@pytest.mark.parametrize("confidence", [0.95, 0.998])
@pytest.mark.parametrize("multiplier", [100, 1])
def test_smr_for_phe_worksheet_area(confidence, multiplier):
    observed, expected = ISR.obs.sum(), ISR.Ei.sum()
    est = standardisation.smr(
        ISR.obs, ISR["pop"], ISR.refcount, ISR.refpop, confidence=confidence, multiplier=multiplier
    )
    lower, upper = byar(observed, confidence)
    assert est.value == pytest.approx(observed / expected * multiplier, rel=1e-8)
    assert (est.lower, est.upper) == pytest.approx((lower / expected * multiplier, upper / expected * multiplier), 1e-8)
    assert est.method == "exact Poisson (< 10 events), Byar" and est.confidence == confidence


def test_smr_takes_observed_per_band_or_as_total():
    per_band = standardisation.smr(ISR.obs, ISR["pop"], ISR.refcount, ISR.refpop)
    total = standardisation.smr(ISR.obs.sum(), ISR["pop"], ISR.refcount, ISR.refpop)
    assert per_band == total


@pytest.mark.parametrize("observed", [0, 1, 2, 5, 9, 10, 11, 50, 1000])
@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_smr_limits_exact_below_10_byar_from_10(observed, confidence):
    population = np.array([1000.0, 2000.0, 500.0])
    reference_events, reference_population = np.array([3.0, 10.0, 20.0]), np.array([1e4, 2e4, 4e3])
    expected = 1000 * 3 / 1e4 + 2000 * 10 / 2e4 + 500 * 20 / 4e3
    est = standardisation.smr(observed, population, reference_events, reference_population, confidence=confidence)
    lower, upper = exact_poisson(observed, confidence) if observed < 10 else byar(observed, confidence)
    assert est.value == pytest.approx(observed / expected * 100, rel=RTOL)
    assert est.lower == pytest.approx(lower / expected * 100, rel=RTOL, abs=0)
    assert est.upper == pytest.approx(upper / expected * 100, rel=RTOL)


def test_smr_exact_limits_match_phe_funnel_data():
    limits = read_fixture("funnel_ratio_limits.csv")
    one = ([1.0], [1.0], [1.0])  # expected = 1 event, so the ratio's limits are the count's limits
    for row in limits.itertuples():
        est95 = standardisation.smr(row.observed, *one, multiplier=1)
        est998 = standardisation.smr(row.observed, *one, confidence=0.998, multiplier=1)
        # PHE's bisection stops at 1e-7, hence the looser tolerance
        tolerance = {"rel": 1e-5, "abs": 2e-7 * (1 + row.observed)}
        assert (est95.lower, est95.upper) == pytest.approx((row.lower95, row.upper95), **tolerance)
        assert (est998.lower, est998.upper) == pytest.approx((row.lower998, row.upper998), **tolerance)


def test_smr_vectorises_with_shared_or_per_area_reference():
    rng = np.random.default_rng(3)
    population = rng.integers(100, 5000, size=(4, 19)).astype(float)
    observed = rng.integers(0, 40, size=(4, 19)).astype(float)
    est = standardisation.smr(observed, population, ISR.refcount, ISR.refpop)
    reference = np.tile(ISR.refcount, (4, 1)), np.tile(ISR.refpop, (4, 1))
    per_area_reference = standardisation.smr(observed, population, *reference)
    for area in range(4):
        single = standardisation.smr(observed[area], population[area], ISR.refcount, ISR.refpop)
        np.testing.assert_allclose(
            [est.value[area], est.lower[area], est.upper[area]], [single.value, single.lower, single.upper], rtol=1e-12
        )
    np.testing.assert_allclose(per_area_reference.value, est.value, rtol=1e-12)


def test_smr_is_nan_where_nothing_is_expected_or_data_are_missing():
    est = standardisation.smr([3, 2], [[0, 0, 0], [10, np.nan, 5]], [1, 2, 3], [100, 100, 100])
    assert np.isnan(est.value).all() and np.isnan(est.lower).all() and np.isnan(est.upper).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"observed": -1}, "observed deaths must not be negative"),
        ({"population": [10, -1, 5]}, "population must not be negative"),
        ({"reference_deaths": [1, -2, 3]}, "reference deaths"),
        ({"reference_population": [100, 0, 100]}, "reference population must be greater than 0"),
        ({"reference_population": [100, 100]}, "one value per age band"),
        ({"observed": [1, 2]}, "observed must have the shape of population"),
        ({"population": 100}, "population needs an age band axis"),
        ({"confidence": 1.0}, "confidence must be one number between 0 and 1"),
        ({"multiplier": 0}, "multiplier must be a single positive number"),
    ],
)
def test_smr_argument_checks(kwargs, message):
    arguments = {
        "observed": 12,
        "population": [10, 20, 5],
        "reference_deaths": [1, 2, 3],
        "reference_population": [100, 100, 100],
    } | kwargs
    with pytest.raises(ValueError, match=message):
        standardisation.smr(**arguments)
