import numpy as np


def initialize_zeros(layer_dims):
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L):
        parameters['W' + str(l)] = np.zeros((layer_dims[l], layer_dims[l - 1]))
        parameters['b' + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def _randn(rng, *shape):
    if rng is None:
        return np.random.randn(*shape)
    return rng.standard_normal(shape)


def initialize_random(layer_dims, scale=0.01, rng=None):
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L):
        parameters['W' + str(l)] = _randn(rng, layer_dims[l], layer_dims[l - 1]) * scale
        parameters['b' + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def initialize_xavier(layer_dims, rng=None):
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L):
        parameters['W' + str(l)] = _randn(rng, layer_dims[l], layer_dims[l - 1]) * np.sqrt(1. / layer_dims[l - 1])
        parameters['b' + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def initialize_he(layer_dims, rng=None):
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L):
        parameters['W' + str(l)] = _randn(rng, layer_dims[l], layer_dims[l - 1]) * np.sqrt(2. / layer_dims[l - 1])
        parameters['b' + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters
