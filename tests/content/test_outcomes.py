"""Life expectancy, SMRs, the slope index of inequality and the rows by sex (quartiersprofile.content.outcomes and
the by-sex part of content.indicators), against values computed by hand from the raw observations."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from quartiersprofile import stats
from quartiersprofile.content import outcomes
from quartiersprofile.model.age_bands import AGE_BANDS
from quartiersprofile.model.areas import Area

LEHE = "13"


@pytest.fixture(scope="module")
def dataset(bundled_dataset):
    return bundled_dataset


@pytest.fixture(scope="module")
def tables(bundled_tables):
    return bundled_tables


def _members(tables, code):
    return next(a for a in tables.areas if a.code == code).members


def _city(tables):
    return next(a.code for a in tables.areas if a.level == "stadt")


def _banded(dataset, indicator, districts, years, sex=None):
    """Deaths and population per 5-year band, summed over districts and years straight from the observations."""
    obs = dataset.observations
    rows = obs[(obs["indicator"] == indicator) & obs["district"].isin(districts) & obs["period"].isin(years)]
    if sex is not None:
        rows = rows[rows["sex"] == sex]
    sums = rows.groupby("age_band")[["numerator", "denominator"]].sum().reindex(list(AGE_BANDS))
    return sums["numerator"].fillna(0).to_numpy(float), sums["denominator"].to_numpy(float)


# --- rows by sex ----------------------------------------------------------------------------------------------


def test_women_and_men_sum_to_all_persons_wherever_all_three_are_shown(tables):
    by_sex = tables.by_sex
    assert set(by_sex["sex"]) == {"w", "m"} and set(by_sex["indicator"]) == {"GES01"}
    wide = by_sex.pivot_table(index=["indicator", "area", "period"], columns="sex", values="numerator")
    persons = tables.indicators.set_index(["indicator", "area", "period"])["numerator"]
    joined = wide.join(persons.rename("all"), how="inner").dropna()
    assert len(joined) > 50
    np.testing.assert_array_equal(joined["w"] + joined["m"], joined["all"])


def test_a_sex_is_compared_with_the_same_sex_in_the_city(tables):
    by_sex = tables.by_sex
    city = by_sex[by_sex["area"] == _city(tables)].set_index(["sex", "period"])["value"]
    for row in by_sex[by_sex["city_value"].notna()].itertuples():
        assert row.city_value == pytest.approx(city[(row.sex, row.period)])


def test_the_value_by_sex_is_the_standardised_rate_of_that_sex(dataset, tables):
    deaths, population = _banded(dataset, "GES01", _members(tables, LEHE), [str(y) for y in range(2020, 2025)], "w")
    expected = stats.dsr(deaths, population, multiplier=100_000)
    by_sex = tables.by_sex
    (row,) = by_sex[(by_sex["area"] == LEHE) & (by_sex["sex"] == "w") & (by_sex["period"] == "2024")].itertuples()
    assert row.numerator == deaths.sum() and row.period_label == "2020–2024"
    assert row.value == pytest.approx(expected.value, rel=1e-12)


def test_a_hidden_count_by_sex_cannot_be_recovered_from_the_other_sex_and_all_persons(tables):
    """Wherever one sex is hidden, all persons or the other sex is hidden as well (the difference)."""
    by_sex = tables.by_sex.set_index(["indicator", "area", "period", "sex"])["suppressed"]
    persons = tables.indicators.set_index(["indicator", "area", "period"])["suppressed"]
    hidden = [key for key, flag in by_sex.items() if flag]
    assert hidden, "the sample has hidden counts by sex"
    for indicator, area, period, sex in hidden:
        other = "m" if sex == "w" else "w"
        assert by_sex[(indicator, area, period, other)] or persons[(indicator, area, period)]


# --- life expectancy ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sex", ["w", "m"])
@pytest.mark.parametrize("age", [0, 65])
def test_life_expectancy_is_the_life_table_of_five_pooled_years(dataset, tables, sex, age):
    years = [str(y) for y in range(2020, 2025)]
    deaths, population = _banded(dataset, "GES01", _members(tables, LEHE), years, sex)
    expected = stats.life_expectancy(deaths, population, stats.life_tables.FIVE_YEAR_AGE_BANDS, at_age=age)
    life = tables.outcomes.life_expectancy
    (row,) = life[(life["area"] == LEHE) & (life["sex"] == sex) & (life["age"] == age) & (life["period"] == "2024")]\
        .itertuples()  # fmt: skip
    assert row.period_label == "2020–2024" and row.deaths == deaths.sum()
    assert (row.value, row.lower, row.upper) == pytest.approx((expected.value, expected.lower, expected.upper))
    assert 60 < row.value < 95 if age == 0 else 10 < row.value < 30


def test_life_expectancy_is_compared_with_the_city_by_its_interval(tables):
    life = tables.outcomes.life_expectancy
    shown = life[life["value"].notna() & (life["area"] != _city(tables))]
    assert set(shown["comparison"]) >= {"similar", "better"}
    better = shown["lower"] > shown["city_value"]
    worse = shown["upper"] < shown["city_value"]
    expected = np.where(better, "better", np.where(worse, "worse", "similar"))
    expected = np.where(shown["city_value"].isna(), "not compared", expected)  # the city's value is hidden
    assert (shown["comparison"] == expected).all()


def test_small_areas_get_no_life_expectancy_and_say_why(tables, dataset):
    life = tables.outcomes.life_expectancy
    small = life[life["reason"] == stats.life_tables.LE_REASON_SMALL_POPULATION]
    assert not small.empty and small["value"].isna().all()
    residents = dataset.population.groupby(["district", "period", "sex"])["population"].sum()
    for row in small[small["area"].str.len() == 3].head(5).itertuples():  # Ortsteile: one district each
        years = [str(y) for y in range(int(row.period) - 4, int(row.period) + 1)]
        assert sum(residents[(row.area, year, row.sex)] for year in years) <= 5_000


def test_life_expectancy_is_hidden_where_its_deaths_are_hidden(dataset, tables):
    by_sex = tables.by_sex.copy()
    target = (by_sex["area"] == LEHE) & (by_sex["sex"] == "m") & (by_sex["period"] == "2024")
    by_sex.loc[target, "suppressed"] = True
    life = outcomes.life_expectancy_table(dataset, list(tables.areas), by_sex)
    rows = life[(life["area"] == LEHE) & (life["sex"] == "m") & (life["period"] == "2024")]
    assert len(rows) == 2 and rows["suppressed"].all()
    assert rows[["deaths", "value", "lower", "upper"]].isna().all().all()
    women = life[(life["area"] == LEHE) & (life["sex"] == "w") & (life["period"] == "2024")]
    assert women["value"].notna().all()


# --- standardised mortality ratios -----------------------------------------------------------------------------


def test_smr_is_observed_over_expected_at_the_city_rates(dataset, tables):
    code = "131"
    years = [str(y) for y in range(2020, 2025)]
    deaths, population = _banded(dataset, "GES01", [code], years)
    city_deaths, city_population = _banded(dataset, "GES01", _members(tables, _city(tables)), years)
    expected = float(np.sum(city_deaths / city_population * population))
    ratios = tables.outcomes.mortality_ratios
    (row,) = ratios[(ratios["indicator"] == "GES01") & (ratios["area"] == code) & (ratios["period"] == "2024")]\
        .itertuples()  # fmt: skip
    assert row.observed == deaths.sum()
    assert row.expected == pytest.approx(expected, rel=1e-12)
    assert row.value == pytest.approx(100 * deaths.sum() / expected, rel=1e-12)
    assert row.lower < row.value < row.upper


def test_expected_deaths_of_all_ortsteile_add_up_to_the_city_deaths(dataset, tables):
    """Indirect standardisation against the city itself: the Ortsteile's expected deaths sum to the observed."""
    unsuppressed = outcomes.mortality_ratio_table(
        dataset, list(tables.areas), tables.indicators.assign(suppressed=False)
    )
    city = tables.indicators
    for (indicator, period), group in unsuppressed.groupby(["indicator", "period"]):
        (total,) = city[(city["indicator"] == indicator) & (city["area"] == _city(tables))
                        & (city["period"] == period)]["numerator"]  # fmt: skip
        assert group["expected"].sum() == pytest.approx(group["observed"].sum(), rel=1e-9)
        assert group["observed"].sum() == total


