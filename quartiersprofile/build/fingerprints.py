"""What a build's outputs depend on, as hashes: the package code and templates, the environment, the raw data,
the request, and the exact numbers one profile shows.

Whether a job can be skipped is decided in two steps (see `runner`): the *request fingerprint* (raw data files,
templates, package code, environment, parameters) lets an identical request skip without loading the data;
otherwise the *content fingerprint* (`plan.inputs_digest`: the slice of the indicator table a profile shows)
decides, so a corrected data file rebuilds only the profiles whose numbers it changes.

Standard library only: a no-op rebuild computes these without loading pandas.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from ..publish.browser import chromium_version
from .jobs import (
    FOCUS_NOTEBOOK,
    FOCUS_SLIDES_NOTEBOOK,
    OVERVIEW_NOTEBOOK,
    PACKAGE_DIR,
    REVEAL_PACKAGE,
    SLIDES_NOTEBOOK,
    TEMPLATE_NOTEBOOK,
    BuildOptions,
)

#: The packages whose versions shape the outputs (recorded in the manifest, part of every fingerprint).
ENVIRONMENT_PACKAGES = (
    "babel",
    "ipykernel",
    "matplotlib",
    "nbclient",
    "nbconvert",
    "numpy",
    "openpyxl",
    "pandas",
    "pandera",
    "papermill",
    "pyarrow",
    "scipy",
    "pypdf",
    "seaborn",
)


def combine(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _hash_files(paths: Iterable[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def package_fingerprint() -> str:
    """The package's own code and report templates."""
    return _hash_files([p for p in PACKAGE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts], PACKAGE_DIR)


def code_fingerprint(template: Path = TEMPLATE_NOTEBOOK) -> str:
    """The package's own code and report templates plus the template notebooks."""
    digest = package_fingerprint()
    notebooks = [
        Path(template), SLIDES_NOTEBOOK, OVERVIEW_NOTEBOOK, FOCUS_NOTEBOOK, FOCUS_SLIDES_NOTEBOOK, REVEAL_PACKAGE
    ]  # fmt: skip
    return combine(digest, *(hashlib.sha256(p.read_bytes()).hexdigest() for p in notebooks if p.is_file()))


def package_versions() -> dict[str, str]:
    """Python and the versions of `ENVIRONMENT_PACKAGES` ("missing" for one that is not installed)."""
    versions = {"python": sys.version.split()[0]}
    for name in ENVIRONMENT_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def environment_fingerprint() -> str:
    """Python, Chromium (it prints the PDFs) and the versions of the packages that shape the output."""
    versions = [sys.version, chromium_version()]
    for name in ENVIRONMENT_PACKAGES:
        try:
            versions.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} missing")
    return hashlib.sha256("\n".join(versions).encode()).hexdigest()


def data_fingerprint(data_dir: Path) -> str:
    return _hash_files([p for p in data_dir.iterdir() if p.is_file()], data_dir)


def request_fingerprint(options: BuildOptions) -> str:
    """Everything a build request depends on before the data are even read."""
    return combine(
        code_fingerprint(options.template),
        environment_fingerprint(),
        data_fingerprint(options.data_dir),
        repr(sorted(options.districts)),
        str(options.period),
        repr(sorted(options.formats)),
    )


def software_fingerprint() -> str:
    """The package's code and the versions of the packages that shape the output, as seen by this process (a Dask
    worker must report the same as the client)."""
    return f"{package_fingerprint()} {environment_fingerprint()}"
