"""Render an executed profile notebook to a code-free HTML report and a tagged, print-quality PDF.

Two steps, both in-process and deterministic (same input, same bytes):

- `notebook_to_html` runs nbconvert's `HTMLExporter` with the project's own template
  (`templates/profile/`: Jinja + `profile.css`). A preprocessor drops everything a reader must not see
  (parameter cells, streams, errors, bare object reprs); afterwards the section headings get stable ids
  derived from their text and the table of contents is filled in.
- `html_to_pdf` prints that HTML with a warm headless Chromium (`browser.py`) as a tagged PDF (A4, running
  header and footer from the CSS margin boxes, page numbers, a table of contents with page numbers,
  bookmarks from the headings, alt texts in the structure tree); `pdfpatch.py` makes the bytes reproducible.

Example::

    html = notebook_to_html(nbformat.read(path, as_version=4), info)
    pdf = html_to_pdf(html)
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from urllib.parse import unquote

import nbformat
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor

logger = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "profile"

#: Cells with one of these tags never reach the report (papermill's parameter cells; `remove-cell` is the
#: usual Jupyter convention for helper cells).
HIDDEN_CELL_TAGS = frozenset({"parameters", "injected-parameters", "remove-cell"})
#: Output types that can carry report content; `stream` and `error` output are logs, never content.
CONTENT_OUTPUT_TYPES = ("display_data", "execute_result")
#: MIME types the template renders, in order of preference. `text/plain` is deliberately absent: a bare
#: object repr (`<Figure size ...>`) is never report content.
RENDERED_MIMETYPES = ("text/html", "text/markdown", "image/svg+xml", "image/png", "image/jpeg")
#: ids used by the template itself; section ids never take these.
TEMPLATE_IDS = frozenset({"titel", "inhaltsverzeichnis", "bericht", "beispieldaten"})
NO_ALT_TEXT_DE = "Abbildung ohne Textbeschreibung"


@dataclass(frozen=True)
class ReportInfo:
    """What the cover, the running header/footer and the document metadata say.

    All strings are German and already formatted by the caller; the renderer only escapes them.
    """

    #: Report title, normally the district name ("Goethestraße"); cover heading, running header, PDF title.
    title: str
    #: Where the district sits, e.g. "Ortsteil im Stadtteil Lehe".
    level_line: str
    #: Reporting period as shown to readers, e.g. "Berichtsjahr 2024"; cover and running header.
    period_label: str
    #: Date of this edition, e.g. "1. März 2025"; cover and every page footer.
    stand: str
    #: Publisher, e.g. "Gesundheitsamt Bremerhaven"; cover and PDF author metadata.
    organisation: str
    #: Identifier of the build that made the file (e.g. a short input hash); footer, for tracing a copy.
    build_id: str
    #: When the report is built from sample data: the notice shown on the cover and in the screen banner.
    #: Any non-empty value also marks every PDF page "Beispieldaten". `None` for real data.
    sample_notice: str | None = None
    #: Vintage of the data, e.g. "Daten bis 31.12.2024"; cover and the closing footer. Optional.
    data_vintage: str = ""
    #: One-sentence summary; lead text on the cover, HTML meta description and PDF subject. Optional.
    description: str = ""


class ReportContentFilter(Preprocessor):
    """Keep only what a reader sees: markdown cells and renderable display outputs of code cells.

    Drops cells tagged with one of `HIDDEN_CELL_TAGS`, `stream` and `error` outputs, and outputs without a
    renderable MIME type (bare `text/plain` reprs); then drops code cells left without output and numbers
    the remaining cells `cell-1`, `cell-2`, ... so no random papermill cell id reaches the report.
    """

    def preprocess(self, nb, resources):
        kept = []
        for cell in nb.cells:
            if HIDDEN_CELL_TAGS.intersection(cell.get("metadata", {}).get("tags", [])):
                continue
            if cell.cell_type == "code":
                cell.outputs = [output for output in cell.get("outputs", []) if _is_content(output)]
                cell.execution_count = None
                if not cell.outputs:
                    continue
            kept.append(cell)
        for number, cell in enumerate(kept, start=1):
            cell.id = f"cell-{number}"
        nb.cells = kept
        return nb, resources


def _is_content(output) -> bool:
    return output.get("output_type") in CONTENT_OUTPUT_TYPES and any(
        mimetype in output.get("data", {}) for mimetype in RENDERED_MIMETYPES
    )


@cache
def _template_file(name: str) -> str:
    return (TEMPLATES_DIR / TEMPLATE_NAME / name).read_text(encoding="utf-8")


def css_string(text: str) -> str:
    r"""Quote `text` as a CSS string literal that is also safe inside an HTML `<style>` element.

    Quotes, backslashes, control characters and ``<>&`` become CSS hex escapes, so a value can neither end
    the string nor the style element.

    >>> print(css_string('Stand "1. März" </style>'))
    "Stand \22 1. März\22  \3c /style\3e "
    """
    escaped = "".join(
        f"\\{ord(char):x} " if char in '"\\<>&' or ord(char) < 0x20 or ord(char) == 0x7F else char for char in text
    )
    return f'"{escaped}"'


@cache
def _exporter() -> HTMLExporter:
    """The exporter, made once per process (making it compiles the templates, ~50 ms)."""
    exporter = HTMLExporter(
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        template_name=TEMPLATE_NAME,
        exclude_anchor_links=True,  # ids are set below, from the heading text; no "¶" links
        filters={"css_string": css_string},
    )
    exporter.register_preprocessor(ReportContentFilter(), enabled=True)
    return exporter


def notebook_to_html(notebook: nbformat.NotebookNode, info: ReportInfo) -> str:
    """Render an executed profile notebook as one self-contained HTML file (a `str`).

    No code, prompts, parameter cells or logs appear; every text from `info` is HTML-escaped. The result
    depends only on `notebook` and `info` (no time stamps, random ids or paths), so equal inputs give
    byte-identical HTML. The caller's notebook is not modified.
    """
    resources = {"profile": asdict(info), "profile_css": _template_file("profile.css")}
    body, _ = _exporter().from_notebook_node(notebook, resources=resources)
    return _add_heading_ids_and_contents(body)


def slugify(text: str) -> str:
    """A readable, stable id for a heading: lower case, words joined by "-", umlauts kept.

    >>> slugify("Bevölkerung & Soziale Lage")
    'bevölkerung-soziale-lage'
    """
    text = unicodedata.normalize("NFC", text).lower()
    return re.sub(r"[^\w]+", "-", text).strip("-_") or "abschnitt"


def _add_heading_ids_and_contents(html: str) -> str:
    """Give every heading in the report body a unique id from its text and list the `##` ones in the nav."""
    soup = BeautifulSoup(html, "html.parser")
    main = soup.find("main")
    taken = set(TEMPLATE_IDS)
    for heading in main.find_all(re.compile(r"^h[1-6]$")):
        base = slugify(heading.get_text(" ", strip=True))
        slug, number = base, 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        taken.add(slug)
        heading["id"] = slug

    nav = soup.find("nav", class_="toc")
    entries = nav.find("ol")
    sections = main.find_all("h2")
    if not sections:
        nav.decompose()
    for heading in sections:
        item = soup.new_tag("li")
        link = soup.new_tag("a", href=f"#{heading['id']}")
        link.string = heading.get_text(" ", strip=True)
        item.append(link)
        entries.append(item)

    missing_alt = 0
    for image in soup.find_all("img"):
        # nbconvert fills a missing alt with an English placeholder; the report speaks German.
        if image.get("alt") == "No description has been provided for this image":
            image["alt"] = NO_ALT_TEXT_DE
            missing_alt += 1
    if missing_alt:
        logger.warning("%d image(s) without alt text; screen readers only hear %r", missing_alt, NO_ALT_TEXT_DE)
    return str(soup)


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
    from . import pdfpatch
    from .browser import shared_browser

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
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    found = {
        unquote(name.lstrip("/")): reader.get_destination_page_number(destination) + 1
        for name, destination in reader.named_destinations.items()
    }
    return {target: found[target] for target in ids if target in found}
