"""The city overview's numbers: every Ortsteil and Stadtteil side by side, rankings, maps and the areas most
often worse than the city.

All numbers are the profiles' own: every area's rows come from `Profile(area, period, tables).indicator_rows()`,
so a cell of the overview shows exactly what the area's profile shows (value, suppression, classification
against the city at 95 %). `quartiersprofile.publish.overview` turns them into HTML.
"""

from __future__ import annotations

import weakref

import pandas as pd

from ..model import periods
from ..model.contract import SECTIONS
from ..model.focus import overview_codes
from . import charts
from .profile import Profile
from .tables import ProfileTables, latest_period

#: The classifications of a value compared with the city (not "not compared", not "suppressed").
COMPARED = ("better", "similar", "worse", "higher", "lower")

FOCUS_MARK = "★"  # a focus district itself


FOCUS_PART_MARK = "☆"  # an Ortsteil of a focus Stadtteil, or a Stadtteil containing a focus Ortsteil


_ROWS_CACHE: dict[tuple, tuple[weakref.ref, pd.DataFrame]] = {}


def city_profile(tables: ProfileTables, period: str) -> Profile:
    city = next(a for a in tables.areas if a.level == "stadt")
    return Profile(city, period, tables)


def level_areas(tables: ProfileTables, level: str) -> list:
    """The areas compared at a level, in register order: "ortsteil" - the 23 inhabited Ortsteile (a one-Ortsteil
    Stadtteil under its Stadtteil name), "stadtteil" - the 9 Stadtteile: the peers of an Ortsteil's profile,
    resp. of the city's."""
    anchor = next(a for a in tables.areas if a.level == ("ortsteil" if level == "ortsteil" else "stadt"))
    peers = Profile(anchor, latest_period(tables), tables).peers
    return sorted(peers, key=ortsteil_code)


def ortsteil_code(area) -> str:
    """The area's Ortsteil code on the tile map (a one-Ortsteil Stadtteil: its Ortsteil), else its own code."""
    return area.also_code or area.code


def focus_codes(tables: ProfileTables) -> tuple[str, ...]:
    """The focus districts of the advisory board (ZWK) that the overview marks: the areas of the focus group
    "fokusgebiete" in dataset.toml (`model.focus.OVERVIEW_GROUP`; in the sample data the Stadtteile Lehe,
    Leherheide and Surheide and the Ortsteile Geestendorf and Grünhöfe). None declared: no marks."""
    return overview_codes(tables.metadata)


def focus_mark(area, codes: tuple[str, ...]) -> str:
    """★ for a focus district (of `codes`), ☆ for an Ortsteil of a focus Stadtteil or a Stadtteil with a focus
    Ortsteil."""
    codes = set(codes)
    if {area.code, area.also_code} & codes:
        return FOCUS_MARK
    if area.parent_code in codes or set(area.members) & codes:
        return FOCUS_PART_MARK
    return ""


def focus_ortsteile(tables: ProfileTables) -> list[str]:
    """Ortsteil codes covered by the focus districts (for the maps)."""
    codes = set(focus_codes(tables))
    return sorted({m for a in tables.areas if {a.code, a.also_code} & codes for m in a.members})


def area_rows(tables: ProfileTables, period: str, level: str) -> pd.DataFrame:
    """Every area's indicator rows (as in its profile) for the period, with `area_code`, `area_name`, `order`.
    Computed once per tables object, period and level."""
    key = (id(tables), period, level)
    cached = _ROWS_CACHE.get(key)
    if cached and cached[0]() is tables:
        return cached[1]
    frames = [
        Profile(area, period, tables).indicator_rows().assign(area_code=area.code, area_name=area.name, order=i)
        for i, area in enumerate(level_areas(tables, level))
    ]
    rows = pd.concat(frames, ignore_index=True)
    for stale in [k for k, (ref, _) in _ROWS_CACHE.items() if ref() is None]:
        del _ROWS_CACHE[stale]
    _ROWS_CACHE[key] = (weakref.ref(tables), rows)
    return rows


