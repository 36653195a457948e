"""What one profile shows: the numbers behind each section, read from the build's shared indicator table.

The template notebook calls `open_profile(...)` and then asks the returned `Profile` for its tables;
`quartiersprofile.publish` turns them into HTML. Everything here reads already-suppressed numbers; nothing
recomputes statistics.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ..model import areas as area_rules
from ..model import periods
from ..model.age_bands import AGE_BANDS, AGE_GROUPS, age_group_label, bands_of_group
from ..model.dataset import load_dataset
from . import insight_rows
from .tables import ProfileTables, compute_tables, latest_period, load_tables

_NO_VALUES = np.array([], dtype=float)
_PEER_COLUMNS = ["value", "lower", "upper", "suppressed"]  # what `Profile.peer_values` adds to each peer


def open_profile(
    district: str, period: str | None = None, tables: str | None = None, data_dir: str | None = None
) -> Profile:
    """The profile of one area: from the build's cached tables, or computed from `data_dir` when run alone."""
    loaded = load_tables(tables) if tables else compute_tables(load_dataset(Path(data_dir) if data_dir else None))
    (area,) = area_rules.resolve_areas(list(loaded.areas), [str(district)])
    return Profile(area, period or latest_period(loaded), loaded)


class Profile:
    """One area in one reporting period, with the tables each report section shows."""

    def __init__(self, area: area_rules.Area, period: str, tables: ProfileTables):
        self.area, self.period, self.tables = area, period, tables
        self.city = next(a for a in tables.areas if a.level == "stadt")
        self.catalogue = tables.catalogue.set_index("id", drop=False)

    # --- who and when ---
    @property
    def name(self) -> str:
        return self.area.name

    @property
    def period_label(self) -> str:
        return periods.label(self.period)

    @property
    def level_line(self) -> str:
        area = self.area
        if area.level == "stadt":
            return f"Stadt {self.city.name} – Vergleich der {self.stadtteil_count} Stadtteile"
        if area.level == "stadtteil" and area.also_code:
            return f"Stadtteil (zugleich Ortsteil {area.also_code}) in {self.city.name}"
        if area.level == "stadtteil":
            return f"Stadtteil in {self.city.name}"
        return f"Ortsteil im Stadtteil {area.parent_name}"

    @property
    def stadtteil_count(self) -> int:
        return int((self.tables.districts["level"] == "stadtteil").sum())

    @cached_property
    def peers(self) -> list[area_rules.Area]:
        """Areas this one is ranked among: all Ortsteile for an Ortsteil, else all Stadtteile."""
        if self.area.peer_level == "ortsteil":
            return [a for a in self.tables.areas if a.level == "ortsteil" or a.also_code]
        return [a for a in self.tables.areas if a.level == "stadtteil"]

    # --- indicators ---
    @cached_property
    def _report_rows(self) -> pd.DataFrame:
        """Every indicator's row for the reporting period, for every area."""
        table = self.tables.indicators
        chosen = {
            indicator: periods.matching(group["period"], self.period)
            for indicator, group in table.groupby("indicator", sort=False)
        }
        wanted = table["period"] == table["indicator"].map(chosen)
        return table[wanted]

    def indicator_rows(self, section: str | None = None) -> pd.DataFrame:
        """This area's indicators for the reporting period, catalogue order, with catalogue fields."""
        if section is None:
            return self._own_rows.copy()
        return self._own_rows[self._own_rows["section"] == section].reset_index(drop=True)

    @cached_property
    def _own_rows(self) -> pd.DataFrame:
        rows = self._report_rows[self._report_rows["area"] == self.area.code].set_index("indicator")
        fields = [
            "id",
            "section",
            "name",
            "definition",
            "numerator",
            "denominator",
            "statistic",
            "unit",
            "polarity",
            "source",
            "years_pooled",
        ]
        catalogue = self.catalogue[fields].rename(
            columns={"numerator": "numerator_definition", "denominator": "denominator_definition"}
        )
        # the benchmark "ähnliche Gebiete" and the target beside each value (empty in hidden rows)
        return insight_rows.with_benchmarks(self, catalogue.join(rows, how="inner").reset_index(drop=True))

    def peer_values(self, indicator: str) -> pd.DataFrame:
        """The indicator for all peer areas in the reporting period: code, name, value, lower, upper,
        suppressed."""
        rows = self._report_rows  # no rows for the indicator in the period: every peer's value is missing
        rows = rows[rows["indicator"] == indicator].set_index("area")[_PEER_COLUMNS]
        peers = pd.DataFrame({"code": [a.code for a in self.peers], "name": [a.name for a in self.peers]})
        return peers.join(rows, on="code").assign(suppressed=lambda d: d["suppressed"].fillna(True))

    @cached_property
    def _peer_value_matrix(self) -> dict[str, np.ndarray]:
        """Indicator -> the peers' values in the reporting period (NaN: hidden or missing), as `peer_values`
        gives them; one pivot instead of a join per indicator."""
        table = self._report_rows.pivot(index="indicator", columns="area", values="value")
        table = table.reindex(columns=[peer.code for peer in self.peers])
        return dict(zip(table.index, table.to_numpy(dtype=float), strict=True))

    def series(self, indicator: str) -> pd.DataFrame:
        """The indicator over time for this area (same quarter each year for quarterly data), with the city
        value: period, value, lower, upper, city_value, suppressed."""
        own = self._own_history.get(indicator, self.tables.indicators.iloc[:0])
        season = periods.season(self.period) or "-Q4"  # a year is served by its fourth quarter
        own_seasons = own["period"].map(periods.season)
        if own_seasons.ne("").any():
            own = own[own_seasons == season]
        own = own[np.array([periods.serves(p, self.period) for p in own["period"]], dtype=bool)]
        own = own.iloc[sorted(range(len(own)), key=lambda i: periods.sort_key(own["period"].iloc[i]))]
        return own[["period", "period_label", "value", "lower", "upper", "city_value", "suppressed"]].reset_index(
            drop=True
        )

    @cached_property
    def _own_history(self) -> dict[str, pd.DataFrame]:
        """This area's rows of every period, by indicator (one pass over the table, not one per series)."""
        table = self.tables.indicators
        return dict(tuple(table[table["area"] == self.area.code].groupby("indicator", sort=False)))

    def spine_rows(self) -> pd.DataFrame:
        """One row per compared indicator: the area's value, the city, and the spread over all peers."""
        rows = []
        peer_values = self._peer_value_matrix
        for _, row in self.indicator_rows().iterrows():
            if row["statistic"] in ("count",):
                continue
            values = peer_values.get(row["id"], _NO_VALUES)
            values = values[~np.isnan(values)]
            minimum, q25, q75, maximum = np.quantile(values, [0, 0.25, 0.75, 1]) if values.size else [np.nan] * 4
            rows.append(
                {
                    "name": row["name"],
                    "unit": row["unit"],  # the spine prints values with the unit's decimals, as the tables do
                    "value": row["value"],
                    "city_value": row["city_value"],
                    "minimum": minimum,
                    "q25": q25,
                    "q75": q75,
                    "maximum": maximum,
                    "classification": row["comparison_95"],
                    "polarity": row["polarity"],
                    "suppressed": bool(row["suppressed"]),
                }
            )
        return pd.DataFrame(rows)

    # --- population ---
    def _population(self, code: str, period: str | None = None) -> pd.DataFrame:
        pop = self.tables.population
        pop = pop[pop["area"] == code]
        return pop[pop["period"] == (period or periods.matching(pop["period"], self.period))]

    def pyramid(self) -> pd.DataFrame:
        """Share of the total population per sex and age band, area vs city (percent)."""

        def shares(code):
            pop = self._population(code)
            return pop.set_index(["sex", "age_band"])["population"] / pop["population"].sum() * 100

        frame = pd.DataFrame({"district_share": shares(self.area.code), "city_share": shares(self.city.code)})
        frame = frame.reset_index()
        order = {band: i for i, band in enumerate(AGE_BANDS)}
        return frame.sort_values(["sex", "age_band"], key=lambda s: s.map(order) if s.name == "age_band" else s)

    def age_groups(self) -> pd.DataFrame:
        """Share of each age group (`model.age_bands.AGE_GROUPS`, named from its bounds) in the area and the city
        (percent): group, lower, upper, district_share, city_share."""

        def shares(code):
            pop = self._population(code).groupby("age_band")["population"].sum()
            total = pop.sum()
            return [pop.reindex(list(bands_of_group(lo, hi))).sum() / total * 100 for lo, hi in AGE_GROUPS]

        return pd.DataFrame(
            {
                "group": [age_group_label(lo, hi) for lo, hi in AGE_GROUPS],
                "lower": [lo for lo, _ in AGE_GROUPS],
                "upper": [hi for _, hi in AGE_GROUPS],
                "district_share": shares(self.area.code),
                "city_share": shares(self.city.code),
            }
        )

    def population_development(self) -> pd.DataFrame:
        pop = self.tables.population
        totals = pop.groupby(["area", "period"])["population"].sum()
        years = sorted(
            {p for p in pop["period"] if periods.sort_key(p) <= periods.sort_key(self.period)},
            key=periods.sort_key,
        )
        return pd.DataFrame(
            {
                "period": years,
                "district_population": [totals.get((self.area.code, p), np.nan) for p in years],
                "city_population": [totals.get((self.city.code, p), np.nan) for p in years],
            }
        )

    @property
    def area_km2(self) -> float:
        """The area's size from the register: a Stadtteil's and the city's include their uninhabited Ortsteile."""
        return float(self.tables.districts.set_index("code").at[self.area.code, "area_km2"])

    @property
    def population_total(self) -> float:
        return float(self._population(self.area.code)["population"].sum())

    def ortsteile(self) -> pd.DataFrame:
        d = self.tables.districts
        ort = d[d["level"] == "ortsteil"]
        names = dict(zip(d["code"], d["name"], strict=True))
        return pd.DataFrame(
            {
                "code": ort["code"],
                "name": ort["name"],
                "stadtteil_code": ort["parent_code"],
                "stadtteil_name": ort["parent_code"].map(names),
            }
        ).reset_index(drop=True)

    @property
    def shown_areas(self) -> frozenset[str]:
        """Codes of every area whose numbers this profile shows: itself, its peers and the city."""
        return frozenset({self.area.code, self.city.code, *(a.code for a in self.peers)})

    def lead_indicator(self, section: str) -> str | None:
        """The section's indicator to chart: the first significantly different one, else the first with an
        interval (catalogue order is the priority order)."""
        rows = self.indicator_rows(section)
        rows = rows[~rows["suppressed"].astype(bool) & rows["lower"].notna()]
        if rows.empty:
            return None
        different = rows[rows["comparison_95"].isin(["worse", "better", "higher", "lower"])]
        return (different if len(different) else rows)["id"].iloc[0]

    @property
    def suppression_note(self) -> str:
        return self.tables.rule.describe_de()
