"""The reference (torch autograd) against independent hand formulas computed here in NumPy.

Shapes are non-square with pairwise distinct dimensions so a transpose cannot hide; every
comparison checks the exact shape and float64 dtype before the values.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnconf.reference import activations, conventions, deep, layers, logistic, shallow, training, xor
from nnconf.reference._torch import to_tensor, value_and_vjp, vjp

# n_x, m, n_h, and the deep layer sizes: pairwise distinct.
NX, M, NH = 4, 7, 5
DEEP_DIMS = [4, 6, 3, 1]          # with M = 7: every dimension distinct (except the n_y = 1)
N, D, H, C = 8, 6, 5, 3           # row-major batch, input, hidden, classes


def assert_same(actual, expected, *, rtol=1e-10, atol=1e-12, what=""):
    """Exact shape, float64, then values."""
    expected = np.asarray(expected, dtype=np.float64)
    assert isinstance(actual, np.ndarray), f"{what}: {type(actual).__name__} is not an ndarray"
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, expected {expected.shape}"
    assert actual.dtype == np.float64, f"{what}: dtype {actual.dtype}, expected float64"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what)


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


@pytest.fixture
def rng():
    return np.random.default_rng(20240607)


def labels01(rng, m=M):
    Y = (rng.random((1, m)) > 0.5).astype(np.float64)
    Y[0, :2] = [0.0, 1.0]  # both classes present
    return Y


# ---------------------------------------------------------------- plumbing

def test_to_tensor_copies_and_converts(rng):
    x = rng.standard_normal((3, 2))
    x0 = x.copy()
    t = to_tensor(x)
    t += 1
    assert t.dtype == torch.float64 and to_tensor(x.astype(np.float32)).dtype == torch.float64
    assert np.array_equal(x, x0), "to_tensor shares memory with its input"


def test_vjp_checks_upstream_shape(rng):
    z = rng.standard_normal((3, 2))
    with pytest.raises(ValueError, match="upstream shape"):
        vjp(torch.tanh, [z], np.ones((2, 3)))
    with pytest.raises(ValueError, match="upstream is required"):
        vjp(torch.tanh, [z])


def test_value_and_vjp_sums_broadcast_dimensions(rng):
    A, b = rng.standard_normal((3, 2)), rng.standard_normal((3, 1))
    out, (dA, db) = value_and_vjp(lambda a, c: a + c, [A, b], np.ones((3, 2)))
    assert_same(out, A + b, what="out")
    assert_same(dA, np.ones((3, 2)), what="dA")
    assert_same(db, np.full((3, 1), 2.0), what="db")


# ---------------------------------------------------------------- activations F1-F7

def _elu(z, a):
    return np.where(z > 0, z, a * np.expm1(np.minimum(z, 0)))


# name, kwargs, forward(z), derivative(z) by hand
ACTIVATIONS = [
    ("sigmoid", {}, sig, lambda z: sig(z) * (1 - sig(z))),
    ("tanh", {}, np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    ("relu", {}, lambda z: np.maximum(0, z), lambda z: (z > 0).astype(float)),
    ("leaky_relu", {}, lambda z: np.maximum(0.01 * z, z), lambda z: np.where(z > 0, 1.0, 0.01)),
    ("leaky_relu", {"alpha": 0.2}, lambda z: np.maximum(0.2 * z, z), lambda z: np.where(z > 0, 1.0, 0.2)),
    ("elu", {}, lambda z: _elu(z, 1.0), lambda z: np.where(z > 0, 1.0, np.exp(np.minimum(z, 0)))),
    ("elu", {"alpha": 0.5}, lambda z: _elu(z, 0.5),
     lambda z: np.where(z > 0, 1.0, 0.5 * np.exp(np.minimum(z, 0)))),
    ("linear", {}, lambda z: z, np.ones_like),
    ("prelu", {"alpha": 0.3}, lambda z: np.where(z > 0, z, 0.3 * z), lambda z: np.where(z > 0, 1.0, 0.3)),
]
ACT_IDS = [f"{n}{kw or ''}" for n, kw, _, _ in ACTIVATIONS]


def _z(rng):
    z = rng.standard_normal((5, 3)) * 3
    z[0, :] = [0.0, -0.0, 1e-12]   # the kink and its neighbourhood
    return z


@pytest.mark.parametrize("name,kw,fwd,der", ACTIVATIONS, ids=ACT_IDS)
def test_activation_forward_and_backward(rng, name, kw, fwd, der):
    z, da = _z(rng), rng.standard_normal((5, 3))
    z0, da0 = z.copy(), da.copy()
    assert_same(activations.forward(name, z, **kw), fwd(z), what=f"{name} forward")
    dz = activations.backward(name, da, z, **kw)
    dz = dz[0] if name == "prelu" else dz
    assert_same(dz, da * der(z), what=f"{name} backward")
    d = activations.derivative(name, z, **kw)
    assert_same(d[0] if name == "prelu" else d, der(z), what=f"{name} derivative")
    assert np.array_equal(z, z0) and np.array_equal(da, da0), "inputs modified"


@pytest.mark.parametrize("name,kw,expected", [
    ("relu", {}, 0.0), ("leaky_relu", {}, 0.01), ("leaky_relu", {"alpha": 0.1}, 0.1),
    ("elu", {}, 1.0), ("elu", {"alpha": 0.5}, 0.5), ("prelu", {"alpha": 0.25}, 0.25),
    ("sigmoid", {}, 0.25), ("tanh", {}, 1.0),
], ids=lambda v: str(v))
def test_activation_derivative_at_zero(name, kw, expected):
    d = activations.derivative(name, np.zeros((2, 3)), **kw)
    assert_same(d[0] if name == "prelu" else d, np.full((2, 3), expected), what=f"{name}'(0)")


def test_activation_kinks_match_pytorch_builtins():
    z = torch.tensor([-1.0, 0.0, 2.0], dtype=torch.float64, requires_grad=True)
    w = torch.tensor([0.25], dtype=torch.float64, requires_grad=True)
    F.prelu(z, w).backward(torch.ones(3, dtype=torch.float64))
    dz, dalpha = activations.backward("prelu", np.ones(3), z.detach().numpy(), alpha=0.25)
    assert_same(dz, z.grad.numpy(), what="prelu dz vs F.prelu")
    assert float(dalpha) == pytest.approx(float(w.grad[0]))


def test_prelu_alpha_broadcast_gradient_has_alpha_shape(rng):
    z, da = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    per_elem = np.where(z > 0, 0.0, z * da)          # d/dalpha of alpha*z where z <= 0
    cases = [(0.3, np.array(per_elem.sum())),
             (rng.random((1, 3)), per_elem.sum(axis=0, keepdims=True)),
             (rng.random((5, 1)), per_elem.sum(axis=1, keepdims=True)),
             (rng.random((5, 3)), per_elem)]
    for alpha, expected in cases:
        dz, dalpha = activations.backward("prelu", da, z, alpha=alpha)
        assert_same(dalpha, expected, what=f"dalpha for alpha shape {np.shape(alpha)}")
        assert_same(dz, da * np.where(z > 0, 1.0, alpha), what="prelu dz")


def test_activation_float32_in_float64_out(rng):
    z = rng.standard_normal((2, 3)).astype(np.float32)
    assert activations.forward("sigmoid", z).dtype == np.float64
    assert activations.backward("tanh", np.ones((2, 3), np.float32), z).dtype == np.float64


def test_activation_errors():
    with pytest.raises(ValueError, match="unknown activation"):
        activations.forward("swish", np.zeros(2))
    with pytest.raises(TypeError, match="alpha"):
        activations.forward("prelu", np.zeros(2))


def test_sigmoid_saturates_without_overflow():
    with np.errstate(all="raise"):
        a = activations.forward("sigmoid", np.array([-1000.0, 1000.0]))
        d = activations.derivative("sigmoid", np.array([-1000.0, 1000.0]))
    assert_same(a, [0.0, 1.0], what="sigmoid(+-1000)")
    assert_same(d, [0.0, 0.0], what="sigmoid'(+-1000)")


# ---------------------------------------------------------------- logistic F8-F13

@pytest.fixture
def logit_data(rng):
    return rng.standard_normal((NX, 1)), 0.3, rng.standard_normal((NX, M)), labels01(rng)


def test_logistic_forward_cost_propagate(logit_data):
    w, b, X, Y = logit_data
    A = sig(w.T @ X + b)
    assert_same(logistic.forward(w, X, b), A, what="A")
    J = -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    assert logistic.cost(A, Y) == pytest.approx(J, rel=1e-12)
    assert logistic.cost_from_logits(w.T @ X + b, Y) == pytest.approx(J, rel=1e-12)
    grads, cost = logistic.propagate(w, b, X, Y)
    assert isinstance(cost, float) and cost == pytest.approx(J, rel=1e-12)
    assert_same(grads["dw"], X @ (A - Y).T / M, what="dw = X dZ^T / m")
    assert isinstance(grads["db"], float) and grads["db"] == pytest.approx(np.sum(A - Y) / M, rel=1e-12)


def test_logistic_propagate_loop_form(logit_data):
    """F12: the per-example loop gives the same numbers."""
    w, b, X, Y = logit_data
    dw, db = np.zeros((NX, 1)), 0.0
    for i in range(M):
        a = sig(float(w[:, 0] @ X[:, i]) + b)
        dw += X[:, i:i + 1] * (a - Y[0, i])
        db += a - Y[0, i]
    grads, _ = logistic.propagate(w, b, X, Y)
    assert_same(grads["dw"], dw / M, what="dw loop")
    assert grads["db"] == pytest.approx(db / M, rel=1e-12)


def test_logistic_saturated_costs_are_exact():
    Y = np.array([[1.0, 0.0, 1.0]])
    assert logistic.cost(np.array([[1.0, 0.0, 1.0]]), Y) == 0.0
    assert logistic.cost(np.array([[1.0, 1.0, 1.0]]), Y) == np.inf
    w, X = np.array([[1.0]]), np.array([[800.0, -800.0, 40.0]])
    grads, cost = logistic.propagate(w, 0.0, X, Y)
    assert cost == pytest.approx(np.log1p(np.exp(-40.0)) / 3, rel=1e-12)
    assert np.all(np.isfinite(grads["dw"])) and np.isfinite(grads["db"])


def test_logistic_predict(logit_data):
    w, b, X, _ = logit_data
    p = logistic.predict(w, b, X)
    assert_same(p, (sig(w.T @ X + b) > 0.5).astype(float), what="predict")


def test_computation_graph():
    J, g = logistic.computation_graph(5.0, 3.0, 2.0)
    assert J == 33.0 and g == {"da": 3.0, "db": 6.0, "dc": 9.0}
    a, b, c = np.arange(3.0), np.arange(3.0) + 2, np.arange(3.0) - 5
    J, g = logistic.computation_graph(a, b, c)
    assert_same(J, 3 * (a + b * c), what="J")
    assert_same(g["da"], np.full(3, 3.0), what="da")
    assert_same(g["db"], 3 * c, what="db")
    assert_same(g["dc"], 3 * b, what="dc")


def test_logistic_optimize_matches_hand_loop(logit_data):
    w, b, X, Y = logit_data
    lr, iters = 0.1, 250
    hw, hb, costs = w.copy(), b, []
    for i in range(iters):
        A = sig(hw.T @ X + hb)
        if i % 100 == 0:
            costs.append(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))
        dw, db = X @ (A - Y).T / M, np.sum(A - Y) / M
        hw, hb = hw - lr * dw, hb - lr * db
    params, grads, got = logistic.optimize(w, b, X, Y, iters, lr)
    assert_same(params["w"], hw, what="w")
    assert params["b"] == pytest.approx(hb, rel=1e-10)
    np.testing.assert_allclose(got, costs, rtol=1e-10)
    assert_same(grads["dw"], dw, what="last dw")
    params0, grads0, costs0 = logistic.optimize(w, b, X, Y, 0, lr)
    assert_same(params0["w"], w, what="w after 0 iterations")
    assert costs0 == [] and params0["b"] == b
    assert_same(grads0["dw"], logistic.propagate(w, b, X, Y)[0]["dw"], what="dw after 0 iterations")


# ---------------------------------------------------------------- shallow F15/F16

@pytest.fixture
def shallow_data(rng):
    p = {"W1": rng.standard_normal((NH, NX)), "b1": rng.standard_normal((NH, 1)),
         "W2": rng.standard_normal((1, NH)), "b2": rng.standard_normal((1, 1))}
    return p, rng.standard_normal((NX, M)), labels01(rng)


def test_shallow_forward_cost_backward(shallow_data):
    p, X, Y = shallow_data
    Z1 = p["W1"] @ X + p["b1"]; A1 = np.tanh(Z1); Z2 = p["W2"] @ A1 + p["b2"]; A2 = sig(Z2)
    A2r, cache = shallow.forward_propagation(X, p)
    for k, v in {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}.items():
        assert_same(cache[k], v, what=f"cache[{k}]")
    assert_same(A2r, A2, what="A2")
    J = shallow.compute_cost(A2, Y)
    assert isinstance(J, float)
    assert J == pytest.approx(-np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)), rel=1e-12)
    dZ2 = A2 - Y; dZ1 = p["W2"].T @ dZ2 * (1 - A1 ** 2)
    hand = {"dW2": dZ2 @ A1.T / M, "db2": dZ2.sum(1, keepdims=True) / M,
            "dW1": dZ1 @ X.T / M, "db1": dZ1.sum(1, keepdims=True) / M}
    grads = shallow.backward_propagation(p, X, Y)
    assert set(grads) == set(hand)
    for k in hand:
        assert_same(grads[k], hand[k], what=k)
    assert_same(shallow.predict(p, X), (A2 > 0.5).astype(float), what="predict")
    new = shallow.update_parameters(p, grads)
    assert_same(new["W1"], p["W1"] - 1.2 * hand["dW1"], what="W1 updated")


# ---------------------------------------------------------------- deep F14, F17, F18

@pytest.fixture
def deep_data(rng):
    p = {}
    for l in range(1, len(DEEP_DIMS)):
        p[f"W{l}"] = rng.standard_normal((DEEP_DIMS[l], DEEP_DIMS[l - 1]))
        p[f"b{l}"] = rng.standard_normal((DEEP_DIMS[l], 1)) * 0.1
    return p, rng.standard_normal((DEEP_DIMS[0], M)), labels01(rng)


def test_linear_forward_and_course_linear_backward(rng):
    A, W, b = rng.standard_normal((NX, M)), rng.standard_normal((NH, NX)), rng.standard_normal((NH, 1))
    dZ = rng.standard_normal((NH, M))
    assert_same(deep.linear_forward(A, W, b), W @ A + b, what="Z")
    dA_prev, dW, db = deep.linear_backward(dZ, A, W, b)
    assert_same(dA_prev, W.T @ dZ, what="dA_prev = W^T dZ (no 1/m)")
    assert_same(dW, dZ @ A.T / M, what="dW = dZ A_prev^T / m")
    assert_same(db, dZ.sum(axis=1, keepdims=True) / M, what="db = sum(dZ) / m, (n, 1)")


@pytest.mark.parametrize("activation,der", [
    ("relu", lambda Z: (Z > 0).astype(float)), ("sigmoid", lambda Z: sig(Z) * (1 - sig(Z)))])
def test_linear_activation_backward(rng, activation, der):
    A, W, b = rng.standard_normal((NX, M)), rng.standard_normal((NH, NX)), rng.standard_normal((NH, 1))
    dA = rng.standard_normal((NH, M))
    Z = W @ A + b
    assert_same(deep.activation_backward(activation, dA, Z), dA * der(Z), what="dZ")
    dZ = dA * der(Z)
    for got, exp, q in zip(deep.linear_activation_backward(dA, A, W, b, activation),
                           (W.T @ dZ, dZ @ A.T / M, dZ.sum(1, keepdims=True) / M), ("dA_prev", "dW", "db")):
        assert_same(got, exp, what=q)
    Aout, ((Ap, Wc, bc), Zc) = deep.linear_activation_forward(A, W, b, activation)
    assert_same(Zc, Z, what="cache Z")
    assert_same(Ap, A, what="cache A_prev")
    assert_same(Aout, deep.activation_forward(activation, Z), what="A")


def _hand_L_model(X, Y, p):
    """The course's L_model_forward / L_model_backward, written out (correct version)."""
    L = len(p) // 2
    As, Zs = [X], []
    for l in range(1, L + 1):
        Zs.append(p[f"W{l}"] @ As[-1] + p[f"b{l}"])
        As.append(sig(Zs[-1]) if l == L else np.maximum(0, Zs[-1]))
    AL, grads = As[-1], {}
    dA = -(Y / AL - (1 - Y) / (1 - AL))
    for l in range(L, 0, -1):
        Z = Zs[l - 1]
        dZ = dA * (sig(Z) * (1 - sig(Z)) if l == L else (Z > 0))
        grads[f"dW{l}"] = dZ @ As[l - 1].T / M
        grads[f"db{l}"] = dZ.sum(axis=1, keepdims=True) / M
        dA = p[f"W{l}"].T @ dZ
        grads[f"dA{l - 1}"] = dA
    return AL, Zs, As, grads


