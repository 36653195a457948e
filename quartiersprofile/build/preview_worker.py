"""The preview's renderer, in a child process of `preview`: load the data, execute the template on a warm kernel,
render the HTML (and the PDF on request), and answer over a pipe.

A child process of its own, so that a change to the package's code is picked up by starting a new one: the
server (`preview`) keeps running, this process and its kernel are replaced. Requests and answers are tuples:

- ``("render", PreviewRequest)`` -> ``("ok", html, seconds)``, ``("invalid", message)`` (the data or the request:
  the same problem list as the build prints) or ``("failed", message)`` (the notebook: cell and error);
- ``("pdf", html)`` -> ``("ok", pdf_bytes, seconds)`` or ``("failed", message)``;
- ``("stop",)`` ends the process (kernel and browser shut down).
"""

from __future__ import annotations

import copy
import hashlib
import signal
import tempfile
import time
import traceback
from pathlib import Path

import nbformat

from ..content.profile import Profile
from ..content.tables import compute_tables, save_tables
from ..model.areas import resolve_areas
from ..model.dataset import load_dataset
from ..model.errors import InputError
from ..publish.cover import report_info
from ..publish.pdf import html_to_pdf
from ..publish.render import notebook_to_html
from .cache import TableCache
from .engine import WarmKernel
from .files import write_atomic
from .fingerprints import data_fingerprint
from .plan import resolve_period
from .preview import PreviewRequest
from .worker import KERNEL_PRELOAD, clean_notebook, describe_failure

PREVIEW_BUILD_ID = "Vorschau"


def code_signature(notebook, parameters: dict) -> tuple:
    """What the outputs of a notebook run depend on besides the data and the package: the parameters and the
    type and source of every cell (a markdown cell counts by its position only, its text has no output)."""
    cells = tuple((cell.cell_type, cell.source if cell.cell_type == "code" else "") for cell in notebook.cells)
    return tuple(sorted(parameters.items())), cells


def with_new_text(executed, template):
    """The executed notebook with the markdown cells of `template` (same cells, only text edited)."""
    merged = copy.deepcopy(executed)  # it has papermill's injected-parameters cell in addition
    old = [cell for cell in merged.cells if cell.cell_type == "markdown"]
    for cell, new in zip(old, [cell for cell in template.cells if cell.cell_type == "markdown"], strict=True):
        cell.source = new.source
    return merged


class Renderer:
    """One warm kernel and the shared tables of the current data, reused from one render to the next.

    An edit that changes only the text of markdown cells needs no kernel: the last run's outputs are kept and
    only the new text is rendered (`code_signature`)."""

    def __init__(self) -> None:
        self.kernel = WarmKernel(preload=KERNEL_PRELOAD)
        self.folder = Path(tempfile.mkdtemp(prefix="quartiersprofile-preview-"))
        self._tables: tuple[str, object, Path] | None = None  # data fingerprint, tables, their pickle
        self._last: tuple[tuple, object] | None = None  # (data fingerprint, code signature), executed notebook

    def tables(self, data_dir: Path):
        """The tables of `data_dir`, computed again only when a data file changed."""
        fingerprint = data_fingerprint(data_dir)
        if self._tables is None or self._tables[0] != fingerprint:
            tables = compute_tables(load_dataset(data_dir), cache=TableCache())
            blob = save_tables(tables)
            path = self.folder / ".cache" / f"tables-{hashlib.sha256(blob).hexdigest()[:16]}.pkl"
            write_atomic(path, blob)
            self._tables = (fingerprint, tables, path)
        return self._tables[1], self._tables[2]

    def render(self, request: PreviewRequest) -> tuple:
        started = time.perf_counter()
        try:
            tables, tables_path = self.tables(Path(request.data_dir))
            area = resolve_areas(list(tables.areas), [request.district])[0]
            period = resolve_period(tables, request.period)
        except InputError as error:
            return ("invalid", str(error))
        parameters = {"district": area.code, "period": period, "tables": str(tables_path.relative_to(self.folder))}
        try:
            template = nbformat.read(request.template, as_version=4)
            key = (self._tables[0], code_signature(template, parameters))
            if self._last is not None and self._last[0] == key:
                notebook = with_new_text(self._last[1], template)
            else:
                self._last = None
                self.kernel.start()
                notebook = self.kernel.execute(
                    Path(request.template), parameters, self.folder / "preview.ipynb", request.timeout, self.folder
                )
                self._last = (key, notebook)
        except Exception as error:  # noqa: BLE001 - a broken template (a failing cell, unreadable JSON) is shown
            return ("failed", describe_failure(error))
        info = report_info(Profile(area, period, tables), PREVIEW_BUILD_ID)
        page = notebook_to_html(clean_notebook(notebook), info)
        return ("ok", page, round(time.perf_counter() - started, 2))

    def close(self) -> None:
        self.kernel.close(now=True)


def serve_renders(connection) -> None:
    """The child's loop: answer requests from `connection` until ``("stop",)`` or the pipe closes. Ctrl-C in the
    terminal reaches this process too; it finishes when the server tells it to (or closes the pipe)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    renderer = Renderer()
    try:
        while True:
            try:
                message = connection.recv()
            except EOFError:
                return
            if message[0] == "stop":
                return
            try:
                if message[0] == "render":
                    answer = renderer.render(message[1])
                else:
                    started = time.perf_counter()
                    answer = ("ok", html_to_pdf(message[1]), round(time.perf_counter() - started, 2))
            except Exception as error:  # noqa: BLE001 - the preview keeps running and shows the error
                answer = ("failed", f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=3)}")
            connection.send(answer)
    finally:
        renderer.close()
