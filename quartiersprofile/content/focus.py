"""What a focus report says: the areas of a focus group (`model.focus`, declared in dataset.toml) side by side and
against the city, since the year they were chosen.

For every indicator and area: the value in the baseline year (the group's year of selection) and now, the change
with its 95 % confidence interval, and whether the area's change differs significantly from the city's. Both
intervals are MOVER intervals (method of variance estimates recovery; Newcombe 1998 for a difference of two
proportions, Zou & Donner 2008 in general), built from the 95 % limits of the values the profiles publish:

    change  d = v1 - v0,   L = d - sqrt((v1 - l1)^2 + (u0 - v0)^2),   U = d + sqrt((u1 - v1)^2 + (v0 - l0)^2)

and the same once more for the difference of the area's and the city's change (a difference of differences).
The two years, and an area and the city it belongs to, are treated as independent samples: their overlap
(the same people, the area inside the city, overlapping pooled periods) correlates them positively, so the
intervals are if anything too wide and the test conservative.

Everything is read from the suppressed indicator table (`ProfileTables.indicators`): a value the small-number
rule hides stays hidden, and a change or comparison that would need it is "unterdrückt".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ..model import areas as area_rules
from ..model import periods
from ..model.dataset import load_dataset
from ..model.focus import FocusGroup, focus_groups
from . import projection as projection_content
from .profile import Profile
from .tables import ProfileTables, compute_tables, latest_period, load_tables

#: The older people's indicators, shown first: 65+, 80+, older people living alone, basic income in old age, care.
OLDER_INDICATORS = ("DEM04", "DEM05", "SOZ06", "SOZ04", "GES05")
#: What the comparison with the city's change says (column ``verdict``).
HIGHER, LOWER, SIMILAR = "stärker gestiegen", "schwächer gestiegen", "kein signifikanter Unterschied"
HIDDEN = "unterdrückt"
NOT_TESTED = "nicht geprüft"
CITY = "Bezugsgröße"


def open_focus(group: str, period: str | None = None, tables: str | None = None, data_dir: str | None = None):
    """The focus report of one group (its key in dataset.toml): from the build's cached tables, or computed from
    `data_dir` when run alone."""
    loaded = load_tables(tables) if tables else compute_tables(load_dataset(Path(data_dir) if data_dir else None))
    return FocusReport(find_group(loaded, group), period or latest_period(loaded), loaded)


def find_group(tables: ProfileTables, key: str) -> FocusGroup:
    groups = {group.key: group for group in focus_groups(tables.metadata)}
    if key not in groups:
        known = ", ".join(groups) or "keine"
        raise KeyError(f"Fokusgruppe {key!r} ist in dataset.toml nicht erklärt (erklärt: {known}).")
    return groups[key]


def mover(value, lower, upper, other, other_lower, other_upper):
    """The difference value - other with its MOVER limits from the two estimates' own limits (arrays or numbers);
    NaN limits where an estimate has none."""
    value, lower, upper = (np.asarray(x, dtype=float) for x in (value, lower, upper))
    other, other_lower, other_upper = (np.asarray(x, dtype=float) for x in (other, other_lower, other_upper))
    difference = value - other
    low = difference - np.sqrt((value - lower) ** 2 + (other_upper - other) ** 2)
    high = difference + np.sqrt((upper - value) ** 2 + (other - other_lower) ** 2)
    return difference, low, high


@dataclass(frozen=True)
class _Cell:
    label: str
    value: float
    lower: float
    upper: float
    hidden: bool


class FocusReport:
    """A focus group in one reporting period, with the tables of its report."""

    def __init__(self, group: FocusGroup, period: str, tables: ProfileTables):
        self.group, self.period, self.tables = group, period, tables
        self.areas = area_rules.resolve_areas(list(tables.areas), list(group.areas))
        self.city = next(a for a in tables.areas if a.level == "stadt")
        self.catalogue = tables.catalogue.set_index("id", drop=False)

    @property
    def title(self) -> str:
        return self.group.title

    @property
    def baseline(self) -> str:
        """The baseline period: the year of selection."""
        return str(self.group.year)

    @property
    def period_label(self) -> str:
        return periods.label(self.period)

    @property
    def area_names(self) -> list[str]:
        return [area.name for area in self.areas]

    @property
    def compared(self) -> list[area_rules.Area]:
        """The group's areas, then the city (unless it is one of them)."""
        return [*self.areas, *([self.city] if self.city not in self.areas else [])]

    def profile(self, area: area_rules.Area) -> Profile:
        return Profile(area, self.period, self.tables)

    def indicator_order(self) -> list[str]:
        """Every indicator of the catalogue: the older people's first (`OLDER_INDICATORS`), then catalogue order."""
        ids = list(self.catalogue["id"])
        return [i for i in OLDER_INDICATORS if i in ids] + [i for i in ids if i not in OLDER_INDICATORS]

    @cached_property
    def _by_indicator(self) -> dict[str, pd.DataFrame]:
        table = self.tables.indicators
        codes = {area.code for area in self.compared}
        return dict(tuple(table[table["area"].isin(codes)].groupby("indicator", sort=False)))

    def _cell(self, rows: pd.DataFrame, area: str, period: str | None) -> _Cell | None:
        if period is None:
            return None
        found = rows[(rows["area"] == area) & (rows["period"] == period)]
        if found.empty:
            return None
        row = found.iloc[0]
        hidden = bool(row["suppressed"])
        values = [np.nan] * 3 if hidden else [float(row[c]) for c in ("value", "lower", "upper")]
        return _Cell(periods.label(row["period_label"]), *values, hidden)

    @cached_property
    def comparison(self) -> pd.DataFrame:
        """One row per indicator (`indicator_order`) and compared area (the group's, then the city): id, section,
        name, unit, statistic, polarity, code, area (name), is_city, base_label, base_value, base_lower,
        base_upper, base_hidden, now_label, now_value, now_lower, now_upper, now_hidden, change, change_lower,
        change_upper, change_state, difference, difference_lower, difference_upper, verdict.

        ``change_state``: "" (shown), "unterdrückt", "kein Vergleichswert" (no value at the baseline or the
        baseline is the latest value); ``verdict``: stärker gestiegen / schwächer gestiegen (the area's change
        minus the city's is significantly above / below 0), kein signifikanter Unterschied, unterdrückt, nicht
        geprüft (no interval), Bezugsgröße (the city itself)."""
        records = []
        for indicator in self.indicator_order():
            spec = self.catalogue.loc[indicator]
            rows = self._by_indicator.get(indicator)
            if rows is None:
                continue
            available = rows["period"].unique()
            base_period = periods.matching(available, self.baseline)
            now_period = periods.matching(available, self.period)
            if base_period == now_period:
                base_period = None  # no value between the selection and now: nothing to compare
            city_change = None
            for area in [self.city, *self.areas]:  # the city first: every area is compared with it
                base, now = self._cell(rows, area.code, base_period), self._cell(rows, area.code, now_period)
                record = {
                    "id": indicator, "section": spec["section"], "name": spec["name"], "unit": spec["unit"],
                    "statistic": spec["statistic"], "polarity": spec["polarity"], "code": area.code,
                    "area": area.name, "is_city": area is self.city,
                }  # fmt: skip
                for prefix, cell in (("base", base), ("now", now)):
                    record[f"{prefix}_label"] = cell.label if cell else ""
                    record[f"{prefix}_value"] = cell.value if cell else np.nan
                    record[f"{prefix}_lower"] = cell.lower if cell else np.nan
                    record[f"{prefix}_upper"] = cell.upper if cell else np.nan
                    record[f"{prefix}_hidden"] = bool(cell and cell.hidden)
                change, state = self._change(base, now)
                record.update(change_state=state, change=change[0], change_lower=change[1], change_upper=change[2])
                if area is self.city:
                    city_change = (change, state)
                    record.update(verdict=CITY, difference=np.nan, difference_lower=np.nan, difference_upper=np.nan)
                else:
                    record.update(self._verdict(change, state, *city_change))
                records.append(record)
        table = pd.DataFrame(records)
        # the group's areas in their declared order, the city last
        order = {area.code: i for i, area in enumerate(self.compared)}
        table["_order"] = table["code"].map(order)
        position = {indicator: i for i, indicator in enumerate(self.indicator_order())}
        table["_indicator"] = table["id"].map(position)
        return table.sort_values(["_indicator", "_order"], kind="stable").drop(columns=["_order", "_indicator"])

    @staticmethod
    def _change(base: _Cell | None, now: _Cell | None) -> tuple[tuple[float, float, float], str]:
        nothing = (np.nan, np.nan, np.nan)
        if base is None or now is None:
            return nothing, "kein Vergleichswert"
        if base.hidden or now.hidden:
            return nothing, HIDDEN
        if math.isnan(base.value) or math.isnan(now.value):
            return nothing, "kein Vergleichswert"
        difference, low, high = mover(now.value, now.lower, now.upper, base.value, base.lower, base.upper)
        return (float(difference), float(low), float(high)), ""

    @staticmethod
    def _verdict(change, state, city_change, city_state) -> dict:
        nothing = {"difference": np.nan, "difference_lower": np.nan, "difference_upper": np.nan}
        if state == HIDDEN or city_state == HIDDEN:
            return {**nothing, "verdict": HIDDEN}
        if state or city_state:
            return {**nothing, "verdict": NOT_TESTED}
        difference, low, high = (float(x) for x in mover(*change, *city_change))
        result = {"difference": difference, "difference_lower": low, "difference_upper": high}
        if math.isnan(low) or math.isnan(high):
            return {**result, "verdict": NOT_TESTED}
        verdict = HIGHER if low > 0 else LOWER if high < 0 else SIMILAR
        return {**result, "verdict": verdict}

    def older_rows(self) -> pd.DataFrame:
        """`comparison` for the older people's indicators."""
        table = self.comparison
        return table[table["id"].isin(OLDER_INDICATORS)].reset_index(drop=True)

    def other_rows(self, section: str | None = None) -> pd.DataFrame:
        """`comparison` for the other indicators (of one section)."""
        table = self.comparison
        table = table[~table["id"].isin(OLDER_INDICATORS)]
        if section is not None:
            table = table[table["section"] == section]
        return table.reset_index(drop=True)

    def series(self, indicator: str) -> dict[str, pd.DataFrame]:
        """The indicator over time for each compared area (as its profile shows it), by area name."""
        return {area.name: self.profile(area).series(indicator) for area in self.compared}

    def projection_table(self, area: area_rules.Area) -> pd.DataFrame:
        return projection_content.area_table(self.tables.projection, area.code, self.tables.rule)

    def projection_changes(self) -> pd.DataFrame:
        return projection_content.changes(self.tables.projection, self.compared, self.tables.rule)

    def verdict_counts(self) -> pd.DataFrame:
        """Per area of the group: how many indicators changed significantly more / less than in the city."""
        table = self.comparison[~self.comparison["is_city"]]
        counts = pd.crosstab(table["area"], table["verdict"]).reindex(index=self.area_names, fill_value=0)
        for column in (HIGHER, LOWER, SIMILAR, HIDDEN, NOT_TESTED):
            if column not in counts:
                counts[column] = 0
        return counts
