"""The city overview and the slides, built in-process from the real data: the two template notebooks executed
with papermill (tables computed once), rendered to HTML and PDF, and checked against the indicator table and
the report's own Kernaussagen."""

from __future__ import annotations

import io
import re
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from quartiersprofile import data, overview, render, report, slides, text
from quartiersprofile.suppression import SUPPRESSED_MARKER

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow

SECTIONS = (
    "Überblick",
    "Ortsteile im Vergleich",
    "Stadtteile im Vergleich",
    "Rangfolgen",
    "Karten",
    "Auffällige Gebiete",
    "Methodik",
)
FOCUS = {"Lehe": "stadtteil", "Leherheide": "stadtteil", "Surheide": "both", "Geestendorf": "ortsteil",
         "Grünhöfe": "ortsteil"}  # fmt: skip
NUMBER = re.compile(r"\d[\d.]*(?:,\d+)?")


def _execute(notebook: str, folder, **parameters) -> nbformat.NotebookNode:
    return papermill.execute_notebook(
        str(REPO / "notebooks" / notebook),
        str(folder / notebook),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(folder),
    )


@pytest.fixture(scope="module")
def tables():
    return report.compute_tables(data.load_dataset())


@pytest.fixture(scope="module")
def period(tables) -> str:
    return report.latest_period_of(tables)


@pytest.fixture(scope="module")
def tables_path(tables, tmp_path_factory):
    path = tmp_path_factory.mktemp("overview-slides") / "tables.pkl"
    path.write_bytes(report.save_tables(tables))
    return path


@pytest.fixture(scope="module")
def overview_html(tables, tables_path, period) -> str:
    executed = _execute("overview.ipynb", tables_path.parent, tables=str(tables_path))
    return render.notebook_to_html(executed, overview.report_info(tables, period, "test"))


@pytest.fixture(scope="module")
def overview_soup(overview_html) -> BeautifulSoup:
    return BeautifulSoup(overview_html, "html.parser")


@pytest.fixture(scope="module")
def lehe(tables, period) -> report.Profile:
    (area,) = [a for a in tables.areas if a.code == "13"]
    return report.Profile(area, period, tables)


@pytest.fixture(scope="module")
def slides_html(lehe, tables_path) -> str:
    executed = _execute("slides.ipynb", tables_path.parent, district="13", tables=str(tables_path))
    return slides.notebook_to_slides_html(executed, report.report_info(lehe, "test"))


@pytest.fixture(scope="module")
def slides_soup(slides_html) -> BeautifulSoup:
    return BeautifulSoup(slides_html, "html.parser")


def _slides(soup: BeautifulSoup) -> list:
    return soup.select("main.reveal > div.slides > section")


# --- overview ----------------------------------------------------------------------------------------------------


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
    chosen = {i: report.matching_period(g["period"], period) for i, g in table.groupby("indicator")}
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
    reader = PdfReader(io.BytesIO(render.html_to_pdf(overview_html)))
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    assert sum(w > h for w, h in sizes) >= 4  # the heat maps
    assert sum(w < h for w, h in sizes) >= 5
    assert all("Beispieldaten" in page.extract_text() for page in reader.pages)


# --- slides -----------------------------------------------------------------------------------------------------


def test_slides_are_self_contained(slides_soup, slides_html):
    links = [
        value
        for tag in slides_soup.find_all(True)
        for name in ("src", "href", "data-src", "poster")
        if (value := tag.get(name))
    ]
    assert [link for link in links if re.match(r"(https?:)?//", link)] == []
    assert slides_soup.select("script[src], link[rel=stylesheet]") == []
    assert "Reveal.initialize" in slides_html and "reveal.js" in slides_html
    styles = " ".join(style.get_text() for style in slides_soup.find_all("style"))
    assert not re.search(r"url\(\s*['\"]?(https?:)?//|@import", styles)


def test_slides_have_title_findings_spine_and_sources(slides_soup):
    sections = _slides(slides_soup)
    titles = [s.find(["h1", "h2"]).get_text(" ", strip=True) for s in sections]
    assert titles[0] == "Lehe"
    assert "Beispieldaten" in sections[0].get_text()
    assert titles[1] == "Kernaussagen"
    assert sum(t.startswith("Im Vergleich mit Bremerhaven") for t in titles) == len(slides.SPINE_GROUPS)
    assert titles[-1] == "Quellen und Datenstand"
    assert all(s.select("figure.chart img[alt]") for s in sections if s.select(".slide-spine, .slide-chart"))


def test_slide_findings_are_the_reports(slides_soup, lehe):
    shown = [li.get_text(strip=True) for s in _slides(slides_soup) for li in s.select(".slide-findings li")]
    report_findings = [li.get_text(strip=True) for li in BeautifulSoup(lehe.key_findings_html(), "html.parser")("li")]
    assert shown == report_findings
    assert [NUMBER.findall(s) for s in shown] == [NUMBER.findall(s) for s in report_findings]


def test_slides_pdf_has_one_page_per_slide(slides_soup, slides_html):
    reader = PdfReader(io.BytesIO(slides.slides_to_pdf(slides_html)))
    assert len(reader.pages) == len(_slides(slides_soup))
    for page in reader.pages:
        assert float(page.mediabox.width) / float(page.mediabox.height) == pytest.approx(16 / 9, rel=0.01)
        assert "Beispieldaten" in page.extract_text()
