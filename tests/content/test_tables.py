"""The tables every profile of a build reads (quartiersprofile.content.tables), on the small fixture data."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import SMALL_DATA

from quartiersprofile.content.indicators import build_indicator_table, unsuppressed_indicator_table
from quartiersprofile.content.tables import compute_tables, latest_period, load_tables, save_tables
from quartiersprofile.stats.suppression import SuppressionRule


@pytest.fixture(scope="module")
def dataset(small_dataset):
    return small_dataset


@pytest.fixture(scope="module")
def tables(small_tables):
    return small_tables


def test_population_is_summed_over_each_area_s_ortsteile(tables):
    raw = pd.read_csv(SMALL_DATA / "population.csv", dtype={"district": str, "period": str})
    totals = tables.population.groupby(["area", "period"])["population"].sum()
    for area, members in (("4012", ["111", "134"]), ("11", ["111"]), ("13", ["134"])):
        expected = raw[raw["district"].isin(members)].groupby("period")["population"].sum()
        assert totals[area].to_dict() == expected.to_dict(), area
    assert list(tables.population.columns) == ["area", "period", "sex", "age_band", "population"]
    assert len(tables.population) == 3 * 6 * 2 * 19  # areas x years x sexes x age bands


def test_the_tables_carry_the_data_s_catalogue_register_metadata_and_rule(tables, dataset):
    assert tables.catalogue is dataset.catalogue and tables.districts is dataset.districts
    assert tables.metadata == dataset.metadata and tables.metadata is not dataset.metadata
    assert tables.rule == SuppressionRule() and tables.boundaries is None
    assert [a.code for a in tables.areas] == ["4012", "11", "13"]


def test_indicators_are_the_suppressed_indicator_table(tables, dataset):
    combined = build_indicator_table(dataset, list(tables.areas))  # with the rows by sex ("sex" = "w", "m")
    pd.testing.assert_frame_equal(tables.indicators, combined[combined["sex"] == ""].drop(columns="sex"))
    truth = unsuppressed_indicator_table(dataset, list(tables.areas))
    pd.testing.assert_frame_equal(compute_tables(dataset, unsuppressed=truth).indicators, tables.indicators)


def test_saved_tables_load_back_equal(tables, tmp_path):
    path = tmp_path / "tables.pkl"
    path.write_bytes(save_tables(tables))
    loaded = load_tables(path)
    pd.testing.assert_frame_equal(loaded.indicators, tables.indicators)
    pd.testing.assert_frame_equal(loaded.population, tables.population)
    assert (loaded.areas, loaded.metadata, loaded.rule) == (tables.areas, tables.metadata, tables.rule)
    assert save_tables(tables) == save_tables(tables)


def test_latest_period_prefers_the_year_over_its_fourth_quarter(tables):
    assert {"2024", "2024-Q4"} <= set(tables.indicators["period"])
    assert latest_period(tables) == "2024"
