"""One warm Jupyter kernel, reused for many notebook runs: papermill's result without a kernel start per run.

papermill starts a new kernel for every notebook, and every run then imports pandas, matplotlib and this
package again, a large part of a profile's time. `WarmKernel` starts one kernel, runs a *preload* (the
imports) once, and executes notebook after notebook on it:

- each notebook is parameterised exactly as `papermill.execute_notebook` does it (the tagged
  ``injected-parameters`` cell after the ``parameters`` cell, ``metadata.papermill.parameters``) and its
  cells are executed by papermill's own nbclient-based client, so the executed notebook has the same
  outputs and metadata as papermill's;
- before each run the kernel is reset (no state passes from one district to the next): the user namespace
  and IPython's history/output caches are cleared and the execution count restarts at 1; pyplot figures
  are closed; matplotlib's rcParams, the warning filters and their "already shown" registries,
  ``os.environ`` and ``sys.path`` are put back to their state right after the preload; the working
  directory is set. Imported modules stay imported - that is the point - and so does whatever state lives
  inside them (module globals, caches, numpy's global random generator): the notebook must not change it.
  What the preload made is frozen for the garbage collector (``gc.freeze``), so the reset's full collection
  only scans what the notebooks made;
- a cell error raises `papermill.exceptions.PapermillExecutionError` (as papermill does) after the partial
  notebook has been written to ``output_path``, with papermill's error markers; a notebook that exceeds
  its timeout or a kernel that dies is reported the same way (``ename`` ``CellTimeoutError`` or
  ``DeadKernelError``), and the kernel is replaced by a fresh one;
- a kernel that died between runs (killed, crashed) is noticed and restarted before the next run.

On success nothing is written: `WarmKernel.execute` returns the notebook and the caller writes its files.

Example::

    with WarmKernel(preload="import quartiersprofile.publish.report") as kernel:
        for code in ("13", "212"):
            nb = kernel.execute(TEMPLATE, {"district": code}, out / f"{code}.ipynb", timeout=600, cwd=out)

In a process pool, use one kernel per worker process: `worker_kernel` starts it on first use and shuts it
down when the worker exits; `start_worker_kernel` is the pool's ``initializer`` that starts it early.

Only a worker imports this module (see `worker`).
"""

from __future__ import annotations

import atexit
import logging
import math
import shutil
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NotebookExecutionManager
from papermill.execute import raise_for_execution_errors, remove_error_markers
from papermill.iorw import load_notebook_node
from papermill.log import logger as papermill_log
from papermill.parameterize import parameterize_notebook

log = logging.getLogger(__name__)

#: Kernel state right after the preload, kept in a module object so that resetting the namespace keeps it.
_SNAPSHOT_CODE = """\
import os, sys, types, warnings
state = types.ModuleType("_warm_kernel_state")
state.environ = dict(os.environ)
state.path = list(sys.path)
state.filters = list(warnings.filters)
state.rc = None
if "matplotlib" in sys.modules:
    state.rc = dict(sys.modules["matplotlib"].rcParams.copy())
    state.rc.pop("backend", None)
sys.modules[state.__name__] = state
# What the preload made lives as long as the kernel: the garbage collector need not scan it again (IPython's
# reset before every notebook runs a full collection, which would scan pandas and matplotlib every time).
import gc
gc.collect()
gc.freeze()
"""

#: Runs before every notebook; the namespace reset comes last and also removes this code's own names.
_RESET_CODE = """\
def _warm_kernel_reset(cwd):
    import os, sys, warnings
    state = sys.modules["_warm_kernel_state"]
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    if "matplotlib" in sys.modules:
        matplotlib = sys.modules["matplotlib"]
        if state.rc is None:
            matplotlib.rc_file_defaults()
        else:
            dict.update(matplotlib.rcParams, state.rc)
    warnings.resetwarnings()  # also forgets which warnings were already shown
    warnings.filters[:] = state.filters
    warnings.onceregistry.clear()
    for key in set(os.environ) - set(state.environ):
        del os.environ[key]
    os.environ.update(state.environ)
    sys.path[:] = state.path
    os.chdir(cwd)
    get_ipython().reset(new_session=True)


_warm_kernel_reset({cwd!r})
"""


class KernelCodeError(RuntimeError):
    """The preload or the reset code failed inside the kernel."""


