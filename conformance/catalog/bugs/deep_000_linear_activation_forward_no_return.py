"""linear_activation_forward computes A and the caches but has no return statement, so it
returns None (the z typo fixed). Document 000's listing."""
from nnconf.impl.deep import *
import numpy as np


def linear_activation_forward(A_prev, W, b, activation):
    if activation == "sigmoid":
        Z, linear_cache = linear_forward(A_prev, W, b)  # linear_cache : (A, W, b)
        A, activation_cache = sigmoid(Z)  # activation_cache : Z
    if activation == "relu":
        Z, linear_cache = linear_forward(A_prev, W, b)
        A, activation_cache = relu(Z)
