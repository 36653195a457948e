"""The slides of a district (quartiersprofile.publish.slides), built in-process from the real data: the template
notebook notebooks/slides.ipynb executed with papermill (a kernel: every test here is `slow`), rendered to a
reveal.js deck and its PDF, and checked against the report's own Kernaussagen."""

from __future__ import annotations

import io
import re

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader
from support.notebooks import execute, write_tables

from quartiersprofile.content.profile import Profile
from quartiersprofile.content.tables import latest_period
from quartiersprofile.publish import slides
from quartiersprofile.publish.cover import report_info
from quartiersprofile.publish.fragments import key_findings_html

pytestmark = pytest.mark.slow  # a Jupyter kernel and Chromium

NUMBER = re.compile(r"\d[\d.]*(?:,\d+)?")


@pytest.fixture(scope="module")
def lehe(bundled_tables) -> Profile:
    (area,) = [a for a in bundled_tables.areas if a.code == "13"]
    return Profile(area, latest_period(bundled_tables), bundled_tables)


@pytest.fixture(scope="module")
def slides_html(lehe, tmp_path_factory) -> str:
    tables_path = write_tables(lehe.tables, tmp_path_factory.mktemp("slides"))
    executed = execute("slides.ipynb", tables_path.parent, district="13", tables=str(tables_path))
    return slides.notebook_to_slides_html(executed, report_info(lehe, "test"))


@pytest.fixture(scope="module")
def slides_soup(slides_html) -> BeautifulSoup:
    return BeautifulSoup(slides_html, "html.parser")


def _slides(soup: BeautifulSoup) -> list:
    return soup.select("main.reveal > div.slides > section")


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
    report_findings = [li.get_text(strip=True) for li in BeautifulSoup(key_findings_html(lehe), "html.parser")("li")]
    assert shown == report_findings
    assert [NUMBER.findall(s) for s in shown] == [NUMBER.findall(s) for s in report_findings]


def test_slides_pdf_has_one_page_per_slide(slides_soup, slides_html):
    reader = PdfReader(io.BytesIO(slides.slides_to_pdf(slides_html)))
    assert len(reader.pages) == len(_slides(slides_soup))
    for page in reader.pages:
        assert float(page.mediabox.width) / float(page.mediabox.height) == pytest.approx(16 / 9, rel=0.01)
        assert "Beispieldaten" in page.extract_text()
