"""The focus report in a build (quartiersprofile.build.plan, worker, runner): a job of its own for every focus group
of dataset.toml when all areas are built, never with --district; its notebooks get the group; the client audits it
as a report of every area."""

from __future__ import annotations

from pathlib import Path

import pytest

from quartiersprofile.build import fingerprints, worker
from quartiersprofile.build.jobs import (
    FOCUS_NOTEBOOK,
    FOCUS_SLIDES_NOTEBOOK,
    SLIDES_NOTEBOOK,
    BuildOptions,
    Job,
    JobResult,
)
from quartiersprofile.build.plan import plan_jobs, prepare
from quartiersprofile.build.runner import audited
from quartiersprofile.publish.info import ReportInfo

GROUP = '\n[focus_groups.labore]\ntitle = "Labore"\nareas = ["11", "13"]\nyear = 2022\n'


@pytest.fixture(autouse=True)
def _no_browser(monkeypatch):
    """The environment fingerprint asks Chromium for its version: not here."""
    monkeypatch.setattr(fingerprints, "chromium_version", lambda: "Chromium 1.0")


@pytest.fixture
def data(small) -> Path:
    """The small fixture data with a focus group of its two areas, selected in 2022."""
    path = small / "dataset.toml"
    path.write_text(path.read_text(encoding="utf-8") + GROUP, encoding="utf-8")
    return small


def test_a_build_of_every_area_builds_the_focus_report(data, tmp_path):
    options = BuildOptions(data_dir=data, output_dir=tmp_path, dry_run=True)
    jobs, _ = plan_jobs(options, prepare(options), {}, "request", tmp_path)
    (focus,) = [job for job in jobs if job.focus_group]
    assert (focus.slug, focus.focus_group, focus.area_code) == ("fokus-labore", "labore", "4012")
    assert focus.formats == ("html", "pdf", "slides") and not focus.is_overview
    assert (focus.template, focus.slides_template) == (str(FOCUS_NOTEBOOK), str(FOCUS_SLIDES_NOTEBOOK))
    assert focus.info.title == "Labore" and "Weddewarden und Lehe" in focus.info.level_line
    assert ("Bericht (PDF)", "fokus-labore.pdf") in focus.info.links
    assert all(job.slides_template == str(SLIDES_NOTEBOOK) for job in jobs if not job.focus_group)
    assert set(focus.output_paths()) == {"ipynb", "html", "pdf", "slides.html", "slides.pdf"}


def test_with_district_or_data_only_or_before_the_selection_no_focus_report(data, tmp_path):
    for options in (
        BuildOptions(data_dir=data, output_dir=tmp_path, districts=("Lehe",), dry_run=True),
        BuildOptions(data_dir=data, output_dir=tmp_path, formats=("data",), dry_run=True),
        BuildOptions(data_dir=data, output_dir=tmp_path, period="2021", dry_run=True),
    ):
        jobs, _ = plan_jobs(options, prepare(options), {}, "request", tmp_path)
        assert not [job for job in jobs if job.focus_group], options


def test_a_group_without_report_makes_no_job(small, tmp_path):
    path = small / "dataset.toml"
    path.write_text(path.read_text(encoding="utf-8") + '\n[focus_groups.marken]\nareas = ["13"]\nreport = false\n',
                    encoding="utf-8")  # fmt: skip
    options = BuildOptions(data_dir=small, output_dir=tmp_path, dry_run=True)
    jobs, _ = plan_jobs(options, prepare(options), {}, "request", tmp_path)
    assert not [job for job in jobs if job.focus_group]


def _job(tmp_path, **changes) -> Job:
    info = ReportInfo("Labore", "", "2024", "", "Amt", "b1")
    fields = {"area_code": "4012", "area_name": "Schwerpunktbericht Labore", "slug": "fokus-labore",
              "period": "2024", "formats": ("html",), "output_dir": str(tmp_path),
              "tables_path": str(tmp_path / ".cache" / "t.pkl"), "fingerprint": "f", "timeout": 60,
              "template": str(FOCUS_NOTEBOOK), "build_id": "b1", "info": info, "focus_group": "labore"}  # fmt: skip
    return Job(**{**fields, **changes})


def test_the_worker_passes_the_group_not_a_district(tmp_path, monkeypatch):
    seen = {}

    class Kernel:
        def execute(self, template, parameters, running, timeout, cwd):
            seen.update(parameters)
            import nbformat

            return nbformat.v4.new_notebook()

    monkeypatch.setattr(worker, "worker_kernel", lambda preload: Kernel())
    worker._run_notebook(_job(tmp_path), Path(FOCUS_NOTEBOOK), tmp_path / "run.ipynb")
    assert seen == {"period": "2024", "tables": ".cache/t.pkl", "group": "labore"}
    seen.clear()
    worker._run_notebook(_job(tmp_path, focus_group="", area_code="13"), Path(FOCUS_NOTEBOOK), tmp_path / "r.ipynb")
    assert seen["district"] == "13" and "group" not in seen


def test_the_client_audits_the_focus_report_as_one_of_every_area(tmp_path):
    calls = []

    def clean(files, area_code, period, slug):
        calls.append((sorted(files), area_code, slug))
        return []

    result = JobResult("2024/fokus-labore", "4012", "Schwerpunktbericht Labore", "2024", "built")
    assert audited(_job(tmp_path), result, {"html": b"x", "pdf": b"y"}, clean)[1] == {"html": b"x", "pdf": b"y"}
    assert calls == [(["html", "pdf"], None, "fokus-labore")]


def test_the_focus_notebooks_are_part_of_the_code_fingerprint(tmp_path, monkeypatch):
    before = fingerprints.code_fingerprint()
    copy = tmp_path / "focus.ipynb"
    copy.write_bytes(Path(FOCUS_NOTEBOOK).read_bytes() + b" ")
    monkeypatch.setattr(fingerprints, "FOCUS_NOTEBOOK", copy)
    assert fingerprints.code_fingerprint() != before
