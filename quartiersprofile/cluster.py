"""Run the build's jobs on a Dask distributed cluster (`build.py --scheduler ADDRESS`).

Only the jobs go to the cluster. Planning, the incremental cache, the manifest, the index and every write into
the output folder stay in the client (`build.run_build`), so a cluster build gives the same files, byte for
byte, as a local one. No shared file system is assumed:

- the client sends each worker the shared indicator tables and the template notebooks once (scattered to
  all workers), and every job as a small `build.Job`;
- a worker keeps them in a private scratch folder laid out like the output folder (tables under
  ``.cache/``), runs the job there on its warm kernel (started when the worker joins, kept between jobs,
  as in the local pool) and returns the finished files as bytes;
- the client writes them atomically, as it does for a local build.

A worker that dies mid-job has its job rescheduled by Dask on another worker (Dask's `allowed-failures`);
only when that keeps failing is the job reported as failed. Workers must run the same version of this
package and of the packages that shape the output: `check_workers` refuses a cluster whose workers differ,
because their reports would not be byte-identical. Each worker must run one job at a time (one kernel per
worker process): start them with ``dask worker ADDRESS --nthreads 1 --nworkers N``.

This module is imported only when a scheduler address is given; a local build never imports Dask.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from distributed import Client, as_completed
from distributed.diagnostics.plugin import WorkerPlugin

from . import build
from .files import write_atomic

log = logging.getLogger(__name__)

#: How long the client waits for the scheduler, and then for a first worker, before it gives up.
CONNECT_TIMEOUT = 10
WORKER_TIMEOUT = 60

#: One job at a time per worker process: the warm kernel is shared by the worker's threads.
_kernel_lock = threading.Lock()


def run_on_cluster(jobs: list[build.Job], client: Client) -> Iterator[tuple[build.Job, build.JobResult, dict]]:
    """Send the jobs to the cluster of `client` (see `connect`); yield each job's result and files as it finishes."""
    tables = {Path(job.tables_path) for job in jobs}
    templates = {p for job in jobs for p in (job.template, job.slides_template) if Path(p).is_file()}
    shared = {str(path): Path(path).read_bytes() for path in (*tables, *templates)}
    [shared_future] = client.scatter([shared], broadcast=True)
    futures = {
        client.submit(run_remote_job, job, shared_future, key=f"quartiersprofile-{job.fingerprint[:16]}-{i}"): job
        for i, job in enumerate(jobs)
    }
    for future in as_completed(futures, loop=client.loop):
        job = futures[future]
        try:
            result, files = future.result()
        except Exception as error:  # the job's workers kept dying (Dask's KilledWorker) or the task was lost
            yield job, build.crashed(job, error), {}
        else:
            yield job, result, files
        future.release()


def connect(address: str) -> Client:
    """A client of the scheduler at `address` whose workers can build (see `check_workers`), with the warm
    kernel plugin registered; `ClusterUnavailableError` within `CONNECT_TIMEOUT` seconds when unreachable."""
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise build.ClusterUnavailableError(
            f"Cannot reach the Dask scheduler at {address!r} within {CONNECT_TIMEOUT} s ({error}). Is "
            f"`dask scheduler` running there, and is the address (e.g. tcp://host:8786) right?"
        ) from None
    try:
        check_workers(client)
        client.register_plugin(WarmKernelPlugin(), name="quartiersprofile-warm-kernel")
    except BaseException:
        client.close()
        raise
    return client


def check_workers(client) -> None:
    """Wait for a first worker and refuse workers whose code or packages differ from the client's."""
    try:
        client.wait_for_workers(1, timeout=WORKER_TIMEOUT)
    except TimeoutError:
        raise build.ClusterUnavailableError(
            f"The Dask scheduler {client.scheduler.address} has no workers (waited {WORKER_TIMEOUT} s). Start "
            f"some with `dask worker {client.scheduler.address} --nthreads 1`."
        ) from None
    expected = software_fingerprint()
    different = sorted(worker for worker, found in client.run(software_fingerprint).items() if found != expected)
    if different:
        raise build.ClusterUnavailableError(
            f"Worker(s) {', '.join(different)} run a different version of quartiersprofile or of the packages "
            f"that shape the reports ({', '.join(build.ENVIRONMENT_PACKAGES)}); their reports would differ from "
            f"a local build. Install the same versions on every worker."
        )


def software_fingerprint() -> str:
    """The package's code and the versions of the packages that shape the output, as seen by this process."""
    return f"{build.package_fingerprint()} {build.environment_fingerprint()}"


class WarmKernelPlugin(WorkerPlugin):
    """Starts a worker's warm kernel and browser when the worker joins (and again after a restart), off the
    critical path."""

    def setup(self, worker) -> None:
        threading.Thread(target=_start_kernel, daemon=True).start()


def _start_kernel() -> None:
    with _kernel_lock:
        build.start_worker(prints_pdf=True)


def run_remote_job(job: build.Job, shared: dict[str, bytes]) -> tuple[build.JobResult, dict[str, bytes]]:
    """Runs on a worker: lay out the shared files in the scratch folder, then run the job there."""
    with _kernel_lock:
        return build.run_job(localise(job, shared))


def localise(job: build.Job, shared: dict[str, bytes]) -> build.Job:
    """The job with its output folder, tables and templates moved into this worker's scratch folder.

    The tables keep their path relative to the output folder, so the notebook's parameters (and with them
    the executed notebook) are the same as in a local build."""
    root = build.scratch_dir() / "output"

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
