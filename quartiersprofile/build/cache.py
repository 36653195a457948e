"""Results worth keeping between builds, in a folder outside the output: the secondary suppression of a table
(finding it takes an LP solver many rounds; it depends only on the data, the rule and the method's version, and
`content.indicators.protection_key` names exactly that).

The folder is `$QUARTIERSPROFILE_CACHE`, else `$XDG_CACHE_HOME/quartiersprofile`, else
`~/.cache/quartiersprofile`. Everything in it is disposable: delete it and the next build computes it again.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterator, MutableMapping
from pathlib import Path

import pandas as pd

from .files import write_atomic

log = logging.getLogger(__name__)


def cache_folder() -> Path:
    """Where the build keeps its results between runs (see the module docstring)."""
    if os.environ.get("QUARTIERSPROFILE_CACHE"):
        return Path(os.environ["QUARTIERSPROFILE_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "quartiersprofile"


class TableCache(MutableMapping):
    """Tables (pandas DataFrames) stored as Parquet files in a folder, one per key. A file that cannot be read
    counts as missing; a folder that cannot be written only loses the cache, never the build."""

    def __init__(self, folder: Path | None = None, kind: str = "protection"):
        self.folder = Path(folder) if folder is not None else cache_folder() / kind

    def _path(self, key: str) -> Path:
        if not key.isalnum():
            raise KeyError(key)
        return self.folder / f"{key}.parquet"

    def __getitem__(self, key: str) -> pd.DataFrame:
        path = self._path(key)
        try:
            return pd.read_parquet(path)
        except (OSError, ValueError) as error:
            raise KeyError(key) from error

    def __setitem__(self, key: str, table: pd.DataFrame) -> None:
        buffer = io.BytesIO()
        table.to_parquet(buffer)
        try:
            write_atomic(self._path(key), buffer.getvalue())
        except Exception as error:  # noqa: BLE001 - a cache that cannot be written costs time, not the build
            log.warning("could not keep %s in the cache %s: %s", key, self.folder, error)

    def __delitem__(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def __iter__(self) -> Iterator[str]:
        return (path.stem for path in sorted(self.folder.glob("*.parquet")))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.isalnum() and self._path(key).is_file()
