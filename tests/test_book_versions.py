"""The book's versions in the ``layers`` suite, each judged as itself.

- The book's chapter-4 ``TwoLayerNet`` (ch04/two_layer_net.py: sigmoid hidden layer, ``predict``
  returning softmax probabilities, its own ``gradient``) is told apart from chapter 5's by what
  its ``predict`` returns on a probe, judged against a PyTorch reference of its own, and noted;
  a real chapter-4 bug (a sigmoid at the output, a derivative taken at the wrong place, a
  missing 1/batch) still fails.
- An ``Affine`` that keeps its gradients as ``self.dw``/``self.db`` is read and judged, and noted.
- A ``SoftmaxWithLoss.forward`` that gives inf for a certain, wrong prediction on logits of
  +-1000 is caught at saturation (a warning, SPEC "Saturation"); the book's stable version passes.

The trees are the book's layout built by tests/real_code/trees.py, edited line by line; every
run is the command line in-process (``cli.main``), restricted to what the test is about.
"""

import contextlib
import io
import json
import os
import re
import shutil
import sys
import tempfile

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # tests/, for the builders in real_code/
from real_code import trees  # noqa: E402
from real_code.sources import replace_line, write  # noqa: E402

from nnconf.conformance.doors import cli  # noqa: E402

NET = ("TwoLayerNet.predict", "TwoLayerNet.loss", "TwoLayerNet.accuracy", "TwoLayerNet.gradient",
       "TwoLayerNet.numerical_gradient")
CHAPTER_4 = "the book's chapter-4 TwoLayerNet: sigmoid hidden layer, softmax predict"
BAD = ("fail", "error")


# --- helpers --------------------------------------------------------------------------------------


def check(target, *args):
    """``nnconf check TARGET ARGS --json FILE`` in-process: (exit code, stdout, records)."""
    folder = tempfile.mkdtemp(prefix="nnconf-book-")
    out_json = os.path.join(folder, "records.json")
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            code = cli.main(["check", str(target), *args, "--json", out_json])
        with open(out_json) as handle:
            return code, buffer.getvalue(), json.load(handle)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def of(records, function, *statuses):
    return [r for r in records if r["function"] == function and (not statuses or r["status"] in statuses)]


def describe(records):
    return "\n".join(f"{r['status']} {r['function']} {r['check']} {r.get('diagnosis')} {r['message'][:240]}"
                     for r in records if r["status"] != "pass")


def chapter4_tree(root, edit=None):
    """The book's tree with chapter 4's network only (ch05/ removed, so that nothing but the
    chapter-4 TwoLayerNet answers to the name); ``edit(source) -> source`` changes ch04/two_layer_net.py."""
    trees.build_book_tree(root, os.path.join(str(root), "..", "TOP_LEVEL_RAN"))
    shutil.rmtree(os.path.join(str(root), "ch05"))
    path = os.path.join(str(root), "ch04", "two_layer_net.py")
    if edit is not None:
        with open(path) as handle:
            source = handle.read()
        with open(path, "w") as handle:
            handle.write(edit(source))
    return root


def net_only(*functions):
    return [arg for f in functions for arg in ("--function", f)] + ["--suite", "layers"]


# --- the book's chapter 4 ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def book_chapter4(tmp_path_factory):
    """The book's chapter-4 net, with its training curve."""
    root = chapter4_tree(tmp_path_factory.mktemp("book") / "deep-learning-from-scratch")
    return check(root, "--suite", "layers")


def test_the_books_chapter4_net_is_noted_and_judged_as_itself(book_chapter4):
    code, out, records = book_chapter4
    assert code == 0, out
    for function in NET:
        assert not of(records, function, *BAD), describe(of(records, function))
        notes = of(records, function, "note")
        assert notes and all(CHAPTER_4 in r["message"] for r in notes), (function, describe(of(records, function)))
        assert any("on a probe, predict returned softmax(sigmoid(x W1 + b1) W2 + b2)" in r["message"] for r in notes)
        values = [r for r in of(records, function) if r["stage"] in ("value", "layer") and r["status"] != "note"]
        assert values and all(r["status"] == "pass" for r in values), describe(values)
    # the book's chapter-4 net takes one-hot targets only: integer labels do not apply to it (no warning)
    assert not [r for r in records if r["status"] == "warn" and r["function"].startswith("TwoLayerNet")], \
        describe(records)


