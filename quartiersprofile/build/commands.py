"""The commands of `python build.py` besides the build itself: `check` (validate the data folder), `preview` (one
report in the browser, rebuilt on every save) and `audit` (the disclosure audit of a built folder).

Each takes its own arguments (`python build.py check --help`) and returns the exit code.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..model import periods
from ..model.areas import inhabited_ortsteile, profile_areas
from ..model.dataset import load_dataset
from ..model.errors import InputError
from ..publish import audit as disclosure_audit
from . import jobs
from .cache import TableCache
from .preview import PreviewRequest, serve


def check(argv: list[str]) -> int:
    """`python build.py check [--data DIR]`: the same validation as the build, and nothing built."""
    parser = argparse.ArgumentParser(
        prog="python build.py check",
        description="Check a data folder against the data contract (data/README.md) without building anything: "
        "prints every problem (file, row, column, expected) and exits with 2, or a one-line summary and 0.",
    )
    parser.add_argument("--data", type=Path, default=jobs.DEFAULT_DATA_DIR, metavar="DIR", help="data folder")
    args = parser.parse_args(argv)
    try:
        dataset = load_dataset(args.data)
    except InputError as error:
        print(f"error: invalid input.\n{error}", file=sys.stderr)
        return jobs.EXIT_INVALID_INPUT
    print(summary(dataset))
    return jobs.EXIT_OK


def summary(dataset) -> str:
    """One line: what the data hold (areas, indicators, periods)."""
    levels = dataset.districts["level"].value_counts()
    areas = profile_areas(dataset.districts, dataset.population)
    inhabited = len(inhabited_ortsteile(dataset.districts, dataset.population))
    found = sorted(set(dataset.observations["period"]), key=periods.sort_key)
    years = [p for p in found if not periods.is_quarter(p)]
    quarters = [p for p in found if periods.is_quarter(p)]
    spans = [f"Jahre {years[0]}–{years[-1]}"] if years else []
    spans += [f"Quartale {periods.label(quarters[0])} bis {periods.label(quarters[-1])}"] if quarters else []
    sample = " (Beispieldaten)" if dataset.metadata.get("sample_data") else ""
    return (
        f"Daten in Ordnung{sample}: {levels.get('ortsteil', 0)} Ortsteile ({inhabited} bewohnt), "
        f"{levels.get('stadtteil', 0)} Stadtteile, {len(dataset.catalogue)} Indikatoren, {', '.join(spans)}; "
        f"{len(areas)} Profile möglich."
    )


def preview(argv: list[str]) -> int:
    """`python build.py preview [--district D] [--period P]`: see `preview`."""
    parser = argparse.ArgumentParser(
        prog="python build.py preview",
        description="Serve one area's report on http://127.0.0.1 (this computer only) and rebuild it whenever the "
        "template, the data or the package is saved; the open page reloads by itself. Ctrl+C stops it.",
    )
    parser.add_argument("--district", default="Lehe", metavar="CODE_OR_NAME", help="area (default: Lehe)")
    parser.add_argument("--period", help="reporting period, e.g. 2024 or 2024-Q3 (default: the latest)")
    parser.add_argument("--data", type=Path, default=jobs.DEFAULT_DATA_DIR, metavar="DIR", help="data folder")
    parser.add_argument("--template", type=Path, default=jobs.TEMPLATE_NOTEBOOK, metavar="NOTEBOOK")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--timeout", type=int, default=600, metavar="SECONDS")
    args = parser.parse_args(argv)
    if not args.template.is_file():
        print(f"error: invalid input.\nTemplate notebook {args.template} not found.", file=sys.stderr)
        return jobs.EXIT_INVALID_INPUT
    request = PreviewRequest(args.district, args.period, str(args.data.resolve()), str(args.template.resolve()),
                             args.timeout)  # fmt: skip
    return serve(request, args.port)


def audit(argv: list[str]) -> int:
    """`python build.py audit [PROFILES]`: the disclosure audit of a built folder (see `publish.audit`)."""
    folders = argv or [str(jobs.DEFAULT_OUTPUT_DIR)]
    return disclosure_audit.main(folders, prog="python build.py audit", cache=TableCache())
