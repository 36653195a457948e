"""Render an executed profile notebook to a code-free HTML report and a tagged, print-quality PDF.

Two steps, both in-process and deterministic (same input, same bytes):

- `notebook_to_html` runs nbconvert's `HTMLExporter` with the project's own template
  (`templates/profile/`: Jinja + `profile.css`). A preprocessor drops everything a reader must not see
  (parameter cells, streams, errors, bare object reprs); afterwards the section headings get stable ids
  derived from their text and the table of contents is filled in.
- `html_to_pdf` lays that HTML out with WeasyPrint as tagged PDF/UA-1 (A4, running header and footer,
  page numbers, bookmarks from the headings, alt texts carried into the structure tree).

Example::

    html = notebook_to_html(nbformat.read(path, as_version=4), info)
    pdf = html_to_pdf(html)
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

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


def _exporter() -> HTMLExporter:
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


class _WeasyPrintNoise(logging.Filter):
    """Pass WeasyPrint's errors on; re-log its warnings and progress messages at DEBUG on our logger.

    WeasyPrint warns about every CSS property it ignores; in a build log of 100 reports that is noise. A
    filter cannot lower a record's level for handlers that already accept it, so the record is dropped
    here and logged again, at DEBUG, as "quartiersprofile.render.weasyprint".
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR:
            return True
        if _weasyprint_debug_log.isEnabledFor(logging.DEBUG):
            _weasyprint_debug_log.debug("%s", record.getMessage())
        return False


_weasyprint_debug_log = logger.getChild("weasyprint")


def _quiet_weasyprint() -> None:
    for name in ("weasyprint", "weasyprint.progress"):
        log = logging.getLogger(name)
        if not any(isinstance(existing, _WeasyPrintNoise) for existing in log.filters):
            log.addFilter(_WeasyPrintNoise())


def _source_date() -> str | None:
    """The build date from SOURCE_DATE_EPOCH (reproducible-builds.org), as W3C date, or None."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    try:
        moment = datetime.fromtimestamp(int(epoch), tz=UTC)
    except (ValueError, OverflowError, OSError) as error:
        raise ValueError(f"SOURCE_DATE_EPOCH must be a Unix time in seconds, got {epoch!r}") from error
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def html_to_pdf(html: str) -> bytes:
    """Lay out report HTML as an A4 PDF/UA-1 document and return its bytes.

    Title, author and language come from `<title>`, `<meta name="author">` and `<html lang>`. Fonts are
    embedded as subsets, the PDF is tagged (structure tree, alt texts, bookmarks). No date is taken from
    the clock: creation/modification dates are written only when SOURCE_DATE_EPOCH is set, so two renders
    of the same HTML are byte-identical. Only `data:` URLs are fetched; the HTML must be self-contained.
    """
    _quiet_weasyprint()  # before the import, which already logs progress while parsing its own stylesheets
    import weasyprint  # imported here: loading pango takes a while and the HTML step does not need it

    fetcher = weasyprint.URLFetcher(allowed_protocols={"data"})
    engine_css = weasyprint.CSS(string=_template_file("pdf.css"), url_fetcher=fetcher)
    document = weasyprint.HTML(string=html, url_fetcher=fetcher).render(
        stylesheets=[engine_css], pdf_variant="pdf/ua-1", pdf_tags=True
    )
    if created := _source_date():
        document.metadata.created = document.metadata.modified = created
    return document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True, pdf_identifier=True)