def compared_indicators(rows: pd.DataFrame) -> pd.DataFrame:
    """Catalogue rows (id, section, name, unit, polarity, period_label) of the indicators compared with the city
    for at least one area, in catalogue order."""
    compared = rows.groupby("id", sort=False)["comparison_95"].agg(lambda c: c.isin(COMPARED).any())
    first = rows.drop_duplicates("id").set_index("id")
    columns = ["section", "name", "unit", "polarity", "period_label"]
    return first.loc[compared[compared].index, columns].reset_index()


def lead_indicator(tables: ProfileTables, period: str, section: str) -> str | None:
    """The section's lead indicator, as the city profile chooses it (`Profile.lead_indicator`)."""
    return city_profile(tables, period).lead_indicator(section)


def ranking(tables: ProfileTables, period: str, level: str, indicator: str) -> pd.DataFrame:
    """Areas of a level ordered from the least to the most favourable value (neutral: highest first), with
    `rank` (ties share a rank; suppressed areas last, without rank) and the area objects."""
    rows = area_rows(tables, period, level)
    rows = rows[rows["id"] == indicator].copy()
    ascending = rows["polarity"].iloc[0] == "higher_is_better"
    rows["rank"] = rows["value"].where(~rows["suppressed"].astype(bool)).rank(method="min", ascending=ascending)
    rows["area"] = rows["order"].map(dict(enumerate(level_areas(tables, level))))
    return rows.sort_values(["rank", "order"], na_position="last").reset_index(drop=True)


def section_maps(tables: ProfileTables, period: str) -> list[tuple[str, charts.Chart]]:
    """Per section, the tile map of the Ortsteile coloured by the section's lead indicator (suppressed: no
    value); the focus districts outlined."""
    city = city_profile(tables, period)
    ortsteile = city.ortsteile()
    maps = []
    for section in SECTIONS:
        lead = city.lead_indicator(section)
        if lead is None:
            continue
        rows = area_rows(tables, period, "ortsteil")
        rows = rows[rows["id"] == lead]
        spec = rows.iloc[0]
        codes = rows["order"].map(dict(enumerate(ortsteil_code(a) for a in level_areas(tables, "ortsteil"))))
        values = pd.Series(
            rows["value"].where(~rows["suppressed"].astype(bool)).to_numpy(),
            index=codes.to_numpy(),
            name=f"{spec['name']} ({spec['unit']})",
        )
        chart = charts.tile_map(ortsteile, highlight=focus_ortsteile(tables), values=values, geojson=tables.boundaries)
        caption = f"{section}: {spec['name']} ({spec['unit']}), {periods.label(spec['period_label'])}"
        maps.append((caption, chart))
    return maps


def judged_sections(tables: ProfileTables) -> list[str]:
    """Sections with at least one indicator that has a direction (better/worse), in report order."""
    catalogue = tables.catalogue
    judged = set(catalogue.loc[catalogue["polarity"] != "neutral", "section"])
    return [s for s in SECTIONS if s in judged]


def worse_counts(tables: ProfileTables, period: str, level: str = "ortsteil") -> pd.DataFrame:
    """Per area: indicators significantly worse / better than the city (95 %), in total and per section, and the
    number judged (indicators with a direction and a shown value); most often worse first."""
    rows = area_rows(tables, period, level)
    judged = rows[(rows["polarity"] != "neutral") & ~rows["suppressed"].astype(bool)]
    worse = judged[judged["comparison_95"] == "worse"]
    areas = level_areas(tables, level)
    per_section = pd.crosstab(worse["order"], worse["section"]).reindex(
        index=range(len(areas)), columns=judged_sections(tables), fill_value=0
    )
    table = per_section.assign(
        worse=per_section.sum(axis=1),
        better=judged[judged["comparison_95"] == "better"].groupby("order").size(),
        judged=judged.groupby("order").size(),
    ).fillna(0)
    table["area"] = [areas[i] for i in table.index]
    table = table.sort_values(["worse", "better"], ascending=[False, True], kind="stable")
    table["rank"] = table["worse"].rank(method="min", ascending=False).astype(int)
    return table.reset_index(drop=True)
