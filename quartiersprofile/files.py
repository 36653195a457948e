"""Atomic file output: a report is either the complete old one or the complete new one, never half."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class OutputNotWritableError(RuntimeError):
    """An output file or folder cannot be written (no permission, disk full, read-only file system)."""

    def __init__(self, path: Path, error: OSError):
        super().__init__(
            f"Cannot write {path}: {error.strerror or error}. Reports already in the output folder are unchanged "
            f"(each is written to a temporary file first); free disk space or fix the folder's permissions, then "
            f"run the build again."
        )


def make_folder(path: Path) -> None:
    """Create `path` and its parents if missing; `OutputNotWritableError` when that is not possible."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputNotWritableError(path, error) from error


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, flush it to disk, then rename it over `path`.

    Renaming within one folder is atomic on POSIX file systems, so an interrupted build (Ctrl-C, kill -9,
    power loss) leaves either the previous file or the new one, and at most a stray `.tmp` file that the
    next build removes. A failed write (disk full, no permission) raises `OutputNotWritableError` and leaves
    the previous file as it was.
    """
    make_folder(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise OutputNotWritableError(path, error) from error
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as error:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OutputNotWritableError(path, error) from error
        raise


def remove_stale_temporaries(folder: Path) -> None:
    """Delete `.tmp` files left behind by a build that was killed mid-write."""
    if folder.is_dir():
        for stray in folder.rglob(".*.tmp"):
            stray.unlink(missing_ok=True)
