"""`python build.py preview` as an analyst uses it: on a copy of the template and the data, the page is served on
the loopback interface, a saved edit shows within seconds, a broken edit shows its error and the fix brings the
report back, the PDF comes on request, and Ctrl-C ends everything (server, renderer, kernel)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import REPO

ADDRESS = re.compile(r"http://127\.0\.0\.1:(\d+)/")
START_TIMEOUT = 180  # the first render starts a kernel and computes the tables
EDIT_TIMEOUT = 5  # what the issue promises for a text change
RENDER_TIMEOUT = 120


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_for(url: str, seen, timeout: float) -> tuple[float, str]:
    """Poll `url` until `seen(page)`; return the seconds it took and the page."""
    started = time.perf_counter()
    page = ""
    while time.perf_counter() - started < timeout:
        page = fetch(url)[1].decode("utf-8")
        if seen(page):
            return time.perf_counter() - started, page
        time.sleep(0.05)
    raise AssertionError(f"not seen within {timeout} s; last page: {page[:500]}")


def edit_cell(template: Path, find: str, source: str) -> None:
    notebook = json.loads(template.read_text("utf-8"))
    (cell,) = [cell for cell in notebook["cells"] if "".join(cell["source"]).startswith(find)]
    cell["source"] = source
    template.write_text(json.dumps(notebook, indent=1, ensure_ascii=False), "utf-8")


def other_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))  # no packet is sent: this only picks the outgoing interface
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


def descendants(pid: int) -> list[int]:
    """The processes started by `pid`, their children and so on (from /proc)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, owner in parents.items() if owner == parent]
        found += children
        frontier += children
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


@pytest.fixture
def preview(tmp_path):
    """The preview of Geestendorf on a copy of the template and the data; yields (process, url, template)."""
    template = tmp_path / "notebooks" / "profile.ipynb"
    template.parent.mkdir()
    shutil.copy(REPO / "notebooks" / "profile.ipynb", template)
    shutil.copytree(REPO / "data", tmp_path / "data")
    process = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "preview", "--district", "212", "--template", str(template),
         "--data", str(tmp_path / "data")],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ},
    )  # fmt: skip
    line = process.stdout.readline()
    match = ADDRESS.search(line)
    assert match, line
    url = match.group(0)
    try:
        wait_for(url, lambda page: "Kernaussagen" in page, START_TIMEOUT)
        yield process, url, template
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


def test_an_edit_is_served_within_seconds_and_a_broken_edit_shows_its_error(preview):
    process, url, template = preview
    edit_cell(template, "## Lage", "## Lage\n\nDieser Satz kommt aus der Vorschau.")
    seconds, page = wait_for(url, lambda page: "Dieser Satz kommt aus der Vorschau." in page, EDIT_TIMEOUT)
    print(f"text change served after {seconds:.2f} s")
    assert "<script>" in page and "/events" in page  # the page reloads itself

    edit_cell(template, "report.show(report.key_findings_html", "report.show(report.key_findings_htm(profile))")
    _, page = wait_for(url, lambda page: "preview-error" in page, RENDER_TIMEOUT)
    assert "Fehler im Bericht" in page and "key_findings_htm" in page and "AttributeError" in page
    assert process.poll() is None  # still running

    edit_cell(template, "report.show(report.key_findings_htm", "report.show(report.key_findings_html(profile))")
    _, page = wait_for(url, lambda page: "Kernaussagen" in page and "preview-error" not in page, RENDER_TIMEOUT)
    assert "Dieser Satz kommt aus der Vorschau." in page

    status, pdf = fetch(url + "report.pdf")
    assert status == 200 and pdf.startswith(b"%PDF-")


def test_invalid_data_show_the_problem_list(preview, tmp_path):
    _, url, _ = preview
    observations = tmp_path / "data" / "observations.csv"
    lines = observations.read_text("utf-8").splitlines()
    lines[1] = lines[1].replace(",552,", ",abc,", 1)
    observations.write_text("\n".join(lines) + "\n", "utf-8")
    _, page = wait_for(url, lambda page: "Ungültige Eingabe" in page, RENDER_TIMEOUT)
    assert "observations.csv, Zeile 2, Spalte &quot;numerator&quot;: Wert &quot;abc&quot;" in page


def test_the_server_listens_on_loopback_only_and_stops_cleanly_on_ctrl_c(preview):
    process, url, _ = preview
    port = int(ADDRESS.search(url).group(1))
    address = other_address()
    if address is not None:
        with pytest.raises(OSError), socket.create_connection((address, port), timeout=2):
            pass
    children = descendants(process.pid)
    assert len(children) >= 2  # the renderer and its kernel
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0
    assert "Vorschau beendet." in process.stdout.read()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
    time.sleep(1)
    alive = {pid: command_line(pid) for pid in children if Path(f"/proc/{pid}").exists()}
    assert {pid: line for pid, line in alive.items() if line} == {}  # (an empty command line: a zombie)
