"""Contracts of the ``xor`` suite (document 003; F22): weights (n_in, n_out) used as W^T X.

X (2, m), Y (1, m), W1 (2, h), B1 (h, 1), W2 (h, 1), B2 (1, 1); h != m. The 1/m is folded
into dL/dZ2, so get_gradients returns plain gradients of the mean loss.
"""

import numpy as np

from nnconf.conformance.suites._cases import (
    case_rng,
    global_draw,
    labels,
    normal,
    probabilities_and_labels,
    saturated,
)
from nnconf.conformance.suites.contract import Case, FunctionContract, Q
from nnconf.conformance.suites.lazy import lazy
from nnconf.conformance.suites.strategies import distinct_dims

ref_training = lazy("nnconf.reference.training")
ref = lazy("nnconf.reference.xor")

SUITE = "xor"
NAMES = ("dW1", "dB1", "dW2", "dB2")


def _dims():
    return distinct_dims(count=2, min_value=3)


def _data(example, label):
    h, m = example
    h = 2 if label == "h=2" else h  # the document's network: W1 (2, 2) is square
    rng = case_rng(SUITE, example, label)
    if label == "xor data":
        X = np.array([0, 0, 1, 1, 0, 1, 0, 1], dtype=float).reshape(2, 4)
        Y = np.array([[0, 1, 1, 0]], dtype=float)
    else:
        m = 1 if label == "m=1" else m
        X, Y = normal(rng, (2, m)), labels(rng, (1, m))
    params = (normal(rng, (2, h)), normal(rng, (h, 1), scale=0.3), normal(rng, (h, 1)), normal(rng, (1, 1), scale=0.3))
    return X, Y, params, X.shape[1]


def _init_case(example, label):
    return Case(label, (example[0],), arg_names=("num_hidden_units",))


def _init_expect(case):
    h = case.args[0]
    draw = global_draw(case.seed)
    W1, W2 = draw((2, h)), draw((h, 1))
    return {"W1": Q(W1), "B1": Q(np.zeros((h, 1)), exact=True), "W2": Q(W2), "B2": Q(np.zeros((1, 1)), exact=True)}


init_parameters = FunctionContract(
    SUITE, "init_parameters", examples=_dims, build=_init_case, pattern=("W1", "B1", "W2", "B2"), expect=_init_expect,
)


def _affine_case(example, label):
    X, _, (W1, B1, _, _), m = _data(example, label)
    return Case(label, (W1, X, B1), m=m, arg_names=("W", "X", "B"))


affine = FunctionContract(
    SUITE, "affine", examples=_dims, build=_affine_case, labels=("random", "m=1"), pattern="Z",
    expect=lambda c: {"Z": Q(ref.affine(*c.args))},
)


def _sigmoid_case(example, label):
    rng = case_rng(SUITE, "z", example, label)
    shape = (example[0], example[1])
    z = saturated(rng, shape) if label == "saturated" else normal(rng, shape, scale=3.0)
    return Case(label, (z,), arg_names=("z",))


sigmoid = FunctionContract(
    SUITE, "sigmoid", examples=_dims, build=_sigmoid_case, labels=("random", "saturated"), saturated=True,
    pattern="s", expect=lambda c: {"s": Q(ref.sigmoid(c.args[0]))},
)


def _bce_case(example, label):
    A, Y, m = probabilities_and_labels(SUITE, example[-1], example, label)
    return Case(label, (Y, A), m=m, arg_names=('Y', 'YHat'))


binary_cross_entropy = FunctionContract(
    SUITE, "binary_cross_entropy", examples=_dims, build=_bce_case, labels=("random", "m=1", "saturated"),
    saturated=True, pattern="loss", expect=lambda c: {"loss": Q(ref.binary_cross_entropy(*c.args), cost=True)},
)


def _network_case(example, label):
    X, Y, params, m = _data(example, label)
    return Case(label, (X, Y, params), m=m, arg_names=("X", "Y", "params"))


def _gradients_case(example, label):
    case = _network_case(example, label)
    X, Y, params = case.args
    case.alternatives = _hidden_alternatives(X, Y, params)
    if label == "random":
        case.network = ("xor", (X, Y), dict(zip(("W1", "B1", "W2", "B2"), params)))
    return case


def _hidden_alternatives(X, Y, params):
    """Hypotheses for the diagnosis: F22 with another hidden derivative (never a reference)."""
    W1, B1, W2, B2 = params
    Z1, H, _, YHat, _ = ref.forward_loss(X, Y, params)
    dH = W2 @ ((YHat - Y) / X.shape[1])
    s = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    found = {}
    for words, derivative in (
        ("sigmoid'(H) = s(H)(1 - s(H)) in dZ1 (the derivative taken at H instead of Z1)", s(H) * (1 - s(H))),
        ("1 - H^2 (the tanh derivative) in dZ1 instead of H (1 - H)", 1 - H**2),
        ("Z1 (1 - Z1) in dZ1 (H (1 - H) written with Z1 in place of H)", Z1 * (1 - Z1)),
    ):
        dZ1 = dH * derivative
        found.setdefault("dW1", {})[words] = X @ dZ1.T
        found.setdefault("dB1", {})[words] = dZ1.sum(axis=1, keepdims=True)
    return found


def _forward_loss_expect(case):
    Z1, H, Z2, YHat, loss = ref.forward_loss(*case.args)
    return {"Z1": Q(Z1), "H": Q(H), "Z2": Q(Z2), "YHat": Q(YHat), "loss": Q(loss, cost=True)}


forward_loss = FunctionContract(
    SUITE, "forward_loss", examples=_dims, build=_network_case, labels=("random", "m=1", "xor data", "h=2"),
    pattern=("Z1", "H", "Z2", "YHat", "loss"), expect=_forward_loss_expect,
)


def _gradients_expect(case):
    grads, loss = ref.get_gradients(*case.args)
    expected = {n: Q(g, stage="layer", layer=int(n[-1])) for n, g in zip(NAMES, grads)}
    expected["loss"] = Q(loss, cost=True)
    return expected


get_gradients = FunctionContract(
    SUITE, "get_gradients", examples=_dims, build=_gradients_case, labels=("random", "m=1", "xor data", "h=2"),
    pattern=(NAMES, "loss"), expect=_gradients_expect,
)


def _optimize_case(example, label):
    X, Y, params, m = _data(example, label)
    iterations = {"1 iteration": 1, "0 iterations": 0}.get(label, 101)
    case = Case(label, (X, Y, list(params), 0.5, iterations), m=m,
                arg_names=("X", "Y", "params", "learning_rate", "iteration"))
    if iterations == 1:  # one step: judge the step itself
        case.baseline = {f"params[{i}]": p for i, p in enumerate(params)}
    return case


def _optimize_expect(case):
    X, Y, params, lr, iterations = case.args
    trained = ref_training.train_xor(list(params), X, Y, lr, iterations)
    final = list(trained.params)
    expected = {f"params[{i}]": Q(p) for i, p in enumerate(final)}
    expected["loss_trace"] = Q(np.array(trained.costs[::100]))
    expected["Y_hat"] = Q(ref.forward_loss(X, Y, final)[3])
    return expected


optimize = FunctionContract(
    SUITE, "optimize", examples=_dims, build=_optimize_case, labels=("random", "xor data", "1 iteration", "0 iterations"),
    pattern=(tuple(f"params[{i}]" for i in range(4)), "loss_trace", "Y_hat"), expect=_optimize_expect,
)

CONTRACTS = [init_parameters, affine, sigmoid, binary_cross_entropy, forward_loss, get_gradients, optimize]
