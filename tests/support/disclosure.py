"""The ground truth of the disclosure-audit tests (tests/publish/test_audit.py, tests/e2e/test_audit_build.py):
Geestendorf's hidden cell and how a leak of it must be reported, without its value."""

from __future__ import annotations

import pandas as pd

from quartiersprofile.content import text
from quartiersprofile.content.profile import Profile

SLUG, CODE = "ortsteil-geestendorf", "212"  # built by the session fixture; has small counts of its own


def own_cell(tables, hidden: pd.DataFrame, period: str):
    """Geestendorf's first hidden cell in its report table: a small count (1-4) and the value it gives."""
    rows = Profile(next(a for a in tables.areas if a.code == CODE), period, tables).indicator_rows()
    shown = rows[rows["suppressed"].astype(bool)].iloc[0]
    chosen = (hidden["indicator"] == shown["id"]) & (hidden["area"] == CODE) & (hidden["period"] == shown["period"])
    return next(hidden[chosen].itertuples())


def expected(output: str, cell, where: str) -> str:
    return (
        f"{output}: ein unterdrückter Wert ist sichtbar – Indikator {cell.indicator} „{cell.name}“, "
        f"Gebiet {cell.area_name} ({cell.area}), Zeitraum {cell.label}; Fundstelle: {where}."
    )


def secrets(cell) -> list[str]:
    """The hidden cell's value and interval as the report would print them."""
    decimals = text.decimals_for(cell.unit)
    return [text.format_number(cell.value, decimals), text.format_interval(cell.lower, cell.upper, decimals)]


def assert_single(leaks, output: str, cell, where: str) -> None:
    assert [str(leak) for leak in leaks] == [expected(output, cell, where)]
    assert not any(secret in str(leaks[0]) for secret in secrets(cell))
