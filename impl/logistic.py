"""Logistic regression as a one-neuron network (F8-F13; document 002).

Shapes (column-major): X (n_x, m), Y (1, m), w (n_x, 1), b a Python float, A and Z (1, m).
"""

import numpy as np

from nnconf.impl._numerics import binary_cross_entropy_from_logits, stable_sigmoid


def initialize_with_zeros(dim):
    """F8: w = zeros (dim, 1), b = 0.0."""
    return np.zeros((dim, 1)), 0.0


def forward(w, b, X):
    """F8/F13: A = s(w^T X + b), shape (1, m)."""
    return stable_sigmoid(w.T @ X + b)


def propagate(w, b, X, Y):
    """F13 (vectorized): dZ = A - Y, dw = (1/m) X dZ^T (n_x, 1), db = (1/m) sum dZ; cost J (F9),
    computed from Z = w^T X + b so that it stays finite where A rounds to 0 or 1.

    Returns ``({"dw": dw, "db": db}, cost)`` with db and cost Python floats.
    """
    m = X.shape[1]
    Z = w.T @ X + b
    dZ = stable_sigmoid(Z) - Y
    dw = X @ dZ.T / m
    db = float(np.sum(dZ) / m)
    return {"dw": dw, "db": db}, binary_cross_entropy_from_logits(Z, Y)


def propagate_loop(w, b, X, Y):
    """F12 (per-example loop): dz_i = a_i - y_i, dw += x_i dz_i, db += dz_i, then divide by m."""
    n_x, m = X.shape
    dw = np.zeros((n_x, 1))
    db = 0.0
    losses = 0.0
    for i in range(m):
        x_i = X[:, i : i + 1]
        z_i = float((w.T @ x_i + b)[0, 0])
        a_i = float(stable_sigmoid(z_i))
        y_i = float(Y[0, i])
        losses += binary_cross_entropy_from_logits(z_i, y_i)
        dz_i = a_i - y_i
        dw += x_i * dz_i
        db += dz_i
    return {"dw": dw / m, "db": db / m}, losses / m


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    """F10: w := w - alpha dw, b := b - alpha db, ``num_iterations`` times.

    Returns ``({"w", "b"}, {"dw", "db"}, costs)``, costs recorded every 100 iterations. The input
    ``w`` is not modified; with zero iterations the parameters come back unchanged.
    """
    w = np.array(w, dtype=float, copy=True)
    b = float(b)
    costs = []
    grads = None
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print(f"Cost after iteration {i}: {cost:f}")
    if grads is None:
        grads, _ = propagate(w, b, X, Y)
    return {"w": w, "b": b}, grads, costs


def predict(w, b, X):
    """F26: Y_prediction (1, m), 1.0 where s(w^T X + b) > 0.5, else 0.0."""
    return (forward(w, b, X) > 0.5).astype(float)


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    """Train from zeros (F8-F13), predict train and test; returns the course's result dict."""
    w, b = initialize_with_zeros(X_train.shape[0])
    params, _, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
    w, b = params["w"], params["b"]
    Y_prediction_train = predict(w, b, X_train)
    Y_prediction_test = predict(w, b, X_test)
    return {
        "costs": costs,
        "Y_prediction_test": Y_prediction_test,
        "Y_prediction_train": Y_prediction_train,
        "train_accuracy": float(np.mean(Y_prediction_train == Y_train)),
        "test_accuracy": float(np.mean(Y_prediction_test == Y_test)),
        "w": w,
        "b": b,
        "learning_rate": learning_rate,
        "num_iterations": num_iterations,
    }


def computation_graph(a, b, c):
    """F11: J = 3(a + b c) as u = b c, v = a + u, J = 3 v; backward dJ/da = 3, dJ/db = 3c, dJ/dc = 3b."""
    u = b * c
    v = a + u
    J = 3 * v
    dv = 3
    du = dv
    return J, {"da": dv, "db": du * c, "dc": du * b}