def test_smr_of_an_ortsteil_whose_deaths_are_hidden_is_hidden(tables):
    ratios = tables.outcomes.mortality_ratios
    hidden = tables.indicators.set_index(["indicator", "area", "period"])["suppressed"]
    assert ratios["suppressed"].any()
    for row in ratios.itertuples():
        assert row.suppressed == hidden[(row.indicator, row.area, row.period)]
        if row.suppressed:
            assert np.isnan(row.value) and np.isnan(row.observed) and row.comparison == "suppressed"


# --- inequality -----------------------------------------------------------------------------------------------


def _linear_case(statistic: str, multiplier: float):
    """Ten Ortsteile of equal size; deprivation falls from area 0 to area 9; the indicator rises exactly linearly
    with the relative rank (value = 20 + 30 x rank), so the SII is 30 and the RII 50 / 20."""
    areas = [Area("1", "Stadt", "stadt", "", "", tuple(f"{k:03d}" for k in range(10)))]
    areas += [Area(f"{k:03d}", f"O{k}", "ortsteil", "1", "Stadt", (f"{k:03d}",)) for k in range(10)]
    rank = (np.arange(10) + 0.5) / 10
    rows = []
    for k in range(10):
        value = 20 + 30 * rank[k]
        rows.append(("DEP", f"{k:03d}", "2024", 50.0 - k, False))
        rows.append(("IND", f"{k:03d}", "2024", value, False))
    table = pd.DataFrame(rows, columns=["indicator", "area", "period", "value", "suppressed"])
    table = table.assign(lower=table["value"] - 1, upper=table["value"] + 1, period_label="2024")
    catalogue = pd.DataFrame({
        "id": ["DEP", "IND"], "statistic": ["proportion", statistic], "multiplier": [100.0, multiplier],
        "polarity": ["higher_is_worse", "higher_is_better"], "inequality": ["rank", "measure"],
    })  # fmt: skip
    population = pd.DataFrame({"district": [f"{k:03d}" for k in range(10)], "period": "2024", "sex": "w",
                               "age_band": "0-4", "population": 1000})  # fmt: skip
    return areas, table, catalogue, population


