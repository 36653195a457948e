"""The client of a build (quartiersprofile.build.runner) without running a job: the heap freeze, the audit of a
job's files before anything is written, and how the files of a finished job are stored."""

from __future__ import annotations

import gc
import hashlib

import pytest

from quartiersprofile.build.jobs import FAILED_NOTEBOOK, Job, JobResult
from quartiersprofile.build.runner import audited, frozen_heap, store_outputs
from quartiersprofile.publish.info import ReportInfo

INFO = ReportInfo("Lehe", "Stadtteil in Bremerhaven", "2024", "", "Amt", "b1")


def job(tmp_path, formats=("html", "data"), is_overview=False) -> Job:
    return Job("13", "Lehe", "stadtteil-lehe", "2024", formats, str(tmp_path), str(tmp_path / "t.pkl"), "f" * 64, 60,
               "profile.ipynb", "b1", INFO, is_overview=is_overview)  # fmt: skip


def result(status="built") -> JobResult:
    return JobResult("2024/stadtteil-lehe", "13", "Lehe", "2024", status, "f" * 64)


def test_the_heap_is_frozen_for_the_garbage_collector_only_while_the_jobs_run():
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), frozen_heap():
        assert gc.get_freeze_count() > 1000
        raise RuntimeError("a build stopped early")
    assert gc.get_freeze_count() == 0


def test_a_job_whose_files_leak_fails_and_keeps_no_file(tmp_path):
    calls = []

    def leaking(files, area_code, period, slug):
        calls.append((sorted(files), area_code, period, slug))
        return ["CSV-Datei: ein unterdrückter Wert ist sichtbar", "b", "c", "d"]

    done, files = audited(job(tmp_path), result(), {"html": b"<html>", "csv": b"x"}, leaking)
    assert (done.status, files) == ("failed", {})
    assert done.message.startswith("disclosure audit: 4 leak(s), nothing written: CSV-Datei: ein unterdrückter")
    assert done.message.endswith("(+1 more)")
    assert calls == [(["csv", "html"], "13", "2024", "stadtteil-lehe")]


def test_the_overview_and_a_failed_job_s_notebook_are_audited_too(tmp_path):
    calls = []

    def clean(files, area_code, period, slug):
        calls.append((sorted(files), area_code))
        return []

    overview = job(tmp_path, is_overview=True)
    assert audited(overview, result(), {"html": b"x"}, clean) == (result(), {"html": b"x"})
    failed = result("failed")
    failed.message = "cell 3: ValueError"
    assert audited(job(tmp_path), failed, {FAILED_NOTEBOOK: b"{}"}, clean)[1] == {FAILED_NOTEBOOK: b"{}"}
    assert calls == [(["html"], None), (["ipynb"], "13")]
    assert audited(job(tmp_path), result(), {}, None) == (result(), {})  # nothing to audit


def test_built_files_are_written_with_their_hashes_and_a_stale_failed_notebook_goes(tmp_path):
    folder = tmp_path / "2024"
    folder.mkdir()
    (folder / "stadtteil-lehe.failed.ipynb").write_text("{}")
    files = {"ipynb": b"{}", "html": b"<html>", "csv": b"a;b", "xlsx": b"PK", "pdf": b"not requested"}
    stored = store_outputs(job(tmp_path), result(), files)
    assert sorted(p.name for p in folder.iterdir()) == [
        "stadtteil-lehe.csv", "stadtteil-lehe.html", "stadtteil-lehe.ipynb", "stadtteil-lehe.xlsx"]  # fmt: skip
    assert list(stored.outputs) == ["ipynb", "html", "csv", "xlsx"]
    assert stored.outputs["html"] == {
        "path": "stadtteil-lehe.html", "sha256": hashlib.sha256(b"<html>").hexdigest(), "bytes": 6}  # fmt: skip


def test_a_failed_job_keeps_only_its_notebook(tmp_path):
    stored = store_outputs(job(tmp_path), result("failed"), {FAILED_NOTEBOOK: b"{}"})
    assert stored.outputs == {}
    assert [p.name for p in (tmp_path / "2024").iterdir()] == ["stadtteil-lehe.failed.ipynb"]
