"""A crash never hides what is behind it: code that uses a name NumPy 2 removed (``np.float_``,
``np.int``, ...) is judged with NumPy 1.x's aliases in place, and the use is a warning of its own,
read from the files by the harness (conformance/box/numpy2.py).

The module's scan is tested directly; the worker's side through the command line (in-process, as
tests/test_fair_judgement.py does): right code behind the alias passes, a rank-1 bug behind it
fails as ``shape.rank1``, in a .py file and in a notebook cell.
"""

import contextlib
import io
import json
import os
import textwrap
import types

import nbformat
import numpy as np
import pytest

from nnconf.conformance.doors import cli
from nnconf.conformance.box import numpy2
from nnconf.conformance.judging import severity
from nnconf.conformance.judging.bug_classes import explain


RIGHT = """\
import numpy as np


def initialize_parameters_deep(layer_dims):
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]).astype(np.float_) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1), dtype=np.float_)
    return parameters


def linear_forward(A, W, b):
    Z = np.dot(W, A) + b
    return Z, (A, W, b)


def examples(A):
    return np.int(A.shape[1])


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = examples(A_prev)
    dW = np.dot(dZ, A_prev.T) / m
    db = np.sum(dZ, axis=1, keepdims=True) / m
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db
"""

RANK1 = RIGHT.replace("db = np.sum(dZ, axis=1, keepdims=True) / m", "db = np.sum(dZ, axis=1) / m")

NOTEBOOK_CELLS = [
    "import numpy as np",
    "def linear_forward(A, W, b):\n    Z = np.dot(W, A) + b\n    return Z, (A, W, b)",
    "%matplotlib inline\n"  # a magic: blanked, the line numbers stay those of the cell
    "def linear_backward(dZ, cache):\n"
    "    A_prev, W, b = cache\n"
    "    m = A_prev.shape[1]\n"
    "    dW = np.dot(dZ, A_prev.T) / m\n"
    "    db = np.sum(dZ, axis=1).astype(np.float_) / m\n"
    "    dA_prev = np.dot(W.T, dZ)\n"
    "    return dA_prev, dW, db",
    "linear_backward_test(linear_backward)",
]


def write(folder, name, text):
    path = os.path.join(str(folder), name)
    with open(path, "w") as handle:
        handle.write(textwrap.dedent(text))
    return path


def write_notebook(folder, cells, name="Step_by_Step.ipynb"):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Week 4")]
                                        + [nbformat.v4.new_code_cell(c) for c in cells])
    path = os.path.join(str(folder), name)
    nbformat.write(notebook, path)
    return path


def check(target, *args):
    """``nnconf check TARGET ARGS --json FILE`` in-process: (exit code, stdout, records)."""
    out_json = os.path.join(os.path.dirname(target), "records.json")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = cli.main(["check", target, *args, "--no-training", "--json", out_json])
    return code, buffer.getvalue(), json.load(open(out_json)) if os.path.exists(out_json) else []


def of(records, function, status=None):
    return [r for r in records if r["function"] == function and (status is None or r["status"] == status)]


# --- the scan, on its own ---------------------------------------------------------------------------


def test_uses_in_own_code_and_through_a_helper_with_their_lines(tmp_path):
    path = write(tmp_path, "deep.py", RIGHT)
    uses = numpy2.removed_uses(path, relative=os.path.basename)
    assert sorted(uses) == ["examples", "initialize_parameters_deep", "linear_backward"]
    assert uses["initialize_parameters_deep"] == [numpy2.Use("np.float_", "deep.py:7"), numpy2.Use("np.float_", "deep.py:8")]
    assert uses["linear_backward"] == [numpy2.Use("np.int", "deep.py:18", via="examples")]


def test_a_notebook_cell_is_named_with_its_line(tmp_path):
    path = write_notebook(tmp_path, NOTEBOOK_CELLS)
    uses = numpy2.removed_uses(path, relative=os.path.basename)
    # cell 1 is markdown; np comes from cell 2; the magic keeps its line
    assert uses == {"linear_backward": [numpy2.Use("np.float_", "Step_by_Step.ipynb, cell 4, line 6")]}


def test_every_way_a_file_reaches_a_removed_name(tmp_path):
    path = write(tmp_path, "layers.py", """\
        import numpy
        import numpy as xp
        from numpy import NaN, infty as INF

        EPS = numpy.float_(1e-8)
        MASK_TYPE = xp.bool_  # still in NumPy 2: not a removal

        def softmax(x):
            return numpy.exp(x) / (numpy.sum(numpy.exp(x)) + EPS)

        def clean(x):
            return numpy.where(x == INF, 0.0, x)

        def no_alias(x, dtype=xp.float64):
            return x.astype(dtype).astype(MASK_TYPE)

        def default_arg(x, dtype=xp.float):
            return x

        class Affine:
            dtype = xp.float_

            def __init__(self, W, b):
                self.W, self.b = W, b
                self.n = xp.product(W.shape)

            def forward(self, x):
                return self.helper(x)

            def helper(self, x):
                return xp.dot(x, self.W) + self.b

        class Relu:
            def __init__(self):
                self.mask = None

            def backward(self, dout):
                return dout * numpy.sometrue(dout)

        class TwoLayerNet:
            def __init__(self):
                self.layers = [Relu(), Affine(xp.ones((2, 2)), 0)]

            def loss(self, x):
                return clean(x).sum()

        if __name__ == "__main__":
            print(xp.alltrue([True]))  # never loaded: not a use
        """)
    uses = {name: {(u.alias, u.via) for u in found} for name, found in numpy2.removed_uses(path).items()}
    assert uses["softmax"] == {("numpy.float_", "EPS")}
    assert uses["clean"] == {("numpy.infty", None)}
    assert uses["default_arg"] == {("xp.float", None)}
    assert "no_alias" not in uses
    assert uses["Affine.__init__"] == {("xp.product", None), ("xp.float_", "Affine")}
    assert uses["Affine.forward"] == uses["Affine.helper"] == {("xp.float_", "Affine")}  # the class body, not __init__
    assert uses["Relu.backward"] == {("numpy.sometrue", None)}
    assert "Relu.__init__" not in uses
    # TwoLayerNet.__init__ builds an Affine (its __init__ and class body); loss calls clean
    assert uses["TwoLayerNet.__init__"] == {("xp.product", "Affine"), ("xp.float_", "Affine")}
    assert uses["TwoLayerNet.loss"] == {("numpy.infty", "clean")}
    assert not any(alias.endswith("alltrue") for found in uses.values() for alias, _ in found)


def test_a_later_definition_wins_and_a_broken_cell_is_left_out(tmp_path):
    path = write_notebook(tmp_path, [
        "import numpy as np",
        "def relu(Z):\n    return np.maximum(0, Z).astype(np.float_), Z",
        "def relu(Z):\n    return np.maximum(0, Z), Z",
        "def sigmoid(Z)\n    return 1 / (1 + np.exp(-Z)).astype(np.float_), Z",
    ])
    assert numpy2.removed_uses(path) == {}


def test_only_names_this_numpy_lacks():
    assert {"float_", "int", "float", "object", "complex_", "NaN", "Inf", "infty", "unicode_", "string_", "product",
            "cumproduct", "alltrue", "sometrue", "round_"} <= set(numpy2.REMOVED)
    assert not set(numpy2.REMOVED) & set(vars(np))  # np.bool and np.long came back in NumPy 2: not removals
    assert "bool" not in numpy2.REMOVED


def test_the_aliases_are_numpy_1s():
    fake = types.ModuleType("numpy_copy")
    numpy2.restore_aliases(fake)
    assert fake.float_ is np.float64 and fake.complex_ is np.complex128 and fake.string_ is np.bytes_
    assert fake.int is int and fake.float is float and fake.object is object and fake.str is str
    assert np.isnan(fake.NaN) and fake.Inf == fake.infty == np.inf and fake.NINF == -np.inf
    assert fake.product([2, 3]) == 6 and list(fake.cumproduct([2, 3])) == [2, 6]
    assert fake.alltrue([1, 1]) and not fake.sometrue([0, 0])
    assert fake.asfarray([1, 2]).dtype == np.float64 and fake.asfarray([1], dtype=np.float32).dtype == np.float32
    assert list(fake.in1d([[1, 5]], [5])) == [False, True]
    assert "float_" not in vars(np)  # the harness's own NumPy is never touched


