"""Health outcomes in the reports: life expectancy of women and men, the standardised mortality ratios of the
Ortsteile, women and men side by side for indicators the catalogue has by sex, and the section "Gesundheitliche
Ungleichheit" of the city profile and the overview.

The numbers come from `quartiersprofile.content.outcomes` and the suppressed tables; a hidden value is "•"
everywhere, and a life expectancy PHE's rules do not allow says why it is missing.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from ..content import outcomes as content
from ..content import text
from ..content.charts import outcomes as outcome_charts
from ..content.profile import Profile
from ..content.tables import ProfileTables
from ..model import periods
from ..stats import life_tables
from ..stats.suppression import SUPPRESSED_MARKER
from .fragments import chart_to_html

SUPPRESSED = f"<abbr class='suppressed' title='wegen kleiner Fallzahlen nicht ausgewiesen'>{SUPPRESSED_MARKER}</abbr>"
#: Why PHE's rules give no life expectancy, in the reports' words.
LIFE_EXPECTANCY_REASONS = {
    life_tables.LE_REASON_SMALL_POPULATION: "nicht berechnet: 5.000 Einwohner:innen oder weniger",
    life_tables.LE_REASON_WIDE_INTERVAL: "nicht ausgewiesen: Konfidenzintervall breiter als 20 Jahre",
    life_tables.LE_REASON_NO_FINAL_DEATHS: "nicht berechnet: keine Gestorbenen ab 90 Jahren",
    life_tables.LE_REASON_DEATHS_EXCEED_POPULATION: "nicht berechnet: mehr Gestorbene als Einwohner:innen",
    life_tables.LE_REASON_NO_POPULATION: "nicht berechnet: eine Altersgruppe ohne Einwohner:innen",
    life_tables.LE_REASON_MISSING: "nicht berechnet: Angaben fehlen",
}
LIFE_EXPECTANCY_METHOD = (
    "Lebenserwartung: abgekürzte Sterbetafel nach Chiang (II) mit der Korrektur von Silcocks für die offene "
    "Altersgruppe 90+, wie im R-Paket PHEindicatormethods (Fingertips): Gestorbene und Einwohner:innen nach "
    "Geschlecht und 5-Jahres-Altersgruppen, zusammengefasst über 5 Jahre; nicht berechnet für Gebiete mit "
    "5.000 Einwohner:innen oder weniger, nicht ausgewiesen bei einem 95-%-Konfidenzintervall breiter als 20 Jahre."
)
SMR_METHOD = (
    "Standardisierte Mortalitätsrate (SMR): beobachtete Gestorbene im Verhältnis zu den erwarteten, wenn in jeder "
    "Altersgruppe die Sterberaten Bremerhavens gälten (indirekte Standardisierung), mal 100; Bremerhaven = 100. "
    "Konfidenzintervall exakt nach Poisson unter 10 Gestorbenen, sonst nach Byar."
)
INEQUALITY_METHOD = (
    "Gesundheitliche Ungleichheit: Slope Index of Inequality (SII) und Relative Index of Inequality (RII) wie "
    "phe_sii in PHEindicatormethods. Die Gebiete werden nach {rank} geordnet (am stärksten benachteiligt zuerst) "
    "und nach Einwohnerzahl gewichtet; der SII ist die Differenz der Ausgleichsgeraden zwischen dem am wenigsten "
    "und dem am stärksten benachteiligten Ende, der RII ihr Verhältnis. Konfidenzintervalle aus 100.000 "
    "Simulationen mit festem Startwert. Nur veröffentlichte Werte gehen ein."
)
SEX_LABELS = {"w": "Frauen", "m": "Männer"}


def _number(value: float, decimals: int = 1) -> str:
    """A number as the tables print it, negative ones with a typographic minus sign."""
    return text.format_number(value, decimals).replace("-", "\u2212")


def _badge(comparison: str) -> str:
    label = text.CLASSIFICATION_LABELS[comparison]
    return f"<span class='badge badge-{comparison.replace(' ', '-')}'>{label}</span>"


def _table(caption: str, head: list[str], rows: list[str], numeric: set[int], groups: list[str] | None = None) -> str:
    """A table in the style of the indicator tables. `groups`: a first header row that spans the columns after
    the first in equal parts (e.g. "Frauen", "Männer"); `head` then names the columns within each group."""
    def th(k: int, name: str) -> str:
        return f"<th scope='col' class='{'num' if k in numeric else 'text'}'>{html.escape(name)}</th>"

    if groups:
        span = (len(head) - 1) // len(groups)
        top = f"<tr><th scope='col' rowspan='2' class='text'>{html.escape(head[0])}</th>" + "".join(
            f"<th scope='colgroup' colspan='{span}' class='group'>{html.escape(group)}</th>" for group in groups
        ) + "</tr>"
        header = top + "<tr>" + "".join(th(k, name) for k, name in enumerate(head) if k) + "</tr>"
    else:
        header = "<tr>" + "".join(th(k, name) for k, name in enumerate(head)) + "</tr>"
    return (
        f"<div class='table-scroll' role='region' tabindex='0' aria-label='{html.escape(caption)}'>"
        f"<table class='indicators outcomes'><caption>{html.escape(caption)}</caption><thead>{header}</thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


# --- life expectancy ------------------------------------------------------------------------------------------


def _life_rows(tables: ProfileTables, code: str, period: str) -> pd.DataFrame:
    return content.life_expectancy_rows(tables.outcomes, code, period)


def life_expectancy_html(profile: Profile) -> str:
    """Life expectancy at birth and at 65 of women and men in the area, compared with the city, and its chart.
    An area too small for a life table shows why and its Stadtteil's values instead."""
    if profile.tables.outcomes is None or profile.tables.outcomes.life_expectancy.empty:
        return ""
    rows = _life_rows(profile.tables, profile.area.code, profile.period)
    if rows.empty:
        return ""
    parts = []
    shown_area = profile.area
    if rows["value"].isna().all() and rows["reason"].eq(life_tables.LE_REASON_SMALL_POPULATION).all():
        parent = next((a for a in profile.tables.areas if a.code == profile.area.parent_code), None)
        if parent is None or parent.level != "stadtteil":
            parent = profile.city
        whose = f"des Stadtteils {parent.name}" if parent.level == "stadtteil" else f"der Stadt {parent.name}"
        parts.append(
            f"<p class='note'>Für {html.escape(profile.name)} wird keine Lebenserwartung berechnet: Eine verlässliche "
            f"Sterbetafel braucht mehr als 5.000 Einwohner:innen. Gezeigt werden die Werte {html.escape(whose)}.</p>"
        )
        shown_area = parent
        rows = _life_rows(profile.tables, parent.code, profile.period)
    label = periods.label(rows["period_label"].iloc[0])
    body = []
    for row in rows.sort_values(["age", "sex"], ascending=[True, False]).itertuples():
        hidden = bool(row.suppressed)
        value = SUPPRESSED if hidden else (
            _number(row.value) if not np.isnan(row.value)
            else html.escape(LIFE_EXPECTANCY_REASONS.get(row.reason, text.MISSING))
        )  # fmt: skip
        interval = SUPPRESSED if hidden else (
            text.format_interval(row.lower, row.upper, 1) if not np.isnan(row.value) else text.MISSING
        )  # fmt: skip
        city = _number(row.city_value) if shown_area.level != "stadt" else text.MISSING
        comparison = "" if shown_area.level == "stadt" else _badge(row.comparison if not hidden else "suppressed")
        deaths = SUPPRESSED if hidden else text.format_count(row.deaths)
        body.append(
            f"<tr><th scope='row'>{SEX_LABELS[row.sex]} {outcome_charts.AGE_LABELS[row.age]}</th>"
            f"<td class='num'>{value}</td><td class='num ci'>{interval}</td><td class='num'>{city}</td>"
            f"<td>{comparison}</td><td class='num'>{deaths}</td></tr>"
        )
    caption = f"Lebenserwartung in {shown_area.name} (Jahre), {label}"
    head = ["Gruppe", "Jahre", "95-%-KI", "Bremerhaven", "Vergleich", "Gestorbene (alle Alter)"]
    parts.append(_table(caption, head, body, {1, 2, 3, 5}))
    if rows["suppressed"].any():
        parts.append(f"<p class='table-note'>{SUPPRESSED_MARKER} {html.escape(profile.suppression_note)}</p>")
    chart_rows = rows.assign(value=rows["value"].where(~rows["suppressed"]))
    if shown_area.level == "stadt":  # the city is not drawn against itself
        chart_rows = chart_rows.assign(city_value=np.nan)
    chart = outcome_charts.life_expectancy_chart(chart_rows, shown_area.name)
    parts.append(chart_to_html(chart, f"Lebenserwartung von Frauen und Männern in {shown_area.name}, {label}"))
    return "".join(parts)


# --- standardised mortality ratios ----------------------------------------------------------------------------


def mortality_ratios_html(profile: Profile) -> str:
    """The SMRs of the area's Ortsteile (of the area itself when it is one) for the report period: one row per
    Ortsteil, for each mortality indicator the deaths, the SMR, its 95 % interval and the comparison with 100."""
    if profile.tables.outcomes is None:
        return ""
    members = set(profile.area.members)
    codes = [a.code for a in profile.tables.areas if len(a.members) == 1 and set(a.members) <= members]
    rows = content.mortality_ratio_rows(profile.tables.outcomes, codes, profile.period)
    if rows.empty:
        return ""
    names = {a.code: a.name for a in profile.tables.areas}
    indicators = list(dict.fromkeys(rows["indicator"]))
    by_key = rows.set_index(["area", "indicator"])
    body = []
    for code in dict.fromkeys(rows["area"]):
        cells = []
        for indicator in indicators:
            row = by_key.loc[(code, indicator)] if (code, indicator) in by_key.index else None
            if row is None:
                cells += [text.MISSING] * 3 + [""]
            elif row["suppressed"]:
                cells += [SUPPRESSED] * 3 + [_badge("suppressed")]
            else:
                cells += [
                    text.format_count(row["observed"]), _number(row["value"], 0),
                    text.format_interval(row["lower"], row["upper"], 0), _badge(row["comparison"]),
                ]  # fmt: skip
        body.append(
            f"<tr><th scope='row'>{html.escape(names[code])}</th>"
            + "".join(f"<td class='num'>{c}</td>" if k % 4 != 3 else f"<td>{c}</td>" for k, c in enumerate(cells))
            + "</tr>"
        )
    label = periods.label(rows["period_label"].iloc[0])
    head = ["Ortsteil"] + ["Gestorbene", "SMR", "95-%-KI", "Vergleich"] * len(indicators)
    numeric = {1 + 4 * k + j for k in range(len(indicators)) for j in range(3)}
    caption = f"Standardisierte Mortalitätsrate (SMR, Bremerhaven = 100), {label}"
    groups = [str(profile.catalogue.at[i, "name"]) for i in indicators]
    note = (
        f"<p class='table-note'>{SUPPRESSED_MARKER} {html.escape(profile.suppression_note)}</p>"
        if rows["suppressed"].any() else ""
    )  # fmt: skip
    return _table(caption, head, body, numeric, groups) + note


# --- women and men --------------------------------------------------------------------------------------------


def by_sex_html(profile: Profile, section: str) -> str:
    """The section's indicators that the catalogue has by sex, for women and men side by side (empty when the
    section has none)."""
    table = profile.tables.by_sex
    if table is None or table.empty:
        return ""
    catalogue = profile.catalogue
    ids = [i for i in dict.fromkeys(table["indicator"]) if catalogue.at[i, "section"] == section]
    body, hidden_any, label = [], False, ""
    city = profile.area.level == "stadt"
    width = 2 if city else 4  # the city is not compared with itself
    for indicator in ids:
        own = table[(table["indicator"] == indicator) & (table["area"] == profile.area.code)]
        own = content.in_period(own, profile.period)
        if own.empty:
            continue
        label = periods.label(own["period_label"].iloc[0])
        decimals = text.decimals_for(catalogue.at[indicator, "unit"])
        cells = []
        for sex in ("w", "m"):
            (row,) = own[own["sex"] == sex].itertuples()
            hidden_any |= bool(row.suppressed)
            if row.suppressed:
                shown = [SUPPRESSED, SUPPRESSED, text.MISSING, _badge("suppressed")]
            else:
                shown = [
                    _number(row.value, decimals), text.format_interval(row.lower, row.upper, decimals),
                    _number(row.city_value, decimals), _badge(row.comparison_95),
                ]  # fmt: skip
            cells += shown[:width]
        name = f"{catalogue.at[indicator, 'name']} ({catalogue.at[indicator, 'unit']})"
        body.append(
            f"<tr><th scope='row'>{html.escape(name)}</th>"
            + "".join(f"<td class='num'>{c}</td>" if k % 4 != 3 else f"<td>{c}</td>" for k, c in enumerate(cells))
            + "</tr>"
        )
    if not body:
        return ""
    head = ["Indikator"] + ["Wert", "95-%-KI", "Bremerhaven", "Vergleich"][:width] * 2
    compared = "" if city else " (verglichen mit Frauen bzw. Männern der Stadt)"
    caption = f"{section} nach Geschlecht: {profile.name}, {label}{compared}"
    note = (
        f"<p class='table-note'>{SUPPRESSED_MARKER} {html.escape(profile.suppression_note)}</p>" if hidden_any else ""
    )
    numeric = {1 + width * k + j for k in range(2) for j in range(min(width, 3))}
    return _table(caption, head, body, numeric, [SEX_LABELS["w"], SEX_LABELS["m"]]) + note


# --- inequality -----------------------------------------------------------------------------------------------


def _interval(lower: float, upper: float, decimals: int = 1) -> str:
    """An interval that may hold negative numbers: "−23,0 bis −10,6" (a dash between two minus signs misleads)."""
    if min(lower, upper) >= 0:
        return text.format_interval(lower, upper, decimals)
    return " bis ".join(_number(x, decimals) for x in (lower, upper))


def _measure_order(tables: ProfileTables, rows: pd.DataFrame) -> pd.DataFrame:
    """Life expectancy (women, men) first, then the measured indicators in catalogue order."""
    order = {content.LIFE_EXPECTANCY: -1, **{i: k for k, i in enumerate(tables.catalogue["id"])}}
    key = rows["indicator"].map(order) * 2 + rows["sex"].map({"w": 0, "m": 1, "": 0})
    return rows.assign(_key=key).sort_values("_key", kind="stable").drop(columns="_key")


def inequality_html(tables: ProfileTables, period: str) -> str:
    """The section "Gesundheitliche Ungleichheit": a sentence, the SII and RII of every measured indicator for
    the report period, and one chart of the values against the deprivation rank."""
    if tables.outcomes is None or tables.outcomes.inequality_points.empty:
        return ""
    rows = content.inequality_rows(tables.outcomes, period)
    if rows.empty:
        return ""
    rows = _measure_order(tables, rows)
    catalogue = tables.catalogue.set_index("id", drop=False)
    rank_id = content.marked(tables.catalogue, "inequality", "rank")[0]
    body, sentences, panels = [], [], []
    for _, row in rows.iterrows():
        name, unit = content.measure_name(catalogue, row)
        level = "Stadtteile" if row["level"] == "stadtteil" else "Ortsteile"
        body.append(
            f"<tr><th scope='row'>{html.escape(name)}</th>"
            f"<td class='period'>{html.escape(periods.label(row['period_label']))}</td>"
            f"<td>{level} ({row['areas']})</td><td class='num'>{_number(row['sii'])}</td>"
            f"<td class='num ci'>{_interval(row['sii_lower'], row['sii_upper'])}</td>"
            f"<td class='num'>{_number(row['rii'], 2)}</td>"
            f"<td class='num ci'>{_interval(row['rii_lower'], row['rii_upper'], 2)}</td></tr>"
        )
        sentences.append(f"<li>{html.escape(content.inequality_sentence(catalogue, row))}</li>")
        points = content.inequality_points_of(tables.outcomes, row)
        panels.append({"points": points, "result": row, "name": name, "unit": unit, "level": level})
    head = ["Indikator", "Zeitraum", "Gebiete", "SII", "95-%-KI", "RII", "95-%-KI"]
    intro = (
        f"<p>Wie stark hängen Gesundheit und Lebenslage vom sozialen Umfeld des Wohnorts ab? Die Gebiete werden "
        f"nach {html.escape(catalogue.at[rank_id, 'name'])} geordnet; der Slope Index of Inequality (SII) ist die "
        f"Differenz der Ausgleichsgeraden zwischen dem am wenigsten und dem am stärksten benachteiligten Ende (in "
        f"der Einheit des Indikators, bei Anteilen in Prozentpunkten), der Relative Index (RII) ihr Verhältnis.</p>"
    )
    chart = outcome_charts.inequality_gradients(panels)
    return (
        intro + f"<ul class='findings inequality'>{''.join(sentences)}</ul>"
        + _table("Gesundheitliche Ungleichheit: Slope und Relative Index of Inequality", head, body, {3, 4, 5, 6})
        + chart_to_html(chart, "Werte der Gebiete nach ihrem Rang sozialer Benachteiligung, mit Ausgleichsgerade")
    )


