"""impl/ against the reference, suite by suite: every function of SPEC Part 2, forward and gradient.

Each test reads as: make inputs, call impl (inputs must come back untouched), compare with the
float64 PyTorch reference through one helper, :func:`check`, which compares the exact shape
first (``np.allclose`` broadcasts: an (n,) result would "equal" an (n, 1) reference), then the
dtype, then the values. Shapes come from hypothesis with pairwise-distinct dimensions, so a
transpose cannot hide in a square matrix; ``@example`` pins m = 1 and n = 1. The tests of
saturated sigmoids, softmaxes and costs turn every warning into an error.
"""

import copy
import inspect
import math
import warnings
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from nnconf import reference as ref
from nnconf.impl import activations, deep, init, layers, logistic, shallow, xor

# The reference's tensors are tiny: one intra-op thread is several times faster than the
# default pool (whose hand-offs dominate each call, worst on a loaded machine).

# ----------------------------------------------------------------------------- helpers

#: The one tolerance table of this file: float64 results against the float64 reference, and
#: float32 results (computed in float32 by impl) against the same float64 reference.
TOLERANCE = {
    np.dtype(np.float64): {"rtol": 1e-7, "atol": 1e-10},
    np.dtype(np.float32): {"rtol": 1e-4, "atol": 1e-5},
}


def check(actual, expected, what, *, dtype=np.float64, atol=None, rtol=None):
    """Stage by stage: shape (exact), dtype (``dtype``; None skips), then values.

    ``expected`` is the float64 reference. Tolerances come from :data:`TOLERANCE` for
    ``dtype`` unless given.
    """
    expected = np.asarray(expected, dtype=np.float64)
    assert np.shape(actual) == expected.shape, (
        f"[shape] {what}: shape {np.shape(actual)}, but should be {expected.shape}")
    if dtype is not None:
        assert np.asarray(actual).dtype == np.dtype(dtype), (
            f"[dtype] {what}: dtype {np.asarray(actual).dtype}, but should be {np.dtype(dtype)}")
    tol = dict(TOLERANCE[np.dtype(dtype or np.float64)])
    tol.update({k: v for k, v in (("atol", atol), ("rtol", rtol)) if v is not None})
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64), expected,
                               err_msg=f"[values] {what}", **tol)


def check_scalar(actual, expected, what, **tol):
    """A cost (or db, or J): a Python float or a 0-d array, finite, equal to ``expected``."""
    assert isinstance(actual, float) or (isinstance(actual, np.ndarray) and actual.ndim == 0), (
        f"[type] {what}: {type(actual).__name__} {np.shape(actual)}, but should be a Python float "
        "or a 0-d array")
    assert math.isfinite(float(actual)), f"[values] {what}: {actual} is not finite"
    check(np.asarray(actual, dtype=np.float64), expected, what, **tol)


def check_labels(actual, expected, what):
    """Predictions: exact shape, only 0/1 values (bool, int or float), equal to ``expected``."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, (
        f"[shape] {what}: shape {actual.shape}, but should be {expected.shape}")
    assert np.all((actual == 0) | (actual == 1)), f"[values] {what}: not 0/1 labels: {actual}"
    assert np.array_equal(actual == 1, expected == 1), f"[values] {what}: {actual} != {expected}"


def _same(a, b):
    """Bitwise equality of (nested dicts / lists / tuples of) arrays and scalars."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return (isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape
                and a.tobytes() == b.tobytes())
    return a == b


@contextmanager
def untouched(*args):
    """Fail if the code inside the block writes into any of ``args`` (compared with deep copies)."""
    before = copy.deepcopy(args)
    yield
    for i, (now, then) in enumerate(zip(args, before)):
        assert _same(now, then), f"[side effect] argument {i} was modified in place"


