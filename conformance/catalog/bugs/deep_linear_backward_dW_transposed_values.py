"""linear_backward returns dW.T, "fixed" to keep the expected shape only when W is square: the
course's square test matrices hide it; the harness's square case shows the values transposed."""
from nnconf.impl.deep import *
import numpy as np


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1./m * np.dot(A_prev, dZ.T)
    if dW.shape != W.shape:
        dW = dW.T
    db = 1./m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db
