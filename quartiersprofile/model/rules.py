"""Rules across rows and tables of the input (beyond each column's own checks in `contract.SCHEMAS`).

Each rule is registered with `rule(table, description, needs)`; the descriptions are part of the machine-readable
contract (`data/schema.json`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from .age_bands import AGE_BANDS, is_age_spec, select_age_bands
from .contract import LEVELS, NON_NEGATIVE, PROJECTION_HORIZON, SEXES, STATISTICS, Problem
from .periods import QUARTER_PATTERN, YEAR_PATTERN
from .reading import Table


@dataclass(frozen=True)
class Rule:
    table: str
    needs: tuple[str, ...]
    description: str
    check: Callable[[Mapping[str, Table]], list[Problem]]


RULES: list[Rule] = []


def rule(table: str, description: str, needs: tuple[str, ...] = ()):
    """Register a rule on `table` that may also look at the tables in `needs`."""

    def register(check: Callable[[Mapping[str, Table]], list[Problem]]):
        RULES.append(Rule(table, (table, *needs), description, check))
        return check

    return register


def run_rules(tables: Mapping[str, Table], cross: bool = False) -> list[Problem]:
    """Run the single-table rules (or with `cross`, the cross-table rules) whose tables are all present."""
    return [
        problem
        for rule in RULES
        if (len(rule.needs) > 1) == cross and all(name in tables for name in rule.needs)
        for problem in rule.check(tables)
    ]


def _lookup(table: Table, key: str) -> pd.DataFrame:
    return table.typed.dropna(subset=[key]).drop_duplicates(key).set_index(key)


@rule("districts", "Exactly one row has level stadt (the city).")
def _one_city(tables: Mapping[str, Table]) -> list[Problem]:
    table = tables["districts"]
    cities = table.typed["level"].eq("stadt")
    if not cities.any():
        return [Problem(table.file, None, "level", None, 'genau eine Zeile mit level "stadt" (die Stadt)')]
    first = cities.idxmax()  # the index is the row in the file: the first city row counts as the city
    return table.problems_where(
        cities & (cities.index != first),
        "level",
        f'genau eine Zeile mit level "stadt" (die Stadt steht schon in Zeile {first})',
    )


@rule("districts", "parent_code is the code of an area one level up; the city has no parent.")
def _parents(tables: Mapping[str, Table]) -> list[Problem]:
    table = tables["districts"]
    frame = table.typed
    level_above = frame["level"].map(dict(zip(LEVELS[1:], LEVELS[:-1], strict=True)))
    parent_level = frame["parent_code"].map(_lookup(table, "code")["level"])
    city = frame["level"].eq("stadt")
    wrong = frame["level"].isin(LEVELS[1:]) & parent_level.ne(level_above)
    expected = 'der Code eines Gebiets der Ebene "' + level_above.fillna("") + '" aus der Spalte code'
    return table.problems_where(wrong, "parent_code", expected) + table.problems_where(
        city & frame["parent_code"].notna(), "parent_code", "leer (die Stadt hat kein übergeordnetes Gebiet)"
    )


@rule("indicators", "denominator is described for every statistic except count.")
def _catalogue_denominator(tables: Mapping[str, Table]) -> list[Problem]:
    table = tables["indicators"]
    frame = table.typed
    missing = (
        frame["statistic"].isin(STATISTICS) & frame["statistic"].ne("count") & frame["denominator"].isna()
    )
    return table.problems_where(
        missing, "denominator", 'eine Beschreibung des Nenners (Pflichtfeld außer bei statistic "count")'
    )


@rule("indicators", "age_bands is given only for dsr indicators.")
def _catalogue_age_bands(tables: Mapping[str, Table]) -> list[Problem]:
    table = tables["indicators"]
    frame = table.typed
    misplaced = (
        frame["age_bands"].notna() & frame["statistic"].isin(STATISTICS) & frame["statistic"].ne("dsr")
    )
    return table.problems_where(misplaced, "age_bands", 'leer (Altersgrenzen nur bei statistic "dsr")')


@rule("indicators", "numerator_same_as and denominator_same_as name a quantity of another indicator of the catalogue.")
def _catalogue_links(tables: Mapping[str, Table]) -> list[Problem]:
    table = tables["indicators"]
    frame = table.typed
    known = set(frame["id"].dropna())
    problems = []
    for column in ("numerator_same_as", "denominator_same_as"):
        target = frame[column].str.partition(".")[0]
        wrong = frame[column].notna() & (~target.isin(known) | target.eq(frame["id"]))
        problems += table.problems_where(wrong, column, "Zähler oder Nenner eines anderen Indikators dieses Katalogs")
    return problems


@rule("indicators", "denominator_from is given only for ratio indicators.")
def _catalogue_denominator_from(tables: Mapping[str, Table]) -> list[Problem]:
    table = tables["indicators"]
    frame = table.typed
    ratio = frame["statistic"].isin(STATISTICS) & frame["statistic"].eq("ratio")
    misplaced = frame["denominator_from"].notna() & frame["statistic"].isin(STATISTICS) & ~ratio
    expected = 'leer (Nenner aus dem Register nur bei statistic "ratio")'
    return table.problems_where(misplaced, "denominator_from", expected)


@rule("indicators", "life_expectancy, smr and inequality mark indicators that can carry them.")
def _catalogue_outcomes(tables: Mapping[str, Table]) -> list[Problem]:
    table = tables["indicators"]
    frame = table.typed.reindex(columns=[*table.typed.columns, "by_sex", "life_expectancy", "smr", "inequality"])
    frame = frame.loc[:, ~frame.columns.duplicated()]
    dsr = frame["statistic"].eq("dsr")
    life = frame["life_expectancy"].eq("true")
    problems = table.problems_where(
        life & ~(dsr & frame["by_sex"].eq("true") & frame["age_bands"].isna()), "life_expectancy",
        'false (Lebenserwartung nur aus Gestorbenen aller Altersgruppen nach Geschlecht: statistic "dsr", '
        "by_sex = true, age_bands leer)",
    )
    problems += table.problems_where(
        life & life.cumsum().gt(1), "life_expectancy", "false (nur ein Indikator liefert die Sterbetafeln)"
    )
    problems += table.problems_where(
        frame["smr"].eq("true") & ~dsr, "smr", 'false (SMR nur für Sterblichkeit, statistic "dsr")'
    )
    rank = frame["inequality"].eq("rank")
    problems += table.problems_where(
        rank & rank.cumsum().gt(1), "inequality", '"measure" oder leer (nur ein Indikator ordnet die Gebiete)'
    )
    problems += table.problems_where(
        frame["inequality"].eq("measure") & ~rank.any(), "inequality",
        'leer, oder ein Indikator mit inequality = "rank", nach dem die Gebiete geordnet werden',
    )
    return problems


@rule("indicators", "index and target are given only for indicators with a polarity (higher_is_better or "
      "higher_is_worse); index only with a confidence interval (proportion, rate, dsr, mean); target_source only "
      "with a target.")
def _catalogue_insight(tables: Mapping[str, Table]) -> list[Problem]:
    table = tables["indicators"]
    frame = table.typed.reindex(columns=[*table.typed.columns, "index", "target", "target_source"])
    frame = frame.loc[:, ~frame.columns.duplicated()]
    judged = frame["polarity"].isin(["higher_is_better", "higher_is_worse"])
    interval = frame["statistic"].isin(["proportion", "rate", "dsr", "mean"])
    problems = table.problems_where(
        frame["index"].eq("true") & ~(judged & interval), "index",
        'false (in den Index nur Indikatoren mit Wertungsrichtung und Konfidenzintervall: polarity nicht "neutral", '
        "statistic proportion, rate, dsr oder mean)",
    )  # fmt: skip
    problems += table.problems_where(
        frame["target"].notna() & ~judged, "target", 'leer (ein Zielwert nur bei polarity nicht "neutral")'
    )
    problems += table.problems_where(
        frame["target_source"].notna() & frame["target"].isna(), "target_source", "leer (Quelle nur mit Zielwert)"
    )
    return problems


def _ortsteil_problems(table: Table, register: Table) -> list[Problem]:
    """Unknown codes and codes of higher levels (they are aggregated from the Ortsteile, never supplied)."""
    codes = table.typed["district"]
    level = codes.map(_lookup(register, "code")["level"])
    unknown = codes.notna() & level.isna()
    higher = level.notna() & level.ne("ortsteil")
    expected = (
        'ein Ortsteil-Code ("'
        + codes.fillna("")
        + '" ist ein Gebiet der Ebene "'
        + level.fillna("")
        + '"; höhere Ebenen werden aus den Ortsteilen summiert)'
    )
    return table.problems_where(
        unknown, "district", f"ein Gebietscode aus {register.file}"
    ) + table.problems_where(higher, "district", expected)


@rule("observations", "district is an Ortsteil of the register.", needs=("districts",))
def _observation_districts(tables: Mapping[str, Table]) -> list[Problem]:
    return _ortsteil_problems(tables["observations"], tables["districts"])


@rule("population", "district is an Ortsteil of the register.", needs=("districts",))
def _population_districts(tables: Mapping[str, Table]) -> list[Problem]:
    return _ortsteil_problems(tables["population"], tables["districts"])


@rule(
    "observations",
    "Observations only for inhabited Ortsteile (population > 0 in some year of the population table).",
    needs=("districts", "population"),
)
def _inhabited(tables: Mapping[str, Table]) -> list[Problem]:
    table, population = tables["observations"], tables["population"].typed
    residents = population.groupby("district")["population"].sum()
    inhabited = residents.index[residents > 0]
    level = table.typed["district"].map(_lookup(tables["districts"], "code")["level"])
    empty = level.eq("ortsteil") & ~table.typed["district"].isin(inhabited)
    expected = f"ein bewohnter Ortsteil (laut {tables['population'].file} ohne Einwohner:innen)"
    return table.problems_where(empty, "district", expected)


def _with_catalogue(tables: Mapping[str, Table]) -> pd.DataFrame:
    """The observations with their indicator's statistic, frequency, age_bands and by_sex (NA if unknown)."""
    catalogue = _lookup(tables["indicators"], "id")[["statistic", "frequency", "age_bands", "by_sex"]]
    return tables["observations"].typed.join(catalogue, on="indicator")


