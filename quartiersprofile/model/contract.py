"""The data contract: tables, columns and allowed values (pandera schemas), and how a problem is reported.

`data/README.md` explains the contract to analysts; `data/schema.json` is its machine-readable form
(`dataset.contract_schema`). Reading files is `reading`, the rules across rows and tables are `rules`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandera.pandas as pa

from .age_bands import AGE_BANDS, is_age_spec
from .errors import InputError
from .periods import YEAR_PATTERN

TABLES = ("districts", "indicators", "observations", "population")
#: Tables a data folder may hold or leave out: an official city projection (`projection.csv`: absent = the
#: population projection is controlled to the city's own projection, see `stats.projection`).
OPTIONAL_TABLES = ("projection",)
#: Years a population projection looks ahead of the latest population year; an official projection must cover them.
PROJECTION_HORIZON = 10
SEXES = ("w", "m")
LEVELS = ("stadt", "stadtbezirk", "stadtteil", "ortsteil")
SECTIONS = (
    "Demografie",
    "Soziale Lage",
    "Kindergesundheit",
    "Gesundheit und Sterblichkeit",
    "Versorgung",
    "Wohnumfeld",
)
STATISTICS = ("proportion", "rate", "dsr", "mean", "count", "ratio")
POLARITIES = ("higher_is_better", "higher_is_worse", "neutral")
FREQUENCIES = ("annual", "quarterly")

_CODE_PATTERN = r"^[0-9]+$"

@dataclass(frozen=True)
class Problem:
    """One problem in the input, located as the analyst sees it: file, row (header = row 1), column."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"Zeile {self.row}")
        if self.column is not None:
            where.append(f'Spalte "{self.column}"')
        found = "" if self.value is None else f'Wert "{self.value}" – '
        # one line per problem: a line break inside a cell is shown as ↵
        return "↵".join(f"{', '.join(where)}: {found}erwartet: {self.expected}".splitlines())


