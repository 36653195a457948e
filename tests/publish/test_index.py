"""The index page of an output folder (quartiersprofile.publish.index)."""

from __future__ import annotations

from bs4 import BeautifulSoup

from quartiersprofile.publish.index import index_html, index_page

MANIFEST = {
    "2024/stadtteil-lehe": {"period": "2024", "area_name": "Lehe", "status": "built", "duration": 12.34,
                            "outputs": {"ipynb": {"path": "stadtteil-lehe.ipynb"},
                                        "html": {"path": "stadtteil-lehe.html"},
                                        "pdf": {"path": "stadtteil-lehe.pdf"}}},
    "2024/ortsteil-x": {"period": "2024", "area_name": "<b>X</b>", "status": "failed", "message": "cell 3: <Fehler>",
                        "outputs": {}},
}  # fmt: skip


def test_one_row_per_profile_with_links_status_and_time():
    soup = BeautifulSoup(index_html(MANIFEST), "html.parser")
    assert soup.html["lang"] == "de" and soup.title.get_text() == "Quartiersprofile Bremerhaven – Übersicht"
    rows = [[td.get_text(" ", strip=True) for td in tr("td")] for tr in soup.tbody("tr")]
    assert rows == [
        ["2024", "<b>X</b>", "", "fehlgeschlagen cell 3: <Fehler>", "0,0\xa0s"],
        ["2024", "Lehe", "HTML PDF", "neu erstellt", "12,3\xa0s"],
    ]
    assert [a["href"] for a in soup.tbody("a")] == ["2024/stadtteil-lehe.html", "2024/stadtteil-lehe.pdf"]
    assert "<b>X</b>" not in index_html(MANIFEST)


def test_the_page_links_the_data_protection_reports_found_in_the_folder(tmp_path):
    assert "Datenschutz" not in index_page(tmp_path, MANIFEST).decode("utf-8")
    (tmp_path / "datenschutz-2024.csv").write_text("x")
    soup = BeautifulSoup(index_page(tmp_path, MANIFEST).decode("utf-8"), "html.parser")
    assert [a["href"] for a in soup.p("a")] == ["datenschutz-2024.csv"]
