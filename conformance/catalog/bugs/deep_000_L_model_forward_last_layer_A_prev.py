"""L_model_forward feeds A_prev (the input of the last hidden layer) to the output layer instead of
A: W[L] (n[L], n[L-1]) times A[L-2] (n[L-2], m) cannot multiply when the layer sizes are distinct
(and with one layer A_prev is unbound), so it raises. Document 000's listing ("inear" typo fixed)."""
from nnconf.impl.deep import *
import numpy as np


def L_model_forward(X, parameters):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A_prev = A
        A, cache = linear_activation_forward(A_prev, parameters['W' + str(l)], parameters['b' + str(l)], 'relu')  # cache : ((A, W, b), Z)
        caches.append(cache)
    AL, cache = linear_activation_forward(A_prev, parameters['W' + str(L)], parameters['b' + str(L)], 'sigmoid')
    caches.append(cache)
    return AL, caches
