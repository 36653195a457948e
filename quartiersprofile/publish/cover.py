"""What the cover, the running header and footer and the document information of a report say: `ReportInfo`
for a profile (`report_info`) and for the city overview (`overview_info`), with the links to the report's other
files (`file_links`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from ..content import insight_text, text
from ..content.overview import city_profile
from ..content.profile import Profile
from ..content.tables import ProfileTables
from ..model import periods
from .info import ReportInfo

#: What a reader calls each file of a profile (the kinds of `build.jobs.Job.output_paths`), in the links' order.
FILE_LABELS = {
    "html": "Bericht (HTML)",
    "pdf": "Bericht (PDF)",
    "csv": "Daten (CSV)",
    "xlsx": "Daten (Excel)",
    "slides.html": "Folien",
    "slides.pdf": "Folien (PDF)",
}
#: The list of all profiles, `index.html` in the output folder, one level above the period's folder.
INDEX_LINK = ("Alle Quartiersprofile", "../index.html")


def file_links(files: Mapping[str, str], page: str) -> tuple[tuple[str, str], ...]:
    """The links of one page of a report (``page``: its kind, ``html`` or ``slides.html``): the index, then the
    other files the job writes (``files``: kind -> file name in the same folder)."""
    own = tuple((label, files[kind]) for kind, label in FILE_LABELS.items() if kind in files and kind != page)
    return (INDEX_LINK, *own)


def report_info(profile: Profile, build_id: str, files: Mapping[str, str] | None = None) -> ReportInfo:
    """The cover, header and footer texts of one report; with ``files`` (kind -> file name, what the build writes
    for it) the links between the report, its slides and data, and the index."""
    meta = profile.tables.metadata
    stand = text.format_date(meta["stand"]) if meta.get("stand") else ""
    return ReportInfo(
        title=profile.name,
        level_line=profile.level_line,
        period_label=profile.period_label,
        stand=stand,
        organisation=meta.get("publisher", "Magistrat der Stadt Bremerhaven"),
        build_id=build_id,
        sample_notice=meta.get("sample_notice") if meta.get("sample_data") else None,
        data_vintage=stand,
        description=f"Gesundheitsbezogenes Quartiersprofil {profile.name}, {profile.period_label}",
        links=file_links(files, "html") if files is not None else (),
        slides_links=file_links(files, "slides.html") if files is not None else (),
        cover_lines=tuple(line for line in (insight_text.cover_line(profile),) if line),
    )


def overview_info(
    tables: ProfileTables, period: str, build_id: str, files: Mapping[str, str] | None = None
) -> ReportInfo:
    """Cover, header and footer texts of the overview (the city profile's, with the overview's title)."""
    info = report_info(city_profile(tables, period), build_id, files)
    period_label = periods.label(period)
    return dataclasses.replace(
        info,
        title="Bremerhaven im Überblick",
        level_line="Alle Ortsteile und Stadtteile im Vergleich",
        description=f"Gesundheitsbezogene Quartiersprofile: Übersicht über alle Gebiete Bremerhavens, {period_label}",
    )
