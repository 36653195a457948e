"""The ground truth of the disclosure-audit tests (tests/publish/test_audit.py, tests/e2e/test_audit_build.py,
tests/e2e/test_disclosure.py): Geestendorf's hidden cell and how a leak of it must be reported, without its value;
the data files a build publishes for a period, written with the build's own functions; and the table a rule
without protection against recalculation would publish."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from quartiersprofile.content import text
from quartiersprofile.content.indicators import VALUE_COLUMNS
from quartiersprofile.content.profile import Profile
from quartiersprofile.content.tables import ProfileTables
from quartiersprofile.publish.downloads import download_files, download_table, to_excel_csv
from quartiersprofile.publish.open_data import FILES, open_data_files, open_data_table
from quartiersprofile.stats.suppression import REASON_SMALL_COUNT, primary_reasons

SLUG, CODE = "ortsteil-geestendorf", "212"  # built by the session fixture; has small counts of its own


def own_cell(tables, hidden: pd.DataFrame, period: str):
    """Geestendorf's first cell in its report table that the rule proper hides for a small count (1-4), and the
    value it gives (secondary suppression hides larger counts too; those are not what this cell stands for)."""
    rows = Profile(next(a for a in tables.areas if a.code == CODE), period, tables).indicator_rows()
    shown = rows[rows["suppressed"].astype(bool) & (rows["suppression_reason"] == REASON_SMALL_COUNT)].iloc[0]
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


def write_period(folder: Path, tables: ProfileTables, period: str, xlsx: bool = True, build_id: str = "test") -> Path:
    """`folder/<period>/` with the data files a build of all areas publishes for `period`: every profile's download
    (`downloads.download_files`) and the city-wide open data (`open_data.open_data_files`). Without `xlsx` only
    the CSV files, made by the same functions those use (the XLSX, Parquet and descriptor take most of the time)."""
    target = Path(folder) / period
    target.mkdir(parents=True)
    for area in tables.areas:
        profile = Profile(area, period, tables)
        files = download_files(profile, build_id) if xlsx else {"csv": to_excel_csv(download_table(profile))}
        for kind, data in files.items():
            (target / f"{area.slug}.{kind}").write_bytes(data)
    if xlsx:
        files = open_data_files(tables, period, build_id)
    else:
        files = {FILES["csv"]: to_excel_csv(open_data_table(tables, period))}
    for name, data in files.items():
        (target / name).write_bytes(data)
    return target


def primary_only(truth: pd.DataFrame, tables: ProfileTables) -> pd.DataFrame:
    """The indicator table as a deliberately weak rule publishes it: the rule proper (small counts, denominators and
    complements, `stats.suppression.primary_reasons`) without secondary suppression. `truth`: the unsuppressed
    table (`content.indicators.unsuppressed_indicator_table`); only the rows of all persons, as the downloads."""
    if "sex" in truth:
        truth = truth[truth["sex"].fillna("").eq("")].drop(columns="sex")
    truth = truth.reset_index(drop=True)
    statistic = truth["indicator"].map(tables.catalogue.set_index("id")["statistic"])
    reasons = primary_reasons(truth["numerator"], truth["denominator"], statistic, tables.rule)
    hidden = reasons != ""
    table = truth.assign(
        suppressed=hidden,
        denominator_suppressed=False,
        suppression_reason=reasons,
        numerator=truth["numerator"].where(~hidden),
        **{name: truth[name].where(~hidden) for name in VALUE_COLUMNS},
    )
    city = next(a.code for a in tables.areas if a.level == "stadt")
    hidden_city = table.loc[hidden & (table["area"] == city).to_numpy(), ["indicator", "period"]]
    keys = pd.MultiIndex.from_frame(table[["indicator", "period"]])
    table.loc[keys.isin(pd.MultiIndex.from_frame(hidden_city)), "city_value"] = np.nan
    for name in ("comparison_95", "comparison_998", "trend"):
        table.loc[hidden, name] = "suppressed"
    return table
