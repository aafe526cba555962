"""get_gradients takes dLdW1 = dLdZ1 X^T (the column-major course's order) although W1 is stored
(2, h): with the document's h = 2 the shape matches and the values are the transpose (for other h
the shape is transposed). Class example."""
from nnconf.impl.xor import *
import numpy as np


def get_gradients(X, Y, _params):
    W1, B1, W2, B2 = _params
    m = X.shape[1]
    Z1, H, Z2, YHat, loss = forward_loss(X, Y, _params)
    dLdZ2 = (1/m) * (YHat - Y)
    dLdW2 = np.dot(H, dLdZ2.T)
    dLdB2 = np.sum(dLdZ2, axis=1, keepdims=True)
    dLdH = np.dot(W2, dLdZ2)
    dLdZ1 = dLdH * H * (1 - H)
    dLdW1 = np.dot(dLdZ1, X.T)
    dLdB1 = np.sum(dLdZ1, axis=1, keepdims=True)
    return [dLdW1, dLdB1, dLdW2, dLdB2], loss
