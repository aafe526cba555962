"""get_gradients takes the hidden derivative as sigmoid'(H) = s(H)(1 - s(H)), i.e. of the
activation A = H instead of Z1 (should be H (1 - H)): dW1 and dB1 wrong. Class example."""
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
    dLdZ1 = dLdH * sigmoid(H) * (1 - sigmoid(H))
    dLdW1 = np.dot(X, dLdZ1.T)
    dLdB1 = np.sum(dLdZ1, axis=1, keepdims=True)
    return [dLdW1, dLdB1, dLdW2, dLdB2], loss
