"""linear_backward divides dA_prev by m as well (the course folds 1/m into dW and db only):
dA_prev is off by a factor 1/m. Class example."""
from nnconf.impl.deep import *
import numpy as np


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1./m * np.dot(dZ, A_prev.T)
    db = 1./m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = 1./m * np.dot(W.T, dZ)
    return dA_prev, dW, db