def test_its_training_curve_follows_chapter4s_reference(book_chapter4):
    _, _, records = book_chapter4
    curve = [r for r in records if r["stage"] == "training" and r["function"].startswith("training loop")]
    assert len(curve) == 1 and curve[0]["status"] == "pass", describe(curve)
    assert CHAPTER_4 in curve[0]["message"]


def _predict_with(output):
    def edit(source):
        old = "        y = softmax(a2)\n        return y\n"
        assert source.count(old) == 1
        return source.replace(old, f"        y = {output}(a2)\n        return y\n")
    return edit


def test_a_sigmoid_at_the_output_fails_predict_and_loss(tmp_path):
    root = chapter4_tree(tmp_path / "tree", _predict_with("sigmoid"))
    code, out, records = check(root, *net_only("TwoLayerNet.predict", "TwoLayerNet.loss", "TwoLayerNet.gradient"))
    assert code == 1, out
    for function in ("TwoLayerNet.predict", "TwoLayerNet.loss"):
        assert [r for r in of(records, function, "fail") if r["stage"] == "value"], describe(of(records, function))
        notes = of(records, function, "note")  # judged as chapter 4, and the note says what the probe saw
        assert notes and "a sigmoid at the output where chapter 4 has softmax" in notes[0]["message"]
    # its gradient is chapter 4's own (softmax with cross-entropy): right, whatever predict does
    assert not of(records, "TwoLayerNet.gradient", *BAD), describe(of(records, "TwoLayerNet.gradient"))


@pytest.mark.parametrize("old, new, diagnoses", [
    ("dz1 = sigmoid_grad(a1) * da1", "dz1 = sigmoid_grad(z1) * da1", {"value.wrong", "value.activation_derivative"}),
    ("dy = (y - t) / batch_num", "dy = (y - t)", {"value.scale_m"}),
], ids=["derivative-at-the-output", "no-1/batch"])
def test_a_wrong_chapter4_gradient_fails(tmp_path, old, new, diagnoses):
    root = chapter4_tree(tmp_path / "tree", lambda source: replace_line(source, old, new))
    code, out, records = check(root, *net_only("TwoLayerNet.predict", "TwoLayerNet.gradient"))
    assert code == 1, out
    failing = [r for r in of(records, "TwoLayerNet.gradient", "fail") if r["stage"] == "layer"]
    assert failing and {r["diagnosis"] for r in failing} & diagnoses, describe(of(records, "TwoLayerNet.gradient"))
    assert of(records, "TwoLayerNet.gradient", "note"), "judged as chapter 4"
    assert not of(records, "TwoLayerNet.predict", *BAD)


def test_chapter5_nets_are_not_noted_as_chapter4():
    code, out, records = check("nnconf.impl", *net_only(*NET))
    assert code == 0, out
    assert not [r for r in records if r["status"] != "pass"], describe(records)


def test_the_form_is_read_from_values():
    """``_form_of`` on the probe's candidates: each form, probabilities of another net, and
    answers that decide nothing (an error, a wrong shape, NaN) keep the API's form."""
    from nnconf.conformance.suites import layers

    x, params = layers._form_probe((3, 4, 5))
    candidates = layers._form_candidates(x, params)
    assert layers._form_of({"y": candidates["ch5"]}, candidates) == ("ch5", None)
    assert layers._form_of({"y": candidates["ch4"]}, candidates)[0] == "ch4"
    assert layers._form_of({"y": candidates["ch4, sigmoid output"]}, candidates)[0] == "ch4"
    uniform = np.full_like(candidates["ch5"], 1 / candidates["ch5"].shape[1])
    form, evidence = layers._form_of({"y": uniform}, candidates)
    assert form == "ch4" and "rows that sum to 1" in evidence
    for answer in ({"error": "ValueError: shapes"}, {"y": candidates["ch5"][:, :2]}, {"y": np.full((4, 5), np.nan)},
                   {"y": 2 * candidates["ch5"]}, None, {"y": "scores"}):
        assert layers._form_of(answer, candidates)[0] == "ch5", answer


