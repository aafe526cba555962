"""relu_backward multiplies by (Z > 0).astype(float): `float` is float64, so a float32 dA comes
back float64. Class example."""
from nnconf.impl.deep import *
import numpy as np


def relu_backward(dA, activation_cache):
    Z = activation_cache
    dZ = dA * (Z > 0).astype(float)
    return dZ
