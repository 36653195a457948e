"""Reporting periods: a year ("2024"), a quarter ("2024-Q3") and pooled spans of years ("2022–2024").

Tables carry periods as these strings; this module is the one place that parses, orders and names them.
A year sorts together with its fourth quarter (population and annual values refer to 31.12.), and when a
year and its fourth quarter tie, the year is the later one: it is the complete period.

>>> Period.parse("2024-Q3").label()
'3. Quartal 2024'
>>> sorted(["2024", "2024-Q1", "2023-Q4"], key=sort_key)
['2023-Q4', '2024-Q1', '2024']
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from babel.dates import format_date as babel_format_date

YEAR_PATTERN = r"^[0-9]{4}$"
QUARTER_PATTERN = r"^[0-9]{4}-Q[1-4]$"
SPAN_DASH = "–"  # en dash, as printed: "2022–2024"
LOCALE = "de_DE"
_PERIOD = re.compile(r"(?P<year>[0-9]{4})(?:-Q(?P<quarter>[1-4]))?")
_SPAN = re.compile(rf"(?P<first>[0-9]{{4}}){SPAN_DASH}(?P<last>[0-9]{{4}})")


@dataclass(frozen=True)
class Period:
    """A year (`quarter` None) or a quarter of a year."""

    year: int
    quarter: int | None = None

    @staticmethod
    @functools.lru_cache(maxsize=1024)
    def parse(text: str) -> Period:
        """The period of "2024" or "2024-Q3"; anything else is a ValueError that says what is expected."""
        match = _PERIOD.fullmatch(str(text))
        if match is None:
            raise ValueError(
                f"Zeitraum {text!r} ist weder ein Jahr wie '2024' noch ein Quartal wie '2024-Q3'."
            )
        quarter = match["quarter"]
        return Period(int(match["year"]), int(quarter) if quarter else None)

    def __str__(self) -> str:
        return f"{self.year}" if self.quarter is None else f"{self.year}-Q{self.quarter}"

    @property
    def is_quarter(self) -> bool:
        return self.quarter is not None

    @property
    def sort_key(self) -> tuple[int, int]:
        """A year sorts as its end, i.e. equal to its fourth quarter."""
        return self.year, self.quarter or 4

    @property
    def season(self) -> str:
        """What the period shares with the same period of other years: "" for a year, "-Q3" for a quarter."""
        return "" if self.quarter is None else f"-Q{self.quarter}"

    def label(self, abbreviated: bool = False) -> str:
        """German name: "2024", "3. Quartal 2024" (abbreviated, for chart axis ticks only: "Q3 2024")."""
        if self.quarter is None:
            return str(self.year)
        pattern = "QQQ y" if abbreviated else "QQQQ y"
        return babel_format_date(dt.date(self.year, 3 * self.quarter, 1), format=pattern, locale=LOCALE)


def sort_key(period: str) -> tuple[int, int]:
    """Sort key of a period string (see `Period.sort_key`)."""
    return Period.parse(period).sort_key


def is_quarter(period: str) -> bool:
    return Period.parse(period).is_quarter


def season(period: str) -> str:
    """"" for a year, "-Q3" for a third quarter (see `Period.season`)."""
    return Period.parse(period).season


def label(period: str) -> str:
    """A period as every report, the overview and the slides name it in text: quarters in words ("2024-Q4" ->
    "4. Quartal 2024"), years and pooled spans ("2022–2024") as they are. The one label of a period; only chart
    axis ticks abbreviate, with `Period.label(abbreviated=True)` ("Q4 2024")."""
    return Period.parse(period).label() if _PERIOD.fullmatch(str(period)) else str(period)


def latest(periods: Iterable[str]) -> str:
    """The latest of some periods; on a tie between a year and its fourth quarter the year wins."""
    return max(periods, key=lambda period: (*sort_key(period), not is_quarter(period)))


def align(period: str, frequency: str) -> str:
    """The period of an indicator with `frequency` ("annual" or "quarterly") that serves the report period.

    An annual value serves every quarter of its year; a year is represented by its fourth quarter.

    >>> align("2024-Q2", "annual"), align("2024", "quarterly")
    ('2024', '2024-Q4')
    """
    year, quarter = sort_key(period)
    return str(year) if frequency == "annual" else f"{year}-Q{quarter}"


def matching(available: Iterable[str], period: str) -> str | None:
    """The period of a series shown for a report period: the latest one up to it. An annual value serves every
    quarter of its year, a year is served by its last quarter, and an indicator not collected every year (e.g.
    an election) shows its latest value, labelled with its own period.

    >>> matching(["2023", "2024"], "2024-Q2"), matching(["2024-Q3", "2024-Q4"], "2024")
    ('2024', '2024-Q4')
    """
    candidates = [p for p in set(available) if serves(p, period)]
    return max(candidates, key=sort_key) if candidates else None


def serves(candidate: str, period: str) -> bool:
    """Whether a value of `candidate` may be shown in a report for `period`: it is not later than the report
    period, or it is the annual value of the report period's year.

    >>> serves("2024", "2024-Q2"), serves("2024-Q3", "2024-Q2"), serves("2023-Q4", "2024")
    (True, False, True)
    """
    found, report = Period.parse(candidate), Period.parse(period)
    return found.sort_key <= report.sort_key or (not found.is_quarter and found.year == report.year)


def has_data_for(available: Iterable[str], period: str) -> bool:
    """Whether any of the available periods lies in the report period's year."""
    year = Period.parse(period).year
    return any(Period.parse(p).year == year for p in set(available))


def span(last_year: int, years: int) -> str:
    """The label of `years` pooled years ending with `last_year`: span(2024, 3) -> "2022–2024"."""
    return f"{last_year - years + 1}{SPAN_DASH}{last_year}"


_QUARTER_LABEL = re.compile(r"(?P<quarter>[1-4])\. Quartal (?P<year>[0-9]{4})")


def from_label(label: str) -> str:
    """The period a label names, back from how reports print it: "3. Quartal 2024" -> "2024-Q3"; a year and a
    pooled span ("2022–2024") stay as they are. The inverse of `label`.

    >>> from_label("3. Quartal 2024"), from_label("2022–2024")
    ('2024-Q3', '2022–2024')
    """
    text = str(label).strip()
    match = _QUARTER_LABEL.fullmatch(text)
    if match:
        return f"{match['year']}-Q{match['quarter']}"
    if _SPAN.fullmatch(text) or _PERIOD.fullmatch(text):
        return text
    raise ValueError(
        f"Zeitraum {label!r} ist kein Jahr, kein Quartal wie '3. Quartal 2024' und kein Zeitraum wie '2022–2024'."
    )


def span_years(label: str) -> tuple[str, ...]:
    """The single periods a label stands for: "2022–2024" -> ("2022", "2023", "2024"); "2024-Q3" -> itself."""
    match = _SPAN.fullmatch(str(label))
    if match is None:
        return (str(Period.parse(label)),)
    first, last = int(match["first"]), int(match["last"])
    if last < first:
        raise ValueError(f"Zeitraum {label!r}: das erste Jahr liegt nach dem letzten.")
    return tuple(str(year) for year in range(first, last + 1))
