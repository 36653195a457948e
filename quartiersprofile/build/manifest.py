"""`profiles/manifest.json` (per job: parameters, fingerprints, output hashes, duration, outcome; code and package
versions) and the cache of earlier requests that lets an identical request skip without loading the data."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict
from pathlib import Path

from .files import write_atomic
from .fingerprints import code_fingerprint, package_versions
from .jobs import JobResult

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
REQUESTS = Path(".cache") / "requests.json"


def read_manifest(output_dir: Path) -> dict[str, dict]:
    path = output_dir / MANIFEST
    if not path.exists():
        return {}
    try:
        return {entry["key"]: entry for entry in json.loads(path.read_text("utf-8"))["jobs"]}
    except (ValueError, KeyError, TypeError):
        log.warning("%s is unreadable; rebuilding everything", path)
        return {}


def describe_bytes(name: str, data: bytes) -> dict:
    """A manifest entry for one output file."""
    return {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def outputs_intact(entry: dict, output_dir: Path, period: str) -> bool:
    """True when every output the manifest lists exists with the recorded size and hash."""
    folder = output_dir / period
    for info in entry.get("outputs", {}).values():
        path = folder / info["path"]
        if not path.is_file() or path.stat().st_size != info["bytes"]:
            return False
        if hashlib.sha256(path.read_bytes()).hexdigest() != info["sha256"]:
            return False
    return bool(entry.get("outputs"))


def write_manifest(output_dir: Path, results: list[JobResult], previous: dict[str, dict]) -> None:
    """Merge this build's results into the manifest (jobs of other periods/areas are kept)."""
    entries = dict(previous)
    for result in results:
        if result.status == "failed" and result.key in entries:
            entries[result.key] = {**entries[result.key], "status": "failed", "message": result.message}
        else:
            entries[result.key] = asdict(result)
    body = {
        "generator": "quartiersprofile",
        "code_version": code_fingerprint()[:12],
        "packages": package_versions(),
        "jobs": [entries[k] for k in sorted(entries)],
    }
    write_atomic(output_dir / MANIFEST, json.dumps(body, indent=2, ensure_ascii=False).encode("utf-8"))


def read_requests(output_dir: Path) -> dict:
    """Request fingerprint -> the keys of the jobs that request built."""
    try:
        return json.loads((output_dir / REQUESTS).read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def write_requests(output_dir: Path, requests: dict) -> None:
    write_atomic(output_dir / REQUESTS, json.dumps(requests, indent=1).encode())


def fast_skip(manifest: dict, requests: dict, request: str, output_dir: Path) -> list[JobResult] | None:
    """All jobs of an identical earlier request, if every one of them is still intact; else None."""
    keys = requests.get(request)
    if not keys or any(k not in manifest for k in keys):
        return None
    entries = [manifest[k] for k in keys]
    if any(e["status"] == "failed" or not outputs_intact(e, output_dir, e["period"]) for e in entries):
        return None
    return [JobResult(**{**e, "status": "skipped", "duration": 0.0, "message": ""}) for e in entries]
