"""initialize_he passes a shape tuple to np.random.randn, which takes separate ints: TypeError.
Class example."""
from nnconf.impl.init import *
import numpy as np


def initialize_he(layer_dims):
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L):
        parameters['W' + str(l)] = np.random.randn((layer_dims[l], layer_dims[l - 1])) * np.sqrt(2 / layer_dims[l - 1])
        parameters['b' + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters
