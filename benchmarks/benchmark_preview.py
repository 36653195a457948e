#!/usr/bin/env python3
"""The analyst's loop, measured (not a test; see benchmarks/README.md): `python build.py preview` on a copy of the
template and the data, and how long after a save the new report is served.

(a) the first render (kernel start, tables, notebook, HTML);
(b) a text change in a markdown cell (target: under 2 s);
(c) a code change (a cell's call edited: the notebook runs again on the warm kernel);
(d) a data change (a data file saved again: tables recomputed, notebook run again);
and, for comparison, (n) the naive loop without the preview: `python build.py --district D --format html`.

Usage: ``.venv/bin/python benchmarks/benchmark_preview.py [--district 212] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ADDRESS = re.compile(r"http://127\.0\.0\.1:\d+/")
TEXT_TARGET = 2.0  # seconds


def page(url: str) -> str:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read().decode("utf-8")


def served_after(url: str, marker: str, started: float, timeout: float = 300) -> float:
    while time.perf_counter() - started < timeout:
        if marker in page(url):
            return time.perf_counter() - started
        time.sleep(0.02)
    raise TimeoutError(f"{marker!r} not served within {timeout} s")


def edit(template: Path, find: str, source: str) -> float:
    notebook = json.loads(template.read_text("utf-8"))
    (cell,) = [cell for cell in notebook["cells"] if "".join(cell["source"]).startswith(find)]
    cell["source"] = source
    text = json.dumps(notebook, indent=1, ensure_ascii=False)
    started = time.perf_counter()
    template.write_text(text, "utf-8")
    return started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--district", default="212")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="benchmark-preview-"))
    template = work / "notebooks" / "profile.ipynb"
    template.parent.mkdir()
    shutil.copy(REPO / "notebooks" / "profile.ipynb", template)
    shutil.copytree(REPO / "data", work / "data")
    command = [sys.executable, str(REPO / "build.py"), "preview", "--district", args.district,
               "--template", str(template), "--data", str(work / "data")]  # fmt: skip
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    results: dict[str, list[float]] = {"text": [], "code": [], "data": []}
    try:
        url = ADDRESS.search(process.stdout.readline()).group(0)
        first = served_after(url, "Kernaussagen", started)
        for number in range(args.repeat):
            marker = f"Satz Nummer {number} aus dem Benchmark."
            results["text"].append(served_after(url, marker, edit(template, "## Lage", f"## Lage\n\n{marker}")))
            cell = f"report.show(report.key_findings_html(profile))\nreport.show('<p>Codelauf {number}</p>')"
            saved = edit(template, "report.show(report.key_findings", cell)
            results["code"].append(served_after(url, f"Codelauf {number}", saved))
            # a new data vintage: the cover and every footer show it
            metadata = work / "data" / "dataset.toml"
            text = re.sub(r"stand = \S+", f"stand = 2025-03-{10 + number}", metadata.read_text("utf-8"))
            saved = time.perf_counter()
            metadata.write_text(text, "utf-8")
            results["data"].append(served_after(url, f"{10 + number}. März 2025", saved))
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    output = work / "out"
    naive_started = time.perf_counter()
    subprocess.run([sys.executable, str(REPO / "build.py"), "--district", args.district, "--format", "html",
                    "--output", str(output), "--quiet", "--force"], check=True, capture_output=True)  # fmt: skip
    naive = time.perf_counter() - naive_started
    shutil.rmtree(work, ignore_errors=True)
    print(f"(a) first render            {first:6.2f} s")
    for key, label in (("text", "(b) text change"), ("code", "(c) code change"), ("data", "(d) data change")):
        values = results[key]
        print(f"{label:<27} {statistics.median(values):6.2f} s  (median of {len(values)}: "
              f"{', '.join(f'{v:.2f}' for v in values)})")  # fmt: skip
    print(f"(n) build.py, one district  {naive:6.2f} s")
    text = statistics.median(results["text"])
    print(f"text change {'meets' if text < TEXT_TARGET else 'MISSES'} the target of {TEXT_TARGET:.0f} s")
    return 0 if text < TEXT_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
