"""Build orchestration: plan the jobs, skip what is up to date, run the rest in parallel, write atomically.

A job is one area in one period; it executes the template notebook once and writes the requested formats.
Whether a job can be skipped is decided in two steps:

1. the *input fingerprint* (raw data files, template, package code, environment, parameters) equals the one
   in the manifest and the outputs are intact: skipped without even loading the data, so a no-op rebuild
   takes well under a second;
2. otherwise the data are loaded and the *content fingerprint* (the slice of the indicator table this profile
   shows, plus everything in step 1 except the raw data) decides: a corrected data file rebuilds only the
   profiles whose numbers it changes.

This module imports only the standard library at the top: pandas, papermill and the PDF engine are loaded
only when there is work to do.
"""

from __future__ import annotations

import atexit
import fcntl
import gc
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from .files import OutputNotWritableError, make_folder, remove_stale_temporaries, write_atomic

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
DEFAULT_DATA_DIR = REPO_DIR / "data"
DEFAULT_OUTPUT_DIR = REPO_DIR / "profiles"
TEMPLATE_NOTEBOOK = REPO_DIR / "notebooks" / "profile.ipynb"
SLIDES_NOTEBOOK = REPO_DIR / "notebooks" / "slides.ipynb"
OVERVIEW_NOTEBOOK = REPO_DIR / "notebooks" / "overview.ipynb"
OVERVIEW_SLUG = "uebersicht-bremerhaven"
REVEAL_PACKAGE = REPO_DIR / "node_modules" / "reveal.js" / "package.json"
FORMATS = ("html", "pdf", "data", "slides")
SUFFIXES = {"html": (".html",), "pdf": (".pdf",), "data": (".csv", ".xlsx"), "slides": (".slides.html", ".slides.pdf")}
MANIFEST = "manifest.json"
FAILED_NOTEBOOK = "failed.ipynb"  # the files of a failed job: only its partially executed notebook
SUPPRESSION_REPORT = "datenschutz-{period}.csv"  # what the period's profiles hide and where, for the DPO
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
#: Imports every profile needs, run once per worker kernel instead of once per district.
KERNEL_PRELOAD = "import matplotlib\nmatplotlib.use('Agg')\nimport quartiersprofile.report, quartiersprofile.charts"
EXIT_OK, EXIT_FAILED, EXIT_INVALID_INPUT, EXIT_LOCKED, EXIT_CLUSTER_UNAVAILABLE, EXIT_NOT_WRITABLE = 0, 1, 2, 3, 4, 5


class BuildLockedError(RuntimeError):
    """Another build is writing to the same output folder."""


class ClusterUnavailableError(RuntimeError):
    """The Dask scheduler given by `--scheduler` cannot be reached, has no workers, or runs other versions."""


class InvalidRequestError(ValueError):
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
    """One area in one period, with everything a worker needs and nothing it must look up."""

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
    slides_template: str = str(SLIDES_NOTEBOOK)

    @property
    def key(self) -> str:
        return f"{self.period}/{self.slug}"

    @property
    def is_overview(self) -> bool:
        return self.slug == OVERVIEW_SLUG

    def output_paths(self) -> dict[str, Path]:
        """Output kind (`html`, `pdf`, `csv`, `xlsx`, `slides.html`, ...) -> path, for the requested formats."""
        folder = Path(self.output_dir) / self.period
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


# --- fingerprints ---------------------------------------------------------------------------------------


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
    notebooks = [Path(template), SLIDES_NOTEBOOK, OVERVIEW_NOTEBOOK, REVEAL_PACKAGE]
    return _combine(digest, *(hashlib.sha256(p.read_bytes()).hexdigest() for p in notebooks if p.is_file()))


def environment_fingerprint() -> str:
    """Python, Chromium (it prints the PDFs) and the versions of the packages that shape the output."""
    from .browser import chromium_version

    versions = [sys.version, chromium_version()]
    for name in ENVIRONMENT_PACKAGES:
        try:
            versions.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} missing")
    return hashlib.sha256("\n".join(versions).encode()).hexdigest()


def data_fingerprint(data_dir: Path) -> str:
    return _hash_files([p for p in data_dir.iterdir() if p.is_file()], data_dir)


