"""Names are data, never code or paths: hostile district and indicator names in a real build (the parameters
papermill writes: tests/build/test_engine.py)."""

from __future__ import annotations

import io
import shutil

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from conftest import REPO, run_build
from openpyxl import load_workbook

HOSTILE_DISTRICT = "<script>alert('x')</script> \"Q\" \\ ../../etc/passwd \u202eevil 😀 " + "ä" * 300
HOSTILE_INDICATOR = "=HYPERLINK(\"http://example.invalid\") <img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    data = root / "data"
    shutil.copytree(REPO / "data", data)
    districts = pd.read_csv(data / "districts.csv", dtype=str, keep_default_na=False)
    districts.loc[districts["code"] == "131", "name"] = HOSTILE_DISTRICT
    districts.to_csv(data / "districts.csv", index=False)
    catalogue = pd.read_csv(data / "indicators.csv", dtype=str, keep_default_na=False)
    catalogue.loc[catalogue["id"] == "SOZ05", "name"] = HOSTILE_INDICATOR
    catalogue.to_csv(data / "indicators.csv", index=False)
    output = root / "out"
    result = run_build("--data", str(data), "--output", str(output), "--district", "131", "--format", "html",
                       "--format", "data", "--quiet")
    assert result.returncode == 0, result.stderr
    return root, output


def test_hostile_names_write_nothing_outside_the_output_folder(hostile_build):
    root, output = hostile_build
    outside = [p for p in root.rglob("*") if p.is_file() and output not in p.parents and "data" not in p.parts]
    assert outside == []
    (html_path,) = output.glob("*/*.html")
    assert html_path.name.startswith("ortsteil-script-alert-x-script")
    assert len(html_path.name) < 100


def test_hostile_names_are_escaped_in_the_html(hostile_build):
    _, output = hostile_build
    (html_path,) = output.glob("*/*.html")
    page = html_path.read_text("utf-8")
    assert "<script>alert" not in page and "<img src=x" not in page
    soup = BeautifulSoup(page, "html.parser")
    assert soup.find("script", string=lambda s: s and "alert" in s) is None
    assert all(img.get("src", "").startswith("data:") for img in soup.find_all("img"))
    assert HOSTILE_DISTRICT in soup.get_text()


def test_hostile_names_are_text_not_formulas_in_the_downloads(hostile_build):
    _, output = hostile_build
    (xlsx_path,) = output.glob("*/*.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx_path.read_bytes())).active
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    names = [row[header.index("Indikator")].value for row in sheet.iter_rows(min_row=2)]
    assert f"'{HOSTILE_INDICATOR}" in names
    assert all(not str(v).startswith("=") for row in sheet.iter_rows() for v in (c.value for c in row) if v)
