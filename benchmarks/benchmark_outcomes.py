#!/usr/bin/env python3
"""What the health outcomes (life expectancy, SMRs, inequality, rows by sex) cost a build, per profile (not a test;
see benchmarks/README.md).

(a) the outcome tables once per build (`content.outcomes.health_outcomes`), against (n) the naive way: one life
    table per area, sex, period and age by a Python loop over `stats.life_expectancy`, one SMR per area and
    period, and every slope index at PHE's 100,000 simulations;
(b) the small-number protection with the rows by sex against without them (the same data with `sex` removed and
    `by_sex` false): what the sex split adds to the protection, once per build (no cache);
(c) the HTML of the new report parts per profile (life expectancy with its chart, SMR table, women and men side
    by side; the city profile also the inequality section with its chart);
and the total per profile: (a) / profiles + (b) / profiles + (c).

Usage: ``.venv/bin/python benchmarks/benchmark_outcomes.py [--repeat 3]``
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from quartiersprofile import stats  # noqa: E402
from quartiersprofile.content import indicators, outcomes  # noqa: E402
from quartiersprofile.content.profile import Profile  # noqa: E402
from quartiersprofile.content.tables import compute_tables  # noqa: E402
from quartiersprofile.model.age_bands import AGE_BANDS  # noqa: E402
from quartiersprofile.model.dataset import load_dataset  # noqa: E402
from quartiersprofile.publish import outcomes as fragments  # noqa: E402
from quartiersprofile.publish import report  # noqa: E402
from quartiersprofile.stats.life_tables import FIVE_YEAR_AGE_BANDS  # noqa: E402
from quartiersprofile.stats.suppression import SuppressionRule  # noqa: E402


def timed(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def naive_outcomes(dataset, areas) -> int:
    """The loop an analyst would write: one call per area, sex, period and age; one SMR per area and period."""
    obs = dataset.observations[dataset.observations["indicator"] == "GES01"]
    years = sorted(obs["period"].unique())
    count = 0
    for area in areas:
        rows = obs[obs["district"].isin(area.members)]
        for sex in ("w", "m"):
            for end in range(4, len(years)):
                window = rows[(rows["sex"] == sex) & rows["period"].isin(years[end - 4 : end + 1])]
                sums = window.groupby("age_band")[["numerator", "denominator"]].sum().reindex(list(AGE_BANDS))
                for age in (0, 65):
                    stats.life_expectancy(sums["numerator"].fillna(0).to_numpy(), sums["denominator"].to_numpy(),
                                          FIVE_YEAR_AGE_BANDS, at_age=age)  # fmt: skip
                    count += 1
    city = next(a for a in areas if a.level == "stadt")
    for area in areas:
        if len(area.members) != 1:
            continue
        for end in range(4, len(years)):
            chosen = years[end - 4 : end + 1]
            own = obs[obs["district"].isin(area.members) & obs["period"].isin(chosen)]
            ref = obs[obs["district"].isin(city.members) & obs["period"].isin(chosen)]
            own = own.groupby("age_band")[["numerator", "denominator"]].sum().reindex(list(AGE_BANDS))
            ref = ref.groupby("age_band")[["numerator", "denominator"]].sum().reindex(list(AGE_BANDS))
            stats.smr(own["numerator"].sum(), own["denominator"].to_numpy(), ref["numerator"].to_numpy(),
                      ref["denominator"].to_numpy())  # fmt: skip
            count += 1
    return count


def without_sex(dataset):
    """The same data as if the deaths came for all persons only (the protection of the first wave)."""
    obs = dataset.observations
    keys = ["indicator", "district", "period", "age_band"]
    summed = obs.assign(age_band=obs["age_band"].fillna("")).groupby(keys, sort=False, dropna=False)[
        ["numerator", "denominator"]
    ].sum(min_count=1).reset_index()
    summed["age_band"] = summed["age_band"].replace("", np.nan)
    plain = obs[obs["sex"].fillna("") == ""]
    merged = pd.concat([plain, summed[summed["indicator"].isin(obs.loc[obs["sex"].fillna("") != "", "indicator"])]])
    catalogue = dataset.catalogue.assign(by_sex="false")
    return dataclasses.replace(dataset, observations=merged.assign(sex=np.nan), catalogue=catalogue)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    dataset = load_dataset(REPO / "data")
    tables = compute_tables(dataset)
    areas = list(tables.areas)
    profiles = len(areas)

    build, _ = timed(lambda: outcomes.health_outcomes(dataset, areas, tables.indicators, tables.by_sex), args.repeat)
    naive, calls = timed(lambda: naive_outcomes(dataset, areas), 1)
    print(f"(a) outcome tables once per build: {build:.2f} s  ({build / profiles * 1000:.0f} ms per profile)")
    print(f"(n) naive loop (life tables and SMRs only, {calls} calls): {naive:.2f} s  -> {naive / build:.1f}x")

    def protect(data):
        indicators._PROTECTED.clear()
        table = indicators.unsuppressed_indicator_table(data, areas)
        return indicators.apply_suppression(table, data.catalogue, areas, SuppressionRule())

    split, _ = timed(lambda: protect(dataset), 1)
    plain, _ = timed(lambda: protect(without_sex(dataset)), 1)
    print(f"(b) protection with rows by sex: {split:.1f} s, without: {plain:.1f} s -> {split - plain:+.1f} s per build "
          f"({(split - plain) / profiles * 1000:+.0f} ms per profile)")

    per_profile = []
    for area in areas:
        profile = Profile(area, "2024", tables)

        def render(profile=profile):
            return (fragments.life_expectancy_html(profile) + fragments.mortality_ratios_html(profile)
                    + fragments.by_sex_html(profile, "Gesundheit und Sterblichkeit")
                    + report.inequality_section_html(profile))  # fmt: skip

        seconds, _ = timed(render, 1)
        per_profile.append(seconds)
    mean = statistics.mean(per_profile)
    print(f"(c) report parts per profile: mean {mean:.2f} s, max {max(per_profile):.2f} s (city with inequality)")
    total = build / profiles + max(split - plain, 0) / profiles + mean
    print(f"total per profile: {total:.2f} s (target at most 0.5 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