class DataValidationError(InputError):
    """The input data break the contract; `problems` lists every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        header = (
            f"{count} Problem in den Eingabedaten:"
            if count == 1
            else f"{count} Probleme in den Eingabedaten:"
        )
        return "\n".join([header, *(f"  {problem}" for problem in self.problems)])


# --- schemas ---------------------------------------------------------------------------------------------

NON_NEGATIVE = "eine nicht-negative Zahl"


def _text(title: str, description: str, *checks: pa.Check, nullable: bool = False, **options) -> pa.Column:
    return pa.Column(str, list(checks), nullable=nullable, title=title, description=description, **options)


def _number(title: str, description: str, *checks: pa.Check, nullable: bool = False, **options) -> pa.Column:
    checks = (pa.Check.ge(0, error=title), *checks)
    return pa.Column(float, list(checks), nullable=nullable, title=title, description=description, **options)


def _optional(column: pa.Column) -> pa.Column:
    """The same column, but it may be left out of the file (then every cell is empty) and its cells may be empty."""
    return pa.Column(
        column.dtype, column.checks, nullable=True, required=False, title=column.title, description=column.description
    )


def _one_of(values: tuple[str, ...]) -> pa.Check:
    return pa.Check.isin(list(values), error="einer der Werte " + ", ".join(values))


def _code_check() -> pa.Check:
    return pa.Check.str_matches(_CODE_PATTERN, error="ein Gebietscode aus Ziffern, z. B. 134")


WHOLE_NUMBER_CHECK = "whole_number"
WHOLE_NUMBER_LIMIT = 10**15  # whole numbers up to 15 digits are exact in float64 and fit int64


def _whole_number(title: str) -> pa.Check:
    return pa.Check(
        lambda values: (values % 1 == 0) & (values.abs() < WHOLE_NUMBER_LIMIT),
        name=WHOLE_NUMBER_CHECK,
        error=f"{title} (höchstens 15 Stellen)",
    )


_KEY_DISTRICT = "Gebietscode (Ortsteil), z. B. 134"
DENOMINATOR_SOURCES = ("area_km2",)
BOOLEANS = ("true", "false")
#: The catalogue's ``inequality`` column: "rank" marks the deprivation indicator the areas are ranked by for the
#: slope index of inequality, "measure" an indicator whose inequality across the areas the reports measure.
INEQUALITY_ROLES = ("rank", "measure")
QUANTITY_PATTERN = r"^[A-Za-z0-9_]+\.(numerator|denominator)$"
_QUANTITY_TEXT = 'Zähler oder Nenner eines anderen Indikators, z. B. "KIG03.numerator"'


def _quantity_check() -> pa.Check:
    return pa.Check.str_matches(QUANTITY_PATTERN, error=_QUANTITY_TEXT)
_PERIOD_TEXT = 'ein Jahr wie "2024" oder ein Quartal wie "2024-Q3"'

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "districts": pa.DataFrameSchema(
        {
            "code": _text(
                "ein Gebietscode aus Ziffern, z. B. 134",
                'Official code: "4012" city, "1"/"2" Stadtbezirke, 2 digits Stadtteile, 3 digits Ortsteile.',
                _code_check(),
                unique=True,
                report_duplicates="exclude_first",
            ),
            "name": _text("der Name des Gebiets", "German name of the area as printed in the reports."),
            "level": _text("eine Gebietsebene", "Administrative level of the area.", _one_of(LEVELS)),
            "parent_code": _text(
                "der Code des übergeordneten Gebiets",
                "Code of the enclosing area one level up; empty for the city.",
                _code_check(),
                nullable=True,
            ),
            "area_km2": _number(NON_NEGATIVE, "Area in square kilometres."),
            "population_2018": _number(
                "eine ganze Zahl, mindestens 0",
                "Residents (main residence, municipal register) on 31.12.2018; 0 = uninhabited.",
                _whole_number("eine ganze Zahl, mindestens 0"),
            ),
        },
        title="Gebietsgliederung",
        description="Register of areas: city, Stadtbezirke, Stadtteile, Ortsteile, with their parents.",
    ),
    "indicators": pa.DataFrameSchema(
        {
            "id": _text(
                "eine Kennung aus Buchstaben, Ziffern oder _, z. B. SOZ01",
                "Indicator id, e.g. SOZ01; referenced by observations.indicator.",
                pa.Check.str_matches(r"^[A-Za-z0-9_]+$", error="eine Kennung aus Buchstaben, Ziffern oder _"),
                unique=True,
                report_duplicates="exclude_first",
            ),
            "section": _text("ein Abschnitt des Berichts", "Report section.", _one_of(SECTIONS)),
            "name": _text("der Name des Indikators", "German name shown in the reports."),
            "definition": _text("eine Definition", "German definition shown in the methods section."),
            "numerator": _text("eine Beschreibung des Zählers", "German description of the numerator."),
            "denominator": _text(
                "eine Beschreibung des Nenners",
                "German description of the denominator; empty only for statistic count.",
                nullable=True,
            ),
            "statistic": _text("eine Kennzahlart", "How the value is computed.", _one_of(STATISTICS)),
            "multiplier": _number(
                "eine Zahl größer als 0",
                "Scale of the value, e.g. 100 for %, 100000 for a rate per 100,000.",
                pa.Check.gt(0, error="eine Zahl größer als 0"),
            ),
            "unit": _text("eine Einheit", "German unit shown with the value, e.g. %, je 1.000 Einw."),
            "polarity": _text("eine Wertungsrichtung", "Which direction is better.", _one_of(POLARITIES)),
            "years_pooled": _number(
                "eine ganze Zahl, mindestens 1",
                "Number of consecutive years pooled for one value (1 = no pooling).",
                _whole_number("eine ganze Zahl, mindestens 1"),
                pa.Check.ge(1, error="eine ganze Zahl, mindestens 1"),
            ),
            "frequency": _text("eine Häufigkeit", "Period type of the observations.", _one_of(FREQUENCIES)),
            "age_bands": _text(
                'Altersgrenzen der 5-Jahres-Gruppen wie "0-64" oder "65+"',
                "dsr only: the age range standardised over, e.g. 0-64; empty = all 19 bands.",
                pa.Check(
                    lambda values: values.map(is_age_spec),
                    name="age_band_spec",
                    error='Altersgrenzen der 5-Jahres-Gruppen wie "0-64" oder "65+"',
                ),
                nullable=True,
            ),
            "source": _text("eine Quellenangabe", "German source citation shown in the reports."),
            "numerator_same_as": _optional(_text(
                _QUANTITY_TEXT,
                "The numerator is the same count as this quantity of another indicator (e.g. KIG03.numerator) in "
                "every Ortsteil and year: small-number protection treats them as one (optional).",
                _quantity_check(),
            )),
            "denominator_same_as": _optional(_text(
                _QUANTITY_TEXT,
                "The denominator is the same count as this quantity of another indicator (e.g. DEM01.numerator) "
                "in every Ortsteil and year (optional).",
                _quantity_check(),
            )),
            "denominator_from": _optional(_text(
                'leer oder "area_km2"',
                "area_km2: the denominator of every area is its area from the register (districts.area_km2), "
                "also for the Stadtteile and the city, including uninhabited Ortsteile (optional).",
                _one_of(DENOMINATOR_SOURCES),
            )),
            "by_sex": _optional(_text(
                'true oder false',
                "true: the observations come by sex (column sex, w and m, every row); the reports show women and "
                "men side by side and all persons as their sum (optional, default false).",
                _one_of(BOOLEANS),
            )),
            "life_expectancy": _optional(_text(
                'true oder false',
                "true: the deaths of this indicator (all causes, by sex, all 19 age bands, dsr) make the life tables "
                "for life expectancy at birth and at 65 (at most one indicator; optional, default false).",
                _one_of(BOOLEANS),
            )),
            "smr": _optional(_text(
                'true oder false',
                "true: the reports also show this dsr indicator as a standardised mortality ratio (SMR) per "
                "Ortsteil, indirectly standardised against the city (optional, default false).",
                _one_of(BOOLEANS),
            )),
            "inequality": _optional(_text(
                'leer, "rank" oder "measure"',
                "rank: the deprivation indicator that ranks the areas for the slope index of inequality (at most "
                "one); measure: the city profile and the overview measure this indicator's inequality across the "
                "areas (optional).",
                _one_of(INEQUALITY_ROLES),
            )),
            "name_in_text": _optional(_text(
                'der Name mit Artikel für Sätze, z. B. "die SGB-II-Quote"',
                "German noun phrase with its article, used in generated sentences (key findings); empty: the "
                "sentence names the indicator before a colon (optional).",
            )),
            "index": _optional(_text(
                "true oder false",
                "true: the indicator enters the Gesundheits- und Sozialindex of the Ortsteile (needs a polarity and "
                "a confidence interval; optional, default false).",
                _one_of(BOOLEANS),
            )),
            "target": _optional(_number(
                NON_NEGATIVE,
                "A goal for the value on its published scale (e.g. 95 for a measles vaccination coverage of 95 %), "
                "compared like a third benchmark: achieved or not (needs a polarity; optional).",
            )),
            "target_source": _optional(_text(
                "eine Quellenangabe des Zielwerts",
                "German source of the target (e.g. WHO), shown with it; only with a target (optional).",
            )),
        },
        title="Indikatorenkatalog",
        description="Indicator catalogue: one row per indicator.",
    ),
    "observations": pa.DataFrameSchema(
        {
            "indicator": _text("eine Indikator-ID aus indicators.csv", "Indicator id from the catalogue."),
            "district": _text(_KEY_DISTRICT, "Ortsteil code (never a higher level).", _code_check()),
            "period": _text(
                _PERIOD_TEXT,
                "Year (annual indicators) or quarter (quarterly indicators).",
                pa.Check.str_matches(r"^[0-9]{4}(-Q[1-4])?$", error=_PERIOD_TEXT),
            ),
            "numerator": _number(NON_NEGATIVE, "Count; for mean indicators the sum of the values."),
            "denominator": _number(
                NON_NEGATIVE,
                "Population at risk; for mean indicators the number of observations; empty for count.",
                nullable=True,
            ),
            "age_band": _text(
                "eine Altersgruppe wie 0-4 oder 90+",
                "dsr only: the 5-year age band of this row (one row per band).",
                _one_of(AGE_BANDS),
                nullable=True,
            ),
            "sd": _number(NON_NEGATIVE, "mean only: standard deviation of the values.", nullable=True),
            "sex": _optional(_text(
                "w oder m (nur bei Indikatoren mit by_sex = true)",
                "Sex of the row (w, m) for indicators the catalogue marks by_sex; empty for the others. "
                "All-persons values are the sums of both.",
                _one_of(SEXES),
            )),
        },
        title="Beobachtungen",
        description="Numerators and denominators per indicator, Ortsteil and period.",
        unique=["indicator", "district", "period", "age_band", "sex"],
        report_duplicates="exclude_first",
    ),
    "population": pa.DataFrameSchema(
        {
            "district": _text(_KEY_DISTRICT, "Ortsteil code.", _code_check()),
            "period": _text(
                'ein Jahr wie "2024"',
                "Year; the population on 31.12. of that year.",
                pa.Check.str_matches(YEAR_PATTERN, error='ein Jahr wie "2024"'),
            ),
            "sex": _text("w oder m", "Sex: w (female) or m (male).", _one_of(SEXES)),
            "age_band": _text("eine Altersgruppe wie 0-4 oder 90+", "5-year age band.", _one_of(AGE_BANDS)),
            "population": _number(NON_NEGATIVE, "Residents (main residence) on 31.12."),
        },
        title="Bevölkerung",
        description="Residents per Ortsteil, year, sex and 5-year age band.",
        unique=["district", "period", "sex", "age_band"],
        report_duplicates="exclude_first",
    ),
    "projection": pa.DataFrameSchema(
        {
            "year": _text(
                'ein Jahr wie "2030"',
                "Year of the projection; the population on 31.12. of that year.",
                pa.Check.str_matches(YEAR_PATTERN, error='ein Jahr wie "2030"'),
            ),
            "sex": _text("w oder m", "Sex: w (female) or m (male).", _one_of(SEXES)),
            "age_band": _text("eine Altersgruppe wie 0-4 oder 90+", "5-year age band.", _one_of(AGE_BANDS)),
            "population": _number(NON_NEGATIVE, "Projected residents of the whole city (may have decimals)."),
        },
        title="Amtliche Bevölkerungsvorausberechnung (optional)",
        description="Optional: an official projection of the whole city per year, sex and 5-year age band (e.g. the "
        "Statistisches Landesamt's Bevölkerungsvorausberechnung); the Ortsteile are controlled to it.",
        unique=["year", "sex", "age_band"],
        report_duplicates="exclude_first",
    ),
}
