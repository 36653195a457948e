"""The slope and relative index of inequality (`stats.inequality`) against the phe_sii vignette's inputs and
printed results of three package builds (tests/fixtures/phe/sii_*.csv name their source and commit).
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from quartiersprofile.stats import inequality

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "phe"
RTOL = 1e-9


def read_fixture(name):
    return pd.read_csv(FIXTURES / name, comment="#")


def z_value(confidence):
    return sps.norm.ppf(1 - (1 - confidence) / 2)



# --- SII: reference data ---------------------------------------------------------------------------------

SII_REFERENCE = read_fixture("sii_reference.csv").fillna({"transform": ""})


def sii_inputs(dataset):
    """Arrays (areas x quantiles) and group labels for one of the vignette's data sets."""
    if dataset == "LE":
        data = read_fixture("sii_le_data.csv").rename(columns={"Decile": "quantile", "Pop": "population"})
        data["group"] = data.GeoCode
        columns = {"values": "LifeExp", "se": "SE"}
    elif dataset == "DSR":
        data = read_fixture("sii_dsr_data.csv").rename(columns={"Quintile": "quantile", "total_pop": "population"})
        data["group"] = data.Period.astype(str)
        columns = {"values": "value", "lower": "lowercl", "upper": "uppercl"}
    else:
        data = read_fixture("sii_ncmp_data.csv").rename(columns={"Decile": "quantile", "Measured": "population"})
        data["group"] = data.Period.astype(str) + "/" + data.SchoolYear.astype(str)
        data[["Rate", "LCL", "UCL"]] /= 100
        columns = {"values": "Rate", "lower": "LCL", "upper": "UCL"}
    wide = data.pivot(index="group", columns="quantile")
    arrays = {name: wide[column].to_numpy() for name, column in columns.items()}
    arrays["population"] = wide["population"].to_numpy()
    arrays["quantile"] = wide["population"].columns.to_numpy()
    return wide.index.tolist(), arrays


SII_CASES = {  # dataset, transform, multiplier -> keyword arguments
    ("LE", "", 1): {},
    ("DSR", "", 1): {"value_type": "rate"},
    ("DSR", "log", 1): {"transform": "log"},
    ("NCMP", "", -100): {"value_type": "proportion", "multiplier": -100},
    ("NCMP", "logit", -100): {"transform": "logit", "multiplier": -100},
}


@pytest.fixture(scope="module")
def sii_results():
    """Our results for every reference configuration: {(dataset, transform, confidence): {group: result}}."""
    results = {}
    for (dataset, transform, _), kwargs in SII_CASES.items():
        groups, arrays = sii_inputs(dataset)
        for confidence in (0.95, 0.998) if dataset == "LE" else (0.95,):
            result = inequality.sii(**arrays, confidence=confidence, **kwargs)
            results[dataset, transform, confidence] = {
                group: {
                    "sii": (result.sii.value[i], result.sii.lower[i], result.sii.upper[i]),
                    "rii": (result.rii.value[i], result.rii.lower[i], result.rii.upper[i]),
                }
                for i, group in enumerate(groups)
            }
    return results


def simulation_tolerance(lower, upper, confidence, *draw_counts):
    """4.5 standard errors of the difference between simulated percentile limits from independent runs.

    The SE of the order statistic at tail p from n draws is sqrt(p (1 - p) / n) / density; the draws are
    taken as normal with SD (upper - lower) / (2 z), so density = phi(z) / SD.
    """
    tail = (1 - confidence) / 2
    z = z_value(confidence)
    sd = (upper - lower) / (2 * z)
    variances = [tail * (1 - tail) / n * (sd / sps.norm.pdf(z)) ** 2 for n in draw_counts]
    return 4.5 * math.sqrt(sum(variances))


@pytest.mark.parametrize(
    "row", list(SII_REFERENCE.itertuples()), ids=lambda r: f"{r.dataset}-{r.group}-{r.source}-{r.confidence}"
)
def test_sii_point_estimates_match_phe(row, sii_results):
    ours = sii_results[row.dataset, row.transform, row.confidence][str(row.group)]
    assert ours["sii"][0] == pytest.approx(row.sii, rel=1e-6)
    if not math.isnan(row.rii):
        assert ours["rii"][0] == pytest.approx(row.rii, rel=1e-6)


