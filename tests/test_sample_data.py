"""The bundled data in data/ (the register's reference facts and, while they are the generated sample data, their
consistency) and the sample-data generator scripts/generate_sample_data.py."""

from __future__ import annotations

import importlib.util
import sys

import pandas as pd
from conftest import REPO

from quartiersprofile.model.age_bands import select_age_bands
from quartiersprofile.model.contract import SECTIONS, STATISTICS
from quartiersprofile.model.dataset import DATA_DIR, latest_period


def load_generator():
    path = REPO / "scripts" / "generate_sample_data.py"
    spec = importlib.util.spec_from_file_location("generate_sample_data", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_bundled_sample_metadata(sample_dataset):
    assert sample_dataset.metadata["sample_data"] is True
    assert sample_dataset.metadata["sample_notice"].startswith("Beispieldaten")
    assert str(sample_dataset.metadata["stand"]) == "2025-03-31"
    assert latest_period(sample_dataset) == "2024"


def test_register_facts(bundled_dataset):
    districts = bundled_dataset.districts.set_index("code")
    assert districts["level"].value_counts().to_dict() == {
        "ortsteil": 24,
        "stadtteil": 9,
        "stadtbezirk": 2,
        "stadt": 1,
    }
    assert districts.loc["13", ["name", "population_2018"]].tolist() == ["Lehe", 38643]
    assert districts.loc["134", "name"] == "Goethestraße"
    assert districts.loc["252", ["name", "population_2018"]].tolist() == ["Luneplate", 0]
    assert districts.loc["4012", "population_2018"] == 117606  # sum of the 9 Stadtteile, reference data
    children = districts[districts["parent_code"].notna()].groupby("parent_code")["population_2018"].sum()
    assert (districts.loc[children.index, "population_2018"] == children).all()


def test_catalogue_covers_every_statistic_and_section(sample_dataset):
    catalogue = sample_dataset.catalogue
    assert len(catalogue) >= 30
    assert set(catalogue["statistic"]) == set(STATISTICS)
    assert set(catalogue["section"]) == set(SECTIONS)
    quarterly = catalogue.loc[catalogue["frequency"] == "quarterly", "id"]
    assert sorted(quarterly) == ["SOZ01", "SOZ02", "SOZ03"]
    assert (catalogue.loc[catalogue["section"] == "Kindergesundheit", "years_pooled"] == 3).all()


def test_sample_data_is_consistent(sample_dataset):
    observations, population = sample_dataset.observations, sample_dataset.population
    old = population[population["age_band"].isin(select_age_bands("65+"))]
    old = old.groupby(["district", "period"])["population"].sum()
    shares = observations[observations["indicator"] == "DEM04"].set_index(["district", "period"])
    pd.testing.assert_series_equal(shares["numerator"], old, check_names=False)
    assert "252" not in set(observations["district"]) | set(population["district"])
    premature = observations[observations["indicator"] == "GES02"]
    assert set(premature["age_band"]) == set(select_age_bands("0-64"))
    quota = observations[(observations["indicator"] == "SOZ01") & (observations["period"] == "2024-Q4")]
    quota = (quota["numerator"] / quota["denominator"]).set_axis(quota["district"])
    assert quota["134"] > 0.25 > 0.08 > quota["231"]  # Goethestraße vs Surheide


def test_generator_is_deterministic_and_matches_committed_data(sample_dataset, tmp_path):
    generator = load_generator()
    first = generator.generate(out_dir=tmp_path / "first")
    second = generator.generate(out_dir=tmp_path / "second")
    for name, path in first.items():
        assert path.read_bytes() == second[name].read_bytes()
        assert path.read_bytes() == (DATA_DIR / f"{name}.csv").read_bytes(), f"rerun the generator ({name})"
