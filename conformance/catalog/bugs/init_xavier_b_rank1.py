"""initialize_xavier builds b = np.zeros(layer_dims[l]), rank-1 (n,) instead of (n, 1).
Class example."""
from nnconf.impl.init import *
import numpy as np


def initialize_xavier(layer_dims):
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L):
        parameters['W' + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * np.sqrt(1 / layer_dims[l - 1])
        parameters['b' + str(l)] = np.zeros(layer_dims[l])
    return parameters
