"""The notebook door: ``nnconf.check`` inside a running kernel, executed headless as a learner's
notebook would be (nbclient and an ipykernel)."""

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


def _outputs(cell):
    """Every text and HTML the cell showed."""
    texts = []
    for out in cell.get("outputs", []):
        texts.append(out.get("text", ""))
        data = out.get("data", {})
        texts += [data.get("text/html", ""), data.get("text/plain", "")]
    return "\n".join(t if isinstance(t, str) else "".join(t) for t in texts)


def test_a_buggy_function_is_checked_inline_in_a_running_kernel(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(BUGGY),
        nbformat.v4.new_code_cell("import nnconf\nresult = nnconf.check(linear_backward)"),
        nbformat.v4.new_code_cell("print(type(result.records).__name__, result.ok,\n"
                                  "      sorted(result.records.query('status == \"fail\"').diagnosis.unique()))"),
        nbformat.v4.new_code_cell("everything = nnconf.check(globals(), show=False)\n"
                                  "print(sorted(everything.records.function.unique()))"),
    ])
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    shown = _outputs(notebook.cells[1])
    assert "<table>" in shown and "linear_backward" in shown and "shape.rank1" in shown and "FAIL" in shown
    assert "DataFrame False ['shape.rank1']" in _outputs(notebook.cells[2])
    assert "['linear_backward']" in _outputs(notebook.cells[3])


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
