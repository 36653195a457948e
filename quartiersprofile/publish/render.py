"""Render an executed profile notebook to a code-free HTML report (deterministic: same input, same bytes).

The first of two steps:

- `notebook_to_html` runs nbconvert's `HTMLExporter` with the project's own template
  (`templates/profile/`: Jinja + `profile.css`). A preprocessor drops everything a reader must not see
  (parameter cells, streams, errors, bare object reprs); afterwards the section headings get stable ids
  derived from their text and the table of contents is filled in.
- `pdf.html_to_pdf` prints that HTML as a tagged PDF.

Example::

    html = notebook_to_html(nbformat.read(path, as_version=4), info)
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import asdict
from functools import cache
from pathlib import Path

import nbformat
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor

from .info import ReportInfo

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
    """The exporter, made once per process (making it compiles the templates)."""
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
