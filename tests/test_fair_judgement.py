"""Fair judgement: accepted conventions are notes, fragile edges are warnings, real bugs still fail,
and blame follows the target's real calls.

Every target here is the course-style implementation of tests/targets/course_style, copied into a
temporary folder with one or two functions redefined at the end of a file (a later ``def`` wins;
the folder's files import each other by bare name, so the whole folder is copied). Each run is
restricted to the functions it is about (``--suite``/``--function``), and the runs are shared by
the tests that read them (module-scoped fixtures), to keep the file well under two minutes.

The command line is run in-process (``cli.main``: the same parsing, checks, summary and exit code
as ``nnconf check``; the target still runs in the harness's forked worker), except where the
module entry point or pytest itself is what is tested.
"""

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass

import pytest

from nnconf.conformance.doors import cli

from nnconf.conformance.run import engine
from nnconf.conformance.reading import loader
COURSE = os.path.join(os.path.dirname(__file__), "targets", "course_style")
BAD = ("fail", "error")


# --- helpers --------------------------------------------------------------------------------------


@dataclass
class Run:
    code: int
    out: str
    records: list

    def of(self, function, suite=None):
        return [r for r in self.records if r["function"] == function and (suite is None or r["suite"] == suite)]

    def status(self, function, status, suite=None):
        return [r for r in self.of(function, suite) if r["status"] == status]

    def bad(self, function, suite=None):
        return [r for r in self.of(function, suite) if r["status"] in BAD]


def course_folder(base, edits=None, files=None):
    """A copy of the course-style target at ``base/t``; ``edits`` {file: code} are appended to
    existing files (their definitions win), ``files`` {file: code} are written as new files."""
    target = os.path.join(str(base), "t")
    shutil.copytree(COURSE, target)
    for name, code in (edits or {}).items():
        with open(os.path.join(target, name), "a") as handle:
            handle.write("\n\n" + textwrap.dedent(code))
    for name, code in (files or {}).items():
        with open(os.path.join(target, name), "w") as handle:
            handle.write(textwrap.dedent(code))
    return target


def check(target, *args):
    """``nnconf check TARGET ARGS --json FILE`` in-process: exit code, stdout and the records."""
    out_json = os.path.join(os.path.dirname(target), f"records-{abs(hash(args))}.json")
    if os.path.exists(out_json):
        os.unlink(out_json)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = cli.main(["check", target, *args, "--json", out_json])
    records = json.load(open(out_json)) if os.path.exists(out_json) else []
    return Run(code, buffer.getvalue(), records)


def describe(records):
    return "\n".join(f"{r['status']} {r['suite']}.{r['function']} {r['stage']} {r.get('quantity')} "
                     f"@{r.get('case')} {r.get('diagnosis')} {r.get('rule')} {r['message'][:300]}"
                     for r in records if r["status"] != "pass")


def assert_noted(run, function, *words, suite=None):
    """A note for ``function`` (mentioning ``words``), nothing failing or erroring for it, and its
    value checks (value, layer or grad_autograd stage) all run and pass."""
    notes = run.status(function, "note", suite)
    assert notes, f"no note for {function}:\n{describe(run.records)}"
    for word in words:
        assert any(word in r["message"] for r in notes), (word, [r["message"] for r in notes])
    assert not run.bad(function, suite), describe(run.bad(function, suite))
    values = [r for r in run.of(function, suite)
              if r["stage"] in ("value", "layer", "grad_autograd") and r["status"] != "note"]
    assert values, f"no value check ran for {function}"
    assert all(r["status"] == "pass" for r in values), describe(values)


# --- target code ------------------------------------------------------------------------------

INIT_DEEP_SEED3 = """
def initialize_parameters_deep(layer_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L):
        parameters['W' + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters['b' + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters
"""

INIT_DEEP_SQRT_SEED1 = """
def initialize_parameters_deep(layer_dims):
    np.random.seed(1)
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L):
        parameters['W' + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])
        parameters['b' + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters
"""

