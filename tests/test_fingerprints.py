"""Groups of identical code (reading/fingerprints.py): a function's fingerprint ignores the names of
its own variables, comments, docstrings and layout, and changes with any operator, constant, call,
attribute or order; globals keep their names; notebooks are read as the harness reads them;
nothing is run."""

import json

import pytest

from nnconf.conformance.reading.fingerprints import function_fingerprints, identical_groups

ORIGINAL = '''
import numpy as np

def linear_forward(A, W, b):
    """Implement the linear part of a layer's forward propagation."""
    Z = np.dot(W, A) + b  # (n_l, m)
    cache = (A, W, b)
    return Z, cache

def relu(Z):
    A = np.maximum(0, Z)
    return A, Z

class TwoLayerNet:
    def predict(self, x):
        a1 = sigmoid(np.dot(x, self.params["W1"]) + self.params["b1"])
        return np.argmax(a1, axis=1)
'''

RENAMED = '''
import numpy as np


def linear_forward(A_prev, weights, bias):
    # Z = W A + b
    z    =   np.dot(weights, A_prev)+bias
    "a string used as a comment"
    c = (A_prev, weights, bias)
    pass
    return z, c


def relu(x: np.ndarray) -> tuple:
    """Rectified linear unit.

    Returns the activation and the cache."""
    out: np.ndarray = np.maximum(0, x)
    return out, x

class TwoLayerNet:
    """A net."""
    def predict(net, inputs):
        hidden = sigmoid(np.dot(inputs, net.params["W1"]) + net.params["b1"])
        return np.argmax(hidden, axis=1)
'''


def same(a, b, name):
    return function_fingerprints(a)[name] == function_fingerprints(b)[name]


def test_names_comments_docstrings_and_layout_do_not_count():
    original, renamed = function_fingerprints(ORIGINAL), function_fingerprints(RENAMED)
    assert set(original) == {"linear_forward", "relu", "TwoLayerNet.predict"}
    assert original == renamed
    assert all(len(v) == 16 and int(v, 16) >= 0 for v in original.values())


@pytest.mark.parametrize("change", [
    ("np.dot(W, A)", "np.dot(A, W)"),  # a transposed product
    ("np.dot(W, A) + b", "np.dot(W, A) - b"),  # an operator
    ("np.dot(W, A)", "np.matmul(W, A)"),  # a call
    ("np.dot(W, A)", "np.dot(W.T, A)"),  # an attribute
    ("cache = (A, W, b)", "cache = (A, b, W)"),  # an order
    ("return Z, cache", "return cache, Z"),
    ("import numpy as np\n\ndef", "import numpy as np\n\n@staticmethod\ndef"),  # a decorator
    ("def linear_forward(A, W, b):", "def linear_forward(A, W, b=0):"),  # a default
    ("def linear_forward(A, W, b):", "def linear_forward(A, W, *b):"),
])
def test_any_change_of_the_code_counts(change):
    assert not same(ORIGINAL, ORIGINAL.replace(*change), "linear_forward")


@pytest.mark.parametrize("change", [
    ("np.maximum(0, Z)", "np.maximum(0.0, Z)"),  # a constant
    ("np.maximum(0, Z)", "np.maximum(1e-2 * Z, Z)"),
    ("np.maximum(0, Z)", "np.minimum(0, Z)"),
])
def test_a_changed_constant_or_function_counts(change):
    assert not same(ORIGINAL, ORIGINAL.replace(*change), "relu")


def test_globals_keep_their_names_and_locals_are_numbered_by_first_use():
    one = "def f(x):\n    return np.exp(x)\n"
    assert function_fingerprints(one) != function_fingerprints(one.replace("np.exp", "math.exp"))
    assert function_fingerprints(one) != function_fingerprints(one.replace("np.exp(x)", "np.exp(W)"))
    swapped = "def f(a, b):\n    return a - b\n", "def f(b, a):\n    return a - b\n"
    assert function_fingerprints(swapped[0]) != function_fingerprints(swapped[1])
    renamed = "def f(a, b):\n    return a - b\n", "def f(p, q):\n    return p - q\n"
    assert function_fingerprints(renamed[0]) == function_fingerprints(renamed[1])
    # a global read and a local of the same name are different things
    assert function_fingerprints("def f(x):\n    return x + W\n") != function_fingerprints(
        "def f(x):\n    W = 1\n    return x + W\n")
    declared = "def f():\n    global count\n    count = 1\n", "def f():\n    global total\n    total = 1\n"
    assert function_fingerprints(declared[0]) != function_fingerprints(declared[1])


