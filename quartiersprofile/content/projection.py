"""What the reports say about the population projection: computed once per build (`compute_projection`, kept in
`ProfileTables.projection`), then read by every profile, the overview and the focus reports.

The projection itself is `quartiersprofile.stats.projection` (Hamilton-Perry cohort-change ratios, back-tested
prediction intervals). Here it becomes what a reader sees:

- `area_table`: per age group (`model.age_bands.AGE_GROUPS` and the total) the residents of the launch year and
  the projection 5 and 10 years ahead with its interval and the change in percent;
- `sentences`: one German sentence per group, made from the very strings of the table;
- `changes`: the change of the 65-79 and 80+ year olds in every area, for the ranked charts;
- `error_table`: the back-test error (MAPE) by area-size class, as the Methodik cites it.

Projected numbers are counts of people, so the small-number rule applies to them as to every count
(`SuppressionRule.min_count`): a count (or an interval limit) that is shown as 1 to min_count - 1 people is not
shown ("•"); a change whose count is hidden is not shown, nor its interval when a limit is hidden; and when only
one age group of an area and year is hidden, the next smallest is hidden too, so that the total minus the other
groups does not give it away.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..model.age_bands import AGE_BANDS, AGE_GROUPS, age_group_label
from ..model.areas import Area
from ..model.contract import PROJECTION_HORIZON
from ..model.dataset import Dataset
from ..stats import projection as pr
from ..stats.suppression import SUPPRESSED_MARKER, SuppressionRule
from . import text

#: Years ahead of the launch year the profiles show.
HORIZONS = (5, PROJECTION_HORIZON)
#: Coverage of the prediction intervals (80 %: the usual choice for empirical intervals of population forecasts).
COVERAGE = 0.8
TOTAL_LABEL = pr.group_label(*pr.TOTAL)
#: The groups of the ranked comparison of all areas.
COMPARED_GROUPS = ((65, 79), (80, None))
CONTROL_CITY = "city"
CONTROL_OFFICIAL = "official"


@dataclass(frozen=True)
class ProjectionTables:
    """The projection of every area with a profile, computed once per build (`compute_projection`).

    `note` says why there is none (then the frames are empty)."""

    launch_year: int | None = None
    horizon: int = PROJECTION_HORIZON
    coverage: float = COVERAGE
    control: str = CONTROL_CITY  # CONTROL_CITY (the city's own projection) or CONTROL_OFFICIAL (projection.csv)
    #: area, size_class, year, horizon, age_group, age_from, age_to, population, lower, upper (projected years)
    groups: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: area, age_group, age_from, age_to, population: the launch year, observed
    launch: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: area, year, sex, age_band, population: the projected years by sex and band
    bands: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: size_class, areas, projections, horizon, "MAPE insgesamt", "MAPE 65–79" (`stats.projection.backtest_error_table`)
    error_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: settings of the method: base years, shrinkage constants (`stats.projection.run_projection` attrs)
    settings: dict = field(default_factory=dict)
    note: str = ""

    @property
    def available(self) -> bool:
        return not self.note

    @property
    def years(self) -> tuple[int, ...]:
        """The projected years the reports show (launch year + `HORIZONS`)."""
        return tuple(self.launch_year + h for h in HORIZONS) if self.launch_year is not None else ()


def areas_frame(areas: list[Area] | tuple[Area, ...]) -> pd.DataFrame:
    """code, name, level, members (comma-separated Ortsteile) of the areas, as `stats.projection` takes them."""
    return pd.DataFrame(
        [(a.code, a.name, a.level, ",".join(a.members)) for a in areas], columns=["code", "name", "level", "members"]
    )


def compute_projection(dataset: Dataset, areas: list[Area] | tuple[Area, ...]) -> ProjectionTables:
    """The projection of every area `PROJECTION_HORIZON` years past the latest population year, with 80 %
    prediction intervals and the back-test, controlled to `dataset.projection` when the data hold an official one.

    Fewer than three consecutive years of population data allow no back-test: then a `ProjectionTables` whose
    `note` says so."""
    population = dataset.population
    years = sorted({int(p) for p in population["period"]})
    if len(years) < 3 or years != list(range(years[0], years[-1] + 1)):
        return ProjectionTables(
            note="Für eine Prognose sind mindestens drei aufeinanderfolgende Jahrgänge der Bevölkerungsdaten "
            f"nötig; vorhanden sind {', '.join(map(str, years)) or 'keine'}."
        )
    control = None
    if dataset.projection is not None:
        control = dataset.projection[["year", "sex", "age_band", "population"]]
    run = pr.run_projection(population, areas_frame(areas), horizon=PROJECTION_HORIZON, coverage=COVERAGE,
                            control=control)  # fmt: skip
    groups = run.groups.drop(columns=["name", "level"])
    groups.attrs = {}
    launch = run.launch.drop(columns=["name", "level", "year"])
    return ProjectionTables(
        launch_year=int(run.groups.attrs["launch_year"]),
        horizon=PROJECTION_HORIZON,
        coverage=COVERAGE,
        control=CONTROL_OFFICIAL if control is not None else CONTROL_CITY,
        groups=groups,
        launch=launch,
        bands=run.bands,
        error_table=pr.backtest_error_table(run.errors),
        settings={
            **{key: run.groups.attrs[key] for key in ("base_years", "ccr_k", "cwr_k", "scaling")},
            "backtest_base_years": sorted(int(year) for year in run.errors["base_year"].unique()),
        },
    )


# --- suppression -----------------------------------------------------------------------------------------------


def shown_count(value: float) -> int | None:
    """A count as the reports print it: rounded half up to whole people (None: missing)."""
    return None if value is None or not math.isfinite(value) else int(math.floor(value + 0.5))


def is_small(values, rule: SuppressionRule) -> np.ndarray:
    """Whether each count is shown as 1 to `rule.min_count` - 1 people (the rule hides it)."""
    shown = np.floor(np.asarray(values, dtype=float) + 0.5)
    return (shown >= 1) & (shown < rule.min_count)


def _complementary(counts: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """`hidden` for the age groups of one column (one area and year, without the total): when exactly one is
    hidden, the smallest shown one too (the total minus the others would give it away)."""
    hidden = hidden.copy()
    if hidden.sum() == 1:
        candidates = np.where(hidden, np.inf, counts)
        hidden[int(np.argmin(candidates))] = True
    return hidden


# --- one area -------------------------------------------------------------------------------------------------


def _group_order() -> list[str]:
    """The total, then the report's age groups, named from their bounds."""
    return [TOTAL_LABEL, *(age_group_label(lo, hi) for lo, hi in AGE_GROUPS)]


def area_table(projection: ProjectionTables, area_code: str, rule: SuppressionRule) -> pd.DataFrame:
    """One row per age group (the total first, then `AGE_GROUPS`): the launch-year residents and, for each
    horizon h of `HORIZONS`, the projection, its limits and the change in percent with its limits; hidden
    cells (the small-number rule, see the module docstring) are NaN with a flag.

    Columns: group, age_from, age_to, now, now_hidden, and per h: ``year_h``, ``value_h``, ``lower_h``,
    ``upper_h``, ``change_h``, ``change_lower_h``, ``change_upper_h``, ``value_h_hidden``, ``interval_h_hidden``,
    ``change_h_hidden``, ``change_interval_h_hidden``."""
    order = _group_order()
    launch = projection.launch[projection.launch["area"] == area_code].set_index("age_group").reindex(order)
    rows = pd.DataFrame(
        {
            "group": order,
            "age_from": launch["age_from"].to_numpy(),
            "age_to": launch["age_to"].to_numpy(),
            "now": launch["population"].to_numpy(dtype=float),
        }
    )
    rows["now_hidden"] = _hidden_column(rows["now"].to_numpy(), rule)
    own = projection.groups[projection.groups["area"] == area_code]
    for h in HORIZONS:
        at = own[own["horizon"] == h].set_index("age_group").reindex(order)
        value, lower, upper = (at[c].to_numpy(dtype=float) for c in ("population", "lower", "upper"))
        now = rows["now"].to_numpy()
        value_hidden = _hidden_column(value, rule)
        interval_hidden = is_small(lower, rule) | is_small(upper, rule) | value_hidden
        with np.errstate(divide="ignore", invalid="ignore"):
            change = np.where(now > 0, 100 * (value / now - 1), np.nan)
            change_lower = np.where(now > 0, 100 * (lower / now - 1), np.nan)
            change_upper = np.where(now > 0, 100 * (upper / now - 1), np.nan)
        change_hidden = value_hidden | rows["now_hidden"].to_numpy()
        change_interval_hidden = change_hidden | interval_hidden
        rows[f"year_{h}"] = projection.launch_year + h
        rows[f"value_{h}"] = np.where(value_hidden, np.nan, value)
        rows[f"lower_{h}"] = np.where(interval_hidden, np.nan, lower)
        rows[f"upper_{h}"] = np.where(interval_hidden, np.nan, upper)
        rows[f"change_{h}"] = np.where(change_hidden, np.nan, change)
        rows[f"change_lower_{h}"] = np.where(change_interval_hidden, np.nan, change_lower)
        rows[f"change_upper_{h}"] = np.where(change_interval_hidden, np.nan, change_upper)
        rows[f"value_{h}_hidden"] = value_hidden
        rows[f"interval_{h}_hidden"] = interval_hidden
        rows[f"change_{h}_hidden"] = change_hidden
        rows[f"change_interval_{h}_hidden"] = change_interval_hidden
    rows["now"] = np.where(rows["now_hidden"], np.nan, rows["now"])
    return rows