# dnn_app_utils_v2: grads["dA" + str(l)] is the gradient with respect to A[l-1]
BACKWARD_OLDER_KEYS = """
def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = - (np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    current_cache = caches[L - 1]
    grads["dA" + str(L)], grads["dW" + str(L)], grads["db" + str(L)] = linear_activation_backward(dAL, current_cache, "sigmoid")
    for l in reversed(range(L - 1)):
        current_cache = caches[l]
        dA_prev_temp, dW_temp, db_temp = linear_activation_backward(grads["dA" + str(l + 2)], current_cache, "{hidden}")
        grads["dA" + str(l + 1)] = dA_prev_temp
        grads["dW" + str(l + 1)] = dW_temp
        grads["db" + str(l + 1)] = db_temp
    return grads
"""

# the course's application notebook: seed 1, randn / sqrt(n[l-1]), only the parameters returned
L_LAYER_MODEL_APP = """
def _initialize_app(layer_dims):
    np.random.seed(1)
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L):
        parameters['W' + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])
        parameters['b' + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    np.random.seed(1)
    costs = []
    parameters = _initialize_app(layers_dims)
    for i in range(0, num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0:
            costs.append(cost)
    return parameters
"""

INIT_SHALLOW_SEED2 = """
def initialize_parameters(n_x, n_h, n_y):
    np.random.seed(2)
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
"""

# the 2017-2020 course: compute_cost(A2, Y, parameters), and nn_model calls it so
SHALLOW_COST_WITH_PARAMETERS = """
def compute_cost(A2, Y, parameters):
    m = Y.shape[1]
    logprobs = _xlogy(Y, A2) + _xlogy(1 - Y, 1 - A2)
    cost = -1 / m * np.sum(logprobs)
    return float(np.squeeze(cost))


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False):
    np.random.seed(3)
    n_x = layer_sizes(X, Y)[0]
    n_y = layer_sizes(X, Y)[2]
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(0, num_iterations):
        A2, cache = forward_propagation(X, parameters)
        cost = compute_cost(A2, Y, parameters)
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters(parameters, grads, learning_rate=1.2)
    return parameters
"""

OPTIMIZE_NO_DEFAULTS = """
def optimize(w, b, X, Y, num_iterations, learning_rate, print_cost=False):
    w = copy.deepcopy(w)
    b = copy.deepcopy(b)
    costs = []
    grads = {"dw": np.zeros_like(w), "db": 0.0}
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
    return {"w": w, "b": b}, grads, costs
"""

DEEP_COST_PLAIN_LOG = """
def compute_cost(AL, Y):
    m = Y.shape[1]
    cost = -1 / m * np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    return np.squeeze(cost)
"""

RELU_BACKWARD_FLOAT64 = """
def relu_backward(dA, cache):
    Z = cache
    dZ = np.array(dA, copy=True, dtype=float)
    dZ[Z <= 0] = 0
    return dZ
"""

BOOK_RELU_AND_SOFTMAX_LOSS = """
class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        dx = dout
        return dx


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

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        if self.t.size == self.y.size:
            dx = (self.y - self.t) / batch_size
        else:
            dx = self.y.copy()
            dx[np.arange(batch_size), self.t] -= 1
            dx = dx / batch_size
        return dx
"""

# the course template: grads built after the loop from the loop's last dw, db
OPTIMIZE_GRADS_AFTER_LOOP = """
def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    w = copy.deepcopy(w)
    b = copy.deepcopy(b)
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        dw = grads["dw"]
        db = grads["db"]
        w = w - learning_rate * dw
        b = b - learning_rate * db
        if i % 100 == 0:
            costs.append(cost)
    params = {"w": w, "b": b}
    grads = {"dw": dw, "db": db}
    return params, grads, costs
"""

# right for every positive count, an endless loop for zero: a hang, not a fragile edge
OPTIMIZE_HANGS_AT_ZERO = """
def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    w = copy.deepcopy(w)
    b = copy.deepcopy(b)
    costs = []
    i = 0
    while True:
        grads, cost = propagate(w, b, X, Y)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
        i += 1
        if i == num_iterations:
            break
    return {"w": w, "b": b}, grads, costs
"""

BACKWARD_NO_DA_KEYS = """
def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = - (np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    dA, grads["dW" + str(L)], grads["db" + str(L)] = linear_activation_backward(dAL, caches[L - 1], "sigmoid")
    for l in reversed(range(L - 1)):
        dA, grads["dW" + str(l + 1)], grads["db" + str(l + 1)] = linear_activation_backward(dA, caches[l], "relu")
    return grads
"""

BACKWARD_ALWAYS_CACHE_1 = """
def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = - (np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    dA_prev_temp, dW_temp, db_temp = linear_activation_backward(dAL, caches[1], "sigmoid")
    grads["dA" + str(L - 1)] = dA_prev_temp
    grads["dW" + str(L)] = dW_temp
    grads["db" + str(L)] = db_temp
    for l in reversed(range(L - 1)):
        dA_prev_temp, dW_temp, db_temp = linear_activation_backward(grads["dA" + str(l + 1)], caches[1], "relu")
        grads["dA" + str(l)] = dA_prev_temp
        grads["dW" + str(l + 1)] = dW_temp
        grads["db" + str(l + 1)] = db_temp
    return grads
"""

LINEAR_BACKWARD_RANK1_DB = """
def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1 / m * np.dot(dZ, A_prev.T)
    db = 1 / m * np.sum(dZ, axis=1)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db
"""

EDGES = {
    "logistic.py": """
def predict(w, b, X):
    w = w.reshape(X.shape[0], 1)
    A = sigmoid(np.dot(w.T, X) + b)
    return (A >= 0.5).astype(float)


def optimize(w, b, X, Y, num_iterations=1000, learning_rate=0.009, print_cost=False):
    w = copy.deepcopy(w)
    b = copy.deepcopy(b)
    costs = []
    grads = {"dw": np.zeros_like(w), "db": 0.0}
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
    return {"w": w, "b": b}, grads, costs
""",
    "shallow.py": """
def predict(parameters, X):
    A2, cache = forward_propagation(X, parameters)
    return A2 >= 0.5


def nn_model(X, Y, n_h, num_iterations=5000, print_cost=False):
    np.random.seed(3)
    n_x = layer_sizes(X, Y)[0]
    n_y = layer_sizes(X, Y)[2]
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(0, num_iterations):
        A2, cache = forward_propagation(X, parameters)
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters(parameters, grads, learning_rate=1.2)
    return parameters
""",
    "deep.py": """
def predict(X, y, parameters):
    m = X.shape[1]
    p = np.zeros((1, m))
    probas, caches = L_model_forward(X, parameters)
    for i in range(0, probas.shape[1]):
        if probas[0, i] >= 0.5:
            p[0, i] = 1
        else:
            p[0, i] = 0
    return p
""",
    # keeps the last loss after the loop: unbound when there was no iteration
    "xor.py": """
def optimize(X, Y, _params, learning_rate=0.01, iteration=200000):
    params = [np.copy(param) for param in _params]
    loss_trace = []
    for epoch in range(iteration):
        dparams, loss = get_gradients(X, Y, params)
        for i in range(len(params)):
            params[i] += - learning_rate * dparams[i]
        if (epoch % 100 == 0):
            loss_trace.append(loss)
    final_loss = loss
    _, _, _, Y_hat_predict, _ = forward_loss(X, Y, params)
    return params, loss_trace, Y_hat_predict
""",
}


# --- 1. accepted conventions are notes ------------------------------------------------------------


@pytest.fixture(scope="module")
def deep_conventions(tmp_path_factory):
    target = course_folder(tmp_path_factory.mktemp("deep_conventions"), {
        "deep.py": INIT_DEEP_SEED3 + BACKWARD_OLDER_KEYS.replace("{hidden}", "relu") + L_LAYER_MODEL_APP})
    return check(target, "--suite", "deep", "--function", "initialize_parameters_deep",
                 "--function", "L_model_backward", "--function", "L_layer_model", "--no-training")


def test_conventions_of_the_deep_suite_exit_zero(deep_conventions):
    assert deep_conventions.code == 0, deep_conventions.out
    assert not [r for r in deep_conventions.records if r["status"] in BAD + ("warn",)], describe(deep_conventions.records)


