"""The executed-profile fixture (tests/fixtures/executed_profile.py) with its cover texts, and poppler's tools, for
the tests of notebook -> HTML (tests/publish/test_render.py) and HTML -> PDF (tests/publish/test_pdf.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from fixtures.executed_profile import executed_profile

from quartiersprofile.publish.info import ReportInfo

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SECTIONS = ["Kernaussagen", "Bevölkerung", "Gesundheit und Versorgung"]
SAMPLE_NOTICE = "Die Gesundheitsindikatoren sind simuliert und beschreiben nicht den echten Ortsteil."
INFO = ReportInfo(
    title="Goethestraße",
    level_line="Ortsteil im Stadtteil Lehe",
    period_label="Berichtsjahr 2024",
    stand="1. März 2025",
    organisation="Gesundheitsamt Bremerhaven",
    build_id="b3f9c2a1",
    sample_notice=SAMPLE_NOTICE,
    data_vintage="Daten bis 31.12.2024",
    description="Gesundheitsbezogenes Quartiersprofil für Goethestraße.",
)
REAL_DATA_INFO = ReportInfo(**{**INFO.__dict__, "sample_notice": None})


def notebook() -> nbformat.NotebookNode:
    """A fresh copy of the executed profile."""
    return executed_profile()


def run_tool(tool: str, *args: str) -> str:
    """The output of a poppler tool; the test is skipped with the reason when it is not installed."""
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} (poppler-utils) is not installed")
    return subprocess.run([tool, *args], check=True, capture_output=True, text=True).stdout


def page_texts(pdf_bytes: bytes, tmp_path: Path) -> list[str]:
    """Text of each page, by pdftotext (which sees the margin boxes as a reader does)."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf_bytes)
    return run_tool("pdftotext", "-layout", str(path), "-").split("\f")[:-1]