def methods_html(tables: ProfileTables) -> str:
    """The outcome methods for the Methodik section (what the catalogue feeds)."""
    catalogue = tables.catalogue
    items = []
    if content.marked(catalogue, "life_expectancy"):
        items.append(LIFE_EXPECTANCY_METHOD)
    if content.marked(catalogue, "smr"):
        items.append(SMR_METHOD)
    ranking = content.marked(catalogue, "inequality", "rank")
    if ranking:
        items.append(INEQUALITY_METHOD.format(rank=catalogue.set_index("id").at[ranking[0], "name"]))
    return "".join(f"<p class='method'>{html.escape(item)}</p>" for item in items)


def overview_life_expectancy_html(tables: ProfileTables, period: str) -> str:
    """Life expectancy of women and men at birth and at 65 in the city and every Stadtteil, for the overview."""
    if tables.outcomes is None or tables.outcomes.life_expectancy.empty:
        return ""
    shown = [a for a in tables.areas if a.level in ("stadt", "stadtteil")]
    columns = [(sex, age) for age in (0, 65) for sex in ("w", "m")]
    body, label, hidden_any = [], "", False
    for area in shown:
        rows = _life_rows(tables, area.code, period).set_index(["sex", "age"])
        if rows.empty:
            continue
        label = periods.label(rows["period_label"].iloc[0])
        cells = []
        for key in columns:
            row = rows.loc[key]
            hidden_any |= bool(row["suppressed"])
            if row["suppressed"]:
                cells.append(SUPPRESSED)
            elif np.isnan(row["value"]):
                cells.append(f"<abbr title='{html.escape(LIFE_EXPECTANCY_REASONS.get(row['reason'], ''))}'>"
                             f"{text.MISSING}</abbr>")  # fmt: skip
            else:
                badge = "" if area.level == "stadt" else f" {_badge(row['comparison'])}"
                cells.append(f"{_number(row['value'])}{badge}")
        body.append(f"<tr><th scope='row'>{html.escape(area.name)}</th>"
                    + "".join(f"<td class='num'>{c}</td>" for c in cells) + "</tr>")  # fmt: skip
    if not body:
        return ""
    head = ["Gebiet"] + [SEX_LABELS[sex] for sex, _ in columns]
    groups = [f"Lebenserwartung {outcome_charts.AGE_LABELS[age]} (Jahre)" for age in (0, 65)]
    caption = f"Lebenserwartung in Bremerhaven und seinen Stadtteilen, {label} (Vergleich mit der Stadt)"
    note = (
        "<p class='table-note'>– nicht berechnet: Stadtteile mit 5.000 Einwohner:innen oder weniger.</p>"
        + (f"<p class='table-note'>{SUPPRESSED_MARKER} wegen kleiner Fallzahlen nicht ausgewiesen.</p>"
           if hidden_any else "")
    )  # fmt: skip
    return _table(caption, head, body, {1, 2, 3, 4}, groups) + note


def printed_numbers(tables: ProfileTables, codes, period: str) -> set[str]:
    """Every number the outcome parts print for the areas `codes` up to `period`, as text: life expectancy,
    SMRs, the values by sex, and (for a report showing all areas) the slope indices and their fitted lines. They
    come from published counts only, so the disclosure audit takes them as legitimate where they happen to look
    like a hidden value (`publish.audit`)."""
    outcomes = tables.outcomes
    if outcomes is None:
        return set()
    codes = set(codes)
    forms: set[str] = set()

    def add(values, decimals=(0, 1, 2)):
        forms.update(_number(v, d) for v in values if pd.notna(v) for d in decimals)
        forms.update(text.format_number(v, d) for v in values if pd.notna(v) for d in decimals)

    life = outcomes.life_expectancy[outcomes.life_expectancy["area"].isin(codes)]
    ratios = outcomes.mortality_ratios[outcomes.mortality_ratios["area"].isin(codes)]
    for frame, columns in ((life, ("value", "lower", "upper", "city_value")),
                           (ratios, ("value", "lower", "upper", "expected"))):  # fmt: skip
        for column in columns:
            add(frame[column])
    if tables.by_sex is not None:
        shown = tables.by_sex[tables.by_sex["area"].isin(codes) & ~tables.by_sex["suppressed"]]
        for column in ("value", "lower", "upper", "city_value"):
            add(shown[column])
    rows = content.inequality_rows(outcomes, period)
    for column in ("sii", "sii_lower", "sii_upper", "rii", "rii_lower", "rii_upper"):
        add(rows[column].abs(), (1, 2))
        add(rows[column], (1, 2))
    add(rows["intercept"] * rows["scale"], (1,))
    add(rows["intercept"] * rows["scale"] + rows["sii"], (1,))
    return forms - {text.MISSING}
