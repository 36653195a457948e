"""Shared fixtures: one real build of two profiles, made once per test session (it starts kernels and
the PDF engine, so it is the slow part of the suite)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BUILT_DISTRICTS = ("Lehe", "212")  # Stadtteil Lehe and Ortsteil Geestendorf


def run_build(*args: str, cwd: Path = REPO, timeout: int = 900) -> subprocess.CompletedProcess:
    """`python build.py ARGS` as a user runs it; returns the finished process (output captured)."""
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args],
        cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False,
    )


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """An output folder with Lehe and Geestendorf built in all formats (latest period)."""
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
