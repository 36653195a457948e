"""Readers on phones, in browsers and in print: the index, a Stadtteil report, the city overview and two slide
decks of one full build, looked at in headless Chromium at 390, 768 and 1280 px (tests/e2e/layout_check.js,
playwright-core driving the system's Chromium), and the overview's PDF.

At every width: nothing is wider than the window; every table fits or scrolls in its own box; every chart's
smallest text is at least 9 CSS px on the phone and 11 CSS px at 768 and 1280 px (its size in pt x 96/72 x the
scale the picture is shown at: its size on screen against its natural size, PNG pixels at the PNG's resolution);
every link leads to a file that is there, an id on the page or a slide; axe-core finds nothing. Plus: a contents
link puts its heading below the sticky sample-data bar, the slide number keeps clear of the "next" arrow, the
report and the index link each other, the overview's PDF prints nothing smaller than 7 pt, and the pages and their
style sheets pass the Nu Html Checker.

One build of all areas (the overview needs it) serves the whole module: about four minutes on two cores.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import REPO, run_build
from pypdf import PdfReader

NODE_MODULES = REPO / "node_modules"
LAYOUT_CHECK = Path(__file__).resolve().parent / "layout_check.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = "/usr/bin/chromium"
SETUP_HINT = "run scripts/setup.sh (make test does)"

WIDTHS = (390, 768, 1280)
#: The least size of a chart's text in CSS px, by window width.
CHART_TEXT_PX = {390: 9.0, 768: 11.0, 1280: 11.0}
#: The pages looked at (relative to the output folder, "{period}" filled in).
PAGES = {
    "index": "index.html",
    "lehe": "{period}/stadtteil-lehe.html",
    "overview": "{period}/uebersicht-bremerhaven.html",
    "lehe-slides": "{period}/stadtteil-lehe.slides.html",
    "geestendorf-slides": "{period}/ortsteil-geestendorf.slides.html",
}
#: reveal.js gives its root (our <main class="reveal">) role="application" for its keys: axe's best-practice rule
#: on allowed roles objects to it on <main>. The only exception; every WCAG rule must pass.
ALLOWED = {("aria-allowed-role", "main")}


def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed; {SETUP_HINT}")
    return path


@pytest.fixture(scope="session")
def full_build(tmp_path_factory) -> Path:
    """Every area and the overview in all formats, built once (the period is the latest in the data)."""
    output = tmp_path_factory.mktemp("all-areas")
    result = run_build("--output", str(output), "--quiet", timeout=1800)
    # A profile that fails (its files are not written) is reported by the build tests; what is looked at here
    # must be there.
    assert result.returncode in (0, 1), result.stderr
    (period,) = [p.name for p in output.iterdir() if p.is_dir() and not p.name.startswith(".")]
    paths = [page.format(period=period) for page in PAGES.values()]
    assert [path for path in paths if not (output / path).is_file()] == [], result.stderr
    return output


@pytest.fixture(scope="module")
def period(full_build) -> str:
    return next(p.name for p in full_build.iterdir() if p.is_dir() and not p.name.startswith("."))


@pytest.fixture(scope="module")
def seen(full_build, period) -> dict[str, dict[int, dict]]:
    """What Chromium shows of each page at each width (tests/e2e/layout_check.js)."""
    _require("node")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed; {SETUP_HINT}")
    for package in ("axe-core", "playwright-core"):
        if not (NODE_MODULES / package / "package.json").exists():
            pytest.skip(f"the npm package {package} is missing; {SETUP_HINT}")
    found = {}
    for name, page in PAGES.items():
        path = full_build / page.format(period=period)
        result = subprocess.run(
            ["node", str(LAYOUT_CHECK), str(path), "--widths", ",".join(map(str, WIDTHS))],
            capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        found[name] = {look["width"]: look for look in json.loads(result.stdout)}
    return found


def _each(seen: dict, pages=PAGES):
    for name in pages:
        for width, look in seen[name].items():
            yield name, width, look


def test_no_page_is_wider_than_the_window(seen):
    wide = [
        (name, width, look["page"]["scrollWidth"], look["page"]["wideElements"][:3])
        for name, width, look in _each(seen)
        if look["page"]["scrollWidth"] > width or look["page"]["wideElements"]
    ]
    assert wide == []


def test_every_table_fits_or_scrolls_in_its_own_box(seen):
    def fits(table, width):
        if table["scroller"]:
            return table["scrollerLeft"] >= 0 and table["scrollerRight"] <= width
        return table["left"] >= 0 and table["right"] <= width

    assert [(n, w, t["caption"]) for n, w, look in _each(seen) for t in look["tables"] if not fits(t, w)] == []
    # The heat maps, indicator tables and the list of the areas most often worse scroll on a phone.
    phone = [t for t in seen["overview"][390]["tables"] if t["width"] > 390]
    assert phone and all(t["scroller"] for t in phone)
    assert all(t["scroller"] for t in seen["lehe"][390]["tables"])


def test_chart_text_is_large_enough_to_read(seen, pages):
    small = []
    for name, width, look in _each(seen):
        for chart in look["charts"]:
            assert chart["dpi"] == pytest.approx(200, abs=0.1), (name, chart["caption"])
            if not chart["textPx"] >= CHART_TEXT_PX[width]:
                small.append((name, width, chart["caption"], chart["textPt"], chart["scale"], chart["textPx"]))
    assert small == []
    # Every chart was measured, one picture per figure (on the slides one slide at a time).
    for name, width, look in _each(seen):
        assert len(look["charts"]) == len(pages[name].select("figure.chart")), (name, width)
    assert len(seen["lehe"][1280]["charts"]) >= 17 and len(seen["overview"][1280]["charts"]) >= 6
    # The measure itself: the size in pt x 96/72 x the scale it is shown at.
    chart = seen["lehe"][1280]["charts"][0]
    assert chart["textPx"] == pytest.approx(chart["textPt"] * 96 / 72 * chart["scale"], abs=0.01)


def test_on_a_phone_the_charts_are_their_phone_variants(seen, pages):
    # Drawn for a phone's column (3.6 in = 346 px at 96 dpi) and shown at about their natural size.
    for name in ("lehe", "lehe-slides"):
        charts = seen[name][390]["charts"]
        narrow = [c for c in charts if c["naturalWidth"] == 346]
        assert len(narrow) == len(pages[name].select("figure.chart-responsive")) > 0, name
        assert all(0.9 <= c["scale"] <= 1.2 for c in narrow), name


def test_every_link_resolves(seen):
    broken = [(n, w, link["href"]) for n, w, look in _each(seen) for link in look["links"] if not link["ok"]]
    assert broken == []


def test_axe_finds_no_violations(seen):
    found = [
        (name, width, v["id"], v["impact"], [node["target"] for node in v["nodes"]][:3])
        for name, width, look in _each(seen)
        for v in look["axe"]["violations"]
        if not all((v["id"], node["target"]) in ALLOWED for node in v["nodes"])
    ]
    assert found == []


def test_a_contents_link_puts_its_heading_below_the_sample_data_bar(seen):
    for width in WIDTHS:
        anchors = seen["lehe"][width]["anchors"]
        assert len(anchors) >= 10
        assert all(a["coverBottom"] > 0 for a in anchors)  # the bar is there (sample data) and sticky
        assert [a["href"] for a in anchors if a["headingTop"] < a["coverBottom"]] == []


def test_the_slide_number_keeps_clear_of_the_arrows(seen):
    controls = seen["lehe-slides"][1280]["controls"]
    assert controls["slideNumber"] and controls["next"]
    assert not controls["overlap"]


def test_a_phone_reads_the_slides_as_a_page(seen):
    for width in (390, 768):  # portrait windows: reveal.js is not started
        assert not seen["lehe-slides"][width]["deck"]
    assert seen["lehe-slides"][1280]["deck"]


# --- the pages' content ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pages(full_build, period) -> dict[str, BeautifulSoup]:
    return {
        name: BeautifulSoup((full_build / page.format(period=period)).read_text("utf-8"), "html.parser")
        for name, page in PAGES.items()
    }


def test_the_report_links_its_files_and_the_index_and_the_index_links_back(pages, period):
    links = {a.get_text(): a["href"] for a in pages["lehe"].select("nav.report-links a")}
    assert links == {
        "Alle Quartiersprofile": "../index.html",
        "Bericht (PDF)": "stadtteil-lehe.pdf",
        "Daten (CSV)": "stadtteil-lehe.csv",
        "Daten (Excel)": "stadtteil-lehe.xlsx",
        "Folien": "stadtteil-lehe.slides.html",
        "Folien (PDF)": "stadtteil-lehe.slides.pdf",
    }
    deck = {a.get_text(): a["href"] for a in pages["lehe-slides"].select("nav.deck-links a")}
    assert deck["Bericht (HTML)"] == "stadtteil-lehe.html" and "Folien" not in deck
    index = pages["index"]
    hrefs = [a["href"] for a in index("a")]
    assert f"{period}/stadtteil-lehe.html" in hrefs and f"{period}/uebersicht-bremerhaven.pdf" in hrefs
    assert not [href for href in hrefs if "datenschutz" in href]


def test_the_index_follows_the_register_with_the_overview_first(pages):
    index = pages["index"]
    assert [h.get_text() for h in index("h3")][:4] == [
        "Überblick über die Stadt", "Stadt", "Stadtbezirk Nord", "Stadtbezirk Süd",
    ]  # fmt: skip
    assert index.select_one(".entry .name").get_text() == "Bremerhaven im Überblick"
    lehe = next(li for li in index("li") if li.select_one(".name").get_text() == "Lehe")
    assert lehe.select_one(".level").get_text() == "Stadtteil"
    assert {n.get_text() for n in lehe.select(":scope > ul .name")} >= {"Goethestraße", "Klushof", "Twischkamp"}
    assert {level.get_text() for level in lehe.select(":scope > ul .level")} == {"Ortsteil"}
    for fact in ("neu erstellt", "Bauzeit"):
        assert fact not in index.get_text()


def test_the_footer_names_the_build_identifier_in_german_and_the_sample_notice_once(pages, full_build, period):
    for name in ("lehe", "overview"):
        footer = pages[name].find("footer").get_text(" ", strip=True)
        assert "Kennung" in footer and not re.search(r"\bBuild\b", footer)
        assert "Beispieldaten: Beispieldaten" not in footer
        assert not re.search(r"\bBuild\b", pages[name].find("header").get_text(" ", strip=True))
    assert not re.search(r"\bBuild\b", pages["lehe-slides"].select_one(".slide-title").get_text(" ", strip=True))
    first_page = PdfReader(full_build / period / "stadtteil-lehe.pdf").pages[1].extract_text()
    assert "Kennung" in first_page and not re.search(r"\bBuild\b", first_page)


def test_the_overview_pdf_prints_no_text_smaller_than_7_pt(full_build, period):
    sizes: dict[float, str] = {}
    for page in PdfReader(full_build / period / "uebersicht-bremerhaven.pdf").pages:

        def visit(text, cm, tm, font, size):
            if text.strip():  # the size on paper: the font size scaled by the text matrix and the page's
                scale = math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3])
                sizes.setdefault(round(size * scale, 2), text.strip())

        page.extract_text(visitor_text=visit)
    assert sizes
    assert min(sizes) >= 6.95, {size: text for size, text in sorted(sizes.items())[:5]}


def test_the_pages_and_their_style_sheets_pass_the_nu_html_checker(full_build, period):
    java = _require("java")
    if not VNU_JAR.exists():
        pytest.skip(f"the Nu Html Checker (npm package vnu-jar) is missing; {SETUP_HINT}")
    files = [str(full_build / page.format(period=period)) for page in PAGES.values()]
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--also-check-css", "--format", "json", *files],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    messages = json.loads(result.stderr)["messages"]
    errors = [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}" for m in messages
              if m["type"] in ("error", "non-document-error")]  # fmt: skip
    assert errors == []
