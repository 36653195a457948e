"""Catalogue + observations + statistics -> one indicator table for every area and period.

The table is computed once per build and shared by all notebook runs. Suppression is applied here, before
anything leaves this module, so no later step can show a hidden count. (The disclosure audit alone gets the
unsuppressed table, to search the outputs for the hidden values.)
"""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping

import numpy as np
import pandas as pd

from .. import stats
from ..model import periods
from ..model.age_bands import AGE_BANDS, select_age_bands
from ..model.areas import Area
from ..model.contract import SEXES
from ..model.dataset import Dataset
from ..stats.disclosure import PROTECTION_VERSION
from ..stats.suppression import SuppressionRule, suppress

TREND_PERIODS = 5
VALUE_COLUMNS = ("value", "lower", "upper", "lower_998", "upper_998")
CONFIDENCE = {"": 0.95, "_998": 0.998}
_KEYS = ["indicator", "area", "period"]


def build_indicator_table(
    dataset: Dataset,
    areas: list[Area],
    rule: SuppressionRule | None = None,
    cache: MutableMapping[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Every catalogue indicator for every profile area and period, with statistics and suppression.

    Columns: indicator, area, period, period_label, numerator, denominator, value, lower, upper (95 %),
    lower_998, upper_998 (99.8 %), city_value, comparison_95, comparison_998, trend, trend_p, suppressed,
    denominator_suppressed, suppression_reason. `cache`: see `apply_suppression`.
    """
    table = unsuppressed_indicator_table(dataset, areas)
    return apply_suppression(table, dataset.catalogue, areas, rule or SuppressionRule(), cache)


def unsuppressed_indicator_table(dataset: Dataset, areas: list[Area]) -> pd.DataFrame:
    """The indicator table before suppression (true values of every cell): only for the disclosure audit
    (`quartiersprofile.publish.audit`), which needs the hidden values to search the outputs for them. Never
    publish it.

    `sex` is "" for all persons and "w" / "m" for the rows of indicators the catalogue has by sex (their
    all-persons rows are the sums of the two; each sex is compared with the same sex in the city).
    """
    catalogue = dataset.catalogue.set_index("id")
    city = next(a.code for a in areas if a.level == "stadt")
    observations = dataset.observations
    sex = observations["sex"].fillna("") if "sex" in observations else pd.Series("", index=observations.index)
    parts = [_indicator_rows(observations, areas, catalogue, dataset.districts, city).assign(sex="")]
    for code in SEXES:
        chosen = observations[sex == code]
        if not chosen.empty:
            parts.append(_indicator_rows(chosen, areas, catalogue, dataset.districts, city).assign(sex=code))
    table = pd.concat(parts, ignore_index=True)
    order = table["period"].map(periods.sort_key)
    return (
        table.assign(_order=order)
        .sort_values(["indicator", "sex", "area", "_order"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def _indicator_rows(
    observations: pd.DataFrame, areas: list[Area], catalogue: pd.DataFrame, districts: pd.DataFrame, city: str
) -> pd.DataFrame:
    counts = _register_denominators(_aggregate_to_areas(observations, areas), catalogue, districts)
    trends = _recent_trends(counts, catalogue)
    pooled = _pool_years(counts, catalogue)
    table = _estimate(pooled, catalogue).merge(trends, on=_KEYS, how="left")
    return _compare_to_city(table, catalogue, city)


def _register_denominators(counts: pd.DataFrame, catalogue: pd.DataFrame, districts: pd.DataFrame) -> pd.DataFrame:
    """Denominators the catalogue takes from the register (``denominator_from = area_km2``): each area's own area
    in km², so a Stadtteil's and the city's include their uninhabited Ortsteile (Luneplate has no residents and no
    observations, but 12.84 km² of Bremerhaven)."""
    if "denominator_from" not in catalogue:
        return counts
    from_register = counts["indicator"].map(catalogue["denominator_from"]).eq("area_km2")
    area = counts["area"].map(districts.set_index("code")["area_km2"])
    return counts.assign(denominator=counts["denominator"].where(~from_register, area))


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

    Proportions use the chi-square test for linear trend and rates a Poisson trend test on the counts; DSRs a
    test on the standardised rates themselves, weighted by their variances (`stats.weighted_trend`), so that an
    ageing population is no trend; counts, ratios and means are not tested.
    """
    totals = counts.groupby(_KEYS, sort=False)[["numerator", "denominator"]].sum().reset_index()
    parts = []
    for indicator, group in totals.groupby("indicator", sort=False):
        statistic = catalogue.at[indicator, "statistic"]
        if statistic == "dsr":
            group = _standardised(counts[counts["indicator"] == indicator], catalogue.loc[indicator])
        kind = {"proportion": "proportion", "rate": "rate", "dsr": "dsr"}.get(statistic)
        season = group["period"].map(periods.season)
        for _, series in group.groupby(season, sort=False):
            parts.append(_trend_of_series(series, kind))
    return pd.concat(parts, ignore_index=True)


def _standardised(counts: pd.DataFrame, spec: pd.Series) -> pd.DataFrame:
    """A DSR indicator's single periods (not pooled) as `numerator` = the DSR and `denominator` = its variance."""
    bands = list(select_age_bands(spec["age_bands"]))
    standard = [stats.ESP2013[AGE_BANDS.index(band)] for band in bands]
    keys = ["indicator", "area", "period"]
    events = counts.pivot_table(index=keys, columns="age_band", values="numerator", aggfunc="sum")
    population = counts.pivot_table(index=keys, columns="age_band", values="denominator", aggfunc="sum")
    population = population.reindex(index=events.index, columns=bands).to_numpy(float)
    events_array = events.reindex(columns=bands).fillna(0.0).to_numpy(float)  # no row for a band: no deaths
    multiplier = float(spec["multiplier"])
    return events.index.to_frame(index=False).assign(
        numerator=stats.dsr(events_array, population, standard=standard, multiplier=multiplier).value,
        denominator=stats.dsr_variance(events_array, population, standard=standard, multiplier=multiplier),
    )


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
            values, spread = wide_num.iloc[:, window].to_numpy(float), wide_den.iloc[:, window].to_numpy(float)
            if kind == "dsr":  # values are the DSRs, `spread` their variances
                trend = stats.weighted_trend(values, spread, periods=TREND_PERIODS)
            else:
                trend = stats.recent_trend(values, spread, statistic=kind, periods=TREND_PERIODS)
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


def suppression_cells(table: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """The indicator table as cells for the small-number rule (`stats.suppression.suppress`): each with the single
    periods it sums over (a pooled "2022–2024" sums 2022, 2023 and 2024) and its statistic. A row of one sex is a
    cell of its own area, "<area>|w" or "<area>|m" (see `suppression_members`)."""
    area = table["area"].astype(str)
    if "sex" in table:
        sex = table["sex"].fillna("").astype(str)
        area = area.where(sex == "", area + "|" + sex)
    return pd.DataFrame(
        {
            "indicator": table["indicator"].to_numpy(),
            "area": area.to_numpy(),
            "period": table["period"].to_numpy(),
            "window": [periods.span_years(label) for label in table["period_label"]],
            "statistic": table["indicator"].map(catalogue.set_index("id")["statistic"]).to_numpy(),
            "numerator": table["numerator"].to_numpy(dtype=float),
            "denominator": table["denominator"].to_numpy(dtype=float),
        }
    )


def suppression_members(areas: list[Area], by_sex: bool) -> dict[str, tuple[str, ...]]:
    """The base units each cell area of `suppression_cells` sums. With rows by sex the base units are the
    Ortsteile of each sex ("<code>|w", "<code>|m"): an all-persons area sums both, "<area>|w" its women, so that
    the rule sees that women = all persons - men, for every indicator and every linked population."""
    if not by_sex:
        return {area.code: tuple(area.members) for area in areas}
    members = {area.code: tuple(f"{code}|{sex}" for code in area.members for sex in SEXES) for area in areas}
    for sex in SEXES:
        members.update({f"{area.code}|{sex}": tuple(f"{code}|{sex}" for code in area.members) for area in areas})
    return members


def declared_links(catalogue: pd.DataFrame) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    """The catalogue's ``numerator_same_as`` / ``denominator_same_as`` as pairs of quantities."""
    links = []
    for role in ("numerator", "denominator"):
        if f"{role}_same_as" not in catalogue:  # a catalogue made in code may leave out the optional columns
            continue
        for indicator, other in catalogue[["id", f"{role}_same_as"]].dropna().itertuples(index=False):
            target, _, other_role = other.partition(".")
            links.append(((indicator, role), (target, other_role)))
    return links


def protection_key(cells: pd.DataFrame, members: dict, links: list, rule: SuppressionRule) -> str:
    """What the suppression of a table depends on, as a hash: its true counts, the areas, the links, the rule and
    the version of the protection method."""
    digest = hashlib.sha256(PROTECTION_VERSION.encode())
    frame = cells.assign(window=cells["window"].map("|".join))
    digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    digest.update(repr((sorted(members.items()), sorted(links), rule)).encode())
    return digest.hexdigest()


def apply_suppression(
    table: pd.DataFrame,
    catalogue: pd.DataFrame,
    areas: list[Area],
    rule: SuppressionRule,
    cache: MutableMapping[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """The one small-number rule (primary and secondary suppression, `stats.suppression`) applied to an
    unsuppressed indicator table (`catalogue` as in the data contract, one row per indicator id).

    Adds `suppressed` (the numerator, the value and its limits are blank), `denominator_suppressed` (the
    denominator is blank too: it is another indicator's hidden count) and `suppression_reason`; a hidden cell has
    no comparison and no trend ("suppressed"), and a hidden city value appears nowhere as the benchmark.
    The secondary suppression of the same table is taken from `cache` (a mapping, e.g. a folder of files the
    build keeps) when it holds it, else from this process's memory, else computed.
    """
    cells = suppression_cells(table, catalogue)
    by_sex = "sex" in table and bool(table["sex"].fillna("").ne("").any())
    members = suppression_members(areas, by_sex)
    links = declared_links(catalogue)
    key = protection_key(cells, members, links, rule)
    flags = _PROTECTED.get(key)
    if flags is None and cache is not None:
        flags = cache.get(key)
    if flags is None:
        flags = suppress(cells, members, links, rule)
    if len(_PROTECTED) >= 8:  # a few tables per process: a build reads one, a test session a handful
        _PROTECTED.pop(next(iter(_PROTECTED)))
    _PROTECTED[key] = flags
    if cache is not None and key not in cache:
        cache[key] = flags
    hidden = ~flags["numerator_shown"].to_numpy(dtype=bool)
    statistic = cells["statistic"].to_numpy()
    denominator_hidden = ~flags["denominator_shown"].to_numpy(dtype=bool) & (statistic != "count")
    result = table.assign(
        suppressed=hidden,
        denominator_suppressed=denominator_hidden,
        suppression_reason=flags["reason"].to_numpy(),
        numerator=table["numerator"].where(~hidden),
        denominator=table["denominator"].where(~denominator_hidden),
        **{name: table[name].where(~hidden) for name in VALUE_COLUMNS},
    )
    # a hidden city value must not reappear as the benchmark beside every other area
    city = next(a.code for a in areas if a.level == "stadt")
    same = [name for name in ("indicator", "sex", "period") if name in result]
    keys = pd.MultiIndex.from_frame(result[same])
    hidden_city = keys.isin(pd.MultiIndex.from_frame(result.loc[hidden & (result["area"] == city), same]))
    result.loc[hidden_city, "city_value"] = np.nan
    for name in ("comparison_95", "comparison_998"):
        result.loc[hidden_city, name] = "not compared"
        result.loc[hidden, name] = "suppressed"
    result.loc[hidden, "trend"] = "suppressed"
    result.loc[hidden, "trend_p"] = np.nan
    return result


#: The suppression of the table this process read last, by `protection_key`.
_PROTECTED: dict[str, pd.DataFrame] = {}
