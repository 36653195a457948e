#!/usr/bin/env python3
"""What the projection section costs one profile (not a test; see benchmarks/README.md).

Runs one profile's job the way a build's worker does - the template on the worker's warm kernel, the HTML, the PDF
- with and without the section "Bevölkerungsentwicklung und Prognose" (and its Methodik): "before" is
notebooks/profile.ipynb without its ``projection-*`` cells and with tables that hold no projection, "after" is the
template as it is. The two alternate (before, after, before, ...) so that a machine that gets slower or faster
meanwhile hits both alike; the medians are printed, and the time `compute_projection` adds to the build once.

Usage: ``.venv/bin/python benchmarks/projection_timing.py [--district 212] [--rounds 5]``
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from quartiersprofile.build.engine import worker_kernel  # noqa: E402
from quartiersprofile.build.worker import KERNEL_PRELOAD, clean_notebook  # noqa: E402
from quartiersprofile.content.profile import Profile  # noqa: E402
from quartiersprofile.content.projection import compute_projection  # noqa: E402
from quartiersprofile.content.tables import compute_tables, latest_period, save_tables  # noqa: E402
from quartiersprofile.model.areas import resolve_areas  # noqa: E402
from quartiersprofile.model.dataset import load_dataset  # noqa: E402
from quartiersprofile.publish import pdf, render  # noqa: E402
from quartiersprofile.publish.cover import report_info  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--district", default="212", help="area code or name (default 212, Geestendorf)")
    parser.add_argument("--rounds", type=int, default=5, help="runs of each variant (default 5)")
    args = parser.parse_args(argv)

    dataset = load_dataset()
    tables = compute_tables(dataset)
    started = time.perf_counter()
    for _ in range(5):
        compute_projection(dataset, tables.areas)
    once = (time.perf_counter() - started) / 5
    period = latest_period(tables)
    (area,) = resolve_areas(list(tables.areas), [args.district])
    info = report_info(Profile(area, period, tables), "benchmark")

    work = Path(tempfile.mkdtemp(prefix="projection-timing-"))
    template = json.loads((REPO / "notebooks" / "profile.ipynb").read_text("utf-8"))
    without = dict(template, cells=[c for c in template["cells"] if not c.get("id", "").startswith("projection-")])
    variants = {
        "before": (work / "before.ipynb", work / "before.pkl", dataclasses.replace(tables, projection=None)),
        "after": (work / "after.ipynb", work / "after.pkl", tables),
    }
    (work / "before.ipynb").write_text(json.dumps(without), encoding="utf-8")
    (work / "after.ipynb").write_text(json.dumps(template), encoding="utf-8")
    for _, pickle_path, shared in variants.values():
        pickle_path.write_bytes(save_tables(shared))

    kernel = worker_kernel(KERNEL_PRELOAD)
    times: dict[str, dict[str, list[float]]] = {name: {"notebook": [], "html": [], "pdf": []} for name in variants}
    for round_number in range(args.rounds + 1):  # the first round warms the kernel and the browser up
        for name, (notebook_path, pickle_path, _) in variants.items():
            parameters = {"district": area.code, "period": period, "tables": pickle_path.name}
            t0 = time.perf_counter()
            notebook = clean_notebook(kernel.execute(notebook_path, parameters, work / "run.ipynb", 600, work))
            t1 = time.perf_counter()
            page = render.notebook_to_html(notebook, info)
            t2 = time.perf_counter()
            pdf.html_to_pdf(page)
            t3 = time.perf_counter()
            if round_number:
                for part, seconds in (("notebook", t1 - t0), ("html", t2 - t1), ("pdf", t3 - t2)):
                    times[name][part].append(seconds)
    print(f"{area.name} ({area.code}), {period}, {args.rounds} rounds each, medians in seconds:")
    print()
    print("| step | before | after | difference |")
    print("|---|---|---|---|")
    total = {name: 0.0 for name in variants}
    for part in ("notebook", "html", "pdf"):
        before, after = (statistics.median(times[name][part]) for name in ("before", "after"))
        total["before"] += before
        total["after"] += after
        print(f"| {part} | {before:.2f} | {after:.2f} | {after - before:+.2f} |")
    print(f"| **job** | {total['before']:.2f} | {total['after']:.2f} | **{total['after'] - total['before']:+.2f}** |")
    print()
    print(f"compute_projection once per build: {once * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
