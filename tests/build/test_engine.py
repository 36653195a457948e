"""The warm kernel (quartiersprofile.build.engine): papermill's parameters and errors, and no state passing from one
notebook run to the next.

Uses tiny notebooks written here (not the profile template): a handful of kernel starts. Every test that starts a
kernel is `slow`; the parameters papermill writes are checked without one.
"""

from __future__ import annotations

import ast
import json
import os
import signal
import time
from pathlib import Path

import nbformat
import pytest
from papermill.exceptions import PapermillExecutionError
from papermill.translators import PythonTranslator

from quartiersprofile.build.engine import WarmKernel

HOSTILE_DISTRICT = "<script>alert('x')</script> \"Q\" \\ ../../etc/passwd \u202eevil 😀 " + "ä" * 300
PRELOAD = "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot"

# Every line of the "state" cell shows something that would leak from an earlier run in the same kernel.
STATE_CELL = """\
import os, sys, warnings
import matplotlib
import matplotlib.pyplot as plt
print("left over:", "left_over" in globals())
print("figures:", len(plt.get_fignums()))
print("linewidth:", matplotlib.rcParams["lines.linewidth"])
print("environment:", os.environ.get("WARM_KERNEL_TEST"))
print("cwd:", os.getcwd() == WORKDIR)
print("path entries:", sys.path.count(WORKDIR))
sys.path.insert(0, os.getcwd())
import noisy
noisy.warn()
"""
CHANGE_CELL = """\
left_over = x
plt.figure()
matplotlib.rcParams["lines.linewidth"] = 5.0 + x
os.environ["WARM_KERNEL_TEST"] = str(x)
warnings.simplefilter("ignore")
os.chdir("/")
x * 2
"""


def write_notebook(path: Path, *sources: str) -> Path:
    """A notebook whose first cell is papermill's `parameters` cell, then one code cell per source."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [
        nbformat.v4.new_code_cell(f"x = 0\nWORKDIR = {str(path.parent)!r}", metadata={"tags": ["parameters"]})
    ]
    notebook.cells += [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(notebook, path)
    return path


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("engine")
    (folder / "noisy.py").write_text("import warnings\n\n\ndef warn():\n    warnings.warn('careful', UserWarning)\n")
    return folder


@pytest.fixture(scope="module")
def kernel():
    with WarmKernel(preload=PRELOAD) as warm:
        yield warm


@pytest.fixture(scope="module")
def state_notebook(workdir) -> Path:
    return write_notebook(workdir / "state.ipynb", STATE_CELL, CHANGE_CELL)


def run(kernel: WarmKernel, notebook: Path, x, timeout: int = 30):
    return kernel.execute(notebook, {"x": x}, notebook.with_suffix(".out.ipynb"), timeout, notebook.parent)


def outputs(notebook) -> str:
    """The cells' outputs; a stream's text counts, not how the kernel happened to split it into messages."""

    def merged(cell_outputs):
        result = []
        for output in cell_outputs or []:
            output = dict(output)
            previous = result[-1] if result else {}
            if output["output_type"] == "stream" and previous.get("output_type") == "stream" and (
                previous["name"] == output["name"]
            ):
                previous["text"] += output["text"]
            else:
                result.append(output)
        return result

    cells = [(cell.get("execution_count"), merged(cell.get("outputs"))) for cell in notebook.cells]
    return json.dumps(cells, sort_keys=True)


def stdout(cell) -> str:
    return "".join(o["text"] for o in cell.outputs if o["output_type"] == "stream" and o["name"] == "stdout")


@pytest.mark.slow  # a Jupyter kernel
def test_parameters_are_injected_like_papermill(kernel, state_notebook):
    result = run(kernel, state_notebook, 21)
    injected = result.cells[1]
    assert injected.metadata.tags == ["injected-parameters"]
    assert "x = 21" in injected.source
    assert result.metadata.papermill.parameters == {"x": 21}
    assert result.cells[3].outputs[-1]["data"]["text/plain"] == "42"
    assert [cell.execution_count for cell in result.cells] == [1, 2, 3, 4]


@pytest.mark.slow  # a Jupyter kernel
def test_runs_are_independent(kernel, state_notebook):
    first = run(kernel, state_notebook, 1)
    second = run(kernel, state_notebook, 2)
    for result in (first, second):
        text = stdout(result.cells[2])
        assert "left over: False" in text
        assert "figures: 0" in text
        assert "linewidth: 1.5" in text
        assert "environment: None" in text
        assert "cwd: True" in text
        assert "path entries: 0" in text
        assert any("careful" in o.get("text", "") for o in result.cells[2].outputs), "warning shown every run"
    assert second.cells[3].outputs[-1]["data"]["text/plain"] == "4"


@pytest.mark.slow  # a Jupyter kernel
def test_same_outputs_in_a_fresh_kernel_and_after_another_run(kernel, state_notebook):
    run(kernel, state_notebook, 7)
    warm = run(kernel, state_notebook, 3)
    with WarmKernel(preload=PRELOAD) as fresh:
        alone = run(fresh, state_notebook, 3)
    assert outputs(warm) == outputs(alone)


@pytest.mark.slow  # a Jupyter kernel
def test_the_preload_is_frozen_for_the_garbage_collector_and_new_garbage_is_still_collected(kernel, workdir):
    cycle = """\
