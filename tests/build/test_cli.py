"""The command line (quartiersprofile.build.cli): options, and which error gives which exit code. Runs of the real
`python build.py` are in tests/e2e/test_build.py."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from quartiersprofile.build import cli, jobs
from quartiersprofile.build.files import OutputNotWritableError
from quartiersprofile.model.areas import UnknownAreaError
from quartiersprofile.model.contract import DataValidationError, Problem
from quartiersprofile.model.errors import DisclosureError


@pytest.fixture(autouse=True)
def _logging_levels():
    """`cli.main` sets the levels of some libraries' loggers: put them back for the other tests."""
    names = ("quartiersprofile", "papermill", "traitlets", "fontTools", "matplotlib")
    levels = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_defaults_build_everything_in_every_format():
    options = cli.options_from(cli.parse_args([]))
    assert options.formats == jobs.FORMATS and options.districts == () and options.period is None
    assert options.data_dir == jobs.DEFAULT_DATA_DIR and options.output_dir == jobs.DEFAULT_OUTPUT_DIR
    assert not options.force and not options.dry_run


def test_options_from_the_command_line(tmp_path):
    args = ["--district", "Lehe", "--district", "212", "--period", "2024-Q3", "--format", "pdf", "--format", "data",
            "--output", str(tmp_path), "--jobs", "3", "--timeout", "30", "--force"]  # fmt: skip
    options = cli.options_from(cli.parse_args(args))
    assert options.districts == ("Lehe", "212") and options.period == "2024-Q3"
    assert options.formats == ("pdf", "data") and options.output_dir == tmp_path.resolve()
    assert (options.jobs, options.timeout, options.force) == (3, 30, True)
    assert cli.options_from(cli.parse_args(["--format", "html", "--format", "all"])).formats == jobs.FORMATS


@pytest.mark.parametrize("args", [["--jobs", "0"], ["--format", "docx"], ["--verbose", "--quiet"]])
def test_invalid_options_are_refused(args, capsys):
    with pytest.raises(SystemExit) as caught:
        cli.parse_args(args)
    assert caught.value.code == 2 and "usage: python build.py" in capsys.readouterr().err


def test_the_scheduler_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(cli.SCHEDULER_VARIABLE, "tcp://scheduler:8786")
    assert cli.parse_args([]).scheduler == "tcp://scheduler:8786"


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        (jobs.BuildLockedError("Another build (pid 1)"), jobs.EXIT_LOCKED, "error: Another build (pid 1)"),
        (jobs.ClusterUnavailableError("Cannot reach"), jobs.EXIT_CLUSTER_UNAVAILABLE, "error: Cannot reach"),
        (OutputNotWritableError(Path("/x"), OSError(28, "No space left on device")), jobs.EXIT_NOT_WRITABLE,
         "error: Cannot write /x: No space left on device"),
        (DisclosureError(["CSV-Datei: Befund"]), jobs.EXIT_FAILED, "error: nothing was built."),
        (DataValidationError([Problem("a.csv", 2, "b", "c", "d")]), jobs.EXIT_INVALID_INPUT,
         'error: invalid input, nothing was built.\n1 Problem in den Eingabedaten:\n  a.csv, Zeile 2, Spalte "b"'),
        (UnknownAreaError("Unknown district 'X'"), jobs.EXIT_INVALID_INPUT, "Unknown district 'X'"),
        (jobs.InvalidRequestError("No data for period '1999'"), jobs.EXIT_INVALID_INPUT, "No data for period"),
    ],
)  # fmt: skip
def test_each_error_is_one_message_and_its_exit_code(monkeypatch, capsys, error, code, message):
    def fails(options, progress=None):
        raise error

    monkeypatch.setattr(cli, "run_build", fails)
    assert cli.main(["--quiet"]) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_summary_and_exit_code_of_a_build(monkeypatch, capsys, tmp_path):
    failed = jobs.JobResult("2024/b", "2", "B", "2024", "failed", message="cell 3 (x = 1): ValueError: boom")
    results = [jobs.JobResult("2024/a", "1", "A", "2024", "built", duration=1.25), failed]
    monkeypatch.setattr(cli, "run_build", lambda options, progress=None: jobs.BuildResult(results, ["a note"]))
    (tmp_path / "2024").mkdir()
    (tmp_path / "2024" / "b.failed.ipynb").write_text("{}")
    assert cli.main(["--output", str(tmp_path), "--quiet"]) == jobs.EXIT_FAILED
    out, err = capsys.readouterr()
    assert "1 built, 1 failed" in out and "note: a note" in out
    assert "2024/b: cell 3 (x = 1): ValueError: boom" in err and "Kept for debugging: 2024/b.failed.ipynb." in err


def test_a_failure_without_a_kept_notebook_does_not_claim_one(monkeypatch, capsys, tmp_path):
    """A job that failed the disclosure audit keeps no notebook (it would show the hidden value)."""
    failed = jobs.JobResult("2024/b", "2", "B", "2024", "failed", message="disclosure audit: 1 leak(s)")
    monkeypatch.setattr(cli, "run_build", lambda options, progress=None: jobs.BuildResult([failed], []))
    assert cli.main(["--output", str(tmp_path), "--quiet"]) == jobs.EXIT_FAILED
    err = capsys.readouterr().err
    assert "disclosure audit" in err and ".failed.ipynb" not in err
