"""Each course version judged as itself, and every function called as the course's graders call it.

- keywords where the graders use keywords: a learner's ``nn_model(X, Y, n_h, learning_rate,
  num_iterations=10000, print_cost=False)`` (the 2017-2020 planar notebooks call it
  ``nn_model(X, Y, 4, 1.2, num_iterations=10000)``) is called with ``num_iterations=`` and the
  document's learning rate, not with 10000 as its learning rate;
- real parameters where a function reads them: the 2017 template's ``compute_cost(A2, Y,
  parameters)`` reads ``parameters["W1"]``;
- a changed default that the graders always pass (``model(..., learning_rate=0.9)``) is a warning;
- a convention of an older course only where the code's version allows it: a 2021+ notebook (it
  ships ``public_tests.py``) whose ``L_model_backward`` writes dA1..dAL fails (its own test cell
  raises KeyError 'dA0'); an older one (``dnn_utils_v2.py`` beside it) is a note naming that evidence;
- ``two_layer_model`` (the week-4 application's graded function) is checked, and a bug in it found.

The version comes from the files beside the code (``loader.Target.course_version``). The notebooks
are written by the builders of tests/real_code/ (the 2021+ W4A1 download) or are the course-style
target of tests/targets/course_style with a function redefined, as in test_fair_judgement.py; the
command line runs in-process (``cli.main``).
"""

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # tests/, for real_code/ and the shared helpers
from real_code import notebooks  # noqa: E402
from real_code.sources import replace_line, write  # noqa: E402
from test_fair_judgement import BAD, check, course_folder, describe  # noqa: E402

def notes_of(run, function, suite=None):
    return " | ".join(r["message"] for r in run.status(function, "note", suite))


# --- 1. called as the graders call ---------------------------------------------------------------------

# The 2017-2020 planar notebook as learners completed it: compute_cost takes (and reads) the
# parameters, update_parameters has no default, nn_model takes the learning rate second-to-last
# positional; the notebook calls nn_model(X, Y, 4, 1.2, num_iterations=10000, print_cost=True).
OLDER_PLANAR = """
def compute_cost(A2, Y, parameters):
    m = Y.shape[1]
    W1 = parameters['W1']
    W2 = parameters['W2']
    logprobs = _xlogy(Y, A2) + _xlogy(1 - Y, 1 - A2)
    cost = -np.sum(logprobs) / m
    return float(np.squeeze(cost))


def update_parameters(parameters, grads, learning_rate):
    return {k: parameters[k] - learning_rate * grads['d' + k] for k in ('W1', 'b1', 'W2', 'b2')}


def nn_model(X, Y, n_h, learning_rate, num_iterations=10000, print_cost=False):
    np.random.seed(3)
    n_x = layer_sizes(X, Y)[0]
    n_y = layer_sizes(X, Y)[2]
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(0, num_iterations):
        A2, cache = forward_propagation(X, parameters)
        cost = compute_cost(A2, Y, parameters)
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters(parameters, grads, learning_rate)
        if print_cost and i % 1000 == 0:
            print("Cost after iteration %i: %f" % (i, cost))
    return parameters
"""


@pytest.fixture(scope="module")
def older_planar(tmp_path_factory):
    target = course_folder(tmp_path_factory.mktemp("older_planar"), {"shallow.py": OLDER_PLANAR})
    return check(target, "--suite", "shallow")


def test_nn_model_with_a_positional_learning_rate_passes(older_planar):
    run = older_planar
    assert run.code == 0, run.out + describe(run.records)
    assert not run.bad("nn_model"), describe(run.bad("nn_model"))
    values = [r for r in run.of("nn_model") if r["stage"] == "value"]
    assert values and all(r["status"] == "pass" for r in values), describe(values)
    assert not [r for r in run.records if r["status"] in BAD + ("warn",)], describe(run.records)


def test_compute_cost_reading_parameters_passes_with_a_note_everywhere(older_planar):
    """Its own checks, the network checks of backward_propagation, the training curve and the
    planar sweep all call it with parameters it can read."""
    run = older_planar
    assert not run.bad("compute_cost"), describe(run.bad("compute_cost"))
    text = notes_of(run, "compute_cost")
    assert "compute_cost(A2, Y, parameters)" in text, describe(run.of("compute_cost"))
    assert "no evidence" in text, text  # the course folder holds no helper file of the course
    training = [r for r in run.records if r["stage"] == "training"]
    assert training and all(r["status"] == "pass" for r in training), describe(training)
    directions = [r for r in run.of("backward_propagation") if r["stage"] == "grad_fd"]
    assert directions and all(r["status"] == "pass" for r in directions), describe(directions)