def _combine(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


# --- manifest and outputs ---------------------------------------------------------------------------------


def read_manifest(output_dir: Path) -> dict[str, dict]:
    path = output_dir / MANIFEST
    if not path.exists():
        return {}
    try:
        return {entry["key"]: entry for entry in json.loads(path.read_text("utf-8"))["jobs"]}
    except (ValueError, KeyError, TypeError):
        log.warning("%s is unreadable; rebuilding everything", path)
        return {}


def describe_bytes(name: str, data: bytes) -> dict:
    """A manifest entry for one output file."""
    return {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def outputs_intact(entry: dict, output_dir: Path, period: str) -> bool:
    """True when every output the manifest lists exists with the recorded size and hash."""
    folder = output_dir / period
    for info in entry.get("outputs", {}).values():
        path = folder / info["path"]
        if not path.is_file() or path.stat().st_size != info["bytes"]:
            return False
        if hashlib.sha256(path.read_bytes()).hexdigest() != info["sha256"]:
            return False
    return bool(entry.get("outputs"))


def write_manifest(output_dir: Path, results: list[JobResult], previous: dict[str, dict]) -> None:
    """Merge this build's results into the manifest (jobs of other periods/areas are kept)."""
    entries = dict(previous)
    for result in results:
        if result.status == "failed" and result.key in entries:
            entries[result.key] = {**entries[result.key], "status": "failed", "message": result.message}
        else:
            entries[result.key] = asdict(result)
    body = {
        "generator": "quartiersprofile",
        "code_version": code_fingerprint()[:12],
        "packages": _package_versions(),
        "jobs": [entries[k] for k in sorted(entries)],
    }
    write_atomic(output_dir / MANIFEST, json.dumps(body, indent=2, ensure_ascii=False).encode("utf-8"))


def _package_versions() -> dict[str, str]:
    versions = {"python": sys.version.split()[0]}
    for name in ENVIRONMENT_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


# --- locking ----------------------------------------------------------------------------------------------


class OutputLock:
    """An exclusive lock on the output folder, so two builds never write into each other."""

    def __init__(self, output_dir: Path):
        self.path = output_dir / ".build.lock"
        self.handle = None

    def __enter__(self) -> OutputLock:
        make_folder(self.path.parent)
        try:
            self.handle = open(self.path, "a+")  # noqa: SIM115 - held for the whole build
        except OSError as error:
            raise OutputNotWritableError(self.path.parent, error) from error
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.seek(0)
            owner = self.handle.read().strip() or "unknown"
            self.handle.close()
            raise BuildLockedError(
                f"Another build (pid {owner}) is writing to {self.path.parent}. Wait for it to finish, or "
                f"build into another folder with --output."
            ) from None
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(str(os.getpid()))
        self.handle.flush()
        return self

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


# --- planning ---------------------------------------------------------------------------------------------


def request_fingerprint(options: BuildOptions) -> str:
    """Everything a build request depends on before the data are even read."""
    return _combine(
        code_fingerprint(options.template),
        environment_fingerprint(),
        data_fingerprint(options.data_dir),
        repr(sorted(options.districts)),
        str(options.period),
        repr(sorted(options.formats)),
    )


def _fast_skip(manifest: dict, requests: dict, request: str, output_dir: Path) -> list[JobResult] | None:
    """All jobs of an identical earlier request, if every one of them is still intact; else None."""
    keys = requests.get(request)
    if not keys or any(k not in manifest for k in keys):
        return None
    entries = [manifest[k] for k in keys]
    if any(e["status"] == "failed" or not outputs_intact(e, output_dir, e["period"]) for e in entries):
        return None
    return [JobResult(**{**e, "status": "skipped", "duration": 0.0, "message": ""}) for e in entries]


@dataclass(frozen=True)
class Plan:
    """What a request resolves to once the data are read and validated (nothing written yet)."""

    tables: object  # report.ProfileTables
    areas: tuple
    period: str
    notes: tuple[str, ...]
    hidden: object  # audit.hidden_cells: the true values the rule hides; in memory only, never written


def run_build(options: BuildOptions, progress=None) -> BuildResult:
    """Validate, plan, skip what is current, build the rest in parallel, write the manifest and the index.

    Invalid input raises `DataValidationError`, `UnknownAreaError` or `InvalidRequestError` before anything is
    written to the output folder, and so does a published table the disclosure audit rejects
    (`audit.DisclosureError`); a concurrent build raises `BuildLockedError`, an unusable cluster
    `ClusterUnavailableError`, an output folder that cannot be written `OutputNotWritableError`. Each job's files
    are audited before they are written; a finding fails that job.
    """
    output_dir = options.output_dir.resolve()
    if not Path(options.template).is_file():
        raise InvalidRequestError(f"Template notebook {options.template} not found.")
    request = request_fingerprint(options)
    if not options.force and not options.dry_run:
        skipped = _fast_skip(read_manifest(output_dir), _read_requests(output_dir), request, output_dir)
        if skipped is not None:
            return BuildResult(skipped, ["Nothing changed since the last build."])
    if options.dry_run:
        plan = prepare(options)
        jobs, results = plan_jobs(options, plan, read_manifest(output_dir), request, output_dir)
        planned = [JobResult(j.key, j.area_code, j.area_name, j.period, "planned", j.fingerprint) for j in jobs]
        return BuildResult(results + planned, list(plan.notes))
    with ExitStack() as stack:
        cluster = stack.enter_context(_connect(options.scheduler)) if options.scheduler else None
        from .data import load_dataset

        dataset = load_dataset(options.data_dir)  # invalid input stops the build here, before any worker starts
        pool = None if cluster else stack.enter_context(_worker_pool(options))
        plan = prepare(options, dataset)
        make_folder(output_dir)
        stack.enter_context(OutputLock(output_dir))
        remove_stale_temporaries(output_dir)
        previous = read_manifest(output_dir)
        jobs, results = plan_jobs(options, plan, previous, request, output_dir)
        from .audit import OutputAudit, suppression_report

        disclosure_audit = OutputAudit(plan.hidden, plan.tables)
        stack.enter_context(_frozen_heap())
        # The DPO report (~2 s) is made while the workers build, not after the last profile.
        report_maker = stack.enter_context(ThreadPoolExecutor(1, thread_name_prefix="suppression-report"))
        report_bytes = report_maker.submit(suppression_report, plan.tables, plan.period)
        for done, (job, result, files) in enumerate(_run_jobs(jobs, cluster if cluster is not None else pool), start=1):
            result, files = audited(job, result, files, disclosure_audit)
            results.append(_finish(store_outputs(job, result, files), request, progress, done, len(jobs)))
            write_manifest(output_dir, results, previous)  # after every job: the manifest matches the files
        write_manifest(output_dir, results, previous)
        report_path = output_dir / SUPPRESSION_REPORT.format(period=plan.period)
        write_atomic(report_path, report_bytes.result())
        requests = _read_requests(output_dir)
        requests[request] = sorted(r.key for r in results)
        _write_requests(output_dir, requests)
        from .index import write_index

        write_index(output_dir, read_manifest(output_dir))
        return BuildResult(results, list(plan.notes))


def prepare(options: BuildOptions, dataset=None) -> Plan:
    """Load and validate the data (unless `dataset` is given), compute the shared tables once, resolve districts
    and period; stop with `audit.DisclosureError` when the published table would let a hidden value through."""
    from . import audit, report
    from .areas import profile_areas, resolve_areas, uninhabited_ortsteile
    from .data import load_dataset
    from .indicators import unsuppressed_indicator_table

    if dataset is None:
        dataset = load_dataset(options.data_dir)
    # The true values, computed once: suppressed into the published tables, and the audit's ground truth.
    truth = unsuppressed_indicator_table(dataset, profile_areas(dataset.districts, dataset.population))
    tables = report.compute_tables(dataset, unsuppressed=truth)
    areas = list(tables.areas)
    chosen = resolve_areas(areas, list(options.districts)) if options.districts else areas
    period = options.period or report.latest_period_of(tables)
    if not report.has_data_for(tables.indicators["period"], period):
        raise InvalidRequestError(
            f"No data for period {period!r}: expected a year such as 2024 or a quarter such as "
            f"2024-Q3 within the data ({', '.join(sorted(set(tables.indicators['period'])))})."
        )
    notes = tuple(
        f"{name}: keine Einwohner, daher kein Profil."
        for name in uninhabited_ortsteile(dataset.districts, dataset.population)
    )
    hidden = audit.hidden_cells(dataset, tables, truth)
    audit.raise_on_findings(audit.audit_tables(tables, period, cells=hidden))
    return Plan(tables, tuple(chosen), period, notes, hidden)


def plan_jobs(options: BuildOptions, plan: Plan, previous: dict, request: str, output_dir: Path):
    """The jobs that must run, and results for those that are current (same content fingerprint, intact
    outputs). Outside a dry run, writes the shared tables for the workers into the output's cache.

    A build of all areas also builds the city overview (HTML and PDF) of the period."""
    from . import report

    blob = report.save_tables(plan.tables)
    tables_path = output_dir / ".cache" / f"tables-{hashlib.sha256(blob).hexdigest()[:16]}.pkl"
    if not options.dry_run and not tables_path.exists():
        write_atomic(tables_path, blob)
    code, env = code_fingerprint(options.template), environment_fingerprint()
    formats = tuple(f for f in FORMATS if f in options.formats)
    by_shown_areas: dict[frozenset, str] = {}  # all Ortsteil profiles show the same areas: hash them once
    digests = {}
    for area in plan.areas:
        shown = report.Profile(area, plan.period, plan.tables).shown_areas
        if shown not in by_shown_areas:
            by_shown_areas[shown] = report.inputs_digest(plan.tables, shown, plan.period)
        digests[area.code] = by_shown_areas[shown]
    candidates = [
        (area.code, area.name, area.slug, formats, str(options.template), digests[area.code]) for area in plan.areas
    ]
    overview_formats = tuple(f for f in formats if f in ("html", "pdf"))
    if not options.districts and overview_formats:
        city = next(a for a in plan.areas if a.level == "stadt")
        everything = _combine(*digests.values())
        candidates.append(
            (city.code, "Übersicht Bremerhaven", OVERVIEW_SLUG, overview_formats, str(OVERVIEW_NOTEBOOK), everything)
        )
    jobs, current = [], []
    for code_of_area, name, slug, job_formats, template, digest in candidates:
        build_id = _combine(code, env, digest, slug, plan.period)[:12]
        fingerprint = _combine(build_id, repr(job_formats))
        job = Job(
            area_code=code_of_area,
            area_name=name,
            slug=slug,
            period=plan.period,
            formats=job_formats,
            output_dir=str(output_dir),
            tables_path=str(tables_path),
            fingerprint=fingerprint,
            timeout=options.timeout,
            template=template,
            build_id=build_id,
        )
        entry = previous.get(job.key)
        if (
            not options.force
            and entry
            and entry["fingerprint"] == fingerprint
            and entry["status"] != "failed"
            and outputs_intact(entry, output_dir, plan.period)
        ):
            current.append(
                JobResult(
                    **{**entry, "status": "skipped", "input_fingerprint": request, "duration": 0.0, "message": ""}
                )
            )
        else:
            jobs.append(job)
    return jobs, current


def _read_requests(output_dir: Path) -> dict:
    path = output_dir / ".cache" / "requests.json"
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def _write_requests(output_dir: Path, requests: dict) -> None:
    write_atomic(output_dir / ".cache" / "requests.json", json.dumps(requests, indent=1).encode())


def _connect(address: str):
    """A client of the Dask scheduler at `address`, connected before the data are loaded, so that an unreachable
    cluster is reported in seconds. Dask is imported only here."""
    from .cluster import connect

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
    import multiprocessing

    prints_pdf = bool({"pdf", "slides"} & set(options.formats))
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=start_worker,
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
    if runner is None:
        for job in jobs:
            yield job, *run_job(job)
        return
    if not isinstance(runner, ProcessPoolExecutor):
        from .cluster import run_on_cluster

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


def audited(job: Job, result: JobResult, files: dict[str, bytes], disclosure_audit) -> tuple[JobResult, dict]:
    """The job's result and files if the disclosure audit finds no hidden value in them (the kept notebook of a
    failed job included); else a failed result that names the findings (never the values) and no files."""
    if not files:
        return result, files
    kinds = {("ipynb" if kind == FAILED_NOTEBOOK else kind): data for kind, data in files.items()}
    findings = disclosure_audit(kinds, None if job.is_overview else job.area_code, job.period, job.slug)
    if not findings:
        return result, files
    shown = "; ".join(str(f) for f in findings[:3]) + (f" (+{len(findings) - 3} more)" if len(findings) > 3 else "")
    note = f"disclosure audit: {len(findings)} finding(s), nothing written: {shown}"
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
    for kind, data in files.items():
        write_atomic(paths[kind], data)
    failed.unlink(missing_ok=True)
    result.outputs = {kind: describe_bytes(paths[kind].name, data) for kind, data in files.items()}
    return result


# --- one job (runs in a worker: this process, a pool process or a Dask worker) ----------------------------

_TABLES_CACHE: dict[str, object] = {}
_scratch: Path | None = None


def scratch_dir() -> Path:
    """A private folder of this process for notebooks being executed; removed when the process exits."""
    global _scratch
    if _scratch is None:
        _scratch = Path(tempfile.mkdtemp(prefix="quartiersprofile-"))
        atexit.register(shutil.rmtree, _scratch, True)
    return _scratch


def start_worker(prints_pdf: bool) -> None:
    """Worker initializer: start the warm kernel and, for PDF jobs, the browser (in parallel) before the first job."""
    from .engine import start_worker_kernel

    if prints_pdf:
        from .browser import warm_up

        warm_up()
    start_worker_kernel(KERNEL_PRELOAD)
    from . import downloads, render, report  # noqa: F401 - imported for the jobs, before the heap is frozen

    gc.collect()
    gc.freeze()  # see `_frozen_heap`: what a worker imported stays for as long as it runs


@contextmanager
def _frozen_heap() -> Iterator[None]:
    """Exempt what this process holds now (modules, the tables) from the garbage collector while the jobs run.

    A build keeps a large heap of long-lived objects, and parsing HTML makes much short-lived garbage: every
    full collection scanned the whole heap again (~2.5 s of the client's disclosure audit of a build). What
    is made meanwhile is collected as usual; afterwards the heap is collectable again (`gc.freeze`)."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def run_job(job: Job) -> tuple[JobResult, dict[str, bytes]]:
    """Execute the template(s) of one job and render the requested formats; return the result and the files
    (kind -> bytes, keyed like `Job.output_paths`), or, when it fails, the partial notebook as `FAILED_NOTEBOOK`.

    The kernel runs in `job.output_dir`, which must hold the shared tables at `job.tables_path`; nothing is
    written there."""
    started = time.perf_counter()
    running = scratch_dir() / f"{job.slug}.ipynb"
    running.unlink(missing_ok=True)
    result = JobResult(job.key, job.area_code, job.area_name, job.period, "failed", job.fingerprint)
    try:
        files = _build_outputs(job, running)
        result.status = "built"
    except Exception as error:  # noqa: BLE001 - one failing district must not stop the others
        result.message = _describe_failure(error)
        files = {FAILED_NOTEBOOK: running.read_bytes()} if running.exists() else {}
    running.unlink(missing_ok=True)
    result.duration = round(time.perf_counter() - started, 2)
    return result, files


def _run_notebook(job: Job, template: Path, running: Path):
    """Execute a template on this worker's warm kernel (started once, reset between jobs)."""
    from .engine import worker_kernel

    # The kernel runs in the output folder, so the notebook names the shared tables by a relative path
    # and the kept notebook holds no absolute path of this machine.
    parameters = {"period": job.period, "tables": os.path.relpath(job.tables_path, job.output_dir)}
    if not job.is_overview:
        parameters["district"] = job.area_code
    kernel = worker_kernel(KERNEL_PRELOAD)
    notebook = kernel.execute(template, parameters, running, timeout=job.timeout, cwd=Path(job.output_dir))
    return clean_notebook(notebook)


def _build_outputs(job: Job, running: Path) -> dict[str, bytes]:
    """The files of one job as bytes, keyed like `Job.output_paths`."""
    import nbformat

    from . import downloads, render, report

    tables = _TABLES_CACHE.get(job.tables_path) or report.load_tables(job.tables_path)
    _TABLES_CACHE[job.tables_path] = tables
    notebook = _run_notebook(job, Path(job.template), running)
    outputs = {"ipynb": nbformat.writes(notebook).encode("utf-8")}
    if job.is_overview:
        from . import overview

        info = overview.report_info(tables, job.period, job.build_id)
    else:
        area = next(a for a in tables.areas if a.code == job.area_code)
        profile = report.Profile(area, job.period, tables)
        info = report.report_info(profile, job.build_id)
    if "html" in job.formats or "pdf" in job.formats:
        page = render.notebook_to_html(notebook, info)
        if "html" in job.formats:
            outputs["html"] = page.encode("utf-8")
        if "pdf" in job.formats:
            outputs["pdf"] = render.html_to_pdf(page)
    if "data" in job.formats:
        table = profile.download_table()
        outputs["csv"] = downloads.to_excel_csv(table)
        outputs["xlsx"] = downloads.to_xlsx(table, sheet=profile.name, stand=tables.metadata.get("stand"))
    if "slides" in job.formats:
        from . import slides

        deck = slides.notebook_to_slides_html(_run_notebook(job, Path(job.slides_template), running), info)
        outputs["slides.html"] = deck.encode("utf-8")
        outputs["slides.pdf"] = slides.slides_to_pdf(deck)
    return outputs


def clean_notebook(notebook):
    """Make the kept executed notebook reproducible: no timings, absolute paths or random cell ids."""
    notebook.metadata.pop("widgets", None)
    run = notebook.metadata.get("papermill", {})
    notebook.metadata["papermill"] = {"parameters": run.get("parameters", {}), "version": run.get("version")}
    for number, cell in enumerate(notebook.cells):
        cell.id = f"cell-{number:02d}"
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    return notebook


def _describe_failure(error: Exception) -> str:
    """One line a user can act on: the failing cell and the error, not a wall of traceback."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(error, PapermillExecutionError):
        first_line = next((line for line in error.source.splitlines() if line.strip()), "")
        return f"cell {error.exec_count or error.cell_index} ({first_line.strip()[:80]}): {error.ename}: {error.evalue}"
    return f"{type(error).__name__}: {error}"