def test_the_bundled_chapter4_net_matches_its_reference():
    """impl.layers.TwoLayerNetCh4 against the chapter-4 PyTorch reference."""
    from nnconf.impl.layers import TwoLayerNetCh4
    from nnconf.reference import layers as ref

    rng = np.random.default_rng(4)
    N, D, H, C = 3, 5, 4, 6
    net = TwoLayerNetCh4(D, H, C, weight_init_std=0.7, rng=rng)
    x, labels = rng.standard_normal((N, D)), np.array([1, 5, 0])
    t = np.eye(C)[labels]
    np.testing.assert_allclose(net.predict(x), ref.two_layer_predict(x, net.params, "ch4"), rtol=1e-12, atol=1e-15)
    assert net.loss(x, t) == pytest.approx(ref.two_layer_loss(x, t, net.params, "ch4"), rel=1e-12)
    assert net.loss(x, labels) == pytest.approx(net.loss(x, t), rel=1e-15)
    expected = ref.two_layer_gradient(x, t, net.params, "ch4")
    numeric = net.numerical_gradient(x, t)
    for key, value in net.gradient(x, t).items():
        np.testing.assert_allclose(value, expected[key], rtol=1e-10, atol=1e-14, err_msg=key)
        np.testing.assert_allclose(numeric[key], expected[key], rtol=1e-5, atol=1e-8, err_msg=key)
    assert net.accuracy(x, t) == ref.two_layer_accuracy(x, t, net.params, "ch4")


# --- names as learners write them: self.dw / self.db --------------------------------------------------

AFFINE_DW = """\
    import numpy as np


    class Affine:
        def __init__(self, W, b):
            self.W = W
            self.b = b
            self.x = None
            self.dw = None
            self.db = None

        def forward(self, x):
            self.x = x
            return np.dot(x, self.W) + self.b

        def backward(self, dout):
            dx = np.dot(dout, self.W.T)
            self.dw = np.dot(self.x.T, dout){bug}
            self.db = np.sum(dout, axis=0)
            return dx
    """


@pytest.mark.parametrize("bug", ["", " / self.x.shape[0]"], ids=["right", "dw-over-N"])
def test_affine_dw_db_attributes_are_read_and_judged(tmp_path, bug):
    path = write(tmp_path, "mine/layers.py", AFFINE_DW.replace("{bug}", bug))
    code, out, records = check(path, *net_only("Affine.backward"))
    notes = of(records, "Affine.backward", "note")
    assert notes and "read `self.dw` for `dW`" in notes[0]["message"], describe(records)
    dW = [r for r in of(records, "Affine.backward") if r.get("quantity") == "dW" and r["stage"] == "grad_autograd"]
    assert dW, describe(records)
    if bug:
        assert code == 1 and any(r["status"] == "fail" and r["diagnosis"] == "value.scale_m" for r in dW), describe(dW)
    else:
        assert code == 0 and all(r["status"] == "pass" for r in dW), describe(records)
        assert not of(records, "Affine.backward", *BAD)


# --- saturation: SoftmaxWithLoss.forward on logits of +-1000 ---------------------------------------------

SOFTMAX_WITH_LOSS = """\
    import numpy as np


    def softmax(x):
        x = x - np.max(x, axis=-1, keepdims=True)
        return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


    def cross_entropy_error(y, t):
        if y.ndim == 1:
            t = t.reshape(1, t.size)
            y = y.reshape(1, y.size)
        if t.size == y.size:
            t = t.argmax(axis=1)
        batch_size = y.shape[0]
        return -np.sum(np.log(y[np.arange(batch_size), t]{delta})) / batch_size


    class SoftmaxWithLoss:
        def __init__(self):
            self.loss = None
            self.y = None
            self.t = None

        def forward(self, x, t):
            self.t = t
            self.y = softmax(x)
            self.loss = cross_entropy_error(self.y, self.t)
            return self.loss
    """


