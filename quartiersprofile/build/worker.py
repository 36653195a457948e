"""One job, run by a worker (this process, a pool process or a Dask worker): execute the template notebook(s) on
the worker's warm kernel and render HTML, PDF and slides; return the files as bytes.

The worker writes nothing into the output folder and reads only the shared tables (in its kernel) and the
templates: everything else comes resolved in the `Job`. The client makes the data downloads, audits the files
and writes them.
"""

from __future__ import annotations

import atexit
import gc
import hashlib
import os
import shutil
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

import nbformat
from papermill.exceptions import PapermillExecutionError

from ..publish import pdf, render, slides
from ..publish.browser import warm_up
from .engine import start_worker_kernel, worker_kernel
from .files import write_atomic
from .jobs import FAILED_NOTEBOOK, Job, JobResult

#: Imports every profile needs, run once per worker kernel instead of once per district.
KERNEL_PRELOAD = (
    "import matplotlib\nmatplotlib.use('Agg')\nimport quartiersprofile.publish.report, quartiersprofile.content.charts"
)
_scratch: Path | None = None
#: On a Dask worker, one job at a time per worker process: the warm kernel is shared by the worker's threads.
_kernel_lock = threading.Lock()


def scratch_dir() -> Path:
    """A private folder of this process for notebooks being executed; removed when the process exits."""
    global _scratch
    if _scratch is None:
        _scratch = Path(tempfile.mkdtemp(prefix="quartiersprofile-"))
        atexit.register(shutil.rmtree, _scratch, True)
    return _scratch


def start_worker(prints_pdf: bool) -> None:
    """Worker initializer: start the warm kernel and, for PDF jobs, the browser (in parallel) before the first job;
    then exempt what the worker holds from the garbage collector (see `runner.frozen_heap`), as it stays for as
    long as the worker runs."""
    if prints_pdf:
        warm_up()
    start_worker_kernel(KERNEL_PRELOAD)
    gc.collect()
    gc.freeze()


def run_job(job: Job) -> tuple[JobResult, dict[str, bytes]]:
    """Execute the template(s) of one job and render the requested formats; return the result and the files
    (kind -> bytes, keyed like `Job.output_paths`), or, when it fails, the partial notebook as `FAILED_NOTEBOOK`.

    The kernel runs in `job.output_dir`, which must hold the shared tables at `job.tables_path`; nothing is
    written there."""
    started = time.perf_counter()
    running = scratch_dir() / f"{job.slug}.ipynb"
    running.unlink(missing_ok=True)
    result = JobResult(job.key, job.area_code, job.area_name, job.period, "failed", job.fingerprint)
    try:
        files = _build_outputs(job, running)
        result.status = "built"
    except Exception as error:  # noqa: BLE001 - one failing district must not stop the others
        result.message = describe_failure(error)
        files = {FAILED_NOTEBOOK: running.read_bytes()} if running.exists() else {}
    running.unlink(missing_ok=True)
    result.duration = round(time.perf_counter() - started, 2)
    return result, files


def _run_notebook(job: Job, template: Path, running: Path):
    """Execute a template on this worker's warm kernel (started once, reset between jobs)."""
    # The kernel runs in the output folder, so the notebook names the shared tables by a relative path
    # and the kept notebook holds no absolute path of this machine.
    parameters = {"period": job.period, "tables": os.path.relpath(job.tables_path, job.output_dir)}
    if job.focus_group:
        parameters["group"] = job.focus_group
    elif not job.is_overview:
        parameters["district"] = job.area_code
    kernel = worker_kernel(KERNEL_PRELOAD)
    notebook = kernel.execute(template, parameters, running, timeout=job.timeout, cwd=Path(job.output_dir))
    return clean_notebook(notebook)


def _build_outputs(job: Job, running: Path) -> dict[str, bytes]:
    """The files of one job as bytes, keyed like `Job.output_paths` (the data downloads excepted)."""
    notebook = _run_notebook(job, Path(job.template), running)
    outputs = {"ipynb": nbformat.writes(notebook).encode("utf-8")}
    if "html" in job.formats or "pdf" in job.formats:
        page = render.notebook_to_html(notebook, job.info)
        if "html" in job.formats:
            outputs["html"] = page.encode("utf-8")
        if "pdf" in job.formats:
            outputs["pdf"] = pdf.html_to_pdf(page)
    if "slides" in job.formats:
        deck = slides.notebook_to_slides_html(_run_notebook(job, Path(job.slides_template), running), job.info)
        outputs["slides.html"] = deck.encode("utf-8")
        outputs["slides.pdf"] = slides.slides_to_pdf(deck)
    return outputs


def clean_notebook(notebook):
    """Make the kept executed notebook reproducible: no timings, absolute paths or random cell ids."""
    notebook.metadata.pop("widgets", None)
    run = notebook.metadata.get("papermill", {})
    notebook.metadata["papermill"] = {"parameters": run.get("parameters", {}), "version": run.get("version")}
    for number, cell in enumerate(notebook.cells):
        cell.id = f"cell-{number:02d}"
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    return notebook


def describe_failure(error: Exception) -> str:
    """One line a user can act on: the failing cell and the error, not a wall of traceback."""
    if isinstance(error, PapermillExecutionError):
        first_line = next((line for line in error.source.splitlines() if line.strip()), "")
        return f"cell {error.exec_count or error.cell_index} ({first_line.strip()[:80]}): {error.ename}: {error.evalue}"
    return f"{type(error).__name__}: {error}"


# --- on a Dask worker (see `cluster`) -------------------------------------------------------------------------


def start_cluster_worker() -> None:
    """Start this Dask worker's warm kernel and browser (`cluster.WarmKernelPlugin` runs it when the worker joins)."""
    with _kernel_lock:
        start_worker(prints_pdf=True)


def run_remote_job(job: Job, shared: dict[str, bytes]) -> tuple[JobResult, dict[str, bytes]]:
    """Runs on a Dask worker: lay out the shared files in the scratch folder, then run the job there."""
    with _kernel_lock:
        return run_job(localise(job, shared))


def localise(job: Job, shared: dict[str, bytes]) -> Job:
    """The job with its output folder, tables and templates moved into this worker's scratch folder.

    The tables keep their path relative to the output folder, so the notebook's parameters (and with them
    the executed notebook) are the same as in a local build."""
    root = scratch_dir() / "output"

    def place(path: str, target: Path) -> str:
        if not target.exists():
            write_atomic(target, shared[path])
        return str(target)

    tables = place(job.tables_path, root / Path(job.tables_path).relative_to(job.output_dir))

    def template(path: str) -> str:
        if path not in shared:  # a template the job does not use (e.g. slides not requested)
            return path
        return place(path, root.parent / "templates" / f"{hashlib.sha256(shared[path]).hexdigest()[:16]}.ipynb")

    return replace(
        job,
        output_dir=str(root),
        tables_path=tables,
        template=template(job.template),
        slides_template=template(job.slides_template),
    )
