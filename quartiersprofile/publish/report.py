"""What the template notebooks call: open a profile, display HTML fragments, charts and whole report sections.

A cell of `notebooks/profile.ipynb` makes one call, e.g. ``report.show(report.key_findings_html(profile))``;
the fragments come from `fragments`, the cover and footer texts from `report_info`.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, display

from ..content import charts
from ..content.profile import Profile, open_profile
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

__all__ = [
    "appendix_html",
    "key_figures_html",
    "key_findings_html",
    "location_html",
    "location_map_html",
    "methods_html",
    "open_profile",
    "show",
    "show_chart",
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
        f"{spec['name']} in allen {peers_label} ({spec['unit']}), {profile.period_label}",
    )
    show_chart(
        charts.trend_chart(profile.series(lead), spec["name"], spec["unit"], profile.name),
        f"{spec['name']}: Entwicklung in {profile.name} und Bremerhaven mit 95-%-Konfidenzintervall",
    )


def _city_value(rows: pd.DataFrame, indicator: str) -> float:
    return float(rows.loc[rows["id"] == indicator, "city_value"].iloc[0])
