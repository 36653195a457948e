"""Tests for the PDF engine: quartiersprofile.browser (headless Chromium over a pipe) and quartiersprofile.pdfpatch
(reproducible bytes, document information, outline titles). render.html_to_pdf's output is tested in test_render."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader, PdfWriter

from quartiersprofile import browser, pdfpatch
from quartiersprofile.render import html_to_pdf

PAGE = (
    '<!DOCTYPE html><html lang="de"><head><title>Probe</title><style>@page { size: A4; margin: 20mm }</style></head>'
    "<body><h1>Probe</h1><table><thead><tr><th>Indikator</th><th>Wert</th></tr></thead>"
    "<tbody><tr><td>Anteil</td><td>12,5</td></tr></tbody></table>"
    '<h2 style="break-before: page">Zweite Seite</h2><p>Text</p></body></html>'
)
INFO = pdfpatch.DocumentInfo(title="Probe – 2024", author="Gesundheitsamt", subject="Eine Probe")


def raw_print(html: str) -> bytes:
    with browser.shared_browser().open(html) as page:
        return page.print_pdf(tagged=True)


def test_raw_chromium_prints_differ_but_finished_ones_are_identical():
    first, second = raw_print(PAGE), raw_print(PAGE)
    assert first != second  # the clock dates and the renderer's node numbers
    assert b"/CreationDate" in first and re.search(rb"\(node\d+\)", first)
    assert pdfpatch.finish(first, INFO) == pdfpatch.finish(second, INFO)


def test_finished_pdf_has_the_document_information_and_no_clock_date():
    finished = pdfpatch.finish(raw_print(PAGE), INFO)
    reader = PdfReader(io.BytesIO(finished))
    assert b"/CreationDate" not in finished and b"/ModDate" not in finished
    assert reader.metadata.title == "Probe – 2024"
    assert reader.metadata.author == "Gesundheitsamt"
    assert reader.metadata.subject == "Eine Probe"
    assert len(reader.pages) == 2
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]  # the original objects are still in use


def test_finished_pdf_takes_the_given_date():
    dated = pdfpatch.finish(raw_print(PAGE), pdfpatch.DocumentInfo(title="t", date="D:20250301000000Z"))
    assert PdfReader(io.BytesIO(dated)).metadata["/CreationDate"] == "D:20250301000000Z"


def test_node_numbers_become_ranks_everywhere_they_are_used():
    finished = pdfpatch.finish(raw_print(PAGE), INFO)
    numbers = sorted({int(n) for n in re.findall(rb"\(node(\d+)\)", finished)})
    assert numbers == list(range(1, len(numbers) + 1))
    assert re.search(rb"/Headers \[\(node\d+\)", finished)  # table cells name their headers by the same ids


def test_doubled_outline_titles_are_repaired():
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    for title in ("LageLage", "Anhang", "Mama"):
        writer.add_outline_item(title=title, page_number=0)
    writer.add_metadata({"/Title": "x"})
    buffer = io.BytesIO()
    writer.write(buffer)
    reader = PdfReader(io.BytesIO(pdfpatch.finish(buffer.getvalue(), INFO, headings={"Lage", "Anhang", "Mama"})))
    assert [item.title for item in reader.outline] == ["Lage", "Anhang", "Mama"]  # "Mama" is a heading itself


def test_a_fresh_browser_prints_the_same_bytes_as_a_warm_one(monkeypatch):
    warm = html_to_pdf(PAGE)
    monkeypatch.setattr(browser, "_shared", None)  # the next call starts a second Chromium
    try:
        assert html_to_pdf(PAGE) == warm
    finally:
        browser._shared.close()


def test_a_browser_that_died_is_replaced():
    first = browser.shared_browser()
    first._process.kill()
    first._process.wait()
    assert PdfReader(io.BytesIO(html_to_pdf(PAGE))).pages
    assert browser.shared_browser() is not first


def test_missing_chromium_is_reported_with_what_to_install(monkeypatch):
    monkeypatch.setenv("QUARTIERSPROFILE_CHROMIUM", "/nonexistent/chromium")
    browser.chromium_executable.cache_clear()
    browser.chromium_version.cache_clear()
    try:
        with pytest.raises(browser.BrowserError, match=r"Chromium not found \(/nonexistent/chromium\).*setup\.sh"):
            browser.chromium_executable()
        assert browser.chromium_version() == "Chromium missing"
    finally:
        browser.chromium_executable.cache_clear()
        browser.chromium_version.cache_clear()


def test_a_failing_page_script_is_reported():
    with browser.shared_browser().open(PAGE) as page, pytest.raises(browser.BrowserError, match="nicht da"):
        page.evaluate("(() => { throw new Error('nicht da'); })()")
