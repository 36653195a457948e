"""Small synthetic tables for the tests: base-level values summed to every area and window."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from quartiersprofile.stats.disclosure import Structure
from quartiersprofile.stats.suppression import SuppressionRule, primary_reasons

# City C = S1 + S2 + S3; S1 = Ortsteile a + b, S2 = c + d, S3 = the single unit e (no Ortsteil row of its own)
MEMBERS = {
    "C": ("a", "b", "c", "d", "e"),
    "S1": ("a", "b"),
    "S2": ("c", "d"),
    "S3": ("e",),
    "a": ("a",),
    "b": ("b",),
    "c": ("c",),
    "d": ("d",),
}


def true_table(
    members: Mapping[str, tuple[str, ...]],
    indicator: str,
    statistic: str,
    numerator: Mapping[tuple[str, str], float],
    denominator: Mapping[tuple[str, str], float] | None = None,
    periods: tuple[str, ...] = ("2024",),
    window: int = 1,
) -> pd.DataFrame:
    """Cells of one indicator for every area and every rolling window of `window` base periods.

    `numerator` / `denominator` map (unit, base period) to the base-level value (missing: 0).
    """
    rows = []
    for end in range(window - 1, len(periods)):
        span = tuple(periods[end - window + 1 : end + 1])
        for area, units in members.items():
            num = sum(numerator.get((u, p), 0) for u in units for p in span)
            den = np.nan if denominator is None else sum(denominator.get((u, p), 0) for u in units for p in span)
            rows.append((indicator, area, span[-1], span, statistic, float(num), float(den)))
    columns = ["indicator", "area", "period", "window", "statistic", "numerator", "denominator"]
    table = pd.DataFrame(rows, columns=columns)
    table["numerator_shown"] = True
    table["denominator_shown"] = statistic != "count"
    return table


def per_unit(values: Mapping[str, float], period: str = "2024") -> dict[tuple[str, str], float]:
    """{unit: value} for one base period as {(unit, period): value}."""
    return {(u, period): v for u, v in values.items()}


def publish(table: pd.DataFrame, hide_num=(), hide_den=()) -> pd.DataFrame:
    """A published copy: numerators / denominators of the given (indicator, area, period) cells hidden."""
    out = table.copy()
    key = list(zip(out["indicator"], out["area"], out["period"], strict=True))
    hn = np.array([k in set(hide_num) for k in key])
    hd = np.array([k in set(hide_den) for k in key])
    out.loc[hn, "numerator_shown"] = False
    out.loc[hd, "denominator_shown"] = False
    out.loc[~out["numerator_shown"], "numerator"] = np.nan
    out.loc[~out["denominator_shown"].astype(bool), "denominator"] = np.nan
    return out


def apply_flags(table: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """The published table for `protect`'s flags."""
    out = table.copy()
    out["numerator_shown"] = flags["numerator_shown"].to_numpy()
    out["denominator_shown"] = flags["denominator_shown"].to_numpy()
    out.loc[~out["numerator_shown"], "numerator"] = np.nan
    out.loc[~out["denominator_shown"].astype(bool), "denominator"] = np.nan
    return out


def rule_primary(table: pd.DataFrame, min_count: int = 5, min_denominator: int = 20) -> np.ndarray:
    """The rule proper (`stats.suppression.primary_reasons`): which cells it hides."""
    rule = SuppressionRule(min_count=min_count, min_denominator=min_denominator)
    return primary_reasons(table["numerator"], table["denominator"], table["statistic"], rule) != ""


def structure(links=(), members=MEMBERS, **rule) -> Structure:
    """A `Structure` over the test areas."""
    return Structure(members=members, links=links, **rule)


def row(result: pd.DataFrame, indicator: str, area: str, period: str = "2024", quantity: str = "count") -> pd.Series:
    """The audit row of one cell and quantity."""
    hit = result[
        (result["indicator"] == indicator)
        & (result["area"] == area)
        & (result["period"] == period)
        & (result["quantity"] == quantity)
    ]
    assert len(hit) == 1, f"expected one audit row for {indicator} {area} {period} {quantity}, got {len(hit)}"
    return hit.iloc[0]
