"""tanh_backward uses 1 - z**2, the formula 1 - A**2 applied to z instead of to A = tanh(z).
Class example."""
from nnconf.impl.activations import *
import numpy as np


def tanh_backward(da, z):
    dz = da * (1 - z ** 2)
    return dz