def test_records_of_checked_functions(tmp_path):
    path = write(tmp_path, "deep.py", RIGHT.replace("def initialize_parameters_deep(", "def initialize_parameters("))
    records = numpy2.records("deep", ["linear_forward", "linear_backward", "linear_backward", "initialize_parameters_deep"],
                             [path], relative=os.path.basename)
    assert [r.function for r in records] == ["linear_backward", "initialize_parameters_deep"]
    backward, init = records
    assert backward.status == "warn" and backward.diagnosis == "api.numpy2_removed"
    assert backward.diagnosis_text == explain("api.numpy2_removed")
    assert backward.extra["rule"] == "removed from NumPy"
    assert "np.int (removed in NumPy 1.24; use int) at deep.py:18 in examples, which it uses" in backward.message
    assert "judged with NumPy 1.x's aliases in place" in backward.message
    assert "np.float_ (removed in NumPy 2.0; use np.float64) at deep.py:7, deep.py:8" in init.message
    assert "(read as initialize_parameters)" in init.message  # the document's own name
    assert severity.level("smoke", None, None, "api.numpy2_removed", "error")[1].name == "removed from NumPy"


# --- the worker judges behind the crash (command line) ------------------------------------------------


@pytest.fixture(scope="module")
def right_run(tmp_path_factory):
    path = write(tmp_path_factory.mktemp("right"), "deep.py", RIGHT)
    return check(path, "--suite", "deep", "--function", "initialize_parameters_deep", "--function", "linear_backward")


@pytest.fixture(scope="module")
def rank1_run(tmp_path_factory):
    path = write(tmp_path_factory.mktemp("rank1"), "deep.py", RANK1)
    return check(path, "--suite", "deep", "--function", "linear_backward")


@pytest.fixture(scope="module")
def notebook_run(tmp_path_factory):
    path = write_notebook(tmp_path_factory.mktemp("notebook"), NOTEBOOK_CELLS)
    return check(path, "--suite", "deep", "--function", "linear_backward")


def test_right_code_behind_the_alias_passes(right_run):
    code, out, records = right_run
    assert code == 0, out
    for function in ("initialize_parameters_deep", "linear_backward"):
        assert of(records, function, "pass"), out
        assert not [r for r in of(records, function) if r["status"] in ("fail", "error")], out
        assert "AttributeError" not in out


def test_a_rank1_bug_behind_the_alias_is_found(rank1_run):
    code, out, records = rank1_run
    assert code == 1, out
    assert any(r["diagnosis"] == "shape.rank1" and r["quantity"] == "db" for r in of(records, "linear_backward", "fail")), out
    assert "AttributeError" not in out


def test_a_rank1_bug_behind_the_alias_in_a_notebook_cell_is_found(notebook_run):
    code, out, records = notebook_run
    assert code == 1, out
    assert any(r["diagnosis"] == "shape.rank1" for r in of(records, "linear_backward", "fail")), out


def test_the_aliases_come_back_before_every_call(tmp_path):
    """A function that replaces or deletes an alias reaches no later call: the worker's snapshot of
    NumPy's namespace holds the aliases (relu runs before sigmoid_backward)."""
    path = write(tmp_path, "activations.py", """\
        import numpy as np


        def relu(z):
            np.float_ = np.float16
            del np.int
            return np.maximum(0, z)


        def sigmoid_backward(da, z):
            s = 1 / (1 + np.exp(-np.asarray(z, dtype=np.float_)))
            return (da * s * (np.int(1) - s)).astype(z.dtype)
        """)
    code, out, records = check(path, "--suite", "activations", "--function", "relu", "--function", "sigmoid_backward")
    assert not [r for r in of(records, "sigmoid_backward") if r["status"] in ("fail", "error")], out
    assert of(records, "sigmoid_backward", "pass"), out


def test_the_run_warns_of_the_removed_names(right_run, rank1_run, notebook_run):
    code, out, records = right_run
    for function, alias in (("initialize_parameters_deep", "np.float_"), ("linear_backward", "np.int")):
        warned = of(records, function, "warn")
        assert [r["diagnosis"] for r in warned if r["check"].startswith("numpy2:")] == ["api.numpy2_removed"], out
        assert alias in next(r["message"] for r in warned if r["check"].startswith("numpy2:"))
    assert "removed from NumPy" in out
    for run, where in ((rank1_run, "deep.py:18"), (notebook_run, "Step_by_Step.ipynb, cell 4, line 6")):
        warned = [r for r in of(run[2], "linear_backward", "warn") if r["check"].startswith("numpy2:")]
        assert len(warned) == 1 and where in warned[0]["message"], run[1]