def _hidden_column(counts: np.ndarray, rule: SuppressionRule) -> np.ndarray:
    """Which counts of one column (total first, then the age groups) the rule hides, complementary cells included;
    a hidden total hides every group."""
    hidden = is_small(counts, rule)
    hidden[1:] = _complementary(counts[1:], hidden[1:])
    if hidden[0]:
        hidden[:] = True
    return hidden


# --- text -------------------------------------------------------------------------------------------------------

MINUS = "−"


def format_change(value: float, signed: bool = True) -> str:
    """A change in percent as a whole number: "+18", "−7", "0" (`signed`), or its magnitude "18"."""
    number = text.format_number(abs(value) if not signed else value, 0)
    if number == text.MISSING or not signed:
        return number
    if number.startswith("-"):
        return MINUS + number[1:]
    return number if number == "0" else f"+{number}"


def format_change_range(lower: float, upper: float, change: float) -> str:
    """The interval of a change as a sentence says it: "11–25 %" when both limits lie on the side of the change
    (magnitudes, as in "wächst um 18 % (Spanne 11–25 %)"), else "−3 bis +5 %"."""
    low, high = format_change(lower), format_change(upper)
    shown = format_change(change)
    same_side = (shown.startswith("+") and low.startswith("+") and high.startswith("+")) or (
        shown.startswith(MINUS) and low.startswith(MINUS) and high.startswith(MINUS)
    )
    if same_side:
        first, last = sorted([abs(lower), abs(upper)])
        return f"{format_change(first, False)}–{format_change(last, False)}{text.NBSP}%"
    return f"{low} bis {high}{text.NBSP}%"


def group_phrase(lower: int, upper: int | None) -> str:
    """The people of an age group in a sentence, from its bounds: (65, 79) "65- bis 79-Jährigen", (0, 19)
    "unter 20-Jährigen", (80, None) "80-Jährigen und Älteren"; the total "Einwohner:innen"."""
    if (lower, upper) == pr.TOTAL:
        return "Einwohner:innen"
    if upper is None:
        return f"{lower}-Jährigen und Älteren"
    if lower == 0:
        return f"unter {upper + 1}-Jährigen"
    return f"{lower}- bis {upper}-Jährigen"


