"""The PDF engine (quartiersprofile.publish.browser): one warm headless Chromium per process over a pipe, replaced
when it dies; a missing Chromium says what to install. Every test that starts Chromium is `slow`."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from quartiersprofile.publish import browser
from quartiersprofile.publish.pdf import html_to_pdf

PAGE = (
    '<!DOCTYPE html><html lang="de"><head><title>Probe</title><style>@page { size: A4; margin: 20mm }</style></head>'
    "<body><h1>Probe</h1><table><thead><tr><th>Indikator</th><th>Wert</th></tr></thead>"
    "<tbody><tr><td>Anteil</td><td>12,5</td></tr></tbody></table>"
    '<h2 style="break-before: page">Zweite Seite</h2><p>Text</p></body></html>'
)

@pytest.mark.slow  # Chromium
def test_a_fresh_browser_prints_the_same_bytes_as_a_warm_one(monkeypatch):
    warm = html_to_pdf(PAGE)
    monkeypatch.setattr(browser, "_shared", None)  # the next call starts a second Chromium
    try:
        assert html_to_pdf(PAGE) == warm
    finally:
        browser._shared.close()


@pytest.mark.slow  # Chromium
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


@pytest.mark.slow  # Chromium
def test_a_failing_page_script_is_reported():
    with browser.shared_browser().open(PAGE) as page, pytest.raises(browser.BrowserError, match="nicht da"):
        page.evaluate("(() => { throw new Error('nicht da'); })()")
