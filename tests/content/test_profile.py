"""What one profile shows (quartiersprofile.content.profile.Profile), on the small fixture data.

tests/fixtures/data_small has residents in two Ortsteile only: Weddewarden (111, the one-Ortsteil Stadtteil 11)
and Goethestraße (134). So the profiles are the city 4012 (= 111 + 134), Stadtteil Weddewarden (11, also Ortsteil
111) and Stadtteil Lehe (13, whose only inhabited Ortsteil is 134). A variant with a second inhabited Ortsteil of
Lehe (a copy of Goethestraße as Klushof, 135) gives Ortsteil profiles.

Expected numbers are computed here from the raw CSV files of the fixture (read with pandas, not with the package):
sums over the member Ortsteile, shares of the population table, proportions numerator / denominator.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from conftest import SMALL_DATA

from quartiersprofile.content.profile import AGE_GROUPS, Profile, open_profile
from quartiersprofile.content.tables import ProfileTables, compute_tables, save_tables
from quartiersprofile.model.areas import Area
from quartiersprofile.stats.suppression import SuppressionRule

CITY, WEDDEWARDEN, LEHE, GOETHESTRASSE, KLUSHOF = "4012", "11", "13", "134", "135"
MEMBERS = {CITY: ["111", "134"], WEDDEWARDEN: ["111"], LEHE: ["134"]}
BANDS = [f"{lower}-{lower + 4}" for lower in range(0, 90, 5)] + ["90+"]
#: The profile's age groups in 5-year bands, named by the ages they cover (the register's bands allow no "unter 18").
GROUP_BANDS = {
    "unter 20": BANDS[0:4],  # 0-4 ... 15-19
    "20–64": BANDS[4:13],  # 20-24 ... 60-64
    "65–79": BANDS[13:16],
    "80 und älter": BANDS[16:],
}
SECTIONS = ("Demografie", "Soziale Lage", "Kindergesundheit", "Gesundheit und Sterblichkeit", "Versorgung",
            "Wohnumfeld")  # fmt: skip


# --- the raw fixture files, read without the package ------------------------------------------------------------


@pytest.fixture(scope="module")
def raw_catalogue() -> pd.DataFrame:
    return pd.read_csv(SMALL_DATA / "indicators.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def raw_observations() -> pd.DataFrame:
    return pd.read_csv(SMALL_DATA / "observations.csv", dtype={"district": str, "period": str})


@pytest.fixture(scope="module")
def raw_population() -> pd.DataFrame:
    return pd.read_csv(SMALL_DATA / "population.csv", dtype={"district": str, "period": str})


def summed(observations: pd.DataFrame, indicator: str, area: str, periods: list[str]) -> tuple[float, float]:
    """Numerator and denominator of an indicator summed over an area's Ortsteile and the given periods."""
    rows = observations[
        (observations["indicator"] == indicator)
        & observations["district"].isin(MEMBERS[area])
        & observations["period"].isin(periods)
    ]
    assert len(rows) == len(MEMBERS[area]) * len(periods), (indicator, area, periods)
    return rows["numerator"].sum(), rows["denominator"].sum()


def percent(observations: pd.DataFrame, indicator: str, area: str, *periods: str) -> float:
    numerator, denominator = summed(observations, indicator, area, list(periods))
    return 100 * numerator / denominator


def population(raw_population: pd.DataFrame, area: str, period: str) -> pd.DataFrame:
    """Residents of an area by sex and age band (summed over its Ortsteile)."""
    rows = raw_population[raw_population["district"].isin(MEMBERS[area]) & (raw_population["period"] == period)]
    return rows.groupby(["sex", "age_band"])["population"].sum()


# --- the package's tables ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dataset(small_dataset):
    return small_dataset


@pytest.fixture(scope="module")
def tables(small_tables) -> ProfileTables:
    return small_tables


@pytest.fixture(scope="module")
def with_klushof(dataset) -> ProfileTables:
    """The fixture data with a copy of Goethestraße's rows as Klushof (135), a second inhabited Ortsteil of Lehe."""

    def copied(frame: pd.DataFrame) -> pd.DataFrame:
        copy = frame[frame["district"] == GOETHESTRASSE].assign(district=KLUSHOF)
        return pd.concat([frame, copy], ignore_index=True)

    return compute_tables(
        replace(dataset, observations=copied(dataset.observations), population=copied(dataset.population))
    )


