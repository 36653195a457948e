"""HTML pieces of a report (quartiersprofile.publish.fragments): figures, the location map, indicator tables, key
findings and figures, methods; every text escaped."""

from __future__ import annotations

import base64
import io
import re
from dataclasses import replace

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from PIL import Image
from support import chart_tables

from quartiersprofile.content import charts, text
from quartiersprofile.content.findings import key_findings
from quartiersprofile.content.profile import Profile
from quartiersprofile.publish.fragments import (
    SCREEN_TEXT_PX,
    appendix_html,
    chart_to_html,
    indicator_table_html,
    key_figures_html,
    key_findings_html,
    location_html,
    location_map_html,
    methods_html,
)
from quartiersprofile.stats.suppression import SUPPRESSED_MARKER


@pytest.fixture
def bars_table():
    return chart_tables.bars_table()


def png_bytes(chart):
    match = re.search(r'src="data:image/png;base64,([^"]+)"', chart_to_html(chart, "Abbildung"))
    return base64.b64decode(match.group(1))


def images(html: str) -> list:
    return BeautifulSoup(html, "html.parser").find_all("img")


def profile(tables, code: str, period: str = "2024") -> Profile:
    (area,) = [a for a in tables.areas if a.code == code]
    return Profile(area, period, tables)


# --- figures -------------------------------------------------------------------------------------------------------


def test_chart_to_html_is_deterministic_and_sized(bars_table):
    first = chart_to_html(charts.district_bars(bars_table, "134", 18.0, "SGB-II-Quote", "%"), "A")
    chart = charts.district_bars(bars_table, "134", 18.0, "SGB-II-Quote", "%")
    assert chart_to_html(chart, "A") == first
    assert chart_to_html(chart, "A") == first  # rendering again does not drift
    width, height = chart.figure.get_size_inches()
    # Shown so large that its smallest text (7.5 pt = 10 px at 96 dpi) is SCREEN_TEXT_PX: 1.2 times its size.
    scale = SCREEN_TEXT_PX / (7.5 * 96 / 72)
    assert f'width="{round(width * 96 * scale)}" height="{round(height * 96 * scale)}" data-text-pt="7.5"' in first
    png = png_bytes(chart)
    assert b"Software" not in png and b"matplotlib" not in png
    assert Image.open(io.BytesIO(png)).size == (round(width * 200), round(height * 200))


def test_chart_to_html_shows_the_phone_variant_beside_the_chart(bars_table):
    chart = charts.district_bars(bars_table, "134", 18.0, "SGB-II-Quote", "%")
    html = chart_to_html(chart, "A")
    assert html.startswith('<figure class="chart chart-responsive"><img class="chart-wide" ')
    wide, narrow = images(html)
    assert narrow["class"] == ["chart-narrow"] and narrow["alt"] == wide["alt"] == chart.alt_text
    png = base64.b64decode(narrow["src"].partition(",")[2])
    assert png == charts.drawn_png(chart.narrow().figure)  # with the labels the disclosure audit reads
    assert Image.open(io.BytesIO(png)).size[0] == round(charts.style.NARROW_WIDTH * 200)
    assert int(narrow["width"]) < int(wide["width"])


def test_a_chart_without_a_phone_variant_is_one_picture_at_least_its_natural_size():
    figure = plt.figure(figsize=(2, 1))
    figure.text(0.5, 0.5, "groß", fontsize=20)  # 20 pt = 26.7 px: larger than SCREEN_TEXT_PX, so not enlarged
    (image,) = images(chart_to_html(charts.Chart(figure, "Test"), "Test"))
    assert (image["width"], image["height"], image["data-text-pt"]) == ("192", "96", "20")


def test_chart_to_html_escapes_alt_text_and_caption(bars_table):
    table = bars_table.assign(name=bars_table["name"].replace("Goethestraße", '<script>"x"</script>'))
    html = chart_to_html(charts.district_bars(table, "134", 18.0, "Quote", "%"), "A & <b>B</b>")
    assert "<script>" not in html and "&lt;script&gt;&quot;x&quot;&lt;/script&gt;" in html
    assert "<figcaption>A &amp; &lt;b&gt;B&lt;/b&gt;</figcaption>" in html
    assert html.startswith('<figure class="chart chart-responsive"><img class="chart-wide" src="data:image/png;base64,')


def test_chart_to_html_embeds_the_drawn_png(bars_table):
    chart = charts.district_bars(bars_table, "134", 18.0, "SGB-II-Quote", "%")
    assert png_bytes(chart) == charts.drawn_png(chart.figure)


def test_chart_to_html_closes_a_figure_made_with_pyplot():
    made_with_pyplot = plt.figure()
    chart_to_html(charts.Chart(made_with_pyplot, "Test"), "Test")
    assert plt.get_fignums() == []


def test_location_map_is_drawn_for_known_areas_and_replaced_by_a_note_otherwise(bundled_tables, monkeypatch):
    tables = bundled_tables
    geestendorf = Profile(next(a for a in tables.areas if a.code == "212"), "2024", tables)
    assert "Lage von Geestendorf unter den 24 Ortsteilen Bremerhavens" in location_map_html(geestendorf)
    assert "<img" in location_map_html(geestendorf)
    monkeypatch.setattr(charts, "TILE_GRID", {})  # another city: no tile positions, and no ortsteile.geojson
    note = location_map_html(geestendorf)
    assert "Keine Karte" in note and "ortsteile.geojson" in note and "<img" not in note