def test_L_model_forward_backward(deep_data):
    p, X, Y = deep_data
    AL, Zs, As, hand = _hand_L_model(X, Y, p)
    ALr, caches = deep.L_model_forward(X, p)
    assert_same(ALr, AL, what="AL")
    assert len(caches) == 3
    for l, ((A_prev, W, b), Z) in enumerate(caches, start=1):
        assert_same(A_prev, As[l - 1], what=f"caches[{l - 1}] A_prev")
        assert_same(W, p[f"W{l}"], what=f"caches[{l - 1}] W")
        assert_same(b, p[f"b{l}"], what=f"caches[{l - 1}] b")
        assert_same(Z, Zs[l - 1], what=f"caches[{l - 1}] Z")
    J = deep.compute_cost(AL, Y)
    assert J == pytest.approx(-np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)), rel=1e-12)
    for grads in (deep.L_model_backward_from(X, Y, p), deep.L_model_backward(ALr, Y, caches)):
        assert set(grads) == set(hand)
        for k in hand:
            assert_same(grads[k], hand[k], rtol=1e-9, what=k)


def test_deep_update_parameters_is_pure(deep_data):
    p, X, Y = deep_data
    before = {k: v.copy() for k, v in p.items()}
    grads = deep.L_model_backward_from(X, Y, p)
    new = deep.update_parameters(p, grads, 0.5)
    for k in p:
        assert np.array_equal(p[k], before[k]), f"{k} modified"
        assert_same(new[k], p[k] - 0.5 * grads["d" + k], what=k)


