"""What the template notebooks call (quartiersprofile.publish.report): each call displays HTML fragments only."""

from __future__ import annotations

import dataclasses

import pytest
from bs4 import BeautifulSoup

from quartiersprofile.content.profile import Profile
from quartiersprofile.publish import report


@pytest.fixture
def shown(monkeypatch) -> list[str]:
    fragments: list[str] = []
    monkeypatch.setattr(report, "show", fragments.append)
    return fragments


def test_a_section_is_its_table_the_lead_indicator_among_the_peers_and_its_trend(small_tables, shown):
    (lehe,) = [a for a in small_tables.areas if a.code == "13"]
    profile = Profile(lehe, "2024", small_tables)
    report.show_section(profile, "Wohnumfeld")
    table, bars, trend = (BeautifulSoup(fragment, "html.parser") for fragment in shown)
    assert table.caption.get_text() == "Wohnumfeld: Lehe im Vergleich mit Bremerhaven"
    lead = profile.catalogue.loc[profile.lead_indicator("Wohnumfeld")]
    assert bars.figcaption.get_text() == f"{lead['name']} in allen Stadtteilen ({lead['unit']}), 2024"
    assert trend.figcaption.get_text().startswith(f"{lead['name']}: Entwicklung in Lehe und Bremerhaven")
    assert bars.img["alt"] and trend.img["alt"]


def test_a_section_without_a_lead_indicator_is_its_table_only(small_tables, shown):
    (lehe,) = [a for a in small_tables.areas if a.code == "13"]
    table = small_tables.indicators
    section = table["indicator"].map(small_tables.catalogue.set_index("id")["section"]) == "Kindergesundheit"
    hidden = dataclasses.replace(small_tables, indicators=table.assign(suppressed=table["suppressed"] | section))
    report.show_section(Profile(lehe, "2024", hidden), "Kindergesundheit")  # every value hidden
    assert len(shown) == 1 and "table" in shown[0]


def test_the_notebook_api():
    assert set(report.__all__) <= set(dir(report))
    assert report.open_profile.__module__ == "quartiersprofile.content.profile"
