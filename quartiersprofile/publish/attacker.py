"""The attacker's audit of what is published: every count a reader can take from the files, combined by a linear
programme (`stats.disclosure`), must leave each hidden count at least `min_count` possible values, and no shown
share may have a complement of 1 to `min_count - 1`.

Independent of how the rule decided: it starts from the published numbers alone - the downloads read back from
disk (`cells_from_files`: every profile's CSV and XLSX and the city-wide open data of a period folder), or the
published table in memory (`cells_from_table`, what those files are made from) - and from what a reader knows
besides: the register (which Ortsteile make up which area), the catalogue printed in every report (statistic,
the declared links, the wording of numerators and denominators) and quantities that are equal wherever both are
shown (found in the data, as a reader would notice them). A leak names indicator, area, period and the
attacker's interval, never a value the rule hides.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from ..content.indicators import declared_links, suppression_cells, suppression_members
from ..content.tables import ProfileTables
from ..model import periods
from ..model.areas import Area
from ..stats.disclosure import (
    Structure,
    audit,
    catalogue_links,
    detect_links,
    disclosures,
    links_of,
    visible_complements,
)
from .downloads import SEX_LABELS, read_xlsx_rows

#: The files of a period folder a reader can download as tables (the DPO report is internal, not published).
INTERNAL_PREFIX = "datenschutz-"
LEAK = "ein unterdrückter Wert ist aus veröffentlichten Zahlen rückrechenbar"
#: The column "Geschlecht" of the downloads back to the codes of the tables.
SEXES = {label: code for code, label in SEX_LABELS.items()}
COMPLEMENT = "ein veröffentlichter Anteil verrät eine kleine Restgröße"


def cells_from_table(tables: ProfileTables, period: str) -> pd.DataFrame:
    """The published table's cells that the reports of `period` can show, as the attacker sees them: hidden
    numerators and denominators are unknown."""
    table = tables.indicators.assign(sex="")
    if tables.by_sex is not None and len(tables.by_sex):
        table = pd.concat([table, tables.by_sex], ignore_index=True)
    rows = table[[periods.serves(p, period) for p in table["period"]]].reset_index(drop=True)
    cells = suppression_cells(rows, tables.catalogue)
    cells["numerator_shown"] = ~rows["suppressed"].astype(bool).to_numpy()
    denominator_hidden = rows["denominator_suppressed"].astype(bool).to_numpy()
    cells["denominator_shown"] = ~denominator_hidden & rows["denominator"].notna().to_numpy()
    cells.loc[~cells["numerator_shown"], "numerator"] = np.nan
    cells.loc[~cells["denominator_shown"], "denominator"] = np.nan
    return cells


def _rows_of_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def _number(value) -> float:
    """A number as the downloads write it: an Excel number, or German text ("13,75")."""
    if value is None or value == "":
        return np.nan
    if isinstance(value, int | float):
        return float(value)
    return float(str(value).replace(".", "").replace(",", ".")) if "," in str(value) else float(value)


def published_rows(folder: Path) -> pd.DataFrame:
    """Every indicator row of every downloadable table in a period folder (CSV and XLSX; the internal DPO report
    excluded): Kennziffer, Gebietscode, Zeitraum, Zähler, Nenner, and the file it came from."""
    frames = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(INTERNAL_PREFIX) or path.suffix not in (".csv", ".xlsx"):
            continue
        rows = _rows_of_csv(path.read_bytes()) if path.suffix == ".csv" else read_xlsx_rows(path.read_bytes())
        if not rows or "Kennziffer" not in rows[0]:
            continue
        header = [str(name) for name in rows[0]]
        frame = pd.DataFrame(rows[1:], columns=header)
        sex = frame["Geschlecht"].map(SEXES) if "Geschlecht" in frame else pd.Series("", index=frame.index)
        frames.append(pd.DataFrame({
            "indicator": frame["Kennziffer"].astype(str),
            "area": frame["Gebietscode"].astype(str),
            "sex": sex.fillna("").astype(str),
            "label": frame["Zeitraum"].astype(str),
            "numerator": frame["Zähler"].map(_number),
            "denominator": frame["Nenner"].map(_number),
            "file": path.name,
        }))  # fmt: skip
    if not frames:
        return pd.DataFrame(columns=["indicator", "area", "sex", "label", "numerator", "denominator", "file"])
    return pd.concat(frames, ignore_index=True)


def cells_from_files(folder: Path, catalogue: pd.DataFrame) -> pd.DataFrame:
    """The cells an attacker reads from a period folder: every row of every downloadable table, one cell per
    indicator, area and period (a value shown in any file counts as shown)."""
    rows = published_rows(folder)
    rows["period"] = [periods.from_label(label) for label in rows["label"]]
    cells = (
        rows.groupby(["indicator", "area", "sex", "period"], sort=True)
        .agg(numerator=("numerator", "max"), denominator=("denominator", "max"))
        .reset_index()
    )
    cells["period_label"] = cells["period"]
    cells["period"] = [periods.span_years(p)[-1] for p in cells["period"]]
    table = suppression_cells(cells, catalogue)
    table["numerator_shown"] = table["numerator"].notna()
    table["denominator_shown"] = table["denominator"].notna() & (table["statistic"] != "count")
    return table


def attack_links(cells: pd.DataFrame, catalogue: pd.DataFrame) -> list:
    """The quantities an attacker treats as one: declared in the catalogue, described with the same words in it,
    or equal wherever both are shown in `cells`."""
    links = set(declared_links(catalogue)) | set(catalogue_links(catalogue)) | set(links_of(detect_links(cells)))
    return sorted(links)


def structure_of(cells: pd.DataFrame, areas: list[Area], catalogue: pd.DataFrame, rule) -> Structure:
    """What the attacker knows besides the numbers: which Ortsteile (of which sex, when `cells` has rows by sex,
    areas "<code>|w") make up each area, the links, the rule."""
    members = suppression_members(areas, by_sex=bool(cells["area"].str.contains("|", regex=False).any()))
    links = attack_links(cells, catalogue)
    return Structure(members, links, min_count=rule.min_count, min_denominator=rule.min_denominator)


def attack(cells: pd.DataFrame, areas: list[Area], catalogue: pd.DataFrame, rule) -> list:
    """The attacker's findings on published `cells` (see `cells_from_table`, `cells_from_files`): disclosed
    hidden counts and complements (`stats.disclosure.Disclosure`), and shown shares with a small complement."""
    structure = structure_of(cells, areas, catalogue, rule)
    return disclosures(audit(cells, structure)) + visible_complements(cells, structure)


def describe(disclosure, names: dict[str, str], catalogue: pd.DataFrame) -> tuple[str, str, str, str]:
    """Indicator, area (and sex), period and place of a disclosure, in the words of the audit's leaks: how many
    values the attacker is left with, never which (a log must not carry the hidden count)."""
    catalogue = catalogue.set_index("id")
    window = disclosure.window
    label = periods.label(window[0]) if len(window) == 1 else periods.span(int(window[-1]), len(window))
    what = "die Restgröße (Nenner minus Zähler)" if disclosure.quantity == "complement" else "der Zähler"
    possible = "1 möglichen Wert" if disclosure.possible == 1 else f"{_whole(disclosure.possible)} mögliche Werte"
    if disclosure.kind == "visible complement":
        where = f"ein gezeigter Anteil, dessen Restgröße unter {disclosure.required} liegt"
    else:
        needed = f"mindestens {disclosure.required} nötig"
        where = f"Angreifer-Intervall: {what} ist auf {possible} eingrenzbar ({needed})"
    code, _, sex = disclosure.area.partition("|")
    area = f"Gebiet {names.get(code, code)} ({code})" + (f", {SEX_LABELS[sex]}" if sex else "")
    return (f"Indikator {disclosure.indicator} „{catalogue.at[disclosure.indicator, 'name']}“", area, label, where)


def _whole(number: float) -> str:
    """A bound of the attacker's interval as a whole number in full ("1234567", not "1.23457e+06")."""
    if not np.isfinite(number):
        return "∞" if number > 0 else "-∞"
    return f"{number:.0f}" if float(number).is_integer() else f"{number:g}"
