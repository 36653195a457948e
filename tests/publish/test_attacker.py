"""The attacker's audit of what is published (quartiersprofile.publish.attacker), on the small fixture data: the
cells an attacker reads from the files of a period folder (written with the build's own functions and read back
from disk) are the published table's - hidden ones unknown - the published files pass, and a planted weakness is
found and named with the attacker's interval."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quartiersprofile.content.indicators import declared_links, unsuppressed_indicator_table
from quartiersprofile.content.profile import Profile
from quartiersprofile.content.tables import latest_period
from quartiersprofile.model import periods
from quartiersprofile.publish import attacker, audit
from quartiersprofile.publish.downloads import download_files
from quartiersprofile.publish.open_data import FILES, open_data_files
from quartiersprofile.publish.privacy_report import suppression_report
from quartiersprofile.stats.disclosure import Disclosure
from quartiersprofile.stats.suppression import REASON_SECONDARY

KEY = ["indicator", "area", "period"]
COLUMNS = [*KEY, "window", "statistic", "numerator", "denominator", "numerator_shown", "denominator_shown"]


@pytest.fixture(scope="module")
def period(small_tables) -> str:
    return latest_period(small_tables)


@pytest.fixture(scope="module")
def published(small_tables, period, tmp_path_factory) -> Path:
    """A period folder as a build of all areas writes it: every profile's CSV and XLSX, the open data and the
    internal report for the data-protection officer."""
    folder = tmp_path_factory.mktemp("profiles") / period
    folder.mkdir()
    for area in small_tables.areas:
        for kind, data in download_files(Profile(area, period, small_tables), "test").items():
            (folder / f"{area.slug}.{kind}").write_bytes(data)
    for name, data in open_data_files(small_tables, period, "test").items():
        (folder / name).write_bytes(data)
    (folder.parent / f"datenschutz-{period}.csv").write_bytes(suppression_report(small_tables, period))
    return folder


@pytest.fixture(scope="module")
def truth(small_dataset, small_tables) -> pd.DataFrame:
    return audit.hidden_cells(small_dataset, small_tables)


def ordered(cells: pd.DataFrame) -> pd.DataFrame:
    return cells[COLUMNS].sort_values(KEY).reset_index(drop=True)


def copy_with(folder: Path, target: Path, suffixes: tuple[str, ...]) -> Path:
    target.mkdir()
    for path in folder.iterdir():
        if path.suffix in suffixes:
            shutil.copy(path, target / path.name)
    return target


# --- the cells an attacker reads ------------------------------------------------------------------------------


def test_cells_from_the_table_leave_hidden_values_unknown(small_tables, period):
    cells = attacker.cells_from_table(small_tables, period)
    table = small_tables.indicators
    table = table[[periods.serves(p, period) for p in table["period"]]].reset_index(drop=True)
    assert len(cells) == len(table) and (cells["area"].to_numpy() == table["area"].to_numpy()).all()
    hidden = table["suppressed"].to_numpy(dtype=bool)
    assert hidden.any() and (~cells["numerator_shown"].to_numpy() == hidden).all()
    assert cells.loc[hidden, "numerator"].isna().all()
    shown = ~hidden
    assert np.array_equal(cells.loc[shown, "numerator"].to_numpy(), table.loc[shown, "numerator"].to_numpy(float),
                          equal_nan=True)  # fmt: skip
    denominator_hidden = table["denominator_suppressed"].to_numpy(dtype=bool)
    assert cells.loc[denominator_hidden, "denominator"].isna().all()
    assert not cells.loc[cells["denominator_shown"], "denominator"].isna().any()
    pooled = table["period_label"].str.contains("–").to_numpy()
    assert pooled.any() and all(len(w) > 1 for w in cells.loc[pooled, "window"])


def test_the_files_read_back_are_the_published_table(small_tables, period, published):
    from_files = attacker.cells_from_files(published, small_tables.catalogue)
    from_table = attacker.cells_from_table(small_tables, period)
    pd.testing.assert_frame_equal(ordered(from_files), ordered(from_table), check_dtype=False)
    assert (~from_files["numerator_shown"]).sum() == from_table["numerator"].isna().sum() > 0


def test_csv_and_xlsx_each_give_the_same_cells(small_tables, published, tmp_path):
    from_csv = attacker.cells_from_files(copy_with(published, tmp_path / "csv", (".csv",)), small_tables.catalogue)
    from_xlsx = attacker.cells_from_files(copy_with(published, tmp_path / "xlsx", (".xlsx",)), small_tables.catalogue)
    pd.testing.assert_frame_equal(ordered(from_csv), ordered(from_xlsx), check_dtype=False)
    files = set(attacker.published_rows(published)["file"])
    assert files == {p.name for p in published.iterdir() if p.suffix in (".csv", ".xlsx")}


def test_the_internal_report_and_other_files_are_not_read(small_tables, period, published, tmp_path):
    folder = copy_with(published, tmp_path / period, (".csv", ".xlsx", ".parquet", ".json"))
    (folder / f"datenschutz-{period}.csv").write_bytes(suppression_report(small_tables, period))
    (folder / "liesmich.txt").write_text("Zähler 3")
    assert f"datenschutz-{period}.csv" not in set(attacker.published_rows(folder)["file"])
    pd.testing.assert_frame_equal(ordered(attacker.cells_from_files(folder, small_tables.catalogue)),
                                  ordered(attacker.cells_from_files(published, small_tables.catalogue)))  # fmt: skip


def test_german_numbers_are_read_as_the_downloads_write_them():
    assert attacker._number("8041") == 8041 and attacker._number("0,55") == 0.55
    assert attacker._number("1.234,5") == 1234.5 and attacker._number(38445) == 38445
    assert np.isnan(attacker._number("")) and np.isnan(attacker._number(None))


# --- the attack ---------------------------------------------------------------------------------------------------


def test_the_published_files_pass(small_tables, published):
    cells = attacker.cells_from_files(published, small_tables.catalogue)
    assert attacker.attack(cells, list(small_tables.areas), small_tables.catalogue, small_tables.rule) == []
    assert audit.attacker_leaks("Ordner", cells, small_tables) == []


def test_the_attacker_uses_the_declared_and_the_catalogue_s_links(small_tables, period):
    cells = attacker.cells_from_table(small_tables, period)
    links = attacker.attack_links(cells, small_tables.catalogue)
    assert set(declared_links(small_tables.catalogue)) <= set(links)
    assert (("GES04", "denominator"), ("DEM08", "numerator")) in links or (
        ("DEM08", "numerator"), ("GES04", "denominator")) in links  # both "Lebendgeborene", different windows


def test_a_partner_published_after_all_is_found(small_tables, truth, published, tmp_path):
    """Plant the weakness secondary suppression guards against: Lehe's value, hidden only to protect Weddewarden's
    small count (the city = Weddewarden + Lehe), is written into the open data. The attacker now recomputes
    Weddewarden's count exactly: city minus Lehe."""
    table = small_tables.indicators.set_index(KEY)
    candidates = [
        cell for cell in truth[(truth["area"] == "13") & (truth["reason"] == REASON_SECONDARY)].itertuples()
        if table.at[(cell.indicator, "11", cell.period), "suppressed"]
        and table.at[(cell.indicator, "11", cell.period), "suppression_reason"] == "kleine Fallzahl"
        and not table.at[(cell.indicator, "4012", cell.period), "suppressed"]
    ]  # fmt: skip
    partner = max(candidates, key=lambda c: periods.sort_key(c.period))
    folder = copy_with(published, tmp_path / "planted", (".csv",))
    path = folder / FILES["csv"]
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig")), delimiter=";"))
    header = rows[0]
    (row,) = [r for r in rows[1:] if (r[header.index("Kennziffer")], r[header.index("Gebietscode")],
                                      r[header.index("Zeitraum")]) == (partner.indicator, "13", partner.label)]
    assert row[header.index("Zähler")] == ""
    row[header.index("Zähler")] = str(int(partner.numerator))
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";", lineterminator="\r\n").writerows(rows)

    cells = attacker.cells_from_files(folder, small_tables.catalogue)
    leaks = audit.attacker_leaks("Ordner", cells, small_tables)
    weddewarden = truth.set_index(KEY).loc[(partner.indicator, "11", partner.period)]
    found = attacker.attack(cells, list(small_tables.areas), small_tables.catalogue, small_tables.rule)
    pinned = [(d.lower, d.upper) for d in found if (d.indicator, d.area, d.period, d.quantity)
              == (partner.indicator, "11", partner.period, "count")]  # fmt: skip
    assert pinned == [(weddewarden.numerator, weddewarden.numerator)]  # city minus Lehe, exactly
    name = small_tables.catalogue.set_index("id").at[partner.indicator, "name"]
    assert f"Ordner: {attacker.LEAK} – Indikator {partner.indicator} „{name}“, Gebiet Weddewarden (11), Zeitraum " \
           f"{partner.label}; Fundstelle: Angreifer-Intervall: der Zähler ist auf 1 möglichen Wert eingrenzbar " \
           "(mindestens 5 nötig)." in [str(leak) for leak in leaks]  # fmt: skip
    assert all(leak.problem == attacker.LEAK for leak in leaks)


