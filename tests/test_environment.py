"""environment.yml (conda) and pyproject.toml (pip/uv) describe the same dependencies."""

import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def _normalise(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement).groups()
    return re.sub(r"[-_.]+", "-", name).lower(), spec.replace(" ", "")


def test_conda_and_pip_dependencies_agree():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pip = dict(_normalise(r) for r in project["dependencies"] + project["optional-dependencies"]["test"])
    conda_env = yaml.safe_load((REPO / "environment.yml").read_text())
    named = [_normalise(d) for d in conda_env["dependencies"] if isinstance(d, str)]
    conda = dict(entry for entry in named if entry[0] not in ("python", "pip"))  # python-calamine is a package
    assert conda == pip


def test_python_versions_agree():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    conda_env = yaml.safe_load((REPO / "environment.yml").read_text())
    python = next(d for d in conda_env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python.removeprefix("python") == project["requires-python"]
