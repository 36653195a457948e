"""Accessibility (BITV 2.0 / WCAG 2.1 AA) and what a reader sees, checked on real built reports.

The session build of tests/conftest.py (Stadtteil Lehe and Ortsteil Geestendorf) is checked with

- the Nu Html Checker (`vnu.jar` from the npm package vnu-jar, run with the system's java),
- axe-core in headless Chromium, driven by playwright-core (`tests/axe_check.js`, the system's Chromium),
- poppler's pdfinfo/pdffonts/pdftotext/pdftoppm and pypdf for the PDF.

`scripts/setup.sh` (run by `make test`) installs all of these: Chromium, java and node from Debian, the npm
packages from package-lock.json. A test is skipped, with the reason, only when its tool is really missing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO
from PIL import Image
from pypdf import PdfReader

NODE_MODULES = REPO / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_CHECK = Path(__file__).resolve().parents[1] / "axe_check.js"
CHROMIUM = "/usr/bin/chromium"
SETUP_HINT = "run scripts/setup.sh (make test does)"

#: The built reports checked here: file stem and the title a reader must see.
REPORTS = {"stadtteil-lehe": "Lehe", "ortsteil-geestendorf": "Geestendorf"}
SECTIONS = (
    "Kernaussagen",
    "Lage",
    "Bevölkerung",
    "Soziale Lage",
    "Kindergesundheit",
    "Gesundheit und Sterblichkeit",
    "Versorgung",
    "Wohnumfeld",
    "Quartier im Vergleich",
    "Methodik",
)
#: Text that only notebook code, prompts or papermill's parameter cell would put on the page.
CODE_TRACES = ("In [", "Out[", "injected-parameters", "report.show", "open_profile(", "from quartiersprofile")
A4_POINTS = (595.28, 841.89)
#: The right page margin is 18 mm; everything but its innermost 3 mm must stay blank (nothing sticks out of
#: the text column, let alone reaches the edge of the paper).
BLANK_RIGHT_MM = 15
RENDER_DPI = 50


def _require_tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian package {package}); {SETUP_HINT}")
    return path


def _require_file(path: Path, what: str) -> Path:
    if not path.exists():
        pytest.skip(f"{what} is missing ({path.relative_to(REPO)}); {SETUP_HINT}")
    return path


def _run(*args: str | Path, timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module", params=list(REPORTS))
def report(request, built) -> dict:
    """One built report: its name, the title a reader must see, and its HTML and PDF files."""
    name = request.param
    (html,) = built.glob(f"*/{name}.html")
    (pdf,) = built.glob(f"*/{name}.pdf")
    return {"name": name, "title": REPORTS[name], "html": html, "pdf": pdf}


# --- HTML ----------------------------------------------------------------------------------------------------


def test_html_passes_the_nu_html_checker(built):
    java = _require_tool("java", "default-jre-headless")
    _require_file(VNU_JAR, "the Nu Html Checker (npm package vnu-jar)")
    pages = sorted(built.rglob("*.html"))  # the reports and the index page
    assert len(pages) >= len(REPORTS) + 1
    result = _run(java, "-jar", VNU_JAR, "--errors-only", "--format", "json", *pages)
    checked = json.loads(result.stderr)  # vnu writes its JSON report to stderr
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']} [{m.get('extract', '')}]"
        for m in checked["messages"]
        if m["type"] in ("error", "non-document-error")
    ]
    assert errors == []


def _look_at(html: Path, width: int) -> dict:
    """Run tests/axe_check.js on a report: axe results and what Chromium shows at this window width."""
    _require_tool("node", "nodejs")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (Debian package chromium); {SETUP_HINT}")
    for package in ("axe-core", "playwright-core"):
        _require_file(NODE_MODULES / package / "package.json", f"the npm package {package}")
    result = _run("node", AXE_CHECK, html, "--width", str(width))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def desktop(report) -> dict:
    return _look_at(report["html"], 1280)


def _serious(seen: dict) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – "
        + "; ".join(f"{n['target']}: {n['summary']}" for n in v["nodes"][:3])
        for v in seen["axe"]["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_axe_finds_no_serious_violations(desktop):
    """WCAG 2.0/2.1 A and AA rules of axe-core, colour contrast included, in a 1280 px window."""
    assert _serious(desktop) == []


def test_axe_finds_no_serious_violations_on_a_phone(report):
    """The same rules at 360 px, where the wide tables scroll inside their own (keyboard-reachable) box."""
    assert _serious(_look_at(report["html"], 360)) == []


def test_axe_finds_no_serious_violations_on_the_index_page(built):
    assert _serious(_look_at(built / "index.html", 1280)) == []


def test_reader_sees_the_title(desktop, report):
    page = desktop["page"]
    assert page["h1"] == report["title"]
    assert page["h1Visible"]
    assert page["title"].startswith(report["title"])


def test_nothing_is_wider_than_the_window(desktop):
    page = desktop["page"]
    assert page["viewportWidth"] == 1280
    assert page["scrollWidth"] <= 1280, page["wideElements"]
    assert page["wideElements"] == []


def test_reader_sees_no_code_prompts_or_parameters(desktop, report):
    page = desktop["page"]
    assert page["codeElements"] == []
    assert [trace for trace in CODE_TRACES if trace in page["text"]] == []
    source = report["html"].read_text("utf-8")
    assert "injected-parameters" not in source
    assert not re.search(r"<(pre|code|script)\b", source)


def test_page_makes_no_external_requests(desktop, report):
    own = report["html"].resolve().as_uri()
    fetched = [url for url in desktop["requests"] if url != own and not url.startswith("data:")]
    assert fetched == []
    assert [url for url in desktop["page"]["resources"] if not url.startswith("data:")] == []


# --- PDF -----------------------------------------------------------------------------------------------------


def _tool_output(tool: str, *args: str | Path) -> str:
    _require_tool(tool, "poppler-utils")
    result = _run(tool, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def page_texts(report) -> list[str]:
    """Text of each PDF page as pdftotext sees it (running header and footer included)."""
    return _tool_output("pdftotext", "-layout", report["pdf"], "-").split("\f")[:-1]


def test_pdf_pages_are_a4(report):
    reader = PdfReader(report["pdf"])
    assert len(reader.pages) > 5
    for number, page in enumerate(reader.pages, start=1):
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert size == pytest.approx(A4_POINTS, abs=1), f"page {number}: {size}"


def test_pdf_pages_are_numbered_and_marked_as_sample_data(report, page_texts):
    assert len(page_texts) == len(PdfReader(report["pdf"]).pages)
    for number, text in enumerate(page_texts, start=1):
        assert f"Seite {number} von {len(page_texts)}" in text, f"page {number}"
        assert "Beispieldaten" in text, f"page {number}"


def test_pdf_fonts_are_embedded(report):
    rows = _tool_output("pdffonts", report["pdf"]).splitlines()[2:]
    assert rows
    for row in rows:
        emb = row.split()[-5]  # name type... encoding emb sub uni object id
        assert emb == "yes", row


def test_pdf_is_tagged(report):
    assert re.search(r"^Tagged:\s+yes$", _tool_output("pdfinfo", report["pdf"]), re.MULTILINE)


def test_pdf_outline_lists_the_sections(report):
    def titles(outline):
        for item in outline:
            yield from titles(item) if isinstance(item, list) else [item.title]

    outline = list(titles(PdfReader(report["pdf"]).outline))
    assert outline[0] == report["title"]
    missing = [s for s in SECTIONS if not any(t.startswith(s) for t in outline)]
    assert missing == []


def test_pdf_nothing_reaches_into_the_right_margin(report, tmp_path):
    """Every page rendered: the outer 15 mm of the right margin are white (no table or figure sticks out)."""
    _tool_output("pdftoppm", "-gray", "-r", str(RENDER_DPI), report["pdf"], tmp_path / "page")
    images = sorted(tmp_path.glob("page-*.pgm"))
    assert len(images) == len(PdfReader(report["pdf"]).pages)
    strip = round(BLANK_RIGHT_MM / 25.4 * RENDER_DPI)
    inked = []
    for path in images:
        with Image.open(path) as image:
            width, height = image.size
            darkest, _ = image.crop((width - strip, 0, width, height)).getextrema()
        if darkest < 250:
            inked.append(path.stem)
    assert inked == []
