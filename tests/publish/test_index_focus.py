"""A focus report on the index page (quartiersprofile.publish.index): listed once on top with its PDF and slides,
never among the profiles, although its job (in the manifest) carries the city's code."""

from __future__ import annotations

from bs4 import BeautifulSoup
from test_index import DISTRICTS, MANIFEST, _entry

from quartiersprofile.publish.index import index_page


def test_a_built_focus_report_is_listed_once_on_top_with_its_slides(tmp_path):
    focus = _entry("fokus-demografielabore", "4012", "Schwerpunktbericht Demografielabore",
                   kinds=("html", "pdf", "slides.html", "slides.pdf"))  # fmt: skip
    manifest = {**MANIFEST, focus["key"]: focus}
    period = tmp_path / "2024"
    period.mkdir()
    (period / "fokus-demografielabore.html").write_text(
        "<html><head><title>Demografielabore – 2024</title></head></html>", encoding="utf-8"
    )
    (period / "fokus-demografielabore.slides.html").write_text("<title>Folien</title>", encoding="utf-8")
    for name in ("fokus-demografielabore.pdf", "fokus-demografielabore.slides.pdf", "stadt-bremerhaven.html"):
        (period / name).write_text("x")
    soup = BeautifulSoup(index_page(tmp_path, manifest, DISTRICTS).decode("utf-8"), "html.parser")
    top = soup("ul", class_="entries")[0]
    assert [e.get_text() for e in top.select(".name")] == ["Bremerhaven im Überblick", "Demografielabore"]
    assert [a["href"] for a in top("li")[1]("a")] == [
        "2024/fokus-demografielabore.html", "2024/fokus-demografielabore.pdf",
        "2024/fokus-demografielabore.slides.html", "2024/fokus-demografielabore.slides.pdf"]  # fmt: skip
    # the city's own profile keeps its own link; the focus job is not taken for it
    city = [a["href"] for a in soup("a") if "stadt-bremerhaven" in a["href"]]
    assert city == ["2024/stadt-bremerhaven.html"]
    assert sum("fokus-" in a["href"] for a in soup("a")) == 4
