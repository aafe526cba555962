"""sigmoid_backward returns s(z)(1 - s(z)) and forgets to multiply by the upstream gradient da.
Class example."""
from nnconf.impl.activations import *
import numpy as np


def sigmoid_backward(da, z):
    s = sigmoid(z)
    dz = s * (1 - s)
    return dz
