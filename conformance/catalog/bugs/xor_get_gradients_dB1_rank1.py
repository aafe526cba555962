"""get_gradients sums dLdB1 without keepdims=True: rank-1 (h,) instead of (h, 1). Class example."""
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
    dLdW1 = np.dot(X, dLdZ1.T)
    dLdB1 = np.sum(dLdZ1, axis=1)
    return [dLdW1, dLdB1, dLdW2, dLdB2], loss
