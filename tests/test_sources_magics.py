"""Notebook cells under a cell magic: the body of a ``%%time``, ``%%capture``, ``%%prun`` or ``%%debug``
cell is Python that IPython runs in the notebook's namespace, so what it defines is the learner's code;
a ``%%bash`` or ``%%writefile`` cell is not Python, and ``%%timeit`` keeps nothing it defines (it runs
its body inside a function of its own). Line magics and ``!`` lines are left out, line numbers kept.
IPython's own reader decides where it is installed; without it (it is not a dependency of nnconf) a
regex gives the same result for these usual magics."""

import ast
import json
import os
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # tests/, for the course-style code
from real_code.sources import function, replace_line  # noqa: E402

from nnconf.conformance.reading import sources  # noqa: E402

RELU = "def relu(Z):\n    A = np.maximum(0, Z)\n    cache = Z\n    return A, cache\n"
# a %%bash cell that writes Python: none of it is the notebook's code
BASH = "%%bash\ncat > helper.py <<'EOF'\ndef sigmoid(Z):\n    return Z, Z\nEOF\n"


def notebook(path, *cells):
    """A notebook of code cells as Jupyter saves it (the cells' lines kept with their ends)."""
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": cell.splitlines(keepends=True)} for cell in cells]}))
    return path


def nnconf(*args, cwd):
    """The ``nnconf`` script beside this Python, run from ``cwd`` as a learner runs it."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NNCONF_IMPL")}
    script = os.path.join(os.path.dirname(sys.executable), "nnconf")
    return subprocess.run([script, *map(str, args)], cwd=str(cwd), env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(params=["ipython", "regex"])
def reader(request, monkeypatch):
    """Each test of the reading in-process twice: with IPython's reader, and as without IPython."""
    if request.param == "regex":
        monkeypatch.setattr(sources, "_ipython", lambda: None)
    elif sources._ipython() is None:
        pytest.skip("IPython is not installed here")
    return request.param


def test_a_function_defined_in_a_time_cell_is_defined_and_a_bash_cell_is_not_python(tmp_path, reader):
    path = notebook(tmp_path / "Step_by_Step.ipynb",
                    "import numpy as np\n%matplotlib inline\n!pip list\n",
                    "%%time\n" + RELU,
                    BASH,
                    "%%capture output\n%%time\n\ndef relu_backward(dA, cache):\n    Z = cache\n"
                    "    dZ = np.array(dA, copy=True)\n    dZ[Z <= 0] = 0\n    return dZ\n",
                    "%%timeit\ndef sigmoid_backward(dA, cache):\n    return dA\n",
                    "%%writefile helper.py\ndef tanh(z):\n    return z\n")
    scan = sources.scan(str(path))
    assert scan.error is None and not scan.broken
    assert scan.defined == {"relu": "cell 2, line 2", "relu_backward": "cell 4, line 4"}  # the cells' own lines
    assert scan.imports == {"numpy"}
    cells = {c.cell: c.source for c in sources.chunks(str(path))}
    assert cells[1] == "import numpy as np\n\n"  # the line magic and the shell line left out, lines kept
    assert cells[3] == "\n" * 4 and cells[6] == "\n\n"  # five lines and three, blank


def test_line_magics_are_left_out_where_they_stand_and_the_rest_is_kept(reader):
    cell = ("%load_ext autoreload\n"
            "def relu(Z):\n"
            "    %time A = np.maximum(0, Z)\n"  # in a block: `pass` keeps the block (IPython's reader)
            "    A = np.maximum(0, Z)\n"
            "    return A, Z\n"
            "files = !ls\n"
            "relu?\n")
    python = sources.as_python(cell)
    assert len(python.split("\n")) == len(cell.splitlines())
    tree = ast.parse(python)
    assert [type(n).__name__ for n in tree.body] == ["FunctionDef"]
    assert tree.body[0].lineno == 2


def test_what_ipython_reads_better_than_the_regex():
    """Python that only looks like IPython at a line's start: an operator a formatter put first in a
    bracket, a docstring's line; and a shell line continued with a backslash."""
    if sources._ipython() is None:
        pytest.skip("IPython is not installed here")
    cell = ("%matplotlib inline\n"
            "def differ(a, b):\n"
            "    \"\"\"True where they differ.\n"
            "    % of the entries, not a magic\n"
            "    \"\"\"\n"
            "    return (a\n"
            "            != b)\n"
            "!pip install \\\n"
            "    numpy\n")
    python = sources.as_python(cell)
    assert python.split("\n") == ["", *cell.splitlines()[1:7], "", ""]


def test_a_file_of_deeply_nested_or_many_magics_is_read_in_bounded_time(tmp_path):
    path = notebook(tmp_path / "many.ipynb",
                    "def relu(z):\n    return z\n" + "%time x = 1\n" * 9000,  # IPython's reader would take minutes
                    "%%time\n" * 5000 + "def sigmoid(z):\n    return z\n",  # past MAX_CELL_MAGICS: not read
                    "%%time\n%%capture\ndef tanh(z):\n    return z\n")
    started = time.monotonic()
    assert sorted(sources.scan(str(path)).defined) == ["relu", "tanh"]
    assert time.monotonic() - started < 10  # about 0.5 s here


def step_by_step(folder, *cells):
    """The course's deep notebook, as downloaded into ``folder``/W4A1, with ``cells``."""
    (folder / "W4A1").mkdir()
    return notebook(folder / "W4A1" / "Building_your_Deep_Neural_Network_Step_by_Step.ipynb",
                    "import numpy as np\n%matplotlib inline\n", *cells)


def listed(text):
    """suite -> the functions ``nnconf list TARGET`` marks as defined (+) by the target."""
    found = {}
    for line in text.splitlines():
        suite, _, names = line.partition(": ")
        if suite.isidentifier() and names:
            found[suite] = {n[2:] for n in names.split(", ") if n.startswith("+ ")}
    return found


def test_nnconf_list_sees_the_functions_of_time_cells(tmp_path):
    path = step_by_step(tmp_path, "%%time\n" + function("deep", "linear_forward"), "%%time\n" + RELU, BASH)
    result = nnconf("list", path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert listed(result.stdout)["deep"] == {"linear_forward", "relu"}  # not the %%bash cell's sigmoid


def test_a_bug_inside_a_time_cell_is_found_and_named(tmp_path):
    buggy = replace_line(function("deep", "linear_backward"), "dW = 1 / m * np.dot(dZ, A_prev.T)",
                         "dW = np.dot(dZ, A_prev.T)")  # the 1/m forgotten
    path = step_by_step(tmp_path, "%%time\n" + function("deep", "linear_forward"), "%%time\n" + buggy)
    records = tmp_path / "records.json"
    result = nnconf("check", path, "--function", "linear_backward", "--json", records, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    failed = [r for r in json.loads(records.read_text()) if r["status"] == "fail"]
    assert {(r["function"], r["diagnosis"]) for r in failed} == {("linear_backward", "value.scale_m")}, result.stdout
    assert {r["source"] for r in failed} == {
        "W4A1/Building_your_Deep_Neural_Network_Step_by_Step.ipynb, cell 3, line 2"}  # the line in the cell