def test_self_seeding_initializer_randn_001_is_a_note(deep_conventions):
    assert_noted(deep_conventions, "initialize_parameters_deep", "np.random.seed(3)", "randn * 0.01")


def test_initializer_randn_over_sqrt_seeded_1_is_a_note(tmp_path):
    target = course_folder(tmp_path, {"deep.py": INIT_DEEP_SQRT_SEED1})
    run = check(target, "--suite", "deep", "--function", "initialize_parameters_deep", "--no-training")
    assert run.code == 0, run.out
    assert_noted(run, "initialize_parameters_deep", "np.random.seed(1)", "sqrt")


def test_shallow_initializer_seeded_2_is_a_note(tmp_path):
    target = course_folder(tmp_path, {"shallow.py": INIT_SHALLOW_SEED2})
    run = check(target, "--suite", "shallow", "--function", "initialize_parameters", "--no-training")
    assert run.code == 0, run.out
    assert_noted(run, "initialize_parameters", "np.random.seed(2)")


def test_compute_cost_with_parameters_is_a_note_and_training_still_runs(tmp_path):
    """With the shallow suite's training (the curve, the planar sweep) and network checks: every
    caller of compute_cost must call it with the parameters dict."""
    target = course_folder(tmp_path, {"shallow.py": SHALLOW_COST_WITH_PARAMETERS})
    run = check(target, "--suite", "shallow")
    assert run.code == 0, run.out
    assert_noted(run, "compute_cost", "compute_cost(A2, Y, parameters)", suite="shallow")
    assert not [r for r in run.records if r["status"] in BAD], describe(run.records)
    training = [r for r in run.records if r["stage"] == "training"]
    assert training and all(r["status"] == "pass" for r in training), describe(training)
    # the random-direction checks of backward_propagation use the target's own cost
    directions = [r for r in run.of("backward_propagation") if r["stage"] == "grad_fd"]
    assert directions and all(r["status"] == "pass" for r in directions), describe(directions)
    assert run.status("nn_model", "pass") and not run.bad("nn_model")


def test_L_layer_model_returning_only_parameters_is_a_note(deep_conventions):
    assert_noted(deep_conventions, "L_layer_model", "only `parameters`")


def test_older_dA_keys_are_a_note(deep_conventions):
    assert_noted(deep_conventions, "L_model_backward", "older grads keys")
    layers = [r for r in deep_conventions.of("L_model_backward") if r["stage"] == "layer"]
    assert {r["quantity"][:2] for r in layers} >= {"dA", "dW", "db"}, describe(layers)


def test_optimize_without_defaults_is_a_note(tmp_path):
    target = course_folder(tmp_path, {"logistic.py": OPTIMIZE_NO_DEFAULTS})
    run = check(target, "--suite", "logistic", "--function", "optimize", "--no-training")
    assert run.code == 0, run.out
    assert_noted(run, "optimize", "no default", "num_iterations")


# --- 2. fragile edges are warnings ----------------------------------------------------------------

WARNING_ARGS = ("--suite", "deep", "--suite", "layers", "--suite", "logistic",
                "--function", "compute_cost", "--function", "relu_backward", "--function", "Relu.backward",
                "--function", "SoftmaxWithLoss.backward", "--function", "TwoLayerNet.gradient",
                "--function", "optimize", "--function", "propagate", "--no-training")


@pytest.fixture(scope="module")
def warnings_folder(tmp_path_factory):
    return course_folder(tmp_path_factory.mktemp("warnings"), {
        "deep.py": DEEP_COST_PLAIN_LOG + RELU_BACKWARD_FLOAT64,
        "layers.py": BOOK_RELU_AND_SOFTMAX_LOSS,
        "logistic.py": OPTIMIZE_GRADS_AFTER_LOOP,
    })


@pytest.fixture(scope="module")
def warnings_run(warnings_folder):
    return check(warnings_folder, *WARNING_ARGS)


