"""The focus report of the Demografielabore, built by `python build.py` without --district (slow: one build of all
areas, reused by every test here): its files, the index, byte-reproducibility, accessibility, the disclosure
audit, and the profiles' projection section."""

from __future__ import annotations

import hashlib
import json
import re
import shutil

import pytest
from bs4 import BeautifulSoup
from conftest import run_build
from pypdf import PdfReader
from test_accessibility import A4_POINTS, VNU_JAR, _look_at, _require_file, _require_tool, _run, _serious

from quartiersprofile.content.indicators import unsuppressed_indicator_table
from quartiersprofile.content.tables import compute_tables
from quartiersprofile.model.dataset import load_dataset
from quartiersprofile.publish import audit

SLUG = "fokus-demografielabore"
KINDS = ("html", "pdf", "slides.html", "slides.pdf")
FORMATS = ("--format", "html", "--format", "pdf", "--format", "slides")


@pytest.fixture(scope="module")
def everything(tmp_path_factory):
    """Every area in HTML, PDF and slides, the overview and the focus report (one build for this module)."""
    output = tmp_path_factory.mktemp("all")
    result = run_build("--output", str(output), *FORMATS, "--quiet")
    # A failing profile does not stop the others; whatever else happens, the focus report must be there.
    manifest = json.loads((output / "manifest.json").read_text("utf-8"))
    (entry,) = [job for job in manifest["jobs"] if job["key"].endswith(f"/{SLUG}")]
    assert entry["status"] == "built", (entry["message"], result.stderr[-3000:])
    return output


