"""sigmoid_backward is a copy of relu_backward whose body was never changed: it applies ReLU's
derivative to a sigmoid layer. Class example."""
from nnconf.impl.deep import *
import numpy as np


def sigmoid_backward(dA, activation_cache):
    Z = activation_cache
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    return dZ