@pytest.mark.parametrize(("suite", "function", "rule", "case"), [
    ("deep", "compute_cost", "nonfinite at saturation", "saturated"),
    ("layers", "Relu.backward", "writes into an argument", None),
    ("layers", "SoftmaxWithLoss.backward", "ignores dout", "dout=2.5"),
    ("logistic", "optimize", "crash at zero iterations", "0 iterations"),
    ("deep", "relu_backward", "float32 not kept", "float32"),
])
def test_fragile_edge_is_a_warning(warnings_run, suite, function, rule, case):
    warns = warnings_run.status(function, "warn", suite)
    assert warns, f"no warning for {suite}.{function}:\n{describe(warnings_run.records)}"
    assert {r.get("rule") for r in warns} == {rule}, describe(warns)
    if case is not None:
        assert all(r["case"] == case for r in warns), describe(warns)
    assert not warnings_run.bad(function, suite), describe(warnings_run.bad(function, suite))


def test_warnings_exit_zero_and_are_listed_in_the_summary(warnings_run):
    assert warnings_run.code == 0, warnings_run.out
    summary = warnings_run.out[warnings_run.out.index("warning(s): right on ordinary inputs"):]
    for line in ("WARN deep.compute_cost: nonfinite at saturation", "WARN deep.relu_backward: float32 not kept",
                 "WARN layers.Relu.backward: writes into an argument",
                 "WARN layers.SoftmaxWithLoss.backward: ignores dout",
                 "WARN logistic.optimize: crash at zero iterations"):
        assert line in summary, summary


def test_book_relu_writing_into_dout_does_not_break_the_book_network(warnings_run):
    """The book's TwoLayerNet never reads dout again: the write is harmless there."""
    assert warnings_run.of("TwoLayerNet.gradient")
    assert not warnings_run.bad("TwoLayerNet.gradient"), describe(warnings_run.bad("TwoLayerNet.gradient"))


def test_strict_turns_warnings_into_exit_1(warnings_folder):
    strict = check(warnings_folder, *WARNING_ARGS, "--strict")
    assert strict.code == 1, strict.out
    assert not [r for r in strict.records if r["status"] in BAD], describe(strict.records)
    assert {r["function"] for r in strict.records if r["status"] == "warn"} == {
        "compute_cost", "relu_backward", "Relu.backward", "SoftmaxWithLoss.backward", "optimize"}


@pytest.mark.parametrize("suite,function", [("deep", "relu_backward"), ("layers", "SoftmaxWithLoss.backward")])
def test_strict_through_the_module_entry_point(warnings_folder, suite, function):
    """``python -m nnconf check --strict``: one warning alone is enough for exit 1; 0 without --strict."""
    args = [sys.executable, "-m", "nnconf", "check", warnings_folder, "--suite", suite, "--function", function,
            "--no-training", "--quiet"]
    plain = subprocess.run(args, capture_output=True, text=True, timeout=300, cwd=os.path.dirname(warnings_folder))
    strict = subprocess.run(args + ["--strict"], capture_output=True, text=True, timeout=300,
                            cwd=os.path.dirname(warnings_folder))
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert strict.returncode == 1, strict.stdout + strict.stderr
    assert "1 warnings" in strict.stdout, strict.stdout


@pytest.fixture(scope="module")
def hang_run(tmp_path_factory):
    target = course_folder(tmp_path_factory.mktemp("hang"), {"logistic.py": OPTIMIZE_HANGS_AT_ZERO})
    return check(target, "--suite", "logistic", "--function", "optimize", "--function", "propagate",
                 "--no-training", "--timeout", "3")


def test_a_hang_at_zero_iterations_is_not_a_warning(hang_run):
    """Only a crash (an exception) at zero iterations is the course's fragile edge; an endless loop
    is an error (crash.timeout) and fails the run."""
    zero = [r for r in hang_run.of("optimize") if r.get("case") == "0 iterations" and r["status"] != "pass"]
    assert zero, describe(hang_run.records)
    assert [(r["status"], r["diagnosis"]) for r in zero] == [("error", "crash.timeout")], describe(zero)
    assert not [r for r in zero if r.get("rule")], describe(zero)
    assert hang_run.code == 1, hang_run.out


