"""Generate the synthetic sample data: ``data/population.csv`` and ``data/observations.csv``.

Inputs are the real register (``districts.csv``: Ortsteile, areas, residents on 31.12.2018), the catalogue
(``indicators.csv``) and the seed in ``dataset.toml``. The same inputs and seed give byte-identical files.

How the numbers arise (all synthetic, only the 2018 totals are real):
- population 2019-2024 per inhabited Ortsteil, sex and 5-year band: the real 2018 total with a small drift per
  year, a city age structure tilted older or younger per Ortsteil (`ORTSTEILE.age`), fixed cell effects and a
  little yearly noise. Luneplate (0 residents) gets no rows at all;
- a deprivation score per Ortsteil, d = logit(SGB-II-Quote) - logit(city quote), from hand-set SGB-II quotes
  that reproduce the real ALG-II counts 2017 (Lehe 5458 of 38643 residents, Surheide 63, Weddewarden 3,
  Fischereihafen 15; ALG-II recipients are about 70 % of the persons in Bedarfsgemeinschaften) and the known
  gradient (Goethestraße, Klushof, Mitte-Nord, Geestendorf, Grünhöfe, Leherheide-West disadvantaged;
  Speckenbüttel, Surheide, Schiffdorferdamm, Weddewarden, Fehrmoor better off);
- indicators: binomial or Poisson draws around a logit-linear model in d with a mild trend and a random effect
  per Ortsteil, on denominators taken from the generated population (or derived cohorts, e.g. school entrants
  = one fifth of the 5-9-year-olds); demographic shares are computed from the population itself.

Usage: ``python scripts/generate_sample_data.py [--out DIR]`` (default: the repository's data/ folder).
"""

from __future__ import annotations

import argparse
import io
import logging
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from quartiersprofile.model.age_bands import AGE_BANDS, select_age_bands
from quartiersprofile.model.contract import SEXES
from quartiersprofile.model.dataset import DATA_DIR, read_table
from quartiersprofile.model.periods import sort_key as period_sort_key

logger = logging.getLogger("generate_sample_data")

YEARS = tuple(range(2019, 2025))
ELECTION_YEARS = (2019, 2023)
CITY_SGB2 = 0.21

# Hand-set assumptions per inhabited Ortsteil, values for 2019 (synthetic, calibrated on real facts):
# sgb2: SGB-II-Quote in % of residents under 65 (drives the deprivation score, see module docstring);
# foreign: % residents without German citizenship (real anchors around 2018, reported by Radio Bremen:
#   Lehe 20.6 % highest, Surheide 4.95 % lowest of the Stadtteile);
# age: age-structure shift (positive = older); centre: pull of practices and pharmacies (1 = typical);
# green: share of the area that is recreational land; noise: % residents with road noise above 55 dB(A);
# living: living space per resident in m²; burglaries: the real count May 2015 - April 2016 where
#   published (Polizei Bremerhaven, reported by Nordsee-Zeitung), otherwise empty.
ORTSTEILE = """\
code,sgb2,foreign,age,centre,green,noise,living,burglaries
111,1.0,6,0.3,0.0,0.04,5,50,
121,14,12,0.3,0.8,0.15,12,42,
122,7,8,0.4,0.3,0.20,8,47,
123,32,20,0.0,1.0,0.12,15,36,
131,5,7,0.8,0.5,0.30,10,52,40
132,16,14,0.2,0.8,0.10,20,41,
133,19,17,0.0,1.0,0.08,22,40,
134,37,32,-0.9,1.6,0.03,38,34,72
135,28,24,-0.5,1.2,0.06,28,36,56
136,18,15,0.1,0.8,0.10,18,40,
137,8,9,0.2,0.2,0.15,12,46,
141,22,16,-0.1,2.0,0.10,30,40,
142,35,22,-0.6,1.6,0.05,35,35,41
211,22,19,-0.2,1.6,0.06,30,38,
212,31,21,-0.3,1.3,0.04,32,35,48
213,22,17,0.0,1.0,0.08,25,39,
214,12,10,0.3,0.8,0.30,15,45,
215,28,16,-0.1,0.8,0.12,15,37,
221,4,6,0.5,0.3,0.15,10,50,
231,4.3,4.7,0.8,0.3,0.12,8,51,
241,15,12,0.0,1.0,0.10,20,41,
242,13,9,0.3,0.8,0.18,14,44,
251,10,12,-0.2,0.2,0.02,25,42,
"""

