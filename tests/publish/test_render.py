"""Tests for quartiersprofile.publish.render: executed notebook -> code-free, self-contained HTML.

The fixture (`tests/fixtures/executed_profile.py`) is shaped like a papermill run of the profile template: a parameters
cell, an injected-parameters cell, stdout/stderr streams, a bare `text/plain` repr, three `##` sections,
a callout, a figure with alt text, a table and a `text/markdown` source note. The PDF printed from it is tested in
tests/publish/test_pdf.py.
"""

from __future__ import annotations

import copy
import doctest
import re
import uuid

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_output
from support.rendering import FIXTURES, INFO, REAL_DATA_INFO, SAMPLE_NOTICE, SECTIONS, notebook

from quartiersprofile.publish import render
from quartiersprofile.publish.info import ReportInfo
from quartiersprofile.publish.render import notebook_to_html, slugify


def _notebook() -> nbformat.NotebookNode:
    return notebook()


@pytest.fixture(scope="module")
def html() -> str:
    return notebook_to_html(_notebook(), INFO)


@pytest.fixture(scope="module")
def soup(html) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


# --- fixture -----------------------------------------------------------------------------------------


def test_fixture_is_a_small_executed_profile():
    notebook = _notebook()
    nbformat.validate(notebook)
    tags = [tag for cell in notebook.cells for tag in cell.metadata.get("tags", [])]
    output_types = {output.output_type for cell in notebook.cells for output in cell.get("outputs", [])}
    assert {"parameters", "injected-parameters"} <= set(tags)
    assert {"stream", "display_data", "execute_result"} <= output_types
    assert len(nbformat.writes(notebook)) < 200_000


# --- HTML: what must never appear ------------------------------------------------------------------


@pytest.mark.parametrize(
    "hidden",
    [
        'district = "',  # parameter cells (source)
        "# Parameters",
        "injected-parameters",
        "celltag",
        "fixture-0",  # papermill/nbformat cell ids, even of dropped cells
        "DEBUG-STDOUT",  # stream output
        "DEBUG-STDERR",
        "&lt;Figure size",  # bare text/plain reprs
        "<Figure size",
        "Chart object at 0x",
        "IPython.core.display",
        "indicators.load(",  # code of any cell
        "display(",
        "jp-",  # JupyterLab classes, prompts, input areas
        "In&nbsp;[",
        "In [",
        "<pre",
        "<script",
    ],
)
def test_html_has_no_code_prompts_parameters_logs_or_reprs(html, hidden):
    assert hidden not in html


def test_error_outputs_and_remove_cell_tags_are_dropped():
    notebook = _notebook()
    notebook.cells[4].outputs.append(
        new_output("error", ename="ValueError", evalue="BOOM-EVALUE", traceback=["BOOM-TRACEBACK"])
    )
    notebook.cells[3].metadata["tags"] = ["remove-cell"]
    html = notebook_to_html(notebook, INFO)
    assert "BOOM" not in html
    assert "Die folgenden Aussagen werden aus den Statistiken erzeugt" not in html
    assert "Auf einen Blick" in html  # the rest of the cell's outputs stays


def test_execute_result_with_html_is_rendered():
    notebook = _notebook()
    notebook.cells[-1].outputs.append(
        new_output("execute_result", data={"text/html": "<p>LETZTER-AUSDRUCK</p>", "text/plain": "x"})
    )
    assert "<p>LETZTER-AUSDRUCK</p>" in notebook_to_html(notebook, INFO)


def test_html_is_self_contained(soup, html):
    assert not soup.find_all(["script", "link", "iframe", "object"])
    assert all(img["src"].startswith("data:image/") for img in soup.find_all("img"))
    assert not re.search(r"""(src|href)=["']?(https?:|//|file:)""", html)
    assert "@import" not in html and "url(" not in html
    assert "/work/" not in html and str(FIXTURES) not in html  # no absolute paths


# --- HTML: what must appear -------------------------------------------------------------------------


def test_html_document_language_title_and_metadata(html, soup):
    assert html.startswith("<!DOCTYPE html>")
    assert soup.html["lang"] == "de"
    assert soup.title.get_text() == "Goethestraße – Berichtsjahr 2024"
    assert soup.find("meta", attrs={"name": "author"})["content"] == "Gesundheitsamt Bremerhaven"
    assert soup.find("meta", attrs={"name": "viewport"}) is not None
    assert soup.find("meta", charset=True)["charset"].lower() == "utf-8"


