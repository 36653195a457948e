"""Command line of `python build.py`: parse the arguments, call the build, report, choose the exit code.

Exit codes: 0 everything asked for was built (or was already current), 1 at least one profile failed,
2 invalid input (data, district or period), 3 another build holds the output folder, 4 the Dask cluster
given by --scheduler cannot be used (unreachable, no workers, other versions), 5 the output folder cannot be
written (no permission, disk full).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from ..model.errors import DisclosureError, InputError
from . import jobs
from .files import OutputNotWritableError
from .runner import run_build

log = logging.getLogger("quartiersprofile")
BAR_WIDTH = 20
SCHEDULER_VARIABLE = "QUARTIERSPROFILE_SCHEDULER"
SYMBOLS = {"built": "✓", "skipped": "=", "failed": "✗", "planned": "·"}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    # Long on purpose: one declaration per option; their help texts are the length.
    parser = argparse.ArgumentParser(
        prog="python build.py",
        description="Build the health-related district profiles (HTML, PDF, data download) of Bremerhaven. "
        "Without options: every inhabited Ortsteil, every Stadtteil and the city, latest period.",
        epilog="Other commands: `python build.py check` validates the data folder without building, "
        "`python build.py preview` shows one report in the browser and rebuilds it on every save, "
        "`python build.py audit` runs the disclosure audit of a built folder (each with --help).",
    )
    parser.add_argument(
        "--district",
        action="append",
        default=[],
        metavar="CODE_OR_NAME",
        help="area to build, by official code (e.g. 212) or name (e.g. Lehe); repeatable",
    )
    parser.add_argument(
        "--period",
        help="reporting period, a year (2024) or a quarter (2024-Q3); default: the latest in the data",
    )
    parser.add_argument(
        "--format",
        action="append",
        choices=[*jobs.FORMATS, "all"],
        dest="formats",
        help="output format; repeatable (default: all = html, pdf and data)",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=jobs.DEFAULT_DATA_DIR,
        metavar="DIR",
        help="input folder (default: the bundled data/)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=jobs.DEFAULT_OUTPUT_DIR,
        metavar="DIR",
        help="output folder (default: profiles/)",
    )
    parser.add_argument(
        "--template",
        type=Path,
        default=jobs.TEMPLATE_NOTEBOOK,
        metavar="NOTEBOOK",
        help="template notebook with a 'parameters' cell (default: notebooks/profile.ipynb)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="parallel workers (default: number of CPU cores)",
    )
    parser.add_argument(
        "--scheduler",
        default=os.environ.get(SCHEDULER_VARIABLE) or None,
        metavar="ADDRESS",
        help=f"run the profiles on the Dask cluster of this scheduler (e.g. tcp://host:8786) instead of local "
        f"workers; default: ${SCHEDULER_VARIABLE}, else local",
    )
    parser.add_argument(
        "--timeout",
        type=int,
        default=600,
        metavar="SECONDS",
        help="stop a profile's notebook that runs longer than this, in the cell it is in (default: 600)",
    )
    parser.add_argument("--force", action="store_true", help="rebuild even what is up to date")
    parser.add_argument("--dry-run", action="store_true", help="show the plan without building")
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument("--verbose", "-v", action="store_true", help="more detail in the log")
    verbosity.add_argument("--quiet", "-q", action="store_true", help="only errors and the summary")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    return args


def options_from(args: argparse.Namespace) -> jobs.BuildOptions:
    formats = jobs.FORMATS if not args.formats or "all" in args.formats else tuple(args.formats)
    return jobs.BuildOptions(
        data_dir=args.data.resolve(),
        output_dir=args.output.resolve(),
        districts=tuple(args.district),
        period=args.period,
        formats=formats,
        jobs=args.jobs,
        scheduler=args.scheduler,
        force=args.force,
        dry_run=args.dry_run,
        timeout=args.timeout,
        template=args.template.resolve(),
    )


def _progress(quiet: bool):
    """One line per finished job: a progress bar, the job's status symbol, its key and duration."""

    def report(result: jobs.JobResult, done: int, total: int) -> None:
        if quiet:
            return
        filled = round(BAR_WIDTH * done / total)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        width = len(str(total))
        print(
            f"[{bar}] {done:>{width}}/{total} {SYMBOLS[result.status]} {result.key}  {result.duration:.1f} s",
            file=sys.stderr,
            flush=True,
        )

    return report


def print_summary(result: jobs.BuildResult, output_dir: Path) -> None:
    counts = {status: sum(r.status == status for r in result.results) for status in SYMBOLS}
    print(f"\n{'status':<8} {'profile':<45} {'seconds':>8}")
    for entry in sorted(result.results, key=lambda r: r.key):
        print(f"{entry.status:<8} {entry.key:<45} {entry.duration:>8.1f}")
    for note in result.notes:
        print(f"note: {note}")
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    print(f"\n{summary or 'nothing to do'} -> {output_dir} (index: {output_dir / 'index.html'})")
    failed = [r for r in result.results if r.status == "failed"]
    if failed:
        print(f"\n{len(failed)} profile(s) failed:", file=sys.stderr)
        for entry in failed:
            print(f"  {entry.key}: {entry.message}", file=sys.stderr)
        kept = [e.key for e in failed if (Path(output_dir) / f"{e.key}.failed.ipynb").is_file()]
        if kept:  # a notebook that failed the disclosure audit is never kept: it shows the hidden value
            print(f"Kept for debugging: {', '.join(f'{key}.failed.ipynb' for key in kept)}.", file=sys.stderr)


COMMANDS = ("check", "preview", "audit")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in COMMANDS:
        level = logging.INFO if argv[0] == "preview" else logging.WARNING
        logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
        from . import commands  # pandas and the content layers only for these commands: a no-op build stays fast

        return getattr(commands, argv[0])(argv[1:])
    args = parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.ERROR if args.quiet else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("papermill", "traitlets", "fontTools", "matplotlib"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    options = options_from(args)
    try:
        result = run_build(options, progress=_progress(args.quiet))
    except jobs.BuildLockedError as error:
        print(f"error: {error}", file=sys.stderr)
        return jobs.EXIT_LOCKED
    except jobs.ClusterUnavailableError as error:
        print(f"error: {error}", file=sys.stderr)
        return jobs.EXIT_CLUSTER_UNAVAILABLE
    except OutputNotWritableError as error:
        print(f"error: {error}", file=sys.stderr)
        return jobs.EXIT_NOT_WRITABLE
    except DisclosureError as error:
        print(f"error: nothing was built.\n{error}", file=sys.stderr)
        return jobs.EXIT_FAILED
    except InputError as error:
        print(f"error: invalid input, nothing was built.\n{error}", file=sys.stderr)
        return jobs.EXIT_INVALID_INPUT
    print_summary(result, options.output_dir)
    return result.exit_code
