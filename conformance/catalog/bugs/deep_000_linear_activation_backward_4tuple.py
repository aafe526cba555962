"""linear_activation_backward unpacks the layer cache as A_prev, W, b, Z = cache (the aside of
document 000), but the cache is ((A_prev, W, b), Z): ValueError on every call."""
from nnconf.impl.deep import *
import numpy as np


def linear_activation_backward(dA, cache, activation):
    A_prev, W, b, Z = cache  # values saved by the forward pass
    if activation == "relu":
        dZ = relu_backward(dA, Z)
    elif activation == "sigmoid":
        dZ = sigmoid_backward(dA, Z)
    dA_prev, dW, db = linear_backward(dZ, (A_prev, W, b))
    return dA_prev, dW, db
