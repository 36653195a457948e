"""Tests for quartiersprofile.publish.pdf: report HTML -> tagged A4 PDF, printed by headless Chromium (every test
here is `slow`).

The HTML is rendered from the executed-profile fixture (see tests/publish/test_render.py). PDF checks use pypdf
and, where installed, poppler's pdfinfo/pdffonts/pdftotext (skipped with a reason when a binary is missing).
"""

from __future__ import annotations

import http.server
import re
import threading
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from support.rendering import INFO, REAL_DATA_INFO, SECTIONS, notebook, page_texts, run_tool

from quartiersprofile.publish import browser
from quartiersprofile.publish.pdf import html_to_pdf
from quartiersprofile.publish.render import notebook_to_html

pytestmark = pytest.mark.slow  # Chromium


@pytest.fixture(scope="module")
def html() -> str:
    return notebook_to_html(notebook(), INFO)


@pytest.fixture(scope="module")
def pdf(html) -> bytes:
    return html_to_pdf(html)


def test_pdf_is_a4_with_several_pages(pdf):
    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages) > 1
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(595.28, abs=1)
        assert float(page.mediabox.height) == pytest.approx(841.89, abs=1)


def test_pdf_metadata_language_and_outline(pdf):
    reader = PdfReader(BytesIO(pdf))
    assert reader.metadata.title == "Goethestraße – Berichtsjahr 2024"
    assert reader.metadata.author == "Gesundheitsamt Bremerhaven"
    assert reader.trailer["/Root"]["/Lang"] == "de"

    def titles(outline):
        for item in outline:
            yield from titles(item) if isinstance(item, list) else [item.title]

    assert set(SECTIONS) <= set(titles(reader.outline))


def test_pdf_is_tagged_with_alt_text(pdf, tmp_path):
    reader = PdfReader(BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"]

    def figure_alts(node):
        node = node.get_object()
        if node.get("/S") == "/Figure":
            yield str(node.get("/Alt", ""))
        kids = node.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            if hasattr(kid, "get_object") and hasattr(kid.get_object(), "get"):
                yield from figure_alts(kid)

    alts = list(figure_alts(root["/StructTreeRoot"]))
    assert any(alt.startswith("Säulendiagramm: Altersstruktur") for alt in alts)

    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    assert re.search(r"^Tagged:\s+yes$", run_tool("pdfinfo", str(path)), re.MULTILINE)


def test_pdf_fonts_are_embedded_subsets(pdf, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    rows = run_tool("pdffonts", str(path)).splitlines()[2:]
    assert rows
    for row in rows:
        # name, type..., encoding, emb, sub, uni, object, id: read the flags from the right
        emb, sub = row.split()[-5:-3]
        assert (emb, sub) == ("yes", "yes"), row
    if Path("/usr/share/fonts/truetype/open-sans").is_dir():
        assert all("+OpenSans" in row for row in rows), rows


def test_pdf_pages_have_numbers_and_sample_flag(pdf, tmp_path):
    pages = page_texts(pdf, tmp_path)
    assert len(pages) == len(PdfReader(BytesIO(pdf)).pages)
    for number, text in enumerate(pages, start=1):
        assert f"Seite {number} von {len(pages)}" in text
        assert "Beispieldaten" in text
        assert "Stand: 1. März 2025 · Kennung b3f9c2a1" in text
    assert "Inhalt" in pages[1]
    assert all(re.search(rf"{section}\s*\.+\s*\d+", pages[1]) for section in SECTIONS)  # TOC page numbers


def test_pdf_each_section_starts_a_page(pdf, tmp_path):
    pages = page_texts(pdf, tmp_path)
    for section in SECTIONS:
        starts = [text for text in pages if re.search(rf"^\s*{section}\s*$", text, re.MULTILINE)]
        assert starts, section


def test_pdf_without_sample_data_has_no_flag(tmp_path):
    pages = page_texts(html_to_pdf(notebook_to_html(notebook(), REAL_DATA_INFO)), tmp_path)
    kernaussagen = next(text for text in pages if "Die folgenden Aussagen" in text)
    assert "Beispieldaten" not in kernaussagen  # no margin flag on a page whose content never says it


def test_pdf_is_byte_identical(pdf, html):
    assert html_to_pdf(html) == pdf
    assert b"/CreationDate" not in pdf and b"/ModDate" not in pdf


def test_pdf_dates_come_from_source_date_epoch(html, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1740787200")  # 2025-03-01T00:00:00Z
    first = html_to_pdf(html)
    reader = PdfReader(BytesIO(first))
    assert reader.metadata["/CreationDate"].startswith("D:20250301000000")
    assert html_to_pdf(html) == first
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "gestern")
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH"):
        html_to_pdf(html)


def _page_with(body: str) -> str:
    return f'<!DOCTYPE html><html lang="de"><head><title>t</title></head><body>{body}</body></html>'


def test_pdf_runs_no_page_script(tmp_path):
    script = '<script>document.getElementById("x").textContent = "Skript"</script>'
    page = _page_with(f'<p id="x">gedruckt wie geliefert</p>{script}')
    text = "".join(page_texts(html_to_pdf(page), tmp_path))
    assert "gedruckt wie geliefert" in text and "Skript" not in text


def test_pdf_fetches_nothing_from_the_network_and_names_images_it_cannot_show(tmp_path):
    requests = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        address = f"http://127.0.0.1:{server.server_port}"
        page = _page_with(f'<img src="{address}/bild.png" alt="Bild"><link rel="stylesheet" href="{address}/s.css">')
        shown = r"1 image\(s\) cannot be shown in the PDF: 'Bild' \(http://127\.0\.0\.1:\d+/bild\.png\)"
        with pytest.raises(ValueError, match=shown):
            html_to_pdf(page)
        server.shutdown()
    assert requests == []


def test_pdf_without_table_of_contents_is_printed_once(monkeypatch):
    calls = []
    original = browser.Page.print_pdf
    monkeypatch.setattr(browser.Page, "print_pdf", lambda self, **kw: calls.append(kw) or original(self, **kw))
    assert PdfReader(BytesIO(html_to_pdf(_page_with("<p>Text</p>")))).pages
    assert calls == [{"tagged": True}]
