"""The manifest of an output folder and the cache of earlier requests (quartiersprofile.build.manifest)."""

from __future__ import annotations

import hashlib
import json

from quartiersprofile.build.jobs import JobResult
from quartiersprofile.build.manifest import (
    MANIFEST,
    describe_bytes,
    fast_skip,
    outputs_intact,
    read_manifest,
    read_requests,
    write_manifest,
    write_requests,
)


def built(tmp_path, key="2024/stadtteil-lehe", data=b"<html>") -> JobResult:
    period, slug = key.split("/")
    (tmp_path / period).mkdir(exist_ok=True)
    (tmp_path / period / f"{slug}.html").write_bytes(data)
    return JobResult(key, "13", "Lehe", period, "built", "f1", outputs={"html": describe_bytes(f"{slug}.html", data)})


def test_describe_bytes():
    assert describe_bytes("a.pdf", b"abc") == {"path": "a.pdf", "sha256": hashlib.sha256(b"abc").hexdigest(),
                                               "bytes": 3}  # fmt: skip


def test_manifest_round_trip_keeps_other_jobs_and_records_versions(tmp_path):
    first = built(tmp_path)
    write_manifest(tmp_path, [first], {})
    other = built(tmp_path, "2023/stadtteil-lehe")
    write_manifest(tmp_path, [other], read_manifest(tmp_path))
    manifest = read_manifest(tmp_path)
    assert sorted(manifest) == ["2023/stadtteil-lehe", "2024/stadtteil-lehe"]
    assert manifest["2024/stadtteil-lehe"]["outputs"] == first.outputs
    body = json.loads((tmp_path / MANIFEST).read_text("utf-8"))
    assert body["generator"] == "quartiersprofile" and body["packages"]["pandas"] and len(body["code_version"]) == 12


def test_a_failed_rebuild_keeps_the_previous_outputs_listed(tmp_path):
    write_manifest(tmp_path, [built(tmp_path)], {})
    failed = JobResult("2024/stadtteil-lehe", "13", "Lehe", "2024", "failed", "f2", message="cell 3: ValueError")
    write_manifest(tmp_path, [failed], read_manifest(tmp_path))
    entry = read_manifest(tmp_path)["2024/stadtteil-lehe"]
    assert (entry["status"], entry["message"], entry["fingerprint"]) == ("failed", "cell 3: ValueError", "f1")
    assert entry["outputs"]["html"]["path"] == "stadtteil-lehe.html"


def test_an_unreadable_manifest_means_rebuild_everything(tmp_path):
    assert read_manifest(tmp_path) == {}
    (tmp_path / MANIFEST).write_text("{not json")
    assert read_manifest(tmp_path) == {}


def test_outputs_intact_checks_size_and_hash(tmp_path):
    entry = {"outputs": built(tmp_path).outputs}
    assert outputs_intact(entry, tmp_path, "2024")
    (tmp_path / "2024" / "stadtteil-lehe.html").write_bytes(b"<HTML>")  # same size, other bytes
    assert not outputs_intact(entry, tmp_path, "2024")
    (tmp_path / "2024" / "stadtteil-lehe.html").unlink()
    assert not outputs_intact(entry, tmp_path, "2024")
    assert not outputs_intact({"outputs": {}}, tmp_path, "2024")


def test_an_identical_request_skips_while_its_outputs_are_intact(tmp_path):
    result = built(tmp_path)
    write_manifest(tmp_path, [result], {})
    write_requests(tmp_path, {"request-1": [result.key]})
    manifest, requests = read_manifest(tmp_path), read_requests(tmp_path)
    skipped = fast_skip(manifest, requests, "request-1", tmp_path)
    assert [(r.key, r.status, r.duration) for r in skipped] == [(result.key, "skipped", 0.0)]
    assert fast_skip(manifest, requests, "request-2", tmp_path) is None
    (tmp_path / "2024" / "stadtteil-lehe.html").write_bytes(b"changed")
    assert fast_skip(manifest, requests, "request-1", tmp_path) is None
    (tmp_path / ".cache" / "requests.json").write_text("broken")
    assert read_requests(tmp_path) == {}