def test_softmax_with_loss_returning_inf_is_caught_at_saturation(tmp_path):
    path = write(tmp_path, "mine/layers.py", SOFTMAX_WITH_LOSS.replace("{delta}", ""))
    code, out, records = check(path, *net_only("SoftmaxWithLoss.forward"))
    saturation = [r for r in of(records, "SoftmaxWithLoss.forward") if r["stage"] == "saturation"]
    assert saturation and all(r["status"] == "warn" and r["diagnosis"] == "value.nonfinite" for r in saturation), \
        describe(records)
    assert "t_wrong" in saturation[0]["repro"] and "labels at the row minima" in saturation[0]["repro"]
    # right on ordinary inputs: a warning, not a failure
    assert code == 0 and not of(records, "SoftmaxWithLoss.forward", *BAD), describe(records)
    assert cli.main(["check", path, *net_only("SoftmaxWithLoss.forward"), "--strict", "--quiet"]) == 1


def test_the_books_stable_softmax_with_loss_passes_saturation(tmp_path):
    path = write(tmp_path, "mine/layers.py", SOFTMAX_WITH_LOSS.replace("{delta}", " + 1e-7"))
    code, out, records = check(path, *net_only("SoftmaxWithLoss.forward"))
    assert code == 0, out
    assert not [r for r in of(records, "SoftmaxWithLoss.forward") if r["status"] != "pass"], describe(records)
    assert [r for r in records if r["stage"] == "saturation" and r["status"] == "pass"]


# --- the book's narrower listings of chapter 4, each right for its section ------------------------------

SINGLE_EXAMPLE = """\
    import numpy as np


    def cross_entropy_error(y, t):
        delta = 1e-7
        return {body}
    """

SECTION_422 = "the book's single-example cross_entropy_error of section 4.2.2"


def _loss_file(tmp_path, body, template=SINGLE_EXAMPLE):
    return write(tmp_path, "ch04/cross_entropy_error.py", template.replace("{body}", body))


def test_the_single_example_cross_entropy_error_is_noted_and_judged_as_the_sum(tmp_path):
    """Section 4.2.2: right for one example, the sum (not the mean) on a batch; integer labels do not apply."""
    code, out, records = check(_loss_file(tmp_path, "-np.sum(t * np.log(y + delta))"),
                               *net_only("cross_entropy_error"))
    assert code == 0, out
    mine = of(records, "cross_entropy_error")
    assert not of(records, "cross_entropy_error", "fail", "error", "warn"), describe(mine)
    notes = of(records, "cross_entropy_error", "note")
    assert len(notes) == 1 and SECTION_422 in notes[0]["message"], describe(mine)
    assert "with integer labels it raised" in notes[0]["message"]
    values = [r for r in mine if r["stage"] == "value" and r["status"] != "note"]
    assert values and all(r["status"] == "pass" for r in values), describe(values)
    smoke = [r for r in mine if r["stage"] == "smoke"]
    assert smoke and smoke[0]["status"] == "pass", describe(smoke)


@pytest.mark.parametrize("body, diagnosis", [
    ("np.sum(t * np.log(y + delta))", "value.scale_m"),  # the minus sign forgotten: -m times the mean
    ("-np.sum(np.log(y + delta))", None),  # log without t
    ("-np.sum(t * np.log(y + delta)) / 2", None),  # another constant
], ids=["sign", "log-without-t", "halved"])
def test_a_wrong_single_example_cross_entropy_error_fails(tmp_path, body, diagnosis):
    code, out, records = check(_loss_file(tmp_path, body), *net_only("cross_entropy_error"))
    assert code == 1, out
    failing = [r for r in of(records, "cross_entropy_error", "fail") if r["stage"] == "value"]
    assert failing, describe(records)
    assert diagnosis is None or any(r["diagnosis"] == diagnosis for r in failing), describe(failing)
    assert not of(records, "cross_entropy_error", "note"), "a wrong loss is not the book's listing"


BATCH_LOSS = """\
    import numpy as np


    def cross_entropy_error(y, t):
        if y.ndim == 1:
            t = t.reshape(1, t.size)
            y = y.reshape(1, y.size)
        if t.size == y.size:
            t = t.argmax(axis=1)
        batch_size = y.shape[0]
        return {body}
    """


def test_a_batch_loss_that_takes_labels_and_sums_is_missing_its_1_over_batch(tmp_path):
    """The sum on one-hot batches is the section-4.2.2 listing only where labels make it raise."""
    path = _loss_file(tmp_path, "-np.sum(np.log(y[np.arange(batch_size), t] + 1e-7))", BATCH_LOSS)
    code, out, records = check(path, *net_only("cross_entropy_error"))
    assert code == 1, out
    failing = [r for r in of(records, "cross_entropy_error", "fail") if r["stage"] == "value"]
    assert failing and failing[0]["diagnosis"] == "value.scale_m", describe(records)
    assert not of(records, "cross_entropy_error", "note")


LABELS_ONLY = """\
    import numpy as np


    def cross_entropy_error(y, t):
        if y.ndim == 1:
            t = t.reshape(1, t.size)
            y = y.reshape(1, y.size)
        batch_size = y.shape[0]
        return {body}
    """


def test_the_labels_only_cross_entropy_error_is_a_warning_judged_on_labels(tmp_path):
    """Section 4.2.4 "when t is a label": IndexError on one-hot t, the mirror of one-hot targets only."""
    path = _loss_file(tmp_path, "-np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size", LABELS_ONLY)
    code, out, records = check(path, *net_only("cross_entropy_error"))
    assert code == 0, out
    mine = of(records, "cross_entropy_error")
    assert not of(records, "cross_entropy_error", *BAD), describe(mine)
    warnings = of(records, "cross_entropy_error", "warn")
    assert warnings and all(r["rule"] == "integer labels only" for r in warnings), describe(mine)
    assert "IndexError" in warnings[0]["message"] and "integer labels only" in warnings[0]["message"]
    labels = [r for r in mine if r["stage"] == "value" and r["case"] == "labels"]
    assert labels and all(r["status"] == "pass" for r in labels), describe(mine)
    assert cli.main(["check", path, *net_only("cross_entropy_error"), "--strict", "--quiet"]) == 1


def test_a_wrong_labels_only_cross_entropy_error_fails(tmp_path):
    path = _loss_file(tmp_path, "-np.sum(np.log(y[np.arange(batch_size), t] + 1e-7))", LABELS_ONLY)  # no / batch
    code, out, records = check(path, *net_only("cross_entropy_error"))
    assert code == 1, out
    errors = of(records, "cross_entropy_error", "error")
    assert errors and "IndexError" in errors[0]["message"], describe(records)


NUMERICAL_GRADIENT_1D = """\
    import numpy as np


    def numerical_gradient(f, x):
        h = 1e-4
        grad = np.zeros_like(x)
        for idx in range(x.size):
            tmp_val = x[idx]
            x[idx] = tmp_val + h
            fxh1 = f(x)
            x[idx] = tmp_val - h
            fxh2 = f(x)
            grad[idx] = (fxh1 - fxh2) / {denominator}
            {restore}
        return grad
    """


def _gradient_file(tmp_path, denominator="(2 * h)", restore="x[idx] = tmp_val"):
    return write(tmp_path, "ch04/gradient_2d.py",
                 NUMERICAL_GRADIENT_1D.replace("{denominator}", denominator).replace("{restore}", restore))


def test_the_books_1d_numerical_gradient_is_noted_and_judged_on_1d_inputs(tmp_path):
    """Section 4.4: `for idx in range(x.size): tmp_val = x[idx]` raises IndexError on a 2-D x."""
    code, out, records = check(_gradient_file(tmp_path), *net_only("numerical_gradient"))
    assert code == 0, out
    mine = of(records, "numerical_gradient")
    assert not of(records, "numerical_gradient", *BAD, "warn"), describe(mine)
    notes = of(records, "numerical_gradient", "note")
    assert len(notes) == 1 and "section 4.4" in notes[0]["message"] and "IndexError" in notes[0]["message"]
    values = [r for r in mine if r["stage"] == "value" and r["status"] != "note"]
    assert values and all(r["status"] == "pass" for r in values), describe(values)
    judged = re.search(r"on (\d+) case\(s\)", values[0]["message"])
    assert judged and int(judged.group(1)) >= 2, values[0]["message"]  # the 2-D cases too, row by row
    assert [r for r in mine if r["stage"] == "side_effect" and r["status"] == "pass"]


def test_a_wrong_1d_numerical_gradient_fails(tmp_path):
    code, out, records = check(_gradient_file(tmp_path, denominator="h"), *net_only("numerical_gradient"))  # not 2h
    assert code == 1, out
    failing = [r for r in of(records, "numerical_gradient", "fail") if r["stage"] == "value"]
    assert failing and failing[0]["diagnosis"] == "value.scale", describe(records)


def test_a_1d_numerical_gradient_that_leaves_x_changed_is_seen_row_by_row(tmp_path):
    """The rows are views of the harness's shared x: a write the listing leaves behind is seen."""
    code, out, records = check(_gradient_file(tmp_path, restore="pass"), *net_only("numerical_gradient"))
    written = [r for r in of(records, "numerical_gradient", "warn") if r["stage"] == "side_effect"]
    assert written and written[0]["quantity"] == "x", describe(records)


# --- a changed default: TwoLayerNet(..., weight_init_std=0.1) ----------------------------------------------


def chapter5_tree(root, edit):
    """The book's tree with chapter 5's network only; ``edit(source) -> source`` changes ch05/two_layer_net.py."""
    trees.build_book_tree(root, os.path.join(str(root), "..", "TOP_LEVEL_RAN"))
    shutil.rmtree(os.path.join(str(root), "ch04"))
    for relative, change in edit.items():
        path = os.path.join(str(root), relative)
        with open(path) as handle:
            source = handle.read()
        with open(path, "w") as handle:
            handle.write(change(source))
    return root


def _replace_once(old, new):
    def change(source):
        assert source.count(old) == 1, old
        return source.replace(old, new)
    return change


def test_a_changed_weight_init_std_default_is_a_warning(tmp_path):
    root = chapter5_tree(tmp_path / "tree", {
        "ch05/two_layer_net.py": _replace_once("weight_init_std=0.01", "weight_init_std=0.1")})
    code, out, records = check(root, *net_only("TwoLayerNet.__init__"))
    assert code == 0, out
    mine = of(records, "TwoLayerNet.__init__")
    assert not of(records, "TwoLayerNet.__init__", *BAD), describe(mine)
    warnings = of(records, "TwoLayerNet.__init__", "warn")
    assert len(warnings) == 1 and warnings[0]["rule"] == "changed default", describe(mine)
    assert "`weight_init_std` defaults to 0.1" in warnings[0]["message"], warnings[0]["message"]
    values = [r for r in mine if r["stage"] == "value" and r["status"] != "note"]
    assert values and all(r["status"] == "pass" for r in values), describe(values)


def test_a_wrong_init_still_fails_with_the_documented_value_passed(tmp_path):
    root = chapter5_tree(tmp_path / "tree", {
        "ch05/two_layer_net.py": _replace_once("self.params['b1'] = np.zeros(hidden_size)", "self.params['b1'] = np.ones(hidden_size)")})
    code, out, records = check(root, *net_only("TwoLayerNet.__init__"))
    assert code == 1, out
    assert [r for r in of(records, "TwoLayerNet.__init__", "fail") if r["quantity"] == "b1"], describe(records)
    assert not of(records, "TwoLayerNet.__init__", "warn")


# --- blame: a net that fails inside a failing layer ----------------------------------------------------------


