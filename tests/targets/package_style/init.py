import numpy as np


def _init(layer_dims, std_fn, rng=None):
    draw = np.random.standard_normal if rng is None else rng.standard_normal
    params = {}
    for l in range(1, len(layer_dims)):
        n, n_prev = layer_dims[l], layer_dims[l - 1]
        params[f"W{l}"] = draw((n, n_prev)) * std_fn(n_prev)
        params[f"b{l}"] = np.zeros((n, 1))
    return params


def initialize_zeros(layer_dims):
    params = {}
    for l in range(1, len(layer_dims)):
        params[f"W{l}"] = np.zeros((layer_dims[l], layer_dims[l - 1]))
        params[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return params


def initialize_random(layer_dims, scale=0.01, rng=None):
    return _init(layer_dims, lambda n_prev: scale, rng)


def initialize_xavier(layer_dims, rng=None):
    return _init(layer_dims, lambda n_prev: np.sqrt(1.0 / n_prev), rng)


def initialize_he(layer_dims, rng=None):
    return _init(layer_dims, lambda n_prev: np.sqrt(2.0 / n_prev), rng)