def test_nn_model_positional_learning_rate_with_a_wrong_update_still_fails(tmp_path):
    """Passing the learning rate by keyword must not hide a real bug of the loop."""
    buggy = OLDER_PLANAR.replace("parameters = update_parameters(parameters, grads, learning_rate)",
                                 "parameters = update_parameters(parameters, grads, learning_rate / 2)")
    target = course_folder(tmp_path, {"shallow.py": buggy})
    run = check(target, "--suite", "shallow", "--function", "nn_model", "--no-training")
    assert run.code == 1, run.out
    assert [r for r in run.bad("nn_model") if r["stage"] == "value"], describe(run.records)


def test_a_changed_default_the_graders_pass_is_a_warning(tmp_path):
    target = course_folder(tmp_path, {"logistic.py": """
def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.9, print_cost=False):
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate)
    w, b = params["w"], params["b"]
    return {"costs": costs, "Y_prediction_test": predict(w, b, X_test),
            "Y_prediction_train": predict(w, b, X_train), "w": w, "b": b,
            "learning_rate": learning_rate, "num_iterations": num_iterations}
"""})
    run = check(target, "--suite", "logistic", "--function", "model", "--no-training")
    assert run.code == 0, run.out
    warns = run.status("model", "warn")
    assert [(r["stage"], r["quantity"]) for r in warns] == [("api", "default learning_rate")], describe(run.records)
    assert "0.9" in warns[0]["message"] and "learning_rate=0.5" in warns[0]["message"], warns[0]["message"]
    values = [r for r in run.of("model") if r["stage"] == "value"]
    assert values and all(r["status"] == "pass" for r in values), describe(values)
    assert not run.bad("model"), describe(run.bad("model"))


def test_a_changed_default_the_graders_rely_on_still_fails(tmp_path):
    """The 2021+ planar grader calls nn_model(X, Y, n_h, print_cost=False): num_iterations's default is used."""
    target = course_folder(tmp_path, {"shallow.py": """
def nn_model(X, Y, n_h, num_iterations=5000, print_cost=False):
    np.random.seed(3)
    parameters = initialize_parameters(X.shape[0], n_h, Y.shape[0])
    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters)
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters(parameters, grads, learning_rate=1.2)
    return parameters
"""})
    run = check(target, "--suite", "shallow", "--function", "nn_model", "--no-training")
    assert run.code == 1, run.out
    assert [(r["status"], r["quantity"]) for r in run.bad("nn_model")] == [("fail", "default num_iterations")], \
        describe(run.records)


# --- 2. a convention only where the version allows it ----------------------------------------------------

OLDER_KEYS_LINE = ('grads["dA" + str(L - 1)] = dA_prev_temp', 'grads["dA" + str(L)] = dA_prev_temp')


def _w4a1_with_older_keys(folder, older_helpers):
    """The 2021+ W4A1 download with L_model_backward writing dA1..dAL; ``older_helpers``: the
    folder as the older course shipped it instead (dnn_utils_v2.py, testCases_v4a.py, no
    public_tests.py nor test_utils.py)."""
    path, nb = notebooks.build_w4a1(folder, str(folder / notebooks.MARKER))
    cell, _ = nb.graded["L_model_backward"]
    source = nb.nb.cells[cell - 1].source
    lines = [line for line in source.splitlines() if "grads[\"dA\" + str(l" in line or "grads['dA' + str(l" in line]
    assert lines, source
    source = _shift_keys(source)
    nb.nb.cells[cell - 1].source = source
    nb.write(path)
    base = os.path.dirname(path)
    if older_helpers:
        for name in ("public_tests.py", "test_utils.py"):
            os.unlink(os.path.join(base, name))
        os.rename(os.path.join(base, "dnn_utils.py"), os.path.join(base, "dnn_utils_v2.py"))
        os.rename(os.path.join(base, "testCases.py"), os.path.join(base, "testCases_v4a.py"))
        with open(path, encoding="utf-8") as handle:
            text = handle.read().replace("from dnn_utils import", "from dnn_utils_v2 import").replace(
                "from testCases import", "from testCases_v4a import").replace("from public_tests import *", "")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    return base


def _shift_keys(source):
    """L_model_backward with the older keys: grads["dA" + str(l)] holds the gradient of A[l-1]."""
    out = source
    for old, new in (('grads["dA" + str(L-1)]', 'grads["dA" + str(L)]'),
                     ('grads["dA" + str(L - 1)]', 'grads["dA" + str(L)]'),
                     ("grads['dA' + str(L-1)]", "grads['dA' + str(L)]"),
                     ('grads["dA" + str(l + 1)], current_cache', 'grads["dA" + str(l + 2)], current_cache'),
                     ("grads['dA' + str(l + 1)], current_cache", "grads['dA' + str(l + 2)], current_cache"),
                     ('grads["dA" + str(l)] = dA_prev_temp', 'grads["dA" + str(l + 1)] = dA_prev_temp'),
                     ("grads['dA' + str(l)] = dA_prev_temp", "grads['dA' + str(l + 1)] = dA_prev_temp")):
        out = out.replace(old, new)
    assert out != source, source
    return out


def test_a_2021_notebook_writing_the_older_dA_keys_fails(tmp_path):
    base = _w4a1_with_older_keys(tmp_path, older_helpers=False)
    run = check(base, "--suite", "deep", "--function", "L_model_backward", "--no-training")
    assert run.code == 1, run.out
    bad = run.bad("L_model_backward")
    assert bad, describe(run.records)
    text = " ".join(r["message"] for r in bad)
    assert "dA0" in text and "public_tests" in text and "2021" in text, text
    assert not run.status("L_model_backward", "note"), describe(run.records)


def test_an_older_notebook_writing_the_older_dA_keys_is_a_note_naming_its_evidence(tmp_path):
    base = _w4a1_with_older_keys(tmp_path, older_helpers=True)
    run = check(base, "--suite", "deep", "--function", "L_model_backward", "--no-training")
    assert run.code == 0, run.out + describe(run.records)
    text = notes_of(run, "L_model_backward")
    assert "older grads keys" in text and "older course" in text, text
    assert "dnn_utils_v2" in text or "testCases_v4a" in text, text
    layers = [r for r in run.of("L_model_backward") if r["stage"] == "layer"]
    assert layers and all(r["status"] == "pass" for r in layers), describe(layers)


def test_without_evidence_the_older_dA_keys_stay_a_note_that_says_so(tmp_path):
    from test_fair_judgement import BACKWARD_OLDER_KEYS

    target = course_folder(tmp_path, {"deep.py": BACKWARD_OLDER_KEYS.replace("{hidden}", "relu")})
    run = check(target, "--suite", "deep", "--function", "L_model_backward", "--no-training")
    assert run.code == 0, run.out
    assert "no evidence" in notes_of(run, "L_model_backward")


def test_compute_cost_with_parameters_in_a_2021_notebook_fails(tmp_path):
    """The 2021+ grader calls compute_cost(A2, Y): a third parameter breaks the learner's own test."""
    target = course_folder(tmp_path, {"shallow.py": OLDER_PLANAR}, files={"public_tests.py": "import numpy as np\n"})
    run = check(target, "--suite", "shallow", "--function", "compute_cost", "--no-training")
    assert run.code == 1, run.out
    bad = run.bad("compute_cost")
    assert bad and "2021" in " ".join(r["message"] for r in bad), describe(run.records)
    assert not run.status("compute_cost", "note"), describe(run.records)


# --- 3. two_layer_model ----------------------------------------------------------------------------------