def test_a_net_failing_inside_a_failing_layer_names_it_as_the_cause(tmp_path):
    """Affine.forward without its return: the chapter-5 net's calls (traced in its worker) reach it."""
    root = chapter5_tree(tmp_path / "tree", {
        "common/layers.py": _replace_once("out = np.dot(self.x, self.W) + self.b\n        return out\n",
                                          "out = np.dot(self.x, self.W) + self.b\n")})
    code, out, records = check(root, *net_only("Affine.forward", "TwoLayerNet.predict", "TwoLayerNet.loss"))
    assert code == 1, out
    assert of(records, "Affine.forward", *BAD), describe(records)
    for function in ("TwoLayerNet.predict", "TwoLayerNet.loss"):
        bad = of(records, function, *BAD)
        assert bad, describe(records)
        assert all("Affine.forward" in (r.get("calls") or []) for r in bad), [r.get("calls") for r in bad]
        assert all("Affine.forward" in (r.get("likely_cause") or []) for r in bad), describe(bad)
        assert "probably follows from `Affine.forward`" in bad[0]["message"]


# --- names as learners write them: a method near-miss ----------------------------------------------------------


def test_a_method_near_miss_is_read_and_named():
    """probes.layers.method_of: the API's name, else the one case variant or known near-miss."""
    from nnconf.conformance.reading import loader
    from nnconf.conformance.reading.loader import near_names
    from nnconf.conformance.box.probes.layers import method_of

    class Net:
        def numeric_gradient(self, x, t):
            return "numeric"

        def Predict(self, x):
            return "predict"

        def gradient(self, x, t):
            return "gradient"

    net = Net()
    bound, read = method_of(net, "TwoLayerNet", "numerical_gradient")
    assert read == "numeric_gradient" and bound(0, 0) == "numeric"
    assert method_of(net, "TwoLayerNet", "predict")[1] == "Predict"
    assert method_of(net, "TwoLayerNet", "gradient")[1] == "gradient"
    with pytest.raises(loader.MissingName):
        method_of(net, "TwoLayerNet", "loss")
    Net.numerical_Gradient = Net.numeric_gradient  # two candidates: neither is picked
    with pytest.raises(loader.MissingName, match="several near names"):
        method_of(Net(), "TwoLayerNet", "numerical_gradient")
    # the same helper reads attributes (H1's self.dw / self.db)
    assert near_names(["dw", "x", "db"], "dW") == ["dw"]


def test_a_net_call_reads_the_near_miss_method_and_says_so():
    """The worker's net call: j2h5's `TwoLayerNet.numeric_gradient` is called and named."""
    import types

    from nnconf.conformance.box.probes.layers import net_call_probe
    from nnconf.impl.layers import TwoLayerNet

    class Renamed(TwoLayerNet):
        numeric_gradient = TwoLayerNet.numerical_gradient
        numerical_gradient = None

    module = types.SimpleNamespace(TwoLayerNet=Renamed)
    rng = np.random.default_rng(0)
    params = {"W1": rng.standard_normal((3, 4)), "b1": np.zeros(4), "W2": rng.standard_normal((4, 2)), "b2": np.zeros(2)}
    x, t = rng.standard_normal((5, 3)), np.eye(2)[[0, 1, 1, 0, 1]]
    answer = net_call_probe(module, (3, 4, 2), params, "numerical_gradient", (x, t), repeat=False)
    assert answer["method_read"] == "numeric_gradient"
    np.testing.assert_allclose(answer["result"]["W1"], TwoLayerNet.gradient(_loaded(TwoLayerNet, params), x, t)["W1"],
                               rtol=1e-5, atol=1e-8)


def _loaded(cls, params):
    net = cls(3, 4, 2)
    for key, value in params.items():
        net.params[key][...] = value
    return net


def test_a_near_miss_method_is_checked_end_to_end(tmp_path):
    root = chapter4_tree(tmp_path / "tree", _replace_once("def numerical_gradient(self, x, t):",
                                                           "def numeric_gradient(self, x, t):"))
    code, out, records = check(root, *net_only("TwoLayerNet.predict", "TwoLayerNet.numerical_gradient"))
    notes = of(records, "TwoLayerNet.numerical_gradient", "note")
    assert any("read `TwoLayerNet.numeric_gradient` for `TwoLayerNet.numerical_gradient`" in r["message"]
               for r in notes), describe(records)
    values = [r for r in of(records, "TwoLayerNet.numerical_gradient") if r["stage"] == "layer"]
    assert values and all(r["status"] == "pass" for r in values)
