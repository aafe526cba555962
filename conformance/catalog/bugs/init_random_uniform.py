"""initialize_random draws with np.random.rand (uniform on [0, 1)) instead of np.random.randn
(standard normal): right shapes, wrong numbers. Class example."""
from nnconf.impl.init import *
import numpy as np


def initialize_random(layer_dims, scale=0.01):
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L):
        parameters['W' + str(l)] = np.random.rand(layer_dims[l], layer_dims[l - 1]) * scale
        parameters['b' + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters
