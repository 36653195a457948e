"""The client of a build: skip what is current, run the rest in parallel, audit and write every file atomically,
then the manifest and the index.

A job is one area in one period; its worker executes the template notebook once and renders the requested
formats (`worker`). Whether a job can be skipped is decided in two steps (`fingerprints`): an identical earlier
request whose outputs are intact is skipped without even loading the data, so a no-op rebuild takes well under
a second; otherwise `plan` loads the data and compares each profile's content fingerprint.

This module imports only the standard library and the light build modules at the top: `_build` loads pandas,
the content and the renderer, and only when there is work to do.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from contextlib import ExitStack, contextmanager
from itertools import chain
from pathlib import Path

from .files import OutputLock, make_folder, remove_stale_temporaries, write_atomic
from .fingerprints import request_fingerprint
from .jobs import (
    FAILED_NOTEBOOK,
    BuildOptions,
    BuildResult,
    InvalidRequestError,
    Job,
    JobResult,
    WorkerFunction,
    crashed,
)
from .manifest import describe_bytes, fast_skip, read_manifest, read_requests, write_manifest, write_requests

#: What the period's profiles hide and where, for the data-protection officer (not linked from the index).
SUPPRESSION_REPORT = "datenschutz-{period}.csv"


def run_build(options: BuildOptions, progress=None) -> BuildResult:
    """Validate, plan, skip what is current, build the rest in parallel, write the manifest and the index.

    Invalid input raises `DataValidationError`, `UnknownAreaError` or `InvalidRequestError` before anything is
    written to the output folder, and so does a published table the disclosure audit rejects
    (`audit.DisclosureError`); a concurrent build raises `BuildLockedError`, an unusable cluster
    `ClusterUnavailableError`, an output folder that cannot be written `OutputNotWritableError`. Each job's files
    are audited before they are written; a leak fails that job.
    """
    output_dir = options.output_dir.resolve()
    if not Path(options.template).is_file():
        raise InvalidRequestError(f"Template notebook {options.template} not found.")
    if not Path(options.data_dir).is_dir():
        what = "is a file, not a folder" if Path(options.data_dir).exists() else "does not exist"
        raise InvalidRequestError(f"Data folder {options.data_dir} {what}: expected the folder with the input files.")
    request = request_fingerprint(options)
    if not options.force and not options.dry_run:
        skipped = fast_skip(read_manifest(output_dir), read_requests(output_dir), request, output_dir)
        if skipped is not None:
            return BuildResult(skipped, ["Nothing changed since the last build."])
    return _build(options, request, output_dir, progress)


def _build(options: BuildOptions, request: str, output_dir: Path, progress) -> BuildResult:
    """Everything after the fast skip: load the data, plan, run the jobs, write the outputs."""
    from ..model.dataset import load_dataset  # pandas and the content layers: only when there is work to do
    from ..publish.audit import OutputAudit
    from ..publish.downloads import download_files
    from ..publish.index import index_page
    from ..publish.open_data import open_data_files
    from ..publish.privacy_report import suppression_report
    from .plan import plan_jobs, prepare

    if options.dry_run:
        plan = prepare(options)
        jobs, results = plan_jobs(options, plan, read_manifest(output_dir), request, output_dir)
        planned = [JobResult(j.key, j.area_code, j.area_name, j.period, "planned", j.fingerprint) for j in jobs]
        return BuildResult(results + planned, list(plan.notes))
    with ExitStack() as stack:
        cluster = stack.enter_context(_connect(options.scheduler)) if options.scheduler else None
        dataset = load_dataset(options.data_dir)  # invalid input stops the build here, before any worker starts
        pool = None if cluster else stack.enter_context(_worker_pool(options))
        plan = prepare(options, dataset)
        make_folder(output_dir)
        stack.enter_context(OutputLock(output_dir))
        remove_stale_temporaries(output_dir)
        previous = read_manifest(output_dir)
        jobs, results = plan_jobs(options, plan, previous, request, output_dir)
        disclosure_audit = OutputAudit(plan.hidden, plan.tables, plan.profiles)
        stack.enter_context(frozen_heap())
        # The data-protection report and the city-wide open data are made here while the workers build.
        client_work = stack.enter_context(ThreadPoolExecutor(1, thread_name_prefix="client-files"))
        report_bytes = client_work.submit(suppression_report, plan.tables, plan.period)
        on_client = [job for job in jobs if job.is_open_data]
        made_here = [(job, client_work.submit(_open_data_job, job, open_data_files, plan)) for job in on_client]
        to_workers = [job for job in jobs if not job.is_open_data]
        finished = _run_jobs(to_workers, cluster if cluster is not None else pool)
        for done, (job, result, files) in enumerate(chain(finished, ((j, *f.result()) for j, f in made_here)), 1):
            if result.status == "built" and "data" in job.formats and not (job.is_overview or job.is_open_data
                                                                          or job.focus_group):
                files = {**files, **download_files(plan.profiles[job.area_code], job.build_id)}
            result, files = audited(job, result, files, disclosure_audit)
            results.append(_finish(store_outputs(job, result, files), request, progress, done, len(jobs)))
            write_manifest(output_dir, results, previous)  # after every job: the manifest matches the files
        write_manifest(output_dir, results, previous)
        write_atomic(output_dir / SUPPRESSION_REPORT.format(period=plan.period), report_bytes.result())
        requests = read_requests(output_dir)
        requests[request] = sorted(r.key for r in results)
        write_requests(output_dir, requests)
        index = index_page(output_dir, read_manifest(output_dir), plan.tables.districts)  # grouped as the register
        write_atomic(output_dir / "index.html", index)
        return BuildResult(results, list(plan.notes))


def _open_data_job(job: Job, make_files, plan) -> tuple[JobResult, dict[str, bytes]]:
    """The city-wide open data of the period (`publish.open_data`), made by the client like a job's files."""
    started = time.perf_counter()
    result = JobResult(job.key, job.area_code, job.area_name, job.period, "built", job.fingerprint)
    names = make_files(plan.tables, job.period, job.build_id)
    files = {kind: names[path.name] for kind, path in job.output_paths().items()}
    result.duration = round(time.perf_counter() - started, 2)
    return result, files


