"""Focus groups: areas the reports look at together, declared in ``dataset.toml``.

A focus group is a table ``[focus_groups.<key>]`` of the metadata, e.g. the three Demografielabore that the advisory
board on demographic change chose in 2022::

    [focus_groups.demografielabore]
    title = "Demografielabore"
    areas = ["212", "215", "23"]   # official codes of Ortsteile, Stadtteile (or the city)
    year = 2022                    # the year of selection: the focus report's baseline

Every group with ``report = true`` (the default) gets a focus report, ``profiles/<period>/fokus-<key>.html``
(`FocusGroup.slug`); a group with ``report = false`` only marks its areas (the overview's "fokusgebiete").
`focus_problems` checks the declarations against the register: unknown keys, codes without a profile, a year
outside the population data are problems with file, line and key, like every other input problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from .areas import profile_areas, slugify
from .contract import Problem

METADATA_KEY = "focus_groups"
#: The group whose areas the city overview marks with ★ (Stadtteile Lehe, Leherheide and Surheide, Ortsteile
#: Geestendorf and Grünhöfe in the sample data).
OVERVIEW_GROUP = "fokusgebiete"
#: File names of the focus reports: ``fokus-<key>`` (the index lists ``fokus-*.html`` on top).
SLUG_PREFIX = "fokus-"
#: The keys of a group and what each must be (German, for the problem list).
FIELDS = {
    "title": "ein Text in Anführungszeichen (der Titel des Berichts)",
    "description": "ein Text in Anführungszeichen",
    "areas": 'eine Liste von Gebietscodes, z. B. ["212", "215", "23"]',
    "year": "eine Jahreszahl wie 2022 (das Jahr der Auswahl)",
    "report": "true oder false",
}
_KEY = re.compile(r"[a-z0-9][a-z0-9_-]*")


@dataclass(frozen=True)
class FocusGroup:
    """A group of areas declared in dataset.toml (see the module docstring)."""

    key: str
    title: str
    areas: tuple[str, ...]  # official codes as declared, in the declared order
    year: int | None = None  # the year of selection, the focus report's baseline
    description: str = ""
    report: bool = True

    @property
    def slug(self) -> str:
        """File name of the group's focus report without suffix: ``fokus-demografielabore``."""
        return f"{SLUG_PREFIX}{slugify(self.key) or 'gruppe'}"

    @property
    def builds_report(self) -> bool:
        return self.report and self.year is not None


def focus_groups(metadata: dict) -> tuple[FocusGroup, ...]:
    """The focus groups of the metadata, in declaration order (none declared: empty). Expects metadata that
    `focus_problems` accepted (`model.dataset.load_dataset` checks them)."""
    declared = metadata.get(METADATA_KEY) or {}
    groups = []
    for key, spec in declared.items():
        groups.append(
            FocusGroup(
                key=str(key),
                title=str(spec.get("title") or key.replace("_", " ").title()),
                areas=tuple(str(code) for code in spec.get("areas", ())),
                year=spec.get("year"),
                description=str(spec.get("description", "")),
                report=bool(spec.get("report", True)),
            )
        )
    return tuple(groups)


def overview_codes(metadata: dict) -> tuple[str, ...]:
    """The codes the city overview marks as focus districts: the areas of the group `OVERVIEW_GROUP`."""
    group = next((g for g in focus_groups(metadata) if g.key == OVERVIEW_GROUP), None)
    return group.areas if group else ()


def _line(text: str | None, key: str, field: str | None = None) -> int | None:
    """The line of ``[focus_groups.<key>]`` (or of its `field` below it) in the TOML text, if it can be found."""
    if not text:
        return None
    lines = text.splitlines()
    header = re.compile(rf"^\s*\[\s*{METADATA_KEY}\s*\.\s*\"?{re.escape(key)}\"?\s*\]")
    start = next((i for i, line in enumerate(lines) if header.match(line)), None)
    if start is None:
        return None
    if field is None:
        return start + 1
    assignment = re.compile(rf"^\s*{re.escape(field)}\s*=")
    for i in range(start + 1, len(lines)):
        if lines[i].lstrip().startswith("["):
            break
        if assignment.match(lines[i]):
            return i + 1
    return start + 1


