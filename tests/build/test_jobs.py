"""What the client and the workers of a build exchange (quartiersprofile.build.jobs)."""

from __future__ import annotations

import doctest
import pickle
from pathlib import Path

from quartiersprofile.build import jobs
from quartiersprofile.build.jobs import BuildResult, Job, JobResult, WorkerFunction, crashed
from quartiersprofile.publish.info import ReportInfo

INFO = ReportInfo("Lehe", "Stadtteil in Bremerhaven", "2024", "", "Amt", "b1")


def job(formats) -> Job:
    return Job("13", "Lehe", "stadtteil-lehe", "2024", formats, "/out", "/out/.cache/t.pkl", "f1", 60,
               "profile.ipynb", "b1", INFO)  # fmt: skip


def test_output_paths_follow_the_requested_formats():
    folder = Path("/out/2024")
    assert job(("html",)).output_paths() == {"ipynb": folder / "stadtteil-lehe.ipynb",
                                            "html": folder / "stadtteil-lehe.html"}  # fmt: skip
    assert list(job(jobs.FORMATS).output_paths()) == ["ipynb", "html", "pdf", "csv", "xlsx", "slides.html",
                                                      "slides.pdf"]  # fmt: skip
    assert job(("data",)).key == "2024/stadtteil-lehe" and not job(("data",)).is_overview


def test_exit_code_and_crashed_jobs():
    built = JobResult("2024/a", "1", "A", "2024", "built")
    failed = crashed(job(("html",)), RuntimeError("killed"))
    assert (failed.status, failed.message, failed.fingerprint) == ("failed", "worker crashed: RuntimeError('killed')",
                                                                   "f1")  # fmt: skip
    assert BuildResult([built], []).exit_code == jobs.EXIT_OK
    assert BuildResult([built, failed], []).exit_code == jobs.EXIT_FAILED


def test_a_worker_function_travels_as_its_name():
    run = WorkerFunction("describe_failure")
    assert pickle.loads(pickle.dumps(run)) == run
    assert run(ValueError("boom")) == "ValueError: boom"


def test_exit_codes_are_distinct():
    codes = [jobs.EXIT_OK, jobs.EXIT_FAILED, jobs.EXIT_INVALID_INPUT, jobs.EXIT_LOCKED, jobs.EXIT_CLUSTER_UNAVAILABLE,
             jobs.EXIT_NOT_WRITABLE]  # fmt: skip
    assert codes == [0, 1, 2, 3, 4, 5]


def test_docstring_examples():
    assert doctest.testmod(jobs).failed == 0
