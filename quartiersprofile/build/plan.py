"""Planning a build on the client: load and check the data once, resolve the areas and the period once, audit the
published table, and turn the request into jobs, skipping those whose outputs are current.

Each job gets everything resolved: the area's code, the period, the cover texts (`ReportInfo`) and the content
fingerprint of exactly the numbers its profile shows. The client keeps one `Profile` per job (`Plan.profiles`)
for the fingerprints, the data downloads and the disclosure audit; the worker never looks an area up.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..content import insight
from ..content.indicators import unsuppressed_indicator_table
from ..content.profile import Profile
from ..content.projection import digest_frames as projection_digest_frames
from ..content.tables import ProfileTables, compute_tables, latest_period, save_tables
from ..model import periods
from ..model.areas import OVERVIEW_SLUG, Area, profile_areas, resolve_areas, uninhabited_ortsteile
from ..model.dataset import Dataset, load_dataset
from ..model.focus import focus_groups
from ..publish import audit
from ..publish.cover import overview_info, report_info
from ..publish.focus import focus_info
from ..publish.open_data import FILES as OPEN_DATA_FILES
from ..publish.open_data import SLUG as OPEN_DATA_SLUG
from .cache import TableCache
from .files import write_atomic
from .fingerprints import code_fingerprint, combine, environment_fingerprint
from .jobs import (
    FOCUS_NOTEBOOK,
    FOCUS_SLIDES_NOTEBOOK,
    FORMATS,
    OVERVIEW_NOTEBOOK,
    SLIDES_NOTEBOOK,
    SUFFIXES,
    BuildOptions,
    InvalidRequestError,
    Job,
    JobResult,
)
from .manifest import outputs_intact


@dataclass(frozen=True)
class Plan:
    """What a request resolves to once the data are read and validated (nothing written yet)."""

    tables: ProfileTables
    areas: tuple[Area, ...]
    period: str
    notes: tuple[str, ...]
    hidden: pd.DataFrame  # audit.hidden_cells: the true values the rule hides; in memory only, never written
    profiles: dict[str, Profile]  # area code -> the profile of each chosen area in the period


def prepare(options: BuildOptions, dataset: Dataset | None = None) -> Plan:
    """Load and validate the data (unless `dataset` is given), compute the shared tables once, resolve districts
    and period; stop with `audit.DisclosureError` when the published table would let a hidden value through."""
    if dataset is None:
        dataset = load_dataset(options.data_dir)
    # The true values, computed once: suppressed into the published tables, and the audit's ground truth.
    truth = unsuppressed_indicator_table(dataset, profile_areas(dataset.districts, dataset.population))
    tables = compute_tables(dataset, unsuppressed=truth, cache=TableCache())
    areas = list(tables.areas)
    chosen = resolve_areas(areas, list(options.districts)) if options.districts else areas
    period = resolve_period(tables, options.period)
    insight.prime(tables, period)  # the index and similar areas of this period, once, before the workers load them
    notes = tuple(
        f"{name}: keine Einwohner, daher kein Profil."
        for name in uninhabited_ortsteile(dataset.districts, dataset.population)
    )
    hidden = audit.hidden_cells(dataset, tables, truth)
    audit.raise_on_leaks(audit.audit_tables(tables, period, cells=hidden))
    profiles = {area.code: Profile(area, period, tables) for area in chosen}
    return Plan(tables, tuple(chosen), period, notes, hidden, profiles)


def resolve_period(tables: ProfileTables, requested: str | None) -> str:
    """The report period: the one asked for, if the data have it, else the latest in the data."""
    if requested is None:
        return latest_period(tables)
    available = tables.indicators["period"]
    try:
        found = periods.has_data_for(available, requested)
    except ValueError:
        found = False
    if not found:
        raise InvalidRequestError(
            f"No data for period {requested!r}: expected a year such as 2024 or a quarter such as "
            f"2024-Q3 within the data ({', '.join(sorted(set(available)))})."
        )
    return str(periods.Period.parse(requested))


def inputs_digest(tables: ProfileTables, codes: frozenset[str], period: str) -> str:
    """Hash of the rows of `codes` up to `period` plus everything every profile shows (catalogue, register,
    metadata, rule). All Ortsteil profiles show the same areas, so a build computes this once per set."""
    table = tables.indicators
    shown = table[table["area"].isin(codes) & (table["period"].map(periods.sort_key) <= periods.sort_key(period))]
    population = tables.population[tables.population["area"].isin(codes)]
    projection = projection_digest_frames(tables.projection, codes)  # the projection of these areas, the back-test
    digest = hashlib.sha256()
    for frame in (shown, population, tables.catalogue, tables.districts, *projection):
        digest.update(pd.util.hash_pandas_object(frame.reset_index(drop=True), index=True).to_numpy().tobytes())
    digest.update(repr(sorted(tables.metadata.items())).encode())
    digest.update(repr(tables.rule).encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class _Candidate:
    """A job before its fingerprints are known."""

    area: Area
    name: str
    slug: str
    formats: tuple[str, ...]
    template: str
    digest: str
    is_overview: bool = False
    is_open_data: bool = False
    focus_group: str = ""


def _candidates(options: BuildOptions, plan: Plan) -> list[_Candidate]:
    """One candidate per chosen area; a build of all areas also builds the city overview (HTML and PDF) and the
    focus report (HTML, PDF, slides) of every focus group of dataset.toml chosen in or before the period."""
    formats = tuple(f for f in FORMATS if f in options.formats)
    by_shown_areas: dict[frozenset, str] = {}  # all Ortsteil profiles show the same areas: hash them once
    candidates = []
    for area in plan.areas:
        shown = plan.profiles[area.code].shown_areas
        if shown not in by_shown_areas:
            by_shown_areas[shown] = inputs_digest(plan.tables, shown, plan.period)
        candidates.append(
            _Candidate(area, area.name, area.slug, formats, str(options.template), by_shown_areas[shown])
        )
    if options.districts:  # the overview and the open data show every area: only a build of all areas makes them
        return candidates
    overview_formats = tuple(f for f in formats if f in ("html", "pdf"))
    city = next(a for a in plan.areas if a.level == "stadt")
    everything = combine(*(c.digest for c in candidates))
    if overview_formats:
        candidates.append(
            _Candidate(city, "Übersicht Bremerhaven", OVERVIEW_SLUG, overview_formats, str(OVERVIEW_NOTEBOOK),
                       everything, is_overview=True)  # fmt: skip
        )
    if "data" in formats:
        candidates.append(
            _Candidate(city, "Offene Daten Bremerhaven", OPEN_DATA_SLUG, ("data",), "", everything, is_open_data=True)
        )
    focus_formats = tuple(f for f in formats if f in ("html", "pdf", "slides"))
    for group in focus_groups(plan.tables.metadata):
        if focus_formats and group.builds_report and group.year <= periods.Period.parse(plan.period).year:
            candidates.append(
                _Candidate(city, f"Schwerpunktbericht {group.title}", group.slug, focus_formats, str(FOCUS_NOTEBOOK),
                           everything, focus_group=group.key)  # fmt: skip
            )
    return candidates


def plan_jobs(
    options: BuildOptions, plan: Plan, previous: dict, request: str, output_dir: Path
) -> tuple[list[Job], list[JobResult]]:
    """The jobs that must run, and results for those that are current (same content fingerprint, intact
    outputs). Outside a dry run, writes the shared tables for the workers into the output's cache."""
    blob = save_tables(plan.tables)
    tables_path = output_dir / ".cache" / f"tables-{hashlib.sha256(blob).hexdigest()[:16]}.pkl"
    if not options.dry_run and not tables_path.exists():
        write_atomic(tables_path, blob)
    code, env = code_fingerprint(options.template), environment_fingerprint()
    jobs, current = [], []
    for candidate in _candidates(options, plan):
        build_id = combine(code, env, candidate.digest, candidate.slug, plan.period)[:12]
        fingerprint = combine(build_id, repr(candidate.formats))
        entry = previous.get(f"{plan.period}/{candidate.slug}")
        if (
            not options.force
            and entry
            and entry["fingerprint"] == fingerprint
            and entry["status"] != "failed"
            and outputs_intact(entry, output_dir, plan.period)
        ):
            skipped = {**entry, "status": "skipped", "input_fingerprint": request, "duration": 0.0, "message": ""}
            current.append(JobResult(**skipped))
            continue
        # What a report's job writes, for the links between its files (Job.output_paths without the notebook).
        files = {s.lstrip("."): f"{candidate.slug}{s}" for f in candidate.formats for s in SUFFIXES[f]}
        if candidate.focus_group:
            info = focus_info(plan.tables, plan.period, candidate.focus_group, build_id, files)
        elif candidate.is_open_data:
            info = overview_info(plan.tables, plan.period, build_id)
        elif candidate.is_overview:
            info = overview_info(plan.tables, plan.period, build_id, files)
        else:
            info = report_info(plan.profiles[candidate.area.code], build_id, files)
        jobs.append(
            Job(
                area_code=candidate.area.code,
                area_name=candidate.name,
                slug=candidate.slug,
                period=plan.period,
                formats=candidate.formats,
                output_dir=str(output_dir),
                tables_path=str(tables_path),
                fingerprint=fingerprint,
                timeout=options.timeout,
                template=candidate.template,
                build_id=build_id,
                info=info,
                is_overview=candidate.is_overview,
                is_open_data=candidate.is_open_data,
                file_names=tuple(OPEN_DATA_FILES.items()) if candidate.is_open_data else (),
                focus_group=candidate.focus_group,
                slides_template=str(FOCUS_SLIDES_NOTEBOOK if candidate.focus_group else SLIDES_NOTEBOOK),
            )
        )
    return jobs, current
