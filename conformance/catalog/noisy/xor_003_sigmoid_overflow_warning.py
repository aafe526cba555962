"""NOT a bug: document 003's sigmoid, temp = np.exp(-z); 1 / (1 + temp). It overflows with a
RuntimeWarning for z around -1000 but returns the right value 0: must pass. Document 003's listing."""
from nnconf.impl.xor import *
import numpy as np


def sigmoid(z):
    temp = np.exp(-z)
    return 1 / (1 + temp)
