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
