"""The index page of an output folder (quartiersprofile.publish.index): the overview and focus reports first, the
profiles in the register's hierarchy with their level named, the open data; only files that are there; no build
facts and no data-protection report."""

from __future__ import annotations

import pandas as pd
from bs4 import BeautifulSoup

from quartiersprofile.publish.index import index_html, index_page


def _entry(slug: str, code: str, name: str, status: str = "built", kinds=("html", "pdf"), period: str = "2024"):
    suffixes = {"html": ".html", "pdf": ".pdf", "csv": ".csv", "xlsx": ".xlsx", "slides.html": ".slides.html",
                "slides.pdf": ".slides.pdf", "ipynb": ".ipynb"}  # fmt: skip
    outputs = {kind: {"path": f"{slug}{suffixes[kind]}"} for kind in ("ipynb", *kinds)}
    return {"key": f"{period}/{slug}", "period": period, "area_code": code, "area_name": name, "status": status,
            "duration": 12.34, "outputs": outputs, "message": ""}  # fmt: skip


MANIFEST = {
    entry["key"]: entry
    for entry in (
        _entry("stadtteil-lehe", "13", "Lehe", kinds=("html", "pdf", "csv", "xlsx", "slides.html", "slides.pdf")),
        _entry("ortsteil-goethestrasse", "134", "Goethestraße"),
        _entry("ortsteil-geestendorf", "212", "Geestendorf"),
        _entry("stadtteil-weddewarden", "11", "Weddewarden"),
        _entry("stadt-bremerhaven", "4012", "Bremerhaven"),
        _entry("uebersicht-bremerhaven", "4012", "Übersicht Bremerhaven"),
        _entry("ortsteil-x", "999", "<b>X</b>", status="failed", kinds=()),
    )
}
DISTRICTS = pd.DataFrame(
    [
        ("4012", "Bremerhaven", "stadt", ""),
        ("1", "Nord", "stadtbezirk", "4012"),
        ("2", "Süd", "stadtbezirk", "4012"),
        ("11", "Weddewarden", "stadtteil", "1"),
        ("13", "Lehe", "stadtteil", "1"),
        ("21", "Geestemünde", "stadtteil", "2"),
        ("111", "Weddewarden", "ortsteil", "11"),
        ("134", "Goethestraße", "ortsteil", "13"),
        ("212", "Geestendorf", "ortsteil", "21"),
    ],
    columns=["code", "name", "level", "parent_code"],
)


def soup_of(page: str) -> BeautifulSoup:
    return BeautifulSoup(page, "html.parser")


def test_overview_first_then_the_hierarchy_of_the_register_with_levels_named():
    soup = soup_of(index_html(MANIFEST, DISTRICTS))
    assert soup.html["lang"] == "de" and soup.h1.get_text() == "Gesundheitsbezogene Quartiersprofile Bremerhaven"
    assert [h.get_text() for h in soup("h2")] == ["Berichtszeitraum 2024"]
    headings = [h.get_text() for h in soup("h3")]
    assert headings == ["Überblick über die Stadt", "Stadt", "Stadtbezirk Nord", "Stadtbezirk Süd", "Weitere Gebiete"]
    names = [(e.select_one(".name").get_text(), (e.select_one(".level") or e).get_text()) for e in soup(class_="entry")]
    assert [n for n, _ in names] == [
        "Bremerhaven im Überblick", "Bremerhaven", "Weddewarden", "Lehe", "Goethestraße", "Geestemünde",
        "Geestendorf", "<b>X</b>",
    ]  # fmt: skip
    levels = dict(names[1:7])
    assert levels["Bremerhaven"] == "Stadt" and levels["Lehe"] == "Stadtteil" and levels["Goethestraße"] == "Ortsteil"
    # The Ortsteile are nested in their Stadtteil; a Stadtteil without a profile of its own is only their heading.
    lehe = next(li for li in soup("li") if li.select_one(".name").get_text() == "Lehe")
    assert [e.get_text() for e in lehe.select(":scope > ul .name")] == ["Goethestraße"]
    geestemuende = next(li for li in soup("li") if li.select_one(".name").get_text() == "Geestemünde")
    assert geestemuende.select_one(".entry").select(".files") == []
    assert "<b>X</b>" not in index_html(MANIFEST, DISTRICTS)


