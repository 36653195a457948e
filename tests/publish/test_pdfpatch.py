"""Reproducible PDF bytes (quartiersprofile.publish.pdfpatch): no clock dates, stable node ids, the document
information and repaired outline titles. The raw prints come from headless Chromium (`slow`)."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader, PdfWriter

from quartiersprofile.publish import browser, pdfpatch

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


@pytest.mark.slow  # Chromium
def test_raw_chromium_prints_differ_but_finished_ones_are_identical():
    first, second = raw_print(PAGE), raw_print(PAGE)
    assert first != second  # the clock dates and the renderer's node numbers
    assert b"/CreationDate" in first and re.search(rb"\(node\d+\)", first)
    assert pdfpatch.finish(first, INFO) == pdfpatch.finish(second, INFO)


@pytest.mark.slow  # Chromium
def test_finished_pdf_has_the_document_information_and_no_clock_date():
    finished = pdfpatch.finish(raw_print(PAGE), INFO)
    reader = PdfReader(io.BytesIO(finished))
    assert b"/CreationDate" not in finished and b"/ModDate" not in finished
    assert reader.metadata.title == "Probe – 2024"
    assert reader.metadata.author == "Gesundheitsamt"
    assert reader.metadata.subject == "Eine Probe"
    assert len(reader.pages) == 2
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]  # the original objects are still in use


@pytest.mark.slow  # Chromium
def test_finished_pdf_takes_the_given_date():
    dated = pdfpatch.finish(raw_print(PAGE), pdfpatch.DocumentInfo(title="t", date="D:20250301000000Z"))
    assert PdfReader(io.BytesIO(dated)).metadata["/CreationDate"] == "D:20250301000000Z"


@pytest.mark.slow  # Chromium
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


def test_a_pdf_without_clock_dates_or_node_ids_is_kept_apart_from_the_information():
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    finished = pdfpatch.finish(buffer.getvalue(), INFO)
    assert finished.startswith(buffer.getvalue())  # an incremental update: the original bytes stay as they were
    assert PdfReader(io.BytesIO(finished)).metadata.title == "Probe – 2024"
    assert pdfpatch.finish(buffer.getvalue(), INFO) == finished
