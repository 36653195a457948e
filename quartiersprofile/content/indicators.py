"""Catalogue + observations + statistics -> one indicator table for every area and period.

The table is computed once per build and shared by all notebook runs. Suppression is applied here, before
anything leaves this module, so no later step can show a hidden count. (The disclosure audit alone gets the
unsuppressed table, to search the outputs for the hidden values.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import stats
from ..model import periods
from ..model.age_bands import AGE_BANDS, select_age_bands
from ..model.areas import Area
from ..model.dataset import Dataset
from ..stats.suppression import SuppressionRule, suppress

TREND_PERIODS = 5
VALUE_COLUMNS = ("value", "lower", "upper", "lower_998", "upper_998")
CONFIDENCE = {"": 0.95, "_998": 0.998}
_KEYS = ["indicator", "area", "period"]


def build_indicator_table(dataset: Dataset, areas: list[Area], rule: SuppressionRule | None = None) -> pd.DataFrame:
    """Every catalogue indicator for every profile area and period, with statistics and suppression.

    Columns: indicator, area, period, period_label, numerator, denominator, value, lower, upper (95 %),
    lower_998, upper_998 (99.8 %), city_value, comparison_95, comparison_998, trend, trend_p, suppressed,
    suppression_reason.
    """
    table = unsuppressed_indicator_table(dataset, areas)
    return apply_suppression(table, dataset.catalogue, areas, rule or SuppressionRule())


def unsuppressed_indicator_table(dataset: Dataset, areas: list[Area]) -> pd.DataFrame:
    """The indicator table before suppression (true values of every cell): only for the disclosure audit
    (`quartiersprofile.publish.audit`), which needs the hidden values to search the outputs for them. Never
    publish it."""
    catalogue = dataset.catalogue.set_index("id")
    counts = _aggregate_to_areas(dataset.observations, areas)
    trends = _recent_trends(counts, catalogue)
    pooled = _pool_years(counts, catalogue)
    table = _estimate(pooled, catalogue).merge(trends, on=_KEYS, how="left")
    city = next(a.code for a in areas if a.level == "stadt")
    table = _compare_to_city(table, catalogue, city)
    order = table["period"].map(periods.sort_key)
    return (
        table.assign(_order=order)
        .sort_values(["indicator", "area", "_order"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def _membership(areas: list[Area]) -> pd.DataFrame:
    return pd.DataFrame([(a.code, m) for a in areas for m in a.members], columns=["area", "district"])


def _aggregate_to_areas(observations: pd.DataFrame, areas: list[Area]) -> pd.DataFrame:
    """Sum Ortsteil numerators and denominators (per age band) into every profile area.

    Mean indicators carry the sum of squares so the pooled standard deviation can be recovered.
    """
    obs = observations.assign(age_band=observations["age_band"].fillna(""))
    n = obs["denominator"]
    obs = obs.assign(sum_squares=(n - 1) * obs["sd"] ** 2 + obs["numerator"] ** 2 / n)
    merged = obs.merge(_membership(areas), on="district")
    return (
        merged.groupby(["indicator", "area", "period", "age_band"], sort=False)[
            ["numerator", "denominator", "sum_squares"]
        ]
        .sum(min_count=1)
        .reset_index()
    )


def _pool_years(counts: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Pool consecutive years where the catalogue asks for it (e.g. three school-entry cohorts)."""
    parts = []
    for indicator, group in counts.groupby("indicator", sort=False):
        window = int(catalogue.at[indicator, "years_pooled"])
        if window <= 1:
            parts.append(group.assign(period_label=group["period"]))
            continue
        wide = group.pivot(index=["area", "age_band"], columns="period")
        ordered = sorted(wide["numerator"].columns, key=periods.sort_key)
        pooled = {
            col: pd.DataFrame(
                stats.pool(wide[col][ordered].to_numpy(dtype=float), window),
                index=wide.index,
                columns=ordered,
            ).stack(future_stack=True)
            for col in ("numerator", "denominator", "sum_squares")
        }
        long = pd.DataFrame(pooled).reset_index().rename(columns={"level_2": "period"})
        long = long.dropna(subset=["numerator"]).assign(indicator=indicator)
        long["period_label"] = [periods.span(int(last), window) for last in long["period"]]
        parts.append(long)
    return pd.concat(parts, ignore_index=True)