def _fitted(data, areas, table):
    empty_life = pd.DataFrame(columns=["area", "sex", "period", "period_label", "age", "value", "lower", "upper"])
    points = outcomes.inequality_points_table(data, areas, table, empty_life)
    fitted = outcomes.HealthOutcomes(pd.DataFrame(), pd.DataFrame(), points)
    return outcomes.inequality_rows(fitted, "2024"), points


@pytest.mark.parametrize(("statistic", "multiplier"), [("mean", 1.0), ("proportion", 100.0), ("rate", 1000.0)])
def test_slope_index_of_an_exact_gradient_is_its_slope(statistic, multiplier):
    areas, table, catalogue, population = _linear_case(statistic, multiplier)
    data = dataclasses.make_dataclass("Data", ["catalogue", "population"])(catalogue, population)
    result, points = _fitted(data, areas, table)
    (row,) = result.itertuples()
    assert (row.indicator, row.period, row.level, row.areas) == ("IND", "2024", "ortsteil", 10)
    assert row.sii == pytest.approx(30.0, rel=1e-9)
    assert row.rii == pytest.approx(50.0 / 20.0, rel=1e-9)
    assert row.intercept * row.scale == pytest.approx(20.0, rel=1e-9)
    assert row.sii_lower < row.sii < row.sii_upper
    np.testing.assert_allclose(points.sort_values("rank")["rank"], (np.arange(10) + 0.5) / 10)
    assert list(points.sort_values("rank")["area"]) == [f"{k:03d}" for k in range(10)]


def test_slope_index_uses_published_values_only_and_needs_five_areas():
    areas, table, catalogue, population = _linear_case("mean", 1.0)
    data = dataclasses.make_dataclass("Data", ["catalogue", "population"])(catalogue, population)
    hidden = table.copy()
    hidden.loc[(hidden["indicator"] == "IND") & (hidden["area"] < "006"), ["value", "lower", "upper"]] = np.nan
    result, points = _fitted(data, areas, hidden)
    assert result.empty and points.empty  # four areas left
    hidden.loc[(hidden["indicator"] == "IND") & (hidden["area"] == "005"), ["value", "lower", "upper"]] = (35, 34, 36)
    result, points = _fitted(data, areas, hidden)
    assert list(result["areas"]) == [5] and len(points) == 5


def test_the_sample_measures_child_poverty_dental_health_mortality_and_life_expectancy(tables):
    inequality = outcomes.inequality_rows(tables.outcomes, "2024")
    assert set(zip(inequality["indicator"], inequality["sex"], strict=True)) == {
        ("SOZ02", ""), ("KIG08", ""), ("GES02", ""), ("LE0", "w"), ("LE0", "m")
    }
    soz02 = inequality[inequality["indicator"] == "SOZ02"].iloc[-1]
    assert soz02["period"] == "2024-Q4" and soz02["sii"] < 0 and soz02["sii_upper"] < 0  # less poverty, less deprived
    quarter = outcomes.inequality_rows(tables.outcomes, "2024-Q3").set_index("indicator")
    assert quarter.at["SOZ02", "period"] == "2024-Q3"
    points = tables.outcomes.inequality_points
    shown = tables.indicators.set_index(["indicator", "area", "period"])
    for row in points[points["indicator"] != "LE0"].itertuples():
        assert not shown.at[(row.indicator, row.area, row.period), "suppressed"]
        assert row.value == shown.at[(row.indicator, row.area, row.period), "value"]
