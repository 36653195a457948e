"""Print report HTML as a tagged, print-quality PDF with a warm headless Chromium (`browser`).

A4 (the page size of the report's print CSS), running header and footer from the CSS margin boxes, page numbers,
a table of contents with page numbers, bookmarks from the headings, alt texts in the structure tree; `pdfpatch`
makes the bytes reproducible. Chromium has no `target-counter()`, so the contents' page numbers come from a draft
print.

Example::

    pdf = html_to_pdf(notebook_to_html(notebook, info))
"""

from __future__ import annotations

import io
import json
import logging
import os
from datetime import UTC, datetime
from urllib.parse import unquote

from pypdf import PdfReader

from . import pdfpatch
from .browser import shared_browser

logger = logging.getLogger(__name__)


#: Before the draft print: every TOC entry gets a dotted leader (cut to fit by the print CSS) and a page-number
#: slot ("00", tabular digits, so the real number takes the same room); every image is swapped for an empty SVG
#: of the same intrinsic size (the layout stays the same, the draft prints three times faster). Returns the ids
#: the TOC links to; without a TOC it changes nothing and returns [].
_DRAFT_SCRIPT = """
(() => {
  const links = [...document.querySelectorAll("nav.toc a[href^='#']")];
  if (!links.length) return [];
  for (const link of links) {
    const leader = document.createElement("span");
    leader.className = "toc-leader";
    leader.setAttribute("aria-hidden", "true");
    leader.textContent = ".".repeat(200);
    const number = document.createElement("span");
    number.className = "toc-page";
    number.textContent = "00";
    link.append(leader, number);
  }
  window.reportImages = [...document.images].map((image) => [image, image.getAttribute("src")]);
  for (const [image] of window.reportImages) {
    const size = `width="${image.naturalWidth}" height="${image.naturalHeight}"`;
    image.src = "data:image/svg+xml," + encodeURIComponent(`<svg xmlns="http://www.w3.org/2000/svg" ${size}/>`);
  }
  return Promise.all(window.reportImages.map(([image]) => image.decode().catch(() => null)))
    .then(() => links.map((link) => decodeURIComponent(link.getAttribute("href").slice(1))));
})()
"""
#: The page numbers (id -> number) into the TOC.
_NUMBERS_SCRIPT = """
((pages) => {
  for (const link of document.querySelectorAll("nav.toc a[href^='#']")) {
    link.querySelector(".toc-page").textContent = pages[decodeURIComponent(link.getAttribute("href").slice(1))] ?? "";
  }
})
"""
#: The images back after the draft; returns the images that cannot be shown (not a data: URL, or undecodable),
#: as "'alt' (source)".
_IMAGES_SCRIPT = """
(() => {
  for (const [image, source] of window.reportImages ?? []) image.src = source;
  const shown = (image) => (image.getAttribute("src") ?? "").startsWith("data:") ? image.decode() : Promise.reject();
  return Promise.all([...document.images].map((image) => shown(image).then(
    () => null, () => `'${image.alt}' (${(image.getAttribute("src") ?? "").slice(0, 60)})`
  ))).then((failed) => failed.filter((entry) => entry));
})()
"""
#: What the PDF's document information takes from the page.
_INFO_SCRIPT = """
({
  title: document.title,
  author: document.querySelector("meta[name=author]")?.content ?? "",
  subject: document.querySelector("meta[name=description]")?.content ?? "",
})
"""
#: The headings' texts, as the PDF outline shows them.
_HEADINGS_SCRIPT = """[...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].map((h) => h.textContent.trim())"""


def _source_date() -> str:
    """The build date from SOURCE_DATE_EPOCH (reproducible-builds.org) as a PDF date, or ""."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return ""
    try:
        moment = datetime.fromtimestamp(int(epoch), tz=UTC)
    except (ValueError, OverflowError, OSError) as error:
        raise ValueError(f"SOURCE_DATE_EPOCH must be a Unix time in seconds, got {epoch!r}") from error
    return moment.strftime("D:%Y%m%d%H%M%SZ")


def html_to_pdf(html: str) -> bytes:
    """Print report HTML as a tagged PDF with the page size of its CSS (A4 for profiles) and return its bytes.

    Printed by this process's headless Chromium (`browser.shared_browser`). A table of contents
    (``nav.toc`` links to section ids) gets its page numbers from a draft print. Title, author, subject and
    language come from `<title>`, `<meta name="author">`, `<meta name="description">` and `<html lang>`; the PDF
    is tagged (structure tree, alt texts), has an outline from the headings, and embeds its fonts as subsets.
    No date is taken from the clock: creation/modification dates are written only when SOURCE_DATE_EPOCH is
    set, so two prints of the same HTML are byte-identical. The HTML must be self-contained (the browser has
    no network).
    """
    date = _source_date()  # a bad SOURCE_DATE_EPOCH fails before anything is printed
    with shared_browser().open(html) as page:
        targets = page.evaluate(_DRAFT_SCRIPT)
        pages = _target_pages(page.print_pdf(tagged=False), targets) if targets else {}
        page.evaluate(f"{_NUMBERS_SCRIPT}({json.dumps(pages)})")
        if broken := page.evaluate(_IMAGES_SCRIPT):
            raise ValueError(
                f"{len(broken)} image(s) cannot be shown in the PDF: {', '.join(broken)}. Report HTML must carry "
                "its images as data: URLs (nothing is read from files or the network)."
            )
        pdf = page.print_pdf(tagged=True)
        if targets and (placed := _target_pages(pdf, targets)) != pages:  # a safeguard; the draft layout is the same
            logger.warning("table of contents: page numbers moved in the final print; printing again")
            page.evaluate(f"{_NUMBERS_SCRIPT}({json.dumps(placed)})")
            pdf = page.print_pdf(tagged=True)
        info = pdfpatch.DocumentInfo(**page.evaluate(_INFO_SCRIPT), date=date)
        headings = page.evaluate(_HEADINGS_SCRIPT)
    return pdfpatch.finish(pdf, info, headings)


def _target_pages(pdf: bytes, ids: list[str]) -> dict[str, int]:
    """Page number (from 1) of each of `ids` in `pdf`, from the named destinations Chromium writes for link
    targets; ids without a destination are left out."""
    reader = PdfReader(io.BytesIO(pdf))
    found = {
        unquote(name.lstrip("/")): reader.get_destination_page_number(destination) + 1
        for name, destination in reader.named_destinations.items()
    }
    return {target: found[target] for target in ids if target in found}
