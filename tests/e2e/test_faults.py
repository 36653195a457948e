"""Faults a build must survive: kill -9 at any moment, a full disk, an output folder it cannot write to."""

from __future__ import annotations

import errno
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import REPO, run_build

from quartiersprofile.build import cli, jobs
from quartiersprofile.build.manifest import read_manifest

DISTRICTS = ("131", "132", "133")


def _files(folder: Path, skip: str = "") -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != skip}  # fmt: skip


def _reports(folder: Path) -> list[Path]:
    return [p for p in folder.glob("*/*") if p.is_file() and not p.parent.name.startswith(".")]


def test_a_build_killed_at_random_moments_always_completes_on_the_next_run(tmp_path):
    seed = int(os.environ.get("KILL_SEED", time.time_ns() % 10**6))
    moments = sorted(random.Random(seed).uniform(1, 30) for _ in range(3))
    output = tmp_path / "out"
    args = ["--output", str(output), "--format", "html", "--format", "data", "--jobs", "2", "--quiet"]
    args += [arg for d in DISTRICTS for arg in ("--district", d)]
    for moment in moments:
        process = subprocess.Popen([sys.executable, str(REPO / "build.py"), *args], cwd=REPO, start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(moment)
        os.killpg(process.pid, signal.SIGKILL)  # the build, its workers and their kernels
        process.wait()
        for html in output.glob("*/*.html"):  # whatever exists is complete, whenever the kill came
            assert html.read_text("utf-8").rstrip().endswith("</html>"), f"KILL_SEED={seed}: {html.name} truncated"
    result = run_build(*args)
    assert result.returncode == 0, f"KILL_SEED={seed}: {result.stderr}"
    manifest = read_manifest(output)
    assert len(manifest) == 3 and {e["status"] for e in manifest.values()} <= {"built", "skipped"}
    listed = {e["period"] + "/" + o["path"]: o["sha256"] for e in manifest.values() for o in e["outputs"].values()}
    on_disk = {k: v for k, v in _files(output).items() if not k.startswith(".") and "/" in k}
    assert on_disk == listed, f"KILL_SEED={seed}: the manifest does not match the files"
    assert len(_reports(output)) == 3 * 4  # notebook, HTML, CSV, XLSX per profile
    assert not [p for p in output.rglob("*") if p.name.endswith(".tmp")]


def test_a_full_disk_stops_the_build_with_a_clear_message_and_keeps_every_report(built, tmp_path, monkeypatch, capsys):
    output = tmp_path / "out"
    shutil.copytree(built, output)
    before = _files(output, skip=".build.lock")  # the lock file holds the pid of the build

    def disk_full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    code = cli.main(["--district", "212", "--output", str(output), "--format", "html", "--force", "--jobs", "1"])
    assert code == jobs.EXIT_NOT_WRITABLE
    error = capsys.readouterr().err
    assert f"Cannot write {output}" in error and "No space left on device" in error
    assert "Reports already in the output folder are unchanged" in error and "Traceback" not in error
    monkeypatch.undo()
    assert _files(output, skip=".build.lock") == before


def test_an_output_folder_that_cannot_be_created_exits_5_naming_it(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    result = run_build("--district", "212", "--output", str(blocked / "profiles"), "--format", "html")
    assert result.returncode == jobs.EXIT_NOT_WRITABLE
    assert f"Cannot write {blocked / 'profiles'}: Not a directory" in result.stderr
    assert "Traceback" not in result.stderr
    assert blocked.read_text() == "not a folder"
