"""Planning a build on the client (quartiersprofile.build.plan), on the small fixture data: the period, the content
fingerprint of what a profile shows, and the jobs that must run."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from conftest import SMALL_DATA

from quartiersprofile.build import fingerprints
from quartiersprofile.build.jobs import BuildOptions, InvalidRequestError
from quartiersprofile.build.manifest import describe_bytes
from quartiersprofile.build.plan import inputs_digest, plan_jobs, prepare, resolve_period
from quartiersprofile.model.areas import OVERVIEW_SLUG


@pytest.fixture(autouse=True)
def _no_browser(monkeypatch):
    """The environment fingerprint asks Chromium for its version: not here."""
    monkeypatch.setattr(fingerprints, "chromium_version", lambda: "Chromium 1.0")


@pytest.mark.parametrize(("requested", "period"), [(None, "2024"), ("2023", "2023"), ("2024-Q3", "2024-Q3")])
def test_resolve_period(small_tables, requested, period):
    assert resolve_period(small_tables, requested) == period


@pytest.mark.parametrize("requested", ["1999", "2030-Q1", "gestern", "2024Q3"])
def test_a_period_without_data_is_refused(small_tables, requested):
    with pytest.raises(InvalidRequestError, match=f"No data for period '{requested}'"):
        resolve_period(small_tables, requested)


def test_inputs_digest_changes_only_with_the_rows_a_profile_shows(small_tables):
    codes = frozenset({"13", "4012"})
    digest = inputs_digest(small_tables, codes, "2023")
    assert digest == inputs_digest(small_tables, codes, "2023") and len(digest) == 64

    def changed(area: str, period: str):
        table = small_tables.indicators.copy()
        row = (table["area"] == area) & (table["period"] == period) & (table["indicator"] == "DEM01")
        table.loc[row, "value"] += 1
        return replace(small_tables, indicators=table)

    assert inputs_digest(changed("11", "2023"), codes, "2023") == digest  # another area
    assert inputs_digest(changed("13", "2024"), codes, "2023") == digest  # after the report period
    assert inputs_digest(changed("13", "2023"), codes, "2023") != digest
    assert inputs_digest(replace(small_tables, metadata={}), codes, "2023") != digest


@pytest.fixture(scope="module")
def plan():
    return prepare(BuildOptions(data_dir=SMALL_DATA, districts=("Lehe",), dry_run=True))


def test_prepare_resolves_areas_period_and_profiles(plan):
    assert [a.code for a in plan.areas] == ["13"] and plan.period == "2024"
    assert list(plan.profiles) == ["13"] and plan.profiles["13"].period == "2024"
    assert "Luneplate: keine Einwohner, daher kein Profil." in plan.notes and len(plan.notes) == 22
    assert len(plan.hidden) > 0 and set(plan.hidden["area"]) <= {"4012", "11", "13"}  # the audit's ground truth


def test_jobs_carry_everything_a_worker_needs_and_current_ones_are_skipped(plan, tmp_path):
    options = BuildOptions(data_dir=SMALL_DATA, output_dir=tmp_path, districts=("Lehe",), formats=("html",))
    jobs, current = plan_jobs(options, plan, {}, "request", tmp_path)
    assert current == [] and len(jobs) == 1
    (job,) = jobs
    assert (job.area_code, job.slug, job.period, job.formats) == ("13", "stadtteil-lehe", "2024", ("html",))
    assert job.info.title == "Lehe" and job.info.build_id == job.build_id and len(job.build_id) == 12
    assert not job.is_overview and Path(job.tables_path).is_file()
    again, _ = plan_jobs(options, plan, {}, "request", tmp_path)
    assert again[0].fingerprint == job.fingerprint  # the same content: the same fingerprint
    (tmp_path / "2024").mkdir()
    (tmp_path / "2024" / "stadtteil-lehe.html").write_bytes(b"<html>")
    outputs = {"html": describe_bytes("stadtteil-lehe.html", b"<html>")}
    previous = {job.key: {"key": job.key, "area_code": "13", "area_name": "Lehe", "period": "2024",
                          "status": "built", "fingerprint": job.fingerprint, "input_fingerprint": "",
                          "duration": 1.0, "message": "", "outputs": outputs}}  # fmt: skip
    jobs, current = plan_jobs(options, plan, previous, "request-2", tmp_path)
    assert jobs == [] and [(r.key, r.status, r.input_fingerprint) for r in current] == [
        (job.key, "skipped", "request-2")]  # fmt: skip
    forced, _ = plan_jobs(replace(options, force=True), plan, previous, "request-2", tmp_path)
    assert [j.key for j in forced] == [job.key]


def test_a_build_of_every_area_also_builds_the_overview(tmp_path):
    options = BuildOptions(data_dir=SMALL_DATA, output_dir=tmp_path, dry_run=True)
    jobs, _ = plan_jobs(options, prepare(options), {}, "request", tmp_path)
    assert [(j.slug, j.is_overview) for j in jobs] == [
        ("stadt-bremerhaven", False), ("stadtteil-weddewarden", False), ("stadtteil-lehe", False),
        (OVERVIEW_SLUG, True)]  # fmt: skip
    overview = jobs[-1]
    assert overview.formats == ("html", "pdf") and overview.info.title == "Bremerhaven im Überblick"
    assert not any(tmp_path.iterdir())  # a dry run writes nothing
