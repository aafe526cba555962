"""NOT a bug: sigmoid as 1 / (1 + np.exp(-z)). For z around -1000 np.exp overflows to inf with a
RuntimeWarning, and 1 / inf = 0 is the right value: noted, must pass. Class example."""
from nnconf.impl.activations import *
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
