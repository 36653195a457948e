"""The one small-number rule of the profiles: which values are hidden, and why.

Primary suppression (the rule proper) hides a value when its count is small: a numerator of 1 to
`min_count - 1`, a denominator below `min_denominator` (statistics whose denominator is a population), or a
share whose complement (denominator minus numerator, "everyone but a few") is 1 to `min_count - 1`. Zeros and
complements of 0 are shown. Secondary suppression then hides further values until an attacker who combines
everything published - sums over the area hierarchy, indicators that share a count, overlapping pooled
windows, the bounds every count obeys and what the rule itself reveals - can pin no hidden count to fewer than
`min_count` possible values (`stats.disclosure`: the attacker's model and the protection, with a real LP solver).

`suppress` applies both to a table of cells and returns, per cell, whether its numerator (and the value, its
limits) and its denominator are shown, and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .disclosure import Structure, detect_links, links_of, protect

SUPPRESSED_MARKER = "•"

REASON_SMALL_COUNT = "kleine Fallzahl"
REASON_SMALL_DENOMINATOR = "kleine Bezugsgröße"
REASON_SMALL_COMPLEMENT = "kleine Restgröße"
REASON_SECONDARY = "Schutz vor Rückrechnung"
#: The reasons of primary suppression; the data-protection officer's report says which one applies.
PRIMARY_REASONS = (REASON_SMALL_COUNT, REASON_SMALL_DENOMINATOR, REASON_SMALL_COMPLEMENT)
#: Statistics whose denominator is no population (an area) or that have none: the denominator rule skips them.
NO_DENOMINATOR_RULE = ("count", "ratio")
#: Statistics whose numerator is no count of people or events (a mean's is the sum of the values): the count rule
#: skips them; their value is hidden by the denominator rule (fewer than `min_denominator` people measured).
NO_COUNT_RULE = ("mean",)


@dataclass(frozen=True)
class SuppressionRule:
    """Small-number rule: counts from 1 to min_count - 1, denominators below min_denominator and complements from
    1 to min_count - 1 are hidden, and so is every value from which a hidden count could be narrowed down to fewer
    than min_count possible values.
    """

    min_count: int = 5
    min_denominator: int = 20

    def __post_init__(self):
        """Check that both thresholds are whole numbers and that the rule hides something."""
        for name in ("min_count", "min_denominator"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a whole number of at least 0, got {value!r}")
        if self.min_count < 2:
            raise ValueError("min_count must be at least 2: the rule protects counts from 1 to min_count - 1")
        if self.min_denominator < 1:
            raise ValueError("min_denominator must be at least 1")

    def describe_de(self) -> str:
        """The rule and the protection criterion in plain German, for the reports (from the thresholds)."""
        largest = self.min_count - 1
        cases = "1 Fall" if largest == 1 else f"1 bis {_german(largest)} Fällen"
        people = "1 Person" if largest == 1 else f"1 bis {_german(largest)} Personen"
        return (
            f"Werte mit {cases} oder einer Bezugsgröße unter {_german(self.min_denominator)} werden nicht "
            f"ausgewiesen ({SUPPRESSED_MARKER}), ebenso Anteile, bei denen nur {people} nicht zur gezählten Gruppe "
            "gehören (z. B. 47 von 48). Nullwerte werden gezeigt. Damit sich kein verborgener Wert aus "
            "veröffentlichten Zahlen zurückrechnen lässt – aus der Summe der Ortsteile eines Stadtteils, aus "
            "Indikatoren, die dieselbe Zahl als Nenner zeigen, aus überlappenden Mehrjahreszeiträumen –, werden "
            "weitere Werte verborgen, bis jeder verborgene Wert auch mit allen veröffentlichten Zahlen zusammen "
            f"noch mindestens {_german(self.min_count)} mögliche Werte offenlässt."
        )


def _german(number: int) -> str:
    return f"{number:,}".replace(",", ".")


DEFAULT_RULE = SuppressionRule()


def primary_reasons(numerator, denominator, statistic, rule: SuppressionRule = DEFAULT_RULE) -> np.ndarray:
    """The reason each cell is hidden by the rule proper ("" when it is not): a small count, a small
    denominator, or a small complement of a share. NaN does not trigger."""
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    statistic = np.asarray(statistic, dtype=str)
    small_count = ~np.isin(statistic, NO_COUNT_RULE) & (numerator >= 1) & (numerator < rule.min_count)
    small_denominator = ~np.isin(statistic, NO_DENOMINATOR_RULE) & (denominator < rule.min_denominator)
    complement = denominator - numerator
    small_complement = (statistic == "proportion") & (complement >= 1) & (complement < rule.min_count)
    return np.select(
        [small_count, small_denominator, small_complement], list(PRIMARY_REASONS), ""
    ).astype(object)


def suppress(
    cells: pd.DataFrame,
    members: dict[str, tuple[str, ...]],
    declared_links=(),
    rule: SuppressionRule = DEFAULT_RULE,
) -> pd.DataFrame:
    """Primary and secondary suppression of a table of TRUE values.

    `cells`: one row per published cell with `indicator, area, period, window` (the single periods the cell sums
    over), `statistic, numerator, denominator`. `members`: every area's base units (inhabited Ortsteile).
    `declared_links`: pairs of quantities ``((indicator, "numerator"|"denominator"), ...)`` that are the same
    count (the catalogue's ``…_same_as``); quantities equal in every cell are linked as well (an attacker would
    notice). Returns, in the order of `cells`: ``numerator_shown``, ``denominator_shown`` and ``reason``.
    """
    # one canonical order, so that the same cells give the same choice of partners whatever order they come in
    order = cells.sort_values(["indicator", "area", "period"], kind="stable").index
    canonical = cells.loc[order].reset_index(drop=True)
    reasons = primary_reasons(canonical["numerator"], canonical["denominator"], canonical["statistic"], rule)
    links = sorted(set(declared_links) | set(links_of(detect_links(canonical))))
    structure = Structure(members, links, min_count=rule.min_count, min_denominator=rule.min_denominator)
    protected = protect(canonical, reasons != "", structure)
    reasons = np.where(protected["secondary"].to_numpy() & (reasons == ""), REASON_SECONDARY, reasons)
    result = pd.DataFrame(
        {
            "numerator_shown": protected["numerator_shown"].to_numpy(dtype=bool),
            "denominator_shown": protected["denominator_shown"].to_numpy(dtype=bool),
            "reason": reasons,
        },
        index=order,
    )
    return result.loc[cells.index]
