"""relu_backward zeroes dZ only where Z < 0, so at Z == 0 it passes dA instead of 0 (PyTorch: 0).
Document 000's listing."""
from nnconf.impl.deep import *
import numpy as np


def relu_backward(dA, activation_cache):
    Z = activation_cache
    dZ = np.array(dA, copy=True)
    dZ[Z < 0] = 0
    return dZ
