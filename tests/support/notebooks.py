"""Executing a template notebook of notebooks/ in-process with papermill (starts a Jupyter kernel: `slow`), with
the build's shared tables written once per module."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill

from quartiersprofile.content.tables import ProfileTables, save_tables

REPO = Path(__file__).resolve().parents[2]


def write_tables(tables: ProfileTables, folder: Path) -> Path:
    """The tables as the build caches them for its notebook runs."""
    path = folder / "tables.pkl"
    path.write_bytes(save_tables(tables))
    return path


def execute(notebook: str, folder: Path, **parameters) -> nbformat.NotebookNode:
    """Run notebooks/`notebook` with `parameters` in `folder` and return the executed notebook."""
    return papermill.execute_notebook(
        str(REPO / "notebooks" / notebook),
        str(folder / notebook),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(folder),
    )
