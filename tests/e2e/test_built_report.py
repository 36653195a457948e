"""The built district report as a reader gets it (slow: the session build): sections, Kernaussagen that agree
with the tables, alt texts, and the data download beside it."""

from __future__ import annotations

import io
import re

import pandas as pd
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from quartiersprofile.content.findings import STRICT

SECTIONS = ("Kernaussagen", "Lage", "Bevölkerung", "Soziale Lage", "Kindergesundheit",
            "Gesundheit und Sterblichkeit", "Versorgung", "Wohnumfeld", "Quartier im Vergleich",
            "Methodik, Definitionen und Quellen")
GERMAN_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:\.\d{3})*(?:,\d+)?(?![\w])")


def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def test_every_section_is_present_in_order(lehe_html):
    headings = [h.get_text(" ", strip=True) for h in _soup(lehe_html).select("main h2, article h2, h2")]
    positions = [next(i for i, h in enumerate(headings) if h.startswith(s)) for s in SECTIONS]
    assert positions == sorted(positions)


def test_every_figure_has_a_german_alt_text(lehe_html):
    images = _soup(lehe_html).find_all("img")
    assert len(images) >= 10
    for image in images:
        assert len(image.get("alt", "").strip()) > 20, image.get("alt")


def test_numbers_in_the_kernaussagen_equal_the_tables(lehe_html):
    soup = _soup(lehe_html)
    findings = soup.select_one(".key-findings")
    assert findings is not None
    sentences = [li.get_text(" ", strip=True) for li in findings.find_all("li")]
    assert 4 <= len(sentences) <= 9  # the findings' at most 8, and the index sentence (content.insight_text)
    cells = {cell.get_text(" ", strip=True) for cell in soup.find_all(["td", "th"])}
    cell_numbers = {n for cell in cells for n in GERMAN_NUMBER.findall(cell)}
    # "(99,8-%-Konfidenzintervall)" names the stricter test, not a value
    quoted = [n for s in sentences for n in GERMAN_NUMBER.findall(s.replace(STRICT, ""))]
    assert quoted, sentences
    assert [n for n in quoted if n not in cell_numbers] == []


def test_suppressed_values_are_marked_and_explained(built):
    (html_path,) = built.glob("*/ortsteil-geestendorf.html")
    text = _soup(html_path.read_text("utf-8")).get_text(" ")
    assert "nicht ausgewiesen" in text  # the rule in the methods section


def test_data_download_matches_the_report(built, lehe_html):
    (csv_path,) = built.glob("*/stadtteil-lehe.csv")
    (xlsx_path,) = built.glob("*/stadtteil-lehe.xlsx")
    table = pd.read_csv(csv_path, sep=";", decimal=",", encoding="utf-8-sig", dtype={"Zeitraum": str})
    workbook = load_workbook(io.BytesIO(xlsx_path.read_bytes())).active
    assert [c.value for c in workbook[1]] == list(table.columns)
    assert workbook.max_row == len(table) + 1
    assert set(table["Gebiet"]) == {"Lehe"}
    soup = _soup(lehe_html)
    row = table[table["Kennziffer"] == "SOZ01"].iloc[0]
    shown = f"{row['Wert']:.1f}".replace(".", ",")
    assert shown in soup.get_text(" ")
    hidden = table[table["Unterdrückt"] == "•"]
    assert hidden["Wert"].isna().all() and hidden["Zähler"].isna().all()
