"""The 2-layer planar classifier of document 001 (F15, F16, F26): tanh hidden layer, sigmoid output.

Shapes: X (n_x, m), Y (1, m), W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1),
Z1/A1 (n_h, m), Z2/A2 (n_y, m).
"""

import numpy as np

from nnconf.impl._numerics import binary_cross_entropy, stable_sigmoid


def layer_sizes(X, Y):
    """(n_x, n_h, n_y) = (X.shape[0], 4, Y.shape[0]), as the course fixes n_h = 4."""
    return X.shape[0], 4, Y.shape[0]


def initialize_parameters(n_x, n_h, n_y, rng=None):
    """W1 = randn(n_h, n_x) * 0.01, b1 = 0, W2 = randn(n_y, n_h) * 0.01, b2 = 0 (F21).

    Draws W1 then W2 from NumPy's global state (``np.random.seed(3)`` first gives document
    001's numbers) unless ``rng`` is given.
    """
    draw = rng.standard_normal if rng is not None else (lambda shape: np.random.randn(*shape))
    W1 = draw((n_h, n_x)) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = draw((n_y, n_h)) * 0.01
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def forward_propagation(X, parameters):
    """F15: Z1 = W1 X + b1, A1 = tanh(Z1), Z2 = W2 A1 + b2, A2 = s(Z2); cache {"Z1","A1","Z2","A2"}."""
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = np.tanh(Z1)
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    A2 = stable_sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y):
    """F9: J = -(1/m) sum(Y log A2 + (1-Y) log(1-A2)), a Python float (0 log 0 = 0)."""
    return binary_cross_entropy(A2, Y)


def backward_propagation(parameters, cache, X, Y):
    """F16: dZ2 = A2 - Y, dW2 = (1/m) dZ2 A1^T, db2 = (1/m) sum(dZ2, axis=1, keepdims=True),
    dZ1 = W2^T dZ2 * (1 - A1^2), dW1 = (1/m) dZ1 X^T, db1 = (1/m) sum(dZ1, axis=1, keepdims=True).
    """
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dW2 = dZ2 @ A1.T / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = (parameters["W2"].T @ dZ2) * (1 - A1**2)
    dW1 = dZ1 @ X.T / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters, grads, learning_rate=1.2):
    """F10: theta := theta - learning_rate * d theta, returned as a new dict (inputs untouched)."""
    return {
        key: parameters[key] - learning_rate * grads["d" + key]
        for key in ("W1", "b1", "W2", "b2")
    }


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, learning_rate=1.2, costs=None):
    """Train the 2-layer network by gradient descent (F15, F16, F10), as document 001 does:
    ``np.random.seed(3)``, then ``initialize_parameters``, then ``num_iterations`` steps.

    ``print_cost`` prints the cost every 1000 iterations; a list passed as ``costs`` receives
    ``(iteration, cost)`` at the same points. Returns the learnt parameters.
    """
    n_x, _, n_y = layer_sizes(X, Y)
    np.random.seed(3)
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters)
        grads = backward_propagation(parameters, cache, X, Y)
        if i % 1000 == 0:  # the cost only where it is reported: no step needs it
            cost = compute_cost(A2, Y)
            if costs is not None:
                costs.append((i, cost))
            if print_cost:
                print(f"Cost after iteration {i}: {cost:f}")
        parameters = update_parameters(parameters, grads, learning_rate)
    return parameters


def predict(parameters, X):
    """F26: predictions (1, m), True where A2 > 0.5."""
    A2, _ = forward_propagation(X, parameters)
    return A2 > 0.5
