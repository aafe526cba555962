"""L-layer network of document 000 / course week 4, written with @ and einsum.

Caches follow the course: linear cache (A_prev, W, b), activation cache Z,
layer cache (linear_cache, activation_cache).
"""
import numpy as np

import activations as act
from activations import relu_backward as _relu_grad, sigmoid_backward as _sigmoid_grad
from init import initialize_he, initialize_random, initialize_zeros, initialize_xavier


def initialize_parameters_deep(layer_dims, rng=None):
    parameters = {}
    for l in range(1, len(layer_dims)):
        shape = (layer_dims[l], layer_dims[l - 1])
        W = np.random.randn(*shape) if rng is None else rng.standard_normal(shape)
        parameters["W" + str(l)] = W * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


# ------------------------------------------------------------------ forward
def linear_forward(A, W, b):
    Z = W @ A + b
    return Z, (A, W, b)


def sigmoid(Z):
    return act.sigmoid(Z), Z


def relu(Z):
    return act.relu(Z), Z


_FORWARD = {
    "sigmoid": act.sigmoid,
    "relu": act.relu,
    "tanh": act.tanh,
    "leaky_relu": act.leaky_relu,
    "elu": act.elu,
}
_BACKWARD = {
    "sigmoid": act.sigmoid_backward,
    "relu": act.relu_backward,
    "tanh": act.tanh_backward,
    "leaky_relu": act.leaky_relu_backward,
    "elu": act.elu_backward,
}


def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    try:
        g = _FORWARD[activation]
    except KeyError:
        raise ValueError("unknown activation %r" % (activation,))
    return g(Z), (linear_cache, Z)


def _n_layers(parameters):
    return sum(1 for k in parameters if k.startswith("W"))


def L_model_forward(X, parameters, hidden_activation="relu"):
    L = _n_layers(parameters)
    caches = []
    A = X
    for l in range(1, L + 1):
        kind = "sigmoid" if l == L else hidden_activation
        A, cache = linear_activation_forward(A, parameters["W%d" % l], parameters["b%d" % l], kind)
        caches.append(cache)
    return A, caches


def compute_cost(AL, Y):
    AL = np.asarray(AL, dtype=np.float64)
    Y = np.broadcast_to(np.asarray(Y, dtype=np.float64), AL.shape)
    m = AL.shape[1]
    with np.errstate(divide="ignore"):
        log_a = np.log(AL, out=np.zeros_like(AL), where=Y != 0)
        log_1ma = np.log1p(-AL, out=np.zeros_like(AL), where=Y != 1)
    total = np.einsum("ij,ij->", Y, log_a) + np.einsum("ij,ij->", 1 - Y, log_1ma)
    return float(-total / m)


# ------------------------------------------------------------------ backward
def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = np.einsum("im,jm->ij", dZ, A_prev) / m
    db = dZ.sum(axis=1, keepdims=True) / m
    dA_prev = W.T @ dZ
    return dA_prev, dW, db


def sigmoid_backward(dA, cache):
    return _sigmoid_grad(dA, cache)


def relu_backward(dA, cache):
    return _relu_grad(dA, cache)


def linear_activation_backward(dA, cache, activation):
    linear_cache, Z = cache
    if activation == "relu":
        dZ = relu_backward(dA, Z)
    elif activation == "sigmoid":
        dZ = sigmoid_backward(dA, Z)
    elif activation in _BACKWARD:
        dZ = _BACKWARD[activation](dA, Z)
    else:
        raise ValueError("unknown activation %r" % (activation,))
    return linear_backward(dZ, linear_cache)


def L_model_backward(AL, Y, caches, hidden_activation="relu"):
    grads = {}
    L = len(caches)
    Y = np.asarray(Y).reshape(AL.shape)
    if np.issubdtype(AL.dtype, np.floating):
        Y = Y.astype(AL.dtype)
    # sigmoid output + cross-entropy: dZ[L] = AL - Y (same as dAL * s'(Z[L]), no 0/0 at saturation)
    dZ = AL - Y
    dA_prev, dW, db = linear_backward(dZ, caches[L - 1][0])
    grads["dA%d" % (L - 1)] = dA_prev
    grads["dW%d" % L] = dW
    grads["db%d" % L] = db
    for l in range(L - 1, 0, -1):
        dA_prev, dW, db = linear_activation_backward(grads["dA%d" % l], caches[l - 1],
                                                     hidden_activation)
        grads["dA%d" % (l - 1)] = dA_prev
        grads["dW%d" % l] = dW
        grads["db%d" % l] = db
    return grads


def update_parameters(parameters, grads, learning_rate):
    lr = float(learning_rate)
    updated = dict(parameters)
    for l in range(1, _n_layers(parameters) + 1):
        updated["W%d" % l] = parameters["W%d" % l] - lr * grads["dW%d" % l]
        updated["b%d" % l] = parameters["b%d" % l] - lr * grads["db%d" % l]
    return updated


# ------------------------------------------------------------------ model
_INITIALIZERS = {
    "he": initialize_he,
    "xavier": initialize_xavier,
    "random": initialize_random,
    "zeros": initialize_zeros,
    "deep": initialize_parameters_deep,
}


def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False,
                  initializer=None, hidden_activation="relu"):
    if initializer is None:
        initializer = initialize_he
    elif isinstance(initializer, str):
        initializer = _INITIALIZERS[initializer.lower()]
    parameters = initializer(layers_dims)
    costs = []
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters, hidden_activation=hidden_activation)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches, hidden_activation=hidden_activation)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print("Cost after iteration {}: {}".format(i, cost))
    return parameters, costs


def predict(X, y, parameters):
    probas, _ = L_model_forward(X, parameters)
    p = (probas > 0.5).astype(np.float64)
    return p
