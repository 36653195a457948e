"""What changed since the last report: one area's values of the report period against those of the previous one
(the previous year, or the previous quarter for a quarterly report), both taken from the build's table (every
period is in it), so no earlier build is needed.

- Significant changes: the difference of two proportions (Newcombe's hybrid score interval) or means, the ratio of
  two rates or DSRs (MOVER on the log scale), from each period's published value and 95 % interval
  (`stats.change`). Only values from periods that do not overlap are tested: pooled spans such as 2020–2024 and
  2019–2023 share years and are not independent.
- Class changes: the comparison with the city moved (e.g. "ähnlich" -> "schlechter"); not by itself a significant
  change.
- New indicators (no value in the previous report), and those without a new value since then.
- The index class and rank of both periods.

A hidden (suppressed) value takes part in nothing: not in a test, not in a class change, not in the lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..model import periods
from ..stats.change import CHANGE_STATISTICS, change, class_change
from . import insight, insight_rows

if TYPE_CHECKING:  # the profile imports the insight modules
    from .profile import Profile

_FIELDS = ["id", "name", "unit", "statistic", "polarity", "section"]
#: The method of each test, in the words of the report.
TEST_METHODS = {
    "proportion": "Differenz zweier Anteile, Konfidenzintervall nach Newcombe (Hybrid-Score)",
    "mean": "Differenz zweier Mittelwerte, Konfidenzintervall aus beiden Standardfehlern",
    "rate": "Verhältnis zweier Raten, Konfidenzintervall nach MOVER auf der Log-Skala",
    "dsr": "Verhältnis zweier altersstandardisierter Raten, Konfidenzintervall nach MOVER auf der Log-Skala",
}


@dataclass(frozen=True)
class Changes:
    """One area's changes from `previous` to `period` (see the module docstring); `previous` is None when the data
    do not hold the previous period.

    significant: per tested indicator with a significant change: the catalogue fields, label_before,
    label_after (the periods as printed), value_before, value_after, measure ("difference" or "ratio"), estimate,
    lower, upper (95 %), direction (increased/decreased), assessment (improved/worsened, neutral: the direction).
    tested: how many indicators were tested. classes: per indicator whose comparison with the city moved:
    the catalogue fields, label_before, label_after, before, after (comparison labels), direction
    (improved/worsened/changed). overlapping, unchanged, new: indicator names (pooled spans that overlap; no
    new value since the last report; no value in the last report). index_before, index_after: the area's index
    rows (`insight_rows.index_position`) or None.
    """

    period: str
    previous: str | None
    significant: pd.DataFrame
    tested: int
    classes: pd.DataFrame
    overlapping: tuple[str, ...]
    unchanged: tuple[str, ...]
    new: tuple[str, ...]
    index_before: pd.Series | None
    index_after: pd.Series | None


def _rows(profile: Profile, period: str) -> pd.DataFrame:
    rows = insight.report_rows(profile.tables, period, [profile.area.code]).set_index("indicator")
    catalogue = profile.catalogue[[f for f in _FIELDS if f in profile.catalogue]]
    return catalogue.join(rows, how="inner").set_index("id", drop=False).rename_axis(None)


def _empty(columns) -> pd.DataFrame:
    return pd.DataFrame(columns=list(columns))


def changes(profile: Profile) -> Changes:
    """The changes of the profile's area since the last report (see `Changes`)."""
    previous = insight.previous_period(profile.period)
    after_index = insight_rows.index_position(profile)
    if not insight.has_period(profile.tables, previous):
        return Changes(profile.period, None, _empty(_FIELDS), 0, _empty(_FIELDS), (), (), (), None, after_index)
    after, before = _rows(profile, profile.period), _rows(profile, previous)
    new = tuple(after.loc[~after.index.isin(before.index) & ~after["suppressed"].astype(bool), "name"])
    both = after.index[after.index.isin(before.index)]
    now, then = after.loc[both], before.loc[both]
    visible = ~now["suppressed"].astype(bool).to_numpy() & ~then["suppressed"].astype(bool).to_numpy()
    moved = now["period"].to_numpy() != then["period"].to_numpy()
    unchanged = tuple(now.loc[visible & ~moved, "name"])
    now, then = now[visible & moved], then[visible & moved]
    windows = [
        set(periods.span_years(a)) & set(periods.span_years(b))
        for a, b in zip(now["period_label"], then["period_label"], strict=True)
    ]
    overlap = np.array([bool(common) for common in windows], dtype=bool)
    testable = (
        ~overlap
        & now["statistic"].isin(CHANGE_STATISTICS).to_numpy()
        & now[["value", "lower", "upper"]].notna().all(axis=1).to_numpy()
        & then[["value", "lower", "upper"]].notna().all(axis=1).to_numpy()
    )
    overlapping = tuple(now.loc[overlap & now["statistic"].isin(CHANGE_STATISTICS).to_numpy(), "name"])
    significant = _significant(now[testable], then[testable])
    return Changes(
        period=profile.period,
        previous=previous,
        significant=significant,
        tested=int(testable.sum()),
        classes=_class_changes(now, then, profile.area.level == "stadt"),
        overlapping=overlapping,
        unchanged=unchanged,
        new=new,
        index_before=insight_rows.index_position(profile, previous),
        index_after=after_index,
    )