# --- 3. a convention never masks a bug ------------------------------------------------------------


def test_older_keys_do_not_mask_a_wrong_hidden_derivative(tmp_path):
    """Older dA keys AND sigmoid for the hidden ReLU layers: the values still fail, per layer."""
    target = course_folder(tmp_path, {"deep.py": BACKWARD_OLDER_KEYS.replace("{hidden}", "sigmoid")})
    run = check(target, "--suite", "deep", "--function", "L_model_backward", "--no-training")
    assert run.code == 1, run.out
    values = [r for r in run.status("L_model_backward", "fail") if r["stage"] in ("layer", "grad_autograd")]
    failing = {r["quantity"] for r in values}
    assert {"dW1", "db1"} <= failing, describe(run.records)
    assert any(q.startswith("dW") and q != "dW1" for q in failing), failing
    assert all(r["reference"] == "autograd" for r in values)
    # not a key problem: every dA/dW/db was found
    assert not [r for r in run.of("L_model_backward") if "missing or renamed key" in r["message"]]


def test_missing_dA_keys_fail_and_the_rest_is_still_judged(tmp_path):
    target = course_folder(tmp_path, {"deep.py": BACKWARD_NO_DA_KEYS})
    run = check(target, "--suite", "deep", "--function", "L_model_backward", "--no-training")
    assert run.code == 1, run.out
    records = run.of("L_model_backward")
    dwdb = [r for r in records if r["stage"] == "layer" and r["quantity"][:2] in ("dW", "db")]
    assert {r["quantity"] for r in dwdb} >= {"dW1", "db1", "dW2", "db2"}, describe(records)
    assert all(r["status"] == "pass" for r in dwdb), describe(dwdb)
    missing = [r for r in records if r["status"] == "fail" and (r["quantity"] or "").startswith("dA")]
    assert {r["quantity"] for r in missing} >= {"dA0", "dA1"}, describe(records)
    for r in missing:
        assert "missing" in r["message"] and f"`{r['quantity']}`" in r["message"], r["message"]
    assert {r["quantity"][:2] for r in run.bad("L_model_backward")} == {"dA"}, describe(records)


# --- 4. blame from real calls ---------------------------------------------------------------------


def test_zero_iteration_crash_is_not_blamed_on_a_correct_propagate(warnings_run, hang_run):
    for run in (warnings_run, hang_run):
        assert run.of("propagate", "logistic")
        assert not run.bad("propagate", "logistic"), describe(run.bad("propagate", "logistic"))
        blamed = [r for r in run.of("optimize", "logistic") if "propagate" in r.get("likely_cause", ())]
        assert not blamed, describe(blamed)
        assert not [r for r in run.of("optimize", "logistic") if "probably follows from" in r["message"]]


def test_own_bug_of_L_model_backward_has_no_likely_cause(tmp_path):
    target = course_folder(tmp_path, {"deep.py": BACKWARD_ALWAYS_CACHE_1})
    run = check(target, "--suite", "deep", "--function", "L_model_backward", "--function", "linear_backward",
                "--function", "linear_activation_backward", "--no-training")
    assert run.code == 1, run.out
    assert not run.bad("linear_backward") and not run.bad("linear_activation_backward"), describe(run.records)
    bad = run.bad("L_model_backward")
    assert bad, describe(run.records)
    assert not [r for r in bad if r.get("likely_cause")], describe(bad)
    assert "wrong on their own" in run.out and "FAIL deep.L_model_backward" in run.out


@pytest.fixture(scope="module")
def rank1_run(tmp_path_factory):
    """linear_backward returns a rank-1 db; L_model_backward (correct) reaches it; compute_cost
    only warns (plain np.log)."""
    target = course_folder(tmp_path_factory.mktemp("rank1"), {"deep.py": LINEAR_BACKWARD_RANK1_DB + DEEP_COST_PLAIN_LOG})
    return check(target, "--suite", "deep", "--function", "linear_backward", "--function", "L_model_backward",
                 "--function", "compute_cost", "--no-training")