@pytest.mark.parametrize(
    "row", list(SII_REFERENCE.itertuples()), ids=lambda r: f"{r.dataset}-{r.group}-{r.source}-{r.confidence}"
)
def test_sii_limits_agree_with_phe_within_simulation_error(row, sii_results):
    ours = sii_results[row.dataset, row.transform, row.confidence][str(row.group)]
    statistics = [("sii", row.sii_lower, row.sii_upper)]
    if not math.isnan(row.rii):
        statistics.append(("rii", row.rii_lower, row.rii_upper))
    for name, lower, upper in statistics:
        tolerance = simulation_tolerance(lower, upper, row.confidence, row.phe_simulations, 100_000)
        assert ours[name][1] == pytest.approx(lower, abs=tolerance), name
        assert ours[name][2] == pytest.approx(upper, abs=tolerance), name


# --- SII: properties -------------------------------------------------------------------------------------

LE_GROUPS, LE_ARRAYS = sii_inputs("LE")
DSR_GROUPS, DSR_ARRAYS = sii_inputs("DSR")


def as_tuple(result):
    return tuple(
        np.asarray(getattr(getattr(result, name), field)).tolist()
        for name in ("sii", "rii")
        for field in ("value", "lower", "upper")
    )


def test_sii_is_reproducible_with_a_seed():
    first = inequality.sii(**LE_ARRAYS, simulations=5000, seed=42)
    again = inequality.sii(**LE_ARRAYS, simulations=5000, seed=42)
    other = inequality.sii(**LE_ARRAYS, simulations=5000, seed=43)
    assert as_tuple(first) == as_tuple(again)
    assert first.sii.lower.tolist() != other.sii.lower.tolist()
    assert as_tuple(inequality.sii(**LE_ARRAYS, simulations=5000)) == as_tuple(
        inequality.sii(**LE_ARRAYS, simulations=5000)
    )
    from_generator = inequality.sii(**LE_ARRAYS, simulations=5000, seed=np.random.default_rng(42))
    assert as_tuple(from_generator) == as_tuple(first)


def test_sii_area_results_do_not_depend_on_other_areas_or_block_size(monkeypatch):
    baseline = inequality.sii(**LE_ARRAYS, simulations=5000, seed=9)
    values = LE_ARRAYS["values"].copy()
    values[0, 3] = np.nan
    damaged = inequality.sii(**(LE_ARRAYS | {"values": values}), simulations=5000, seed=9)
    assert np.isnan([damaged.sii.value[0], damaged.sii.lower[0], damaged.rii.upper[0]]).all()
    np.testing.assert_array_equal(damaged.sii.lower[1:], baseline.sii.lower[1:])
    np.testing.assert_array_equal(damaged.rii.upper[1:], baseline.rii.upper[1:])
    monkeypatch.setattr(inequality, "_SII_CHUNK", 333)
    assert as_tuple(inequality.sii(**LE_ARRAYS, simulations=5000, seed=9)) == as_tuple(baseline)


def test_sii_quantile_order_of_the_input_does_not_matter():
    shuffle = np.array([3, 0, 9, 1, 5, 2, 8, 4, 7, 6])
    shuffled = {name: (array[..., shuffle] if array.ndim else array) for name, array in LE_ARRAYS.items()}
    in_order = inequality.sii(**LE_ARRAYS, simulations=2000)
    assert as_tuple(inequality.sii(**shuffled, simulations=2000)) == as_tuple(in_order)


def test_sii_se_and_equivalent_95_percent_limits_agree():
    values, se = LE_ARRAYS["values"], LE_ARRAYS["se"]
    base = {name: LE_ARRAYS[name] for name in ("values", "population", "quantile")}
    from_se = inequality.sii(**base, se=se, simulations=2000)
    from_limits = inequality.sii(
        **base, lower=values - 1.959963984540054 * se, upper=values + 1.959963984540054 * se, simulations=2000
    )
    np.testing.assert_allclose(np.array(as_tuple(from_limits)), np.array(as_tuple(from_se)), rtol=1e-9)


def test_sii_multiplier_scales_sii_and_negative_multiplier_inverts_rii():
    plain = inequality.sii(**DSR_ARRAYS, value_type="rate", simulations=4000)
    scaled = inequality.sii(**DSR_ARRAYS, value_type="rate", multiplier=100, simulations=4000)
    negated = inequality.sii(**DSR_ARRAYS, value_type="rate", multiplier=-1, simulations=4000)
    np.testing.assert_allclose(scaled.sii.value, 100 * plain.sii.value, rtol=RTOL)
    np.testing.assert_allclose(scaled.sii.lower, 100 * plain.sii.lower, rtol=RTOL)
    np.testing.assert_array_equal(scaled.rii.value, plain.rii.value)
    np.testing.assert_allclose(negated.sii.value, -plain.sii.value, rtol=RTOL)
    np.testing.assert_allclose(negated.rii.value, 1 / plain.rii.value, rtol=RTOL)
    width = plain.sii.upper - plain.sii.lower
    # same draws; the limits are neighbouring order statistics of the mirrored draws (positions as PHE)
    np.testing.assert_allclose(negated.sii.lower, -plain.sii.upper, atol=0.02 * width.max())
    np.testing.assert_allclose(negated.rii.upper, 1 / plain.rii.lower, rtol=1e-3)


@pytest.mark.parametrize("multiplier", [1, 100, -1])
def test_sii_log_transform_limits_pivot_about_the_midpoint_as_phe(multiplier):
    """With a transform, PHE back-transforms each simulated slope limit s about the fitted value at rank 0.5:
    SII limit = (exp(middle + s/2) - exp(middle - s/2)) x multiplier, RII limit = exp(s) (inverted if < 0)."""
    result = inequality.sii(**DSR_ARRAYS, transform="log", multiplier=multiplier, simulations=3000)
    sign = 1 if multiplier > 0 else -1
    at_zero = np.log(result.intercept / abs(multiplier))
    slope = sign * np.log(result.rii.value)
    assert result.sii.value == pytest.approx((np.exp(at_zero + slope) - np.exp(at_zero)) * multiplier, rel=1e-9)
    middle = at_zero + slope / 2
    slope_limits = sign * np.log(result.rii.lower), sign * np.log(result.rii.upper)
    for sii_limit, slope_limit in zip((result.sii.lower, result.sii.upper), slope_limits, strict=True):
        expected = (np.exp(middle + slope_limit / 2) - np.exp(middle - slope_limit / 2)) * multiplier
        np.testing.assert_allclose(sii_limit, expected, rtol=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(st.tuples(st.floats(1, 1000), st.floats(100, 1e6)), min_size=5, max_size=20),
)
def test_sii_point_estimate_equals_weighted_least_squares(data):
    values = np.array([value for value, _ in data])
    population = np.array([pop for _, pop in data])
    share = population / population.sum()
    rank = np.cumsum(share) - share / 2
    design = np.column_stack([np.sqrt(share), rank * np.sqrt(share)])
    intercept, slope = np.linalg.lstsq(design, values * np.sqrt(share), rcond=None)[0]
    quantiles = np.arange(1, values.size + 1)
    result = inequality.sii(values, population, quantiles, se=np.ones_like(values), simulations=1000)
    scale = max(1.0, np.abs(values).max())
    assert result.sii.value == pytest.approx(slope, abs=1e-9 * scale)
    assert result.intercept == pytest.approx(intercept, abs=1e-9 * scale)
    assert result.rii.value == pytest.approx((intercept + slope) / intercept, rel=1e-7)
    assert result.sii.lower <= result.sii.upper and type(result.sii.value) is float


def test_sii_limits_bracket_the_value_and_use_phe_order_statistics():
    result = inequality.sii(**LE_ARRAYS, simulations=1000, seed=5)
    assert np.all(result.sii.lower < result.sii.value) and np.all(result.sii.value < result.sii.upper)
    # PHE takes sorted draws number round(1000 * 0.025) = 25 and round(1000 * 0.975) = 975 (1-based)
    assert inequality._order_positions(1000, 0.95) == (24, 974)
    assert inequality._order_positions(100_000, 0.998) == (99, 99_899)


VALID_SII = {name: LE_ARRAYS[name][0] for name in ("values", "population", "se")} | {"quantile": LE_ARRAYS["quantile"]}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"transform": "sqrt"}, "transform must be None, 'log'"),
        ({"transform": True}, "transform must be None, 'log'"),
        ({"value_type": "count"}, "value_type must be one of"),
        ({"transform": "log", "value_type": "proportion"}, "transform 'log' needs value_type 'rate'"),
        ({"transform": "log"}, "with a transform, give the 95% limits"),
        ({"se": None}, "needs the standard error"),
        ({"se": None, "lower": VALID_SII["values"] - 1}, "needs the standard error"),
        ({"lower": VALID_SII["values"] - 1, "upper": VALID_SII["values"] + 1}, "either se or lower and upper"),
        ({"se": -VALID_SII["se"]}, "standard errors must not be negative"),
        ({"multiplier": 0}, "multiplier must be a single number other than 0"),
        ({"multiplier": [1, 2]}, "multiplier must be a single number other than 0"),
        ({"multiplier": "100"}, "multiplier must be a single number other than 0"),
        ({"multiplier": np.inf}, "multiplier must be a single number other than 0"),
        ({"simulations": 999}, "simulations must be a whole number of at least 1000"),
        ({"simulations": 1e5}, "simulations must be a whole number of at least 1000"),
        ({"confidence": 0}, "confidence must be one number between 0 and 1"),
        ({"confidence": 0.99999}, "too few"),
        ({"quantile": [1, 2, 3, 4, 5, 6, 7, 8, 9, 9]}, "quantile labels must be unique"),
        ({"quantile": [1, 2, 3, 4, 5, 6, 7, 8, 9, np.nan]}, "quantile labels must not be missing"),
        ({"population": np.r_[VALID_SII["population"][:9], 0]}, "population must be greater than 0"),
        (
            {
                "values": VALID_SII["values"][:4],
                "population": VALID_SII["population"][:4],
                "quantile": [1, 2, 3, 4],
                "se": VALID_SII["se"][:4],
            },
            "between 5 and 100",
        ),
        ({"values": VALID_SII["values"][:5]}, "matching shapes"),
        ({"values": 80.0, "population": 1000, "quantile": 1, "se": 1}, "quantile axis"),
        ({"value_type": "rate", "values": np.r_[VALID_SII["values"][:9], 0]}, "rates must be greater than 0"),
        ({"value_type": "proportion"}, "proportions must lie strictly between 0 and 1"),
    ],
)
def test_sii_argument_checks(kwargs, message):
    with pytest.raises(ValueError, match=message):
        inequality.sii(**(VALID_SII | {"simulations": 1000} | kwargs))


def test_sii_limit_checks():
    values = DSR_ARRAYS["values"][0]
    base = {"values": values, "population": DSR_ARRAYS["population"][0], "quantile": DSR_ARRAYS["quantile"]}
    with pytest.raises(ValueError, match="lower limits must not be above upper limits"):
        inequality.sii(**base, lower=values + 1, upper=values - 1, simulations=1000)
    with pytest.raises(ValueError, match="lower limits of rates must be greater than 0"):
        inequality.sii(**base, lower=np.r_[values[:4], 0], upper=values + 1, value_type="rate", simulations=1000)
    with pytest.raises(ValueError, match="proportion limits must lie strictly between 0 and 1"):
        inequality.sii(
            **(base | {"values": values / 1000}),
            lower=values / 1000 - 0.01,
            upper=values / 1000 + 0.9,
            value_type="proportion",
            simulations=1000,
        )
