"""`build.py --scheduler`: the district jobs on a Dask cluster (here a LocalCluster with two worker processes;
slow: real builds)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import BUILT_DISTRICTS, REPO, run_build

from quartiersprofile.build.jobs import EXIT_CLUSTER_UNAVAILABLE
from quartiersprofile.build.manifest import read_manifest

distributed = pytest.importorskip("distributed")
from quartiersprofile.build import cluster  # noqa: E402 - needs the optional dependency


@pytest.fixture(scope="module")
def local_cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as running, distributed.Client(running) as client:
        yield running, client


def _outputs(folder: Path) -> dict[str, bytes]:
    """The report files of a build (not the manifest, index or cache, which record times)."""
    files = [p for p in sorted(folder.glob("*/*")) if p.is_file() and not p.parent.name.startswith(".")]
    return {str(p.relative_to(folder)): p.read_bytes() for p in files}


def test_a_cluster_build_gives_the_same_files_byte_for_byte_as_a_local_build(built, local_cluster, tmp_path):
    scheduler = local_cluster[0].scheduler_address
    districts = [arg for d in BUILT_DISTRICTS for arg in ("--district", d)]
    result = run_build(*districts, "--output", str(tmp_path), "--scheduler", scheduler, "--quiet")
    assert result.returncode == 0, result.stderr
    on_cluster, local = _outputs(tmp_path), _outputs(built)
    assert len(on_cluster) == 14  # 2 profiles x (notebook, HTML, PDF, CSV, XLSX, slides HTML, slides PDF)
    assert sorted(on_cluster) == sorted(local)
    for name, data in on_cluster.items():
        assert data == local[name], name


def test_killing_a_worker_mid_build_still_builds_every_profile(local_cluster, tmp_path):
    running, client = local_cluster
    districts = ("131", "132", "133", "211")
    args = [sys.executable, str(REPO / "build.py"), "--output", str(tmp_path), "--format", "html",
            "--scheduler", running.scheduler_address, "--quiet"]
    args += [arg for d in districts for arg in ("--district", d)]
    build_process = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    busy = _wait_for_a_busy_worker(client, timeout=180)
    time.sleep(1)  # well inside the job: the notebook is executing on the worker's kernel
    os.kill(client.run(os.getpid, workers=[busy])[busy], signal.SIGKILL)
    stdout, stderr = build_process.communicate(timeout=600)
    assert build_process.returncode == 0, stderr
    manifest = read_manifest(tmp_path)
    assert sorted(e["status"] for e in manifest.values()) == ["built"] * len(districts)
    for entry in manifest.values():
        html = (tmp_path / entry["period"] / entry["outputs"]["html"]["path"]).read_text("utf-8")
        assert html.rstrip().endswith("</html>")


def _wait_for_a_busy_worker(client, timeout: float) -> str:
    """The address of a worker that is running one of the build's jobs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for worker, tasks in client.processing().items():
            if any(str(task).startswith("quartiersprofile-") for task in tasks):
                return worker
        time.sleep(0.2)
    raise AssertionError("no worker started a job")


def test_an_unreachable_scheduler_is_reported_within_seconds_and_exits_4(tmp_path):
    started = time.monotonic()
    result = run_build("--district", "212", "--output", str(tmp_path), "--scheduler", "tcp://127.0.0.1:9")
    assert result.returncode == EXIT_CLUSTER_UNAVAILABLE
    assert "Cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'" in result.stderr
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < cluster.CONNECT_TIMEOUT + 15
    assert not tmp_path.exists() or not any(tmp_path.iterdir())
