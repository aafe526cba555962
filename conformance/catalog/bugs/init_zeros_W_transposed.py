"""initialize_zeros builds W[l] with shape (n[l-1], n[l]), the transpose of (n[l], n[l-1]).
Class example."""
from nnconf.impl.init import *
import numpy as np


def initialize_zeros(layer_dims):
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L):
        parameters['W' + str(l)] = np.zeros((layer_dims[l - 1], layer_dims[l]))
        parameters['b' + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters
