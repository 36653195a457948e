#!/usr/bin/env python3
"""Build speed, measured in one run on the same data and template (not a test; see benchmarks/README.md).

(a) the naive loop a user would write: per district the papermill CLI (the notebook computes its own tables
    from ``--data``), ``jupyter nbconvert --to html --no-input`` and ``chromium --headless --print-to-pdf``
    (the project's PDF engine from the command line), one after another;
(b) ``python build.py --force`` into an empty folder (the same sample of districts, or ``--all``);
(c) the no-op rebuild right after (b), interpreter start included;
(d) ``--scale N``: a synthetic city of N Ortsteile and how long loading, the shared tables, planning/hashing
    and the index page take, and how much memory they need;
(e) the synthetic city built through ``build.py --scheduler`` on a Dask LocalCluster (``--cluster-workers``
    worker processes): throughput and the client's peak memory (``--cluster-profiles`` caps how many).

Usage: ``.venv/bin/python benchmarks/benchmark_build.py [--sample 3 | --all] [--scale 1000]``
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "notebooks" / "profile.ipynb"
BIN = Path(sys.executable).parent
NO_OP_LIMIT = 1.0  # seconds
TARGET_RATIO = 4.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO / "data", help="input folder (default: data/)")
    parser.add_argument("--period", help="report period (default: the latest in the data)")
    parser.add_argument("--sample", type=int, default=3, metavar="N", help="districts in (a) and (b) (default 3)")
    parser.add_argument("--all", action="store_true", help="(b) and (c) build every profile, not only the sample")
    parser.add_argument("--jobs", type=int, help="workers for build.py (default: its own default, the CPU cores)")
    parser.add_argument(
        "--scale", type=int, default=1000, metavar="N", help="Ortsteile of the synthetic city in (d); 0 skips (d)"
    )
    parser.add_argument(
        "--parts", default="abcd", help="which parts to run, e.g. 'bc' or 'e' (default abcd; (c) needs (b))"
    )
    parser.add_argument(
        "--cluster-workers", type=int, default=os.cpu_count() or 1, metavar="N", help="LocalCluster workers in (e)"
    )
    parser.add_argument(
        "--cluster-profiles", type=int, metavar="N", help="build only the first N profiles in (e) (default: all)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders and print where they are")
    parser.add_argument("--measure-scale", nargs=2, metavar=("DATA", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--measure-plan", nargs=2, metavar=("DATA", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--measure-cluster", nargs=2, metavar=("DATA", "OUT"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def run(command: list[str], cwd: Path) -> tuple[float, str]:
    """Run a command, fail loudly if it fails, return its wall time in seconds and its standard output."""
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {' '.join(command)}\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return elapsed, result.stdout


def choose(data_dir: Path, count: int, period: str | None) -> tuple[list, list, str]:
    """All profile areas, an evenly spread sample of them (city, Stadtteile, Ortsteile), and the period."""
    from quartiersprofile.model.areas import profile_areas
    from quartiersprofile.model.dataset import latest_period, load_dataset

    dataset = load_dataset(data_dir)
    areas = profile_areas(dataset.districts, dataset.population)
    count = max(1, min(count, len(areas)))
    sample = [areas[round(i * (len(areas) - 1) / max(count - 1, 1))] for i in range(count)]
    return areas, sample, period or latest_period(dataset)


# --- (a) the naive loop -----------------------------------------------------------------------------------


def naive_loop(sample: list, period: str, data_dir: Path, work: Path) -> list[dict]:
    from quartiersprofile.publish.browser import chromium_executable

    rows = []
    for area in sample:
        folder = work / f"naive-{area.code}"
        folder.mkdir()
        steps = {
            # -r: papermill's -p would turn "2024" and "13" into numbers
            "papermill": [
                str(BIN / "papermill"), str(TEMPLATE), "out.ipynb",
                "-r", "district", area.code, "-r", "period", period, "-r", "data_dir", str(data_dir),
            ],
            "nbconvert": [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", "out.ipynb"],
            "chromium": [
                chromium_executable(), "--headless", "--no-sandbox", "--no-pdf-header-footer",
                "--print-to-pdf=out.pdf", (folder / "out.html").as_uri(),
            ],
        }  # fmt: skip
        row = {"district": f"{area.code} {area.name}"}
        for name, command in steps.items():
            row[name], _ = run(command, folder)
        row["total"] = sum(row[name] for name in steps)
        rows.append(row)
        print(
            f"  (a) {row['district']:<28} papermill {row['papermill']:5.1f} s  nbconvert {row['nbconvert']:4.1f} s"
            f"  chromium {row['chromium']:4.1f} s  = {row['total']:5.1f} s",
            flush=True,
        )
    return rows


# --- (b) and (c) build.py ---------------------------------------------------------------------------------


def build_command(output: Path, period: str | None, data_dir: Path, districts: list, jobs: int | None) -> list[str]:
    command = [sys.executable, str(REPO / "build.py"), "--output", str(output), "--quiet"]
    command += ["--period", period] if period else []
    # the same outputs as the naive loop (a): HTML and PDF
    command += ["--data", str(data_dir), "--format", "html", "--format", "pdf"]
    for code in districts:
        command += ["--district", code]
    if jobs:
        command += ["--jobs", str(jobs)]
    return command


def built_profiles(output: Path) -> tuple[int, int]:
    """District profiles built, and other jobs built (the city overview of a full build)."""
    from quartiersprofile.model.areas import OVERVIEW_SLUG as overview
    entries = [e for e in json.loads((output / "manifest.json").read_text("utf-8"))["jobs"] if e["status"] == "built"]
    others = sum(1 for e in entries if overview and e["key"].endswith("/" + overview))
    return len(entries) - others, others


# --- (d) a synthetic city -----------------------------------------------------------------------------------


def synthetic_city(source: Path, target: Path, ortsteile: int, per_stadtteil: int = 8) -> dict[str, int]:
    """A valid data folder with `ortsteile` inhabited Ortsteile, cloned cyclically from the real ones.

    Each new Ortsteil copies the population and observation rows of one real inhabited Ortsteil verbatim
    (so every contract rule holds); Stadtteile group `per_stadtteil` Ortsteile, alternately in the two
    Stadtbezirke. The catalogue and dataset.toml are copied unchanged.
    """
    import pandas as pd

    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(source / f"{name}.csv", dtype=str, keep_default_na=False)

    districts, observations, population = read("districts"), read("observations"), read("population")
    residents = population.assign(n=pd.to_numeric(population["population"])).groupby("district")["n"].sum()
    real = [c for c in districts.loc[districts["level"] == "ortsteil", "code"] if residents.get(c, 0) > 0]
    register = districts.set_index("code")
    city = districts.loc[districts["level"] == "stadt"].iloc[0]
    bezirke = districts.loc[districts["level"] == "stadtbezirk", "code"].tolist()
    rows = [city.to_dict()] + districts[districts["level"] == "stadtbezirk"].to_dict("records")
    codes = {}  # new Ortsteil code -> the real one it copies
    for number in range(ortsteile):
        group = number // per_stadtteil
        stadtteil = f"2{group + 1:05d}"
        if number % per_stadtteil == 0:
            rows.append(
                {"code": stadtteil, "name": f"Stadtteil {group + 1}", "level": "stadtteil",
                 "parent_code": bezirke[group % len(bezirke)], "area_km2": "1.0", "population_2018": "0"}
            )  # fmt: skip
        code = f"3{number + 1:06d}"
        codes[code] = real[number % len(real)]
        rows.append(
            {"code": code, "name": f"Ortsteil {number + 1}", "level": "ortsteil", "parent_code": stadtteil,
             "area_km2": register.at[codes[code], "area_km2"],
             "population_2018": register.at[codes[code], "population_2018"]}
        )  # fmt: skip
    target.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=districts.columns).to_csv(target / "districts.csv", index=False)
    for name, table in (("observations", observations), ("population", population)):
        by_district = dict(tuple(table.groupby("district", sort=False)))
        copies = [by_district[real_code].assign(district=code) for code, real_code in codes.items()]
        pd.concat(copies, ignore_index=True).to_csv(target / f"{name}.csv", index=False)
    for name in ("indicators.csv", "dataset.toml"):
        shutil.copy(source / name, target / name)
    return {
        "ortsteile": ortsteile,
        "stadtteile": math.ceil(ortsteile / per_stadtteil),
        "observation_rows": len(observations) * ortsteile // max(len(real), 1),
    }


def emit(stage: str, seconds: float, **extra) -> None:
    """One measurement as a JSON line; peak RSS is the process's high-water mark so far (ru_maxrss)."""
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    row = {"stage": stage, "seconds": round(seconds, 2), "peak_rss_mb": round(peak_mb), **extra}
    print(json.dumps(row), flush=True)


def measure_scale(data_dir: Path, output: Path) -> None:
    """(d), run in a fresh interpreter: each stage's wall time and the process's peak RSS after it (JSON lines)."""
    import hashlib

    from quartiersprofile.build import fingerprints, jobs, plan
    from quartiersprofile.content import tables as shared
    from quartiersprofile.content.profile import Profile
    from quartiersprofile.model.dataset import load_dataset
    from quartiersprofile.publish import index

    emit("interpreter + imports", 0.0)
    started = time.perf_counter()
    dataset = load_dataset(data_dir)
    emit("load + validate (model.dataset.load_dataset)", time.perf_counter() - started)
    started = time.perf_counter()
    tables = shared.compute_tables(dataset)
    emit("shared tables (content.tables.compute_tables)", time.perf_counter() - started, profiles=len(tables.areas))
    started = time.perf_counter()
    blob = shared.save_tables(tables)
    hashlib.sha256(blob).hexdigest()
    emit("cache the tables (save_tables + sha256)", time.perf_counter() - started, mb=round(len(blob) / 2**20))
    options = jobs.BuildOptions(data_dir=data_dir, output_dir=output, dry_run=True)
    started = time.perf_counter()
    fingerprints.request_fingerprint(options)
    emit("request fingerprint (fingerprints.request_fingerprint)", time.perf_counter() - started)
    period = shared.latest_period(tables)
    started = time.perf_counter()
    done, budget = 0, 60.0
    for area in tables.areas:  # the content fingerprint plan_jobs computes per job
        plan.inputs_digest(tables, Profile(area, period, tables).shown_areas, period)
        done += 1
        if time.perf_counter() - started > budget:
            break
    elapsed = time.perf_counter() - started
    total = len(tables.areas)
    emit(
        "content fingerprints (plan.inputs_digest per job)",
        elapsed * total / done,
        measured_jobs=done,
        jobs=total,
        extrapolated=done < total,
    )
    manifest = {
        f"{period}/{area.slug}": {
            "key": f"{period}/{area.slug}", "area_code": area.code, "area_name": area.name, "period": period,
            "status": "built", "duration": 7.5, "message": "",
            "outputs": {kind: {"path": f"{area.slug}.{kind}", "sha256": "0" * 64, "bytes": 1}
                        for kind in ("html", "pdf", "csv", "xlsx")},
        }
        for area in tables.areas
    }  # fmt: skip
    started = time.perf_counter()
    page = index.index_html(manifest)
    emit("index page (index.index_html)", time.perf_counter() - started, kb=round(len(page) / 1024))


def measure_plan(data_dir: Path, output: Path) -> None:
    """(d), in its own fresh interpreter: what a real build does before the first notebook runs (dry run)."""
    from quartiersprofile.build import fingerprints, plan
    from quartiersprofile.build.jobs import BuildOptions

    options = BuildOptions(data_dir=data_dir, output_dir=output, dry_run=True)
    started = time.perf_counter()
    request = fingerprints.request_fingerprint(options)
    prepared = plan.prepare(options)
    emit("plan.prepare (load, validate, tables)", time.perf_counter() - started)
    started = time.perf_counter()
    todo, current = plan.plan_jobs(options, prepared, {}, request, output)
    emit("plan.plan_jobs (fingerprints of every job)", time.perf_counter() - started, jobs=len(todo) + len(current))


def measure_cluster(data_dir: Path, output: Path, workers: int, limit: int | None) -> None:
    """(e), in its own interpreter: a LocalCluster here, the build as a child process (its peak RSS is the
    client's, read with RUSAGE_CHILDREN once it has exited; the workers are still running then)."""
    import pandas as pd
    from distributed import LocalCluster

    districts = pd.read_csv(data_dir / "districts.csv", dtype=str)
    codes = districts.loc[districts["level"] == "ortsteil", "code"].tolist()[:limit]
    started = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        emit("LocalCluster start", time.perf_counter() - started, workers=workers)
        command = build_command(output, None, data_dir, codes, None) + ["--scheduler", cluster.scheduler_address]
        started = time.perf_counter()
        wall, _ = run(command, REPO)
        client_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        built, _ = built_profiles(output)
        emit(
            "build.py --scheduler (HTML + PDF)",
            wall,
            profiles=built,
            profiles_per_minute=round(60 * built / wall, 1),
            client_peak_rss_mb=round(client_mb),
        )


def run_measurement(flag: str, data_dir: Path, output: Path, timeout: float, *extra: str) -> list[dict]:
    command = [sys.executable, __file__, flag, str(data_dir), str(output), *extra]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as error:
        out = error.stdout.decode() if isinstance(error.stdout, bytes) else (error.stdout or "")
        rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        return rows + [{"stage": f"{flag}: stopped after {timeout:.0f} s", "seconds": math.nan, "peak_rss_mb": 0}]
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0:
        message = (result.stderr.strip().splitlines() or ["?"])[-1]
        rows.append({"stage": f"FAILED: {message[:200]}", "seconds": math.nan, "peak_rss_mb": 0})
    return rows


def make_city(data_dir: Path, city: Path, scale: int) -> str:
    started = time.perf_counter()
    shape = synthetic_city(data_dir, city, scale)
    size = sum(p.stat().st_size for p in city.iterdir()) / 2**20
    return (
        f"synthetic city: {shape['ortsteile']} Ortsteile in {shape['stadtteile']} Stadtteile, "
        f"~{shape['observation_rows']:,} observation rows, {size:.0f} MB CSV (generated in "
        f"{time.perf_counter() - started:.1f} s)"
    )


def _row_line(row: dict) -> str:
    extra = {k: v for k, v in row.items() if k not in ("stage", "seconds", "peak_rss_mb")}
    note = ("  " + ", ".join(f"{k}={v}" for k, v in extra.items())) if extra else ""
    return f"    {row['stage']:<52} {row['seconds']:8.2f} s  peak RSS {row['peak_rss_mb']:6} MB{note}"


# --- main ---------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.measure_scale:
        measure_scale(Path(args.measure_scale[0]), Path(args.measure_scale[1]))
        return 0
    if args.measure_plan:
        measure_plan(Path(args.measure_plan[0]), Path(args.measure_plan[1]))
        return 0
    if args.measure_cluster:
        measure_cluster(Path(args.measure_cluster[0]), Path(args.measure_cluster[1]), args.cluster_workers,
                        args.cluster_profiles)  # fmt: skip
        return 0

    data_dir = args.data.resolve()
    work = Path(tempfile.mkdtemp(prefix="benchmark-build-"))
    summary: list[str] = []
    try:
        areas, sample, period = choose(data_dir, args.sample, args.period)
        print(f"data {data_dir}, period {period}, {len(areas)} profiles; sample: "
              + ", ".join(f"{a.code} {a.name}" for a in sample) + f"; {os.cpu_count()} CPU cores")  # fmt: skip
        naive = build_seconds = None
        if "a" in args.parts:
            print("(a) naive CLI loop, sequential", flush=True)
            rows = naive_loop(sample, period, data_dir, work)
            naive = sum(r["total"] for r in rows) / len(rows)
            steps = {name: sum(r[name] for r in rows) / len(rows) for name in ("papermill", "nbconvert", "chromium")}
            summary.append(
                f"(a) naive CLI loop:        {naive:6.2f} s per district  (papermill {steps['papermill']:.1f}, "
                f"nbconvert {steps['nbconvert']:.1f}, chromium {steps['chromium']:.1f}; {len(rows)} districts)"
            )
        if "b" in args.parts:
            output = work / "profiles"
            codes = [] if args.all else [a.code for a in sample]
            command = build_command(output, period, data_dir, codes, args.jobs)
            print("(b) " + " ".join(command[1:] + ["--force"]), flush=True)
            wall, _ = run(command + ["--force"], REPO)
            built, others = built_profiles(output)
            build_seconds = wall / max(built, 1)
            extra = f" + {others} city overview" if others else ""
            summary.append(
                f"(b) build.py cold:         {build_seconds:6.2f} s per district  ({wall:.1f} s for {built} profiles"
                f"{extra}, HTML + PDF, jobs={args.jobs or os.cpu_count()})"
            )
            if naive:
                ratio = naive / build_seconds
                verdict = "ok" if ratio >= TARGET_RATIO else f"below the target {TARGET_RATIO:g}x"
                summary.append(f"    ratio (a)/(b):          {ratio:6.1f} x  ({verdict})")
            if "c" in args.parts:
                print("(c) the same without --force", flush=True)
                wall, out = run(command, REPO)
                skipped = sum(line.startswith("skipped") for line in out.splitlines())
                verdict = "ok" if wall < NO_OP_LIMIT else f"SLOWER than {NO_OP_LIMIT:g} s"
                summary.append(f"(c) no-op rebuild:          {wall:6.2f} s  ({verdict}; {skipped} profiles skipped)")
        city = work / f"city-{args.scale}"
        if "d" in args.parts and args.scale > 0:
            print(f"(d) synthetic city with {args.scale} Ortsteile", flush=True)
            summary.append(make_city(data_dir, city, args.scale))
            rows = run_measurement("--measure-scale", city, work / "scale-out", timeout=1800)
            rows += run_measurement("--measure-plan", city, work / "plan-out", timeout=900)
            summary += [_row_line(row) for row in rows]
        if "e" in args.parts and args.scale > 0:
            count = min(args.cluster_profiles or args.scale, args.scale)
            print(f"(e) {count} profiles of the synthetic city on a LocalCluster", flush=True)
            if not city.exists():
                summary.append(make_city(data_dir, city, args.scale))
            extra = ["--cluster-workers", str(args.cluster_workers), "--cluster-profiles", str(count)]
            rows = run_measurement("--measure-cluster", city, work / "cluster-out", 6 * 3600, *extra)
            summary += [_row_line(row) for row in rows]
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("\n" + "\n".join(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