def profile(tables: ProfileTables, code: str, period: str = "2024") -> Profile:
    (area,) = [a for a in tables.areas if a.code == code]
    return Profile(area, period, tables)


# --- who and where -------------------------------------------------------------------------------------------------


def test_the_fixture_has_the_city_and_two_one_ortsteil_stadtteile(tables):
    assert [(a.code, a.level, a.members, a.also_code) for a in tables.areas] == [
        (CITY, "stadt", ("111", "134"), ""),
        (WEDDEWARDEN, "stadtteil", ("111",), "111"),
        (LEHE, "stadtteil", ("134",), "134"),
    ]


def test_peers_of_the_city_and_of_a_stadtteil_are_the_stadtteile(tables):
    for code in (CITY, WEDDEWARDEN, LEHE):
        assert [a.code for a in profile(tables, code).peers] == [WEDDEWARDEN, LEHE]


def test_peers_of_an_ortsteil_are_the_ortsteile_including_one_ortsteil_stadtteile(with_klushof):
    assert [(a.code, a.level) for a in with_klushof.areas] == [
        (CITY, "stadt"), (WEDDEWARDEN, "stadtteil"), (LEHE, "stadtteil"), (GOETHESTRASSE, "ortsteil"),
        (KLUSHOF, "ortsteil"),
    ]  # fmt: skip
    goethestrasse = profile(with_klushof, GOETHESTRASSE)
    assert [a.code for a in goethestrasse.peers] == [WEDDEWARDEN, GOETHESTRASSE, KLUSHOF]
    assert [a.code for a in profile(with_klushof, LEHE).peers] == [WEDDEWARDEN, LEHE]
    assert goethestrasse.level_line == "Ortsteil im Stadtteil Lehe"


def test_shown_areas_are_the_area_its_peers_and_the_city(tables, with_klushof):
    assert profile(tables, LEHE).shown_areas == frozenset({LEHE, WEDDEWARDEN, CITY})
    assert profile(tables, CITY).shown_areas == frozenset({CITY, WEDDEWARDEN, LEHE})
    assert profile(with_klushof, KLUSHOF).shown_areas == frozenset({KLUSHOF, GOETHESTRASSE, WEDDEWARDEN, CITY})


def test_names_and_level_lines(tables):
    lehe, city = profile(tables, LEHE, "2024-Q3"), profile(tables, CITY)
    assert (lehe.name, lehe.period_label) == ("Lehe", "3. Quartal 2024")
    assert lehe.level_line == "Stadtteil (zugleich Ortsteil 134) in Bremerhaven"
    assert city.level_line == "Stadt Bremerhaven – Vergleich der 9 Stadtteile"  # the register has 9 Stadtteile
    assert city.stadtteil_count == 9 and city.city.code == CITY


def test_ortsteile_of_the_register(tables):
    ortsteile = profile(tables, LEHE).ortsteile()
    register = pd.read_csv(SMALL_DATA / "districts.csv", dtype=str)
    expected = register[register["level"] == "ortsteil"]
    names = dict(zip(register["code"], register["name"], strict=True))
    assert list(ortsteile.columns) == ["code", "name", "stadtteil_code", "stadtteil_name"]
    assert ortsteile["code"].tolist() == expected["code"].tolist() and len(ortsteile) == 24
    assert ortsteile["name"].tolist() == expected["name"].tolist()
    assert ortsteile["stadtteil_name"].tolist() == [names[code] for code in expected["parent_code"]]
    assert ortsteile.set_index("code").loc["252", "stadtteil_name"] == "Fischereihafen"


def test_suppression_note_is_the_rule(tables):
    assert profile(tables, LEHE).suppression_note == SuppressionRule().describe_de()


# --- indicators ------------------------------------------------------------------------------------------------


def test_indicator_rows_are_every_indicator_in_catalogue_order(tables, raw_catalogue):
    rows = profile(tables, LEHE).indicator_rows()
    assert rows["id"].tolist() == raw_catalogue["id"].tolist() and len(rows) == 41
    assert (rows["area"] == LEHE).all()
    assert rows["name"].tolist() == raw_catalogue["name"].tolist()
    assert rows["numerator_definition"].tolist() == raw_catalogue["numerator"].tolist()
    denominators = rows["denominator_definition"].fillna("").tolist()
    assert denominators == raw_catalogue["denominator"].tolist()


