"""Planar data classification with one hidden (tanh) layer, document 001 (matmul-operator style)."""
import numpy as np

from activations import sigmoid


def layer_sizes(X, Y):
    return (X.shape[0], 4, Y.shape[0])


def initialize_parameters(n_x, n_h, n_y, rng=None):
    draw = np.random.randn if rng is None else (lambda *s: rng.standard_normal(s))
    W1 = draw(n_h, n_x) * 0.01
    W2 = draw(n_y, n_h) * 0.01
    return {"W1": W1, "b1": np.zeros((n_h, 1)), "W2": W2, "b2": np.zeros((n_y, 1))}


def forward_propagation(X, parameters):
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = np.tanh(Z1)
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y):
    """Cross-entropy with 0*log(0) = 0: each log is only taken where its label weight is non-zero."""
    A2 = np.asarray(A2, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    m = Y.shape[1]
    pos = np.zeros_like(A2)
    neg = np.zeros_like(A2)
    with np.errstate(divide="ignore"):          # only a truly infinite cost can hit log(0)
        np.log(A2, out=pos, where=(Y != 0))
        np.log1p(-A2, out=neg, where=(Y != 1))
    logprobs = np.where(Y != 0, Y * pos, 0.0) + np.where(Y != 1, (1 - Y) * neg, 0.0)
    return float(-logprobs.sum() / m)


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    W2 = parameters["W2"]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dW2 = (dZ2 @ A1.T) / m
    db2 = dZ2.sum(axis=1, keepdims=True) / m
    dZ1 = (W2.T @ dZ2) * (1 - A1 ** 2)
    dW1 = (dZ1 @ X.T) / m
    db1 = dZ1.sum(axis=1, keepdims=True) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters, grads, learning_rate=1.2):
    new = {}
    for name in ("W1", "b1", "W2", "b2"):
        new[name] = parameters[name] - learning_rate * grads["d" + name]
    return new


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False):
    np.random.seed(3)
    n_x, _, n_y = layer_sizes(X, Y)
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters)
        cost = compute_cost(A2, Y)
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters(parameters, grads, learning_rate=1.2)
        if print_cost and i % 1000 == 0:
            print("Cost after iteration %i: %f" % (i, cost))
    return parameters


def predict(parameters, X):
    A2, _ = forward_propagation(X, parameters)
    return A2 > 0.5
