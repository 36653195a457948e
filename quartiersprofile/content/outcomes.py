"""Health outcomes beside the catalogue's indicators, computed once per build: life expectancy by sex, standardised
mortality ratios per Ortsteil and the inequality of indicators across areas ranked by deprivation.

The catalogue says what feeds them (data/README.md): ``life_expectancy = true`` marks the deaths (all causes, by
sex and 5-year band) the life tables are built from, ``smr = true`` the mortality indicators shown as SMRs, and
``inequality`` the deprivation indicator that ranks the areas ("rank") and the indicators whose gradient is measured
("measure"). Nothing here shows more than the suppressed indicator table: a life expectancy or SMR whose deaths
the table hides is hidden too, and the slope index is fitted to published values only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import stats
from ..model import periods
from ..model.age_bands import AGE_BANDS, select_age_bands
from ..model.areas import Area
from ..model.dataset import Dataset
from ..stats.life_tables import FIVE_YEAR_AGE_BANDS
from .text import format_interval, format_number, sentence

#: Ages life expectancy is given at: at birth and at 65.
LIFE_EXPECTANCY_AGES = (0, 65)
#: Draws for the confidence limits of a slope index (PHEindicatormethods' default); seeded, so builds repeat.
SII_SIMULATIONS = 100_000
#: The fewest areas a slope index is fitted to (phe_sii needs at least five quantiles).
SII_MIN_AREAS = 5
#: Pseudo-indicator id of life expectancy at birth in the inequality tables.
LIFE_EXPECTANCY = "LE0"

_LIFE_COLUMNS = [
    "area", "sex", "period", "period_label", "age", "deaths", "value", "lower", "upper", "lower_998", "upper_998",
    "reason", "city_value", "comparison", "comparison_998", "suppressed",
]  # fmt: skip
_RATIO_COLUMNS = [
    "indicator", "area", "period", "period_label", "observed", "expected", "value", "lower", "upper",
    "comparison", "suppressed",
]  # fmt: skip
_INEQUALITY_COLUMNS = [
    "indicator", "sex", "period", "period_label", "level", "areas", "sii", "sii_lower", "sii_upper", "rii",
    "rii_lower", "rii_upper", "intercept", "scale",
]  # fmt: skip
_POINT_COLUMNS = [
    "indicator", "sex", "period", "period_label", "level", "area", "rank", "value", "lower", "upper", "population",
    "statistic", "multiplier",
]  # fmt: skip


@dataclass(frozen=True)
class HealthOutcomes:
    """The outcome tables of a build (empty frames where the catalogue marks nothing).

    `life_expectancy`: area, sex ("w", "m"), period, period_label (the pooled years), age (0 or 65), deaths, value,
    lower, upper (95 %), lower_998, upper_998, reason (why there is no value; "" when there is), city_value,
    comparison and comparison_998 (with the city, by the 95 % and the 99.8 % interval), suppressed.
    `mortality_ratios`: indicator, area (areas of one Ortsteil), period, period_label, observed, expected, value
    (SMR, city = 100), lower, upper, comparison (with 100), suppressed.
    `inequality_points`: what the slope indices are fitted to, for every measured indicator (or
    `LIFE_EXPECTANCY`), sex ("" all persons) and period: period_label, level, area, rank (relative deprivation
    rank, 0 = most deprived, by residents), value, lower, upper (95 %), population, statistic, multiplier. The
    indices themselves are fitted when a report asks for a period (`inequality_rows`), once per process: their
    simulations cost about 0.1 s each, and a build shows one period.
    """

    life_expectancy: pd.DataFrame
    mortality_ratios: pd.DataFrame
    inequality_points: pd.DataFrame
    _fitted: dict = field(default_factory=dict, init=False, repr=False, compare=False)


def health_outcomes(
    dataset: Dataset, areas: list[Area], indicators: pd.DataFrame, by_sex: pd.DataFrame
) -> HealthOutcomes:
    """All outcome tables; `indicators` and `by_sex` are the suppressed tables of `tables.compute_tables`."""
    life = life_expectancy_table(dataset, areas, by_sex)
    return HealthOutcomes(
        life_expectancy=life,
        mortality_ratios=mortality_ratio_table(dataset, areas, indicators),
        inequality_points=inequality_points_table(dataset, areas, indicators, life),
    )


def marked(catalogue: pd.DataFrame, column: str, value: str = "true") -> list[str]:
    """The ids of the indicators whose catalogue `column` holds `value` (none when the column is left out)."""
    if column not in catalogue:
        return []
    return catalogue.loc[catalogue[column].eq(value), "id"].tolist()


def _pooled_bands(dataset: Dataset, areas: list[Area], indicator: str, by_sex: bool) -> pd.DataFrame:
    """Deaths (`numerator`) and person-years (`denominator`) per area, sex (when `by_sex`), pooled period and
    5-year band of one indicator, pooled over the catalogue's `years_pooled`; columns `period_label` and the
    band as `age_band`."""
    spec = dataset.catalogue.set_index("id").loc[indicator]
    observations = dataset.observations[dataset.observations["indicator"] == indicator]
    if not by_sex:
        observations = observations.assign(sex="")
    membership = pd.DataFrame([(a.code, m) for a in areas for m in a.members], columns=["area", "district"])
    counts = (
        observations.merge(membership, on="district")
        .groupby(["area", "sex", "age_band", "period"], sort=False)[["numerator", "denominator"]]
        .sum()
    )
    window = int(spec["years_pooled"])
    parts = {}
    for column in ("numerator", "denominator"):
        wide = counts[column].unstack("period")
        ordered = sorted(wide.columns, key=periods.sort_key)
        pooled = pd.DataFrame(stats.pool(wide[ordered].to_numpy(float), window), index=wide.index, columns=ordered)
        parts[column] = pooled.rename_axis(columns="period").stack(future_stack=True)
    long = pd.DataFrame(parts).dropna().reset_index()
    long["period_label"] = [periods.span(int(last), window) for last in long["period"]]
    return long


def life_expectancy_table(dataset: Dataset, areas: list[Area], by_sex: pd.DataFrame) -> pd.DataFrame:
    """Life expectancy at birth and at 65 for women and men in every area and pooled period (Chiang II as
    PHEindicatormethods, `stats.life_expectancy`), compared with the city. Areas of 5,000 residents or fewer
    get no value (reason given); a value is hidden where the indicator table hides the deaths it comes from."""
    deaths_of = marked(dataset.catalogue, "life_expectancy")
    if not deaths_of:
        return pd.DataFrame(columns=_LIFE_COLUMNS)
    long = _pooled_bands(dataset, areas, deaths_of[0], by_sex=True)
    keys = ["area", "sex", "period", "period_label"]
    deaths = long.pivot_table(index=keys, columns="age_band", values="numerator", aggfunc="sum")
    population = long.pivot_table(index=keys, columns="age_band", values="denominator", aggfunc="sum")
    deaths = deaths.reindex(columns=list(AGE_BANDS)).fillna(0.0)  # no row for a band: no deaths in it
    population = population.reindex(index=deaths.index, columns=list(AGE_BANDS))
    frames = []
    for age in LIFE_EXPECTANCY_AGES:
        estimate, strict = (
            stats.life_expectancy(
                deaths.to_numpy(float), population.to_numpy(float), FIVE_YEAR_AGE_BANDS, confidence, at_age=age
            )
            for confidence in (0.95, 0.998)
        )
        frames.append(
            deaths.index.to_frame(index=False).assign(
                age=age,
                deaths=deaths.to_numpy().sum(axis=1),
                value=estimate.value,
                lower=estimate.lower,
                upper=estimate.upper,
                lower_998=np.where(np.isnan(estimate.value), np.nan, strict.lower),
                upper_998=np.where(np.isnan(estimate.value), np.nan, strict.upper),
                reason=estimate.reason,
            )
        )
    table = pd.concat(frames, ignore_index=True)
    shown = by_sex.loc[by_sex["indicator"] == deaths_of[0], ["area", "sex", "period", "suppressed"]]
    table = table.merge(shown, on=["area", "sex", "period"], how="left")
    table["suppressed"] = table["suppressed"].fillna(True).astype(bool)
    for name in ("deaths", "value", "lower", "upper", "lower_998", "upper_998"):
        table[name] = table[name].where(~table["suppressed"])
    city = next(a.code for a in areas if a.level == "stadt")
    city_values = table.loc[table["area"] == city, ["sex", "period", "age", "value"]]
    table = table.merge(city_values.rename(columns={"value": "city_value"}), on=["sex", "period", "age"], how="left")
    for suffix, name in (("", "comparison"), ("_998", "comparison_998")):
        compared = stats.compare_to_benchmark(
            table["lower" + suffix].to_numpy(float), table["upper" + suffix].to_numpy(float),
            table["city_value"].to_numpy(float), "higher_is_better",
        )  # fmt: skip
        table[name] = np.where(table["value"].isna() | (table["area"] == city), "not compared", compared)
    return _ordered(table[_LIFE_COLUMNS], ["area", "sex", "age"])


def mortality_ratio_table(dataset: Dataset, areas: list[Area], indicators: pd.DataFrame) -> pd.DataFrame:
    """The standardised mortality ratio (city = 100, `stats.smr`) of every indicator the catalogue marks ``smr``
    in every area of one Ortsteil, for the same pooled periods and age bands as the indicator. Hidden where the
    indicator table hides the area's deaths (observed = SMR x expected would give them back)."""
    frames = []
    city = next(a.code for a in areas if a.level == "stadt")
    single = [a for a in areas if len(a.members) == 1]
    for indicator in marked(dataset.catalogue, "smr"):
        spec = dataset.catalogue.set_index("id").loc[indicator]
        bands = list(select_age_bands(spec["age_bands"]))
        long = _pooled_bands(dataset, [*single, *(a for a in areas if a.code == city)], indicator, by_sex=False)
        keys = ["area", "period", "period_label"]
        deaths = long.pivot_table(index=keys, columns="age_band", values="numerator", aggfunc="sum")
        deaths = deaths.reindex(columns=bands).fillna(0.0)
        population = long.pivot_table(index=keys, columns="age_band", values="denominator", aggfunc="sum")
        population = population.reindex(index=deaths.index, columns=bands)
        reference = pd.concat(
            [deaths.xs(city, level="area"), population.xs(city, level="area").add_suffix("_population")], axis=1
        )
        rows = deaths.index.to_frame(index=False)
        rows = rows[rows["area"] != city]
        ref = reference.loc[pd.MultiIndex.from_frame(rows[["period", "period_label"]])]
        reference_deaths, reference_population = ref[bands].to_numpy(float), ref[[b + "_population" for b in bands]]
        people = population.loc[pd.MultiIndex.from_frame(rows)].to_numpy(float)
        observed = deaths.loc[pd.MultiIndex.from_frame(rows)].to_numpy(float).sum(axis=1)
        estimate = stats.smr(observed, people, reference_deaths, reference_population.to_numpy(float))
        frames.append(
            rows.assign(
                indicator=indicator,
                observed=observed,
                expected=stats.expected_events(people, reference_deaths, reference_population.to_numpy(float)),
                value=estimate.value,
                lower=estimate.lower,
                upper=estimate.upper,
            )
        )
    if not frames:
        return pd.DataFrame(columns=_RATIO_COLUMNS)
    table = pd.concat(frames, ignore_index=True)
    hidden = indicators[["indicator", "area", "period", "suppressed"]]
    table = table.merge(hidden, on=["indicator", "area", "period"], how="left")
    table["suppressed"] = table["suppressed"].fillna(True).astype(bool)
    for name in ("observed", "expected", "value", "lower", "upper"):
        table[name] = table[name].where(~table["suppressed"])
    comparison = stats.compare_to_benchmark(
        table["lower"].to_numpy(float), table["upper"].to_numpy(float), 100.0, "higher_is_worse"
    )
    table["comparison"] = np.where(table["suppressed"], "suppressed", comparison)
    return _ordered(table[_RATIO_COLUMNS], ["indicator", "area"])