def test_deep_saturated_cost_and_predict(deep_data):
    assert deep.compute_cost(np.array([[1.0, 0.0]]), np.array([[1.0, 0.0]])) == 0.0
    p, X, _ = deep_data
    assert_same(deep.predict(X, None, p), (deep.L_model_forward(X, p)[0] > 0.5).astype(float), what="predict")


def test_conventions_helpers():
    dA, dW, db = conventions.course_linear_grads(np.ones(2), np.full(2, 6.0), np.full(2, 3.0), 3)
    assert np.array_equal(dA, np.ones(2)), "dA_prev carries no 1/m"
    assert np.array_equal(dW, np.full(2, 2.0)) and np.array_equal(db, np.ones(2)), "dW, db carry 1/m"
    assert np.array_equal(conventions.course_dA(np.full(2, 0.5), 4), np.full(2, 2.0))


# ---------------------------------------------------------------- xor F22

def test_xor_forward_and_gradients(rng):
    h = 3
    X = np.array([0, 0, 1, 1, 0, 1, 0, 1], dtype=float).reshape(2, 4)
    Y = np.array([[0.0, 1.0, 1.0, 0.0]])
    params = [rng.standard_normal((2, h)), rng.standard_normal((h, 1)),
              rng.standard_normal((h, 1)), rng.standard_normal((1, 1))]
    W1, B1, W2, B2 = params
    Z1 = W1.T @ X + B1; H_ = sig(Z1); Z2 = W2.T @ H_ + B2; YHat = sig(Z2)
    loss = -np.mean(Y * np.log(YHat) + (1 - Y) * np.log(1 - YHat))
    got = xor.forward_loss(X, Y, params)
    for g, e, q in zip(got[:4], (Z1, H_, Z2, YHat), ("Z1", "H", "Z2", "YHat")):
        assert_same(g, e, what=q)
    assert got[4] == pytest.approx(loss, rel=1e-12)
    assert xor.binary_cross_entropy(Y, YHat) == pytest.approx(loss, rel=1e-12)
    assert_same(xor.affine(W1, X, B1), Z1, what="affine")
    dZ2 = (YHat - Y) / 4; dH = W2 @ dZ2; dZ1 = dH * H_ * (1 - H_)
    hand = [X @ dZ1.T, dZ1.sum(1, keepdims=True), H_ @ dZ2.T, dZ2.sum(1, keepdims=True)]
    grads, l2 = xor.get_gradients(X, Y, params)
    assert l2 == pytest.approx(loss, rel=1e-12)
    for g, e, q in zip(grads, hand, ("dW1", "dB1", "dW2", "dB2")):
        assert_same(g, e, what=q)


