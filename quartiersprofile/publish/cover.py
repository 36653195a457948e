"""What the cover, the running header and footer and the document information of a report say: `ReportInfo`
for a profile (`report_info`) and for the city overview (`overview_info`)."""

from __future__ import annotations

import dataclasses

from ..content import text
from ..content.overview import city_profile
from ..content.profile import Profile
from ..content.tables import ProfileTables
from ..model import periods
from .info import ReportInfo


def report_info(profile: Profile, build_id: str) -> ReportInfo:
    """The cover, header and footer texts of one report."""
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
    )


def overview_info(tables: ProfileTables, period: str, build_id: str) -> ReportInfo:
    """Cover, header and footer texts of the overview (the city profile's, with the overview's title)."""
    info = report_info(city_profile(tables, period), build_id)
    period_label = periods.label(period)
    return dataclasses.replace(
        info,
        title="Bremerhaven im Überblick",
        level_line="Alle Ortsteile und Stadtteile im Vergleich",
        description=f"Gesundheitsbezogene Quartiersprofile: Übersicht über alle Gebiete Bremerhavens, {period_label}",
    )