@pytest.mark.parametrize("section", SECTIONS)
def test_indicator_rows_of_a_section(tables, raw_catalogue, section):
    rows = profile(tables, LEHE).indicator_rows(section)
    assert rows["id"].tolist() == raw_catalogue.loc[raw_catalogue["section"] == section, "id"].tolist()
    assert rows.index.tolist() == list(range(len(rows)))


def test_the_period_of_each_indicator_in_a_yearly_report(tables, raw_catalogue, raw_observations):
    rows = profile(tables, LEHE, "2024").indicator_rows().set_index("id")
    for spec in raw_catalogue.itertuples():
        years = int(spec.years_pooled)
        own = raw_observations.loc[
            (raw_observations["indicator"] == spec.id) & (raw_observations["district"] == GOETHESTRASSE), "period"
        ]
        # a year is represented by its fourth quarter; annual: the latest year with data
        expected = "2024-Q4" if spec.frequency == "quarterly" else str(max(int(p) for p in own if int(p) <= 2024))
        label = expected if years == 1 else f"{int(expected) - years + 1}–{expected}"
        assert (rows.at[spec.id, "period"], rows.at[spec.id, "period_label"]) == (expected, label), spec.id
    # by hand: annual, quarterly, pooled 3 and 5 years, an election held only in 2019 and 2023
    assert rows.loc[["DEM01", "SOZ01", "KIG01", "GES01", "UMW03"], "period_label"].tolist() == [
        "2024", "2024-Q4", "2022–2024", "2020–2024", "2023"]  # fmt: skip


def test_the_period_of_quarterly_indicators_in_a_quarterly_report(tables, raw_observations):
    rows = profile(tables, CITY, "2023-Q2").indicator_rows().set_index("id")
    for indicator in ("SOZ01", "SOZ02", "SOZ03"):
        assert rows.at[indicator, "period"] == "2023-Q2"
        assert rows.at[indicator, "value"] == pytest.approx(percent(raw_observations, indicator, CITY, "2023-Q2"))


def test_annual_indicators_in_a_quarterly_report_show_the_quarter_s_year(tables):
    rows = profile(tables, CITY, "2023-Q2").indicator_rows().set_index("id")
    assert rows.at["DEM03", "period"] == "2023"
    assert rows.at["KIG01", "period_label"] == "2021–2023"


def test_values_are_the_sums_over_the_member_ortsteile(tables, raw_observations, raw_catalogue):
    city = profile(tables, CITY).indicator_rows().set_index("id")
    lehe = profile(tables, LEHE).indicator_rows().set_index("id")
    obs = raw_observations
    expected_city = {
        "DEM01": summed(obs, "DEM01", CITY, ["2024"])[0],  # a count
        "DEM03": percent(obs, "DEM03", CITY, "2024"),  # a proportion
        "SOZ01": percent(obs, "SOZ01", CITY, "2024-Q4"),  # quarterly
        "KIG01": percent(obs, "KIG01", CITY, "2022", "2023", "2024"),  # three cohorts pooled
        "UMW01": np.divide(*summed(obs, "UMW01", CITY, ["2024"])),  # a ratio, m² per resident
        "UMW03": percent(obs, "UMW03", CITY, "2023"),  # the latest election
    }
    for indicator, value in expected_city.items():
        assert not city.at[indicator, "suppressed"], indicator
        assert city.at[indicator, "value"] == pytest.approx(value, rel=1e-12), indicator
        assert lehe.at[indicator, "city_value"] == pytest.approx(value, rel=1e-12), indicator
    assert lehe.at["DEM03", "value"] == pytest.approx(percent(obs, "DEM03", LEHE, "2024"), rel=1e-12)
    assert lehe.at["DEM03", "numerator"] == summed(obs, "DEM03", LEHE, ["2024"])[0]
    assert raw_catalogue.set_index("id").at["UMW01", "multiplier"] == "1"