# ---------------------------------------------------------------- layers F23-F24 (row-major)

def test_affine_relu_sigmoid_layers(rng):
    x, W, b, dout = (rng.standard_normal(s) for s in ((N, D), (D, H), (H,), (N, H)))
    assert_same(layers.affine_forward(x, W, b), x @ W + b, what="out")
    dx, dW, db = layers.affine_backward(dout, x, W, b)
    assert_same(dx, dout @ W.T, what="dx")
    assert_same(dW, x.T @ dout, what="dW")
    assert_same(db, dout.sum(axis=0), what="db (H,)")
    z = rng.standard_normal((N, H)); z[0, 0] = 0.0
    assert_same(layers.relu_forward(z), np.maximum(z, 0), what="relu")
    assert_same(layers.relu_backward(dout, z), np.where(z > 0, dout, 0.0), what="relu dx")
    y = sig(z)
    assert_same(layers.sigmoid_forward(z), y, what="sigmoid")
    assert_same(layers.sigmoid_backward(dout, z), dout * y * (1 - y), what="sigmoid dx")


def test_softmax_is_stable_1d_and_2d(rng):
    x = rng.standard_normal((N, C))
    e = np.exp(x - x.max(axis=1, keepdims=True))
    assert_same(layers.softmax(x), e / e.sum(axis=1, keepdims=True), what="softmax 2-D")
    assert_same(layers.softmax(x[0]), e[0] / e[0].sum(), what="softmax 1-D")
    big = np.array([[1000.0, 999.0, -1000.0], [1000.0, 1000.0, 1000.0]])
    with np.errstate(all="raise"):
        s = layers.softmax(big)
    assert np.all(np.isfinite(s))
    assert_same(s[1], np.full(3, 1 / 3), what="softmax of equal 1000s")


