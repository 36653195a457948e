"""Reporting periods (quartiersprofile.model.periods): parsing, order, German labels, pooled spans, and which
period of a series a report period shows."""

import doctest
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from quartiersprofile.model import periods
from quartiersprofile.model.periods import Period


def test_sort_key_puts_a_year_with_its_fourth_quarter():
    assert sorted(["2024", "2023-Q4", "2024-Q1", "2023-Q1"], key=periods.sort_key) == [
        "2023-Q1",
        "2023-Q4",
        "2024-Q1",
        "2024",
    ]
    assert periods.sort_key("2024") == periods.sort_key("2024-Q4")
    with pytest.raises(ValueError, match="2024Q3"):
        periods.sort_key("2024Q3")


def test_align_to_the_frequency_of_an_indicator():
    assert periods.align("2024-Q2", "annual") == "2024"
    assert periods.align("2024", "quarterly") == "2024-Q4"
    assert periods.align("2024-Q3", "quarterly") == "2024-Q3"
    assert periods.align("2024", "annual") == "2024"


def test_parse():
    assert Period.parse("2024") == Period(2024, None)
    assert (Period.parse("2024-Q2").year, Period.parse("2024-Q2").quarter) == (2024, 2)
    assert str(Period.parse("2024-Q2")) == "2024-Q2" and str(Period.parse("2024")) == "2024"
    assert Period.parse("2024-Q2").is_quarter and not Period.parse("2024").is_quarter


@pytest.mark.parametrize("bad", ["2024-Q5", "24", "2024Q3", "2024-03", "", "2022–2024"])
def test_parse_rejects_unknown_forms(bad):
    with pytest.raises(ValueError, match="Quartal"):
        Period.parse(bad)


@pytest.mark.parametrize(
    ("period", "expected", "abbreviated"),
    [
        ("2024", "2024", "2024"),
        ("2024-Q1", "1. Quartal 2024", "Q1 2024"),
        ("2024-Q3", "3. Quartal 2024", "Q3 2024"),
        ("2023-Q4", "4. Quartal 2023", "Q4 2023"),
    ],
)
def test_german_labels(period, expected, abbreviated):
    assert Period.parse(period).label() == expected
    assert Period.parse(period).label(abbreviated=True) == abbreviated
    assert periods.label(period) == expected


def test_labels_of_pooled_spans_are_the_span():
    assert periods.label("2022–2024") == "2022–2024"


def test_season_and_quarter():
    assert [periods.season(p) for p in ("2024", "2024-Q1", "2023-Q3")] == ["", "-Q1", "-Q3"]
    assert periods.is_quarter("2024-Q4") and not periods.is_quarter("2024")


def test_latest_prefers_the_year_over_its_fourth_quarter():
    assert periods.latest(["2023", "2024-Q4", "2024", "2024-Q3"]) == "2024"
    assert periods.latest(["2024-Q4", "2024", "2023"]) == "2024"
    assert periods.latest(["2023", "2024-Q1"]) == "2024-Q1"


def test_matching_is_the_latest_period_up_to_the_report_period():
    annual = ["2021", "2022", "2023", "2024"]
    quarterly = ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2023-Q4"]
    assert periods.matching(annual, "2024") == "2024"
    assert periods.matching(quarterly, "2024") == "2024-Q4"  # a year is served by its last quarter
    assert periods.matching(quarterly, "2024-Q2") == "2024-Q2"
    assert periods.matching(["2019", "2023"], "2024") == "2023"  # not collected every year: its latest value
    assert periods.matching(annual, "2020") is None
    assert periods.matching(annual, "2024-Q4") == "2024"


def test_an_annual_value_serves_every_quarter_of_its_year():
    annual = ["2022", "2023", "2024"]
    assert [periods.matching(annual, f"2024-Q{q}") for q in (1, 2, 3, 4)] == ["2024"] * 4


def test_has_data_for_looks_at_the_year():
    assert periods.has_data_for(["2023", "2024-Q1"], "2024")
    assert periods.has_data_for(["2024"], "2024-Q3")
    assert not periods.has_data_for(["2023", "2023-Q4"], "2024")


def test_pooled_spans():
    assert periods.span(2024, 3) == "2022–2024"
    assert periods.span_years("2022–2024") == ("2022", "2023", "2024")
    assert periods.span_years("2024-Q3") == ("2024-Q3",)
    assert periods.span_years("2024") == ("2024",)
    with pytest.raises(ValueError, match="erste Jahr"):
        periods.span_years("2024–2022")


def test_docstring_examples():
    assert doctest.testmod(periods).failed == 0


# --- one label for every place ----------------------------------------------------------------------------------
# A quarter is named one way wherever a reader meets it in text ("3. Quartal 2024", `periods.label`): reports,
# overview and slides. Only chart axis ticks abbreviate, through `Period.label(abbreviated=True)`.

PACKAGE = Path(periods.__file__).resolve().parents[1]
QUARTER_FORMS = re.compile(r"\bQ[1-4] 20[0-9]{2}\b|\b20[0-9]{2}-Q[1-4]\b")


def test_only_the_chart_axis_ticks_abbreviate_a_period():
    uses = {
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if "abbreviated=True" in path.read_text("utf-8") and path.name != "periods.py"
    }
    assert uses <= {"content/charts/style.py"}
    assert not hasattr(periods, "short_label")


def _visible_text(fragment: str) -> str:
    return BeautifulSoup(fragment, "html.parser").get_text(" ")


def test_overview_texts_name_quarters_in_words(bundled_tables):
    from quartiersprofile.content.overview import section_maps
    from quartiersprofile.publish import overview

    assert overview._period_note("2024-Q4", "2024") == "4. Quartal 2024"
    assert overview._period_note("2024", "2024") == ""
    intro = _visible_text(overview.rankings_html(bundled_tables, "2024-Q3", "Soziale Lage"))
    assert "3. Quartal 2024" in intro and not QUARTER_FORMS.search(intro)
    captions = [caption for caption, chart in section_maps(bundled_tables, "2024")]
    assert any("4. Quartal 2024" in caption for caption in captions)
    assert not any(QUARTER_FORMS.search(caption) for caption in captions)


def test_slides_and_report_name_quarters_in_words(bundled_tables):
    from quartiersprofile.content.profile import Profile
    from quartiersprofile.publish import fragments, slides

    (lehe,) = [a for a in bundled_tables.areas if a.code == "13"]
    profile = Profile(lehe, "2024", bundled_tables)
    lead = _visible_text(slides.lead_indicator_html(profile, "Soziale Lage"))  # quarterly SGB-II data
    assert "4. Quartal 2024" in lead and not QUARTER_FORMS.search(lead)
    table = _visible_text(fragments.indicator_table_html(profile.indicator_rows("Soziale Lage"), "Soziale Lage"))
    assert "4. Quartal 2024" in table and not QUARTER_FORMS.search(table)
    assert Profile(lehe, "2024-Q3", bundled_tables).period_label == "3. Quartal 2024"
    city = next(a for a in bundled_tables.areas if a.level == "stadt")
    said = " ".join(slides.key_findings(Profile(city, "2024-Q3", bundled_tables)))  # the city's trends
    assert "im 3. Quartal 2024" in said and not QUARTER_FORMS.search(said)