def test_suppressed_rows_carry_no_value(tables):
    rows = profile(tables, LEHE).indicator_rows()
    hidden = rows[rows["suppressed"]]
    assert len(hidden) > 0 and "KIG01" in set(hidden["id"])  # Weddewarden's few children hide Lehe's by difference
    assert hidden[["value", "lower", "upper", "numerator"]].isna().all().all()


def test_series_shows_the_same_quarter_each_year(tables, raw_observations):
    columns = ["period", "period_label", "value", "lower", "upper", "city_value", "suppressed"]
    city = profile(tables, CITY, "2024")
    series = city.series("SOZ01")
    assert list(series.columns) == columns
    assert series["period"].tolist() == [f"{year}-Q4" for year in range(2019, 2025)]
    expected = [percent(raw_observations, "SOZ01", CITY, f"{year}-Q4") for year in range(2019, 2025)]
    assert series["value"].tolist() == pytest.approx(expected, rel=1e-12)
    assert series["city_value"].tolist() == pytest.approx(expected, rel=1e-12)
    second = profile(tables, CITY, "2023-Q2").series("SOZ01")
    assert second["period"].tolist() == [f"{year}-Q2" for year in range(2019, 2024)]
    expected = [percent(raw_observations, "SOZ01", CITY, f"{year}-Q2") for year in range(2019, 2024)]
    assert second["value"].tolist() == pytest.approx(expected, rel=1e-12)


def test_series_of_annual_and_pooled_indicators(tables, raw_observations):
    annual = profile(tables, CITY, "2022").series("DEM03")
    assert annual["period"].tolist() == ["2019", "2020", "2021", "2022"]
    expected = [percent(raw_observations, "DEM03", CITY, str(year)) for year in range(2019, 2023)]
    assert annual["value"].tolist() == pytest.approx(expected, rel=1e-12)
    pooled = profile(tables, CITY, "2024").series("KIG01")  # three cohorts: the first value is 2019-2021
    assert pooled["period"].tolist() == ["2021", "2022", "2023", "2024"]
    assert pooled["period_label"].tolist() == ["2019–2021", "2020–2022", "2021–2023", "2022–2024"]
    shown = pooled[~pooled["suppressed"]]
    assert len(shown) >= 1 and pooled.loc[pooled["suppressed"], "value"].isna().all()
    expected = [percent(raw_observations, "KIG01", CITY, *map(str, range(int(last) - 2, int(last) + 1)))
                for last in shown["period"]]  # fmt: skip
    assert shown["value"].tolist() == pytest.approx(expected, rel=1e-12)
    assert pooled.loc[pooled["suppressed"], "value"].isna().all()


def test_series_of_an_area_with_hidden_values(tables):
    series = profile(tables, LEHE, "2024").series("SOZ01")
    assert len(series) == 6 and series["suppressed"].any()
    assert series.loc[series["suppressed"], ["value", "lower", "upper"]].isna().all().all()


def test_series_of_an_indicator_without_rows_for_the_area_is_empty(tables):
    series = profile(tables, LEHE).series("NOPE")
    assert series.empty and list(series.columns) == ["period", "period_label", "value", "lower", "upper",
                                                     "city_value", "suppressed"]  # fmt: skip


def test_peer_values_are_each_peer_s_value_in_the_report_period(tables, raw_observations):
    peers = profile(tables, CITY).peer_values("DEM03")
    assert list(peers.columns) == ["code", "name", "value", "lower", "upper", "suppressed"]
    assert peers[["code", "name"]].values.tolist() == [[WEDDEWARDEN, "Weddewarden"], [LEHE, "Lehe"]]
    expected = [percent(raw_observations, "DEM03", area, "2024") for area in (WEDDEWARDEN, LEHE)]
    assert peers["value"].tolist() == pytest.approx(expected, rel=1e-12)
    assert not peers["suppressed"].any() and (peers["lower"] < peers["value"]).all()
    quarterly = profile(tables, CITY, "2023-Q2").peer_values("SOZ05")  # annual: the latest year up to the quarter
    assert quarterly["value"].notna().all()


