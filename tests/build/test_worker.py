"""A worker's job without a kernel (quartiersprofile.build.worker): the kept notebook made reproducible, failures
in one line, a job's files laid out in the worker's scratch folder."""

from __future__ import annotations

from pathlib import Path

import nbformat
from papermill.exceptions import PapermillExecutionError

from quartiersprofile.build import worker
from quartiersprofile.build.jobs import Job
from quartiersprofile.publish.info import ReportInfo


def test_clean_notebook_drops_timings_and_numbers_the_cells():
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1"), nbformat.v4.new_markdown_cell("x")])
    notebook.metadata.papermill = {"parameters": {"district": "13"}, "version": "2.6", "start_time": "now",
                                   "input_path": "/home/someone/profile.ipynb"}  # fmt: skip
    notebook.metadata.widgets = {"state": {}}
    notebook.cells[0].metadata.papermill = {"duration": 0.4}
    notebook.cells[0].metadata.execution = {"iopub.execute_input": "now"}
    cleaned = worker.clean_notebook(notebook)
    assert cleaned.metadata.papermill == {"parameters": {"district": "13"}, "version": "2.6"}
    assert "widgets" not in cleaned.metadata
    assert [c.id for c in cleaned.cells] == ["cell-00", "cell-01"]
    assert cleaned.cells[0].metadata == {}


def test_describe_failure_names_the_cell_and_the_error():
    error = PapermillExecutionError(3, 4, "\n  report.show(x)\nmore", "ValueError", "boom", [])
    assert worker.describe_failure(error) == "cell 4 (report.show(x)): ValueError: boom"
    assert worker.describe_failure(RuntimeError("gone")) == "RuntimeError: gone"


def test_localise_moves_tables_and_templates_into_the_scratch_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(worker, "_scratch", tmp_path / "scratch")
    info = ReportInfo("Lehe", "Stadtteil", "2024", "", "Amt", "b1")
    job = Job("13", "Lehe", "stadtteil-lehe", "2024", ("html",), "/client/out", "/client/out/.cache/t.pkl", "f", 60,
              "/client/profile.ipynb", "b1", info, slides_template="/client/slides.ipynb")  # fmt: skip
    shared = {"/client/out/.cache/t.pkl": b"tables", "/client/profile.ipynb": b"{}"}
    local = worker.localise(job, shared)
    root = tmp_path / "scratch" / "output"
    assert local.output_dir == str(root) and Path(local.tables_path) == root / ".cache" / "t.pkl"
    assert Path(local.tables_path).read_bytes() == b"tables"
    assert Path(local.template).read_bytes() == b"{}"
    assert Path(local.template).parent == tmp_path / "scratch" / "templates"
    assert local.slides_template == "/client/slides.ipynb"  # not sent: slides not requested
    assert (local.key, local.info, local.fingerprint) == (job.key, job.info, job.fingerprint)