@pytest.fixture(scope="module")
def files(everything) -> dict:
    (folder,) = [p for p in everything.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return {kind: folder / f"{SLUG}.{kind}" for kind in KINDS}


def test_a_build_of_all_areas_writes_the_focus_report_and_lists_it_on_top(everything, files):
    assert all(path.is_file() for path in files.values())
    index = BeautifulSoup((everything / "index.html").read_text("utf-8"), "html.parser")
    top = index.select_one("section.period ul.entries")
    links = [a["href"] for a in top.select("a")]
    assert any(href.endswith(f"{SLUG}.html") for href in links) and any(href.endswith(f"{SLUG}.slides.pdf")
                                                                        for href in links)  # fmt: skip
    assert "Demografielabore" in top.get_text()
    listed = [a["href"] for a in index.select("a") if SLUG in a["href"]]
    assert len(listed) == len(set(listed)) == 4  # once, with its four files; never among the profiles


def test_a_build_with_district_makes_no_focus_report(built):
    assert not list(built.glob("*/fokus-*"))


def test_the_report_shows_the_groups_areas_against_the_city(files):
    soup = BeautifulSoup(files["html"].read_text("utf-8"), "html.parser")
    assert soup.h1.get_text(strip=True) == "Demografielabore"
    headings = [h.get_text(" ", strip=True) for h in soup.select("main h2")]
    assert headings[:4] == ["Überblick", "Ältere Menschen", "Entwicklung im Zeitverlauf", "Bevölkerungsprognose"]
    older = soup.select_one("table.focus-comparison")
    assert [row["data-indicator"] for row in older.select("tr[data-indicator]")][::4] == [
        "DEM04", "DEM05", "SOZ06", "SOZ04", "GES05"]  # fmt: skip
    assert {th.get_text(strip=True) for th in older.select("tbody th[scope=row]")} == {
        "Geestendorf", "Grünhöfe", "Surheide", "Bremerhaven"}  # fmt: skip
    assert soup.select("table.focus-projection") and len(soup.select("figure img[alt]")) >= 2
    methods = soup.find(id=re.compile("^methodik")).find_next("div").get_text(" ")
    assert "MOVER" in methods and "Newcombe" in methods


def test_the_disclosure_audit_covers_the_focus_report(files, tmp_path, monkeypatch):
    dataset = load_dataset()
    tables = compute_tables(dataset)
    truth = unsuppressed_indicator_table(dataset, list(tables.areas))
    hidden = audit.hidden_cells(dataset, tables, truth)
    check = audit.OutputAudit(hidden, tables)
    period = files["html"].parent.name
    outputs = {kind: path.read_bytes() for kind, path in files.items()}
    outputs["ipynb"] = (files["html"].parent / f"{SLUG}.ipynb").read_bytes()
    assert check(outputs, None, period, SLUG) == []  # as the build's client audited it
    # a hidden value of one of the group's areas, printed into the report, is found ...
    needles = check.scope(None, period, SLUG).text_needles
    form, cells = next((form, cells) for form, cells in sorted(needles.items()) if "–" in form
                       and any(c.area == "23" for c in cells))  # fmt: skip
    cell = next(c for c in cells if c.area == "23")
    page = outputs["html"].decode("utf-8").replace("</main>", f"<p>{form}</p></main>")
    leaks = check({"html": page.encode("utf-8")}, None, period, SLUG)
    assert any(cell.indicator in leak.indicator and "Surheide" in leak.area for leak in leaks)
    # ... also by the audit of a built folder (here only the focus report: the attack on the downloads is not
    # what this test is about)
    monkeypatch.setattr(audit, "attacker_leaks", lambda output, cells, tables: [])
    monkeypatch.setattr(audit.attacker, "cells_from_files", lambda folder, catalogue: None)
    folder = tmp_path / "profiles" / period
    folder.mkdir(parents=True)
    (folder / f"{SLUG}.html").write_text(page, encoding="utf-8")
    found = audit.audit_folder(tmp_path / "profiles")
    assert any(f"{SLUG}.html" in leak.output and cell.indicator in leak.indicator for leak in found)


def test_a_second_build_gives_the_same_bytes(everything, files, tmp_path):
    before = {kind: hashlib.sha256(path.read_bytes()).hexdigest() for kind, path in files.items()}
    kept = tmp_path / "kept"
    kept.mkdir()
    for path in files.values():
        shutil.move(path, kept / path.name)  # only the focus report is missing: only it is built again
    result = run_build("--output", str(everything), *FORMATS, "--quiet")
    assert result.returncode in (0, 1), result.stderr  # 1: another area failed; the manifest says which
    manifest = json.loads((everything / "manifest.json").read_text("utf-8"))
    (entry,) = [job for job in manifest["jobs"] if job["key"].endswith(f"/{SLUG}")]
    assert entry["status"] == "built"
    after = {kind: hashlib.sha256(path.read_bytes()).hexdigest() for kind, path in files.items()}
    assert after == before


def test_html_and_slides_pass_the_nu_html_checker(files):
    java = _require_tool("java", "default-jre-headless")
    _require_file(VNU_JAR, "the Nu Html Checker (npm package vnu-jar)")
    result = _run(java, "-jar", VNU_JAR, "--errors-only", "--format", "json", files["html"], files["slides.html"])
    messages = json.loads(result.stderr)["messages"]
    errors = [f"{m.get('url', '').rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
              for m in messages if m["type"] in ("error", "non-document-error")]  # fmt: skip
    assert errors == []


@pytest.mark.parametrize("width", [1280, 360])
def test_axe_finds_no_serious_violations(files, width):
    seen = _look_at(files["html"], width)
    assert _serious(seen) == []
    if width == 1280:
        assert seen["page"]["h1"] == "Demografielabore" and seen["page"]["wideElements"] == []


def test_the_pdf_is_a4_tagged_numbered_and_marked_as_sample_data(files):
    reader = PdfReader(files["pdf"])
    assert len(reader.pages) > 3
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_POINTS, abs=1)
    assert re.search(r"^Tagged:\s+yes$", _run("pdfinfo", files["pdf"]).stdout, re.MULTILINE)
    texts = _run("pdftotext", "-layout", files["pdf"], "-").stdout.split("\f")[:-1]
    for number, text in enumerate(texts, start=1):
        assert f"Seite {number} von {len(texts)}" in text and "Beispieldaten" in text
    slides = PdfReader(files["slides.pdf"])
    assert len(slides.pages) >= 5


def test_the_profile_section_shows_the_projection(everything):
    (page,) = everything.glob("*/ortsteil-geestendorf.html")
    soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
    heading = soup.find("h2", string=re.compile("Bevölkerungsentwicklung und Prognose"))
    assert heading is not None
    table = soup.select_one("table.projection")
    assert table["data-area"] == "212" and len(table.select("tbody tr")) == 5
    assert len(soup.select("ul.projection-findings li")) == 5
