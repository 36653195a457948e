"""The population projection (quartiersprofile.stats.projection): hand-computed examples, constructed series with
known errors, properties, and the bundled data.

Hand calculations are written out in the comments. The split of bands into single years
(`split_single_years`) is flat wherever neighbouring bands are equal, which keeps the examples computable. Age
groups are (first, last) years of age, both inclusive, as `model.age_bands.AGE_GROUPS`.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quartiersprofile.model.age_bands import AGE_BANDS, AGE_GROUPS, age_group_label
from quartiersprofile.model.areas import profile_areas
from quartiersprofile.model.contract import SEXES
from quartiersprofile.stats import projection as pr

MOTHERS = slice(3, 10)  # bands 15-19 .. 45-49


def frame(years, district="A"):
    """Long population table from {year: band values} (both sexes alike) or {year: (women, men)}."""
    rows = []
    for year, values in years.items():
        per_sex = values if isinstance(values, tuple) else (values, values)
        for sex, bands in zip(SEXES, per_sex, strict=True):
            rows += [(district, str(year), sex, band, float(v)) for band, v in zip(AGE_BANDS, bands, strict=True)]
    return pd.DataFrame(rows, columns=["district", "period", "sex", "age_band", "population"])


def band_table(result, district=None, year=None, sex="w"):
    """Values of one district, year and sex of a long result, in band order."""
    selected = result
    if district is not None:
        selected = selected[selected["district"] == district]
    if year is not None:
        selected = selected[selected["year"] == year]
    selected = selected[selected["sex"] == sex].set_index("age_band")["population"]
    return selected.reindex(AGE_BANDS).to_numpy()


def fake_fit(ratios, cwr=1 / 7, boys_share=0.5):
    """The parts of a fit the projection uses: ratios [district, sex, 18], CWR per district, boys' share."""
    ratios = np.asarray(ratios, dtype=float)
    return SimpleNamespace(ratios=ratios, cwr=np.full(ratios.shape[0], cwr), boys_share=boys_share)


FLAT = [100.0] * 19


def areas_table(dataset) -> pd.DataFrame:
    """code, name, level, members (comma-separated Ortsteile) of every area with a profile."""
    areas = profile_areas(dataset.districts, dataset.population)
    return pd.DataFrame(
        [(a.code, a.name, a.level, ",".join(a.members)) for a in areas], columns=["code", "name", "level", "members"]
    )


@pytest.fixture(scope="module")
def real(bundled_dataset):
    """The bundled register (2019-2024, 23 inhabited Ortsteile) and its 29 areas."""
    return bundled_dataset.population, areas_table(bundled_dataset)


# --- splitting bands into single years --------------------------------------------------------------------------


def test_split_is_flat_for_equal_bands_and_linear_around_a_peak():
    bands = np.array(FLAT)
    bands[5] = 150  # 25-29: mean 30 per year, neighbours 20
    single = pr.split_single_years(bands)
    assert single.shape == (91,)
    # 20-24: slope (30 - 20) / 10 = 1 -> 18, 19, 20, 21, 22; 25-29: slope 0; 30-34: slope -1 -> 22 .. 18
    np.testing.assert_allclose(single[20:25], [18, 19, 20, 21, 22])
    np.testing.assert_allclose(single[25:30], [30] * 5)
    np.testing.assert_allclose(single[30:35], [22, 21, 20, 19, 18])
    np.testing.assert_allclose(single[:20], 20)
    assert single[90] == 100  # the open band stays one value


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 1e5, allow_nan=False), min_size=19, max_size=19))
def test_split_keeps_band_totals_and_is_never_negative(values):
    bands = np.array(values)
    single = pr.split_single_years(bands)
    assert np.all(single >= -1e-9)
    np.testing.assert_allclose(single[:90].reshape(18, 5).sum(axis=1), bands[:18], rtol=1e-12, atol=1e-9)
    assert single[90] == bands[18]


# --- cohort-change ratios, hand computed ------------------------------------------------------------------------