def test_failure_through_a_buggy_callee_names_it(rank1_run):
    assert rank1_run.code == 1
    root = rank1_run.bad("linear_backward")
    assert root and not [r for r in root if r.get("likely_cause")], describe(root)
    assert any(r["diagnosis"] == "shape.rank1" and r["quantity"] == "db" for r in root), describe(root)
    follower = rank1_run.bad("L_model_backward")
    assert follower, describe(rank1_run.records)
    for r in follower:
        assert r["likely_cause"] == ["linear_backward"], describe([r])
        assert "linear_backward" in r["calls"], r.get("calls")


def _layers_folder(base, net_edit=""):
    """layers.py (the suite's file, named after it) has an Affine with dW transposed; TwoLayerNet
    lives in two_layer_net.py and imports the book's correct layers from common_layers.py."""
    target = os.path.join(str(base), "t")
    os.makedirs(target)
    source = open(os.path.join(COURSE, "layers.py")).read()
    layers, net = source.split("class TwoLayerNet")
    buggy = layers.replace("self.dW = np.dot(self.x.T, dout)", "self.dW = np.dot(dout.T, self.x)")
    assert buggy != layers
    net = "class TwoLayerNet" + net
    if net_edit:
        old, new = net_edit
        assert old in net
        net = net.replace(old, new)
    files = {"layers.py": buggy, "common_layers.py": layers,
             "two_layer_net.py": "import numpy as np\nfrom collections import OrderedDict\n"
                                 "from common_layers import *\n\n\n" + net}
    for name, text in files.items():
        with open(os.path.join(target, name), "w") as handle:
            handle.write(text)
    return target


def _layers_target_is_as_intended(target):
    """Two units: layers.py (the buggy layers) and two_layer_net.py (with common_layers.py, which it imports)."""
    units = {u.unit: u.sources["layers"] for u in loader.parse_target([target]).units() if "layers" in u.suites()}
    assert set(units) == {"layers.py", "two_layer_net.py"}, units
    assert not units["two_layer_net.py"].names or all(
        os.path.basename(p) == "common_layers.py" for p in units["two_layer_net.py"].names.values())


def test_network_is_not_blamed_on_a_layer_it_never_used(tmp_path):
    target = _layers_folder(tmp_path)
    _layers_target_is_as_intended(target)
    run = check(target, "--suite", "layers", "--function", "Affine.backward", "--function", "TwoLayerNet.gradient",
                "--no-training")
    assert run.bad("Affine.backward"), "the suite's own Affine (layers.py) is the buggy one"
    gradient = run.of("TwoLayerNet.gradient")
    assert gradient
    assert not [r for r in gradient if "Affine.backward" in r.get("likely_cause", ())], describe(gradient)
    # the net's calls are traced: they reach Affine.backward of common_layers.py, the Affine of the net's own
    # unit (two_layer_net.py, where it passes), never the buggy one of the layers.py unit
    assert all(r.get("unit") == "two_layer_net.py" for r in gradient if "Affine.backward" in r.get("calls", ())), \
        describe(gradient)
    assert not run.bad("TwoLayerNet.gradient"), describe(gradient)


def test_network_with_its_own_bug_is_not_blamed_on_an_unused_layer(tmp_path):
    target = _layers_folder(tmp_path, ("grads['W2'] = self.layers['Affine2'].dW",
                                       "grads['W2'] = -self.layers['Affine2'].dW"))
    _layers_target_is_as_intended(target)
    run = check(target, "--suite", "layers", "--function", "Affine.backward", "--function", "TwoLayerNet.gradient",
                "--no-training")
    assert run.bad("Affine.backward")
    bad = run.bad("TwoLayerNet.gradient")
    assert any(r["quantity"] == "dW2" for r in bad), describe(run.records)
    assert not [r for r in bad if r.get("likely_cause")], describe(bad)
    summary = run.out[run.out.index("wrong on their own"):]
    assert "FAIL layers.TwoLayerNet.gradient" in summary
    assert "then layers.TwoLayerNet.gradient fails too" not in summary


