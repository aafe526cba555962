import numpy as np
from ._util import stable_sigmoid, xlogy
from .init import initialize_he


def initialize_parameters_deep(layer_dims, rng=None):
    draw = np.random.standard_normal if rng is None else rng.standard_normal
    out = {}
    for l in range(1, len(layer_dims)):
        out["W%d" % l] = draw((layer_dims[l], layer_dims[l - 1])) * 0.01
        out["b%d" % l] = np.zeros((layer_dims[l], 1))
    return out


def linear_forward(A, W, b):
    return W @ A + b, (A, W, b)


def sigmoid(Z):
    return stable_sigmoid(Z), Z


def relu(Z):
    return np.maximum(Z, 0), Z


_ACT = {"sigmoid": sigmoid, "relu": relu}


def linear_activation_forward(A_prev, W, b, activation):
    Z, lin = linear_forward(A_prev, W, b)
    A, act = _ACT[activation](Z)
    return A, (lin, act)


def L_model_forward(X, parameters):
    L = len(parameters) // 2
    A, caches = X, []
    for l in range(1, L + 1):
        A, cache = linear_activation_forward(A, parameters["W%d" % l], parameters["b%d" % l],
                                             "relu" if l < L else "sigmoid")
        caches.append(cache)
    return A, caches


def compute_cost(AL, Y):
    m = Y.shape[1]
    return float(-np.sum(xlogy(Y, AL) + xlogy(1 - Y, 1 - AL)) / m)


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = np.einsum("im,jm->ij", dZ, A_prev) / m
    db = dZ.sum(axis=1, keepdims=True) / m
    dA_prev = np.einsum("ji,jm->im", W, dZ)
    return dA_prev, dW, db


def sigmoid_backward(dA, cache):
    s = stable_sigmoid(cache)
    return dA * s * (1 - s)


def relu_backward(dA, cache):
    return np.where(cache > 0, dA, np.zeros_like(dA))


def linear_activation_backward(dA, cache, activation):
    lin, act = cache
    dZ = (relu_backward if activation == "relu" else sigmoid_backward)(dA, act)
    return linear_backward(dZ, lin)


def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dZ = AL - Y  # dZ[L] for a sigmoid output with cross-entropy
    dA, dW, db = linear_backward(dZ, caches[-1][0])
    grads["dA%d" % (L - 1)], grads["dW%d" % L], grads["db%d" % L] = dA, dW, db
    for l in range(L - 1, 0, -1):
        dA, dW, db = linear_activation_backward(grads["dA%d" % l], caches[l - 1], "relu")
        grads["dA%d" % (l - 1)], grads["dW%d" % l], grads["db%d" % l] = dA, dW, db
    return grads


def update_parameters(parameters, grads, learning_rate):
    new = dict(parameters)
    for key in parameters:
        new[key] = parameters[key] - learning_rate * grads["d" + key]
    return new


def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False,
                  initializer=None):
    init_fn = initialize_he if initializer is None else initializer
    parameters = init_fn(layers_dims)
    costs = []
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        if i % 100 == 0:
            cost = compute_cost(AL, Y)
            costs.append(cost)
            if print_cost:
                print(f"Cost after iteration {i}: {cost}")
        parameters = update_parameters(parameters, L_model_backward(AL, Y, caches), learning_rate)
    return parameters, costs


def predict(X, y, parameters):
    AL, _ = L_model_forward(X, parameters)
    return (AL > 0.5).astype(float)
