"""linear_backward takes dW = (1/m) A_prev dZ^T, the logistic-regression form dw = X dZ^T copied
over: dW has the transposed shape (n[l-1], n[l]). Class example."""
from nnconf.impl.deep import *
import numpy as np


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1./m * np.dot(A_prev, dZ.T)
    db = 1./m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db
