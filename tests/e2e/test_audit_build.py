"""The disclosure audit (quartiersprofile.publish.audit) on the files of a real build (slow: the session build and
`python build.py`): every output passes, hidden values planted into them are found, the audit of a built folder
and inside the build."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import shutil
import subprocess
import sys

import nbformat
import pytest
from bs4 import BeautifulSoup
from conftest import REPO, run_build
from support.disclosure import CODE, SLUG, assert_single, expected, secrets
from support.disclosure import own_cell as find_own_cell

from quartiersprofile.content import text
from quartiersprofile.content.profile import Profile
from quartiersprofile.publish import audit, privacy_report
from quartiersprofile.publish.downloads import download_files
from quartiersprofile.stats.suppression import SUPPRESSED_MARKER


@pytest.fixture(scope="module")
def truth(bundled_dataset, bundled_tables):
    """The sample data's tables and hidden cells (with true values), computed once."""
    return bundled_tables, audit.hidden_cells(bundled_dataset, bundled_tables)


@pytest.fixture(scope="module")
def period(built) -> str:
    (folder,) = [p for p in built.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return folder.name


def built_outputs(folder, slug) -> dict[str, bytes]:
    """The files a profile's job wrote, by kind (a profile has no Parquet file or data package)."""
    files = {kind: folder / f"{slug}.{kind}" for kind in audit.OUTPUT_KINDS}
    return {kind: path.read_bytes() for kind, path in files.items() if path.is_file()}


@pytest.fixture(scope="module")
def outputs(built, period) -> dict[str, bytes]:
    found = built_outputs(built / period, SLUG)
    assert {"html", "pdf", "ipynb", "csv", "xlsx", "slides.html", "slides.pdf"} <= set(found)
    return found


@pytest.fixture(scope="module")
def own_cell(truth, period):
    """Geestendorf's hidden cell in the report table: a small count (1-4) and the value it gives."""
    return find_own_cell(*truth, period)


def check(truth, period, **outputs):
    tables, hidden = truth
    return audit.audit_job_outputs(outputs, hidden, tables, CODE, period)


# --- the real build -----------------------------------------------------------------------------------------


def test_every_output_of_a_real_build_passes(truth, built, period):
    tables, hidden = truth
    for slug, code in ((SLUG, CODE), ("stadtteil-lehe", "13")):
        outputs = built_outputs(built / period, slug)
        assert audit.audit_job_outputs(outputs, hidden, tables, code, period, slug) == []


def test_every_chart_lists_its_labels(outputs):
    from PIL import Image

    soup = BeautifulSoup(outputs["html"].decode("utf-8"), "html.parser")
    images = soup.find_all("img", src=re.compile("^data:image/png;base64,"))
    assert len(images) > 10
    assert all("Labels" in Image.open(io.BytesIO(_png_of(image))).info for image in images)


def _png_of(image) -> bytes:
    return base64.b64decode(image["src"].split(",", 1)[1])


def test_the_built_downloads_are_the_profile_s_download_files(truth, period, outputs):
    """So the planted CSV and XLSX values of tests/publish/test_audit.py are planted into the files a build writes."""
    tables, _ = truth
    profile = Profile(next(a for a in tables.areas if a.code == CODE), period, tables)
    soup = BeautifulSoup(outputs["html"].decode("utf-8"), "html.parser")
    build_id = next(dt.find_next("dd").get_text(strip=True) for dt in soup.find_all("dt") if dt.string == "Kennung")
    files = download_files(profile, build_id)
    assert (files["csv"], files["xlsx"]) == (outputs["csv"], outputs["xlsx"])


# --- planted values -----------------------------------------------------------------------------------------


def test_a_small_count_in_the_html_table_is_found(truth, period, outputs, own_cell):
    soup = BeautifulSoup(outputs["html"].decode("utf-8"), "html.parser")
    name = f"{own_cell.name} ({own_cell.unit})"
    table = soup.select("table.indicators")[-1]  # the appendix
    row = next(r for r in table.tbody.find_all("tr") if r.th.get_text(" ", strip=True) == name)
    cases = row.find_all("td")[-1]
    assert cases.get_text(strip=True) == SUPPRESSED_MARKER
    cases.string = text.format_count(own_cell.numerator)
    leaks = check(truth, period, html=str(soup).encode())
    caption = table.caption.get_text(" ", strip=True)
    assert_single(leaks, "HTML-Bericht", own_cell, f"Tabelle „{caption}“, Zeile „{name}“, Spalte Fälle")


def test_a_value_in_an_alt_text_is_found(truth, period, outputs, own_cell):
    interval = secrets(own_cell)[1]
    page = outputs["html"].decode("utf-8")
    assert interval not in page
    soup = BeautifulSoup(page, "html.parser")
    image = soup.find("h2", string="Versorgung").find_next("img")
    image["alt"] += f" Konfidenzintervall {interval}."
    leaks = check(truth, period, html=str(soup).encode())
    assert_single(leaks, "HTML-Bericht", own_cell, "Attribut alt von <img> im Abschnitt „Versorgung“")


def test_a_folder_with_an_unsuppressed_small_count_fails_with_a_precise_message(built, period, own_cell, tmp_path):
    shutil.copytree(built / period, tmp_path / period)
    assert audit.main([str(tmp_path)]) == 0
    path = tmp_path / period / f"{SLUG}.csv"
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig")), delimiter=";"))
    header = rows[0]
    number = next(i for i, row in enumerate(rows)
                  if (row[header.index("Kennziffer")], row[header.index("Zeitraum")], row[header.index("Geschlecht")])
                  == (own_cell.indicator, own_cell.label, "insgesamt"))  # fmt: skip
    rows[number][rows[0].index("Zähler")] = str(int(own_cell.numerator))
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";", lineterminator="\r\n").writerows(rows)
    result = subprocess.run(
        [sys.executable, "-m", "quartiersprofile.publish.audit", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 1
    where = f"Zeile {number + 1}, Spalte Zähler"
    assert result.stdout.splitlines() == [expected(f"CSV-Datei {SLUG}.csv", own_cell, where), "1 Befund(e)."]


# --- the audit inside the build -----------------------------------------------------------------------------


def test_a_build_whose_template_shows_a_hidden_value_fails_that_profile_and_writes_none_of_it(own_cell, tmp_path):
    interval = secrets(own_cell)[1]
    notebook = nbformat.read(REPO / "notebooks" / "profile.ipynb", as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(f"report.show('<p>Geheim: {interval}</p>')"))
    template = tmp_path / "leaky.ipynb"
    nbformat.write(notebook, template)
    output = tmp_path / "out"
    result = run_build("--district", CODE, "--district", "Lehe", "--output", str(output), "--format", "html",
                       "--template", str(template))  # fmt: skip
    assert result.returncode == 1
    message = expected(f"HTML-Bericht {SLUG}.html", own_cell, "Text im Abschnitt „Anhang“")
    assert "disclosure audit: " in result.stderr and message.split(";")[0] in result.stderr
    assert interval not in result.stderr and "Traceback" not in result.stderr
    (period_dir,) = [p for p in output.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert sorted(p.name for p in period_dir.iterdir()) == ["stadtteil-lehe.html", "stadtteil-lehe.ipynb"]
    entry = json.loads((output / "manifest.json").read_text("utf-8"))["jobs"]
    assert {e["key"].split("/")[1]: e["status"] for e in entry} == {SLUG: "failed", "stadtteil-lehe": "built"}


def test_every_build_writes_the_suppression_report_and_does_not_link_it(built, period):
    report_file = built / f"datenschutz-{period}.csv"
    rows = list(csv.reader(io.StringIO(report_file.read_text("utf-8-sig")), delimiter=";"))
    assert rows[0] == privacy_report.REPORT_COLUMNS and len(rows) > 10
    assert "datenschutz" not in (built / "index.html").read_text("utf-8")  # internal: for the data-protection officer
