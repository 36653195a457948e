"""What the reports say about the population projection (quartiersprofile.content.projection): the projection of
every area computed once per build, the table per age group, the sentences made from its numbers, and the
small-number rule applied to projected counts."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

from quartiersprofile.content import projection as cp
from quartiersprofile.content.tables import compute_tables
from quartiersprofile.model.age_bands import AGE_BANDS, AGE_GROUPS, age_group_label
from quartiersprofile.model.areas import Area
from quartiersprofile.model.contract import PROJECTION_HORIZON
from quartiersprofile.stats import projection as pr
from quartiersprofile.stats.suppression import SuppressionRule

RULE = SuppressionRule()
GROUPS = [cp.TOTAL_LABEL, *(age_group_label(lo, hi) for lo, hi in AGE_GROUPS)]
NUMBER = re.compile(r"[−+]?\d+")


@pytest.fixture(scope="module")
def projection(bundled_tables):
    return bundled_tables.projection


def test_the_build_s_tables_hold_the_projection_of_every_area(bundled_tables, projection):
    assert projection.available and projection.launch_year == 2024 and projection.years == (2029, 2034)
    codes = {a.code for a in bundled_tables.areas}
    assert set(projection.groups["area"]) == codes == set(projection.launch["area"]) == set(projection.bands["area"])
    assert sorted(projection.groups["year"].unique()) == list(range(2025, 2025 + PROJECTION_HORIZON))
    assert projection.control == cp.CONTROL_CITY and projection.coverage == 0.8
    assert list(projection.error_table.columns) == ["size_class", "areas", "projections", "horizon", "MAPE insgesamt",
                                                    "MAPE 65–79"]  # fmt: skip


def test_the_projection_is_the_stats_module_s(bundled_dataset, bundled_tables, projection):
    groups = pr.project_with_intervals(bundled_dataset.population, cp.areas_frame(bundled_tables.areas), coverage=0.8)
    merged = groups.merge(projection.groups, on=["area", "year", "age_group"], suffixes=("", "_tables"))
    assert len(merged) == len(groups) == len(projection.groups)
    np.testing.assert_allclose(merged["population"], merged["population_tables"])
    np.testing.assert_allclose(merged["upper"], merged["upper_tables"])
    errors = pr.backtest_error_table(pr.backtest(bundled_dataset.population, cp.areas_frame(bundled_tables.areas)))
    pd.testing.assert_frame_equal(errors, projection.error_table)


def ortsteile(tables) -> list[str]:
    """The areas that are one Ortsteil each (a one-Ortsteil Stadtteil under its own code)."""
    return [a.code for a in tables.areas if a.level == "ortsteil" or a.also_code]


def test_ortsteile_add_up_to_the_city_in_every_year_sex_and_band(bundled_tables, projection):
    city = next(a for a in bundled_tables.areas if a.level == "stadt")
    assert len(ortsteile(bundled_tables)) == len(city.members) == 23
    bands = projection.bands.set_index(["area", "year", "sex", "age_band"])["population"]
    parts = bands[bands.index.get_level_values("area").isin(ortsteile(bundled_tables))]
    parts = parts.groupby(["year", "sex", "age_band"]).sum()
    np.testing.assert_allclose(parts, bands.loc[city.code].reindex(parts.index), rtol=1e-9)
    assert len(parts) == PROJECTION_HORIZON * 2 * len(AGE_BANDS)


def test_the_area_table_has_the_launch_year_and_both_horizons(bundled_tables, projection):
    table = cp.area_table(projection, "13", RULE)
    assert list(table["group"]) == GROUPS
    lehe = bundled_tables.population
    lehe = lehe[(lehe["area"] == "13") & (lehe["period"] == "2024")]
    assert table["now"].iloc[0] == lehe["population"].sum()
    assert table["now"].iloc[1:].sum() == table["now"].iloc[0]
    row = table.iloc[3]  # 65-79
    assert (row["age_from"], row["age_to"]) == (65, 79)
    assert row["value_10"] == pytest.approx(
        projection.groups.query("area == '13' and year == 2034 and age_group == '65–79'")["population"].item()
    )
    assert row["change_10"] == pytest.approx(100 * (row["value_10"] / row["now"] - 1))
    assert row["lower_10"] < row["value_10"] < row["upper_10"]
    assert not table.filter(like="_hidden").to_numpy().any()  # no small numbers in Lehe


def test_a_sentence_per_group_with_the_table_s_numbers(bundled_tables, projection):
    lehe = next(a for a in bundled_tables.areas if a.code == "13")
    table = cp.area_table(projection, "13", RULE)
    sentences = cp.sentences(projection, lehe, RULE)
    assert len(sentences) == len(table) == 5
    for sentence, (_, row) in zip(sentences, table.iterrows(), strict=True):
        assert sentence.startswith("Bis 2034 ") and " in Lehe voraussichtlich " in sentence
        change = cp.format_change(row["change_10"])
        limits = sorted(abs(int(cp.format_change(row[c]).replace("−", "-"))) for c in ("change_lower_10",
                                                                                        "change_upper_10"))
        numbers = [abs(int(n.replace("−", "-"))) for n in NUMBER.findall(sentence.split("Lehe", 1)[1])]
        expected = ([] if change == "0" else [abs(int(change.replace("−", "-")))])
        assert numbers[: len(expected)] == expected, sentence
        assert sorted(numbers[len(expected):]) == limits, sentence
    assert "65- bis 79-Jährigen" in sentences[3] and "80-Jährigen und Älteren" in sentences[4]
    assert "unter 20-Jährigen" in sentences[1] and "Einwohner:innen" in sentences[0]


def test_group_phrases_follow_the_bounds():
    assert cp.group_phrase(65, 79) == "65- bis 79-Jährigen"
    assert cp.group_phrase(0, 17) == "unter 18-Jährigen"
    assert cp.group_phrase(80, None) == "80-Jährigen und Älteren"


def test_the_example_sentence_of_the_issue():
    row = pd.Series({"age_from": 65, "age_to": 79, "year_10": 2034, "change_10": 18.2, "change_lower_10": 11.4,
                     "change_upper_10": 25.3, "change_10_hidden": False,
                     "change_interval_10_hidden": False})  # fmt: skip
    assert cp.sentence(row, "Lehe") == (
        "Bis 2034 wächst die Zahl der 65- bis 79-Jährigen in Lehe voraussichtlich um 18\u00a0% (Spanne 11–25\u00a0%)."
    )
    falling = row.copy()
    falling[["change_10", "change_lower_10", "change_upper_10"]] = [-7.4, -12.0, 2.6]
    assert cp.sentence(falling, "Lehe").endswith("sinkt die Zahl der 65- bis 79-Jährigen in Lehe voraussichtlich "
                                                 "um 7\u00a0% (Spanne −12 bis +3\u00a0%).")  # fmt: skip
    flat = row.copy()
    flat["change_10"] = 0.3
    assert "bleibt die Zahl" in cp.sentence(flat, "Lehe")


# --- small numbers ------------------------------------------------------------------------------------------


def tiny_projection(now: list[float], projected: list[float], lower=None, upper=None) -> cp.ProjectionTables:
    """A projection of one area "X" with the given counts (total first, then AGE_GROUPS) at both horizons."""
    lower = [p * 0.9 for p in projected] if lower is None else lower
    upper = [p * 1.1 for p in projected] if upper is None else upper
    groups = [
        {"area": "X", "size_class": "s", "year": 2024 + h, "horizon": h, "age_group": g, "population": p,
         "lower": lo, "upper": up}
        for h in cp.HORIZONS
        for g, p, lo, up in zip(GROUPS, projected, lower, upper, strict=True)
    ]  # fmt: skip
    bounds = [pr.TOTAL, *AGE_GROUPS]
    launch = pd.DataFrame({"area": "X", "age_group": GROUPS, "age_from": [lo for lo, _ in bounds],
                           "age_to": pd.array([hi for _, hi in bounds], dtype="Int64"), "population": now})  # fmt: skip
    return cp.ProjectionTables(launch_year=2024, groups=pd.DataFrame(groups), launch=launch)


def test_projected_counts_of_1_to_4_people_are_hidden_and_so_is_their_change():
    projection = tiny_projection(now=[60, 10, 30, 12, 8], projected=[62, 9, 31, 18.2, 3.6])
    table = cp.area_table(projection, "X", RULE).set_index("group")
    old = table.loc["80 und älter"]
    assert old["value_10_hidden"] and np.isnan(old["value_10"]) and np.isnan(old["lower_10"])
    assert old["change_10_hidden"] and np.isnan(old["change_10"]) and np.isnan(old["change_upper_10"])
    # the next smallest group is hidden too, or the total minus the others would give 3.6 away
    assert table.loc["unter 20", "value_10_hidden"] and not table.loc["65–79", "value_10_hidden"]
    assert not table.loc[cp.TOTAL_LABEL, "value_10_hidden"] and not table.loc["80 und älter", "now_hidden"]
    sentence = cp.sentence(table.reset_index().iloc[4], "X")
    assert "keine Veränderung aus" in sentence and not re.search(r"\d+\s*%", sentence)


def test_a_limit_of_1_to_4_people_hides_the_interval_and_the_change_s_interval():
    projection = tiny_projection(now=[60, 10, 30, 12, 8], projected=[62, 9, 31, 15, 7], lower=[55, 8, 26, 13, 4.4])
    row = cp.area_table(projection, "X", RULE).set_index("group").loc["80 und älter"]
    assert not row["value_10_hidden"] and row["interval_10_hidden"] and row["change_interval_10_hidden"]
    assert not row["change_10_hidden"] and row["change_10"] == pytest.approx(-12.5)
    assert "Spanne wegen kleiner Zahlen nicht ausgewiesen" in cp.sentence(row, "X")


def test_counts_shown_as_0_or_from_5_on_are_shown_and_4_5_is_hidden():
    assert list(cp.is_small([0, 0.49, 0.5, 4.49, 4.5, 5, 12], RULE)) == [False, False, True, True, False, False,
                                                                        False]  # fmt: skip
    assert list(cp.is_small([4.49, 4.5], SuppressionRule(min_count=10))) == [True, True]


def test_a_hidden_launch_count_hides_its_change():
    projection = tiny_projection(now=[60, 10, 30, 17, 3], projected=[62, 9, 31, 15, 7])
    row = cp.area_table(projection, "X", RULE).set_index("group").loc["80 und älter"]
    assert row["now_hidden"] and np.isnan(row["now"]) and row["change_10_hidden"] and not row["value_10_hidden"]


def test_the_comparison_of_all_areas_hides_what_the_areas_hide(bundled_tables, projection):
    areas = list(bundled_tables.areas)
    frame = cp.changes(projection, areas, RULE)
    assert len(frame) == 2 * len(areas) and set(frame["group"]) == {"65–79", "80 und älter"}
    tiny = cp.changes(tiny_projection([60, 10, 30, 12, 8], [62, 9, 31, 18.2, 3.6]),
                      [Area("X", "X", "ortsteil", "1", "P", ("X",))], RULE)  # fmt: skip
    assert list(tiny["hidden"]) == [False, True] and np.isnan(tiny["change"].iloc[1])


def test_the_pyramid_hides_projected_bands_of_1_to_4_people(bundled_tables, projection):
    frame = cp.pyramid(projection, bundled_tables.population, "25", RULE)  # Fischereihafen, ~240 residents
    assert len(frame) == 2 * len(AGE_BANDS)
    assert frame["projected_hidden"].any() and frame.loc[frame["projected_hidden"], "projected"].isna().all()
    shown = frame.loc[~frame["projected_hidden"], "projected"].dropna()
    assert ((shown == 0) | (shown >= 4.5)).all()


# --- without a projection, with an official one -----------------------------------------------------------


def test_two_years_of_population_give_no_projection_but_a_note(small_dataset):
    population = small_dataset.population[small_dataset.population["period"].isin(["2023", "2024"])]
    dataset = dataclasses.replace(small_dataset, population=population)
    result = cp.compute_projection(dataset, compute_tables(small_dataset).areas)
    assert not result.available and "mindestens drei" in result.note and result.years == ()


def test_an_official_projection_controls_the_ortsteile(small_dataset, small_tables):
    own = small_tables.projection
    city = next(a for a in small_tables.areas if a.level == "stadt")
    official = own.bands[own.bands["area"] == city.code].drop(columns="area")
    official = official.assign(year=official["year"].astype(str), population=official["population"] * 1.1)
    dataset = dataclasses.replace(small_dataset, projection=official)
    controlled = cp.compute_projection(dataset, small_tables.areas)
    assert controlled.control == cp.CONTROL_OFFICIAL
    totals = controlled.bands.groupby(["area", "year"])["population"].sum()
    np.testing.assert_allclose(totals.loc[city.code], 1.1 * own.bands[own.bands["area"] == city.code]
                               .groupby("year")["population"].sum())  # fmt: skip
    parts = controlled.bands[controlled.bands["area"].isin(ortsteile(small_tables))]
    parts = parts.groupby(["year", "sex", "age_band"])
    np.testing.assert_allclose(parts["population"].sum().to_numpy(), official.set_index(["year", "sex", "age_band"])
                               .sort_index()["population"].to_numpy(), rtol=1e-9)  # fmt: skip


def test_digest_frames_cover_the_areas_and_the_back_test(projection):
    frames = cp.digest_frames(projection, {"13"})
    assert set(frames[0]["area"]) == {"13"} and set(frames[1]["area"]) == {"13"}
    assert frames[2] is projection.error_table
    assert cp.digest_frames(None, {"13"}) == [] and cp.digest_frames(cp.ProjectionTables(note="x"), {"13"}) == []