# City age structure (% per 5-year band) and the male share per band, roughly Bremerhaven around 2019.
BAND_SHARE = np.array(
    [4.7, 4.4, 4.3, 4.8, 6.2, 7.0, 6.6, 6.0, 5.5, 5.9, 7.3, 7.4, 6.5, 5.5, 4.6, 4.6, 3.9, 2.3, 1.2]
)
MALE_SHARE = np.array(
    [0.513, 0.513, 0.513, 0.515, 0.52, 0.52, 0.515, 0.51, 0.505, 0.5, 0.5, 0.495, 0.49, 0.48, 0.47, 0.45]
    + [0.42, 0.37, 0.27]
)
BAND_MIDDLE = np.array([2.5 + 5 * band for band in range(19)])
# Deaths per person and year by band (German period life table around 2019, raised by 5 % for Bremerhaven,
# which has the lowest male life expectancy of all districts); the 0-4 band excludes infant deaths.
MORTALITY = 1.05 * np.array(
    [0.0001, 0.00008, 0.0001, 0.00025, 0.0004, 0.0005, 0.0006, 0.0009, 0.0014, 0.0023, 0.0038, 0.006]
    + [0.0095, 0.014, 0.022, 0.036, 0.062, 0.11, 0.24]
)
# Deaths of men per death of women of the same age and number, per band (roughly German life tables: the
# ratio is highest in middle age).
MALE_MORTALITY_RATIO = np.array(
    [1.2, 1.2, 1.3, 2.2, 2.7, 2.6, 2.3, 2.1, 1.9, 1.9, 1.9, 1.9, 1.9, 1.9, 1.8, 1.6, 1.5, 1.3, 1.15]
)
CARDIOVASCULAR_SHARE = np.array(
    [0.02, 0.02, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.13, 0.15, 0.18, 0.22, 0.25, 0.28, 0.31, 0.34]
    + [0.38, 0.42]
)
CARE_RATE = np.array(
    [0.01, 0.012, 0.012, 0.01, 0.008, 0.008, 0.008, 0.009, 0.01, 0.012, 0.015, 0.02, 0.03, 0.045, 0.07]
    + [0.13, 0.24, 0.43, 0.72]
)
DISABILITY_RATE = np.array(
    [0.012, 0.015, 0.018, 0.02, 0.02, 0.025, 0.03, 0.035, 0.045, 0.06, 0.08, 0.11, 0.16, 0.2, 0.23, 0.27]
    + [0.31, 0.33, 0.35]
)

Recipe = Callable[["Simulation", pd.Series], pd.DataFrame]


def ortsteil_profile(districts: pd.DataFrame) -> pd.DataFrame:
    """Inhabited Ortsteile with area, 2018 residents, the assumptions above and the deprivation score d."""
    assumptions = pd.read_csv(io.StringIO(ORTSTEILE), dtype={"code": str}).set_index("code")
    register = districts[districts["level"].eq("ortsteil") & districts["population_2018"].gt(0)]
    profile = register.set_index("code")[["name", "area_km2", "population_2018"]].join(
        assumptions, how="left", validate="one_to_one"
    )
    missing = profile.index[profile["sgb2"].isna()]
    if len(missing):
        raise ValueError(f"no assumptions for inhabited Ortsteile {', '.join(missing)} in ORTSTEILE")
    profile["d"] = logit(profile["sgb2"] / 100) - logit(CITY_SGB2)
    return profile


def simulate_population(profile: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Residents per Ortsteil, year (31.12.), sex and band, anchored on the real 2018 totals."""
    years = np.array(YEARS)
    growth = rng.normal(0.002, 0.004, (len(profile), 1))
    totals = profile["population_2018"].to_numpy()[:, None] * (1 + growth) ** (years - 2018)
    age = profile["age"].to_numpy()[:, None] + 0.015 * (years - 2019)
    shares = BAND_SHARE * np.exp(age[..., None] * (BAND_MIDDLE - 42) / 55)
    shares /= shares.sum(axis=-1, keepdims=True)
    expected = totals[..., None, None] * shares[:, :, None, :] * np.stack([1 - MALE_SHARE, MALE_SHARE])
    noise = rng.normal(0, 0.06, (len(profile), 1, 2, len(AGE_BANDS))) + rng.normal(0, 0.015, expected.shape)
    index = pd.MultiIndex.from_product(
        [profile.index, [str(year) for year in YEARS], SEXES, AGE_BANDS],
        names=["district", "period", "sex", "age_band"],
    )
    return pd.DataFrame({"population": np.round(expected * np.exp(noise)).ravel()}, index=index).reset_index()


@dataclass
class Simulation:
    """Inputs of one generator run plus a cache of results, so that shared counts are drawn once."""

    catalogue: pd.DataFrame
    profile: pd.DataFrame
    population: pd.DataFrame
    rng: np.random.Generator
    sex_rng: np.random.Generator  # the split of deaths by sex: a stream of its own (see `by_sex`)
    cache: dict[str, pd.DataFrame | np.ndarray] = field(default_factory=dict)

    def base(self, frequency: str) -> pd.DataFrame:
        """One row per Ortsteil and period with year, time t in years since 2019, quarter and profile."""
        periods = [(str(year), year, 4) for year in YEARS]
        if frequency == "quarterly":
            periods = [(f"{year}-Q{quarter}", year, quarter) for year in YEARS for quarter in range(1, 5)]
        rows = [(code, *period) for code in self.profile.index for period in periods]
        frame = pd.DataFrame(rows, columns=["district", "period", "year", "quarter"])
        frame["t"] = frame["year"] - 2019 + (frame["quarter"] - 4 if frequency == "quarterly" else 0) / 4
        return frame.join(self.profile, on="district")

    def group(self, spec: str, frame: pd.DataFrame) -> np.ndarray:
        """Residents of an age spec such as "0-64", "65+" or "w:15-44" for the rows of `frame`."""
        sex, _, bands = spec.rpartition(":")
        rows = self.population[self.population["age_band"].isin(select_age_bands(bands))]
        if sex:
            rows = rows[rows["sex"].eq(sex)]
        totals = rows.groupby(["district", "period"])["population"].sum()
        keys = pd.MultiIndex.from_arrays([frame["district"], frame["year"].astype(str)])
        return totals.reindex(keys).to_numpy()

    def counts(self, source: str, frame: pd.DataFrame) -> np.ndarray:
        """A denominator: a derived cohort, another indicator's numerator or a population group."""
        if source in COHORTS:
            if source not in self.cache:
                self.cache[source] = COHORTS[source](self, frame)
            return self.cache[source]
        if source in self.catalogue.index:
            return self.result(source)["numerator"].to_numpy()
        return self.group(source, frame)

    def result(self, indicator: str) -> pd.DataFrame:
        """The observations of one indicator, generated on first use by its recipe."""
        if indicator not in self.cache:
            if indicator not in RECIPES:
                raise ValueError(f"no sample-data recipe for indicator {indicator}; add one to RECIPES")
            self.cache[indicator] = RECIPES[indicator](self, self.catalogue.loc[indicator])
        return self.cache[indicator]

    def ortsteil_effect(self, frame: pd.DataFrame) -> np.ndarray:
        """One random effect per Ortsteil (logit scale, sd 0.1), repeated for its rows in `frame`."""
        effect = pd.Series(self.rng.normal(0, 0.1, len(self.profile)), index=self.profile.index)
        return frame["district"].map(effect).to_numpy()


def observations(frame: pd.DataFrame, numerator, denominator=np.nan, **columns) -> pd.DataFrame:
    """Observation rows for the Ortsteile and periods of `frame`."""
    return pd.DataFrame(
        {
            "district": frame["district"],
            "period": frame["period"],
            "numerator": numerator,
            "denominator": denominator,
            **columns,
        }
    )


def share(source: str, base: float | str, beta: float, trend: float = 0.0, **options) -> Recipe:
    """Recipe: numerator ~ Binomial(denominator, p), logit p = logit(base) + beta d + trend t + effects.

    `base` is the probability at d = 0, or the name of an `ORTSTEILE` column holding one in % per Ortsteil.
    Options: `within` draws the numerator from another indicator's numerator (p is then conditional),
    `season` adds a logit offset per quarter, `years` keeps only those years.
    """

    def draw(simulation: Simulation, indicator: pd.Series) -> pd.DataFrame:
        frame = simulation.base(indicator["frequency"])
        denominator = simulation.counts(source, frame)
        bound = simulation.counts(options["within"], frame) if "within" in options else denominator
        season = np.asarray(options.get("season", (0, 0, 0, 0)))[frame["quarter"] - 1]
        start = logit(frame[base] / 100 if isinstance(base, str) else base)
        eta = start + beta * frame["d"] + trend * frame["t"] + season + simulation.ortsteil_effect(frame)
        numerator = simulation.rng.binomial(bound.astype(np.int64), expit(eta))
        result = observations(frame, numerator, denominator)
        return result[frame["year"].isin(options.get("years", YEARS))]

    return draw


def population_share(numerator: str, denominator: str | None = None) -> Recipe:
    """Recipe: counts straight from the generated population, e.g. residents 65+ among all residents."""

    def draw(simulation: Simulation, indicator: pd.Series) -> pd.DataFrame:
        frame = simulation.base(indicator["frequency"])
        total = simulation.group(denominator, frame) if denominator else np.nan
        return observations(frame, simulation.group(numerator, frame), total)

    return draw


def age_dependent(rates: np.ndarray, beta: float, trend: float) -> Recipe:
    """Recipe: share of all residents with a strongly age-dependent risk (care need, disability)."""

    def draw(simulation: Simulation, indicator: pd.Series) -> pd.DataFrame:
        frame = simulation.base(indicator["frequency"])
        by_band = np.column_stack([simulation.group(band, frame) for band in AGE_BANDS])
        total = by_band.sum(axis=1)
        expected = (by_band * rates).sum(axis=1) * np.exp(beta * frame["d"] + trend * frame["t"])
        probability = np.clip(expected / np.maximum(total, 1), 0, 1)
        return observations(frame, simulation.rng.binomial(total.astype(np.int64), probability), total)

    return draw


def facilities(source: str, per_person: float) -> Recipe:
    """Recipe: practices or pharmacies per Ortsteil, located by `centre`: the expected number randomly
    rounded, then each year about 8 % close and as many open (a birth-death process around it)."""

    def draw(simulation: Simulation, indicator: pd.Series) -> pd.DataFrame:
        frame = simulation.base(indicator["frequency"])
        people = simulation.counts(source, frame)
        centre = simulation.profile["centre"].to_numpy()
        first = people[frame["year"].eq(YEARS[0]).to_numpy()]
        expected = first * per_person * centre / np.average(centre, weights=first)
        counts = [np.floor(expected + simulation.rng.uniform(size=len(expected))).astype(np.int64)]
        for _ in YEARS[1:]:
            closed = simulation.rng.binomial(counts[-1], 0.08)
            counts.append(counts[-1] - closed + simulation.rng.poisson(0.08 * expected))
        return observations(frame, np.column_stack(counts).ravel(), people)

    return draw


def births(simulation: Simulation, indicator: pd.Series) -> pd.DataFrame:
    """Live births ~ Poisson among women 15-44 (general fertility about 56 per 1,000)."""
    frame = simulation.base(indicator["frequency"])
    women = simulation.group("w:15-44", frame)
    return observations(frame, simulation.rng.poisson(women * 0.056 * np.exp(0.12 * frame["d"])), women)


def deaths(simulation: Simulation, indicator: pd.Series) -> pd.DataFrame:
    """Deaths per band ~ Poisson; deprivation acts more strongly below 65; infant deaths fall in 0-4."""
    frame = simulation.base(indicator["frequency"])
    people = np.column_stack([simulation.group(band, frame) for band in AGE_BANDS])
    beta = np.where(BAND_MIDDLE < 65, 0.3, 0.12)
    rate = MORTALITY * np.exp(np.outer(frame["d"], beta)) * (1 - 0.01 * frame["t"].to_numpy())[:, None]
    counts = simulation.rng.poisson(people * rate)
    counts[:, 0] += simulation.result("GES04")["numerator"].to_numpy()
    return banded(frame, counts, people, indicator)


def cardiovascular_deaths(simulation: Simulation, indicator: pd.Series) -> pd.DataFrame:
    """Deaths from circulatory diseases: a binomial part of all deaths per band."""
    everyone = simulation.result("GES01")
    counts = simulation.rng.binomial(
        everyone["numerator"].astype(np.int64), np.tile(CARDIOVASCULAR_SHARE, len(everyone) // len(AGE_BANDS))
    )
    return select_bands(everyone.assign(numerator=counts), indicator)


def premature_deaths(simulation: Simulation, indicator: pd.Series) -> pd.DataFrame:
    """The deaths of GES01 in the indicator's age bands."""
    return select_bands(simulation.result("GES01"), indicator)


def banded(frame: pd.DataFrame, counts: np.ndarray, people: np.ndarray, indicator: pd.Series) -> pd.DataFrame:
    """One row per Ortsteil, period and band, restricted to the indicator's age bands."""
    rows = frame.loc[frame.index.repeat(len(AGE_BANDS))]
    result = observations(rows, counts.ravel(), people.ravel(), age_band=np.tile(AGE_BANDS, len(frame)))
    return select_bands(result.reset_index(drop=True), indicator)


def select_bands(result: pd.DataFrame, indicator: pd.Series) -> pd.DataFrame:
    """The rows in the indicator's age bands (all 19 when its age_bands is empty)."""
    return result[result["age_band"].isin(select_age_bands(indicator["age_bands"]))]


def caries_experience(simulation: Simulation, indicator: pd.Series) -> pd.DataFrame:
    """dmf-t per child: 0 for the caries-free children of KIG08, 1 + negative binomial for the others."""
    frame = simulation.base(indicator["frequency"])
    caries_free = simulation.result("KIG08")
    examined = caries_free["denominator"].to_numpy().astype(np.int64)
    affected = examined - caries_free["numerator"].to_numpy().astype(np.int64)
    extra_teeth = 2.6 * np.exp(0.2 * frame["d"].to_numpy())
    totals, sds = [], []
    for children, sick, mean in zip(examined, affected, extra_teeth, strict=True):
        teeth = 1 + simulation.rng.negative_binomial(2, 2 / (2 + mean), sick)
        values = np.concatenate([np.zeros(children - sick), teeth])
        totals.append(values.sum())
        sds.append(values.std(ddof=1).round(4) if children >= 2 else np.nan)
    return observations(frame, totals, examined, sd=sds)


def density(simulation: Simulation, indicator: pd.Series) -> pd.DataFrame:
    """Residents and area in km² (the register's area)."""
    frame = simulation.base(indicator["frequency"])
    return observations(frame, simulation.group("0+", frame), frame["area_km2"])


def far_from_practice(simulation: Simulation, indicator: pd.Series) -> pd.DataFrame:
    """Residents more than 1 km from a GP practice: many where sparse and far from the centres."""
    frame = simulation.base(indicator["frequency"])
    people = simulation.group("0+", frame)
    log_density = np.log10(people / frame["area_km2"] / 1000)
    probability = expit(-0.5 - 1.6 * log_density - 1.2 * frame["centre"] + simulation.ortsteil_effect(frame))
    return observations(frame, simulation.rng.binomial(people.astype(np.int64), probability), people)


def green_space(simulation: Simulation, indicator: pd.Series) -> pd.DataFrame:
    """Recreational land in m² (area x green share, rounded to 100 m²) per resident."""
    frame = simulation.base(indicator["frequency"])
    area = np.round(frame["area_km2"] * frame["green"] * 1e4) * 100
    return observations(frame, area, simulation.group("0+", frame))


def living_space(simulation: Simulation, indicator: pd.Series) -> pd.DataFrame:
    """Living space in m²: residents x m² per resident, slowly growing."""
    frame = simulation.base(indicator["frequency"])
    people = simulation.group("0+", frame)
    per_person = frame["living"] * np.exp(0.004 * frame["t"] + simulation.rng.normal(0, 0.01, len(frame)))
    return observations(frame, np.round(people * per_person), people)


def burglaries(simulation: Simulation, indicator: pd.Series) -> pd.DataFrame:
    """Burglaries ~ Poisson around the real 2015/16 counts (else 3.2 per 1,000), falling since then."""
    frame = simulation.base(indicator["frequency"])
    people = simulation.group("0+", frame)
    typical = frame["population_2018"] * 0.0032 * np.exp(0.15 * frame["d"])
    level = frame["burglaries"].fillna(typical) * 0.55 * 0.93 ** frame["t"]
    return observations(frame, simulation.rng.poisson(level), people)


def school_entrants(simulation: Simulation, frame: pd.DataFrame) -> np.ndarray:
    """Children examined at school entry: about a fifth of the 5-9-year-olds (about 1 % of residents)."""
    return simulation.rng.binomial(np.round(simulation.group("5-9", frame) / 5).astype(np.int64), 0.96)


COHORTS: dict[str, Callable[[Simulation, pd.DataFrame], np.ndarray]] = {
    "school_entrants": school_entrants,
    "school_leavers": lambda simulation, frame: np.round(simulation.group("15-19", frame) / 5),
    "households_with_children": lambda simulation, frame: np.round(
        (simulation.group("0-14", frame) + 0.6 * simulation.group("15-19", frame)) / 1.65
    ),
    "children_3_to_5": lambda simulation, frame: np.round(
        0.6 * simulation.group("0-4", frame) + 0.2 * simulation.group("5-9", frame)
    ),
    "voters": lambda simulation, frame: np.round(
        (simulation.group("20+", frame) + 0.4 * simulation.group("15-19", frame))
        * (1 - simulation.result("DEM07")["numerator"].to_numpy() / simulation.group("0+", frame))
    ),
}

RECIPES: dict[str, Recipe] = {
    "DEM01": population_share("0+"),
    "DEM02": density,
    "DEM03": population_share("0-14", "0+"),
    "DEM04": population_share("65+", "0+"),
    "DEM05": population_share("80+", "0+"),
    "DEM06": population_share("65+", "0-14"),
    "DEM07": share("0+", "foreign", 0.0, trend=0.04),
    "DEM08": births,
    "SOZ01": share("0-64", "sgb2", 0.0, trend=-0.01),
    "SOZ02": share("0-14", 0.34, 0.95, trend=-0.01),
    "SOZ03": share("15-64", 0.10, 0.85, trend=-0.02, season=(0.06, 0.0, -0.03, -0.02)),
    "SOZ04": share("65+", 0.065, 0.75, trend=0.03),
    "SOZ05": share("households_with_children", 0.24, 0.45),
    "SOZ06": share("65+", 0.36, 0.15),
    "SOZ07": share("school_leavers", 0.09, 0.5),
    "KIG01": share("school_entrants", 0.13, 0.3, trend=0.01),
    "KIG02": share("school_entrants", 0.45, 0.2, within="KIG01"),
    "KIG03": share("school_entrants", 0.90, -0.35, trend=0.02),
    "KIG04": share("KIG03", 0.90, -0.25, trend=0.08),
    "KIG05": share("school_entrants", 0.92, -0.35),
    "KIG06": share("KIG05", 0.93, -0.25),
    "KIG07": share("school_entrants", 0.27, 0.55, trend=0.03),
    "KIG08": share("school_entrants", 0.55, -0.5, trend=0.02),
    "KIG09": share("school_entrants", 0.86, -0.55),
    "KIG10": caries_experience,
    "GES01": deaths,
    "GES02": premature_deaths,
    "GES03": cardiovascular_deaths,
    "GES04": share("DEM08", 0.0045, 0.3),
    "GES05": age_dependent(CARE_RATE, 0.15, 0.05),
    "GES06": age_dependent(DISABILITY_RATE, 0.15, 0.0),
    "VER01": facilities("0+", 62e-5),
    "VER02": facilities("0-14", 7e-4),
    "VER03": facilities("0+", 2.2e-4),
    "VER04": far_from_practice,
    "VER05": share("children_3_to_5", 0.90, -0.35, trend=0.03),
    "UMW01": green_space,
    "UMW02": share("0+", "noise", 0.0),
    "UMW03": share("voters", 0.50, -0.5, trend=-0.04, years=ELECTION_YEARS),
    "UMW04": burglaries,
    "UMW05": living_space,
}


def by_sex(simulation: Simulation, rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of an indicator the catalogue marks by_sex, split into women and men (banded deaths).

    Each band's deaths are split binomially by the sexes' shares of the expected deaths: men die more often
    than women of the same age (`MALE_MORTALITY_RATIO`). The split draws from a random stream of its own, so the
    all-persons numbers, and every other indicator, are the same as without it.
    """
    people = simulation.population.set_index(["district", "period", "age_band", "sex"])["population"]
    parts = []
    for sex in SEXES:
        keys = pd.MultiIndex.from_arrays([rows["district"], rows["period"], rows["age_band"], [sex] * len(rows)])
        parts.append(people.reindex(keys).to_numpy(dtype=float))
    women, men = parts
    band = rows["age_band"].map({name: i for i, name in enumerate(AGE_BANDS)}).to_numpy()
    ratio = MALE_MORTALITY_RATIO[band]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(men + women > 0, men * ratio / (men * ratio + women), 0.5)
    total = rows["numerator"].to_numpy(dtype=np.int64)
    male = simulation.sex_rng.binomial(total, np.nan_to_num(share, nan=0.5))
    male = np.clip(male, total - women, men).astype(np.int64)  # nobody dies twice: deaths <= residents
    female = total - male
    return pd.concat([
        rows.assign(sex="w", numerator=female, denominator=women),
        rows.assign(sex="m", numerator=male, denominator=men),
    ], ignore_index=True)  # fmt: skip


def simulate_observations(simulation: Simulation) -> pd.DataFrame:
    """All observations in a stable order: catalogue order, Ortsteil, period, age band, sex."""
    parts = []
    for indicator in simulation.catalogue.index:
        rows = simulation.result(indicator).assign(indicator=indicator)
        if simulation.catalogue.at[indicator, "by_sex"] == "true":
            rows = by_sex(simulation, rows)
        parts.append(rows)
    table = pd.concat(parts, ignore_index=True).reindex(
        columns=["indicator", "district", "period", "numerator", "denominator", "age_band", "sd", "sex"]
    )
    periods = sorted(table["period"].unique(), key=period_sort_key)
    key = pd.DataFrame(
        {
            "indicator": table["indicator"].map(rank(simulation.catalogue.index)),
            "district": table["district"].astype(int),
            "period": table["period"].map(rank(periods)),
            "band": table["age_band"].map(rank(AGE_BANDS)),
            "sex": table["sex"].map(rank(SEXES)),
        }
    )
    return table.loc[key.sort_values(list(key.columns), na_position="first").index]


def rank(values) -> dict:
    """Position of every value, for sorting in a given order."""
    return {value: position for position, value in enumerate(values)}


def format_number(value: float) -> str:
    """Whole numbers without decimals, others with at most 4 decimals, missing as empty cell."""
    if pd.isna(value):
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0")


def write_csv(table: pd.DataFrame, path: Path, numbers: list[str]) -> None:
    """UTF-8 CSV with "," and "." and reproducibly formatted `numbers` columns."""
    text = table.copy()
    for column in numbers:
        text[column] = text[column].map(format_number)
    text.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def generate(data_dir: Path = DATA_DIR, out_dir: Path | None = None) -> dict[str, Path]:
    """Write population.csv and observations.csv for the register and catalogue in `data_dir`."""
    out_dir = data_dir if out_dir is None else out_dir
    seed = tomllib.loads((data_dir / "dataset.toml").read_text(encoding="utf-8"))["seed"]
    rng = np.random.default_rng(seed)
    profile = ortsteil_profile(read_table(data_dir / "districts.csv", "districts"))
    catalogue = read_table(data_dir / "indicators.csv", "indicators").set_index("id")
    population = simulate_population(profile, rng)
    simulation = Simulation(catalogue, profile, population, rng, np.random.default_rng([seed, 19]))
    table = simulate_observations(simulation)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"population": out_dir / "population.csv", "observations": out_dir / "observations.csv"}
    write_csv(population, paths["population"], ["population"])
    write_csv(table, paths["observations"], ["numerator", "denominator", "sd"])
    logger.info("seed %s: %d population rows, %d observations", seed, len(population), len(table))
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: data/)")
    args = parser.parse_args(argv)
    paths = generate(out_dir=args.out)
    print(f"Beispieldaten geschrieben: {', '.join(str(path) for path in paths.values())}")


if __name__ == "__main__":
    main()
