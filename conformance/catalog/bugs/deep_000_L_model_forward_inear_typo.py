"""L_model_forward calls inear_activation_forward (missing "l") for the output layer: NameError
(the A_prev slip of the same line fixed). Document 000's listing (there named L_Model_Forward)."""
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
    AL, cache = inear_activation_forward(A, parameters['W' + str(L)], parameters['b' + str(L)], 'sigmoid')
    caches.append(cache)
    return AL, caches