class WarmKernel:
    """One running kernel that executes notebook after notebook, reset in between.

    ``preload`` is code run once after each kernel start (e.g. the imports every notebook needs);
    ``kernel_name`` is the Jupyter kernel ("python3": the ipykernel of this interpreter, as papermill uses);
    ``startup_timeout`` bounds the kernel start and ``preload_timeout`` the preload.
    """

    def __init__(
        self,
        preload: str = "",
        kernel_name: str = "python3",
        startup_timeout: float = 60,
        preload_timeout: float = 300,
    ):
        self.preload = preload
        self.kernel_name = kernel_name
        self.startup_timeout = startup_timeout
        self.preload_timeout = preload_timeout
        self.starts = 0  # how many kernels were started so far (restarts included)
        self._km = None
        self._kc = None
        self._socket_dir: str | None = None

    # --- lifecycle ----------------------------------------------------------------------------------------

    def __enter__(self) -> WarmKernel:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> WarmKernel:
        """Start the kernel (if none is running) and run the preload."""
        if self._km is None:

            run_sync(self._start)()
        return self

    def close(self, now: bool = False) -> None:
        """Shut the kernel down (``now``: kill it instead of asking it to exit). Safe to call twice."""
        if self._km is not None:

            run_sync(self._stop)(now)

    def restart(self) -> None:
        """Replace the kernel by a fresh one (kill the old one, start a new one, run the preload)."""
        self.close(now=True)
        self.start()

    @property
    def pid(self) -> int | None:
        """Process id of the running kernel, if any."""
        process = getattr(getattr(self._km, "provisioner", None), "process", None)
        return process.pid if process is not None else None

    def is_alive(self) -> bool:
        if self._km is None:
            return False

        return run_sync(self._is_alive)()

    async def _is_alive(self) -> bool:
        return bool(await self._km.is_alive())

    async def _start(self) -> None:

        # IPC sockets in a private folder: no TCP ports, and ipykernel's warning about unencrypted TCP
        # is not printed. An absolute path, so the client finds them whatever the working directory.
        self._socket_dir = tempfile.mkdtemp(prefix="warm-kernel-")
        km = AsyncKernelManager(
            kernel_name=self.kernel_name, transport="ipc", ip=str(Path(self._socket_dir) / "kernel")
        )
        self._km = km
        try:
            await km.start_kernel(extra_arguments=["--HistoryManager.hist_file=:memory:"])
            kc = km.client()
            kc.start_channels()
            self._kc = kc
            await kc.wait_for_ready(timeout=self.startup_timeout)
            kc.allow_stdin = False
            if self.preload:
                await self._run_code(self.preload, self.preload_timeout, "preload")
            await self._run_code(_SNAPSHOT_CODE, self.startup_timeout, "state snapshot")
        except BaseException:
            await self._stop(True)
            raise
        self.starts += 1
        log.debug("kernel %s started (pid %s)", km.kernel_id, self.pid)

    async def _stop(self, now: bool) -> None:
        km, kc, self._km, self._kc = self._km, self._kc, None, None
        try:
            if kc is not None:
                kc.stop_channels()
            if km is not None and km.has_kernel:
                await km.shutdown_kernel(now=now)
        except Exception:  # noqa: BLE001 - a kernel that is already gone is what we wanted
            log.debug("kernel shutdown failed", exc_info=True)
        finally:
            if self._socket_dir:
                shutil.rmtree(self._socket_dir, ignore_errors=True)
                self._socket_dir = None

    async def _run_code(self, code: str, timeout: float, what: str) -> None:
        """Run helper code silently (no outputs, no history, no execution count); raise if it fails."""
        reply = await self._kc.execute(
            code, silent=True, store_history=False, allow_stdin=False, reply=True, timeout=timeout
        )
        content = reply["content"]
        if content["status"] != "ok":
            raise KernelCodeError(f"{what} failed in the kernel: {content.get('ename')}: {content.get('evalue')}")

    # --- running notebooks --------------------------------------------------------------------------------

    def execute(self, notebook_path: Path, parameters: dict, output_path: Path, timeout: int, cwd: Path):
        """Execute the notebook with ``parameters`` on the warm kernel and return the executed notebook.

        The kernel's working directory is ``cwd``; ``timeout`` (seconds) applies to the whole notebook: a
        notebook that hangs or crawls is stopped in the cell that is running when it expires. On failure
        the partial notebook is written to ``output_path`` and `PapermillExecutionError` is raised; on
        success nothing is written.
        """
        if not Path(cwd).is_dir():
            raise FileNotFoundError(f"working directory for the notebook not found: {cwd}")
        self._prepare(Path(cwd))
        # The steps of papermill.execute_notebook, with the kernel start replaced by the warm kernel.
        nb = load_notebook_node(str(notebook_path))
        if parameters:
            nb = parameterize_notebook(nb, parameters, kernel_name=self.kernel_name)
        nb.metadata.papermill["input_path"] = str(notebook_path)
        nb.metadata.papermill["output_path"] = str(output_path)
        nb = remove_error_markers(nb)
        manager = NotebookExecutionManager(nb, output_path=None, progress_bar=False, autosave_cell_every=0)
        deadline = time.monotonic() + timeout
        running: list[int] = []
        client = PapermillNotebookClient(
            manager,
            km=self._km,
            kernel_name=self.kernel_name,
            timeout=timeout,
            timeout_func=lambda cell: max(1, math.ceil(deadline - time.monotonic())),
            log=papermill_log,  # nbclient's messages under papermill's logger, as with papermill.execute_notebook
            on_cell_execute=lambda cell, cell_index: running.append(cell_index),
        )
        client.kc = self._kc  # with km and kc given, nbclient neither starts nor stops a kernel
        manager.notebook_start()
        try:
            client.execute()
        except (CellTimeoutError, DeadKernelError) as error:
            index = running[-1] if running else 0
            if isinstance(error, CellTimeoutError):
                ename, evalue = "CellTimeoutError", f"the notebook did not finish within {timeout} s"
            else:
                ename, evalue = "DeadKernelError", "the kernel died while running this cell"
            log.warning("cell %d of %s: %s; starting a new kernel", index, notebook_path, ename)
            self._record_failure(manager, index, ename, evalue)
            if isinstance(error, CellTimeoutError):
                run_sync(self._interrupt)()
            self.restart()
        except BaseException:  # e.g. Ctrl-C: the kernel may still be busy, so the next run gets a new one
            self.close(now=True)
            raise
        finally:
            manager.notebook_complete()
        raise_for_execution_errors(manager.nb, str(output_path))  # writes the partial notebook, then raises
        return manager.nb

    def _prepare(self, cwd: Path) -> None:
        """Make sure a live kernel is there, then reset it for the next notebook."""

        if self._km is not None and not self.is_alive():
            log.warning("the kernel (pid %s) died; starting a new one", self.pid)
            self.close(now=True)
        self.start()
        reset = _RESET_CODE.format(cwd=str(cwd))
        try:
            run_sync(self._run_code)(reset, self.startup_timeout, "kernel reset")
        except (KernelCodeError, TimeoutError):  # e.g. still busy: one more try on a new kernel, then give up
            log.warning("resetting the kernel failed; starting a new one", exc_info=True)
            self.restart()
            run_sync(self._run_code)(reset, self.startup_timeout, "kernel reset")

    async def _interrupt(self) -> None:
        try:
            await self._km.interrupt_kernel()
        except Exception:  # noqa: BLE001 - the kernel is replaced right after anyway
            log.debug("interrupt failed", exc_info=True)

    @staticmethod
    def _record_failure(manager, index: int, ename: str, evalue: str) -> None:
        """Mark the cell as failed with an error output, as a cell exception would have."""
        cell = manager.nb.cells[index]
        cell.setdefault("outputs", []).append(
            nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])
        )
        manager.cell_exception(cell, cell_index=index)


# --- one kernel per worker process ----------------------------------------------------------------------------

_worker: WarmKernel | None = None


def worker_kernel(preload: str = "") -> WarmKernel:
    """This process's warm kernel: started (with ``preload``) on first call, shut down when the process exits."""
    global _worker
    if _worker is None:
        _worker = WarmKernel(preload=preload)
        atexit.register(_worker.close, True)
    return _worker.start()


def start_worker_kernel(preload: str = "") -> None:
    """Pool initializer: ``ProcessPoolExecutor(initializer=start_worker_kernel, initargs=(preload,))``.

    Starts the worker's kernel while the pool starts. A failure is only logged, so that it does not break the
    whole pool: the job's own `worker_kernel` call tries again and fails that job with the error.
    """
    try:
        worker_kernel(preload)
    except Exception:
        log.exception("could not start the worker's kernel")