def test_nested_scopes_comprehensions_and_lambdas():
    a = '''
def backward(grads, caches):
    out = {}
    def step(g, c):
        nonlocal out
        out = {k: v * c for k, v in g.items()}
        return out
    total = [step(g, c) for g, c in zip(grads, caches)]
    key = lambda item: item[0]
    try:
        import numpy.linalg
    except ImportError as error:
        raise
    return sorted(total, key=key)
'''
    b = (a.replace("out", "result").replace("step", "helper").replace("k, v", "name, val")
         .replace("v * c", "val * c").replace("{k:", "{name:").replace("lambda item: item", "lambda it: it")
         .replace("error", "exc"))
    assert function_fingerprints(a) == function_fingerprints(b)
    assert function_fingerprints(a) != function_fingerprints(a.replace("v * c", "v / c"))
    # a nested class's attributes are names others read (obj.rate): they keep theirs
    klass = "def f():\n    class C:\n        rate = 1\n    return C.rate\n"
    assert function_fingerprints(klass) != function_fingerprints(klass.replace("rate = 1", "speed = 1"))
    # the first iterable of a comprehension is read outside it
    comp = "def f(n):\n    return [x for x in x]\n", "def f(n):\n    return [y for y in x]\n"
    assert function_fingerprints(comp[0]) == function_fingerprints(comp[1])
    # `import a.b` binds a, `import a.b as x` binds a.b
    imp = "def f():\n    import os.path\n    return os.path\n", "def f():\n    import os.path as p\n    return p.path\n"
    assert function_fingerprints(imp[0]) != function_fingerprints(imp[1])


def notebook(path, cells):
    path.write_text(json.dumps({"cells": [{"cell_type": kind, "metadata": {}, "source": source, "outputs": [],
                                           "execution_count": None} for kind, source in cells],
                                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def test_notebooks_as_the_harness_reads_them(tmp_path):
    ran = tmp_path / "ran"
    nb = notebook(tmp_path / "W4A1.ipynb", [
        ("markdown", "# relu"),
        ("code", "%matplotlib inline\nimport numpy as np"),
        ("code", "def relu(Z):\n    return np.maximum(0, Z)\n"),
        ("code", f"open({str(ran)!r}, 'w').write('ran')\nrelu_test(relu)"),
        ("code", "def sigmoid(Z):\n    return 1 / (1 + np.exp(-Z))\n"),
        ("code", "def relu(Z):\n    # graded\n    return np.maximum(0, Z)\n"),  # redefined: the last counts
        ("code", "def broken(x:\n    return x\n"),
    ])
    py = tmp_path / "mine.py"
    py.write_text("import numpy as np\ndef relu(x):\n    return np.maximum(0, x)\n"
                  "def sigmoid(x):\n    return 1 / (1 + np.exp(x))\n"
                  "if __name__ == '__main__':\n    def relu(x):\n        return x\n")
    from_nb, from_py = function_fingerprints(nb), function_fingerprints(str(py))
    assert set(from_nb) == {"relu", "sigmoid"}  # `broken` does not parse: no fingerprint
    assert from_nb["relu"] == from_py["relu"] and from_nb["sigmoid"] != from_py["sigmoid"]
    assert not ran.exists()  # never executed
    assert function_fingerprints(nb, names=["sigmoid"]) == {"sigmoid": from_nb["sigmoid"]}


def test_definitions_replaced_or_broken_later():
    source = "def f(x):\n    return x\n"
    assert "f" not in function_fingerprints(source + "from somewhere import f\n")
    assert "f" not in function_fingerprints(source + "def f(x:\n    return 1\n")  # the whole file does not parse
    classes = "class Net:\n    def forward(self, x):\n        return x\n    def backward(self, d):\n        return d\n"
    found = function_fingerprints(classes)
    assert set(found) == {"Net.forward", "Net.backward"}
    assert set(function_fingerprints(classes, names=["Net"])) == {"Net.forward", "Net.backward"}
    assert found["Net.forward"] == found["Net.backward"]  # the same code up to names


def test_identical_groups():
    prints = {"alice": function_fingerprints(ORIGINAL), "bob": function_fingerprints(RENAMED),
              "carol": function_fingerprints(ORIGINAL.replace("np.dot(W, A)", "np.dot(A, W)")),
              "dave": function_fingerprints(ORIGINAL.replace("np.dot(W, A)", "np.dot(A, W)"))}
    groups = identical_groups(prints)
    assert groups["linear_forward"] == [("alice", "bob"), ("carol", "dave")]
    assert groups["relu"] == [("alice", "bob", "carol", "dave")]


def test_a_missing_file_is_an_error_not_source(tmp_path):
    with pytest.raises(OSError):
        function_fingerprints(str(tmp_path / "missing.py"))