def _ordered(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    order = table["period"].map(periods.sort_key)
    return (
        table.assign(_order=order).sort_values([*keys, "_order"], kind="stable").drop(columns="_order")
        .reset_index(drop=True)
    )  # fmt: skip


def inequality_points_table(
    dataset: Dataset, areas: list[Area], indicators: pd.DataFrame, life: pd.DataFrame
) -> pd.DataFrame:
    """The points of every slope index of inequality: each indicator the catalogue marks "measure" across the
    areas of one Ortsteil, and life expectancy at birth by sex across the Stadtteile, per period; the areas ranked
    by the published value of the "rank" indicator in the period that serves the indicator's period
    (`periods.matching`: a year is ranked by its last quarter; 0 = most deprived) and weighted by their residents
    (relative rank = the midpoint of each area's share of the residents, cumulated from the most deprived, as
    phe_sii). Only published values enter; a period with fewer than five areas has no points."""
    catalogue = dataset.catalogue.set_index("id")
    ranking = marked(dataset.catalogue, "inequality", "rank")
    if not ranking:
        return pd.DataFrame(columns=_POINT_COLUMNS)
    deprivation = indicators[(indicators["indicator"] == ranking[0]) & ~indicators["suppressed"]]
    deprivation = deprivation[["area", "period", "value"]].dropna().rename(columns={"period": "ranked_in",
                                                                                  "value": "rank_by"})  # fmt: skip
    worse_high = catalogue.at[ranking[0], "polarity"] != "higher_is_better"
    residents = _residents(dataset, areas).rename(columns={"period": "year"})
    single = {a.code for a in areas if len(a.members) == 1}
    stadtteile = {a.code for a in areas if a.level == "stadtteil"}
    parts = []
    for indicator in marked(dataset.catalogue, "inequality", "measure"):
        rows = indicators[(indicators["indicator"] == indicator) & indicators["area"].isin(single)]
        parts.append(rows.assign(sex="", level="ortsteil", statistic=catalogue.at[indicator, "statistic"],
                                 multiplier=float(catalogue.at[indicator, "multiplier"])))  # fmt: skip
    at_birth = life[(life["age"] == 0) & life["area"].isin(stadtteile)]
    parts.append(at_birth.assign(indicator=LIFE_EXPECTANCY, level="stadtteil", statistic="normal", multiplier=1.0))
    points = pd.concat(parts, ignore_index=True)
    points = points[points["value"].notna() & points["lower"].notna()]
    matched = {p: periods.matching(deprivation["ranked_in"], p) for p in points["period"].unique()}
    points = points.assign(ranked_in=points["period"].map(matched),
                           year=[str(periods.sort_key(p)[0]) for p in points["period"]])  # fmt: skip
    points = points.merge(deprivation, on=["area", "ranked_in"]).merge(residents, on=["area", "year"])
    points = points[points["population"] > 0]
    keys = ["indicator", "sex", "period"]
    points = points.sort_values([*keys, "rank_by", "area"], ascending=[True, True, True, not worse_high, True],
                                kind="stable")  # fmt: skip
    share = points["population"] / points.groupby(keys, sort=False)["population"].transform("sum")
    points["rank"] = share.groupby([points[k] for k in keys], sort=False).cumsum() - share / 2
    enough = points.groupby(keys, sort=False)["area"].transform("size") >= SII_MIN_AREAS
    return points.loc[enough, _POINT_COLUMNS].reset_index(drop=True)


def _residents(dataset: Dataset, areas: list[Area]) -> pd.DataFrame:
    membership = pd.DataFrame([(a.code, m) for a in areas for m in a.members], columns=["area", "district"])
    return (
        dataset.population.merge(membership, on="district").groupby(["area", "period"])["population"].sum()
        .rename("population").reset_index()
    )  # fmt: skip


def _fit(points: pd.DataFrame, statistic: str, multiplier: float) -> dict:
    """phe_sii on one set of points: proportions on the 0-1 scale (the SII in the indicator's unit via the
    multiplier), rates and standardised rates as rates, everything else as normal values. The logit and log
    scales of proportions and rates cannot take a value or limit of 0 (or a share of 1): such a set is fitted as
    normal values, their standard errors read from the limits on the scale shown."""
    value_type = {"proportion": "proportion", "rate": "rate", "dsr": "rate"}.get(statistic, "normal")
    scale = float(multiplier) if value_type == "proportion" else 1.0
    limits = points[["value", "lower", "upper"]].to_numpy(float) / scale
    if value_type != "normal" and ((limits <= 0).any() or (value_type == "proportion" and (limits >= 1).any())):
        value_type, scale = "normal", 1.0
    estimate = stats.sii(
        points["value"].to_numpy(float) / scale,
        points["population"].to_numpy(float),
        np.arange(1, len(points) + 1),
        multiplier=scale,
        lower=points["lower"].to_numpy(float) / scale,
        upper=points["upper"].to_numpy(float) / scale,
        value_type=value_type,
        simulations=SII_SIMULATIONS,
    )
    return {
        "sii": estimate.sii.value, "sii_lower": estimate.sii.lower, "sii_upper": estimate.sii.upper,
        "rii": estimate.rii.value, "rii_lower": estimate.rii.lower, "rii_upper": estimate.rii.upper,
        "intercept": float(estimate.intercept), "scale": scale,
    }  # fmt: skip


# --- what one report shows ------------------------------------------------------------------------------------


def in_period(table: pd.DataFrame, period: str) -> pd.DataFrame:
    """The rows of the period shown for a report period (`periods.matching`: the latest one up to it)."""
    chosen = periods.matching(table["period"], period) if len(table) else None
    return table[table["period"] == chosen] if chosen is not None else table.iloc[0:0]


def life_expectancy_rows(outcomes: HealthOutcomes, area: str, period: str) -> pd.DataFrame:
    """The area's life expectancy of women and men at birth and at 65 for the report period (4 rows, or none)."""
    table = outcomes.life_expectancy
    return in_period(table[table["area"] == area], period).reset_index(drop=True)


def mortality_ratio_rows(outcomes: HealthOutcomes, areas: list[str], period: str) -> pd.DataFrame:
    """The SMRs of the given areas (each of one Ortsteil) for the report period, per indicator."""
    table = outcomes.mortality_ratios
    parts = [in_period(group, period) for _, group in table[table["area"].isin(areas)].groupby("indicator")]
    return pd.concat(parts, ignore_index=True) if parts else table.iloc[0:0]


def inequality_rows(outcomes: HealthOutcomes, period: str) -> pd.DataFrame:
    """The slope and relative index of inequality (`stats.sii`, as PHEindicatormethods phe_sii) of every measured
    indicator (and sex) for the report period (its latest period up to it): indicator, sex, period, period_label,
    level, areas (how many), sii, sii_lower, sii_upper (in the indicator's unit, percentage points for shares;
    least minus most deprived end of the fitted line), rii, rii_lower, rii_upper (least / most deprived end),
    intercept (fitted value at the most deprived end) and scale (what turns the intercept into the unit shown).
    Fitted on first use and kept."""
    if period not in outcomes._fitted:
        points = outcomes.inequality_points
        results = []
        for _, series in points.groupby(["indicator", "sex"], sort=False):
            chosen = in_period(series, period)
            if chosen.empty:
                continue
            first = chosen.iloc[0]
            fit = _fit(chosen, first["statistic"], first["multiplier"])
            results.append({**{k: first[k] for k in ("indicator", "sex", "period", "period_label", "level")},
                            "areas": len(chosen), **fit})  # fmt: skip
        table = pd.DataFrame(results, columns=_INEQUALITY_COLUMNS)
        outcomes._fitted[period] = table.sort_values(["indicator", "sex"], kind="stable").reset_index(drop=True)
    return outcomes._fitted[period].copy()


def inequality_points_of(outcomes: HealthOutcomes, row: pd.Series) -> pd.DataFrame:
    """The points one slope index (a row of `inequality_rows`) was fitted to."""
    points = outcomes.inequality_points
    same = points[["indicator", "sex", "period"]].eq(row[["indicator", "sex", "period"]]).all(axis=1)
    return points[same].reset_index(drop=True)


#: How life expectancy at birth enters the Kernaussagen (`findings`): as rows of the indicator table's shape.
LIFE_EXPECTANCY_NAMES = {
    "w": ("Lebenserwartung der Frauen bei Geburt", "die Lebenserwartung der Frauen bei Geburt"),
    "m": ("Lebenserwartung der Männer bei Geburt", "die Lebenserwartung der Männer bei Geburt"),
}
LIFE_EXPECTANCY_SECTION = "Gesundheit und Sterblichkeit"


def life_expectancy_indicator_rows(outcomes: HealthOutcomes | None, area: str, period: str) -> pd.DataFrame:
    """Life expectancy at birth of women and men in the area as rows like `Profile.indicator_rows` (id "LE0-w",
    unit "Jahre", higher is better, no trend), for the Kernaussagen."""
    if outcomes is None or outcomes.life_expectancy.empty:
        return pd.DataFrame()
    rows = life_expectancy_rows(outcomes, area, period)
    rows = rows[(rows["age"] == 0) & rows["value"].notna() | (rows["age"] == 0) & rows["suppressed"]]
    return pd.DataFrame({
        "id": [f"{LIFE_EXPECTANCY}-{sex}" for sex in rows["sex"]],
        "section": LIFE_EXPECTANCY_SECTION,
        "name": [LIFE_EXPECTANCY_NAMES[sex][0] for sex in rows["sex"]],
        "name_in_text": [LIFE_EXPECTANCY_NAMES[sex][1] for sex in rows["sex"]],
        "unit": "Jahre",
        "polarity": "higher_is_better",
        "statistic": "life_expectancy",
        "period_label": rows["period_label"].to_numpy(),
        **{name: rows[name].to_numpy() for name in ("value", "lower", "upper", "city_value", "suppressed")},
        "comparison_95": rows["comparison"].to_numpy(),
        "comparison_998": rows["comparison_998"].to_numpy(),
        "trend": "not calculated",
        "trend_p": np.nan,
    })  # fmt: skip


def _sii_unit(unit: str) -> str:
    return "Prozentpunkte" if unit == "%" else unit


def measure_name(catalogue: pd.DataFrame, row: pd.Series) -> tuple[str, str]:
    """Name and unit of a measured indicator of the inequality table (`catalogue` indexed by id)."""
    if row["indicator"] == LIFE_EXPECTANCY:
        return f"Lebenserwartung bei Geburt, {'Frauen' if row['sex'] == 'w' else 'Männer'}", "Jahre"
    return str(catalogue.at[row["indicator"], "name"]), str(catalogue.at[row["indicator"], "unit"])


def inequality_sentence(catalogue: pd.DataFrame, row: pd.Series) -> str:
    """The finding of one slope index in words: the gap between the most and the least deprived end of the
    fitted line and whether it is significant (its 95 % interval excludes 0)."""
    name, unit = measure_name(catalogue, row)
    gap = -float(row["sii"])  # most deprived minus least deprived end
    size = f"{format_number(abs(gap), 1)} {_sii_unit(unit)}".strip()
    areas = "Stadtteilen" if row["level"] == "stadtteil" else "Ortsteilen"
    if is_significant(row):
        where = "höher" if gap > 0 else "niedriger"
        limits = sorted(abs(x) for x in (row["sii_lower"], row["sii_upper"]))
        return sentence(
            f"{name}: in den am stärksten benachteiligten {areas} um {size} {where} als in den am wenigsten "
            f"benachteiligten (95-%-KI {format_interval(*limits, 1)})"
        )
    low, high = (format_number(-x, 1).replace("-", "\u2212") for x in (row["sii_upper"], row["sii_lower"]))
    return sentence(
        f"{name}: kein gesichertes Gefälle nach sozialer Benachteiligung der {areas[:-1]} (Differenz {size}, "
        f"95-%-KI {low} bis {high})"
    )


def is_significant(row: pd.Series) -> bool:
    """Whether a slope index's 95 % interval excludes 0."""
    return bool(row["sii_lower"] > 0 or row["sii_upper"] < 0)
