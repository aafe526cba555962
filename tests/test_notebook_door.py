"""The notebook door: ``nnconf.check`` inside a running kernel, executed headless as a learner's
notebook would be (nbclient and an ipykernel)."""

import os
import shlex
import subprocess
import sys

import nbformat
import pytest

nbclient = pytest.importorskip("nbclient")

BUGGY = """\
import numpy as np

def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = np.dot(dZ, A_prev.T) / m
    db = np.sum(dZ, axis=1) / m          # rank-1: keepdims forgotten
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db
"""


CORRECT = """\
def relu_backward(dA, cache):
    Z = cache
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    return dZ
"""
README = os.path.join(os.path.dirname(os.path.dirname(__file__)), "README.md")


def _outputs(cell):
    """Every text and HTML the cell showed."""
    texts = []
    for out in cell.get("outputs", []):
        texts.append(out.get("text", ""))
        data = out.get("data", {})
        texts += [data.get("text/html", ""), data.get("text/plain", "")]
    return "\n".join(t if isinstance(t, str) else "".join(t) for t in texts)


def _shown(cell):
    """The rich outputs (display_data, execute_result) of a cell: [(text/plain, text/html)]."""
    return [(out["data"].get("text/plain", ""), out["data"].get("text/html", "")) for out in cell.get("outputs", [])
            if out["output_type"] in ("display_data", "execute_result")]


def _registered_kernel(tmp_path, monkeypatch):
    """The README's command that makes this environment a Jupyter kernel, run into a prefix of the
    test's own (never the user's ~/.local) instead of --user: the kernel's name."""
    line = next(line for line in open(README, encoding="utf-8") if "-m ipykernel install --user --name nnconf" in line)
    words = shlex.split(line.split("#")[0])
    words = words[words.index("-m"):]  # what follows the environment's python
    words[words.index("--user")] = f"--prefix={tmp_path / 'jupyter'}"
    subprocess.run([sys.executable, *words], check=True, capture_output=True, timeout=120)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter" / "share" / "jupyter"))
    return words[words.index("--name") + 1]


def test_a_notebook_shows_each_result_in_rich_and_plain_text_with_what_to_change(tmp_path, monkeypatch):
    """A real notebook run headless in this environment's kernel, registered as the README says: a
    buggy and a correct function checked inline (HTML and plain text, what to change), the result
    shown once in its own cell and again as a later cell's value, an empty check that says why."""
    kernel = _registered_kernel(tmp_path, monkeypatch)
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import sys\nprint(sys.executable)"),
        nbformat.v4.new_code_cell(BUGGY + "\n" + CORRECT),
        nbformat.v4.new_code_cell("import nnconf\nr = nnconf.check(linear_backward, relu_backward)\nr"),
        nbformat.v4.new_code_cell("r"),
        nbformat.v4.new_code_cell("print(r)"),
        nbformat.v4.new_code_cell("empty = nnconf.check(linear_backward, suite='layers')"),
        nbformat.v4.new_code_cell("empty"),
        nbformat.v4.new_code_cell("print(type(r.records).__name__, r.ok, r.verdict, empty.ok, len(empty.records),\n"
                                  "      sorted(r.records.query('status == \"fail\"').diagnosis.unique()))"),
        nbformat.v4.new_code_cell("everything = nnconf.check(globals(), show=False)\n"
                                  "print(sorted(everything.records.function.unique()))"),
    ])
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name=kernel,
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    cells = notebook.cells
    assert not [o for c in cells for o in c.outputs if o["output_type"] == "error"]
    assert _outputs(cells[0]).strip() == sys.executable  # this environment's kernel, by the README's name

    shown = _shown(cells[2])
    assert len(shown) == 1, shown  # checked and the cell's value: shown once
    plain, rich = shown[0]
    assert "IPython.core.display" not in plain and "<table>" not in plain
    assert plain.startswith("nnconf: FAIL") and "deep.linear_backward" in plain and "deep.relu_backward" in plain
    assert "[shape.rank1]" in plain and "what to change: Keep every array 2-D" in plain
    assert "PASS  deep.relu_backward" in plain
    assert all(len(line) <= 100 for line in plain.splitlines())  # a console's, a PDF's lines
    assert "<table>" in rich and "what to change" in rich and "keepdims=True" in rich and "shape.rank1" in rich
    assert ">pass<" in rich and ">fail<" in rich

    assert _shown(cells[3]) == shown  # `r` in a later cell shows it again, whole
    assert _outputs(cells[4]).strip() == plain.strip()  # print(r): the same text

    for cell in (cells[5], cells[6]):  # the empty check, shown at once and as a later value
        (plain, rich), = _shown(cell)
        assert "nothing of the layers suite was found among linear_backward" in plain
        assert "suite='deep'" in plain and "NOTHING CHECKED" in plain
        assert "nothing of the layers suite" in rich and "suite=&#x27;deep&#x27;" in rich
    assert "DataFrame False FAIL False 0 ['shape.rank1']" in _outputs(cells[7])
    assert "['linear_backward', 'relu_backward']" in _outputs(cells[8])


def test_the_doors_functions_are_checked_in_the_box(tmp_path, monkeypatch):
    """A kernel's functions travel into the same box as the command line's (by value, with the
    globals they use; the kernel folder's helper files beside them): they write nothing into the
    kernel's HOME and read none of its keys."""
    from nnconf.conformance.box import sandbox

    if sandbox.choose("auto").mode != "bwrap":
        pytest.skip("needs bubblewrap's box")
    import nnconf

    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text("doorKey")
    (tmp_path / "dnn_helpers.py").write_text("import numpy as np\n\ndef helper_relu(z):\n    return np.maximum(0, z)\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    kernel = {"__name__": "__main__"}  # a notebook's functions are defined in __main__
    exec(f"""
import os
import numpy as np
from dnn_helpers import helper_relu

def relu(z):
    with open({str(home / 'WRITTEN')!r}, "w") as out:
        out.write("x")
    return helper_relu(z)

def sigmoid(z):
    key = open({str(home / '.ssh' / 'id_rsa')!r}).read()
    return 1 / (1 + np.exp(-z)) + (1 if "doorKey" in key else 0)
""", kernel)
    written = nnconf.check(kernel["relu"], suite="activations", show=False).records
    assert set(written.sandbox) == {"bwrap"}
    assert not (home / "WRITTEN").exists()
    assert (written[written.stage == "smoke"].status != "pass").any()  # the write fails in the box
    read = nnconf.check(kernel["sigmoid"], suite="activations", show=False).records
    assert set(read.sandbox) == {"bwrap"} and "doorKey" not in " ".join(read.message)