# --- how a finding is described ------------------------------------------------------------------------------------


def test_describe_names_the_cell_and_the_attacker_s_interval(small_tables):
    names = {area.code: area.name for area in small_tables.areas}
    catalogue = small_tables.catalogue
    pooled = Disclosure("KIG04", "11", "2024", ("2022", "2023", "2024"), "count", 1.0, 3.0, 3.0, 5)
    assert attacker.describe(pooled, names, catalogue) == (
        "Indikator KIG04 „Masern-Impfquote (2 Dosen)“",
        "Gebiet Weddewarden (11)",
        "2022–2024",
        "Angreifer-Intervall: der Zähler ist auf 3 mögliche Werte eingrenzbar (mindestens 5 nötig)",
    )
    quarter = Disclosure("SOZ01", "13", "2024-Q3", ("2024-Q3",), "complement", 1234567.0, 1234567.0, 1.0, 5)
    assert attacker.describe(quarter, names, catalogue)[2:] == (
        "3. Quartal 2024",
        "Angreifer-Intervall: die Restgröße (Nenner minus Zähler) ist auf 1 möglichen Wert eingrenzbar "
        "(mindestens 5 nötig)",
    )
    visible = Disclosure("SOZ01", "4012", "2024", ("2024",), "complement", 3.0, 3.0, 1.0, 5, kind="visible complement")
    assert attacker.describe(visible, names, catalogue)[1:] == (
        "Gebiet Bremerhaven (4012)", "2024", "ein gezeigter Anteil, dessen Restgröße unter 5 liegt"
    )


