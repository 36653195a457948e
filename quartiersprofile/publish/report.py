"""What the template notebooks call: open a profile, display HTML fragments, charts and whole report sections.

A cell of `notebooks/profile.ipynb` makes one call, e.g. ``report.show(report.key_findings_html(profile))``;
the fragments come from `fragments`, the cover and footer texts from `report_info`.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, display

from ..content import charts
from ..content.insight_rows import spine_rows
from ..content.profile import Profile, open_profile
from ..model import periods
from . import outcomes
from .fragments import (
    appendix_html,
    chart_to_html,
    indicator_table_html,
    key_figures_html,
    key_findings_html,
    location_html,
    location_map_html,
    methods_html,
)
from .insight import changes_html, index_html, overview_index_html, overview_similar_html, similar_areas_html
from .outcomes import (
    by_sex_html,
    inequality_html,
    life_expectancy_html,
    mortality_ratios_html,
    overview_life_expectancy_html,
)
from .projection import methods_html as projection_methods_html
from .projection import overview_html as projection_overview_html
from .projection import pyramid_html as projection_pyramid_html
from .projection import sentences_html as projection_sentences_html
from .projection import show_city_comparison as show_projection_comparison
from .projection import table_html as projection_table_html

__all__ = [
    "appendix_html",
    "changes_html",
    "index_html",
    "overview_index_html",
    "overview_similar_html",
    "similar_areas_html",
    "spine_rows",
    "inequality_section_html",
    "key_figures_html",
    "life_expectancy_html",
    "mortality_ratios_html",
    "outcome_methods_html",
    "inequality_html",
    "overview_life_expectancy_html",
    "key_findings_html",
    "location_html",
    "location_map_html",
    "methods_html",
    "open_profile",
    "projection_methods_html",
    "projection_overview_html",
    "projection_pyramid_html",
    "projection_sentences_html",
    "projection_table_html",
    "show",
    "show_chart",
    "show_projection_comparison",
    "show_section",
]

def show(fragment: str) -> None:
    """Display an HTML fragment as the cell's only output (nothing else reaches the report)."""
    display(HTML(fragment))


def show_chart(chart: charts.Chart, caption: str) -> None:
    show(chart_to_html(chart, caption))


def show_section(profile: Profile, section: str) -> None:
    """A report section: its indicator table, the lead indicator among all peers, and its trend."""
    rows = profile.indicator_rows(section)
    show(
        indicator_table_html(rows, f"{section}: {profile.name} im Vergleich mit Bremerhaven", profile.suppression_note)
        + by_sex_html(profile, section)  # women and men side by side, where the catalogue has them
    )
    lead = profile.lead_indicator(section)
    if lead is None:
        return
    spec = profile.catalogue.loc[lead]
    peers_label = "Ortsteilen" if profile.area.peer_level == "ortsteil" else "Stadtteilen"
    show_chart(
        charts.district_bars(
            profile.peer_values(lead), profile.area.code, _city_value(rows, lead), spec["name"], spec["unit"]
        ),
        f"{spec['name']} in allen {peers_label} ({spec['unit']}), {periods.label(_lead_row(rows, lead).period_label)}",
    )
    show_chart(
        charts.trend_chart(profile.series(lead), spec["name"], spec["unit"], profile.name),
        f"{spec['name']}: Entwicklung in {profile.name} und Bremerhaven mit 95-%-Konfidenzintervall",
    )


def inequality_section_html(profile: Profile) -> str:
    """The section "Gesundheitliche Ungleichheit" with its heading, in the city profile only (empty elsewhere)."""
    if profile.area.level != "stadt":
        return ""
    section = inequality_html(profile.tables, profile.period)
    return f"<h2>Gesundheitliche Ungleichheit</h2>{section}" if section else ""


def outcome_methods_html(profile: Profile) -> str:
    """How life expectancy, SMRs and the inequality indices are computed (for the Methodik section)."""
    return outcomes.methods_html(profile.tables)


def _lead_row(rows: pd.DataFrame, indicator: str) -> pd.Series:
    return rows.loc[rows["id"] == indicator].iloc[0]


def _city_value(rows: pd.DataFrame, indicator: str) -> float:
    return float(rows.loc[rows["id"] == indicator, "city_value"].iloc[0])