def test_cross_entropy_one_hot_and_labels(rng):
    y = layers.softmax(rng.standard_normal((N, C)))
    labels = rng.integers(0, C, N)
    t = np.eye(C)[labels]
    E = -np.sum(np.log(y[np.arange(N), labels])) / N
    assert layers.cross_entropy_error(y, t) == pytest.approx(E, rel=1e-12)
    assert layers.cross_entropy_error(y, labels) == pytest.approx(E, rel=1e-12)
    assert layers.cross_entropy_error(y[0], t[0]) == pytest.approx(-np.log(y[0, labels[0]]), rel=1e-12)
    assert layers.cross_entropy_error(np.array([[0.0, 1.0, 0.0]]), np.array([1])) == 0.0


def test_softmax_with_loss(rng):
    x = rng.standard_normal((N, C)) * 3
    labels = rng.integers(0, C, N)
    t = np.eye(C)[labels]
    y = layers.softmax(x)
    assert layers.softmax_with_loss_forward(x, t) == pytest.approx(
        -np.sum(np.log(y[np.arange(N), labels])) / N, rel=1e-12)
    assert_same(layers.softmax_with_loss_backward(x, t), (y - t) / N, what="dx (y - t)/N")
    assert_same(layers.softmax_with_loss_backward(x, labels, dout=2.5), 2.5 * (y - t) / N,
                what="dx, integer labels, dout = 2.5")
    assert_same(layers.softmax_with_loss_backward(x[0], t[0]), y[0] - t[0], what="dx 1-D")
    assert np.isfinite(layers.softmax_with_loss_forward(np.array([[1000.0, -1000.0, 0.0]]), np.array([1])))