def test_peer_values_of_hidden_and_missing_cells(tables):
    hidden = profile(tables, CITY).peer_values("KIG01")
    assert hidden["suppressed"].all() and hidden["value"].isna().all()
    missing = profile(tables, CITY).peer_values("NOPE")
    assert missing["code"].tolist() == [WEDDEWARDEN, LEHE]
    assert missing["suppressed"].all() and missing["value"].isna().all()


def test_spine_rows_compare_the_area_with_the_spread_of_its_peers(tables, raw_observations, raw_catalogue):
    rows = profile(tables, CITY).spine_rows()
    catalogue = raw_catalogue.set_index("id")
    compared = raw_catalogue.loc[raw_catalogue["statistic"] != "count", "name"].tolist()
    assert rows["name"].tolist() == compared  # every indicator but counts, catalogue order
    assert list(rows.columns) == ["name", "unit", "value", "city_value", "minimum", "q25", "q75", "maximum",
                                  "classification", "polarity", "suppressed"]  # fmt: skip
    share = rows.set_index("name").loc[catalogue.at["DEM03", "name"]]
    low, high = sorted(percent(raw_observations, "DEM03", area, "2024") for area in (WEDDEWARDEN, LEHE))
    assert (share["minimum"], share["maximum"]) == pytest.approx((low, high), rel=1e-12)
    assert share["q25"] == pytest.approx(low + (high - low) / 4, rel=1e-12)  # linear between the two peers
    assert share["q75"] == pytest.approx(low + 3 * (high - low) / 4, rel=1e-12)
    assert share["value"] == pytest.approx(percent(raw_observations, "DEM03", CITY, "2024"), rel=1e-12)
    assert (share["unit"], share["polarity"]) == ("%", "neutral") and not share["suppressed"]
    assert share["classification"] == "not compared"  # the city is not compared with itself
    hidden = rows.set_index("name").loc[catalogue.at["KIG01", "name"]]  # both peers hidden
    assert np.isnan([hidden["minimum"], hidden["q25"], hidden["q75"], hidden["maximum"]]).all()


def test_spine_rows_of_a_stadtteil_classify_against_the_city(tables):
    rows = profile(tables, LEHE).spine_rows().set_index("name")
    own = profile(tables, LEHE).indicator_rows().set_index("name")
    assert (rows["classification"] == own.loc[rows.index, "comparison_95"]).all()
    assert (rows["suppressed"] == own.loc[rows.index, "suppressed"]).all()
    assert rows["suppressed"].dtype == bool


# --- population ---------------------------------------------------------------------------------------------


def test_pyramid_shares_of_the_area_and_the_city(tables, raw_population):
    pyramid = profile(tables, LEHE).pyramid()
    assert list(pyramid.columns) == ["sex", "age_band", "district_share", "city_share"]
    assert list(zip(pyramid["sex"], pyramid["age_band"], strict=True)) == [
        (sex, band) for sex in ("m", "w") for band in BANDS
    ]
    own, city = population(raw_population, LEHE, "2024"), population(raw_population, CITY, "2024")
    keys = list(zip(pyramid["sex"], pyramid["age_band"], strict=True))
    assert pyramid["district_share"].tolist() == pytest.approx([100 * own[k] / own.sum() for k in keys])
    assert pyramid["city_share"].tolist() == pytest.approx([100 * city[k] / city.sum() for k in keys])
    assert pyramid["district_share"].sum() == pytest.approx(100) and pyramid["city_share"].sum() == pytest.approx(100)


def test_age_groups_shares_of_the_area_and_the_city(tables, raw_population):
    groups = profile(tables, WEDDEWARDEN).age_groups()
    assert groups["group"].tolist() == list(GROUP_BANDS)
    uppers = groups["upper"].astype(object).where(groups["upper"].notna(), None)
    assert list(zip(groups["lower"], uppers, strict=True)) == list(AGE_GROUPS)
    for column, area in (("district_share", WEDDEWARDEN), ("city_share", CITY)):
        by_band = population(raw_population, area, "2024").groupby("age_band").sum()
        expected = [100 * by_band[bands].sum() / by_band.sum() for bands in GROUP_BANDS.values()]
        assert groups[column].tolist() == pytest.approx(expected), column
        assert groups[column].sum() == pytest.approx(100)