def test_cohort_change_ratios_hand_computed():
    # Year 0: every band 100 except 25-29 with 150. Oldest single years (see the split test): 20-24 -> 22,
    # 25-29 -> 30, 30-34 -> 18, all others 20. Expected a year later without deaths or moves:
    # 20-24: 100 - 22 + 20 = 98; 25-29: 150 - 30 + 22 = 142; 30-34: 100 - 18 + 30 = 112; 35-39: 100 - 20 + 18 = 98;
    # 90+: 100 + 20 = 120; any other band 100 - 20 + 20 = 100.
    year0 = list(FLAT)
    year0[5] = 150
    year1 = list(FLAT)
    year1[4], year1[5], year1[6], year1[7], year1[18] = 98 * 1.1, 142 * 0.95, 112, 98 * 0.5, 90
    ratios = pr.cohort_change_ratios(frame({2020: year0, 2021: year1}), k=0)
    women = ratios[ratios["sex"] == "w"].set_index("age_band")
    np.testing.assert_allclose(
        women.loc[["20-24", "25-29", "30-34", "35-39", "90+"], "expected"], [98, 142, 112, 98, 120]
    )
    np.testing.assert_allclose(
        women.loc[["20-24", "25-29", "30-34", "35-39", "90+"], "ratio"], [1.1, 0.95, 1, 0.5, 0.75]
    )
    np.testing.assert_allclose(women.loc["5-9", "ratio"], 1.0)
    assert list(ratios.columns) == [
        "district", "sex", "age_band", "observed", "expected", "own_ratio", "city_ratio", "k", "weight", "ratio",
    ]  # fmt: skip


def test_hand_example_two_cohorts_one_year():
    # Year 2020 flat (100 per band and sex), 2021: 65-69 down to 90, 70-74 up to 110, 90+ 120. Ratios from the one
    # transition: 65-69 0.9, 70-74 1.1, 90+ 120 / (100 + 20) = 1, all others 1; CWR = 200 / 700 for women 15-49.
    # Launch 2021 per year of age: 20 everywhere, 18 in 65-69, 22 in 70-74. Slopes: 60-64 (18 - 20) / 10 = -0.2,
    # 65-69 (22 - 20) / 10 = 0.2, 70-74 (20 - 18) / 10 = 0.2, 75-79 (20 - 22) / 10 = -0.2, so the oldest years are
    # 60-64: 19.6, 65-69: 18.4, 70-74: 22.4, 75-79: 19.6. In 2022:
    # 60-64 = 1.0 * (100 - 19.6 + 20)   = 100.4
    # 65-69 = 0.9 * (90 - 18.4 + 19.6)  = 82.08
    # 70-74 = 1.1 * (110 - 22.4 + 18.4) = 116.6
    # 75-79 = 1.0 * (100 - 19.6 + 22.4) = 102.8
    # 80-84 = 1.0 * (100 - 20 + 19.6)   = 99.6
    # 90+   = 1.0 * (120 + 20)          = 140;  0-4 = 200/700 * 700 women, half of them girls = 100.
    year1 = list(FLAT)
    year1[13], year1[14], year1[18] = 90, 110, 120
    result = pr.project(frame({2020: FLAT, 2021: year1}), horizon=1, k=0, cwr_k=0)
    expected = [100.0] * 12 + [100.4, 82.08, 116.6, 102.8, 99.6, 100.0, 140.0]
    np.testing.assert_allclose(band_table(result, sex="w"), expected, rtol=1e-12)
    np.testing.assert_allclose(band_table(result, sex="m"), expected, rtol=1e-12)
    assert list(result.columns) == ["district", "year", "sex", "age_band", "population"]
    assert set(result["year"]) == {2022}


