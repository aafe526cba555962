"""affine loops over the examples with `while i < m` and never increments i: an endless loop.
Class example."""
from nnconf.impl.xor import *
import numpy as np


def affine(W, X, B):
    m = X.shape[1]
    out = np.zeros((W.shape[1], m))
    i = 0
    while i < m:
        out[:, i:i + 1] = np.dot(W.T, X[:, i:i + 1]) + B
    return out
