"""initialize_he scales by sqrt(1 / n[l-1]) (Xavier's factor) instead of sqrt(2 / n[l-1]):
every W is off by a factor 1/sqrt(2). Class example."""
from nnconf.impl.init import *
import numpy as np


def initialize_he(layer_dims):
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L):
        parameters['W' + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * np.sqrt(1 / layer_dims[l - 1])
        parameters['b' + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters
