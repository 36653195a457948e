"""What one profile shows: the tables behind each section, read from the build's shared indicator table.

The template notebook calls `open_profile(...)` and then asks the returned `Profile` for its tables and
charts. Everything here reads already-suppressed numbers; nothing recomputes statistics.
"""

from __future__ import annotations

import hashlib
import html
import pickle
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from . import areas as area_rules
from . import charts, findings, text
from .data import AGE_BANDS, Dataset, latest_of, load_dataset, period_sort_key
from .indicators import apply_suppression, build_indicator_table
from .suppression import SUPPRESSED_MARKER, SuppressionRule

STATISTIC_LABELS = {
    "proportion": "Anteil mit Wilson-Konfidenzintervall",
    "rate": "Rate mit exaktem Poisson- bzw. Byar-Konfidenzintervall",
    "dsr": "direkt altersstandardisierte Rate (Europastandard 2013, Dobson-Konfidenzintervall)",
    "mean": "Mittelwert mit t-Konfidenzintervall",
    "count": "Anzahl",
    "ratio": "Verhältniszahl ohne Konfidenzintervall",
}
METHODS_TEXT = (
    "Jeder Wert wird mit seinem 95-%-Konfidenzintervall ausgewiesen. Ein Gebiet gilt als signifikant besser oder "
    "schlechter als Bremerhaven, wenn der Wert der Stadt außerhalb dieses Intervalls liegt (wie in den "
    "Fingertips-Profilen von Public Health England); die strengere Prüfung verwendet das 99,8-%-Intervall. "
    "Anteile: Wilson-Score-Intervall. Raten: exakte Poisson-Grenzen bei weniger als 10 Ereignissen, sonst "
    "Byar-Näherung. Sterblichkeit: direkte Altersstandardisierung auf die Europastandardbevölkerung 2013 mit "
    "dem Dobson-Verfahren; bei weniger als 10 Sterbefällen wird kein Wert berechnet. Mittelwerte: "
    "t-Verteilung. Trend: Test auf linearen Trend über die letzten fünf Jahre (Chi-Quadrat-Trendtest für "
    "Anteile, Poisson-Trendtest für Raten). Kleine Gebiete werden über mehrere Jahrgänge zusammengefasst, wo "
    "der Katalog es vorsieht. Stadtteilwerte sind Summen ihrer Ortsteile."
)
_NO_VALUES = np.array([], dtype=float)
_PEER_COLUMNS = ["value", "lower", "upper", "suppressed"]  # what `Profile.peer_values` adds to each peer
AGE_GROUPS = {"unter 18": (0, 17), "18–64": (18, 64), "65–79": (65, 79), "80 und älter": (80, 200)}


@dataclass(frozen=True)
class ProfileTables:
    """Everything the profiles of one build read, computed once and shared by all notebook runs."""

    indicators: pd.DataFrame
    catalogue: pd.DataFrame
    population: pd.DataFrame  # area, period, sex, age_band, population (summed over member Ortsteile)
    districts: pd.DataFrame
    areas: tuple[area_rules.Area, ...]
    metadata: dict
    rule: SuppressionRule
    boundaries: dict | None = None


def compute_tables(
    dataset: Dataset, rule: SuppressionRule | None = None, unsuppressed: pd.DataFrame | None = None
) -> ProfileTables:
    """The tables every profile reads. `unsuppressed`: the indicator table before suppression
    (`indicators.unsuppressed_indicator_table`), when the caller has computed it already (the build's audit)."""
    rule = rule or SuppressionRule()
    areas = area_rules.profile_areas(dataset.districts, dataset.population)
    if unsuppressed is None:
        indicators = build_indicator_table(dataset, areas, rule)
    else:
        indicators = apply_suppression(unsuppressed, dataset.catalogue, areas, rule)
    members = pd.DataFrame([(a.code, m) for a in areas for m in a.members], columns=["area", "district"])
    population = (
        dataset.population.merge(members, on="district")
        .groupby(["area", "period", "sex", "age_band"], sort=False)["population"]
        .sum()
        .reset_index()
    )
    return ProfileTables(
        indicators=indicators,
        catalogue=dataset.catalogue,
        population=population,
        districts=dataset.districts,
        areas=tuple(areas),
        metadata=dict(dataset.metadata),
        rule=rule,
        boundaries=dataset.boundaries,
    )


def save_tables(tables: ProfileTables) -> bytes:
    return pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL)


def load_tables(path: str | Path) -> ProfileTables:
    """Read the tables a build cached for its notebook runs (a file this package wrote itself)."""
    with open(path, "rb") as handle:
        return pickle.load(handle)


def open_profile(
    district: str, period: str | None = None, tables: str | None = None, data_dir: str | None = None
) -> Profile:
    """The profile of one area: from the build's cached tables, or computed from `data_dir` when run alone."""
    loaded = load_tables(tables) if tables else compute_tables(load_dataset(Path(data_dir) if data_dir else None))
    (area,) = area_rules.resolve_areas(list(loaded.areas), [str(district)])
    return Profile(area, period or latest_period_of(loaded), loaded)


def latest_period_of(tables: ProfileTables) -> str:
    return latest_of(tables.indicators["period"].unique())


def matching_period(available, period: str) -> str | None:
    """The period of a series shown for a report period: the latest one up to it. An annual value serves every
    quarter of its year, a year is served by its last quarter, and an indicator not collected every year (e.g.
    an election) shows its latest value, labelled with its own period."""
    key = period_sort_key(period)
    candidates = [p for p in set(available) if period_sort_key(p) <= key]
    return max(candidates, key=period_sort_key) if candidates else None


def has_data_for(available, period: str) -> bool:
    """Whether any series has a value in the report period's year."""
    return any(p[:4] == period[:4] for p in set(available))


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
        return text.format_period(self.period)

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
            indicator: matching_period(group["period"], self.period)
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
        return catalogue.join(rows, how="inner").reset_index(drop=True)

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
        season = self.period[4:] if "-Q" in self.period else "-Q4"
        if own["period"].str.contains("-Q").any():
            own = own[own["period"].str.endswith(season)]
        own = own[own["period"].map(period_sort_key) <= period_sort_key(self.period)]
        own = own.sort_values("period", key=lambda s: s.map(period_sort_key))
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
        return pop[pop["period"] == (period or matching_period(pop["period"], self.period))]

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
        def shares(code):
            pop = self._population(code).groupby("age_band")["population"].sum()
            lower = pop.index.str.extract(r"^(\d+)", expand=False).astype(int)
            total = pop.sum()
            return [pop[(lower >= lo) & (lower <= hi)].sum() / total * 100 for lo, hi in AGE_GROUPS.values()]

        return pd.DataFrame(
            {
                "group": list(AGE_GROUPS),
                "district_share": shares(self.area.code),
                "city_share": shares(self.city.code),
            }
        )

    def population_development(self) -> pd.DataFrame:
        pop = self.tables.population
        totals = pop.groupby(["area", "period"])["population"].sum()
        periods = sorted(
            {p for p in pop["period"] if period_sort_key(p) <= period_sort_key(self.period)},
            key=period_sort_key,
        )
        return pd.DataFrame(
            {
                "period": periods,
                "district_population": [totals.get((self.area.code, p), np.nan) for p in periods],
                "city_population": [totals.get((self.city.code, p), np.nan) for p in periods],
            }
        )

    @property
    def population_total(self) -> float:
        return float(self._population(self.area.code)["population"].sum())

    # --- map ---
    def location_html(self) -> str:
        """Which Ortsteile the area covers (its numbers are their sums) and where it lies."""
        names = dict(zip(self.tables.districts["code"], self.tables.districts["name"], strict=True))
        members = ", ".join(names[code] for code in self.area.members)
        if self.area.level == "ortsteil":
            sentence = f"{self.name} ist ein Ortsteil im Stadtteil {self.area.parent_name}."
        elif self.area.level == "stadt":
            sentence = (
                f"{self.city.name} umfasst {len(self.area.members)} bewohnte Ortsteile in {self.stadtteil_count} "
                "Stadtteilen; verglichen werden die Stadtteile."
            )
        elif self.area.also_code:
            sentence = f"Der Stadtteil {self.name} besteht aus einem bewohnten Ortsteil ({members})."
        else:
            sentence = f"Der Stadtteil {self.name} umfasst die Ortsteile {members}; seine Werte sind deren Summen."
        return f"<p class='location'>{html.escape(sentence)}</p>"

    def location_map_html(self) -> str:
        """The map of all Ortsteile with this area's highlighted; a note instead when no geometry is known for
        them (neither the built-in tile grid of Bremerhaven nor ``ortsteile.geojson``)."""
        ortsteile = self.ortsteile()
        if self.tables.boundaries is None and not set(ortsteile["code"]) <= charts.TILE_GRID.keys():
            return (
                "<p class='note'>Keine Karte: Für diese Gebiete liegen keine Gebietsgrenzen vor "
                "(Datei <code>ortsteile.geojson</code>, siehe Datenvertrag).</p>"
            )
        chart = charts.tile_map(ortsteile, highlight=list(self.area.members), geojson=self.tables.boundaries)
        caption = f"Lage von {self.name} unter den {len(ortsteile)} Ortsteilen {self.city.name}s"
        return charts.chart_to_html(chart, caption)

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

    # --- downloads ---
    def download_table(self) -> pd.DataFrame:
        """The report's indicator table with German headers, suppression applied (for CSV and XLSX)."""
        rows = self.indicator_rows()
        marker = rows["suppressed"].map({True: SUPPRESSED_MARKER, False: ""})
        return pd.DataFrame(
            {
                "Bereich": rows["section"],
                "Kennziffer": rows["id"],
                "Indikator": rows["name"],
                "Einheit": rows["unit"],
                "Zeitraum": rows["period_label"].map(text.format_period_label),
                "Gebiet": self.name,
                "Wert": rows["value"].round(2),
                "KI 95 % unten": rows["lower"].round(2),
                "KI 95 % oben": rows["upper"].round(2),
                "Bremerhaven": rows["city_value"].round(2),
                "Vergleich (95 %)": rows["comparison_95"].map(text.CLASSIFICATION_LABELS),
                "Vergleich (99,8 %)": rows["comparison_998"].map(text.CLASSIFICATION_LABELS),
                "Trend": rows["trend"].map(text.TREND_LABELS),
                "Zähler": rows["numerator"],
                "Nenner": rows["denominator"],
                "Unterdrückt": marker,
                "Quelle": rows["source"],
            }
        )

    @property
    def shown_areas(self) -> frozenset[str]:
        """Codes of every area whose numbers this profile shows: itself, its peers and the city."""
        return frozenset({self.area.code, self.city.code, *(a.code for a in self.peers)})

    def inputs_digest(self) -> str:
        """Hash of exactly the numbers this profile can show: a data change elsewhere does not rebuild it."""
        return inputs_digest(self.tables, self.shown_areas, self.period)

    # --- text blocks ---
    def key_findings_html(self) -> str:
        sentences = findings.key_findings(self.indicator_rows(), self.name, is_city=self.area.level == "stadt")
        items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
        return f"<div class='key-findings'><ul>{items}</ul></div>"

    def key_figures_html(self) -> str:
        """Key figures of the area beside the city: residents, area, density and the age structure."""
        rows = self.indicator_rows("Demografie")
        city = self.tables.districts.set_index("code")
        own_area = (
            float(city.loc[list(self.area.members), "area_km2"].sum())
            if self.area.level != "stadt"
            else float(city.loc[self.city.code, "area_km2"])
        )
        cells = [
            ("Einwohner", text.format_count(self.population_total)),
            ("Fläche", text.format_value(own_area, "km²", 2)),
        ]
        for _, row in rows[rows["statistic"] != "count"].head(4).iterrows():
            shown = SUPPRESSED_MARKER if row["suppressed"] else text.format_value(row["value"], row["unit"])
            cells.append((row["name"], shown))
        # A definition list: a screen reader says "Einwohner: 38.445"; the CSS shows the number big, above its
        # label. The unit after the number's no-break space is set smaller ("16,37" "km²"), and on a narrow card
        # it may go to the next line.
        figures = []
        for label, value in cells:
            number, _, unit = value.partition(text.NBSP)
            unit_html = f" <span class='figure-unit'>{html.escape(unit)}</span>" if unit else ""
            figures.append(
                f"<div class='figure-card'><dt class='figure-label'>{html.escape(label)}</dt>"
                f"<dd class='figure-value'>{html.escape(number)}{unit_html}</dd></div>"
            )
        return f"<dl class='key-figures'>{''.join(figures)}</dl>"

    def lead_indicator(self, section: str) -> str | None:
        """The section's indicator to chart: the first significantly different one, else the first with an
        interval (catalogue order is the priority order)."""
        rows = self.indicator_rows(section)
        rows = rows[~rows["suppressed"].astype(bool) & rows["lower"].notna()]
        if rows.empty:
            return None
        different = rows[rows["comparison_95"].isin(["worse", "better", "higher", "lower"])]
        return (different if len(different) else rows)["id"].iloc[0]

    def methods_html(self) -> str:
        """Methods, definitions and sources, generated from the catalogue and the build's metadata."""
        meta = self.tables.metadata
        parts = [
            f"<h3>Statistische Methoden</h3><p>{html.escape(METHODS_TEXT)}</p>",
            f"<h3>Kleine Fallzahlen</h3><p>{html.escape(self.tables.rule.describe_de())}</p>",
        ]
        vintage = [
            f"Datenstand: {text.format_date(meta['stand'])}." if meta.get("stand") else "",
            meta.get("population_base", ""),
            meta.get("sample_notice", "") if meta.get("sample_data") else "",
        ]
        parts.append(f"<h3>Datengrundlage</h3><p>{html.escape(' '.join(v for v in vintage if v))}</p>")
        parts.append(
            "<p>Gebietsgliederung, Flächen und Einwohner 31.12.2018: Magistrat der Stadt Bremerhaven / Statistisches "
            "Landesamt Bremen (nach den de.wikipedia-Artikeln der Stadtteile); amtliche Schlüssel: „Bremerhaven "
            "in Zahlen“ Nr. 8 (2011).</p>"
        )
        parts.append("<h3>Definitionen</h3>")
        for section, group in self.catalogue.groupby("section", sort=False):
            entries = []
            for _, r in group.iterrows():
                method = STATISTIC_LABELS[r["statistic"]] + (
                    f", {int(r['years_pooled'])} Jahre zusammengefasst" if r["years_pooled"] > 1 else ""
                )
                details = (
                    ("Zähler", r["numerator"]),
                    ("Nenner", r["denominator"]),
                    ("Methode", method),
                    ("Quelle", r["source"]),
                )
                facts = "".join(
                    f"<span class='definition-fact'><span class='definition-term'>{term}:</span> "
                    f"{html.escape(value.strip().removesuffix('.'))}.</span> "  # "am 31.12." ends with its own dot
                    for term, value in details
                    if isinstance(value, str) and value.strip()  # a count has no denominator
                )
                entries.append(
                    f"<div class='definition'><dt>{html.escape(r['name'])} "
                    f"<span class='unit'>({html.escape(r['unit'])})</span></dt>"
                    f"<dd><span class='definition-text'>{html.escape(r['definition'])}</span> "
                    f"<span class='definition-facts'>{facts.rstrip()}</span></dd></div>"
                )
            parts.append(f"<h4>{html.escape(section)}</h4><dl class='definitions'>{''.join(entries)}</dl>")
        return f"<div class='methods'>{''.join(parts)}</div>"

    def appendix_html(self) -> str:
        return indicator_table_html(
            self.indicator_rows(), f"Alle Indikatoren für {self.name}, {self.period_label}", self.suppression_note
        )

    @property
    def suppression_note(self) -> str:
        return self.tables.rule.describe_de()


def inputs_digest(tables: ProfileTables, codes: frozenset[str], period: str) -> str:
    """Hash of the rows of `codes` up to `period` plus everything every profile shows (catalogue, register,
    metadata, rule). All Ortsteil profiles show the same areas, so a build computes this once per set."""
    table = tables.indicators
    shown = table[table["area"].isin(codes) & (table["period"].map(period_sort_key) <= period_sort_key(period))]
    population = tables.population[tables.population["area"].isin(codes)]
    digest = hashlib.sha256()
    for frame in (shown, population, tables.catalogue, tables.districts):
        digest.update(pd.util.hash_pandas_object(frame.reset_index(drop=True), index=True).to_numpy().tobytes())
    digest.update(repr(sorted(tables.metadata.items())).encode())
    digest.update(repr(tables.rule).encode())
    return digest.hexdigest()


# --- HTML pieces the notebook displays ---------------------------------------------------------------------


def _value_cell(row: pd.Series, column: str) -> str:
    if row["suppressed"]:
        return SUPPRESSED_MARKER
    return text.format_number(row[column], text.decimals_for(row["unit"]))


def _cases(row: pd.Series) -> str:
    """The count behind a value: events or people (a mean's number measured); none for ratios."""
    if row["suppressed"]:
        return SUPPRESSED_MARKER
    if row["statistic"] == "ratio":
        return text.MISSING
    return text.format_count(row["denominator"] if row["statistic"] == "mean" else row["numerator"])


def indicator_table_html(rows: pd.DataFrame, caption: str, note: str = "") -> str:
    """Table of indicators: value, 95 % CI, city value, classification, trend and count.

    `note` (the small-number rule) is printed under the table when a value in it is suppressed, so every page
    that hides a value says why."""
    head = (
        "<tr><th scope='col' class='col-name'>Indikator</th><th scope='col' class='col-period'>Zeitraum</th>"
        "<th scope='col' class='num col-value'>Wert</th><th scope='col' class='num col-ci'>95-%-KI</th>"
        "<th scope='col' class='num col-city'>Bremer\u00adhaven</th>"
        "<th scope='col' class='col-comparison'>Vergleich</th><th scope='col' class='col-trend'>Trend</th>"
        "<th scope='col' class='num col-count'>Fälle</th></tr>"
    )
    # "•" alone means nothing to a screen reader; the abbreviation's title says what it stands for.
    suppressed = (
        f"<abbr class='suppressed' title='wegen kleiner Fallzahlen nicht ausgewiesen'>{SUPPRESSED_MARKER}</abbr>"
    )

    def shown(cell: str) -> str:
        return suppressed if cell == SUPPRESSED_MARKER else cell

    body = []
    for _, row in rows.iterrows():
        decimals = text.decimals_for(row["unit"])
        interval = (
            SUPPRESSED_MARKER if row["suppressed"] else text.format_interval(row["lower"], row["upper"], decimals)
        )
        label = text.CLASSIFICATION_LABELS[row["comparison_95"]]
        count = _cases(row)
        body.append(
            f"<tr><th scope='row'>{html.escape(row['name'])} <span class='unit'>({html.escape(row['unit'])})"
            f"</span></th><td class='period'>{html.escape(text.format_period_label(row['period_label']))}</td>"
            f"<td class='num'>{shown(_value_cell(row, 'value'))}</td><td class='num ci'>{shown(interval)}</td>"
            f"<td class='num'>{text.format_number(row['city_value'], decimals)}</td>"
            f"<td><span class='badge badge-{row['comparison_95'].replace(' ', '-')}'>{label}</span></td>"
            f"<td class='trend'>{text.TREND_LABELS[row['trend']]}</td><td class='num'>{shown(count)}</td></tr>"
        )
    # On a phone the table scrolls sideways inside this box; keyboard users reach it with Tab (a named region).
    return (
        f"<div class='table-scroll' role='region' tabindex='0' aria-label='{html.escape(caption)}'>"
        f"<table class='indicators'><caption>{html.escape(caption)}</caption><thead>{head}</thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>"
        + (f"<p class='table-note'>{SUPPRESSED_MARKER} {html.escape(note)}</p>" if rows["suppressed"].any() else "")
    )


def show(fragment: str) -> None:
    """Display an HTML fragment as the cell's only output (nothing else reaches the report)."""
    from IPython.display import HTML, display

    display(HTML(fragment))


def show_chart(chart: charts.Chart, caption: str) -> None:
    show(charts.chart_to_html(chart, caption))


def show_section(profile: Profile, section: str) -> None:
    """A report section: its indicator table, the lead indicator among all peers, and its trend."""
    rows = profile.indicator_rows(section)
    show(
        indicator_table_html(rows, f"{section}: {profile.name} im Vergleich mit Bremerhaven", profile.suppression_note)
    )
    lead = profile.lead_indicator(section)
    if lead is None:
        return
    spec = profile.catalogue.loc[lead]
    peers_label = "Ortsteilen" if profile.area.peer_level == "ortsteil" else "Stadtteilen"
    show_chart(
        charts.district_bars(
            profile.peer_values(lead), profile.area.code, _city_value(rows, lead), spec["name"], spec["unit"]
        ),
        f"{spec['name']} in allen {peers_label} ({spec['unit']}), {profile.period_label}",
    )
    show_chart(
        charts.trend_chart(profile.series(lead), spec["name"], spec["unit"], profile.name),
        f"{spec['name']}: Entwicklung in {profile.name} und Bremerhaven mit 95-%-Konfidenzintervall",
    )


def _city_value(rows: pd.DataFrame, indicator: str) -> float:
    return float(rows.loc[rows["id"] == indicator, "city_value"].iloc[0])


def report_info(profile: Profile, build_id: str):
    """The cover, header and footer texts of one report."""
    from .render import ReportInfo

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