def _significant(now: pd.DataFrame, then: pd.DataFrame) -> pd.DataFrame:
    parts = []
    for statistic, group in now.groupby("statistic", sort=False):
        earlier = then.loc[group.index]
        for polarity, chosen in group.groupby("polarity", sort=False):
            old = earlier.loc[chosen.index]
            result = change(
                tuple(old[c].to_numpy(dtype=float) for c in ("value", "lower", "upper")),
                tuple(chosen[c].to_numpy(dtype=float) for c in ("value", "lower", "upper")),
                statistic,
                polarity,
            )
            parts.append(
                chosen[_FIELDS].assign(
                    label_before=old["period_label"].to_numpy(),
                    label_after=chosen["period_label"].to_numpy(),
                    value_before=old["value"].to_numpy(dtype=float),
                    value_after=chosen["value"].to_numpy(dtype=float),
                    measure=result.measure,
                    estimate=result.estimate,
                    lower=result.lower,
                    upper=result.upper,
                    direction=result.direction,
                    assessment=result.assessment,
                )
            )
    columns = [*_FIELDS, "label_before", "label_after", "value_before", "value_after", "measure", "estimate",
               "lower", "upper", "direction", "assessment"]  # fmt: skip
    if not parts:
        return _empty(columns)
    found = pd.concat(parts)
    found = found[found["direction"].isin(["increased", "decreased"])]
    order = {indicator: i for i, indicator in enumerate(now.index)}
    return found.sort_values("id", key=lambda ids: ids.map(order)).reset_index(drop=True)[columns]


def _class_changes(now: pd.DataFrame, then: pd.DataFrame, is_city: bool) -> pd.DataFrame:
    columns = [*_FIELDS, "label_before", "label_after", "before", "after", "direction"]
    if is_city or now.empty:  # the city is its own benchmark
        return _empty(columns)
    before, after = then["comparison_95"].to_numpy(dtype=str), now["comparison_95"].to_numpy(dtype=str)
    known = np.isin(before, ["better", "similar", "worse", "higher", "lower"]) & np.isin(
        after, ["better", "similar", "worse", "higher", "lower"]
    )
    mixed = known & (np.isin(before, ["better", "worse"]) & np.isin(after, ["higher", "lower"]))
    mixed |= known & (np.isin(before, ["higher", "lower"]) & np.isin(after, ["better", "worse"]))
    chosen = known & ~mixed
    result = class_change(before[chosen], after[chosen]) if chosen.any() else None
    if result is None:
        return _empty(columns)
    frame = now.loc[chosen, _FIELDS].assign(
        label_before=then.loc[chosen, "period_label"].to_numpy(),
        label_after=now.loc[chosen, "period_label"].to_numpy(),
        before=before[chosen],
        after=after[chosen],
        direction=result.direction,
    )
    return frame[frame["direction"] != "unchanged"].reset_index(drop=True)[columns]
