"""`build.py --scheduler` (quartiersprofile.build.cluster) without a cluster: workers of other versions are refused,
and a local build never imports Dask. Builds on a real LocalCluster: tests/e2e/test_cluster_build.py."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest
from conftest import REPO

import quartiersprofile
from quartiersprofile.build import fingerprints
from quartiersprofile.build.jobs import ClusterUnavailableError

pytest.importorskip("distributed")
from quartiersprofile.build import cluster  # noqa: E402 - needs the optional dependency


def test_workers_with_other_versions_are_refused(monkeypatch):
    monkeypatch.setattr(fingerprints, "chromium_version", lambda: "Chromium 1.0")  # no browser start here

    class Client:
        scheduler = type("Scheduler", (), {"address": "tcp://scheduler:8786"})

        def wait_for_workers(self, n, timeout):
            pass

        def run(self, function):
            return {"tcp://a:1": function(), "tcp://b:1": "another version"}

    with pytest.raises(ClusterUnavailableError, match=r"Worker\(s\) tcp://b:1 run a different version"):
        cluster.check_workers(Client())


def test_a_cluster_without_workers_is_reported():
    class Client:
        scheduler = type("Scheduler", (), {"address": "tcp://scheduler:8786"})

        def wait_for_workers(self, n, timeout):
            raise TimeoutError

    with pytest.raises(ClusterUnavailableError, match="has no workers"):
        cluster.check_workers(Client())


def test_a_local_build_never_imports_dask():
    modules = [
        module.name
        for module in pkgutil.walk_packages(quartiersprofile.__path__, "quartiersprofile.")
        if module.name != "quartiersprofile.build.cluster"
    ]
    assert {"quartiersprofile.build.runner", "quartiersprofile.build.worker", "quartiersprofile.publish.pdf"} <= set(
        modules
    )
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules)
    code += "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
