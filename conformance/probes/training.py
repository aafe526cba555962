"""The target's own training loops and the planar sweep, run in the worker next to the target
(see :mod:`nnconf.conformance.training` for the reference side and the curves)."""

import numpy as np

from nnconf.conformance import loader, probes

def _fn(module, suite, name):
    return loader.resolve(module, suite, name)[0]


def loop_shallow(module, X, Y, params, lr, iterations):
    forward, backward, update = (_fn(module, "shallow", n) for n in (
        "forward_propagation", "backward_propagation", "update_parameters"))
    cost = probes.cost_function(module, "shallow")
    costs = []
    for _ in range(iterations):
        A2, cache = forward(X, params)
        costs.append(float(np.squeeze(cost(A2, Y))))
        params = update(params, backward(params, cache, X, Y), lr)
    return costs


def loop_deep(module, X, Y, params, lr, iterations):
    forward, backward, update = (_fn(module, "deep", n) for n in (
        "L_model_forward", "L_model_backward", "update_parameters"))
    cost = probes.cost_function(module, "deep")
    costs = []
    for _ in range(iterations):
        AL, caches = forward(X, params)
        costs.append(float(np.squeeze(cost(AL, Y))))
        params = update(params, backward(AL, Y, caches), lr)
    return costs


def loop_logistic(module, X, Y, params, lr, iterations):
    propagate = _fn(module, "logistic", "propagate")
    w, b = params["w"], params["b"]
    costs = []
    for _ in range(iterations):
        grads, cost = propagate(w, b, X, Y)
        costs.append(float(np.squeeze(cost)))
        w, b = w - lr * grads["dw"], b - lr * grads["db"]
    return costs


def loop_xor(module, X, Y, params, lr, iterations):
    get_gradients = _fn(module, "xor", "get_gradients")
    params = list(params)
    costs = []
    for _ in range(iterations):
        grads, loss = get_gradients(X, Y, params)
        costs.append(float(np.squeeze(loss)))
        params = [p - lr * g for p, g in zip(params, grads)]
    return costs


def loop_two_layer(module, x, t, params, lr, batches):
    net = _fn(module, "layers", "TwoLayerNet")(x.shape[1], params["W1"].shape[1], t.shape[1])
    for key, value in params.items():
        net.params[key][...] = value
    costs = []
    for batch in batches:
        costs.append(float(net.loss(x[batch], t[batch])))
        grads = net.gradient(x[batch], t[batch])
        for key in ("W1", "b1", "W2", "b2"):
            net.params[key] -= lr * grads[key]
    return costs


def planar_sweep(module, X, Y, sizes, iterations, grid):
    """The target's nn_model for each hidden size (np.random.seed(3) first, as document 001),
    its training accuracy, and its A2 on a grid for the decision boundary."""
    nn_model, predict, forward = (_fn(module, "shallow", n) for n in ("nn_model", "predict", "forward_propagation"))
    out = []
    for n_h in sizes:
        np.random.seed(3)
        params = nn_model(X, Y, n_h, iterations)
        accuracy = float(np.mean(np.asarray(predict(params, X)).astype(float) == Y))
        p = np.asarray(forward(grid, params)[0], dtype=float).reshape(-1)
        out.append({"n_h": n_h, "accuracy": accuracy, "p": p})
    return out
