"""relu_backward skips the copy and zeroes dA in place (dA[Z <= 0] = 0; return dA): right values,
but the caller's dA is overwritten. Class example."""
from nnconf.impl.deep import *
import numpy as np


def relu_backward(dA, activation_cache):
    Z = activation_cache
    dA[Z <= 0] = 0
    return dA