def focus_problems(
    metadata: dict,
    file: str,
    districts: pd.DataFrame | None = None,
    population: pd.DataFrame | None = None,
    text: str | None = None,
) -> list[Problem]:
    """Every problem of the focus groups in `metadata` (``dataset.toml`` as `file`, its `text` for line numbers):
    the shape of each group, area codes not in the register or without a profile (`districts`, `population`: the
    typed tables, when they could be read), a year of selection outside the population table's years."""
    declared = metadata.get(METADATA_KEY)
    if declared is None:
        return []
    if not isinstance(declared, dict):
        return [Problem(file, None, None, f"{METADATA_KEY} = {declared}", "Tabellen [focus_groups.<name>]")]
    problems = []

    def problem(key: str, field: str | None, value, expected: str) -> None:
        where = f"{METADATA_KEY}.{key}" + (f".{field}" if field else "")
        problems.append(Problem(file, _line(text, key, field), None, f"{where} = {value}", expected))

    with_profile, known, years = _register(districts, population)
    for key, spec in declared.items():
        if not _KEY.fullmatch(str(key)):
            problem(key, None, "…", "ein Name aus Kleinbuchstaben, Ziffern, - oder _ (er wird Teil des Dateinamens)")
            continue
        if not isinstance(spec, dict):
            problem(key, None, spec, "eine Tabelle mit title, areas und year")
            continue
        for field in sorted(set(spec) - set(FIELDS)):
            problem(key, field, spec[field], "einer der Schlüssel " + ", ".join(FIELDS))
        for field in ("title", "description"):
            if field in spec and not isinstance(spec[field], str):
                problem(key, field, spec[field], FIELDS[field])
        if "report" in spec and not isinstance(spec["report"], bool):
            problem(key, "report", spec["report"], FIELDS["report"])
        areas = spec.get("areas")
        if not isinstance(areas, list) or not areas or not all(isinstance(a, str | int) for a in areas):
            problem(key, "areas", areas if areas is not None else "(fehlt)", FIELDS["areas"])
        else:
            codes = [str(a) for a in areas]
            for code in dict.fromkeys(c for c in codes if codes.count(c) > 1):
                problem(key, "areas", f'"{code}"', "jeden Gebietscode nur einmal")
            for code in dict.fromkeys(codes):
                if known is not None and code not in known:
                    problem(key, "areas", f'"{code}"', "ein Gebietscode aus districts.csv")
                elif with_profile is not None and code not in with_profile:
                    problem(
                        key, "areas", f'"{code}"',
                        "ein Gebiet mit eigenem Profil (die Stadt, ein Stadtteil oder ein bewohnter Ortsteil)",
                    )  # fmt: skip
        year = spec.get("year")
        wants_report = spec.get("report", True) is not False
        if year is None and wants_report:
            problem(key, "year", "(fehlt)", FIELDS["year"] + '; oder report = false für eine Gruppe ohne Bericht')
        elif year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            problem(key, "year", year, FIELDS["year"])
        elif year is not None and years and not years[0] <= year <= years[-1]:
            problem(key, "year", year, f"ein Jahr der Bevölkerungsdaten ({years[0]}–{years[-1]})")
    return problems


def _register(districts: pd.DataFrame | None, population: pd.DataFrame | None):
    """(codes with a profile or None, codes of the register or None, sorted population years) for the checks."""
    known = with_profile = None
    years: list[int] = []
    if districts is not None and {"code", "level"} <= set(districts.columns):
        known = set(districts["code"].dropna().astype(str))
    if population is not None and "period" in population.columns:
        years = sorted({int(p) for p in population["period"].dropna() if re.fullmatch(r"[0-9]{4}", str(p))})
    if known is not None and population is not None:
        try:
            areas = profile_areas(districts, population)
        except (KeyError, IndexError, ValueError, TypeError):  # a broken register: reported by its own checks
            areas = None
        if areas is not None:
            with_profile = {code for a in areas for code in (a.code, a.also_code) if code}
    return with_profile, known, years
