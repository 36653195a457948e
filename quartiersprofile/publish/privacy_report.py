"""The report for the data-protection officer (`profiles/datenschutz-<period>.csv`): which value is hidden where
and why, and how many values an attacker would still have to choose from - no values and no case counts.

Internal: it says which cells the rule proper hides (whose counts are then known to be small), so it is not
linked from the index and must not be published with the reports.
"""

from __future__ import annotations

import pandas as pd

from ..content.tables import ProfileTables
from ..model import periods
from ..model.areas import OVERVIEW_SLUG
from ..stats.disclosure import audit
from ..stats.suppression import PRIMARY_REASONS, REASON_SECONDARY
from . import attacker
from .downloads import SEX_LABELS, to_excel_csv
from .open_data import SLUG as OPEN_DATA_SLUG

INTERNAL_NOTICE = "INTERN – nur für die Datenschutzbeauftragte, nicht veröffentlichen"
REPORT_COLUMNS = ["Hinweis", "Gebiet", "Gebietscode", "Ebene", "Geschlecht", "Kennziffer", "Indikator", "Zeitraum",
                  "Grund", "Nenner verborgen", "mögliche Werte für Angreifer", "gekennzeichnet (•) in",
                  "Regel"]  # fmt: skip


def _kind(reason: str) -> str:
    if reason in PRIMARY_REASONS:
        return f"primär: {reason}"
    if reason == REASON_SECONDARY:
        return f"sekundär: {reason}"
    return reason


def _attacker_widths(tables: ProfileTables, period: str) -> dict[tuple[str, str, str], str]:
    """Per hidden cell: how many values the attacker's interval leaves ("mindestens N" where the audit only
    certified a lower bound, which is all a pass needs)."""
    cells = attacker.cells_from_table(tables, period)
    result = audit(cells, attacker.structure_of(cells, list(tables.areas), tables.catalogue, tables.rule))
    counts = result[result["quantity"] == "count"]
    return {
        (row.indicator, row.area, row.period): (f"{row.possible:g}" if row.exact else f"mindestens {row.possible:g}")
        for row in counts.itertuples()
    }


def _engine_area(cell) -> str:
    """The cell's area as the attacker's model names it: "<code>|w" for a row of one sex."""
    return f"{cell.area}|{cell.sex}" if cell.sex else cell.area


def suppression_report(tables: ProfileTables, period: str) -> bytes:
    """What the period's publication hides and where, as German Excel CSV: one row per hidden cell the reports
    or the open data of `period` show, with the reason, whether its denominator is hidden too, the attacker's
    number of possible values, the files that mark it with "•" and the rule. No values, no case counts."""
    table = tables.indicators.assign(sex="")
    if tables.by_sex is not None and len(tables.by_sex):
        table = pd.concat([table, tables.by_sex], ignore_index=True)
    shown = table[[periods.serves(p, period) for p in table["period"]]]
    hidden = shown[shown["suppressed"].astype(bool)]
    widths = _attacker_widths(tables, period)
    areas = {area.code: area for area in tables.areas}
    order = {area.code: i for i, area in enumerate(tables.areas)}
    catalogue = tables.catalogue.set_index("id")
    hidden = hidden.assign(
        _order=hidden["area"].map(order), _period=[periods.sort_key(p) for p in hidden["period"]],
        _sex=hidden["sex"].map({"": 0, "w": 1, "m": 2}),
    ).sort_values(["_order", "indicator", "_sex", "_period"], kind="stable")
    rows = []
    for cell in hidden.itertuples():
        area = areas[cell.area]
        places = [f"{OPEN_DATA_SLUG} (alle Gebiete)", f"{area.slug} (Tabellen, Zeitreihen, Download)"]
        if cell.period == periods.matching(table.loc[table["indicator"] == cell.indicator, "period"], period):
            places.append(f"{OVERVIEW_SLUG} (Übersicht)")
        rows.append(
            {
                "Hinweis": INTERNAL_NOTICE,
                "Gebiet": area.name,
                "Gebietscode": cell.area,
                "Ebene": area.level_label,
                "Geschlecht": SEX_LABELS[cell.sex],
                "Kennziffer": cell.indicator,
                "Indikator": catalogue.at[cell.indicator, "name"],
                "Zeitraum": periods.label(cell.period_label),
                "Grund": _kind(cell.suppression_reason),
                "Nenner verborgen": "ja" if cell.denominator_suppressed else "nein",
                "mögliche Werte für Angreifer": widths.get((cell.indicator, _engine_area(cell), cell.period), ""),
                "gekennzeichnet (•) in": "; ".join(places),
                "Regel": tables.rule.describe_de(),
            }
        )
    return to_excel_csv(pd.DataFrame(rows, columns=REPORT_COLUMNS))
