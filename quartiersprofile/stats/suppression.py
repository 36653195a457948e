"""The one small-number rule of the profiles: primary and complementary suppression, in one place."""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

SUPPRESSED_MARKER = "•"

REASON_SMALL_COUNT = "kleine Fallzahl"
REASON_SMALL_DENOMINATOR = "kleine Bezugsgröße"
REASON_DIFFERENCING = "Differenzbildung"

KEY_COLUMNS = ("indicator", "district", "period")
VALUE_COLUMNS = ("value", "lower", "upper", "lower_998", "upper_998")


@dataclass(frozen=True)
class SuppressionRule:
    """Small-number rule: counts from 1 to min_count - 1 and denominators below min_denominator are hidden.

    Zero counts stay visible. Values that could be recovered by differencing from published figures are
    hidden as well (complementary suppression, see `suppress`).
    """

    min_count: int = 5
    min_denominator: int = 20

    def __post_init__(self):
        """Check that both thresholds are whole numbers and that the rule hides something."""
        for name in ("min_count", "min_denominator"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a whole number of at least 0, got {value!r}")
        if self.min_count < 2 and self.min_denominator < 1:
            raise ValueError("rule hides nothing: min_count must be at least 2 or min_denominator at least 1")

    def describe_de(self) -> str:
        """German footnote text for reports, derived from the thresholds."""
        largest = self.min_count - 1
        clauses = []
        if largest == 1:
            clauses.append("1 Fall")
        elif largest > 1:
            clauses.append(f"1 bis {largest:,} Fällen".replace(",", "."))
        if self.min_denominator > 0:
            clauses.append(f"einer Bezugsgröße unter {self.min_denominator:,}".replace(",", "."))
        return (
            f"Werte mit {' oder '.join(clauses)} werden nicht ausgewiesen ({SUPPRESSED_MARKER}), "
            "ebenso Werte, aus denen sie durch Differenzbildung errechnet werden könnten. "
            "Nullwerte werden gezeigt."
        )


DEFAULT_RULE = SuppressionRule()


def primary_suppression(numerator, denominator=None, rule=DEFAULT_RULE):
    """Primary suppression flags: numerator in [1, min_count - 1] or denominator below min_denominator.

    Zero numerators are never suppressed by the count rule; NaN numerators or denominators do not trigger.
    """
    numerator = np.asarray(numerator, dtype=float)
    flags = (numerator > 0) & (numerator < rule.min_count)
    if denominator is None:
        return flags
    return flags | (np.asarray(denominator, dtype=float) < rule.min_denominator)


def suppress(
    table: pd.DataFrame,
    parents: Mapping[str, str],
    rule: SuppressionRule = DEFAULT_RULE,
    value_columns: tuple[str, ...] = VALUE_COLUMNS,
) -> pd.DataFrame:
    """Apply primary and complementary suppression to an indicator table and return a new table.

    `parents` maps a district code to the code of its published parent (Ortsteil -> Stadtteil,
    Stadtteil -> city). Adds `suppressed` and `suppression_reason` ("" when shown) and blanks `numerator`
    and `value_columns` of suppressed rows; the denominator stays visible. See `_complementary` for the
    differencing protection.
    """
    required = (*KEY_COLUMNS, "numerator", "denominator", *value_columns)
    missing = [name for name in required if name not in table]
    if missing:
        raise ValueError(f"table lacks the column(s) {', '.join(missing)}")
    if table.duplicated(list(KEY_COLUMNS)).any():
        raise ValueError("table must have one row per indicator, district and period")
    numerator = table["numerator"].to_numpy(dtype=float, na_value=np.nan)
    denominator = table["denominator"].to_numpy(dtype=float, na_value=np.nan)
    small_count = primary_suppression(numerator, None, rule)
    primary = primary_suppression(numerator, denominator, rule)
    suppressed = _complementary(table, parents, numerator, primary)
    reason = np.select(
        [small_count, primary, suppressed],
        [REASON_SMALL_COUNT, REASON_SMALL_DENOMINATOR, REASON_DIFFERENCING],
        "",
    )
    result = table.copy()
    result["suppressed"] = suppressed
    result["suppression_reason"] = reason
    for name in ("numerator", *value_columns):
        result[name] = result[name].where(~suppressed)
    return result


def _depths(codes, parents):
    """Number of ancestors of each code in the parents mapping."""
    depths = []
    for code in codes:
        depth, current = 0, code
        while current in parents:
            depth, current = depth + 1, parents[current]
            if depth > len(parents):
                raise ValueError(f"the parents mapping contains a cycle through {code!r}")
        depths.append(depth)
    return np.array(depths)


def _complementary(table, parents, numerator, primary):
    """Extend primary suppression so that no hidden numerator can be recovered by differencing.

    Each parent row and its children rows (same indicator and period) form a relation parent = sum of
    children; empty or missing parent codes mean "no parent". Repeated to a fixed point, top level first:
    (1) a child with the same positive numerator as its parent (single inhabited child) shares the
    parent's status; (2) a relation with exactly one hidden cell (a child, or the parent itself) also
    hides its published child with the smallest positive numerator (ties: smallest code).
    """
    parents = {child: parent for child, parent in parents.items() if isinstance(parent, str) and parent}
    keys = pd.MultiIndex.from_frame(table[list(KEY_COLUMNS)].astype(str))
    indicator, district, period = (keys.get_level_values(level) for level in range(3))
    parent_keys = pd.MultiIndex.from_arrays([indicator, district.map(parents), period])
    parent_row = keys.get_indexer(parent_keys)
    child = np.flatnonzero(parent_row >= 0)
    parent_of_child = parent_row[child]
    codes, code_rank = np.unique(district.to_numpy(dtype=str), return_inverse=True)
    row_depth = _depths(codes.tolist(), parents)[code_rank]
    has_children = np.bincount(parent_of_child, minlength=len(table)) > 0
    positive = numerator > 0
    same_as_parent = positive[child] & (numerator[child] == numerator[parent_of_child])
    hidden = primary.copy()
    changed = True
    while changed:
        before = hidden.copy()
        for depth in np.unique(row_depth[has_children]):
            relation = has_children & (row_depth == depth)
            in_relation = relation[parent_of_child]
            pairs = in_relation & same_as_parent
            shared = hidden[child[pairs]] | hidden[parent_of_child[pairs]]
            hidden[child[pairs][shared]] = True
            hidden[parent_of_child[pairs][shared]] = True
            hidden_children = np.bincount(parent_of_child, weights=hidden[child], minlength=len(table))
            hidden_cells = hidden_children + hidden
            open_relation = relation & (hidden_cells == 1)
            candidates = child[open_relation[parent_of_child] & ~hidden[child] & positive[child]]
            order = np.lexsort((code_rank[candidates], numerator[candidates], parent_row[candidates]))
            candidates = candidates[order]
            first = np.unique(parent_row[candidates], return_index=True)[1]
            hidden[candidates[first]] = True
        changed = bool((hidden != before).any())
    return hidden
