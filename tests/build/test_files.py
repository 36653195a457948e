"""The output folder (quartiersprofile.build.files): atomic writes, stray temporaries, the lock of a build."""

from __future__ import annotations

import errno
import os

import pytest

from quartiersprofile.build.files import (
    OutputLock,
    OutputNotWritableError,
    make_folder,
    remove_stale_temporaries,
    write_atomic,
)
from quartiersprofile.build.jobs import BuildLockedError


def test_write_atomic_replaces_the_whole_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "2024" / "lehe.html"
    write_atomic(path, b"old")
    write_atomic(path, b"new")
    assert path.read_bytes() == b"new" and oct(path.stat().st_mode & 0o777) == "0o644"
    assert [p.name for p in path.parent.iterdir()] == ["lehe.html"]


def test_a_failed_write_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "lehe.html"
    write_atomic(path, b"old")

    def disk_full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OutputNotWritableError, match="Cannot write .*lehe.html: No space left on device"):
        write_atomic(path, b"new")
    assert path.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["lehe.html"]


def test_a_folder_that_cannot_be_made_is_named(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with pytest.raises(OutputNotWritableError, match=f"Cannot write {blocked / 'profiles'}: Not a directory"):
        make_folder(blocked / "profiles")


def test_stale_temporaries_are_removed(tmp_path):
    (tmp_path / "2024").mkdir()
    stray = tmp_path / "2024" / ".lehe.html.x1.tmp"
    stray.write_text("half")
    (tmp_path / "2024" / "lehe.html").write_text("whole")
    remove_stale_temporaries(tmp_path)
    assert [p.name for p in (tmp_path / "2024").iterdir()] == ["lehe.html"]
    remove_stale_temporaries(tmp_path / "missing")  # no folder yet: nothing to do


def test_a_second_lock_on_the_same_folder_is_refused_naming_the_owner(tmp_path):
    with OutputLock(tmp_path):
        assert (tmp_path / ".build.lock").read_text() == str(os.getpid())
        with pytest.raises(BuildLockedError, match=f"Another build \\(pid {os.getpid()}\\) is writing to {tmp_path}"):
            OutputLock(tmp_path).__enter__()
    with OutputLock(tmp_path):  # released: the next build gets it
        pass