TWO_LAYER_MODEL = """
def initialize_parameters(n_x, n_h, n_y):
    np.random.seed(1)
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def two_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    np.random.seed(1)
    grads = {}
    costs = []
    (n_x, n_h, n_y) = layers_dims
    parameters = initialize_parameters(n_x, n_h, n_y)
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    for i in range(0, num_iterations):
        A1, cache1 = linear_activation_forward(X, W1, b1, activation="relu")
        A2, cache2 = linear_activation_forward(A1, W2, b2, activation="sigmoid")
        cost = compute_cost(A2, Y)
        dA2 = - (np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
        dA1, dW2, db2 = linear_activation_backward(dA2, cache2, activation="sigmoid")
        dA0, dW1, db1 = linear_activation_backward(dA1, cache1, activation="relu")
        grads['dW1'] = dW1
        grads['db1'] = db1
        grads['dW2'] = dW2
        grads['db2'] = db2
        parameters = update_parameters(parameters, grads, learning_rate)
        W1 = parameters["W1"]
        b1 = parameters["b1"]
        W2 = parameters["W2"]
        b2 = parameters["b2"]
        if print_cost and i % 100 == 0 or i == num_iterations - 1:
            print("Cost after iteration {}: {}".format(i, np.squeeze(cost)))
        if i % 100 == 0 or i == num_iterations:
            costs.append(cost)
    return parameters, costs
"""


def test_two_layer_model_of_the_application_passes(tmp_path):
    target = course_folder(tmp_path, {"deep.py": TWO_LAYER_MODEL})
    run = check(target, "--suite", "deep", "--function", "two_layer_model", "--no-training")
    assert run.code == 0, run.out
    values = [r for r in run.of("two_layer_model") if r["stage"] == "value"]
    assert {r["quantity"] for r in values} >= {"W1", "b1", "W2", "b2", "costs"}, describe(values)
    assert all(r["status"] == "pass" for r in values), describe(values)
    assert not run.bad("two_layer_model"), describe(run.records)


def test_two_layer_model_with_a_swapped_activation_fails(tmp_path):
    buggy = replace_line(TWO_LAYER_MODEL, 'A1, cache1 = linear_activation_forward(X, W1, b1, activation="relu")',
                         'A1, cache1 = linear_activation_forward(X, W1, b1, activation="sigmoid")')
    buggy = replace_line(buggy, 'dA0, dW1, db1 = linear_activation_backward(dA1, cache1, activation="relu")',
                         'dA0, dW1, db1 = linear_activation_backward(dA1, cache1, activation="sigmoid")')
    target = course_folder(tmp_path, {"deep.py": buggy})
    run = check(target, "--suite", "deep", "--function", "two_layer_model", "--no-training")
    assert run.code == 1, run.out
    assert [r for r in run.bad("two_layer_model") if r["stage"] == "value"], describe(run.records)


def test_two_layer_model_returning_only_parameters_is_a_note_in_an_older_folder(tmp_path):
    older = TWO_LAYER_MODEL.replace("return parameters, costs", "return parameters")
    target = course_folder(tmp_path, {"deep.py": older}, files={"dnn_app_utils_v2.py": "import numpy as np\n"})
    run = check(target, "--suite", "deep", "--function", "two_layer_model", "--no-training")
    assert run.code == 0, run.out
    text = notes_of(run, "two_layer_model")
    assert "only `parameters`" in text and "dnn_app_utils_v2" in text, text


def test_two_layer_model_returning_only_parameters_fails_in_a_2021_folder(tmp_path):
    """The 2021+ grader unpacks (parameters, costs)."""
    older = TWO_LAYER_MODEL.replace("return parameters, costs", "return parameters")
    target = course_folder(tmp_path, {"deep.py": older}, files={"public_tests.py": "import numpy as np\n"})
    run = check(target, "--suite", "deep", "--function", "two_layer_model", "--no-training")
    assert run.code == 1, run.out
    assert "2021" in " ".join(r["message"] for r in run.bad("two_layer_model")), describe(run.records)


def test_the_bundled_two_layer_model_gives_the_course_graders_numbers():
    """public_tests.two_layer_model_test of the 2021+ application: two iterations from seed 1."""
    from nnconf.impl.deep import two_layer_model

    np.random.seed(1)
    X, Y = np.random.randn(10, 10), np.random.randn(1, 10)
    parameters, costs = two_layer_model(X, Y, (10, 4, 1), 0.0075, 2)
    assert np.allclose(parameters["W2"], [[-0.00200283, -0.00888593, -0.00751122, 0.01688162]])
    assert np.allclose(parameters["b2"], [[-0.00689018]]) and np.allclose(costs, [0.69315968])
    parameters, _ = two_layer_model(X, Y, (10, 4, 1), 0.1, 3)
    assert np.allclose(parameters["b2"], [[-0.13451354]])
