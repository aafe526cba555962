"""The L-layer network of document 000 (F14, F17-F19, F26).

Column-major shapes: X = A[0] (n[0], m); W[l] (n[l], n[l-1]); b[l] (n[l], 1); Z[l], A[l] (n[l], m).
Caches follow the course: linear cache ``(A_prev, W, b)``, activation cache ``Z``, layer cache
``(linear_cache, activation_cache)``. Hidden layers use ReLU by default (any activation of the
``activations`` suite: "relu", "tanh", "leaky_relu", "elu", "sigmoid"); the output is sigmoid.
"""

import numpy as np

from nnconf.impl import activations, init
from nnconf.impl._numerics import binary_cross_entropy


def initialize_parameters_deep(layer_dims, rng=None):
    """F21 as document 000 writes it: W[l] = randn(n[l], n[l-1]) * 0.01, b[l] = zeros (n[l], 1)."""
    return init.initialize_random(layer_dims, scale=0.01, rng=rng)


def linear_forward(A, W, b):
    """F14: Z = W A + b, Z (n[l], m); cache = (A, W, b)."""
    Z = W @ A
    Z += b  # into the product's own array: no second (n[l], m) array
    return Z, (A, W, b)


def sigmoid(Z):
    """F1: A = s(Z); cache = Z."""
    return activations.sigmoid(Z), Z


def relu(Z):
    """F3: A = max(0, Z); cache = Z."""
    return activations.relu(Z), Z


def sigmoid_backward(dA, cache):
    """F1/F18: dZ = dA * s(Z) (1 - s(Z)), with Z the activation cache."""
    return activations.sigmoid_backward(dA, cache)


def relu_backward(dA, cache):
    """F3/F18: dZ = dA where Z > 0, else 0 (also at Z = 0); a new array, dA is not modified."""
    return activations.relu_backward(dA, cache)


def linear_activation_forward(A_prev, W, b, activation):
    """F17: A = g(W A_prev + b) for g in the activations suite; cache = ((A_prev, W, b), Z)."""
    Z, linear_cache = linear_forward(A_prev, W, b)
    A = _activation_forward(activation)(Z)
    return A, (linear_cache, Z)


def L_model_forward(X, parameters, hidden_activation="relu"):
    """F17: [LINEAR -> g] * (L-1) -> LINEAR -> SIGMOID; returns (AL (n[L], m), caches, one per layer)."""
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A, cache = linear_activation_forward(
            A, parameters[f"W{l}"], parameters[f"b{l}"], hidden_activation
        )
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters[f"W{L}"], parameters[f"b{L}"], "sigmoid")
    caches.append(cache)
    return AL, caches


def compute_cost(AL, Y):
    """F9: J = -(1/m) sum(Y log AL + (1-Y) log(1-AL)), a Python float (0 log 0 = 0)."""
    return binary_cross_entropy(AL, Y)


def linear_backward(dZ, cache, input_gradient=True):
    """F14: dW = (1/m) dZ A_prev^T, db = (1/m) sum(dZ, axis=1, keepdims=True), dA_prev = W^T dZ.

    The course folds 1/m into dW and db only. Returns (dA_prev, dW, db); dA_prev is None with
    ``input_gradient=False`` (the first layer's, which only a caller that backpropagates into X needs).
    """
    A_prev, W, _ = cache
    m = A_prev.shape[1]
    dZ_m = dZ / m  # (1/m) dZ, once, for both dW and db
    dW = dZ_m @ A_prev.T
    db = dZ_m.sum(axis=1, keepdims=True)
    dA_prev = W.T @ dZ if input_gradient else None
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation, input_gradient=True):
    """F18: dZ = dA * g'(Z), then linear_backward; returns (dA_prev, dW, db)."""
    linear_cache, Z = cache
    dZ = _activation_backward(activation)(dA, Z)
    return linear_backward(dZ, linear_cache, input_gradient)


