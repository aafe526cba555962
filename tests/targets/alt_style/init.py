"""Weight initializers (F21). W1, W2, ... are drawn in that order from NumPy's global
random state, unless an np.random.Generator is passed as rng; biases are zeros."""
import math

import numpy as np


def _normal(shape, rng):
    if rng is None:
        return np.random.randn(*shape)
    return rng.standard_normal(shape)


def _build(layer_dims, std_of, rng):
    parameters = {}
    for l in range(1, len(layer_dims)):
        n_l, n_prev = int(layer_dims[l]), int(layer_dims[l - 1])
        std = std_of(n_prev)
        if std is None:
            parameters["W%d" % l] = np.zeros((n_l, n_prev))
        else:
            parameters["W%d" % l] = _normal((n_l, n_prev), rng) * std
        parameters["b%d" % l] = np.zeros((n_l, 1))
    return parameters


def initialize_zeros(layer_dims, rng=None):
    return _build(layer_dims, lambda n_prev: None, rng)


def initialize_random(layer_dims, scale=0.01, rng=None):
    return _build(layer_dims, lambda n_prev: scale, rng)


def initialize_xavier(layer_dims, rng=None):
    return _build(layer_dims, lambda n_prev: math.sqrt(1.0 / n_prev), rng)


def initialize_he(layer_dims, rng=None):
    return _build(layer_dims, lambda n_prev: math.sqrt(2.0 / n_prev), rng)
