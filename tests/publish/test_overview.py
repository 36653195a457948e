"""The city overview (quartiersprofile.publish.overview), built in-process from the real data: the template notebook
notebooks/overview.ipynb executed with papermill (a kernel: every test here is `slow`), rendered to HTML and PDF,
and checked against the indicator table."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader
from support.notebooks import execute, write_tables

from quartiersprofile.content import text
from quartiersprofile.content.tables import latest_period
from quartiersprofile.model import periods
from quartiersprofile.publish.cover import overview_info
from quartiersprofile.publish.pdf import html_to_pdf
from quartiersprofile.publish.render import notebook_to_html
from quartiersprofile.stats.suppression import SUPPRESSED_MARKER

pytestmark = pytest.mark.slow  # a Jupyter kernel and Chromium

SECTIONS = (
    "Überblick",
    "Ortsteile im Vergleich",
    "Stadtteile im Vergleich",
    "Rangfolgen",
    "Karten",
    "Gesundheits- und Sozialindex",
    "Ähnliche Gebiete und Zielwerte",
    "Auffällige Gebiete",
    "Lebenserwartung und gesundheitliche Ungleichheit",
    "Bevölkerungsprognose",
    "Methodik",
)
FOCUS = {"Lehe": "stadtteil", "Leherheide": "stadtteil", "Surheide": "both", "Geestendorf": "ortsteil",
         "Grünhöfe": "ortsteil"}  # fmt: skip
NUMBER = re.compile(r"\d[\d.]*(?:,\d+)?")


@pytest.fixture(scope="module")
def tables(bundled_tables):
    return bundled_tables


@pytest.fixture(scope="module")
def period(tables) -> str:
    return latest_period(tables)


@pytest.fixture(scope="module")
def overview_html(tables, period, tmp_path_factory) -> str:
    tables_path = write_tables(tables, tmp_path_factory.mktemp("overview"))
    executed = execute("overview.ipynb", tables_path.parent, tables=str(tables_path))
    return notebook_to_html(executed, overview_info(tables, period, "test"))


@pytest.fixture(scope="module")
def overview_soup(overview_html) -> BeautifulSoup:
    return BeautifulSoup(overview_html, "html.parser")


def test_overview_has_every_section(overview_soup):
    headings = [h.get_text(" ", strip=True) for h in overview_soup.select("main h2")]
    assert len(headings) == len(SECTIONS)
    assert all(heading.startswith(section) for heading, section in zip(headings, SECTIONS, strict=True))
    assert overview_soup.select("figure.chart img[alt]"), "no maps"
    assert overview_soup.select("table.ranking") and overview_soup.select("table.most-worse")


def test_overview_names_all_ortsteile_and_stadtteile(overview_soup, tables):
    city = next(a for a in tables.areas if a.level == "stadt")
    names = dict(zip(tables.districts["code"], tables.districts["name"], strict=True))
    ortsteile = {names[code] for code in city.members}
    stadtteile = {a.name for a in tables.areas if a.level == "stadtteil"}
    assert (len(ortsteile), len(stadtteile)) == (23, 9)
    for level, expected in (("ortsteil", ortsteile), ("stadtteil", stadtteile)):
        for table in overview_soup.select(f"table.heatmap-{level}"):
            shown = {th.get_text(" ", strip=True).rstrip("★☆ \xa0") for th in table.select("th.hm-area")}
            assert shown == expected


def test_overview_marks_the_focus_districts(overview_soup):
    for level in ("ortsteil", "stadtteil"):
        table = overview_soup.select_one(f"table.heatmap-{level}")
        marked = {th.strong.get_text(strip=True) for th in table.select("tr.hm-focus th.hm-area") if th.strong}
        expected = {name for name, where in FOCUS.items() if where in (level, "both")}
        assert marked == expected
        for th in table.select("tr.hm-focus th.hm-area"):
            assert "★" in th.get_text()


def test_heat_map_cells_match_the_indicator_table(overview_soup, tables, period):
    """Every cell: the class is the 95 % comparison of the indicator table's row for the report period, and
    a suppressed row shows only "•" (no number anywhere in the cell)."""
    table = tables.indicators
    chosen = {i: periods.matching(g["period"], period) for i, g in table.groupby("indicator")}
    rows = table[table["period"] == table["indicator"].map(chosen)].set_index(["area", "indicator"])
    cells = overview_soup.select("td.hm[data-area]")
    assert len(cells) == (23 + 9) * len({cell["data-indicator"] for cell in cells})
    suppressed = 0
    for cell in cells:
        row = rows.loc[(cell["data-area"], cell["data-indicator"])]
        if row["suppressed"]:
            suppressed += 1
            assert "hm-suppressed" in cell["class"]
            assert cell.get_text(strip=True) == SUPPRESSED_MARKER
        else:
            assert f"hm-{row['comparison_95'].replace(' ', '-')}" in cell["class"]
            shown = cell.get_text(strip=True)
            assert shown == text.MISSING if pd.isna(row["value"]) else NUMBER.match(shown)  # "–": not computed
    assert suppressed > 0


def test_rankings_show_no_suppressed_value(overview_soup):
    """An area without a value (suppressed: "•", not computed: "–") gets no rank."""
    for table in overview_soup.select("table.ranking"):
        for line in table.select("tbody tr"):
            rank, value = line.select("td")[0].get_text(strip=True), line.select("td")[1].get_text(strip=True)
            assert (rank == "") == (value in (SUPPRESSED_MARKER, text.MISSING))


def test_overview_pdf_has_landscape_heat_map_pages(overview_html):
    reader = PdfReader(io.BytesIO(html_to_pdf(overview_html)))
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    assert sum(w > h for w, h in sizes) >= 4  # the heat maps
    assert sum(w < h for w, h in sizes) >= 5
    assert all("Beispieldaten" in page.extract_text() for page in reader.pages)