# --- rows by sex ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def open_data_2024(bundled_tables, tmp_path_factory) -> Path:
    """The bundled data's open data of 2024 (deaths by sex for GES01) as a build writes it."""
    folder = tmp_path_factory.mktemp("open") / "2024"
    folder.mkdir()
    for name, data in open_data_files(bundled_tables, "2024", "test").items():
        (folder / name).write_bytes(data)
    return folder


def test_rows_by_sex_are_read_back_as_cells_of_their_own(bundled_tables, open_data_2024):
    from_files = attacker.cells_from_files(open_data_2024, bundled_tables.catalogue)
    from_table = attacker.cells_from_table(bundled_tables, "2024")
    assert from_files["area"].str.endswith("|w").sum() == from_table["area"].str.endswith("|w").sum() > 0
    pd.testing.assert_frame_equal(ordered(from_files), ordered(from_table), check_dtype=False)


def test_a_sex_published_beside_all_persons_gives_the_other_sex_away(
    bundled_dataset, bundled_tables, open_data_2024, tmp_path
):
    """Women = all persons - men: plant the counts of all persons and of the men where the women's count is
    hidden for a small count (the protection hid both); the attacker recomputes the women's count exactly."""
    by_sex = bundled_tables.by_sex.set_index(["indicator", "area", "period", "sex"])
    persons = bundled_tables.indicators.set_index(KEY)
    (women,) = [
        key for key, row in by_sex.iterrows()
        if key[3] == "w" and row["suppression_reason"] == "kleine Fallzahl"
        and by_sex.loc[(*key[:3], "m"), "suppressed"] and persons.at[key[:3], "suppressed"]
    ][:1]  # fmt: skip
    indicator, area, period, _ = women
    true = unsuppressed_indicator_table(bundled_dataset, list(bundled_tables.areas)).set_index([*KEY, "sex"])
    men = true.at[(indicator, area, period, "m"), "numerator"]
    folder = copy_with(open_data_2024, tmp_path / "planted", (".csv", ".json"))
    path = folder / FILES["csv"]
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig")), delimiter=";"))
    header = rows[0]
    label = periods.label(bundled_tables.by_sex.set_index(["indicator", "area", "period", "sex"])
                          .at[(indicator, area, period, "m"), "period_label"])  # fmt: skip
    for sex, count in (("Männer", men), ("insgesamt", true.at[(indicator, area, period, ""), "numerator"])):
        (row,) = [r for r in rows[1:] if (r[header.index("Kennziffer")], r[header.index("Gebietscode")],
                  r[header.index("Geschlecht")], r[header.index("Zeitraum")]) == (indicator, area, sex, label)]
        assert row[header.index("Zähler")] == ""
        row[header.index("Zähler")] = str(int(count))
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";", lineterminator="\r\n").writerows(rows)
    cells = attacker.cells_from_files(folder, bundled_tables.catalogue)
    found = attacker.attack(cells, list(bundled_tables.areas), bundled_tables.catalogue, bundled_tables.rule)
    pinned = [(d.lower, d.upper) for d in found if (d.indicator, d.area, d.period, d.quantity)
              == (indicator, f"{area}|w", period, "count")]  # fmt: skip
    count = true.at[(indicator, area, period, "w"), "numerator"]
    assert pinned == [(count, count)]
    names = {a.code: a.name for a in bundled_tables.areas}
    leaks = audit.attacker_leaks("Ordner", cells, bundled_tables)
    assert any(f"Gebiet {names[area]} ({area}), Frauen" in str(leak) for leak in leaks)