def _estimate(counts: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Value and 95 % / 99.8 % limits per row, by the indicator's statistic."""
    parts = []
    for indicator, group in counts.groupby("indicator", sort=False):
        spec = catalogue.loc[indicator]
        if spec["statistic"] == "dsr":
            parts.append(_estimate_dsr(group, spec))
            continue
        num, den = group["numerator"].to_numpy(float), group["denominator"].to_numpy(float)
        out = group.drop(columns=["age_band", "sum_squares"]).copy()
        for suffix, confidence in CONFIDENCE.items():
            value, lower, upper = _simple_estimate(spec, num, den, group["sum_squares"].to_numpy(float), confidence)
            out["value"], out["lower" + suffix], out["upper" + suffix] = value, lower, upper
        parts.append(out)
    return pd.concat(parts, ignore_index=True)


def _simple_estimate(spec: pd.Series, num, den, sum_squares, confidence):
    multiplier = float(spec["multiplier"])
    statistic = spec["statistic"]
    missing = np.full(num.shape, np.nan)
    if statistic in ("count", "ratio"):
        value = num if statistic == "count" else np.divide(num, den) * multiplier
        return value, missing, missing
    if statistic == "mean":
        sd = np.sqrt(np.maximum(sum_squares - num**2 / den, 0) / (den - 1))
        est = stats.mean_from_summary(num, den, sd, confidence=confidence)
        return est.value * multiplier, est.lower * multiplier, est.upper * multiplier
    method = stats.proportion if statistic == "proportion" else stats.rate
    est = method(num, den, confidence=confidence, multiplier=multiplier)
    return est.value, est.lower, est.upper


def _estimate_dsr(group: pd.DataFrame, spec: pd.Series) -> pd.DataFrame:
    bands = list(select_age_bands(spec["age_bands"]))
    standard = [stats.ESP2013[AGE_BANDS.index(band)] for band in bands]
    keys = ["area", "period", "period_label"]
    events = group.pivot_table(index=keys, columns="age_band", values="numerator", aggfunc="sum")
    population = group.pivot_table(index=keys, columns="age_band", values="denominator", aggfunc="sum")
    events = events.reindex(columns=bands).fillna(0.0)  # no row for a band = no deaths in it
    population = population.reindex(columns=bands)
    out = events.index.to_frame(index=False).assign(
        indicator=spec.name,
        numerator=events.sum(axis=1).to_numpy(),
        denominator=population.sum(axis=1).to_numpy(),
    )
    for suffix, confidence in CONFIDENCE.items():
        est = stats.dsr(
            events.to_numpy(float),
            population.to_numpy(float),
            standard=standard,
            confidence=confidence,
            multiplier=float(spec["multiplier"]),
        )
        out["value"], out["lower" + suffix], out["upper" + suffix] = est.value, est.lower, est.upper
    return out


def _recent_trends(counts: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Recent-trend test over the last five single periods (same quarter for quarterly data).

    Proportions use the chi-square test for linear trend, rates and DSRs a Poisson trend test on the crude
    counts; counts, ratios and means are not tested.
    """
    totals = counts.groupby(_KEYS, sort=False)[["numerator", "denominator"]].sum().reset_index()
    parts = []
    for indicator, group in totals.groupby("indicator", sort=False):
        statistic = catalogue.at[indicator, "statistic"]
        kind = {"proportion": "proportion", "rate": "rate", "dsr": "rate"}.get(statistic)
        season = group["period"].map(periods.season)
        for _, series in group.groupby(season, sort=False):
            parts.append(_trend_of_series(series, kind))
    return pd.concat(parts, ignore_index=True)


def _trend_of_series(series: pd.DataFrame, kind: str | None) -> pd.DataFrame:
    wide_num = series.pivot(index="area", columns="period", values="numerator")
    ordered = sorted(wide_num.columns, key=periods.sort_key)
    wide_num = wide_num[ordered]
    wide_den = series.pivot(index="area", columns="period", values="denominator")[ordered]
    rows = []
    for i, period in enumerate(ordered):
        frame = pd.DataFrame({"indicator": series["indicator"].iloc[0], "area": wide_num.index, "period": period})
        if kind is None or i + 1 < TREND_PERIODS:
            frame["trend"], frame["trend_p"] = "not calculated", np.nan
        else:
            window = slice(i + 1 - TREND_PERIODS, i + 1)
            trend = stats.recent_trend(
                wide_num.iloc[:, window].to_numpy(float),
                wide_den.iloc[:, window].to_numpy(float),
                statistic=kind,
                periods=TREND_PERIODS,
            )
            frame["trend"], frame["trend_p"] = trend.direction, trend.p_value
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)


def _compare_to_city(table: pd.DataFrame, catalogue: pd.DataFrame, city: str) -> pd.DataFrame:
    city_values = table.loc[table["area"] == city, ["indicator", "period", "value"]]
    table = table.merge(city_values.rename(columns={"value": "city_value"}), on=["indicator", "period"], how="left")
    polarity = table["indicator"].map(catalogue["polarity"]).to_numpy()
    for suffix, name in (("", "comparison_95"), ("_998", "comparison_998")):
        table[name] = stats.compare_to_benchmark(
            table["lower" + suffix].to_numpy(float),
            table["upper" + suffix].to_numpy(float),
            table["city_value"].to_numpy(float),
            polarity,
        )
        table.loc[table["area"] == city, name] = "not compared"
    return table


def apply_suppression(
    table: pd.DataFrame, catalogue: pd.DataFrame, areas: list[Area], rule: SuppressionRule
) -> pd.DataFrame:
    """The one small-number rule, with the published hierarchy Ortsteil -> Stadtteil -> city, applied to an
    unsuppressed indicator table (`catalogue` as in the data contract, one row per indicator id).

    The rule looks at counts of people or events: for a mean that is the number of people measured (its
    numerator is a sum of values), and a ratio's denominator (an area in km²) is no population.
    """
    parents = {a.code: a.parent_code for a in areas if a.parent_code}
    statistic = table["indicator"].map(catalogue.set_index("id")["statistic"])
    checked = table.rename(columns={"area": "district"}).assign(
        numerator=table["numerator"].where(statistic != "mean", table["denominator"]),
        denominator=table["denominator"].where(statistic != "ratio"),
    )
    flags = suppress(checked, parents, rule=rule, value_columns=VALUE_COLUMNS)
    hidden = flags["suppressed"].to_numpy()
    result = table.assign(
        suppressed=hidden,
        suppression_reason=flags["suppression_reason"].to_numpy(),
        **{name: flags[name].to_numpy() for name in VALUE_COLUMNS},
        numerator=table["numerator"].where(~hidden),
        # a mean's small count is the number of people measured, its denominator
        denominator=table["denominator"].where(~(hidden & (statistic == "mean").to_numpy())),
    )
    # a hidden city value must not reappear as the benchmark beside every other area
    city = next(a.code for a in areas if a.level == "stadt")
    keys = pd.MultiIndex.from_frame(result[["indicator", "period"]])
    hidden_city = keys.isin(
        pd.MultiIndex.from_frame(result.loc[hidden & (result["area"] == city), ["indicator", "period"]])
    )
    result.loc[hidden_city, "city_value"] = np.nan
    for name in ("comparison_95", "comparison_998"):
        result.loc[hidden | hidden_city, name] = "not compared"
    return result
