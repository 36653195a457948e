"""Shared fixtures and the fast tier.

The test folders mirror the package (`tests/model/test_dataset.py` tests `quartiersprofile.model.dataset`, ...);
`tests/e2e/` holds the tests that run real builds (`python build.py` or the session build `built`). The folders
are not packages: pytest puts each test file's folder on sys.path, so every test file name is unique across the
whole tree, and `from conftest import REPO` finds this file. Helpers used by several folders live in the
package `support` (tests/support/).

Fast tier: ``pytest -m "not slow"``. Every test under tests/e2e/ is marked `slow` here; elsewhere a test that
needs a Jupyter kernel or Chromium carries the mark itself.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.register_assert_rewrite("support")

REPO = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent
E2E = TESTS / "e2e"
BUILT_DISTRICTS = ("Lehe", "212")  # Stadtteil Lehe and Ortsteil Geestendorf
#: A frozen copy of the sample data for Weddewarden (tiny counts) and Goethestraße, independent of data/.
SMALL_DATA = TESTS / "fixtures" / "data_small"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by mark
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if E2E in item.path.parents:
            item.add_marker(pytest.mark.slow)


def run_build(*args: str, cwd: Path = REPO, timeout: int = 900) -> subprocess.CompletedProcess:
    """`python build.py ARGS` as a user runs it; returns the finished process (output captured)."""
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args],
        cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False,
    )


# --- the session build (slow) ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """An output folder with Lehe and Geestendorf built in all formats (latest period). It starts kernels and
    the PDF engine: only tests in tests/e2e/ use it."""
    output = tmp_path_factory.mktemp("profiles")
    args = [arg for d in BUILT_DISTRICTS for arg in ("--district", d)]
    result = run_build(*args, "--output", str(output), "--quiet")
    assert result.returncode == 0, result.stderr
    return output


@pytest.fixture(scope="session")
def lehe_html(built) -> str:
    (path,) = built.glob("*/stadtteil-lehe.html")
    return path.read_text("utf-8")


@pytest.fixture(scope="session")
def lehe_pdf(built) -> Path:
    (path,) = built.glob("*/stadtteil-lehe.pdf")
    return path


# --- data (fast) -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def bundled_dataset():
    """The bundled data (data/), loaded once per session. Shared: never change its tables in place."""
    from quartiersprofile.model.dataset import load_dataset

    return load_dataset()


@pytest.fixture(scope="session")
def sample_dataset(bundled_dataset):
    """The bundled data, when they are still the generated sample data."""
    if not bundled_dataset.metadata["sample_data"]:
        pytest.skip("data/ holds real data (sample_data = false)")
    return bundled_dataset


@pytest.fixture(scope="session")
def bundled_tables(bundled_dataset):
    """The tables every profile of the bundled data reads, computed once per session. Shared: never change them
    in place."""
    from quartiersprofile.content.tables import compute_tables

    return compute_tables(bundled_dataset)


@pytest.fixture(scope="session")
def small_dataset():
    """The small fixture data (tests/fixtures/data_small), loaded once per session. Shared: never change it."""
    from quartiersprofile.model.dataset import load_dataset

    return load_dataset(SMALL_DATA)


@pytest.fixture(scope="session")
def small_tables(small_dataset):
    """The tables of the small fixture data, computed once per session. Shared: never change them in place."""
    from quartiersprofile.content.tables import compute_tables

    return compute_tables(small_dataset)


@pytest.fixture
def small(tmp_path) -> Path:
    """A scratch copy of the small fixture data (tests/fixtures/data_small), free to change."""
    folder = tmp_path / "data"
    shutil.copytree(SMALL_DATA, folder)
    return folder