def test_single_year_cohorts_stay_together_over_two_steps():
    # Flat launch (20 per year of age); ratio 0.9 for 65-69, 1.1 for 70-74, 1 elsewhere (90+ ratio 1 / 1.2 keeps 100).
    # Step 1: 65-69 = 0.9 * 100 = 90, 70-74 = 110, 75-79 = 100. Step 2 moves single years, not fifths of bands:
    # 65-69 = 0.9 * (20 + 4 * 18) = 82.8; 70-74 = 1.1 * (18 + 4 * 22) = 116.6; 75-79 = 1.0 * (22 + 4 * 20) = 102.
    ratios = np.ones((1, 2, 18))
    ratios[..., 12], ratios[..., 13], ratios[..., 17] = 0.9, 1.1, 1 / 1.2
    launch = np.full((1, 2, 19), 100.0)
    result = pr._project_values(launch, fake_fit(ratios), 2, MOTHERS)
    np.testing.assert_allclose(result[0, 0, 0, 13:16], [90, 110, 100])
    np.testing.assert_allclose(result[0, 1, 0, 13:16], [82.8, 116.6, 102])
    np.testing.assert_allclose(result[0, 1, 0, 18], 100)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(1, 1e4, allow_nan=False), min_size=19, max_size=19),
    st.floats(0.8, 1.2, allow_nan=False),
)
def test_equal_ratios_give_the_classic_five_year_step(values, ratio):
    # With one ratio r for every band, five annual steps move each band exactly one band up: P(x+5) = r^5 P(x),
    # and the closed top band collects 90+ = r^5 (P(85-89) + P(90+)) - the classic Hamilton-Perry step.
    launch = np.broadcast_to(np.array(values), (1, 2, 19)).copy()
    result = pr._project_values(launch, fake_fit(np.full((1, 2, 18), ratio)), 5, MOTHERS)[0, 4]
    np.testing.assert_allclose(result[:, 2:18], ratio**5 * launch[0, :, 1:17], rtol=1e-10)
    np.testing.assert_allclose(result[:, 18], ratio**5 * (launch[0, :, 17] + launch[0, :, 18]), rtol=1e-10)


# --- child-woman ratio and the closed top band ------------------------------------------------------------------


def test_child_woman_ratio_gives_the_0_4_band_split_by_sex():
    # 0-4: 84 girls and 91 boys per 700 women aged 15-49 in both years -> CWR 0.25, boys' share 0.52.
    year = ([84.0] + [100.0] * 18, [91.0] + [100.0] * 18)
    population = frame({2020: year, 2021: year})
    cwr = pr.child_woman_ratios(population, k=0).iloc[0]
    assert cwr["ratio"] == pytest.approx(0.25)
    assert cwr["boys_share"] == pytest.approx(0.52)
    result = pr.project(population, horizon=3, k=0, cwr_k=0)
    for year in (2022, 2023, 2024):
        women = band_table(result, year=year, sex="w")
        children = women[0] + band_table(result, year=year, sex="m")[0]
        assert children == pytest.approx(0.25 * women[3:10].sum(), rel=1e-12)
        assert women[0] == pytest.approx(0.48 * children, rel=1e-12)


def test_mother_ages_can_be_15_to_44():
    year = ([70.0] + [100.0] * 18, [70.0] + [100.0] * 18)
    cwr = pr.child_woman_ratios(frame({2020: year, 2021: year}), k=0, mother_ages=(15, 45)).iloc[0]
    assert cwr["women"] == 2 * 600 and cwr["ratio"] == pytest.approx(140 / 600)


def test_closed_top_band_collects_the_cohort_entering_90_plus():
    # 2020 flat; 2021: 90+ 96 of the 100 + 20 (oldest year of 85-89) expected -> ratio 0.8 for the open band.
    # 2022: 90+ = 0.8 * (96 + 20) = 92.8 (85-89 is flat next to 80-84, so its oldest year is 20).
    year1 = list(FLAT)
    year1[18] = 96
    population = frame({2020: FLAT, 2021: year1})
    ratios = pr.cohort_change_ratios(population, k=0)
    top = ratios[(ratios["sex"] == "w") & (ratios["age_band"] == "90+")].iloc[0]
    assert (top["expected"], top["observed"], top["ratio"]) == pytest.approx((120, 96, 0.8))
    result = pr.project(population, horizon=1, k=0, cwr_k=0)
    assert band_table(result, sex="w")[18] == pytest.approx(92.8)


# --- shrinkage --------------------------------------------------------------------------------------------------


def test_shrinkage_weight_is_n_over_n_plus_k():
    np.testing.assert_allclose(pr.shrinkage_weight([0, 50, 100, 300], 100), [0, 1 / 3, 0.5, 0.75])
    assert pr.shrinkage_weight(100, 0) == 1.0
    assert pr.shrinkage_weight(100, np.inf) == 0.0
    assert pr.shrink(1.2, 1.0, 100, 100) == pytest.approx(1.1)
    assert pr.shrink(np.nan, 1.0, 0, 100) == 1.0  # no exposure: the city's ratio
    with pytest.raises(ValueError, match="k must be a number of at least 0"):
        pr.shrinkage_weight(10, -1)
    with pytest.raises(ValueError, match="exposure must be"):
        pr.shrinkage_weight(-10, 1)


