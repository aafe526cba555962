"""Parameter initializers for a layer_dims = [n0, n1, ..., nL] network (F21).

Each returns ``{"W1": (n1, n0), "b1": (n1, 1), ...}``; b's are zeros. Weights are drawn from
NumPy's global random state in the course's order (W1, W2, ...) unless ``rng`` (a
``np.random.Generator``) is given. Zeros make every unit of a layer identical (symmetry), so
gradient descent can never tell them apart; random scales break the symmetry.
"""

import numpy as np


def _standard_normal(shape, rng):
    return rng.standard_normal(shape) if rng is not None else np.random.randn(*shape)


def _initialize(layer_dims, std_of_layer, rng):
    parameters = {}
    for l in range(1, len(layer_dims)):
        shape = (layer_dims[l], layer_dims[l - 1])
        parameters[f"W{l}"] = _standard_normal(shape, rng) * std_of_layer(layer_dims[l - 1])
        parameters[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return parameters


def initialize_zeros(layer_dims):
    """F21: W[l] = 0 and b[l] = 0 (keeps all units symmetric: a counter-example, not for use)."""
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters[f"W{l}"] = np.zeros((layer_dims[l], layer_dims[l - 1]))
        parameters[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return parameters


def initialize_random(layer_dims, scale=0.01, rng=None):
    """F21: W[l] = randn(n[l], n[l-1]) * scale (the course's 0.01), b[l] = 0."""
    return _initialize(layer_dims, lambda fan_in: scale, rng)


def initialize_xavier(layer_dims, rng=None):
    """F21: Xavier/Glorot, W[l] = randn(n[l], n[l-1]) * sqrt(1 / n[l-1]), b[l] = 0."""
    return _initialize(layer_dims, lambda fan_in: np.sqrt(1.0 / fan_in), rng)


def initialize_he(layer_dims, rng=None):
    """F21: He, W[l] = randn(n[l], n[l-1]) * sqrt(2 / n[l-1]), b[l] = 0."""
    return _initialize(layer_dims, lambda fan_in: np.sqrt(2.0 / fan_in), rng)


INITIALIZERS = {
    "zeros": initialize_zeros,
    "random": initialize_random,
    "xavier": initialize_xavier,
    "he": initialize_he,
}