@rule("observations", "indicator is an id of the catalogue.", needs=("indicators",))
def _known_indicator(tables: Mapping[str, Table]) -> list[Problem]:
    table, catalogue = tables["observations"], tables["indicators"]
    unknown = table.typed["indicator"].notna() & ~table.typed["indicator"].isin(catalogue.typed["id"])
    return table.problems_where(
        unknown, "indicator", f"eine Indikator-ID aus der Spalte id in {catalogue.file}"
    )


@rule(
    "observations",
    "period is a year for annual and a quarter for quarterly indicators.",
    needs=("indicators",),
)
def _period_matches_frequency(tables: Mapping[str, Table]) -> list[Problem]:
    table, frame = tables["observations"], _with_catalogue(tables)
    is_year = frame["period"].str.fullmatch(YEAR_PATTERN, na=False)
    is_quarter = frame["period"].str.fullmatch(QUARTER_PATTERN, na=False)
    annual = frame["frequency"].eq("annual") & is_quarter
    quarterly = frame["frequency"].eq("quarterly") & is_year
    return table.problems_where(
        annual, "period", 'ein Jahr wie "2024" (der Indikator wird jährlich geführt: frequency "annual")'
    ) + table.problems_where(
        quarterly, "period", 'ein Quartal wie "2024-Q3" (der Indikator wird vierteljährlich geführt)'
    )


@rule(
    "observations",
    "denominator is given (except for count); numerator <= denominator for proportion; "
    "numerator is 0 where the denominator is 0 (proportion, rate, dsr, mean).",
    needs=("indicators",),
)
def _numerator_denominator(tables: Mapping[str, Table]) -> list[Problem]:
    table, frame = tables["observations"], _with_catalogue(tables)
    statistic = frame["statistic"]
    missing = statistic.isin(STATISTICS) & statistic.ne("count") & table.raw["denominator"].isna()
    above = statistic.eq("proportion") & frame["numerator"].gt(frame["denominator"])
    events = statistic.isin(["proportion", "rate", "dsr", "mean"])
    zero = events & frame["denominator"].eq(0) & frame["numerator"].gt(0)
    return (
        table.problems_where(
            missing, "denominator", f'{NON_NEGATIVE} (Pflichtfeld außer bei statistic "count")'
        )
        + table.problems_where(
            above,
            "numerator",
            "höchstens der Nenner "
            + table.raw["denominator"].fillna("")
            + " (ein Anteil kann 100 % nicht übersteigen)",
        )
        + table.problems_where(zero, "numerator", "0, weil der Nenner 0 ist")
    )


@rule(
    "observations",
    "sex is given (w and m, both in every district, period and age band) exactly for the indicators the catalogue "
    "marks by_sex, and a dsr row's deaths do not exceed its population.",
    needs=("indicators",),
)
def _by_sex(tables: Mapping[str, Table]) -> list[Problem]:
    table, frame = tables["observations"], _with_catalogue(tables)
    by_sex = frame["by_sex"].eq("true") if "by_sex" in frame else pd.Series(False, index=frame.index)
    sex = frame["sex"]
    problems = table.problems_where(by_sex & sex.isna(), "sex", 'w oder m (Pflichtfeld bei by_sex = true)')
    problems += table.problems_where(~by_sex & sex.notna() & frame["statistic"].notna(), "sex",
                                     'leer (Geschlecht nur bei Indikatoren mit by_sex = true)')  # fmt: skip
    keys = ["indicator", "district", "period"]
    valid = by_sex & sex.isin(SEXES) & frame["district"].notna() & frame["period"].notna()
    labels = sex[valid]
    band = frame["age_band"].fillna("")
    problems += [
        Problem(table.file, int(rows.index[0]), "sex", None,
                f"je Geschlecht (w, m) eine Zeile (für {' / '.join(str(k) for k in group if k)} fehlt: {missing})")
        for group, rows in labels.groupby([*(frame[key][valid] for key in keys), band[valid]], sort=False)
        for missing in [", ".join(s for s in SEXES if s not in set(rows))] if missing
    ]  # fmt: skip
    dsr = frame["statistic"].eq("dsr") & frame["numerator"].gt(frame["denominator"])
    problems += table.problems_where(
        dsr, "numerator", "höchstens der Nenner " + table.raw["denominator"].fillna("") + " (Gestorbene einer "
        "Altersgruppe können nicht mehr sein als ihre Einwohner:innen)"
    )
    return problems


def _dsr_bands(tables: Mapping[str, Table]) -> dict[str, tuple[str, ...]]:
    """The age bands of every dsr indicator whose age_bands spec is valid."""
    catalogue = _lookup(tables["indicators"], "id")
    dsr = catalogue[catalogue["statistic"].eq("dsr") & catalogue["age_bands"].map(is_age_spec).astype(bool)]
    return {indicator: select_age_bands(spec) for indicator, spec in dsr["age_bands"].items()}


@rule(
    "observations",
    "age_band is given for dsr indicators (one of the indicator's bands) and only for them.",
    needs=("indicators",),
)
def _age_band_usage(tables: Mapping[str, Table]) -> list[Problem]:
    table, frame = tables["observations"], _with_catalogue(tables)
    bands = _dsr_bands(tables)
    dsr = frame["statistic"].eq("dsr")
    outside = pd.Series(
        [
            indicator in bands and band not in bands[indicator]
            for indicator, band in zip(frame["indicator"], frame["age_band"], strict=True)
        ],
        index=frame.index,
    )
    other = frame["statistic"].isin(STATISTICS) & ~dsr & frame["age_band"].notna()
    return (
        table.problems_where(
            dsr & frame["age_band"].isna(),
            "age_band",
            'eine Altersgruppe wie 0-4 (Pflichtfeld bei statistic "dsr")',
        )
        + table.problems_where(
            outside & frame["age_band"].notna(),
            "age_band",
            'eine Altersgruppe innerhalb von age_bands "'
            + frame["age_bands"].fillna("")
            + '" des Indikators',
        )
        + table.problems_where(other, "age_band", 'leer (Altersgruppen nur bei statistic "dsr")')
    )


@rule(
    "observations",
    "sd is given for mean indicators (required from 2 observations on) and only for them.",
    needs=("indicators",),
)
def _sd_usage(tables: Mapping[str, Table]) -> list[Problem]:
    table, frame = tables["observations"], _with_catalogue(tables)
    mean = frame["statistic"].eq("mean")
    missing = mean & frame["denominator"].ge(2) & table.raw["sd"].isna()
    other = frame["statistic"].isin(STATISTICS) & ~mean & table.raw["sd"].notna()
    return table.problems_where(
        missing, "sd", f'{NON_NEGATIVE} (Standardabweichung; Pflichtfeld bei statistic "mean")'
    ) + table.problems_where(other, "sd", 'leer (Standardabweichung nur bei statistic "mean")')


def _incomplete_groups(
    table: Table,
    labels: pd.Series,
    keys: list[str],
    required: Callable[[tuple], tuple[str, ...]],
    expected: str,
) -> list[Problem]:
    """A problem at the first row of every group (rows with equal `keys`) lacking some `required` labels.

    `labels` holds the label of every row to consider; rows with invalid cells are left out beforehand.
    """
    problems = []
    for group, group_labels in labels.groupby([table.typed[key] for key in keys], sort=False):
        missing = [label for label in required(group) if label not in set(group_labels)]
        if missing:
            shown = ", ".join(missing[:6]) + (" …" if len(missing) > 6 else "")
            where = " / ".join(group)
            problems.append(
                Problem(
                    table.file,
                    int(group_labels.index[0]),
                    "age_band",
                    None,
                    f"{expected} (für {where} fehlen: {shown})",
                )
            )
    return problems


@rule(
    "observations",
    "A dsr indicator has one row for every age band of the indicator per district and period.",
    needs=("indicators",),
)
def _dsr_complete(tables: Mapping[str, Table]) -> list[Problem]:
    table, bands = tables["observations"], _dsr_bands(tables)
    frame = table.typed
    valid = frame["indicator"].isin(list(bands)) & frame["age_band"].isin(AGE_BANDS) & frame["period"].notna()
    return _incomplete_groups(
        table,
        frame.loc[valid & frame["district"].notna(), "age_band"],
        ["indicator", "district", "period"],
        lambda group: bands[group[0]],
        "eine Zeile je Altersgruppe",
    )


@rule("population", "Every district and period has one row per sex and age band (2 x 19 rows).")
def _population_complete(tables: Mapping[str, Table]) -> list[Problem]:
    table = tables["population"]
    frame = table.typed
    valid = (
        frame["sex"].isin(SEXES)
        & frame["age_band"].isin(AGE_BANDS)
        & frame["period"].str.fullmatch(YEAR_PATTERN, na=False)
        & frame["district"].notna()
    )
    cells = tuple(f"{sex} {band}" for sex in SEXES for band in AGE_BANDS)
    return _incomplete_groups(
        table,
        (frame["sex"] + " " + frame["age_band"])[valid],
        ["district", "period"],
        lambda group: cells,
        "je Geschlecht (w, m) alle 19 Altersgruppen",
    )


@rule("projection", "Every year of the official projection has one row per sex and age band (2 x 19 rows).")
def _projection_complete(tables: Mapping[str, Table]) -> list[Problem]:
    table = tables["projection"]
    frame = table.typed
    valid = (
        frame["sex"].isin(SEXES)
        & frame["age_band"].isin(AGE_BANDS)
        & frame["year"].str.fullmatch(YEAR_PATTERN, na=False)
    )
    cells = tuple(f"{sex} {band}" for sex in SEXES for band in AGE_BANDS)
    return _incomplete_groups(
        table,
        (frame["sex"] + " " + frame["age_band"])[valid],
        ["year"],
        lambda group: cells,
        "je Geschlecht (w, m) alle 19 Altersgruppen",
    )


@rule(
    "projection",
    f"The official projection covers the {PROJECTION_HORIZON} years after the latest year of the population table.",
    needs=("population",),
)
def _projection_years(tables: Mapping[str, Table]) -> list[Problem]:
    table, population = tables["projection"], tables["population"].typed
    observed = population["period"][population["period"].str.fullmatch(YEAR_PATTERN, na=False)]
    if observed.empty:
        return []
    latest = int(observed.max())
    wanted = [str(year) for year in range(latest + 1, latest + PROJECTION_HORIZON + 1)]
    found = set(table.typed["year"].dropna())
    missing = [year for year in wanted if year not in found]
    if not missing:
        return []
    shown = ", ".join(missing[:6]) + (" …" if len(missing) > 6 else "")
    expected = (
        f"die Jahre {wanted[0]} bis {wanted[-1]} (die {PROJECTION_HORIZON} Jahre nach dem letzten Jahr {latest} in "
        f"{tables['population'].file}); es fehlen: {shown}"
    )
    return [Problem(table.file, None, "year", None, expected)]
