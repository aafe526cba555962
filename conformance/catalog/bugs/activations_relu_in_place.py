"""relu zeroes the negative entries of z in place and returns z: right values, but the caller's
array is overwritten. Class example."""
from nnconf.impl.activations import *
import numpy as np


def relu(z):
    z[z < 0] = 0
    return z
