"""What the insight (index, similar areas, targets, changes) adds to one profile: CPU time of each added piece of
work, best of N, on fresh `Profile` objects of the build's tables (as a notebook run makes them).

    .venv/bin/python benchmarks/benchmark_insight.py                 # Geestendorf and Lehe, latest period
    .venv/bin/python benchmarks/benchmark_insight.py --district 13 --rounds 11

CPU time (`time.process_time`), not wall time: it is what the work costs the machine, and other processes on the
same cores change it much less. See benchmarks/README.md for the last numbers.
"""

from __future__ import annotations

import argparse
import pickle
import time

from quartiersprofile.content import charts, findings, insight, insight_rows, insight_text
from quartiersprofile.content.profile import Profile
from quartiersprofile.content.tables import compute_tables, latest_period
from quartiersprofile.model.contract import SECTIONS
from quartiersprofile.model.dataset import load_dataset
from quartiersprofile.publish import fragments
from quartiersprofile.publish import insight as insight_html


def best(area, period, tables, work, rounds: int) -> float:
    """The least CPU time of `work(profile)` over `rounds` fresh profiles (their indicator rows made first)."""
    times = []
    for _ in range(rounds):
        profile = Profile(area, period, tables)
        profile.indicator_rows()
        start = time.process_time()
        work(profile)
        times.append(time.process_time() - start)
    return min(times)


def tables_html(profile, plain: bool) -> None:
    for section in SECTIONS:
        rows = profile.indicator_rows(section)
        if plain:  # the table as before: no column "Ähnliche Gebiete", no target badge
            rows = rows.drop(columns=["neighbours_value", "target_comparison"])
        fragments.indicator_table_html(rows, "")


def measure(area, period, tables, rounds: int) -> dict[str, float]:
    def timed(work):
        return best(area, period, tables, work, rounds)

    with_benchmarks = insight_rows.with_benchmarks
    return {
        "changes_html": timed(insight_html.changes_html),
        "index_html": timed(insight_html.index_html),
        "similar_areas_html": timed(insight_html.similar_areas_html),
        "with_benchmarks (once per profile)": timed(lambda p: with_benchmarks(p, p._own_rows)),
        "Kernaussagen: index sentence": timed(insight_text.key_findings) - timed(findings.profile_key_findings),
        "Methodik paragraphs": timed(insight_text.methods_paragraphs),
        "tables: column and badge": timed(lambda p: tables_html(p, False)) - timed(lambda p: tables_html(p, True)),
        "spine: benchmarks and markers": timed(
            lambda p: fragments.chart_to_html(charts.spine_chart(insight_rows.spine_rows(p)), "")
        ) - timed(lambda p: fragments.chart_to_html(charts.spine_chart(p.spine_rows()), "")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--district", action="append", help="area code (repeatable; default 212 and 13)")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    tables = compute_tables(load_dataset())
    period = latest_period(tables)
    blob = len(pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL))
    primes = []
    for _ in range(args.rounds):
        tables.insight.clear()
        start = time.process_time()
        insight.prime(tables, period)
        primes.append(time.process_time() - start)
    tables.insight.clear()
    plain = len(pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL))
    insight.prime(tables, period)
    print(f"once per build: insight.prime {min(primes):.3f} s CPU; cached tables {plain:,} -> {blob:,} bytes")
    for code in args.district or ["212", "13"]:
        area = next(a for a in tables.areas if code in (a.code, a.also_code))
        results = measure(area, period, tables, args.rounds)
        print(f"\n{area.name}, {period} (CPU, best of {args.rounds}):")
        for name, seconds in results.items():
            print(f"  {name:38s} {seconds * 1000:7.1f} ms")
        print(f"  {'in the notebook, in total':38s} {sum(results.values()) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