def sentence(row: pd.Series, area_name: str, horizon: int = PROJECTION_HORIZON) -> str:
    """One sentence on a group's change until launch year + `horizon`, with the table's own numbers:
    "Bis 2034 wächst die Zahl der 65- bis 79-Jährigen in Lehe voraussichtlich um 18 % (Spanne 11–25 %)."."""
    lower, upper = int(row["age_from"]), None if pd.isna(row["age_to"]) else int(row["age_to"])
    who = f"der {group_phrase(lower, upper)} in {area_name}"
    year = int(row[f"year_{horizon}"])
    if row[f"change_{horizon}_hidden"]:
        return (
            f"Für die Zahl {who} weist der Bericht bis {year} keine Veränderung aus: zu kleine Zahlen "
            f"({SUPPRESSED_MARKER})."
        )
    change = row[f"change_{horizon}"]
    if row[f"change_interval_{horizon}_hidden"]:
        span = f"Spanne wegen kleiner Zahlen nicht ausgewiesen ({SUPPRESSED_MARKER})"
    else:
        span = f"Spanne {format_change_range(row[f'change_lower_{horizon}'], row[f'change_upper_{horizon}'], change)}"
    shown = format_change(change)
    if shown == "0":
        return f"Bis {year} bleibt die Zahl {who} voraussichtlich etwa gleich ({span})."
    verb = "wächst" if shown.startswith("+") else "sinkt"
    return f"Bis {year} {verb} die Zahl {who} voraussichtlich um {format_change(change, False)}{text.NBSP}% ({span})."


def sentences(projection: ProjectionTables, area: Area, rule: SuppressionRule) -> list[str]:
    """The sentences of an area's projection section: one per age group (the total first)."""
    if not projection.available:
        return []
    table = area_table(projection, area.code, rule)
    return [sentence(row, area.name) for _, row in table.iterrows()]


# --- all areas --------------------------------------------------------------------------------------------------


def changes(projection: ProjectionTables, areas: list[Area], rule: SuppressionRule,
            horizon: int = PROJECTION_HORIZON) -> pd.DataFrame:  # fmt: skip
    """The change until launch year + `horizon` of the groups `COMPARED_GROUPS` in each of `areas`, with the same
    suppression as the areas' own tables: code, name, group, change, change_lower, change_upper, hidden,
    interval_hidden (one row per area and group, in the order of `areas`)."""
    rows = []
    for area in areas:
        table = area_table(projection, area.code, rule).set_index("group")
        for lower, upper in COMPARED_GROUPS:
            row = table.loc[age_group_label(lower, upper)]
            rows.append(
                {
                    "code": area.code,
                    "name": area.name,
                    "group": age_group_label(lower, upper),
                    "change": row[f"change_{horizon}"],
                    "change_lower": row[f"change_lower_{horizon}"],
                    "change_upper": row[f"change_upper_{horizon}"],
                    "hidden": bool(row[f"change_{horizon}_hidden"]),
                    "interval_hidden": bool(row[f"change_interval_{horizon}_hidden"]),
                }
            )
    return pd.DataFrame(rows)


def pyramid(projection: ProjectionTables, population: pd.DataFrame, area_code: str, rule: SuppressionRule,
            horizon: int = PROJECTION_HORIZON) -> pd.DataFrame:  # fmt: skip
    """The area's residents by sex and band in the launch year and projected `horizon` years later: sex, age_band,
    now, projected (NaN where the rule hides the projected count), projected_hidden."""
    own = population[(population["area"] == area_code) & (population["period"] == str(projection.launch_year))]
    now = own.set_index(["sex", "age_band"])["population"]
    bands = projection.bands
    target = bands[(bands["area"] == area_code) & (bands["year"] == projection.launch_year + horizon)]
    projected = target.set_index(["sex", "age_band"])["population"]
    index = pd.MultiIndex.from_product([("m", "w"), AGE_BANDS], names=["sex", "age_band"])
    frame = pd.DataFrame({"now": now.reindex(index), "projected": projected.reindex(index)}).reset_index()
    frame["projected_hidden"] = is_small(frame["projected"], rule)
    frame.loc[frame["projected_hidden"], "projected"] = np.nan
    return frame


def error_table(projection: ProjectionTables) -> pd.DataFrame:
    """The back-test error table (MAPE in %, at the longest horizon tested) as the Methodik cites it."""
    return projection.error_table.copy()


def digest_frames(projection: ProjectionTables | None, codes) -> list[pd.DataFrame]:
    """What a report of the areas `codes` shows of the projection (for the build's content fingerprints): their
    projected groups and bands, and the back-test table every Methodik cites."""
    if projection is None or not projection.available:
        return []
    codes = set(codes)
    return [
        projection.groups[projection.groups["area"].isin(codes)],
        projection.bands[projection.bands["area"].isin(codes)],
        projection.error_table,
    ]
