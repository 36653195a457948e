"""The report for the data-protection officer (quartiersprofile.publish.privacy_report): one row per hidden cell a
period's publication shows, with the reason (primary or secondary), whether the denominator is hidden too, how many
values the attacker still has to choose from, where the cell is marked and the rule - and no value, no case count."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest
from support.disclosure import CODE, SLUG, secrets
from support.disclosure import own_cell as find_own_cell

from quartiersprofile.content.tables import latest_period
from quartiersprofile.model import periods
from quartiersprofile.model.areas import OVERVIEW_SLUG
from quartiersprofile.publish import audit
from quartiersprofile.publish.downloads import SEX_LABELS
from quartiersprofile.publish.open_data import SLUG as OPEN_DATA_SLUG
from quartiersprofile.publish.privacy_report import INTERNAL_NOTICE, REPORT_COLUMNS, suppression_report
from quartiersprofile.stats.suppression import PRIMARY_REASONS, REASON_SECONDARY

#: Columns that may hold digits: the area's code, the period and the rule's thresholds, and the attacker's count.
NUMBERED_COLUMNS = ["Gebietscode", "Zeitraum", "Regel", "mögliche Werte für Angreifer"]


@pytest.fixture(scope="module")
def truth(bundled_dataset, bundled_tables):
    """The sample data's tables and hidden cells (with true values), computed once."""
    return bundled_tables, audit.hidden_cells(bundled_dataset, bundled_tables)


@pytest.fixture(scope="module")
def period(truth) -> str:
    return latest_period(truth[0])


@pytest.fixture(scope="module")
def report(truth, period) -> bytes:
    return suppression_report(truth[0], period)


def published(tables) -> pd.DataFrame:
    """The indicator table with its rows by sex (`sex` "" for all persons)."""
    by_sex = tables.by_sex if tables.by_sex is not None else tables.indicators.iloc[0:0]
    return pd.concat([tables.indicators.assign(sex=""), by_sex], ignore_index=True)


def read(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)


def test_one_row_per_hidden_cell_the_period_shows(truth, period, report):
    tables, _ = truth
    rows = read(report)
    assert list(rows.columns) == REPORT_COLUMNS
    table = published(tables)
    shown = table[np.array([periods.serves(p, period) for p in table["period"]]) & table["suppressed"].astype(bool)]
    assert len(rows) == len(shown) > 0
    assert not rows.duplicated(["Gebietscode", "Geschlecht", "Kennziffer", "Zeitraum"]).any()
    assert (rows["Hinweis"] == INTERNAL_NOTICE).all() and (rows["Regel"] == tables.rule.describe_de()).all()
    assert report == suppression_report(tables, period)  # reproducible


def test_every_row_says_why_and_whether_the_denominator_is_hidden(truth, period, report):
    tables, _ = truth
    rows = read(report)
    names = {area.code: area.name for area in tables.areas}
    table = published(tables)
    table = table.assign(label=table["period_label"].map(periods.label), name=table["area"].map(names))
    table = table.set_index(["area", "indicator", "sex", "label"])
    sexes = {label: code for code, label in SEX_LABELS.items()}
    reasons = {"primär": 0, "sekundär": 0}
    for row in rows.to_dict("records"):
        cell = table.loc[(row["Gebietscode"], row["Kennziffer"], sexes[row["Geschlecht"]], row["Zeitraum"])]
        reason = cell["suppression_reason"]
        kind = "primär" if reason in PRIMARY_REASONS else "sekundär"
        assert reason in (*PRIMARY_REASONS, REASON_SECONDARY) and row["Grund"] == f"{kind}: {reason}"
        reasons[kind] += 1
        assert row["Nenner verborgen"] == ("ja" if cell["denominator_suppressed"] else "nein")
        assert row["Gebiet"] == cell["name"]
    assert reasons["primär"] and reasons["sekundär"]
    assert (rows["Nenner verborgen"] == "ja").any()


def test_the_attacker_s_number_of_possible_values(report, truth):
    rows = read(report)
    rule = truth[0].rule
    found = rows["mögliche Werte für Angreifer"].str.fullmatch(r"(mindestens )?(\d+)")
    assert found.all()  # every hidden cell was attacked
    possible = rows["mögliche Werte für Angreifer"].str.extract(r"(\d+)$")[0].astype(int)
    assert (possible >= 1).all() and (possible >= rule.min_count).mean() > 0.9
    exact = ~rows["mögliche Werte für Angreifer"].str.startswith("mindestens")
    assert exact.any() and (~exact).any()


def test_where_each_hidden_cell_is_marked(truth, period, report):
    tables, hidden = truth
    rows = read(report)
    cell = find_own_cell(tables, hidden, period)
    (row,) = rows[(rows["Gebietscode"] == CODE) & (rows["Kennziffer"] == cell.indicator)
                  & (rows["Zeitraum"] == cell.label)].to_dict("records")  # fmt: skip
    assert (row["Gebiet"], row["Ebene"], row["Grund"]) == ("Geestendorf", "Ortsteil", "primär: kleine Fallzahl")
    places = row["gekennzeichnet (•) in"].split("; ")
    assert f"{SLUG} (Tabellen, Zeitreihen, Download)" in places and f"{OPEN_DATA_SLUG} (alle Gebiete)" in places
    assert f"{OVERVIEW_SLUG} (Übersicht)" in places  # the overview shows the report period's value
    last = rows["Zeitraum"].map(lambda label: periods.span_years(periods.from_label(label))[-1])
    older = rows[last.map(periods.sort_key) < periods.sort_key(period)]
    assert len(older) and not older["gekennzeichnet (•) in"].str.contains(OVERVIEW_SLUG).any()


def test_the_report_holds_no_value_and_no_case_count(truth, report):
    tables, hidden = truth
    rows = read(report)
    cells = set(rows.drop(columns=NUMBERED_COLUMNS).to_numpy().ravel())
    for cell in hidden.itertuples():
        assert not set(secrets(cell)) & cells
    numbers = rows.drop(columns=NUMBERED_COLUMNS).apply(
        lambda column: pd.to_numeric(column.str.replace(",", "."), errors="coerce")
    )
    assert numbers.isna().all().all()  # no cell holds a number: no values, no case counts
    digits = re.compile(r"\d")  # nor within a text: only the indicator's id and name hold digits ("U9")
    words = rows.drop(columns=[*NUMBERED_COLUMNS, "Kennziffer", "Indikator"])
    assert not any(digits.search(value) for value in set(words.to_numpy().ravel()))


def test_a_quarter_s_report(truth):
    tables, _ = truth
    quarters = sorted({p for p in tables.indicators["period"] if periods.is_quarter(p)}, key=periods.sort_key)
    quarter = quarters[-2]
    rows = read(suppression_report(tables, quarter))
    served = rows["Zeitraum"].map(periods.from_label).map(lambda label: periods.span_years(label)[-1])
    assert len(rows) and all(periods.serves(p, quarter) for p in served)
    assert periods.label(quarter) in set(rows["Zeitraum"])
