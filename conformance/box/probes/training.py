"""The target's own training loops and the planar sweep, run in the worker next to the target
(see :mod:`nnconf.conformance.run.training` for the reference side and the curves)."""

import inspect

import numpy as np

from nnconf.conformance.box import probes
from nnconf.conformance.reading import loader

NN_MODEL_EXTRAS = {"learning_rate": 1.2}  # document 001's rate, for an nn_model that takes it (2017-2020 learners)


DROPPABLE = ("print_cost",)  # keywords the graders pass that the API does not fix: left out where not taken


def graders_call(signature, args, kwargs, extras=None):
    """(args, kwargs) to call a function whose ``signature`` is [[name, has a default, default],
    ...] (``probes.defaults``) as the course's graders call it: ``args`` by position, ``kwargs`` by
    keyword (the graders write ``nn_model(X, Y, n_h, num_iterations=10000, print_cost=False)``, so
    a learner's ``nn_model(X, Y, n_h, learning_rate, num_iterations=10000)`` gets 10000 as its
    iterations, not as its learning rate); a keyword of :data:`DROPPABLE` the function does not take
    is left out; ``extras`` {name: the documents' value} fill a parameter the function requires
    beyond the API (that ``learning_rate``: 1.2, document 001's). A function that does not take a
    keyword the graders use (it renamed ``num_iterations``) is called by position, as the API orders
    its arguments."""
    names = [p[0] for p in signature]
    kwargs = {k: v for k, v in kwargs.items() if k in names or k not in DROPPABLE}
    if any(k not in names for k in kwargs):
        return tuple(args) + tuple(kwargs.values()), {}
    covered = set(names[: len(args)]) | set(kwargs)
    for parameter, has_default, _ in signature:
        if not has_default and parameter not in covered and parameter in (extras or {}):
            kwargs[parameter] = extras[parameter]
    return tuple(args), kwargs


def _fn(module, suite, name):
    return loader.resolve(module, suite, name)[0]


def call_seeded_with_keywords(module, suite, name, args, kwargs, seed, repeat=True):
    """``probes.call`` with keywords, after ``np.random.seed(seed)`` (document 001 seeds with 3)."""
    np.random.seed(seed)
    return probes.call(module, suite, name, args, kwargs, repeat)


def cost_with_parameters(module, suite):
    """The target's ``compute_cost`` as ``cost(A, Y, parameters)``: the parameters go to a
    ``compute_cost(A2, Y, parameters)`` of the 2017-2020 course (which may read them), not to one
    of the API's two arguments."""
    fn = _fn(module, suite, "compute_cost")
    try:
        inspect.signature(fn).bind(None, None)
    except TypeError:
        return lambda A, Y, parameters: fn(A, Y, parameters)
    except ValueError:  # no signature to read (a builtin): call it as the API says
        pass
    return lambda A, Y, parameters: fn(A, Y)


def loop_shallow(module, X, Y, params, lr, iterations):
    forward, backward, update = (_fn(module, "shallow", n) for n in (
        "forward_propagation", "backward_propagation", "update_parameters"))
    cost = cost_with_parameters(module, "shallow")
    costs = []
    for _ in range(iterations):
        A2, cache = forward(X, params)
        costs.append(float(np.squeeze(cost(A2, Y, params))))
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
    args, kwargs = graders_call(probes.defaults(module, "shallow", "nn_model"), (X, Y, None),
                                {"num_iterations": iterations, "print_cost": False}, NN_MODEL_EXTRAS)
    out = []
    for n_h in sizes:
        np.random.seed(3)
        params = nn_model(X, Y, n_h, *args[3:], **kwargs)  # as the graders: nn_model(X, Y, n_h, num_iterations=...)
        accuracy = float(np.mean(np.asarray(predict(params, X)).astype(float) == Y))
        p = np.asarray(forward(grid, params)[0], dtype=float).reshape(-1)
        out.append({"n_h": n_h, "accuracy": accuracy, "p": p})
    return out