import gc, weakref
class Node: pass
node = Node(); node.itself = node
ref = weakref.ref(node); del node
gc.collect()
print("frozen:", gc.get_freeze_count() > 1000, "collected:", ref() is None)
"""
    result = run(kernel, write_notebook(workdir / "gc.ipynb", cycle), 0)
    assert stdout(result.cells[2]).strip() == "frozen: True collected: True"


@pytest.mark.slow  # a Jupyter kernel
def test_failing_cell_raises_like_papermill_and_keeps_the_partial_notebook(kernel, workdir, state_notebook):
    notebook = write_notebook(workdir / "fails.ipynb", "print('before')", "raise ValueError(f'boom {x}')", "1 + 1")
    with pytest.raises(PapermillExecutionError) as caught:
        run(kernel, notebook, 3)
    error = caught.value
    assert (error.ename, error.evalue) == ("ValueError", "boom 3")
    assert "raise ValueError" in error.source
    partial = nbformat.read(notebook.with_suffix(".out.ipynb"), as_version=4)
    assert "before" in json.dumps(partial.cells)
    assert "boom 3" in json.dumps(partial.cells)
    assert run(kernel, state_notebook, 1).cells[3].outputs[-1]["data"]["text/plain"] == "2"


@pytest.mark.slow  # a Jupyter kernel
def test_timeout_interrupts_and_the_next_run_gets_a_fresh_kernel(kernel, workdir, state_notebook):
    notebook = write_notebook(workdir / "hangs.ipynb", "print('started')", "import time; time.sleep(30)")
    pid = kernel.pid
    started = time.perf_counter()
    with pytest.raises(PapermillExecutionError) as caught:
        run(kernel, notebook, 1, timeout=2)
    assert time.perf_counter() - started < 25  # 2 s timeout, interrupt, new kernel
    assert caught.value.ename == "CellTimeoutError"
    assert "time.sleep(30)" in caught.value.source
    assert "started" in notebook.with_suffix(".out.ipynb").read_text()
    assert kernel.pid != pid
    assert run(kernel, state_notebook, 2).cells[3].outputs[-1]["data"]["text/plain"] == "4"


@pytest.mark.slow  # a Jupyter kernel
def test_the_timeout_is_for_the_whole_notebook_not_each_cell(kernel, workdir):
    notebook = write_notebook(workdir / "crawls.ipynb", *["import time; time.sleep(1.5)"] * 4, "print('done')")
    with pytest.raises(PapermillExecutionError) as caught:
        run(kernel, notebook, 1, timeout=3)  # every cell is quicker than 3 s, the notebook is not
    assert caught.value.ename == "CellTimeoutError"
    assert "within 3 s" in caught.value.evalue
    partial = nbformat.read(notebook.with_suffix(".out.ipynb"), as_version=4)
    assert partial.cells[-1].outputs == []  # print('done') never ran


@pytest.mark.slow  # a Jupyter kernel
def test_killed_kernel_is_restarted_before_the_next_run(kernel, state_notebook):
    starts = kernel.starts
    os.kill(kernel.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while kernel.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert run(kernel, state_notebook, 5).cells[3].outputs[-1]["data"]["text/plain"] == "10"
    assert kernel.starts == starts + 1


@pytest.mark.slow  # a Jupyter kernel
def test_kernel_dying_inside_a_cell_fails_that_run_only(kernel, workdir, state_notebook):
    notebook = write_notebook(workdir / "dies.ipynb", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)")
    with pytest.raises(PapermillExecutionError) as caught:
        run(kernel, notebook, 1)
    assert caught.value.ename == "DeadKernelError"
    assert run(kernel, state_notebook, 4).cells[3].outputs[-1]["data"]["text/plain"] == "8"


@pytest.mark.parametrize("value", [HOSTILE_DISTRICT, "a\"; import os; os.system('x') #", "x\x00y", "\\\n'''"])
def test_parameters_papermill_writes_are_literals_never_code(value):
    """Names are data, never code: the injected-parameters cell holds Python literals of the values."""
    source = PythonTranslator.translate(value)
    assert ast.literal_eval(source) == value