def test_shrinkage_constant_hand_computed_buehlmann_straub():
    # Area A: ratios 0.9 and 1.1 on 100 expected each (own 1.0); B: 1.2 and 1.2 (own 1.2). Within:
    # sigma^2 = (100 * 0.01 + 100 * 0.01 + 0) / (1 + 1) = 1. Collective 440 / 400 = 1.1; between sum
    # 200 * 0.01 + 200 * 0.01 = 4; tau^2 = (4 - 1 * 1) / (400 - (200^2 + 200^2) / 400) = 3 / 200; k = 200 / 3.
    observed = [[90, 110], [120, 120]]
    expected = [[100, 100], [100, 100]]
    assert pr.shrinkage_constant(observed, expected) == pytest.approx(200 / 3)
    assert pr.shrinkage_constant([[100, 100], [100, 100]], expected) == np.inf  # areas alike
    assert pr.shrinkage_constant([[90, 90], [110, 110]], expected) == 0  # no scatter within areas
    stacked = pr.shrinkage_constant([observed, observed], [expected, expected])
    np.testing.assert_allclose(stacked, [200 / 3, 200 / 3])
    with pytest.raises(ValueError, match="at least two periods"):
        pr.shrinkage_constant([[90], [110]], [[100], [100]])


def test_child_woman_ratio_shrinkage_hand_computed():
    # Two districts, two equal years, 100 women aged 20-44 a year (mother_ages (20, 45)); children 40 and 10 a year.
    # Own CWRs 0.4 and 0.1, city 0.25; exposure = 100 women a year each; weighted variance 0.0225;
    # tau^2 = 0.0225 - 0.25 / 100 = 0.02; k = 0.25 / 0.02 = 12.5; weight 100 / 112.5.
    def year(children):
        return ([children / 2] + [20.0] * 18, [children / 2] + [20.0] * 18)

    population = pd.concat([frame({2020: year(40), 2021: year(40)}, "A"), frame({2020: year(10), 2021: year(10)}, "B")])
    cwr = pr.child_woman_ratios(population, mother_ages=(20, 45)).set_index("district")
    assert cwr["k"].iloc[0] == pytest.approx(12.5)
    np.testing.assert_allclose(cwr["weight"], 100 / 112.5)
    np.testing.assert_allclose(cwr["ratio"], [0.4 * 100 / 112.5 + 0.25 * 12.5 / 112.5, 0.1 * 100 / 112.5 + 0.25 / 9])


def test_small_areas_lean_on_the_city_large_ones_keep_their_own(real):
    population, _ = real
    ratios = pr.cohort_change_ratios(population)
    weights = ratios.groupby("district")["weight"].mean()
    assert weights["251"] < 0.4  # Fischereihafen, ~240 residents
    assert weights["212"] > 0.8  # Geestendorf, ~12,000 residents
    assert ratios["ratio"].between(ratios[["own_ratio", "city_ratio"]].min(axis=1) - 1e-12,
                                   ratios[["own_ratio", "city_ratio"]].max(axis=1) + 1e-12).all()  # fmt: skip


# --- control to the city ----------------------------------------------------------------------------------------


def city_of(population, code="city"):
    return population.groupby(["period", "sex", "age_band"], as_index=False)["population"].sum().assign(district=code)


def test_parts_add_up_to_the_city_projection_in_every_year_sex_and_band(real):
    population, _ = real
    parts = pr.project(population)
    city = pr.project(city_of(population), k=0, cwr_k=0)
    sums = parts.groupby(["year", "sex", "age_band"])["population"].sum()
    np.testing.assert_allclose(sums, city.set_index(["year", "sex", "age_band"])["population"].reindex(sums.index),
                               rtol=1e-12)  # fmt: skip
    assert len(sums) == 10 * 2 * 19


def test_control_to_an_official_table(real):
    population, _ = real
    official = pr.project(city_of(population), k=0, cwr_k=0).drop(columns="district")
    official["population"] *= 1.05  # an official projection 5 % above the city's own
    parts = pr.project(population, control=official)
    sums = parts.groupby(["year", "sex", "age_band"])["population"].sum()
    np.testing.assert_allclose(sums, official.set_index(["year", "sex", "age_band"])["population"].reindex(sums.index))
    with pytest.raises(ValueError, match="every projected year; missing \\[2034\\]"):
        pr.project(population, control=official[official["year"] < 2034])


