"""The output folder: atomic writes (a report is either the complete old one or the complete new one, never
half) and the lock that keeps two builds from writing into each other."""

from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path

from .jobs import BuildLockedError


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


class OutputLock:
    """An exclusive lock on the output folder, so two builds never write into each other."""

    def __init__(self, output_dir: Path):
        self.path = output_dir / ".build.lock"
        self.handle = None

    def __enter__(self) -> OutputLock:
        make_folder(self.path.parent)
        try:
            self.handle = open(self.path, "a+")  # noqa: SIM115 - held for the whole build
        except OSError as error:
            raise OutputNotWritableError(self.path.parent, error) from error
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.seek(0)
            owner = self.handle.read().strip() or "unknown"
            self.handle.close()
            raise BuildLockedError(
                f"Another build (pid {owner}) is writing to {self.path.parent}. Wait for it to finish, or "
                f"build into another folder with --output."
            ) from None
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(str(os.getpid()))
        self.handle.flush()
        return self

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()