def _numerical_gradient(f, x, h=1e-5):
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h; fp = f()
        x[idx] = old - h; fm = f()
        x[idx] = old
        g[idx] = (fp - fm) / (2 * h)
    return g


@pytest.fixture
def two_layer(rng):
    p = {"W1": rng.standard_normal((D, H)), "b1": rng.standard_normal(H) * 0.1,
         "W2": rng.standard_normal((H, C)), "b2": rng.standard_normal(C) * 0.1}
    return p, rng.standard_normal((N, D)), rng.integers(0, C, N)


def test_two_layer_gradient_vs_central_difference(two_layer):
    p, x, labels = two_layer
    t = np.eye(C)[labels]
    logits = np.maximum(x @ p["W1"] + p["b1"], 0) @ p["W2"] + p["b2"]
    assert_same(layers.two_layer_predict(x, p), logits, what="predict")
    grads = layers.two_layer_gradient(x, t, p)
    assert set(grads) == {"W1", "b1", "W2", "b2"}
    for k in grads:
        num = _numerical_gradient(lambda: layers.two_layer_loss(x, t, p), p[k])
        assert_same(grads[k], num, rtol=1e-6, atol=1e-8, what=f"grad {k}")
    assert layers.two_layer_accuracy(x, t, p) == np.mean(np.argmax(logits, 1) == labels)
    assert layers.two_layer_gradient(x, labels, p)["b2"].shape == (C,)