def test_control_to_total_scales_proportionally_and_fills_empty_cells():
    parts = pd.concat([frame({2030: FLAT}, "A"), frame({2030: [0.0] + [300.0] * 18}, "B")])
    total = frame({2030: [50.0] + [800.0] * 18}).drop(columns="district")
    controlled = pr.control_to_total(parts, total)
    assert list(controlled.index) == list(parts.index)
    by_district = controlled.groupby(["district", "age_band"])["population"].sum() / 2
    assert by_district[("A", "5-9")] == pytest.approx(200) and by_district[("B", "5-9")] == pytest.approx(600)
    # 0-4: A 100 and B 0 per sex -> A gets all 50
    assert by_district[("A", "0-4")] == pytest.approx(50) and by_district[("B", "0-4")] == 0
    empty = pd.concat([frame({2030: [0.0] * 19}, "A"), frame({2030: [0.0] * 18 + [10.0]}, "B")])
    filled = pr.control_to_total(empty, frame({2030: [40.0] * 19}).drop(columns="district"))
    women = filled[(filled["sex"] == "w") & (filled["age_band"] == "0-4")].set_index("district")["population"]
    assert (women["A"], women["B"]) == pytest.approx((0, 40))  # shared by the districts' shares of that sex


# --- back-test on a constructed series --------------------------------------------------------------------------

GROWTH = 1.02
SIZES = {"A": 50.0, "B": 100.0, "C": 200.0}  # persons per band and sex in 2015


@pytest.fixture(scope="module")
def constructed():
    """Three districts with flat age profiles growing 2 % a year in every band (the method projects this exactly),
    and a shock in the last year: district B 10 % more residents in 2020 than the trend."""
    frames = []
    for district, size in SIZES.items():
        years = {}
        for year in range(2015, 2021):
            level = size * GROWTH ** (year - 2015) * (1.1 if district == "B" and year == 2020 else 1.0)
            years[year] = [level] * 19
        frames.append(frame(years, district))
    areas = pd.DataFrame(
        {
            "code": ["A", "B", "C", "all"],
            "name": ["Small", "Shocked", "Large", "City"],
            "level": ["ortsteil", "ortsteil", "ortsteil", "stadt"],
            "members": ["A", "B", "C", "A,B,C"],
        }
    )
    errors = pr.backtest(pd.concat(frames), areas, k=0, cwr_k=0, size_bounds=(2_500, 5_000, 10_000))
    return errors


def test_backtest_recovers_known_errors(constructed):
    errors = constructed
    assert sorted(errors["base_year"].unique()) == [2016, 2017, 2018, 2019]
    assert errors["horizon"].max() == 4
    assert len(errors) == 4 * 10 * 5  # areas x (base year, horizon) pairs x groups
    before = errors[errors["year"] < 2020]
    np.testing.assert_allclose(before["pct_error"], 0, atol=1e-9)
    last = errors[errors["year"] == 2020].set_index("area")
    np.testing.assert_allclose(last.loc["B", "pct_error"], 100 * (1 / 1.1 - 1))
    np.testing.assert_allclose(last.loc["B", "log_error"], -math.log(1.1))
    np.testing.assert_allclose(last.loc[["A", "C"], "pct_error"], 0, atol=1e-9)
    np.testing.assert_allclose(last.loc["all", "pct_error"], 100 * (350 / 360 - 1))  # B's 10 more of 350


