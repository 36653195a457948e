"""Reporting periods (quartiersprofile.model.periods): parsing, order, German labels, pooled spans, and which
period of a series a report period shows."""

import doctest

import pytest

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
    assert periods.short_label(period) == abbreviated


def test_labels_of_pooled_spans_are_the_span():
    assert periods.label("2022–2024") == "2022–2024"
    assert periods.short_label("2022–2024") == "2022–2024"


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
