"""The insight as a reader gets it (quartiersprofile.publish.insight, insight_cells and their places in fragments,
downloads, cover and slides), on the sample data; and the disclosure audit over every new section: no hidden
value is shown, and a hidden value put into the new column would be found."""

from __future__ import annotations

import csv
import html
import io

import pytest
from bs4 import BeautifulSoup

from quartiersprofile.content import charts, insight, insight_rows, insight_text, text
from quartiersprofile.content.profile import Profile
from quartiersprofile.content.tables import latest_period
from quartiersprofile.publish import audit, downloads, fragments, report, slides
from quartiersprofile.publish import insight as insight_html
from quartiersprofile.publish.cover import report_info
from quartiersprofile.publish.insight_cells import NEIGHBOURS_HEADER

CODES = ("212", "13", "4012")  # Geestendorf, Lehe, the city: the profiles the issue names


@pytest.fixture(scope="module")
def truth(bundled_dataset, bundled_tables):
    """The sample data's tables and the cells the rule hides (with their true values), computed once."""
    return bundled_tables, audit.hidden_cells(bundled_dataset, bundled_tables)


@pytest.fixture(scope="module")
def period(bundled_tables) -> str:
    return latest_period(bundled_tables)


def profile(tables, code, period):
    return Profile(next(a for a in tables.areas if a.code == code), period, tables)


def sections(profile) -> str:
    """Every fragment the insight adds or changes, as one page (of the Kernaussagen and the Methodik only the
    insight's own sentences: the others' are audited with their own sections)."""
    own = [insight_text.index_sentence(profile) or ""]
    own += [insight_text.contrast_sentence(row, profile) for _, row in insight_text.contrasts(profile).iterrows()]
    own += [paragraph for _, paragraph in insight_text.methods_paragraphs(profile)]
    return "".join([
        "".join(f"<p>{html.escape(sentence)}</p>" for sentence in own),
        insight_html.changes_html(profile),
        insight_html.index_html(profile),
        insight_html.similar_areas_html(profile),
        fragments.chart_to_html(charts.spine_chart(insight_rows.spine_rows(profile)), "Spine"),
        fragments.appendix_html(profile),
        insight_html.index_slide_html(profile),
    ])  # fmt: skip


@pytest.mark.parametrize("code", CODES)
def test_the_new_sections_and_downloads_show_no_hidden_value(truth, period, code):
    tables, hidden = truth
    area = profile(tables, code, period)
    outputs = {"html": sections(area).encode(), **downloads.download_files(area, "test")}
    assert audit.audit_job_outputs(outputs, hidden, tables, code, period) == []


def test_the_overview_sections_show_no_hidden_value(truth, period):
    tables, hidden = truth
    page = insight_html.overview_index_html(tables, period) + insight_html.overview_similar_html(tables, period)
    assert audit.audit_job_outputs({"html": page.encode()}, hidden, tables, None, period) == []


def test_a_hidden_value_in_the_similar_areas_column_would_be_found(truth, period):
    tables, hidden = truth
    area = profile(tables, "212", period)
    rows = area.indicator_rows()
    position = rows.index[rows["suppressed"].astype(bool)][0]
    rows.loc[position, "neighbours_value"] = 12.3  # what a benchmark of a hidden row must never show
    rows.loc[position, "neighbours_comparison"] = "similar"
    page = fragments.indicator_table_html(rows, "Alle Indikatoren")
    leaks = audit.audit_job_outputs({"html": page.encode()}, hidden, tables, "212", period)
    assert leaks and all(f"Spalte {NEIGHBOURS_HEADER}" in leak.where for leak in leaks)


def test_the_indicator_table_has_the_similar_areas_column_and_the_target(bundled_tables, period):
    area = profile(bundled_tables, "212", period)
    rows = area.indicator_rows()
    soup = BeautifulSoup(fragments.indicator_table_html(rows, "Alle"), "html.parser")
    header = [th.get_text(strip=True) for th in soup.thead("th")]
    assert header[header.index("Vergleich") + 1] == NEIGHBOURS_HEADER
    column = header.index(NEIGHBOURS_HEADER)
    for tr, (_, row) in zip(soup.tbody("tr"), rows.iterrows(), strict=True):
        cell = tr(["th", "td"])[column].get_text(" ", strip=True)
        if row["suppressed"] or text.is_missing(row["neighbours_value"]):
            assert cell == text.MISSING
        else:
            words = text.CLASSIFICATION_LABELS[row["neighbours_comparison"]]
            assert cell == f"{insight_text.format_derived(row['neighbours_value'])} {words}"
    kig04 = rows.index[rows["id"] == "KIG04"][0]
    badge = soup.tbody("tr")[kig04].select_one(".badge-target")
    assert badge.get_text() == f"Ziel 95\u00a0%: {'erreicht' if rows.at[kig04, 'value'] >= 95 else 'nicht erreicht'}"
    city = fragments.indicator_table_html(profile(bundled_tables, "4012", period).indicator_rows(), "Stadt")
    assert NEIGHBOURS_HEADER not in city  # the city has no similar areas