def test_backtest_error_table_and_quantiles_on_known_errors(constructed):
    table = pr.backtest_error_table(constructed).set_index("size_class")
    assert list(table.columns) == ["areas", "projections", "horizon", "MAPE insgesamt", "MAPE 65–79"]
    assert table.loc["unter 2.500", "MAPE insgesamt"] == pytest.approx(0, abs=1e-9)  # A
    assert table.loc["2.500–4.999", "MAPE insgesamt"] == pytest.approx(100 / 11)  # B
    assert table.loc["5.000–9.999", "MAPE 65–79"] == pytest.approx(0, abs=1e-9)  # C
    assert table.loc["10.000 und mehr", "MAPE insgesamt"] == pytest.approx(100 / 36)  # the city
    assert (table["horizon"] == 4).all() and (table["projections"] == 1).all()
    # The city's |log errors| per year of horizon: six zeros and L/4, L/3, L/2, L with L = ln(360/350);
    # the 0.8 quantile (linear interpolation at position 7.2 of 0..9) is L/3 + 0.2 (L/2 - L/3) = 11 L / 30.
    quantiles = pr.error_quantiles(constructed, coverage=0.8).set_index(["size_class", "age_group"])
    city = quantiles.loc[("10.000 und mehr", "insgesamt")]
    assert city["errors"] == 10
    assert city["quantile"] == pytest.approx(11 * math.log(360 / 350) / 30)
    # smaller classes never get narrower intervals: C (no errors) takes the city's, A (no errors) B's
    assert quantiles.loc[("5.000–9.999", "insgesamt"), "raw_quantile"] == pytest.approx(0, abs=1e-12)
    assert quantiles.loc[("5.000–9.999", "insgesamt"), "quantile"] == city["quantile"]
    assert (
        quantiles.loc[("unter 2.500", "insgesamt"), "quantile"]
        == quantiles.loc[("2.500–4.999", "insgesamt"), "quantile"]
    )
    by_root = pr.error_quantiles(constructed, coverage=0.8, scaling="sqrt").set_index(["size_class", "age_group"])
    root = [0] * 6 + sorted(math.log(360 / 350) / math.sqrt(h) for h in (1, 2, 3, 4))
    assert by_root.loc[("10.000 und mehr", "insgesamt"), "quantile"] == pytest.approx(np.quantile(root, 0.8))


def test_prediction_intervals_scale_with_the_horizon():
    errors = pd.DataFrame(
        {
            "size_class": ["s"] * 4,
            "age_group": ["g"] * 4,
            "horizon": [1, 1, 2, 2],
            "log_error": [0.01, -0.02, 0.02, 0.06],
        }
    )
    # |errors| / h = 0.01, 0.02, 0.01, 0.03 -> 0.5 quantile 0.015
    projection = pd.DataFrame(
        {"size_class": ["s", "s"], "age_group": ["g", "g"], "horizon": [1, 10], "population": 100.0}
    )
    limits = pr.prediction_intervals(projection, errors, coverage=0.5)
    np.testing.assert_allclose(limits["lower"], [100 * math.exp(-0.015), 100 * math.exp(-0.15)])
    np.testing.assert_allclose(limits["upper"], [100 * math.exp(0.015), 100 * math.exp(0.15)])


# --- a simulated population with cohort waves -------------------------------------------------------------------


def simulated_bands(years=16):
    """A population in single years of age moved on by fixed single-year survival and migration factors, with a
    baby-boom wave around 60 and a dip around 33 in the first year, births from a fixed general fertility rate,
    summed to 5-year bands: the truth that 5-year bands only approximate."""
    ages = np.arange(101)
    death = np.minimum(np.exp(-10.5 + 0.095 * ages), 0.6)
    moves = 0.03 * np.exp(-(((ages - 21) / 3) ** 2)) - 0.012 * np.exp(-(((ages - 30) / 6) ** 2))
    factor = (1 - death) * (1 + moves)
    profile = 1500 * np.where(ages < 60, 1.0, np.exp(-0.03 * (ages - 60)))
    profile *= 1 + 0.5 * np.exp(-(((ages - 60) / 5) ** 2)) - 0.25 * np.exp(-(((ages - 33) / 4) ** 2))
    single = np.stack([0.99 * profile, profile])
    fertility = single[:, 0].sum() / single[0, 15:50].sum()
    stocks = [single]
    for _ in range(years - 1):
        aged = np.empty_like(single)
        aged[:, 1:100] = single[:, :99] * factor[1:100]
        aged[:, 100] = (single[:, 99] + single[:, 100]) * factor[100]
        aged[:, 0] = fertility * single[0, 15:50].sum() * np.array([0.487, 0.513]) * 0.996
        single = aged
        stocks.append(single)
    stocks = np.array(stocks)
    return np.concatenate(
        [stocks[..., :90].reshape(years, 2, 18, 5).sum(-1), stocks[..., 90:].sum(-1, keepdims=True)], -1
    )