def test_cover_and_footer_show_the_report_info(soup):
    cover = soup.find("header", class_="cover")
    assert cover.h1.get_text() == "Goethestraße"
    cover_text = cover.get_text(" ", strip=True)
    for value in (
        "Ortsteil im Stadtteil Lehe",
        "Berichtsjahr 2024",
        "1. März 2025",
        "Gesundheitsamt Bremerhaven",
        "Daten bis 31.12.2024",
        "b3f9c2a1",
    ):
        assert value in cover_text
    footer_text = soup.find("footer").get_text(" ", strip=True)
    for value in ("Stand: 1. März 2025", "Datenstand: Daten bis 31.12.2024", "Kennung b3f9c2a1"):
        assert value in footer_text


def test_table_of_contents_links_every_section(soup):
    main = soup.find("main")
    headings = main.find_all("h2")
    assert [heading.get_text(strip=True) for heading in headings] == SECTIONS
    links = soup.find("nav", class_="toc").find_all("a")
    assert [link.get_text() for link in links] == SECTIONS
    assert [link["href"] for link in links] == [f"#{heading['id']}" for heading in headings]
    assert [heading["id"] for heading in headings] == ["kernaussagen", "bevölkerung", "gesundheit-und-versorgung"]


def test_all_ids_are_unique(soup):
    ids = [element["id"] for element in soup.find_all(id=True)]
    assert len(ids) == len(set(ids))


def test_content_arrives_intact(soup):
    main = soup.find("main")
    image = main.find("figure", class_="chart").find("img")
    assert image["alt"].startswith("Säulendiagramm: Altersstruktur")
    assert main.find("table").find("thead") is not None
    assert main.find("div", class_="callout") is not None
    assert main.find("em", string="Quellen:") is not None  # text/markdown output rendered


def test_sample_notice_banner_and_cover(soup, html):
    assert "sample-data" in soup.body["class"]
    banner = soup.find(class_="sample-banner")
    assert "Beispieldaten" in banner.get_text()
    assert SAMPLE_NOTICE in soup.find(class_="cover-sample-notice").get_text()
    assert '@top-right { content: "Beispieldaten"; }' in html


def test_real_data_has_no_sample_notice():
    soup = BeautifulSoup(notebook_to_html(_notebook(), REAL_DATA_INFO), "html.parser")
    assert soup.find(class_="sample-banner") is None
    assert soup.find(class_="cover-sample-notice") is None
    assert "Beispieldaten" not in soup.head.get_text()


def test_report_info_is_escaped():
    hostile = ReportInfo(
        title="<script>alert(1)</script>",
        level_line='Ortsteil "x" </style><script>alert(2)</script>',
        period_label="2024 & später",
        stand="<b>heute</b>",
        organisation='Amt" onload="alert(3)',
        build_id="</title>",
        sample_notice="<img src=x onerror=alert(4)>",
        data_vintage="<i>2024</i>",
        description='"><script>alert(5)</script>',
    )
    html = notebook_to_html(_notebook(), hostile)
    soup = BeautifulSoup(html, "html.parser")
    assert "<script" not in html
    assert "<b>heute" not in html and "<i>2024" not in html and "<img src=x" not in html
    assert soup.find("h1").get_text() == "<script>alert(1)</script>"
    assert soup.title.get_text() == "<script>alert(1)</script> – 2024 & später"
    assert soup.find("meta", attrs={"name": "author"})["content"] == 'Amt" onload="alert(3)'
    assert len(soup.find_all("style")) == 2  # "</style>" in a value did not end a style element


def test_css_string_escapes_quotes_backslashes_and_markup():
    assert render.css_string('a"b\\c</style>\n') == '"a\\22 b\\5c c\\3c /style\\3e \\a "'


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Kernaussagen", "kernaussagen"),
        ("Soziale Lage", "soziale-lage"),
        ("Bevölkerung & Größe", "bevölkerung-größe"),
        ("  Methodik, Definitionen und Quellen ", "methodik-definitionen-und-quellen"),
        ("1. Überblick (2024)", "1-überblick-2024"),
        ("!!!", "abschnitt"),
    ],
)
def test_slugify(text, slug):
    assert slugify(text) == slug


def test_duplicate_headings_get_distinct_ids():
    notebook = _notebook()
    notebook.cells.append(nbformat.v4.new_markdown_cell("## Bevölkerung\n\nNoch einmal."))
    soup = BeautifulSoup(notebook_to_html(notebook, INFO), "html.parser")
    ids = [heading["id"] for heading in soup.find("main").find_all("h2")]
    assert ids[-1] == "bevölkerung-2" and len(ids) == len(set(ids))


def test_docstring_examples():
    assert doctest.testmod(render).failed == 0


# --- HTML: determinism ------------------------------------------------------------------------------


def test_html_is_byte_identical_and_independent_of_cell_ids(html):
    notebook = _notebook()
    for cell in notebook.cells:
        cell.id = uuid.uuid4().hex[:8]  # papermill gives new random ids on every run
    before = copy.deepcopy(notebook)
    assert notebook_to_html(notebook, INFO) == html
    assert notebook == before  # the caller's notebook is not modified