def test_links_name_the_area_for_screen_readers_and_no_build_facts_are_shown():
    soup = soup_of(index_html(MANIFEST, DISTRICTS))
    lehe = next(e for e in soup(class_="entry") if e.select_one(".name").get_text() == "Lehe")
    links = lehe("a")
    assert [a.get_text() for a in links] == [
        "Lehe – Bericht", "Lehe – PDF", "Lehe – Folien", "Lehe – Folien (PDF)", "Lehe – CSV", "Lehe – Excel",
    ]  # fmt: skip
    assert [a.find(class_="visually-hidden").get_text() for a in links] == ["Lehe – "] * 6
    assert links[1]["href"] == "2024/stadtteil-lehe.pdf"
    assert not [a for a in soup("a") if a["href"].endswith(".ipynb")]
    text = soup.get_text(" ")
    for build_fact in ("neu erstellt", "aktuell", "fehlgeschlagen", "Bauzeit", "12,3"):
        assert build_fact not in text
    failed = next(e for e in soup(class_="entry") if e.select_one(".name").get_text() == "<b>X</b>")
    assert failed.get_text(" ", strip=True).endswith("derzeit keine Dateien")


def test_without_the_register_the_profiles_are_grouped_by_level():
    soup = soup_of(index_html(MANIFEST))
    assert [h.get_text() for h in soup("h3")] == ["Überblick über die Stadt", "Stadt", "Stadtteile", "Ortsteile"]


def test_the_page_links_only_files_that_are_there_and_never_the_data_protection_report(tmp_path):
    period = tmp_path / "2024"
    period.mkdir()
    for name in ("stadtteil-lehe.html", "uebersicht-bremerhaven.html", "uebersicht-bremerhaven.pdf"):
        (period / name).write_text("x")
    (tmp_path / "datenschutz-2024.csv").write_text("x")
    soup = soup_of(index_page(tmp_path, MANIFEST, DISTRICTS).decode("utf-8"))
    hrefs = [a["href"] for a in soup("a")]
    assert sorted(hrefs) == ["2024/stadtteil-lehe.html", "2024/uebersicht-bremerhaven.html",
                             "2024/uebersicht-bremerhaven.pdf"]  # fmt: skip
    assert "datenschutz" not in index_page(tmp_path, MANIFEST, DISTRICTS).decode("utf-8")


def test_focus_reports_and_the_open_data_of_a_period_are_linked_when_present(tmp_path):
    period = tmp_path / "2024"
    period.mkdir()
    (period / "fokus-lehe-nord.html").write_text("<html><head><title>Lehe-Nord – 2024</title></head></html>")
    (period / "fokus-lehe-nord.pdf").write_text("x")
    for name in ("daten-bremerhaven.csv", "daten-bremerhaven.xlsx", "daten-bremerhaven.parquet", "datapackage.json"):
        (period / name).write_text("x")
    soup = soup_of(index_page(tmp_path, MANIFEST, DISTRICTS).decode("utf-8"))
    top = soup("ul", class_="entries")[0]
    assert [e.get_text() for e in top.select(".name")] == ["Bremerhaven im Überblick", "Lehe-Nord"]
    assert [a["href"] for a in top("li")[1]("a")] == ["2024/fokus-lehe-nord.html", "2024/fokus-lehe-nord.pdf"]
    assert soup("h3")[-1].get_text() == "Offene Daten"
    open_data = [a["href"] for a in soup("ul", class_="entries")[-1]("a")]
    assert open_data == ["2024/daten-bremerhaven.csv", "2024/daten-bremerhaven.xlsx",
                         "2024/daten-bremerhaven.parquet", "2024/datapackage.json"]  # fmt: skip


def test_the_latest_period_comes_first():
    older = {"2023/stadtteil-lehe": _entry("stadtteil-lehe", "13", "Lehe", period="2023")}
    soup = soup_of(index_html({**MANIFEST, **older}, DISTRICTS))
    assert [h.get_text() for h in soup("h2")] == ["Berichtszeitraum 2024", "Berichtszeitraum 2023"]
    assert [a["href"] for a in soup.select("nav.periods a")] == ["#zeitraum-2024", "#zeitraum-2023"]