@pytest.fixture(scope="module")
def edges_run(tmp_path_factory):
    target = course_folder(tmp_path_factory.mktemp("edges"), EDGES)
    return check(target, "--function", "predict", "--function", "optimize", "--function", "nn_model", "--no-training")


def test_calls_name_only_the_suites_functions(edges_run):
    """``calls`` lists the suite's API functions the checked calls reached, not the function's own
    inner code (a list comprehension, a nested helper)."""
    for r in edges_run.records:
        api = set(engine.contract_names(r["suite"]))
        api_tops = {n.split(".")[0] for n in api}
        for name in r.get("calls", ()):
            assert name in api or name in api_tops, f"{r['suite']}.{r['function']} calls {name!r}"


# --- 5. edges -------------------------------------------------------------------------------------


@pytest.mark.parametrize("suite", ["logistic", "shallow", "deep"])
def test_predict_at_exactly_one_half_fails(edges_run, suite):
    bad = edges_run.bad("predict", suite)
    assert bad, describe(edges_run.records)
    assert {r["case"] for r in bad} == {"p=0.5"}, describe(bad)
    assert all(r["status"] == "fail" and r["stage"] == "value" for r in bad), describe(bad)


def test_a_default_the_graders_pass_changed_is_a_warning(edges_run):
    """The course's graders call optimize with num_iterations: a learner's own default is fragile, not wrong."""
    assert not edges_run.bad("optimize", "logistic"), describe(edges_run.bad("optimize", "logistic"))
    warns = edges_run.status("optimize", "warn", "logistic")
    assert [(r["stage"], r["quantity"], r["rule"]) for r in warns] == [
        ("api", "default num_iterations", "changed default")], describe(warns)
    assert "1000" in warns[0]["message"]


@pytest.mark.parametrize(("suite", "function", "default", "documented"), [
    ("shallow", "nn_model", "5000", "num_iterations=10000"),
])
def test_another_documented_default_fails(edges_run, suite, function, default, documented):
    """nn_model's graders rely on its default number of iterations: a changed one fails."""
    bad = edges_run.bad(function, suite)
    assert bad, describe(edges_run.records)
    assert [(r["status"], r["stage"], r["diagnosis"], r["quantity"]) for r in bad] == [
        ("fail", "api", "api.signature", "default num_iterations")], describe(bad)
    assert "num_iterations" in bad[0]["message"] and default in bad[0]["message"] and documented in bad[0]["message"]
    assert not edges_run.status(function, "note", suite)


def test_xor_optimize_crashing_at_zero_iterations_is_a_warning(edges_run):
    assert not edges_run.bad("optimize", "xor"), describe(edges_run.bad("optimize", "xor"))
    warns = edges_run.status("optimize", "warn", "xor")
    assert [(r["case"], r["rule"], r["diagnosis"]) for r in warns] == [
        ("0 iterations", "crash at zero iterations", "crash.exception")], describe(warns)


def test_edges_exit_code(edges_run):
    assert edges_run.code == 1


# --- 6. the summary: roots first, their followers under them, warnings after -----------------------


def test_summary_orders_roots_followers_and_warnings(rank1_run):
    out = rank1_run.out
    start = out.index("wrong on their own")
    root = out.index("FAIL deep.linear_backward", start)
    follower = out.index("then deep.L_model_backward fails too", root)
    warnings_at = out.index("warning(s): right on ordinary inputs", follower)
    assert out.index("WARN deep.compute_cost", warnings_at)
    assert "FAIL deep.L_model_backward" not in out[start:], "a follower is not a root"
    assert start < root < follower < warnings_at


# --- 7. the pytest plugin: a warning is a pytest warning, not a failure ----------------------------


def test_pytest_plugin_reports_a_warning_without_failing(tmp_path):
    target = course_folder(tmp_path, {"deep.py": DEEP_COST_PLAIN_LOG})
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--pyargs", "nnconf.conformance.checks",
         "--nnconf-impl", target, "-k", "compute_cost", "-W", "default"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "ConformanceWarning" in output, output
    assert "nonfinite at saturation" in output, output
    assert "failed" not in output.splitlines()[-1], output