# --- text and tables -----------------------------------------------------------------------------------------------


def test_location_sentences_by_level(small_tables, bundled_tables):
    assert location_html(profile(small_tables, "13")) == (
        "<p class='location'>Der Stadtteil Lehe besteht aus einem bewohnten Ortsteil (Goethestraße).</p>"
    )
    assert location_html(profile(small_tables, "4012")) == (
        "<p class='location'>Bremerhaven umfasst 2 bewohnte Ortsteile in 9 Stadtteilen; verglichen werden die "
        "Stadtteile.</p>"
    )
    assert location_html(profile(bundled_tables, "212")) == (
        "<p class='location'>Geestendorf ist ein Ortsteil im Stadtteil Geestemünde.</p>"
    )
    lehe = location_html(profile(bundled_tables, "13"))
    assert lehe.startswith("<p class='location'>Der Stadtteil Lehe umfasst die Ortsteile Speckenbüttel, ")
    assert lehe.endswith("; seine Werte sind deren Summen.</p>")


def test_key_findings_are_a_list_of_escaped_sentences(small_tables):
    lehe = profile(small_tables, "13")
    soup = BeautifulSoup(key_findings_html(lehe), "html.parser")
    sentences = [li.get_text() for li in soup.select("div.key-findings > ul > li")]
    assert sentences == key_findings(lehe.indicator_rows(), "Lehe") and 4 <= len(sentences) <= 8
    city = BeautifulSoup(key_findings_html(profile(small_tables, "4012")), "html.parser")
    assert [li.get_text() for li in city("li")] == key_findings(
        profile(small_tables, "4012").indicator_rows(), "Bremerhaven", is_city=True
    )


def test_key_figures_show_residents_area_and_demography(small_tables):
    lehe = profile(small_tables, "13")
    soup = BeautifulSoup(key_figures_html(lehe), "html.parser")
    cards = {dt.get_text(): dd.get_text(" ", strip=True) for dt, dd in zip(soup("dt"), soup("dd"), strict=True)}
    assert cards["Einwohner:innen"] == text.format_count(lehe.population_total)
    # the register's area of Lehe (all its Ortsteile), though the fixture has residents only in Goethestraße
    register = small_tables.districts.set_index("code").at["13", "area_km2"]
    assert cards["Fläche"] == text.format_value(register, "km²", 2).replace(text.NBSP, " ") and register > 0.55
    rows = lehe.indicator_rows("Demografie")
    shown = rows[rows["statistic"] != "count"].head(4)
    assert list(cards)[2:] == shown["name"].tolist()


def test_indicator_table_marks_and_explains_hidden_values(small_tables):
    lehe = profile(small_tables, "13")
    rows = lehe.indicator_rows("Kindergesundheit")
    rows = rows[rows["suppressed"]]
    assert len(rows) >= 5
    page = indicator_table_html(rows, "Kindergesundheit <Lehe>", "Regel & Ausnahme")
    soup = BeautifulSoup(page, "html.parser")
    assert soup.caption.get_text() == "Kindergesundheit <Lehe>" and "<Lehe>" not in page
    assert len(soup.tbody("tr")) == len(rows)
    for row in soup.tbody("tr"):
        value, interval, cases = row("td")[1], row("td")[2], row("td")[-1]
        assert value.get_text() == interval.get_text() == cases.get_text() == SUPPRESSED_MARKER
        assert value.abbr["title"] == "wegen kleiner Fallzahlen nicht ausgewiesen"
    assert soup.select_one("p.table-note").get_text() == f"{SUPPRESSED_MARKER} Regel & Ausnahme"


def test_indicator_table_prints_values_intervals_and_counts_as_german_numbers():
    rows = pd.DataFrame([{
        "name": "Quote", "unit": "%", "period_label": "2024-Q3", "value": 12.345, "lower": 10.0, "upper": 14.56,
        "city_value": 11.0, "comparison_95": "similar", "trend": "not calculated", "suppressed": False,
        "statistic": "proportion", "numerator": 1234.0, "denominator": 10000.0,
    }])  # fmt: skip
    soup = BeautifulSoup(indicator_table_html(rows, "Tabelle"), "html.parser")
    cells = [cell.get_text() for cell in soup.tbody.tr(["th", "td"])]
    assert cells == ["Quote (%)", "3. Quartal 2024", "12,3", "10,0–14,6", "11,0", "ähnlich", "nicht berechnet",
                     "1.234"]  # fmt: skip
    assert soup.select_one("p.table-note") is None


def test_methods_and_appendix(small_tables):
    lehe = profile(small_tables, "13")
    methods = BeautifulSoup(methods_html(lehe), "html.parser")
    assert [h.get_text() for h in methods("h4")] == list(dict.fromkeys(small_tables.catalogue["section"]))
    assert len(methods.select("div.definition")) == len(small_tables.catalogue)
    assert "Datenstand: 31. März 2025." in methods.get_text()
    appendix = BeautifulSoup(appendix_html(lehe), "html.parser")
    assert appendix.caption.get_text() == "Alle Indikatoren für Lehe, 2024"
    assert len(appendix.tbody("tr")) == len(small_tables.catalogue)


def test_every_fragment_escapes_the_area_name(small_tables):
    lehe = profile(small_tables, "13")
    hostile = Profile(replace(lehe.area, name="<b>Lehe</b>"), "2024", small_tables)
    for fragment in (location_html, key_findings_html, appendix_html):
        assert "<b>Lehe</b>" not in fragment(hostile), fragment.__name__