def _connect(address: str):
    """A client of the Dask scheduler at `address`, connected before the data are loaded, so that an unreachable
    cluster is reported in seconds."""
    from .cluster import connect  # Dask is an optional dependency (the `cluster` extra): only for --scheduler

    return connect(address)


@contextmanager
def _worker_pool(options: BuildOptions) -> Iterator[ProcessPoolExecutor | None]:
    """The local process pool, its workers started right away: each starts its kernel (and browser) while the
    client prepares the tables. None when the jobs run in this process (`--jobs 1`, a single district). On
    exit, also when the build stops early (Ctrl-C, output not writable), no queued job starts."""
    workers = min(options.jobs, len(options.districts) or options.jobs)
    if workers <= 1:
        yield None
        return
    prints_pdf = bool({"pdf", "slides"} & set(options.formats))
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=WorkerFunction("start_worker"),
        initargs=(prints_pdf,),
    )
    try:
        for _ in range(workers):  # each submission starts one worker process now
            pool.submit(os.getpid)
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)


def _run_jobs(jobs: list[Job], runner=None) -> Iterator[tuple[Job, JobResult, dict]]:
    """Run the jobs in this process, in a local process pool or on a Dask cluster (`runner`: None, the pool or
    the Dask client) and yield each job's result and files as it finishes. Nothing here writes into the output
    folder."""
    if not jobs:
        return
    run_job = WorkerFunction("run_job")
    if runner is None:
        for job in jobs:
            yield job, *run_job(job)
        return
    if not isinstance(runner, ProcessPoolExecutor):
        from .cluster import run_on_cluster  # Dask: see `_connect`

        yield from run_on_cluster(jobs, runner)
        return
    # The overview, the longest job, first: started last, it would keep one worker busy while the others idle.
    futures = {runner.submit(run_job, job): job for job in sorted(jobs, key=lambda job: not job.is_overview)}
    try:
        for future in as_completed(futures):
            job = futures[future]
            try:
                result = future.result()
            except Exception as error:  # a worker that died (e.g. killed) fails its job, not the build
                result = crashed(job, error), {}
            yield job, *result
    finally:  # the build stopped early: the queued jobs must not start
        for future in futures:
            future.cancel()


def _finish(result: JobResult, request: str, progress, done: int, total: int) -> JobResult:
    result.input_fingerprint = request
    if progress:
        progress(result, done, total)
    return result


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Exempt what this process holds now (modules, the tables) from the garbage collector while the jobs run.

    A build keeps a large heap of long-lived objects and parsing HTML makes much short-lived garbage: without
    this, every full collection would scan the whole heap again. What is made meanwhile is collected as usual;
    afterwards the heap is collectable again (`gc.freeze`)."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def audited(job: Job, result: JobResult, files: dict[str, bytes], disclosure_audit) -> tuple[JobResult, dict]:
    """The job's result and files if the disclosure audit finds no hidden value in them (the kept notebook of a
    failed job included); else a failed result that names the leaks (never the values) and no files."""
    if not files:
        return result, files
    kinds = {("ipynb" if kind == FAILED_NOTEBOOK else kind): data for kind, data in files.items()}
    every_area = job.is_overview or job.is_open_data or bool(job.focus_group)  # a focus report: areas and the city
    leaks = disclosure_audit(kinds, None if every_area else job.area_code, job.period, job.slug)
    if not leaks:
        return result, files
    shown = "; ".join(str(leak) for leak in leaks[:3]) + (f" (+{len(leaks) - 3} more)" if len(leaks) > 3 else "")
    note = f"disclosure audit: {len(leaks)} leak(s), nothing written: {shown}"
    result.message = f"{result.message}; {note}" if result.status == "failed" else note
    result.status = "failed"
    return result, {}


def store_outputs(job: Job, result: JobResult, files: dict[str, bytes]) -> JobResult:
    """Write a finished job's files into the output folder, each atomically; keep a failed run's notebook."""
    folder = Path(job.output_dir) / job.period
    failed = folder / f"{job.slug}.failed.ipynb"
    if result.status != "built":
        if FAILED_NOTEBOOK in files:
            write_atomic(failed, files[FAILED_NOTEBOOK])
        return result
    paths = job.output_paths()
    files = {kind: files[kind] for kind in paths if kind in files}  # in the order of the formats
    for kind, data in files.items():
        write_atomic(paths[kind], data)
    failed.unlink(missing_ok=True)
    result.outputs = {kind: describe_bytes(paths[kind].name, data) for kind, data in files.items()}
    return result
