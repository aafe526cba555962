"""linear_activation_forward calls relu(z) with a lower-case z that does not exist: NameError on
the "relu" branch (the "sigmoid" branch works). Document 000's listing."""
from nnconf.impl.deep import *
import numpy as np


def linear_activation_forward(A_prev, W, b, activation):
    if activation == "sigmoid":
        Z, linear_cache = linear_forward(A_prev, W, b)  # linear_cache : (A, W, b)
        A, activation_cache = sigmoid(Z)  # activation_cache : Z
    if activation == "relu":
        Z, linear_cache = linear_forward(A_prev, W, b)
        A, activation_cache = relu(z)
    cache = (linear_cache, activation_cache)
    return A, cache