def test_cohort_waves_are_carried_through_ten_years():
    # Six years of bands from a population with a baby-boom wave moving into 65-79; the projection of the next ten
    # years keeps every age group within 3 % of the truth (re-spreading bands evenly every year missed 65-79 by 5 %).
    bands = simulated_bands()
    population = frame({2019 + y: (bands[y, 0], bands[y, 1]) for y in range(6)})
    result = pr.project(population, horizon=10, k=0, cwr_k=0).assign(district="S")
    weights = pr.group_weights()
    for year in (2029, 2034):
        projected = np.stack([band_table(result, year=year, sex=s) for s in SEXES]) @ weights
        truth = bands[year - 2019] @ weights
        np.testing.assert_array_less(np.abs(projected.sum(axis=0) / truth.sum(axis=0) - 1), 0.03)


# --- number of years --------------------------------------------------------------------------------------------


def grown(years, district="A"):
    return frame({year: [100.0 * 1.01 ** (year - 2000)] * 19 for year in years}, district)


def test_two_years_suffice_when_k_is_given_and_long_series_work():
    two = pd.concat([grown(range(2000, 2002), "A"), grown(range(2000, 2002), "B")])
    assert len(pr.project(two, horizon=2, k=50, cwr_k=50)) == 2 * 2 * 2 * 19
    with pytest.raises(ValueError, match="pass k"):
        pr.project(two)
    many = pd.concat([grown(range(2000, 2015), "A"), grown(range(2000, 2015), "B")])
    result = pr.project(many, horizon=3, base_years=None, k=0, cwr_k=0)
    np.testing.assert_allclose(band_table(result, "A", 2017), 100 * 1.01**17, rtol=1e-9)
    errors = pr.backtest(many, pd.DataFrame({"code": ["A"], "name": ["A"], "level": ["ortsteil"], "members": ["A"]}),
                         k=0, cwr_k=0, max_horizon=10)  # fmt: skip
    assert errors["horizon"].max() == 10 and errors["pct_error"].abs().max() < 1e-9


# --- argument checks --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.assign(sex=f["sex"].replace("m", "x")), "sex must be 'w' or 'm'"),
        (lambda f: f[f["age_band"] != "90+"], "exactly one row per district, year, sex and age band"),
        (lambda f: pd.concat([f, f.head(1)]), "is twice or more"),
        (lambda f: f.assign(population=-1.0), "at least 0 in every row"),
        (lambda f: f.assign(period="2024-Q3"), "must be a year such as 2024"),
        (lambda f: f[f["period"] != "2021"], "without gaps"),
        (lambda f: f.drop(columns="age_band"), "lacks the column"),
    ],
)
def test_bad_population_tables_are_explained(change, message):
    population = frame({2020: FLAT, 2021: FLAT, 2022: FLAT})
    with pytest.raises(ValueError, match=message):
        pr.project(change(population), k=0, cwr_k=0)


def test_bad_settings_are_explained():
    population = frame({2020: FLAT, 2021: FLAT, 2022: FLAT})
    areas = pd.DataFrame({"code": ["X"], "name": ["X"], "level": ["stadt"], "members": ["A,Z"]})
    with pytest.raises(ValueError, match="unknown: Z"):
        pr.backtest(population, areas, k=0, cwr_k=0)
    with pytest.raises(ValueError, match="horizon must be a whole number"):
        pr.project(population, horizon=0)
    with pytest.raises(ValueError, match="mother_ages must be two band bounds"):
        pr.project(population, mother_ages=(14, 50))
    with pytest.raises(ValueError, match="k must be None"):
        pr.project(population, k=-1)
    with pytest.raises(ValueError, match="splits the open band"):
        pr.group_weights([(85, 94)])
    with pytest.raises(ValueError, match="coverage must be"):
        pr.error_quantiles(pd.DataFrame(columns=["size_class", "age_group", "horizon", "log_error"]), coverage=80)
    with pytest.raises(ValueError, match="size_bounds must be increasing"):
        pr.backtest(population, areas.assign(members="A"), size_bounds=(5000, 1000))


def test_group_weights_and_labels():
    weights = pr.group_weights([(0, 17), (18, 64), (65, 79), (80, None), (0, None)])
    assert weights[3, 0] == pytest.approx(3 / 5) and weights[3, 1] == pytest.approx(2 / 5)  # 15-19 split
    np.testing.assert_allclose(weights.sum(axis=1)[:-1], 2)  # every band once in its group and once in the total
    assert [pr.group_label(*g) for g in pr.DEFAULT_GROUPS] == [
        "insgesamt",
        "unter 20",
        "20–64",
        "65–79",
        "80 und älter",
    ]
    # the report's age groups, named by the package's one rule from their real bounds
    assert pr.DEFAULT_GROUPS[1:] == AGE_GROUPS
    assert [pr.group_label(*g) for g in AGE_GROUPS] == [age_group_label(*g) for g in AGE_GROUPS]
    assert pr.group_label(0, 17) == "unter 18" and pr.group_label(65, None) == "65 und älter"