def L_model_backward(AL, Y, caches, hidden_activation="relu", input_gradient=True):
    """F18: dAL = -(Y/AL - (1-Y)/(1-AL)), then each layer backward from L to 1.

    The output layer uses dZ[L] = AL - Y (the same value as dAL * s'(Z[L]), without dividing by
    a saturated AL). Returns grads {"dA{l-1}", "dW{l}", "db{l}"} for l = L..1; without "dA0" when
    ``input_gradient=False`` (training needs no gradient of X, and W1^T dZ1 is the pass's largest
    product when the input is wide).
    """
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dZL = AL - Y
    grads[f"dA{L - 1}"], grads[f"dW{L}"], grads[f"db{L}"] = linear_backward(dZL, caches[L - 1][0], L > 1 or input_gradient)
    for l in reversed(range(1, L)):
        dA_prev, dW, db = linear_activation_backward(grads[f"dA{l}"], caches[l - 1], hidden_activation,
                                                     l > 1 or input_gradient)
        grads[f"dA{l - 1}"], grads[f"dW{l}"], grads[f"db{l}"] = dA_prev, dW, db
    if not input_gradient:
        del grads["dA0"]
    return grads


def update_parameters(parameters, grads, learning_rate):
    """F10: W[l] := W[l] - lr dW[l], b[l] := b[l] - lr db[l], in place (the arrays of
    ``parameters`` are updated, as the course's loop reassigns them); returns ``parameters``."""
    for key, value in parameters.items():
        value -= learning_rate * grads["d" + key]
    return parameters


def L_layer_model(
    X,
    Y,
    layers_dims,
    learning_rate=0.0075,
    num_iterations=3000,
    print_cost=False,
    initializer=None,
    hidden_activation="relu",
):
    """Train the L-layer network by gradient descent (F17, F18, F10).

    ``initializer`` is a function of ``layer_dims`` or a name of ``init.INITIALIZERS``; the default
    is He, since randn * 0.01 stalls a 4-layer network. Returns (parameters, costs), the costs
    recorded every 100 iterations.
    """
    if initializer is None or isinstance(initializer, str):
        initializer = init.INITIALIZERS[initializer or "he"]
    parameters = initializer(layers_dims)
    costs = []
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters, hidden_activation)
        if i % 100 == 0:  # the cost only where it is recorded: no step needs it
            cost = compute_cost(AL, Y)
            costs.append(cost)
            if print_cost:
                print(f"Cost after iteration {i}: {cost:f}")
        grads = L_model_backward(AL, Y, caches, hidden_activation, input_gradient=False)
        parameters = update_parameters(parameters, grads, learning_rate)
    return parameters, costs


def two_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    """Train LINEAR -> RELU -> LINEAR -> SIGMOID by gradient descent (F17, F18, F10), as the
    course's application notebook builds it from the step functions.

    layers_dims = (n_x, n_h, n_y). ``np.random.seed(1)``, then W1 (n_h, n_x), W2 (n_y, n_h) drawn
    randn * 0.01 in that order, b1, b2 = 0 (the course's ``initialize_parameters(n_x, n_h, n_y)``).
    Each iteration: A1 = relu(W1 X + b1), A2 = s(W2 A1 + b2); cost J (F9); dA2 = -(Y/A2 - (1-Y)/(1-A2))
    (taken as dZ2 = A2 - Y, the same value without dividing by a saturated A2); dA1, dW2, db2 from
    the sigmoid layer, dW1, db1 from the ReLU layer (F14: dW = (1/m) dZ A_prev^T, db = (1/m) sum dZ);
    W := W - learning_rate dW, b := b - learning_rate db. Returns (parameters, costs), the costs
    recorded every 100 iterations.
    """
    n_x, n_h, n_y = layers_dims
    np.random.seed(1)
    parameters = initialize_parameters_deep([n_x, n_h, n_y])
    costs = []
    for i in range(num_iterations):
        A1, cache1 = linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
        A2, cache2 = linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
        if i % 100 == 0:
            cost = compute_cost(A2, Y)
            costs.append(cost)
            if print_cost:
                print(f"Cost after iteration {i}: {cost:f}")
        grads = {}
        dA1, grads["dW2"], grads["db2"] = linear_backward(A2 - Y.reshape(A2.shape), cache2[0])
        _, grads["dW1"], grads["db1"] = linear_activation_backward(dA1, cache1, "relu", input_gradient=False)
        parameters = update_parameters(parameters, grads, learning_rate)
    return parameters, costs


def predict(X, y, parameters, hidden_activation="relu"):
    """F26: p (1, m) = 1 where AL > 0.5, else 0 (float, as the course)."""
    AL, _ = L_model_forward(X, parameters, hidden_activation)
    return (AL > 0.5).astype(float)


def _activation_forward(name):
    try:
        return activations.FORWARD[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; use one of {sorted(activations.FORWARD)}"
        ) from None


def _activation_backward(name):
    _activation_forward(name)
    return activations.BACKWARD[name]