# ---------------------------------------------------------------- training loops F10

def test_train_logistic_and_shallow_record_cost_before_update(logit_data, shallow_data):
    w, b, X, Y = logit_data
    res = training.train_logistic(w, b, X, Y, 0.5, 30)
    assert len(res.costs) == 30 and all(isinstance(c, float) for c in res.costs)
    assert res.costs[0] == pytest.approx(logistic.propagate(w, b, X, Y)[1], rel=1e-12)
    assert res.costs[-1] < res.costs[0]
    p, _, costs = logistic.optimize(w, b, X, Y, 30, 0.5)
    assert_same(res.params["w"], p["w"], what="w vs optimize")
    assert costs == res.costs[:1]

    p, X, Y = shallow_data
    res = training.train_shallow(p, X, Y, 0.5, 3)
    q = p
    for i in range(3):
        A2 = shallow.forward_propagation(X, q)[0]
        assert res.costs[i] == pytest.approx(shallow.compute_cost(A2, Y), rel=1e-12)
        q = shallow.update_parameters(q, shallow.backward_propagation(q, X, Y), 0.5)
    for k in q:
        assert_same(res.params[k], q[k], what=k)


def test_train_deep_and_xor_match_stepwise(deep_data, rng):
    p, X, Y = deep_data
    res = training.train_deep(p, X, Y, 0.1, 3)
    q = p
    for i in range(3):
        assert res.costs[i] == pytest.approx(deep.compute_cost(deep.L_model_forward(X, q)[0], Y), rel=1e-12)
        q = deep.update_parameters(q, deep.L_model_backward_from(X, Y, q), 0.1)
    for k in q:
        assert_same(res.params[k], q[k], what=k)

    X = np.array([0, 0, 1, 1, 0, 1, 0, 1], dtype=float).reshape(2, 4)
    Y = np.array([[0.0, 1.0, 1.0, 0.0]])
    params = [rng.standard_normal((2, 3)), np.zeros((3, 1)), rng.standard_normal((3, 1)), np.zeros((1, 1))]
    res = training.train_xor(params, X, Y, 1.0, 3)
    q = [a.copy() for a in params]
    for i in range(3):
        g, loss = xor.get_gradients(X, Y, q)
        assert res.costs[i] == pytest.approx(loss, rel=1e-12)
        q = [a - 1.0 * d for a, d in zip(q, g)]
    for k in range(4):
        assert_same(res.params[k], q[k], what=f"param {k}")
    assert training.train_xor(params, X, Y, 1.0, 0).costs == []


def test_train_two_layer_replays_batches(two_layer, rng):
    p, x, labels = two_layer
    batches = [rng.choice(N, 3) for _ in range(4)]
    res = training.train_two_layer(p, x, labels, 0.1, 4, batch_indices=batches)
    q = {k: v.copy() for k, v in p.items()}
    for i, idx in enumerate(batches):
        assert res.costs[i] == pytest.approx(layers.two_layer_loss(x[idx], labels[idx], q), rel=1e-12)
        g = layers.two_layer_gradient(x[idx], labels[idx], q)
        q = {k: q[k] - 0.1 * g[k] for k in q}
    for k in q:
        assert_same(res.params[k], q[k], what=k)
    full = training.train_two_layer(p, x, np.eye(C)[labels], 0.1, 2)
    assert full.costs[0] == pytest.approx(layers.two_layer_loss(x, labels, p), rel=1e-12)
    with pytest.raises(ValueError, match="batch_indices"):
        training.train_two_layer(p, x, labels, 0.1, 5, batch_indices=batches)
