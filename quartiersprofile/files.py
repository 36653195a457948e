"""Atomic file output: a report is either the complete old one or the complete new one, never half."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, flush it to disk, then rename it over `path`.

    Renaming within one folder is atomic on POSIX file systems, so an interrupted build (Ctrl-C, kill -9,
    power loss) leaves either the previous file or the new one, and at most a stray `.tmp` file that the
    next build removes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_stale_temporaries(folder: Path) -> None:
    """Delete `.tmp` files left behind by a build that was killed mid-write."""
    if folder.is_dir():
        for stray in folder.rglob(".*.tmp"):
            stray.unlink(missing_ok=True)
