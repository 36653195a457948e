"""What the client and the workers of a build exchange: the request, a job, its result, and the build's errors.

The client (`runner`, `plan`, `cluster`) and the worker (`worker`) both import this module and never each
other: the client names the worker's functions with `WorkerFunction`. It imports only the standard library and
the report's cover texts (`ReportInfo`).
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..model.errors import InputError
from ..publish.info import ReportInfo

PACKAGE_DIR = Path(__file__).resolve().parents[1]
REPO_DIR = PACKAGE_DIR.parent
DEFAULT_DATA_DIR = REPO_DIR / "data"
DEFAULT_OUTPUT_DIR = REPO_DIR / "profiles"
TEMPLATE_NOTEBOOK = REPO_DIR / "notebooks" / "profile.ipynb"
SLIDES_NOTEBOOK = REPO_DIR / "notebooks" / "slides.ipynb"
OVERVIEW_NOTEBOOK = REPO_DIR / "notebooks" / "overview.ipynb"
#: The focus report of a focus group of dataset.toml, and its slides.
FOCUS_NOTEBOOK = REPO_DIR / "notebooks" / "focus.ipynb"
FOCUS_SLIDES_NOTEBOOK = REPO_DIR / "notebooks" / "focus_slides.ipynb"
REVEAL_PACKAGE = REPO_DIR / "node_modules" / "reveal.js" / "package.json"
FORMATS = ("html", "pdf", "data", "slides")
SUFFIXES = {"html": (".html",), "pdf": (".pdf",), "data": (".csv", ".xlsx"), "slides": (".slides.html", ".slides.pdf")}
#: The files of a failed job: only its partially executed notebook.
FAILED_NOTEBOOK = "failed.ipynb"
EXIT_OK, EXIT_FAILED, EXIT_INVALID_INPUT, EXIT_LOCKED, EXIT_CLUSTER_UNAVAILABLE, EXIT_NOT_WRITABLE = 0, 1, 2, 3, 4, 5


class BuildLockedError(RuntimeError):
    """Another build is writing to the same output folder."""


class ClusterUnavailableError(RuntimeError):
    """The Dask scheduler given by `--scheduler` cannot be reached, has no workers, or runs other versions."""


class InvalidRequestError(InputError):
    """The command line asks for something the data do not have (e.g. a period without data)."""


@dataclass(frozen=True)
class BuildOptions:
    """What the analyst asked for on the command line."""

    data_dir: Path = DEFAULT_DATA_DIR
    output_dir: Path = DEFAULT_OUTPUT_DIR
    districts: tuple[str, ...] = ()
    period: str | None = None
    formats: tuple[str, ...] = FORMATS
    jobs: int = os.cpu_count() or 1
    scheduler: str | None = None  # address of a Dask scheduler; None builds on this machine
    force: bool = False
    dry_run: bool = False
    timeout: int = 600
    template: Path = TEMPLATE_NOTEBOOK


@dataclass(frozen=True)
class Job:
    """One area in one period, resolved by the client, with everything a worker needs and nothing it must look up.

    `area_code` is the area's own code (the overview: the city's); `info` the cover, header and footer texts.
    The worker executes the notebooks and renders HTML, PDF and slides; the client makes the data downloads.
    """

    area_code: str
    area_name: str
    slug: str
    period: str
    formats: tuple[str, ...]
    output_dir: str
    tables_path: str
    fingerprint: str
    timeout: int
    template: str
    build_id: str  # names the report's inputs (not the clock, not the formats); printed in every footer
    info: ReportInfo
    slides_template: str = str(SLIDES_NOTEBOOK)
    is_overview: bool = False
    is_open_data: bool = False  # the city-wide open data: made by the client, no notebook
    #: (output kind, file name) of a job whose files are not named by its slug (the open data)
    file_names: tuple[tuple[str, str], ...] = ()
    #: the key of the focus group in dataset.toml of a focus report (its notebooks get `group`, not `district`)
    focus_group: str = ""

    @property
    def key(self) -> str:
        return f"{self.period}/{self.slug}"

    def output_paths(self) -> dict[str, Path]:
        """Output kind (`html`, `pdf`, `csv`, `xlsx`, `slides.html`, ...) -> path, for the requested formats."""
        folder = Path(self.output_dir) / self.period
        if self.file_names:
            return {kind: folder / name for kind, name in self.file_names}
        paths = {"ipynb": folder / f"{self.slug}.ipynb"}
        for fmt in self.formats:
            for suffix in SUFFIXES[fmt]:
                paths[suffix.lstrip(".")] = folder / f"{self.slug}{suffix}"
        return paths


@dataclass
class JobResult:
    """What happened to one job; one entry of the manifest."""

    key: str
    area_code: str
    area_name: str
    period: str
    status: str  # built | skipped | failed
    fingerprint: str = ""
    input_fingerprint: str = ""
    duration: float = 0.0
    outputs: dict[str, dict] = field(default_factory=dict)
    message: str = ""


@dataclass
class BuildResult:
    results: list[JobResult]
    notes: list[str]

    @property
    def exit_code(self) -> int:
        return EXIT_FAILED if any(r.status == "failed" for r in self.results) else EXIT_OK


def crashed(job: Job, error: BaseException) -> JobResult:
    """The result of a job whose worker process died."""
    return JobResult(
        job.key,
        job.area_code,
        job.area_name,
        job.period,
        "failed",
        job.fingerprint,
        message=f"worker crashed: {error!r}",
    )


@dataclass(frozen=True)
class WorkerFunction:
    """A function of a worker-side module (default `quartiersprofile.build.worker`), named so that the client can
    hand it to a process pool, a Dask cluster or a child process without importing the worker (papermill,
    nbconvert, the kernel): pickled, it is just its names; called, it imports the module in the process that
    calls it and runs the function there.

    >>> run = WorkerFunction("run_job")  # pool.submit(run, job) runs worker.run_job(job) in a pool process
    """

    name: str
    module: str = "quartiersprofile.build.worker"

    def __call__(self, *args, **kwargs):
        return getattr(importlib.import_module(self.module), self.name)(*args, **kwargs)