def test_the_download_has_the_benchmarks_blank_in_hidden_rows(bundled_tables, period):
    area = profile(bundled_tables, "212", period)
    rows = list(csv.reader(io.StringIO(downloads.download_files(area)["csv"].decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    for name in ("Ähnliche Gebiete", "Vergleich ähnliche Gebiete (95 %)", "Zielwert", "Vergleich Zielwert"):
        assert name in header
    hidden = header.index("Unterdrückt")
    for line in body:
        new = [line[header.index(n)] for n in ("Ähnliche Gebiete", "Ähnliche Gebiete KI 95 % unten", "Zielwert")]
        if line[hidden]:
            assert new == ["", "", ""]
    kig04 = next(line for line in body if line[header.index("Kennziffer")] == "KIG04")
    assert kig04[header.index("Zielwert")] in ("95,0", "")


def test_the_cover_names_the_index_class(bundled_tables, period):
    info = report_info(profile(bundled_tables, "212", period), "b1")
    position = insight_rows.index_position(profile(bundled_tables, "212", period))
    assert info.cover_lines == (
        f"Gesundheits- und Sozialindex: Klasse {int(position['index_class'])} von 5 "
        f"({insight.class_label(position['index_class'])}), Rang {int(position['rank'])} von 20 Ortsteilen",
    )
    assert report_info(profile(bundled_tables, "4012", period), "b1").cover_lines == ()


def test_the_report_and_the_slides_share_the_key_findings(bundled_tables, period):
    area = profile(bundled_tables, "212", period)
    soup = BeautifulSoup(fragments.key_findings_html(area), "html.parser")
    assert [li.get_text() for li in soup("li")] == slides.key_findings(area) == insight_text.key_findings(area)
    assert slides.key_findings(area)[0] == insight_text.index_sentence(area)


def test_the_sections_of_a_profile(bundled_tables, period):
    area = profile(bundled_tables, "212", period)
    changes = BeautifulSoup(report.changes_html(area), "html.parser")
    assert changes.p.get_text().startswith("Verglichen werden die Werte dieses Berichts (2024)")
    index = BeautifulSoup(report.index_html(area), "html.parser")
    assert index.select_one("figure.chart img[alt]") and index.select_one("table.insight-loadings")
    assert len(index.select("table.insight-loadings tbody tr")) == 9
    similar = BeautifulSoup(report.similar_areas_html(area), "html.parser").get_text(" ")
    for name in insight_rows.similar_areas(area)["name"]:
        assert name in similar
    lehe = BeautifulSoup(report.index_html(profile(bundled_tables, "13", period)), "html.parser")
    assert lehe.select_one("table.insight-ranking")  # the Stadtteile ranked
    assert "keine ähnlichen Gebiete" in report.similar_areas_html(profile(bundled_tables, "25", period))


def test_the_overview_sections(bundled_tables, period):
    soup = BeautifulSoup(report.overview_index_html(bundled_tables, period), "html.parser")
    assert len(soup.select("figure.chart")) == 2  # the ranking and the map
    assert soup.select_one("table.insight-ranking") and soup.select_one("table.insight-loadings")
    similar = BeautifulSoup(report.overview_similar_html(bundled_tables, period), "html.parser")
    assert len(similar.select("table.insight-neighbours")) == 2
    assert "Masern-Impfquote (2 Dosen), Zielwert 95\u00a0%" in similar.get_text(" ")


def test_no_index_gives_a_note(small_tables):
    area = profile(small_tables, "13", latest_period(small_tables))
    assert "keinen Gesundheits- und Sozialindex" in insight_html.index_html(area)
    assert insight_html.index_slide_html(area) == ""
