"""Run the build's jobs on a Dask distributed cluster (`build.py --scheduler ADDRESS`).

Only the jobs go to the cluster. Planning, the incremental cache, the manifest, the index and every write into
the output folder stay in the client (`runner.run_build`), so a cluster build gives the same files, byte for
byte, as a local one. No shared file system is assumed:

- the client sends each worker the shared indicator tables and the template notebooks once (scattered to
  all workers), and every job as a small `Job`;
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

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

from distributed import Client, as_completed
from distributed.diagnostics.plugin import WorkerPlugin

from .fingerprints import ENVIRONMENT_PACKAGES, software_fingerprint
from .jobs import ClusterUnavailableError, Job, JobResult, WorkerFunction, crashed

log = logging.getLogger(__name__)

#: How long the client waits for the scheduler, and then for a first worker, before it gives up.
CONNECT_TIMEOUT = 10
WORKER_TIMEOUT = 60


def run_on_cluster(jobs: list[Job], client: Client) -> Iterator[tuple[Job, JobResult, dict]]:
    """Send the jobs to the cluster of `client` (see `connect`); yield each job's result and files as it finishes."""
    tables = {Path(job.tables_path) for job in jobs}
    templates = {p for job in jobs for p in (job.template, job.slides_template) if Path(p).is_file()}
    shared = {str(path): Path(path).read_bytes() for path in (*tables, *templates)}
    [shared_future] = client.scatter([shared], broadcast=True)
    run = WorkerFunction("run_remote_job")
    futures = {
        client.submit(run, job, shared_future, key=f"quartiersprofile-{job.fingerprint[:16]}-{i}"): job
        for i, job in enumerate(jobs)
    }
    for future in as_completed(futures, loop=client.loop):
        job = futures[future]
        try:
            result, files = future.result()
        except Exception as error:  # the job's workers kept dying (Dask's KilledWorker) or the task was lost
            yield job, crashed(job, error), {}
        else:
            yield job, result, files
        future.release()


def connect(address: str) -> Client:
    """A client of the scheduler at `address` whose workers can build (see `check_workers`), with the warm
    kernel plugin registered; `ClusterUnavailableError` within `CONNECT_TIMEOUT` seconds when unreachable."""
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise ClusterUnavailableError(
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
        raise ClusterUnavailableError(
            f"The Dask scheduler {client.scheduler.address} has no workers (waited {WORKER_TIMEOUT} s). Start "
            f"some with `dask worker {client.scheduler.address} --nthreads 1`."
        ) from None
    expected = software_fingerprint()
    different = sorted(worker for worker, found in client.run(software_fingerprint).items() if found != expected)
    if different:
        raise ClusterUnavailableError(
            f"Worker(s) {', '.join(different)} run a different version of quartiersprofile or of the packages "
            f"that shape the reports ({', '.join(ENVIRONMENT_PACKAGES)}); their reports would differ from "
            f"a local build. Install the same versions on every worker."
        )


class WarmKernelPlugin(WorkerPlugin):
    """Starts a worker's warm kernel and browser when the worker joins (and again after a restart), off the
    critical path."""

    def setup(self, worker) -> None:
        threading.Thread(target=WorkerFunction("start_cluster_worker"), daemon=True).start()