def test_population_total_and_development(tables, raw_population):
    lehe = profile(tables, LEHE, "2022")
    assert lehe.population_total == population(raw_population, LEHE, "2022").sum()
    development = lehe.population_development()
    assert development["period"].tolist() == ["2019", "2020", "2021", "2022"]
    for column, area in (("district_population", LEHE), ("city_population", CITY)):
        expected = [population(raw_population, area, year).sum() for year in development["period"]]
        assert development[column].tolist() == expected
    assert profile(tables, CITY, "2024").population_total == population(raw_population, CITY, "2024").sum()


# --- the lead indicator of a section -----------------------------------------------------------------------------


def synthetic_tables(rows: list[tuple]) -> ProfileTables:
    """One area "1" (the city) with the given indicator rows: (id, section, comparison, suppressed, lower)."""
    indicators = pd.DataFrame(rows, columns=["indicator", "section", "comparison_95", "suppressed", "lower"]).assign(
        area="1", period="2024", period_label="2024", value=10.0, upper=12.0, city_value=10.0
    )
    catalogue = indicators[["indicator", "section"]].rename(columns={"indicator": "id"}).assign(
        name="Name", definition="", numerator="", denominator="", statistic="proportion", unit="%",
        polarity="higher_is_worse", source="", years_pooled=1,
    )  # fmt: skip
    districts = pd.DataFrame({"code": ["1"], "name": ["Stadt"], "level": ["stadt"], "parent_code": [None]})
    areas = (Area("1", "Stadt", "stadt", "", "", ("1",)),)
    return ProfileTables(indicators.drop(columns="section"), catalogue, pd.DataFrame(), districts, areas, {},
                         SuppressionRule())  # fmt: skip


def test_lead_indicator_is_the_first_significant_difference_else_the_first_with_an_interval():
    tables = synthetic_tables([
        ("A1", "A", "worse", True, np.nan),  # hidden
        ("A2", "A", "similar", False, 8.0),
        ("A3", "A", "not compared", False, np.nan),  # a count: no interval
        ("A4", "A", "better", False, 8.0),
        ("A5", "A", "worse", False, 8.0),
        ("B1", "B", "not compared", False, np.nan),
        ("B2", "B", "similar", False, 8.0),
        ("B3", "B", "similar", False, 8.0),
        ("C1", "C", "worse", True, np.nan),
        ("C2", "C", "not compared", False, np.nan),
    ])  # fmt: skip
    city = profile(tables, "1")
    assert [city.lead_indicator(section) for section in "ABC"] == ["A4", "B2", None]
    assert city.lead_indicator("no such section") is None


def test_lead_indicators_of_the_fixture(tables, raw_catalogue):
    """The rule applied by hand to Lehe's rows of the published indicator table."""
    published = tables.indicators[tables.indicators["area"] == LEHE].set_index(["indicator", "period"])
    expected = {}
    for section in SECTIONS:
        candidates, different = [], []
        for spec in raw_catalogue[raw_catalogue["section"] == section].itertuples():
            period = "2024-Q4" if spec.frequency == "quarterly" else "2023" if spec.id == "UMW03" else "2024"
            row = published.loc[(spec.id, period)]
            if not row["suppressed"] and pd.notna(row["lower"]):
                candidates.append(spec.id)
                if row["comparison_95"] in ("worse", "better", "higher", "lower"):
                    different.append(spec.id)
        expected[section] = (different or candidates or [None])[0]
    lehe = profile(tables, LEHE)
    assert {section: lehe.lead_indicator(section) for section in SECTIONS} == expected
    assert sum(lead is not None for lead in expected.values()) >= 4


# --- opening a profile as the notebook does ---------------------------------------------------------------------------


def test_open_profile_from_the_build_s_tables_or_from_a_data_folder(tables, tmp_path):
    path = tmp_path / "tables.pkl"
    path.write_bytes(save_tables(tables))
    cached = open_profile("Lehe", tables=str(path))
    assert (cached.area.code, cached.period) == (LEHE, "2024")  # the latest period
    pd.testing.assert_frame_equal(cached.indicator_rows(), profile(tables, LEHE).indicator_rows())
    computed = open_profile("134", "2023", data_dir=str(SMALL_DATA))  # Goethestraße is Lehe's only Ortsteil
    assert (computed.area.code, computed.period) == (LEHE, "2023")
