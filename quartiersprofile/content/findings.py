"""Kernaussagen: a handful of plain German sentences generated from the statistics of one area and period.

Every sentence must be true and checkable in the report's tables:

* **Differences from the city**: only significant ones (the area's 95 % confidence interval excludes the city
  value, column ``comparison_95``); a hidden (suppressed) value never produces a sentence.
* **Which differences, in which order**: strength of evidence first, then size.

  1. Evidence: a difference that is significant at 99.8 % as well (``comparison_998`` agrees; said as "auch bei
     strengerer Prüfung (99,8-%-Konfidenzintervall)") comes before one significant at 95 % only.
  2. Size, on a scale comparable across indicators: the difference from the city divided by the half-width of
     the area's 95 % interval, ``z = |value − city value| / ((upper − lower) / 2)``. This z-like score has no
     unit (percentages, rates per 100,000 and mean numbers of teeth compare directly), is about 1.96 at the edge
     of significance for a symmetric interval, and grows with both the size and the precision of a difference;
     the relative difference used before favoured indicators with small city values whatever their evidence.
     Without an interval the score is 0. Ties keep the catalogue order.

  Every report section with a significant difference is represented by its best difference (when there are
  more such sections than places, the sections with the best differences); the remaining places go to the next
  best differences. One sentence names up to `MAX_PER_SENTENCE` indicators of the same section and direction,
  the next best of that section joining the best ("… sind in Geestendorf mit 32,7 % bzw. 48,5 % signifikant
  höher und damit ungünstiger als in Bremerhaven mit 22,4 % bzw. 36,5 % …"), so that a section with several
  differences is not cut to one; when only the first passes the stricter test, the sentence says so by name
  ("…, der erste Unterschied auch bei strengerer Prüfung (99,8-%-Konfidenzintervall)"). Two values in one
  unit name it once ("mit 842,4 bzw. 246,3 je 100.000 Einw. (altersstandardisiert)").
* **Trends**: significant trends of the last five years take the places the differences leave (one is kept for
  them when the differences do not need every place to represent their sections), smallest p first.
* **What was left out** is said truthfully in one closing sentence: "Bei den übrigen verglichenen Indikatoren
  unterscheidet sich … nicht signifikant von Bremerhaven." only when no significant difference went unmentioned,
  otherwise "Weitere signifikante Unterschiede zu Bremerhaven … zeigen die Tabellen." (likewise for trends).
* **Hidden values**: whenever a value is hidden, the note saying so, always (it does not count against the
  `MAX_STATEMENTS` places).
* **Numbers** are the table cells: value and city value with the unit's decimals (`text.format_value`).
* **Names**: with their article from the catalogue column ``name_in_text`` ("die SGB-II-Quote ist …"); a
  catalogue without it gets the sentence form that names the indicator before a colon ("SGB-II-Quote: in Lehe
  mit …").

* **Life expectancy** at birth of women and men enters as two more rows of the section "Gesundheit und
  Sterblichkeit" (`outcomes.life_expectancy_indicator_rows`), compared with the city like every indicator.
* **The city's inequality**: the city profile opens with the significant gradients of life expectancy by
  deprivation across the Stadtteile (`outcomes.inequality_sentence`, as its section says them); they take places
  of the `MAX_STATEMENTS`.

So a box has at most ``MAX_STATEMENTS + 2`` sentences (8): the slides show it on two slides of four.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from ..model import periods
from . import outcomes
from .text import format_value, format_values, is_missing, sentence

if TYPE_CHECKING:  # the profile imports nothing from here; only for the annotation
    from .profile import Profile

#: Places for the sentences on differences and trends; the closing sentence and the note on hidden values come
#: on top.
MAX_STATEMENTS = 6
#: Indicators named in one sentence on differences.
MAX_PER_SENTENCE = 2
CITY_NAME = "Bremerhaven"
DIFFERENT = ("worse", "better", "higher", "lower")
TREND_WORDS = {"increasing": "gestiegen", "decreasing": "gesunken"}
STRICT = "auch bei strengerer Prüfung (99,8-%-Konfidenzintervall)"
SUPPRESSED_NOTE = "Einige Werte werden wegen kleiner Fallzahlen nicht ausgewiesen (•) und gehen in keine Aussage ein."
#: Closing sentences: what the box leaves out.
MORE_DIFFERENCES = "Weitere signifikante Unterschiede zu {city} zeigen die Tabellen."
MORE_DIFFERENCES_AND_TRENDS = "Weitere signifikante Unterschiede zu {city} und {trends} zeigen die Tabellen."
MORE_TRENDS = "{Trends} zeigen die Tabellen."
REST_SIMILAR = "Bei den übrigen verglichenen Indikatoren unterscheidet sich {area} nicht signifikant von {city}"
NONE_DIFFERENT = "Bei keinem verglichenen Indikator unterscheidet sich {area} signifikant von {city}"


@dataclass(frozen=True)
class Finding:
    """One sentence of the Kernaussagen and what it is about.

    `kind`: ``difference``, ``trend``, ``inequality`` (the city's gradient of life expectancy by deprivation),
    ``rest`` (the closing sentence) or ``suppressed`` (the note on hidden values); `indicators`: the ids of the
    indicators it names (none for the last three).
    """

    text: str
    kind: str
    indicators: tuple[str, ...] = ()


# --- which differences --------------------------------------------------------------------------------------


def _text_name(row: pd.Series) -> str | None:
    """The indicator's name with its article ("die SGB-II-Quote"), or None when the catalogue has none."""
    name = row.get("name_in_text")
    return name.strip() if isinstance(name, str) and name.strip() else None


def _key(row: pd.Series) -> str:
    """What identifies a row: its indicator id (constructed rows without one: the name)."""
    key = row.get("id")
    return str(key) if isinstance(key, str) and key else str(row["name"])


def standardised_difference(rows: pd.DataFrame) -> pd.Series:
    """|value − city value| divided by the half-width of the area's 95 % interval (see the module docstring);
    0 where there is no interval."""
    if not {"lower", "upper"} <= set(rows.columns):
        return pd.Series(0.0, index=rows.index)
    half_width = (rows["upper"].astype(float) - rows["lower"].astype(float)) / 2
    size = (rows["value"].astype(float) - rows["city_value"].astype(float)).abs() / half_width.where(half_width > 0)
    return size.fillna(0.0)


def _visible(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[~rows["suppressed"].astype(bool)]


def _shown(value) -> bool:
    return not is_missing(value)


def ranked_differences(rows: pd.DataFrame) -> pd.DataFrame:
    """The visible significant differences, best first: 99.8 % before 95 % only (`tier` 0 and 1), then by the
    standardised difference (`size`), then catalogue order."""
    visible = _visible(rows)
    numbers_shown = visible["value"].map(_shown) & visible["city_value"].map(_shown)
    chosen = visible[visible["comparison_95"].isin(DIFFERENT) & numbers_shown]
    chosen = chosen.assign(
        tier=(chosen["comparison_998"] != chosen["comparison_95"]).astype(int),
        size=standardised_difference(chosen),
        position=range(len(chosen)),
    )
    return chosen.sort_values(["tier", "size", "position"], ascending=[True, False, True], kind="stable")


def _direction(row: pd.Series) -> str:
    """"höher", "niedriger", or for a judged difference "höher und damit ungünstiger" etc."""
    outcome = row["comparison_95"]
    if outcome in ("higher", "lower"):
        return "höher" if outcome == "higher" else "niedriger"
    polarity = row.get("polarity")
    if polarity == "higher_is_worse":
        higher = outcome == "worse"
    elif polarity == "higher_is_better":
        higher = outcome == "better"
    else:  # the polarity is not known here: the interval excludes the city value, so the value tells
        higher = float(row["value"]) > float(row["city_value"])
    judgement = "ungünstiger" if outcome == "worse" else "günstiger"
    return f"{'höher' if higher else 'niedriger'} und damit {judgement}"


def _difference_groups(ranked: pd.DataFrame) -> list[list[pd.Series]]:
    """The ranked differences in sentence-sized groups, best first: up to MAX_PER_SENTENCE indicators of the same
    section and direction, in rank order (so a 99.8 % difference comes before a 95 % one in its group)."""
    open_groups: dict[tuple, list[pd.Series]] = {}
    groups: list[list[pd.Series]] = []
    for _, row in ranked.iterrows():
        key = (row.get("section", ""), _direction(row))
        group = open_groups.get(key)
        if group is None or len(group) >= MAX_PER_SENTENCE:
            group = open_groups[key] = []
            groups.append(group)
        group.append(row)
    return groups


def _choose(groups: list[list[pd.Series]], places: int) -> list[list[pd.Series]]:
    """The groups to say, in rank order: first the best group of each section (as many sections as places),
    then the next best groups."""
    best_of_section: dict[str, int] = {}
    for number, group in enumerate(groups):
        best_of_section.setdefault(group[0].get("section", ""), number)
    chosen = sorted(best_of_section.values())[:places]
    rest = [number for number in range(len(groups)) if number not in chosen]
    chosen += rest[: places - len(chosen)]
    return [groups[number] for number in sorted(chosen)]


# --- sentences ----------------------------------------------------------------------------------------------


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _alternatives(values: list, units: list) -> str:
    """"32,7 %", or for two "32,7 % bzw. 48,5 %", a shared unit once: "842,4 bzw. 246,3 je 100.000 Einw."."""
    if len(set(units)) == 1:
        return format_values(values, units[0])
    return " bzw. ".join(format_value(value, unit) for value, unit in zip(values, units, strict=True))


#: Units that are plural nouns take the dative after "mit" ("mit 82,7 Jahren", "mit 2,1 Zähnen").
DATIVE_UNITS = {"Jahre": "Jahren", "Zähne": "Zähnen"}


def difference_sentence(group: list[pd.Series], area_name: str, city_name: str = CITY_NAME) -> str:
    """One sentence on the significant differences of up to MAX_PER_SENTENCE indicators of one group."""
    units = [DATIVE_UNITS.get(row["unit"], row["unit"]) for row in group]
    values = _alternatives([row["value"] for row in group], units)
    city_values = _alternatives([row["city_value"] for row in group], units)
    # "als in Bremerhaven mit …", not in brackets: a unit may have its own ("je 100.000 Einw. (altersstandardisiert)")
    claim = f"mit {values} signifikant {_direction(group[0])} als in {city_name} mit {city_values}"
    passed = [row["tier"] == 0 for row in group]
    if all(passed):
        strict = f", {STRICT}"
    elif any(passed):  # the first of two, as they are ranked by evidence
        strict = f", der erste Unterschied {STRICT}"
    else:
        strict = ""
    names = [_text_name(row) for row in group]
    if all(names):
        verb = "ist" if len(group) == 1 else "sind"
        return sentence(f"{_capitalised(' und '.join(names))} {verb} in {area_name} {claim}{strict}")
    return sentence(f"{' und '.join(row['name'] for row in group)}: in {area_name} {claim}{strict}")


def _in_period(label: str) -> str:
    """"im Jahr 2024", "im 3. Quartal 2024", "in den Jahren 2022–2024" (words, not brackets: a unit may have
    its own)."""
    if len(periods.span_years(label)) > 1:
        return f"in den Jahren {periods.label(label)}"
    return f"im {periods.label(label)}" if periods.is_quarter(label) else f"im Jahr {periods.label(label)}"


def trend_sentence(row: pd.Series) -> str:
    """One sentence on an indicator's significant trend, with its latest value and period."""
    change = (
        f"in den letzten fünf Jahren signifikant {TREND_WORDS[row['trend']]}, zuletzt auf "
        f"{format_value(row['value'], row['unit'])} {_in_period(row['period_label'])}"
    )
    name = _text_name(row)
    return sentence(f"{_capitalised(name)} ist {change}" if name else f"{row['name']}: {change}")


def ranked_trends(rows: pd.DataFrame) -> pd.DataFrame:
    """The visible significant trends with a value to quote, smallest p first (ties: catalogue order)."""
    visible = _visible(rows)
    trends = visible[visible["trend"].isin(list(TREND_WORDS)) & visible["value"].map(_shown)]
    return trends.assign(position=range(len(trends))).sort_values(["trend_p", "position"], kind="stable")


def _closing(
    rows: pd.DataFrame, area_name: str, city_name: str, is_city: bool, named: int, more: bool, trends: tuple[int, bool]
) -> str | None:
    """The sentence on what the box leaves out: `named` differences were said, `more` were left out; `trends`:
    (said, some left out)."""
    trends_said, more_trends = trends
    trend_words = "weitere signifikante Trends" if trends_said else "signifikante Trends"
    if more and more_trends:
        return MORE_DIFFERENCES_AND_TRENDS.format(city=city_name, trends=trend_words)
    if more:
        return MORE_DIFFERENCES.format(city=city_name)
    trend_note = MORE_TRENDS.format(Trends=_capitalised(trend_words)) if more_trends else ""
    similar = not is_city and (_visible(rows)["comparison_95"] == "similar").any()
    if not similar:
        return trend_note or None
    template = REST_SIMILAR if named else NONE_DIFFERENT
    rest = template.format(area=area_name, city=city_name)
    return f"{rest}; {trend_note[0].lower()}{trend_note[1:]}" if trend_note else f"{rest}."


def select_findings(
    rows: pd.DataFrame, area_name: str, is_city: bool = False, city_name: str = CITY_NAME, first: tuple = ()
) -> list[Finding]:
    """The Kernaussagen of an area, from its indicator rows of the reporting period (columns as
    `Profile.indicator_rows`; ``name_in_text``, ``section``, ``lower``/``upper`` and ``polarity`` are optional).

    The city (`is_city`) is its own benchmark: only its trends are said. `first`: findings said before all
    others (the city's inequality), taking places of the `MAX_STATEMENTS`."""
    statements = MAX_STATEMENTS - len(first)
    differences = pd.DataFrame() if is_city else ranked_differences(rows)
    groups = _difference_groups(differences) if len(differences) else []
    trends = ranked_trends(rows)
    sections = len({group[0].get("section", "") for group in groups})
    places = statements - (1 if len(trends) and sections < statements else 0)
    chosen = _choose(groups, places)

    said = list(first) + [
        Finding(difference_sentence(group, area_name, city_name), "difference", tuple(_key(r) for r in group))
        for group in chosen
    ]
    named = {key for finding in said for key in finding.indicators}
    shown_trends = trends.head(max(MAX_STATEMENTS - len(said), 0))
    said += [Finding(trend_sentence(row), "trend", (_key(row),)) for _, row in shown_trends.iterrows()]

    more = any(_key(row) not in named for _, row in differences.iterrows())
    closing = _closing(
        rows, area_name, city_name, is_city, len(named), more, (len(shown_trends), len(trends) > len(shown_trends))
    )
    if closing:
        said.append(Finding(closing, "rest"))
    if rows["suppressed"].astype(bool).any():
        said.append(Finding(SUPPRESSED_NOTE, "suppressed"))
    return said


def key_findings(rows: pd.DataFrame, area_name: str, is_city: bool = False, city_name: str = CITY_NAME) -> list[str]:
    """The sentences of the Kernaussagen box (see `select_findings`)."""
    return [finding.text for finding in select_findings(rows, area_name, is_city, city_name)]


def profile_rows(profile: Profile) -> pd.DataFrame:
    """The profile's indicator rows with the catalogue's ``name_in_text`` (empty when the catalogue has none),
    and life expectancy at birth of women and men as two more rows (`outcomes.life_expectancy_indicator_rows`)."""
    rows = profile.indicator_rows()
    if "name_in_text" not in rows.columns:
        names = profile.catalogue["name_in_text"] if "name_in_text" in profile.catalogue else pd.Series(dtype=str)
        rows["name_in_text"] = rows["id"].map(names)
    life = outcomes.life_expectancy_indicator_rows(profile.tables.outcomes, profile.area.code, profile.period)
    return pd.concat([rows, life], ignore_index=True) if len(life) else rows


def inequality_findings(profile: Profile) -> tuple[Finding, ...]:
    """For the city: the significant gradients of life expectancy by deprivation (women, men), one sentence each
    as the section "Gesundheitliche Ungleichheit" says them."""
    if profile.area.level != "stadt" or profile.tables.outcomes is None:
        return ()
    rows = outcomes.inequality_rows(profile.tables.outcomes, profile.period)
    rows = rows[rows["indicator"] == outcomes.LIFE_EXPECTANCY].sort_values("sex", ascending=False)  # w, m
    return tuple(
        Finding(outcomes.inequality_sentence(profile.catalogue, row), "inequality")
        for _, row in rows.iterrows()
        if outcomes.is_significant(row)
    )


def profile_findings(profile: Profile) -> list[Finding]:
    """The Kernaussagen of a profile: the report's box and the slides say these."""
    return select_findings(
        profile_rows(profile), profile.name, is_city=profile.area.level == "stadt", city_name=profile.city.name,
        first=inequality_findings(profile),
    )  # fmt: skip


def profile_key_findings(profile: Profile) -> list[str]:
    """The sentences of `profile_findings`."""
    return [finding.text for finding in profile_findings(profile)]