# --- the real snapshot ------------------------------------------------------------------------------------------


def test_real_snapshot_is_plausible(real):
    population, areas = real
    result = pr.project_with_intervals(population, areas)  # its time: benchmarks/projection_backtest.py
    assert result["area"].nunique() == len(areas) and set(result["year"]) == set(range(2025, 2035))
    values = result[["population", "lower", "upper"]]
    assert values.notna().all().all() and (values >= 0).all().all()
    assert ((result["lower"] <= result["population"]) & (result["population"] <= result["upper"])).all()
    total = result[(result["area"] == "4012") & (result["age_group"] == "insgesamt")].set_index("year")
    latest = population[population["period"] == "2024"]["population"].sum()
    assert 0.9 * latest < total.loc[2034, "population"] < 1.1 * latest
    widths = (total["upper"] - total["lower"]) / total["population"]
    assert widths.is_monotonic_increasing
    # Stadtteile and the city are sums of their Ortsteile; groups add up to the total
    by_area = result.pivot_table(index=["year", "age_group"], columns="area", values="population")
    np.testing.assert_allclose(by_area["13"], by_area[[str(c) for c in range(131, 138)]].sum(axis=1))
    groups = result[result["age_group"] != "insgesamt"].groupby(["area", "year"])["population"].sum()
    totals = result[result["age_group"] == "insgesamt"].set_index(["area", "year"])["population"]
    np.testing.assert_allclose(groups, totals.reindex(groups.index))


def test_aggregate_sums_ortsteile_to_areas_and_groups(real):
    population, areas = real
    observed = pr.aggregate(population[population["period"] == "2024"], areas)
    assert list(observed.columns) == ["area", "name", "level", "year", "age_group", "age_from", "age_to", "population"]
    city = observed[(observed["area"] == "4012") & (observed["age_group"] == "insgesamt")]["population"]
    assert city.item() == population[population["period"] == "2024"]["population"].sum()
    old = observed[(observed["area"] == "25") & (observed["age_group"] == "80 und älter")]
    assert (old["age_from"].item(), old["age_to"].isna().item()) == (80, True)
    fischereihafen = population[(population["period"] == "2024") & (population["district"] == "251")]
    assert (
        old["population"].item()
        == fischereihafen[fischereihafen["age_band"].isin(["80-84", "85-89", "90+"])]["population"].sum()
    )


def test_real_backtest_table(real):
    population, areas = real
    table = pr.backtest_error_table(pr.backtest(population, areas))
    assert list(table["size_class"]) == ["unter 1.000", "1.000–4.999", "5.000–9.999", "10.000 und mehr"]
    assert table["areas"].sum() == len(areas) and (table["horizon"] == 4).all()
    assert (table["MAPE insgesamt"] < 10).all() and (table["MAPE 65–79"] < 15).all()


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.floats(0, 500, allow_nan=False), min_size=3 * 3 * 2 * 19, max_size=3 * 3 * 2 * 19),
    st.sampled_from([0.0, 10.0, np.inf]),
)
def test_random_populations_give_non_negative_projections_that_add_up(values, k):
    cells = np.array(values).reshape(3, 3, 2, 19) + 1  # three districts, three years, nobody band empty in the city
    rows = [
        (f"D{d}", str(2020 + y), SEXES[s], AGE_BANDS[b], cells[d, y, s, b])
        for d in range(3) for y in range(3) for s in range(2) for b in range(19)
    ]  # fmt: skip
    population = pd.DataFrame(rows, columns=["district", "period", "sex", "age_band", "population"])
    parts = pr.project(population, horizon=4, k=k, cwr_k=k)
    assert np.isfinite(parts["population"]).all() and (parts["population"] >= 0).all()
    city = pr.project(city_of(population), horizon=4, k=0, cwr_k=0)
    sums = parts.groupby(["year", "sex", "age_band"])["population"].sum()
    np.testing.assert_allclose(sums, city.set_index(["year", "sex", "age_band"])["population"].reindex(sums.index),
                               rtol=1e-9)  # fmt: skip
