#!/usr/bin/env python3
"""The back-test of the population projection on the data of a build (not a test; see benchmarks/README.md).

Prints the error table the reports' Methodik cites - the mean absolute percentage error (MAPE) of the total
population and of the 65-79 year olds at the longest horizon the data allow, by area-size class - computed exactly
as the build computes it (`content.projection.compute_projection`, once per build), then the same by horizon and
the time the projection takes.

Usage: ``.venv/bin/python benchmarks/projection_backtest.py [--data DIR]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from quartiersprofile.content.projection import areas_frame, compute_projection  # noqa: E402
from quartiersprofile.model.areas import profile_areas  # noqa: E402
from quartiersprofile.model.dataset import load_dataset  # noqa: E402
from quartiersprofile.stats import projection as pr  # noqa: E402


def markdown(frame, decimals: int) -> str:
    """A DataFrame as a Markdown table, numbers with `decimals` decimals (point, as Python prints them)."""
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    lines = []
    for row in frame.itertuples(index=False):
        cells = [f"{v:.{decimals}f}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join([header, rule, *lines])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO / "data", help="input folder (default: data/)")
    args = parser.parse_args(argv)
    dataset = load_dataset(args.data)
    areas = profile_areas(dataset.districts, dataset.population)
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        projection = compute_projection(dataset, areas)
        timings.append(time.perf_counter() - started)
    if not projection.available:
        print(projection.note)
        return 1
    table = projection.error_table
    horizon = int(table["horizon"].iloc[0])
    print(f"Back-test of the projection ({args.data}), launch year {projection.launch_year}: MAPE in % after "
          f"{horizon} years, by area-size class (residents {projection.launch_year})")
    print()
    print(markdown(table, 1))
    print()
    errors = pr.backtest(dataset.population, areas_frame(areas))
    by_horizon = []
    for h in sorted(errors["horizon"].unique()):
        at = pr.backtest_error_table(errors, horizon=int(h)).set_index("size_class")
        columns = {c: f"{c}, h={h}" for c in ("MAPE insgesamt", "MAPE 65–79")}
        by_horizon.append(at[list(columns)].rename(columns=columns))
    print("By horizon (years after the base year):")
    print()
    print(markdown(pd.concat(by_horizon, axis=1).reset_index(), 2))
    print()
    print(f"compute_projection (projection, back-test, intervals): best {min(timings) * 1000:.0f} ms, "
          f"first {timings[0] * 1000:.0f} ms of {len(timings)} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