@contextmanager
def strict_numerics():
    """Every warning (overflow, divide by zero, invalid value) is an error inside the block."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def distinct_dims(k, *, low=2, high=9):
    """k pairwise-distinct sizes, e.g. ``distinct_dims(3) -> (4, 2, 7)``: no square matrix."""
    return st.lists(st.integers(low, high), min_size=k, max_size=k, unique=True).map(tuple)


def deep_shapes():
    """``(layer_dims, m)`` with layer_dims = [n0, ..., n(L-1), 1], 2 <= L <= 4, sizes distinct."""
    return st.lists(st.integers(2, 9), min_size=3, max_size=5, unique=True).map(
        lambda d: (list(d[:-1]) + [1], d[-1]))


SEEDS = st.integers(0, 2**32 - 1)
FAST = settings(max_examples=10, derandomize=True, deadline=None)
FLOATS = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])


def labels01(rng, m):
    """Y (1, m) of 0.0 / 1.0."""
    return (rng.random((1, m)) < 0.5).astype(np.float64)


def normal(rng, shape, scale=1.0, dtype=np.float64):
    return (scale * rng.standard_normal(shape)).astype(dtype)


# ----------------------------------------------------------------------------- activations F1-F7

#: (name, keyword arguments given to impl and to the reference alike)
ACTIVATION_CASES = [
    ("sigmoid", {}), ("tanh", {}), ("relu", {}), ("leaky_relu", {}), ("leaky_relu", {"alpha": 0.2}),
    ("elu", {}), ("elu", {"alpha": 0.7}), ("prelu", {"alpha": 0.25}),
]
ACTIVATION_IDS = [f"{name}{kw or ''}" for name, kw in ACTIVATION_CASES]


@FLOATS
@pytest.mark.parametrize("name,kw", ACTIVATION_CASES, ids=ACTIVATION_IDS)
@FAST
@given(shape=distinct_dims(2), seed=SEEDS)
@example(shape=(1, 3), seed=0)
@example(shape=(4, 1), seed=1)
def test_activation_forward_and_backward(name, kw, dtype, shape, seed):
    rng = np.random.default_rng(seed)
    z, da = normal(rng, shape, 3.0, dtype), normal(rng, shape, 1.0, dtype)
    with untouched(z, da):
        a = getattr(activations, name)(z, **kw)
        dz = getattr(activations, f"{name}_backward")(da, z, **kw)
    check(a, ref.activations.forward(name, z, **kw), f"{name}(z)", dtype=dtype)
    expected = ref.activations.backward(name, da, z, **kw)
    if name == "prelu":
        (dz, dalpha), (expected, expected_dalpha) = dz, expected
        check(dalpha, expected_dalpha, "prelu_backward dalpha", dtype=None,
              **TOLERANCE[np.dtype(dtype)])
    check(dz, expected, f"{name}_backward dz", dtype=dtype)


@pytest.mark.parametrize("alpha_shape", [(), "column", "row"])
@FAST
@given(shape=distinct_dims(2), seed=SEEDS)
@example(shape=(1, 3), seed=0)
@example(shape=(4, 1), seed=1)
def test_prelu_dalpha_has_the_shape_of_alpha(alpha_shape, shape, seed):
    rng = np.random.default_rng(seed)
    n, m = shape
    alpha = {(): 0.25, "column": rng.uniform(0.05, 0.5, (n, 1)),
             "row": rng.uniform(0.05, 0.5, (1, m))}[alpha_shape]
    z, da = normal(rng, shape, 2.0), normal(rng, shape)
    with untouched(z, da, alpha):
        a = activations.prelu(z, alpha)
        dz, dalpha = activations.prelu_backward(da, z, alpha)
    expected_dz, expected_dalpha = ref.activations.backward("prelu", da, z, alpha=alpha)
    check(a, ref.activations.forward("prelu", z, alpha=alpha), "prelu(z)")
    check(dz, expected_dz, "prelu_backward dz")
    check(dalpha, expected_dalpha, f"prelu_backward dalpha (alpha {np.shape(alpha)})", dtype=None)


#: g'(0) for every activation: a literal where SPEC fixes it, else "as the reference (PyTorch)".
KINKS = [
    ("relu", {}, 0.0), ("leaky_relu", {}, 0.01), ("leaky_relu", {"alpha": 0.2}, 0.2),
    ("sigmoid", {}, 0.25), ("tanh", {}, 1.0),
    ("elu", {}, None), ("elu", {"alpha": 0.7}, None), ("prelu", {"alpha": 0.3}, None),
]


@pytest.mark.parametrize(
    "name,kw,expected", KINKS,
    ids=[f"{n}_backward(z=0{', ' + str(kw) if kw else ''}) -> {'ref' if e is None else e}"
         for n, kw, e in KINKS])
def test_activation_derivative_at_the_kink(name, kw, expected):
    z = np.array([[0.0, -0.0, 0.0], [-0.0, 0.0, -0.0]])   # both signed zeros
    da = np.ones_like(z)
    dz = getattr(activations, f"{name}_backward")(da, z, **kw)
    reference = ref.activations.backward(name, da, z, **kw)
    if name == "prelu":
        (dz, dalpha), (reference, ref_dalpha) = dz, reference
        check(dalpha, ref_dalpha, "prelu dalpha at z = 0", dtype=None)
    if expected is not None:
        check(dz, np.full(z.shape, expected), f"{name}'(0)")
    check(dz, reference, f"{name}'(0) as PyTorch")


@FLOATS
@pytest.mark.parametrize("name,kw", ACTIVATION_CASES, ids=ACTIVATION_IDS)
def test_activation_saturation_is_finite_without_warnings(name, kw, dtype):
    z = np.array([[-1000.0, -100.0, -40.0], [40.0, 100.0, 1000.0]], dtype=dtype)
    with strict_numerics():
        a = getattr(activations, name)(z, **kw)
        dz = getattr(activations, f"{name}_backward")(np.ones_like(z), z, **kw)
    dz = dz[0] if name == "prelu" else dz
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(dz)), f"{name}: {a}, {dz}"
    check(a, ref.activations.forward(name, z, **kw), f"{name}(+-1000)", dtype=dtype)
    expected = ref.activations.backward(name, np.ones(z.shape), z, **kw)
    check(dz, expected[0] if name == "prelu" else expected, f"{name}'(+-1000)", dtype=dtype)


# ----------------------------------------------------------------------------- logistic F8-F13

def logistic_data(rng, n_x, m, logit_scale=1.0):
    w = normal(rng, (n_x, 1), logit_scale)
    return w, float(rng.standard_normal()), normal(rng, (n_x, m)), labels01(rng, m)


@given(dim=st.integers(1, 9))
@FAST
def test_initialize_with_zeros(dim):
    w, b = logistic.initialize_with_zeros(dim)
    check(w, np.zeros((dim, 1)), "w")
    check_scalar(b, 0.0, "b")


@FAST
@given(dims=distinct_dims(2), seed=SEEDS)
@example(dims=(3, 1), seed=0)
@example(dims=(1, 4), seed=1)
def test_propagate_and_propagate_loop_match_reference(dims, seed):
    w, b, X, Y = logistic_data(np.random.default_rng(seed), *dims)
    expected_grads, expected_cost = ref.logistic.propagate(w, b, X, Y)
    for propagate in (logistic.propagate, logistic.propagate_loop):
        with untouched(w, b, X, Y):
            grads, cost = propagate(w, b, X, Y)
        name = propagate.__name__
        check(grads["dw"], expected_grads["dw"], f"{name} dw")
        check_scalar(grads["db"], expected_grads["db"], f"{name} db")
        check_scalar(cost, expected_cost, f"{name} cost")
    loop_grads, loop_cost = logistic.propagate_loop(w, b, X, Y)
    grads, cost = logistic.propagate(w, b, X, Y)
    check(loop_grads["dw"], grads["dw"], "propagate_loop dw == propagate dw")
    check_scalar(loop_cost, cost, "propagate_loop cost == propagate cost")


def _cost_of_large_logits(name):
    """(impl cost, reference cost) of a network whose logits reach +-1000 on wrong labels."""
    if name.startswith("logistic"):
        w, b = np.array([[1.0], [-1.0]]), 0.0
        X = np.array([[40.0, 500.0, -1000.0, 2.0], [0.0, -500.0, 0.0, 1.0]])   # z = 40, 1000, -1000, 1
        Y = np.array([[0.0, 1.0, 1.0, 0.0]])
        with strict_numerics():
            _, cost = getattr(logistic, name.split(".")[1])(w, b, X, Y)
        return cost, ref.logistic.propagate(w, b, X, Y)[1]
    X, Y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]), np.array([[0.0, 1.0, 1.0]])
    params = [np.array([[40.0], [0.0]]), np.zeros((1, 1)), np.array([[1000.0]]), np.array([[-20.0]])]
    with strict_numerics():
        out = getattr(xor, name.split(".")[1])(X, Y, params)
    return out[-1], ref.xor.forward_loss(X, Y, params)[4]


# SPEC "Saturation": costs are finite whenever the true cost is. These functions see the logits,
# so the true cost is finite even where the probabilities round to exactly 0 or 1.
@pytest.mark.parametrize("name", ["logistic.propagate", "logistic.propagate_loop",
                                  "xor.forward_loss", "xor.get_gradients"])
def test_cost_is_finite_when_logits_reach_1000(name):
    cost, expected = _cost_of_large_logits(name)
    check_scalar(cost, expected, f"{name} cost at |z| up to 1000")


@FAST
@given(dims=distinct_dims(2), seed=SEEDS, iterations=st.integers(1, 4))
@example(dims=(3, 1), seed=0, iterations=2)
def test_optimize_matches_reference(dims, seed, iterations):
    w, b, X, Y = logistic_data(np.random.default_rng(seed), *dims)
    with untouched(w, b, X, Y):
        params, grads, costs = logistic.optimize(w, b, X, Y, iterations, 0.1)
    expected_params, expected_grads, expected_costs = ref.logistic.optimize(w, b, X, Y, iterations, 0.1)
    check(params["w"], expected_params["w"], "w")
    check_scalar(params["b"], expected_params["b"], "b")
    check(grads["dw"], expected_grads["dw"], "dw of the last iteration")
    check_scalar(grads["db"], expected_grads["db"], "db of the last iteration")
    check(np.asarray(costs), expected_costs, "costs (every 100 iterations)")


def test_optimize_records_costs_every_100_iterations():
    w, b, X, Y = logistic_data(np.random.default_rng(7), 3, 5)
    params, _, costs = logistic.optimize(w, b, X, Y, 101, 0.05)
    expected_params, _, expected_costs = ref.logistic.optimize(w, b, X, Y, 101, 0.05)
    assert len(costs) == 2
    check(np.asarray(costs), expected_costs, "costs at 0, 100")
    check(params["w"], expected_params["w"], "w after 101 iterations")


def test_optimize_with_zero_iterations_returns_parameters_unchanged():
    w, b, X, Y = logistic_data(np.random.default_rng(8), 4, 6)
    params, grads, costs = logistic.optimize(w, b, X, Y, 0, 0.1)
    check(params["w"], w, "w")
    check_scalar(params["b"], b, "b")
    assert list(costs) == []
    expected_grads, _ = ref.logistic.propagate(w, b, X, Y)
    check(grads["dw"], expected_grads["dw"], "dw at the unchanged parameters")


def test_spec_defaults_of_optimize_and_model():
    optimize = inspect.signature(logistic.optimize).parameters
    model = inspect.signature(logistic.model).parameters
    assert (optimize["num_iterations"].default, optimize["learning_rate"].default) == (100, 0.009)
    assert (model["num_iterations"].default, model["learning_rate"].default) == (2000, 0.5)


@FAST
@given(dims=distinct_dims(2), seed=SEEDS)
@example(dims=(3, 1), seed=0)
def test_logistic_predict(dims, seed):
    w, b, X, _ = logistic_data(np.random.default_rng(seed), *dims, logit_scale=2.0)
    with untouched(w, b, X):
        prediction = logistic.predict(w, b, X)
    check_labels(prediction, ref.logistic.predict(w, b, X), "predict")


def test_model_keys_shapes_and_training():
    rng = np.random.default_rng(9)
    n_x, m_train, m_test = 3, 7, 5
    X_train, X_test = normal(rng, (n_x, m_train)), normal(rng, (n_x, m_test))
    Y_train, Y_test = labels01(rng, m_train), labels01(rng, m_test)
    with untouched(X_train, Y_train, X_test, Y_test):
        d = logistic.model(X_train, Y_train, X_test, Y_test, num_iterations=101, learning_rate=0.05)
    expected_keys = {"costs", "Y_prediction_test", "Y_prediction_train", "w", "b",
                     "learning_rate", "num_iterations"}
    assert expected_keys <= set(d), f"model keys {sorted(d)} miss {expected_keys - set(d)}"
    params, _, costs = ref.logistic.optimize(np.zeros((n_x, 1)), 0.0, X_train, Y_train, 101, 0.05)
    check(d["w"], params["w"], "model w")
    check_scalar(d["b"], params["b"], "model b")
    check(np.asarray(d["costs"]), costs, "model costs")
    check_labels(d["Y_prediction_train"], ref.logistic.predict(params["w"], params["b"], X_train),
                 "Y_prediction_train")
    check_labels(d["Y_prediction_test"], ref.logistic.predict(params["w"], params["b"], X_test),
                 "Y_prediction_test")
    assert (d["learning_rate"], d["num_iterations"]) == (0.05, 101)


@FAST
@given(a=st.floats(-10, 10), b=st.floats(-10, 10), c=st.floats(-10, 10))
@example(a=1.0, b=2.0, c=3.0)
def test_computation_graph(a, b, c):
    J, grads = logistic.computation_graph(a, b, c)
    expected_J, expected = ref.logistic.computation_graph(a, b, c)
    check_scalar(J, expected_J, "J = 3(a + bc)")
    for key in ("da", "db", "dc"):
        check(np.asarray(grads[key], dtype=np.float64), expected[key], f"dJ/{key[1]}")


# ----------------------------------------------------------------------------- shallow F15, F16

def shallow_data(rng, n_x, n_h, m, n_y=1):
    parameters = {"W1": normal(rng, (n_h, n_x), 0.7), "b1": normal(rng, (n_h, 1), 0.3),
                  "W2": normal(rng, (n_y, n_h), 0.7), "b2": normal(rng, (n_y, 1), 0.3)}
    return parameters, normal(rng, (n_x, m)), labels01(rng, m)


@pytest.mark.parametrize("n_y", [1, 2])
def test_layer_sizes(n_y):
    X, Y = np.zeros((5, 7)), np.zeros((n_y, 7))
    assert tuple(shallow.layer_sizes(X, Y)) == (5, 4, n_y)


def _expected_initialization(n_x, n_h, n_y, draw):
    """F21 in document 001's order: W1 first, then W2, each randn * 0.01; b's zeros."""
    W1 = draw((n_h, n_x)) * 0.01
    W2 = draw((n_y, n_h)) * 0.01
    return {"W1": W1, "b1": np.zeros((n_h, 1)), "W2": W2, "b2": np.zeros((n_y, 1))}


@pytest.mark.parametrize("sizes", [(2, 4, 1), (3, 5, 2), (7, 1, 1)], ids=str)
def test_shallow_initialize_parameters_reproduces_seeded_draws(sizes):
    np.random.seed(3)
    parameters = shallow.initialize_parameters(*sizes)
    np.random.seed(3)
    expected = _expected_initialization(*sizes, lambda shape: np.random.randn(*shape))
    assert set(parameters) == set(expected)
    for key in expected:
        check(parameters[key], expected[key], key, rtol=1e-12, atol=0)


def test_shallow_initialize_parameters_gives_the_documents_numbers():
    np.random.seed(3)
    p = shallow.initialize_parameters(2, 4, 1)
    check(p["W1"], [[0.01788628, 0.0043651], [0.00096497, -0.01863493],
                    [-0.00277388, -0.00354759], [-0.00082741, -0.00627001]], "W1", atol=1e-8)
    check(p["W2"], [[-0.00043818, -0.00477218, -0.01313865, 0.00884622]], "W2", atol=1e-8)


def test_shallow_initialize_parameters_with_rng_leaves_global_state_alone():
    state = np.random.get_state()
    parameters = shallow.initialize_parameters(3, 5, 1, rng=np.random.default_rng(11))
    assert _same(np.random.get_state(), state), "rng= must not draw from the global state"
    expected = _expected_initialization(3, 5, 1, np.random.default_rng(11).standard_normal)
    for key in expected:
        check(parameters[key], expected[key], key)


@FAST
@given(dims=distinct_dims(3), seed=SEEDS)   # (n_x, n_h, m)
@example(dims=(2, 4, 1), seed=0)
@example(dims=(1, 4, 3), seed=1)
def test_shallow_forward_cost_backward_match_reference(dims, seed):
    n_x, n_h, m = dims
    parameters, X, Y = shallow_data(np.random.default_rng(seed), n_x, n_h, m)
    with untouched(parameters, X):
        A2, cache = shallow.forward_propagation(X, parameters)
    expected_A2, expected_cache = ref.shallow.forward_propagation(X, parameters)
    check(A2, expected_A2, "A2")
    for key in ("Z1", "A1", "Z2", "A2"):
        check(cache[key], expected_cache[key], f"cache[{key!r}]")
    with untouched(A2, Y):
        cost = shallow.compute_cost(A2, Y)
    check_scalar(cost, ref.shallow.compute_cost(A2, Y), "compute_cost")
    with untouched(parameters, cache, X, Y):
        grads = shallow.backward_propagation(parameters, cache, X, Y)
    expected_grads = ref.shallow.backward_propagation(parameters, X, Y)
    for key in ("dW1", "db1", "dW2", "db2"):
        check(grads[key], expected_grads[key], key)
    with untouched(grads):   # parameters may be updated in place (SPEC): not checked
        updated = shallow.update_parameters(copy.deepcopy(parameters), grads, 0.5)
    expected_updated = ref.shallow.update_parameters(parameters, grads, 0.5)
    for key in ("W1", "b1", "W2", "b2"):
        check(updated[key], expected_updated[key], f"updated {key}")


def test_shallow_update_parameters_default_learning_rate():
    parameters, X, Y = shallow_data(np.random.default_rng(12), 3, 5, 4)
    grads = ref.shallow.backward_propagation(parameters, X, Y)
    updated = shallow.update_parameters(copy.deepcopy(parameters), grads)
    for key in ("W1", "b1", "W2", "b2"):
        check(updated[key], parameters[key] - 1.2 * grads["d" + key], f"updated {key} (lr 1.2)")


@pytest.mark.parametrize("iterations", [0, 1, 3])
def test_nn_model_equals_a_manual_gradient_descent(iterations):
    rng = np.random.default_rng(13)
    n_x, n_h, m = 3, 5, 7
    X, Y = normal(rng, (n_x, m)), labels01(rng, m)
    np.random.seed(3)
    start = _expected_initialization(n_x, n_h, 1, lambda shape: np.random.randn(*shape))
    expected = ref.training.train_shallow(start, X, Y, 1.2, iterations).params
    np.random.seed(3)   # document 001 seeds inside nn_model; seeding here too makes either pass
    with untouched(X, Y):
        parameters = shallow.nn_model(X, Y, n_h, num_iterations=iterations)
    for key in ("W1", "b1", "W2", "b2"):
        check(parameters[key], expected[key], f"{key} after {iterations} iterations")


@FAST
@given(dims=distinct_dims(3), seed=SEEDS)
@example(dims=(2, 4, 1), seed=0)
def test_shallow_predict(dims, seed):
    n_x, n_h, m = dims
    parameters, X, _ = shallow_data(np.random.default_rng(seed), n_x, n_h, m)
    with untouched(parameters, X):
        prediction = shallow.predict(parameters, X)
    check_labels(prediction, ref.shallow.predict(parameters, X), "predict")


def test_costs_of_saturated_predictions_are_exactly_finite():
    A = np.array([[1.0, 0.0, 0.3, 0.9]])
    Y = np.array([[1.0, 0.0, 1.0, 0.0]])
    expected = -(np.log(0.3) + np.log(0.1)) / 4
    for name, cost_of in [("shallow.compute_cost", shallow.compute_cost),
                          ("deep.compute_cost", deep.compute_cost),
                          ("xor.binary_cross_entropy", lambda A, Y: xor.binary_cross_entropy(Y, A))]:
        with strict_numerics():
            cost = cost_of(A, Y)
        check_scalar(cost, expected, f"{name} with AL = 1 on label 1 and AL = 0 on label 0")
    with strict_numerics():
        assert deep.compute_cost(np.array([[1.0, 0.0]]), np.array([[1.0, 0.0]])) == 0.0


# ----------------------------------------------------------------------------- deep F14, F17-F19

def deep_parameters(rng, layer_dims):
    """W[l] (n[l], n[l-1]) with He scale (so ReLU units are alive), b[l] (n[l], 1) nonzero."""
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters[f"W{l}"] = normal(rng, (layer_dims[l], layer_dims[l - 1]),
                                     np.sqrt(2.0 / layer_dims[l - 1]))
        parameters[f"b{l}"] = normal(rng, (layer_dims[l], 1), 0.2)
    return parameters


def linear_data(rng, n_prev, n, m, dtype=np.float64):
    """A_prev (n_prev, m), W (n, n_prev), b (n, 1) of one layer."""
    return (normal(rng, (n_prev, m), 1, dtype), normal(rng, (n, n_prev), 1, dtype),
            normal(rng, (n, 1), 1, dtype))


def _expected_deep_init(layer_dims, draw, std_of_fan_in):
    expected = {}
    for l in range(1, len(layer_dims)):
        expected[f"W{l}"] = draw((layer_dims[l], layer_dims[l - 1])) * std_of_fan_in(layer_dims[l - 1])
        expected[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return expected


@FAST
@given(layer_dims=st.lists(st.integers(1, 9), min_size=2, max_size=5))
@example(layer_dims=[5, 4, 3, 1])
def test_initialize_parameters_deep_is_seeded_randn_times_001(layer_dims):
    np.random.seed(1)
    parameters = deep.initialize_parameters_deep(layer_dims)
    np.random.seed(1)
    expected = _expected_deep_init(layer_dims, lambda s: np.random.randn(*s), lambda n: 0.01)
    assert set(parameters) == set(expected)
    for key in expected:
        check(parameters[key], expected[key], key)


@FLOATS
@FAST
@given(dims=distinct_dims(3), seed=SEEDS)   # (n_prev, n, m)
@example(dims=(3, 4, 1), seed=0)
@example(dims=(3, 1, 5), seed=1)
def test_linear_forward_and_its_cache(dtype, dims, seed):
    n_prev, n, m = dims
    rng = np.random.default_rng(seed)
    A, W, b = linear_data(rng, n_prev, n, m, dtype)
    with untouched(A, W, b):
        Z, cache = deep.linear_forward(A, W, b)
    check(Z, ref.deep.linear_forward(A, W, b), "Z = W A + b", dtype=dtype)
    assert len(cache) == 3 and cache[0] is A and cache[1] is W and cache[2] is b, \
        "linear cache should be (A, W, b), the very arrays passed in"


@FLOATS
@pytest.mark.parametrize("name", ["sigmoid", "relu"])
@FAST
@given(shape=distinct_dims(2), seed=SEEDS)
@example(shape=(1, 3), seed=0)
@example(shape=(4, 1), seed=1)
def test_deep_activation_forward_backward_and_cache(name, dtype, shape, seed):
    rng = np.random.default_rng(seed)
    Z, dA = normal(rng, shape, 3, dtype), normal(rng, shape, 1, dtype)
    with untouched(Z):
        A, cache = getattr(deep, name)(Z)
    check(A, ref.deep.activation_forward(name, Z), f"{name}(Z)", dtype=dtype)
    check(cache, Z, f"{name} activation cache (Z)", dtype=dtype, rtol=0, atol=0)
    with untouched(dA, cache):
        dZ = getattr(deep, f"{name}_backward")(dA, cache)
    check(dZ, ref.deep.activation_backward(name, dA, Z), f"{name}_backward dZ", dtype=dtype)


@FLOATS
@pytest.mark.parametrize("activation", ["sigmoid", "relu", "tanh"])
@FAST
@given(dims=distinct_dims(3), seed=SEEDS)   # (n_prev, n, m)
@example(dims=(3, 4, 1), seed=0)
@example(dims=(3, 1, 5), seed=1)
def test_linear_activation_forward_and_backward(activation, dtype, dims, seed):
    n_prev, n, m = dims
    rng = np.random.default_rng(seed)
    A_prev, W, b = linear_data(rng, n_prev, n, m, dtype)
    dA = normal(rng, (n, m), 1, dtype)
    with untouched(A_prev, W, b):
        A, cache = deep.linear_activation_forward(A_prev, W, b, activation)
    expected_A, ((_, _, _), expected_Z) = ref.deep.linear_activation_forward(A_prev, W, b, activation)
    check(A, expected_A, f"A = {activation}(W A_prev + b)", dtype=dtype)
    assert len(cache) == 2 and len(cache[0]) == 3, "layer cache should be ((A_prev, W, b), Z)"
    (cached_A_prev, cached_W, cached_b), Z = cache
    for got, want, what in [(cached_A_prev, A_prev, "A_prev"), (cached_W, W, "W"), (cached_b, b, "b")]:
        check(got, want, f"cache[0] {what}", dtype=dtype, rtol=0, atol=0)
    check(Z, expected_Z, "cache[1] Z", dtype=dtype)
    with untouched(dA, cache):
        dA_prev, dW, db = deep.linear_activation_backward(dA, cache, activation)
    expected = ref.deep.linear_activation_backward(dA, A_prev, W, b, activation)
    for got, want, what in zip((dA_prev, dW, db), expected, ("dA_prev", "dW", "db")):
        check(got, want, f"linear_activation_backward {what} ({activation})", dtype=dtype)


@FLOATS
@FAST
@given(dims=distinct_dims(3), seed=SEEDS)   # (n_prev, n, m)
@example(dims=(3, 4, 1), seed=0)
@example(dims=(3, 1, 5), seed=1)
def test_linear_backward_folds_1_over_m_into_dW_and_db(dtype, dims, seed):
    n_prev, n, m = dims
    rng = np.random.default_rng(seed)
    A_prev, W, b = linear_data(rng, n_prev, n, m, dtype)
    dZ = normal(rng, (n, m), 1, dtype)
    cache = (A_prev, W, b)
    with untouched(dZ, cache):
        dA_prev, dW, db = deep.linear_backward(dZ, cache)
    expected = ref.deep.linear_backward(dZ, A_prev, W, b)
    for got, want, what in zip((dA_prev, dW, db), expected, ("dA_prev", "dW", "db")):
        check(got, want, f"linear_backward {what}", dtype=dtype)


@FAST
@given(shapes=deep_shapes(), seed=SEEDS)
@example(shapes=([4, 3, 1], 1), seed=0)
@example(shapes=([1, 3, 2, 1], 5), seed=1)
def test_L_model_forward_and_compute_cost(shapes, seed):
    layer_dims, m = shapes
    rng = np.random.default_rng(seed)
    parameters, X, Y = deep_parameters(rng, layer_dims), normal(rng, (layer_dims[0], m)), labels01(rng, m)
    with untouched(X, parameters):
        AL, caches = deep.L_model_forward(X, parameters)
    expected_AL, expected_caches = ref.deep.L_model_forward(X, parameters)
    check(AL, expected_AL, "AL")
    assert len(caches) == len(layer_dims) - 1, f"{len(caches)} caches for {len(layer_dims) - 1} layers"
    for l, (cache, expected_cache) in enumerate(zip(caches, expected_caches), start=1):
        (A_prev, W, b), Z = cache
        (expected_A_prev, expected_W, expected_b), expected_Z = expected_cache
        check(A_prev, expected_A_prev, f"caches[{l - 1}] A{l - 1}")
        check(W, expected_W, f"caches[{l - 1}] W{l}")
        check(b, expected_b, f"caches[{l - 1}] b{l}")
        check(Z, expected_Z, f"caches[{l - 1}] Z{l}")
    with untouched(AL, Y):
        cost = deep.compute_cost(AL, Y)
    check_scalar(cost, ref.deep.compute_cost(AL, Y), "compute_cost")


@pytest.mark.parametrize("hidden", ["relu", "tanh", "leaky_relu", "elu"])
@pytest.mark.parametrize("caches_from", ["impl", "reference"])
@FAST
@given(shapes=deep_shapes(), seed=SEEDS)
@example(shapes=([4, 3, 1], 1), seed=0)
@example(shapes=([1, 3, 2, 1], 5), seed=1)
def test_L_model_backward_every_gradient(hidden, caches_from, shapes, seed):
    layer_dims, m = shapes
    L = len(layer_dims) - 1
    rng = np.random.default_rng(seed)
    parameters, X, Y = deep_parameters(rng, layer_dims), normal(rng, (layer_dims[0], m)), labels01(rng, m)
    kw = {} if hidden == "relu" else {"hidden_activation": hidden}   # relu: the course's signature
    if caches_from == "impl":
        AL, caches = deep.L_model_forward(X, parameters, **kw)
    else:
        AL, caches = ref.deep.L_model_forward(X, parameters, hidden=hidden)
    with untouched(AL, Y, caches):
        grads = deep.L_model_backward(AL, Y, caches, **kw)
    expected = ref.deep.L_model_backward(AL, Y, caches, hidden=hidden)
    for key in [f"dA{l}" for l in range(L)] + [f"d{p}{l}" for l in range(1, L + 1) for p in "Wb"]:
        assert key in grads, f"grads has no {key!r} (keys: {sorted(grads)})"
        check(grads[key], expected[key], f"{key} ({hidden} hidden, {caches_from}'s caches)")


@FAST
@given(shapes=deep_shapes(), seed=SEEDS)
def test_deep_update_parameters(shapes, seed):
    layer_dims, m = shapes
    rng = np.random.default_rng(seed)
    parameters = deep_parameters(rng, layer_dims)
    grads = {"d" + key: normal(rng, value.shape) for key, value in parameters.items()}
    expected = ref.deep.update_parameters(parameters, grads, 0.3)
    with untouched(grads):   # parameters may be updated in place (SPEC): not checked
        updated = deep.update_parameters(copy.deepcopy(parameters), grads, 0.3)
    assert set(updated) >= set(expected)
    for key in expected:
        check(updated[key], expected[key], f"updated {key}")


@pytest.mark.parametrize("iterations", [0, 1, 100, 101])
def test_L_layer_model_returns_parameters_and_costs_from_he_initialization(iterations):
    rng = np.random.default_rng(14)
    layer_dims, m = [5, 4, 3, 1], 9
    X, Y = normal(rng, (layer_dims[0], m)), labels01(rng, m)
    np.random.seed(1)
    start = _expected_deep_init(layer_dims, lambda s: np.random.randn(*s), lambda n: np.sqrt(2.0 / n))
    expected = ref.training.train_deep(start, X, Y, 0.05, iterations)
    np.random.seed(1)
    with untouched(X, Y):
        result = deep.L_layer_model(X, Y, layer_dims, learning_rate=0.05, num_iterations=iterations)
    assert isinstance(result, tuple) and len(result) == 2, "L_layer_model returns (parameters, costs)"
    parameters, costs = result
    assert len(costs) == math.ceil(iterations / 100), f"{len(costs)} costs for {iterations} iterations"
    check(np.asarray(costs), expected.costs[::100], "costs (every 100 iterations)")
    for key in start:
        check(parameters[key], expected.params[key], f"{key} after {iterations} iterations")


@FAST
@given(shapes=deep_shapes(), seed=SEEDS)
@example(shapes=([4, 3, 1], 1), seed=0)
def test_deep_predict(shapes, seed):
    layer_dims, m = shapes
    rng = np.random.default_rng(seed)
    parameters, X, Y = deep_parameters(rng, layer_dims), normal(rng, (layer_dims[0], m)), labels01(rng, m)
    with untouched(X, Y, parameters):
        prediction = deep.predict(X, Y, parameters)
    check_labels(prediction, ref.deep.predict(X, Y, parameters), "predict")


# ----------------------------------------------------------------------------- init F21

#: name -> (impl initializer, std of W[l] as a function of n[l-1])
INITIALIZERS = {
    "random": (init.initialize_random, lambda n: 0.01),
    "random(scale=0.5)": (lambda dims, **kw: init.initialize_random(dims, scale=0.5, **kw), lambda n: 0.5),
    "xavier": (init.initialize_xavier, lambda n: np.sqrt(1.0 / n)),
    "he": (init.initialize_he, lambda n: np.sqrt(2.0 / n)),
}


@given(layer_dims=st.lists(st.integers(1, 9), min_size=2, max_size=5))
@FAST
def test_initialize_zeros(layer_dims):
    parameters = init.initialize_zeros(layer_dims)
    expected = _expected_deep_init(layer_dims, np.zeros, lambda n: 0.0)
    assert set(parameters) == set(expected)
    for key in expected:
        check(parameters[key], expected[key], key, rtol=0, atol=0)


@pytest.mark.parametrize("name", INITIALIZERS)
@FAST
@given(layer_dims=st.lists(st.integers(1, 9), min_size=2, max_size=5))
@example(layer_dims=[5, 4, 3, 1])
def test_initializer_reproduces_seeded_draws_in_order(name, layer_dims):
    initializer, std = INITIALIZERS[name]
    np.random.seed(5)
    parameters = initializer(layer_dims)
    np.random.seed(5)
    expected = _expected_deep_init(layer_dims, lambda s: np.random.randn(*s), std)
    assert set(parameters) == set(expected)
    for key in expected:
        check(parameters[key], expected[key], f"{name} {key}")


@pytest.mark.parametrize("name", INITIALIZERS)
def test_initializer_std_scaling(name):
    initializer, std = INITIALIZERS[name]
    parameters = initializer([400, 300, 200], rng=np.random.default_rng(15))
    for l, n_prev in [(1, 400), (2, 300)]:
        W = parameters[f"W{l}"]
        assert abs(W.std() / std(n_prev) - 1) < 0.02, f"{name} W{l}: std {W.std()}, expected {std(n_prev)}"
        assert abs(W.mean()) < 0.02 * std(n_prev) * 5


@pytest.mark.parametrize("name", INITIALIZERS)
def test_initializer_rng_keyword_leaves_global_state_alone(name):
    initializer, std = INITIALIZERS[name]
    layer_dims = [5, 4, 3, 1]
    state = np.random.get_state()
    parameters = initializer(layer_dims, rng=np.random.default_rng(16))
    assert _same(np.random.get_state(), state), f"{name}(rng=...) drew from the global state"
    expected = _expected_deep_init(layer_dims, np.random.default_rng(16).standard_normal, std)
    for key in expected:
        check(parameters[key], expected[key], f"{name} {key} from rng")


def test_initialize_parameters_deep_rng_keyword_leaves_global_state_alone():
    state = np.random.get_state()
    parameters = deep.initialize_parameters_deep([5, 4, 1], rng=np.random.default_rng(17))
    assert _same(np.random.get_state(), state)
    expected = _expected_deep_init([5, 4, 1], np.random.default_rng(17).standard_normal, lambda n: 0.01)
    for key in expected:
        check(parameters[key], expected[key], key)


# ----------------------------------------------------------------------------- xor F22

def xor_data(rng, h, m):
    params = [normal(rng, (2, h)), normal(rng, (h, 1), 0.3), normal(rng, (h, 1)), normal(rng, (1, 1), 0.3)]
    return normal(rng, (2, m)), labels01(rng, m), params


@pytest.mark.parametrize("h", [1, 2, 3, 5])
def test_xor_init_parameters_shapes_and_draw_order(h):
    np.random.seed(4)
    params = xor.init_parameters(h)
    np.random.seed(4)
    W1 = np.random.randn(2, h)
    W2 = np.random.randn(h, 1)
    expected = [W1, np.zeros((h, 1)), W2, np.zeros((1, 1))]
    assert len(params) == 4, "init_parameters returns (W1, B1, W2, B2)"
    for got, want, what in zip(params, expected, ("W1", "B1", "W2", "B2")):
        check(got, want, what)
    state = np.random.get_state()
    params = xor.init_parameters(h, rng=np.random.default_rng(18))
    assert _same(np.random.get_state(), state), "rng= drew from the global state"
    draw = np.random.default_rng(18).standard_normal
    check(params[0], draw((2, h)), "W1 from rng")
    check(params[2], draw((h, 1)), "W2 from rng")


def test_xor_init_parameters_default_is_two_hidden_units():
    assert [np.shape(p) for p in xor.init_parameters()] == [(2, 2), (2, 1), (2, 1), (1, 1)]


@FAST
@given(dims=distinct_dims(3), seed=SEEDS)   # (n_in, n_out, m)
@example(dims=(2, 3, 1), seed=0)
@example(dims=(3, 1, 4), seed=1)
def test_xor_affine_is_W_transposed_times_X_plus_B(dims, seed):
    n_in, n_out, m = dims
    rng = np.random.default_rng(seed)
    W, X, B = normal(rng, (n_in, n_out)), normal(rng, (n_in, m)), normal(rng, (n_out, 1))
    with untouched(W, X, B):
        out = xor.affine(W, X, B)
    check(out, ref.xor.affine(W, X, B), "affine W^T X + B")


@FAST
@given(shape=distinct_dims(2), seed=SEEDS)
@example(shape=(1, 3), seed=0)
def test_xor_sigmoid(shape, seed):
    z = normal(np.random.default_rng(seed), shape, 3)
    z.flat[0], z.flat[-1] = 1000.0, -1000.0
    with strict_numerics(), untouched(z):
        a = xor.sigmoid(z)
    check(a, ref.xor.sigmoid(z), "sigmoid")


@FAST
@given(m=st.integers(1, 9), seed=SEEDS)
def test_xor_binary_cross_entropy_takes_Y_first(m, seed):
    rng = np.random.default_rng(seed)
    Y, YHat = labels01(rng, m), rng.uniform(0.05, 0.95, (1, m))
    with untouched(Y, YHat):
        loss = xor.binary_cross_entropy(Y, YHat)
    check_scalar(loss, ref.xor.binary_cross_entropy(Y, YHat), "binary_cross_entropy(Y, YHat)")


@FAST
@given(dims=distinct_dims(2, low=3), seed=SEEDS)   # (h, m), both != 2 (the input size)
@example(dims=(3, 1), seed=0)
@example(dims=(1, 4), seed=1)
def test_xor_forward_loss_and_gradients(dims, seed):
    h, m = dims
    X, Y, params = xor_data(np.random.default_rng(seed), h, m)
    with untouched(X, Y, params):
        forward = xor.forward_loss(X, Y, params)
    expected = ref.xor.forward_loss(X, Y, params)
    assert len(forward) == 5, "forward_loss returns (Z1, H, Z2, YHat, loss)"
    for got, want, what in zip(forward[:4], expected[:4], ("Z1", "H", "Z2", "YHat")):
        check(got, want, what)
    check_scalar(forward[4], expected[4], "loss")
    with untouched(X, Y, params):
        grads, loss = xor.get_gradients(X, Y, params)
    expected_grads, expected_loss = ref.xor.get_gradients(X, Y, params)
    assert len(grads) == 4, "get_gradients returns [dW1, dB1, dW2, dB2]"
    for got, want, what in zip(grads, expected_grads, ("dW1", "dB1", "dW2", "dB2")):
        check(got, want, what)
    check_scalar(loss, expected_loss, "loss of get_gradients")


@pytest.mark.parametrize("iterations", [1, 150])
def test_xor_optimize_matches_reference_and_leaves_params_alone(iterations):
    X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
    Y = np.array([[0.0, 1.0, 1.0, 0.0]])
    _, _, params = xor_data(np.random.default_rng(19), 3, 4)
    with untouched(X, Y, params):
        trained, loss_trace, Y_hat = xor.optimize(X, Y, params, 0.5, iterations)
    expected = ref.training.train_xor(params, X, Y, 0.5, iterations)
    for got, want, what in zip(trained, expected.params, ("W1", "B1", "W2", "B2")):
        check(got, want, f"{what} after {iterations} iterations")
    check(np.asarray(loss_trace), expected.costs[::100], "loss_trace (every 100 iterations)")
    check(Y_hat, ref.xor.forward_loss(X, Y, expected.params)[3], "Y_hat of the trained network")


# ----------------------------------------------------------------------------- layers F23-F26

@FLOATS
@pytest.mark.parametrize("name", ["Relu", "Sigmoid"])
@FAST
@given(shape=distinct_dims(2), seed=SEEDS)   # (N, D)
@example(shape=(1, 3), seed=0)
@example(shape=(4, 1), seed=1)
def test_relu_and_sigmoid_layers(name, dtype, shape, seed):
    rng = np.random.default_rng(seed)
    x, dout = normal(rng, shape, 3, dtype), normal(rng, shape, 1, dtype)
    x.flat[0] = 0.0   # the kink
    layer = getattr(layers, name)()
    with untouched(x):
        out = layer.forward(x)
    with untouched(x, dout):
        dx = layer.backward(dout)
    forward, backward = {"Relu": (ref.layers.relu_forward, ref.layers.relu_backward),
                         "Sigmoid": (ref.layers.sigmoid_forward, ref.layers.sigmoid_backward)}[name]
    check(out, forward(x), f"{name}.forward", dtype=dtype)
    check(dx, backward(dout, x), f"{name}.backward", dtype=dtype)


def test_sigmoid_layer_saturation():
    x = np.array([[-1000.0, -40.0, 0.0], [40.0, 1000.0, 3.0]])
    layer = layers.Sigmoid()
    with strict_numerics():
        out = layer.forward(x)
        dx = layer.backward(np.ones_like(x))
    check(out, ref.layers.sigmoid_forward(x), "Sigmoid.forward(+-1000)")
    check(dx, ref.layers.sigmoid_backward(np.ones_like(x), x), "Sigmoid.backward(+-1000)")


@FLOATS
@FAST
@given(dims=distinct_dims(3), seed=SEEDS)   # (N, D, H)
@example(dims=(1, 3, 4), seed=0)
@example(dims=(3, 4, 1), seed=1)
def test_affine_layer(dtype, dims, seed):
    N, D, H = dims
    rng = np.random.default_rng(seed)
    x, W, b, dout = (normal(rng, s, 1, dtype) for s in [(N, D), (D, H), (H,), (N, H)])
    layer = layers.Affine(W, b)
    with untouched(x, W, b):
        out = layer.forward(x)
    with untouched(x, W, b, dout):
        dx = layer.backward(dout)
    check(out, ref.layers.affine_forward(x, W, b), "Affine.forward x W + b", dtype=dtype)
    expected_dx, expected_dW, expected_db = ref.layers.affine_backward(dout, x, W, b)
    check(dx, expected_dx, "Affine.backward dx", dtype=dtype)
    check(layer.dW, expected_dW, "Affine.dW", dtype=dtype)
    check(layer.db, expected_db, "Affine.db (shape (H,))", dtype=dtype)


@FLOATS
@FAST
@given(shape=st.one_of(distinct_dims(1), distinct_dims(2)), seed=SEEDS, scale=st.sampled_from([1.0, 1000.0]))
@example(shape=(5,), seed=0, scale=1000.0)
@example(shape=(1, 4), seed=1, scale=1.0)
def test_softmax(dtype, shape, seed, scale):
    x = np.random.default_rng(seed).uniform(-scale, scale, shape).astype(dtype)
    with strict_numerics(), untouched(x):
        y = layers.softmax(x)
    assert np.all(np.isfinite(y)), f"softmax is not finite: {y}"
    check(y, ref.layers.softmax(x), f"softmax of inputs up to {scale}", dtype=dtype)
    check(np.sum(y, axis=-1), np.ones(shape[:-1]), "rows of softmax sum to 1", dtype=dtype)


def _one_hot(labels, C):
    return np.eye(C)[labels]


@pytest.mark.parametrize("targets", ["one-hot", "labels"])
@FAST
@given(dims=distinct_dims(2), seed=SEEDS)   # (N, C)
@example(dims=(1, 3), seed=0)
def test_cross_entropy_error(targets, dims, seed):
    N, C = dims
    rng = np.random.default_rng(seed)
    y = rng.uniform(0.1, 1.0, (N, C))
    y /= y.sum(axis=1, keepdims=True)          # every probability >= 0.01 (room for the book's delta)
    labels = rng.integers(0, C, N)
    t = _one_hot(labels, C) if targets == "one-hot" else labels
    with strict_numerics(), untouched(y, t):
        loss = layers.cross_entropy_error(y, t)
    check_scalar(loss, ref.layers.cross_entropy_error(y, t), f"cross_entropy_error ({targets})",
                 atol=2e-5, rtol=1e-6)   # SPEC: the book's 1e-7 delta inside the log is admitted
    # a single example (1-D y) is a batch of one
    one = layers.cross_entropy_error(y[0], t[0])
    check_scalar(one, ref.layers.cross_entropy_error(y[0], t[0]), f"1-D cross_entropy_error ({targets})",
                 atol=2e-5, rtol=1e-6)


@FLOATS
@pytest.mark.parametrize("targets", ["one-hot", "labels"])
@FAST
@given(dims=distinct_dims(2), seed=SEEDS, scale=st.sampled_from([3.0, 1000.0]))   # (N, C)
@example(dims=(1, 3), seed=0, scale=1000.0)
@example(dims=(4, 2), seed=1, scale=3.0)
def test_softmax_with_loss(targets, dtype, dims, seed, scale):
    N, C = dims
    rng = np.random.default_rng(seed)
    x = rng.uniform(-scale, scale, (N, C)).astype(dtype)
    labels = rng.integers(0, C, N)
    t = _one_hot(labels, C) if targets == "one-hot" else labels
    layer = layers.SoftmaxWithLoss()
    with strict_numerics(), untouched(x, t):
        loss = layer.forward(x, t)
        dx = layer.backward()
        dx_scaled = layer.backward(dout=2.5)
    tol = TOLERANCE[np.dtype(dtype)]
    check_scalar(loss, ref.layers.softmax_with_loss_forward(x, t), f"SoftmaxWithLoss.forward ({targets})",
                 **tol)
    check(dx, ref.layers.softmax_with_loss_backward(x, t), f"SoftmaxWithLoss.backward() ({targets})",
          dtype=dtype)
    check(dx_scaled, ref.layers.softmax_with_loss_backward(x, t, 2.5), "SoftmaxWithLoss.backward(2.5)",
          dtype=dtype)


@pytest.mark.parametrize("targets", ["one-hot", "labels"])
def test_softmax_with_loss_of_a_single_example(targets):
    x = np.array([0.3, -1.2, 2.0, 0.5])
    t = np.array([0.0, 0.0, 1.0, 0.0]) if targets == "one-hot" else 2
    layer = layers.SoftmaxWithLoss()
    check_scalar(layer.forward(x, t), ref.layers.softmax_with_loss_forward(x, t), "loss of a 1-D x")
    check(layer.backward(), ref.layers.softmax_with_loss_backward(x, t), "backward of a 1-D x")


@FAST
@given(shape=distinct_dims(2), seed=SEEDS)
@example(shape=(1, 3), seed=0)
def test_numerical_gradient_matches_analytic_and_restores_x_bitwise(shape, seed):
    x = np.random.default_rng(seed).uniform(-2, 2, shape)
    x.flat[0] = 0.1   # 0.1 + 1e-4 - 1e-4 != 0.1: restoring by arithmetic is not enough
    before = x.tobytes()
    grad = layers.numerical_gradient(lambda v: float(np.sum(v**3) + np.sum(np.sin(v))), x)
    assert x.tobytes() == before, "numerical_gradient did not restore x bitwise"
    check(grad, 3 * x**2 + np.cos(x), "numerical gradient of sum(x^3 + sin x)", atol=1e-6, rtol=1e-6)


def two_layer_net_with(rng, D, H, C):
    """A TwoLayerNet whose parameters were set by writing into its own arrays (as the harness does)."""
    net = layers.TwoLayerNet(input_size=D, hidden_size=H, output_size=C)
    values = {"W1": normal(rng, (D, H)), "b1": normal(rng, (H,), 0.3),
              "W2": normal(rng, (H, C)), "b2": normal(rng, (C,), 0.3)}
    for key, value in values.items():
        net.params[key][...] = value
    return net, values


def test_two_layer_net_params():
    D, H, C = 6, 4, 3
    np.random.seed(20)
    net = layers.TwoLayerNet(D, H, C)
    np.random.seed(20)
    W1 = 0.01 * np.random.randn(D, H)
    W2 = 0.01 * np.random.randn(H, C)
    expected = {"W1": W1, "b1": np.zeros(H), "W2": W2, "b2": np.zeros(C)}
    assert set(net.params) == set(expected)
    for key in expected:
        check(net.params[key], expected[key], f"params[{key!r}]")
    net = layers.TwoLayerNet(D, H, C, weight_init_std=0.5, rng=np.random.default_rng(21))
    assert abs(net.params["W1"].std() / 0.5 - 1) < 0.5


@pytest.mark.parametrize("targets", ["one-hot", "labels"])
@FAST
@given(dims=distinct_dims(4, high=7), seed=SEEDS)   # (N, D, H, C)
@example(dims=(1, 3, 4, 2), seed=0)
def test_two_layer_net_against_reference(targets, dims, seed):
    N, D, H, C = dims
    rng = np.random.default_rng(seed)
    net, params = two_layer_net_with(rng, D, H, C)
    x = normal(rng, (N, D))
    labels = rng.integers(0, C, N)
    t = _one_hot(labels, C) if targets == "one-hot" else labels
    with untouched(x, t):
        scores = net.predict(x)
        loss = net.loss(x, t)
        accuracy = net.accuracy(x, t)
        grads = net.gradient(x, t)
    check(scores, ref.layers.two_layer_predict(x, params), "TwoLayerNet.predict")
    check_scalar(loss, ref.layers.two_layer_loss(x, t, params), f"TwoLayerNet.loss ({targets})")
    check_scalar(accuracy, ref.layers.two_layer_accuracy(x, t, params), f"TwoLayerNet.accuracy ({targets})")
    expected = ref.layers.two_layer_gradient(x, t, params)
    for key in ("W1", "b1", "W2", "b2"):
        check(grads[key], expected[key], f"TwoLayerNet.gradient {key} ({targets})")
    numerical = net.numerical_gradient(x, t)
    for key in ("W1", "b1", "W2", "b2"):
        check(numerical[key], grads[key], f"numerical_gradient {key} vs gradient", atol=1e-6, rtol=1e-4)
        check(net.params[key], params[key], f"params[{key!r}] after numerical_gradient", rtol=0, atol=0)
