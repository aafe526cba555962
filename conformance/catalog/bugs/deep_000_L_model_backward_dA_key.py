"""L_model_backward stores each hidden layer's dA_prev under "dA" + str(l+1) instead of
"dA" + str(l), so the next layer's grads["dA" + str(l)] is missing: KeyError with 3 or more
layers (with 2 layers dA0 is missing and dA1 has dA0's shape). Document 000's listing."""
from nnconf.impl.deep import *
import numpy as np


def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)  # Number of layers
    m = AL.shape[1]
    Y = Y.reshape(AL.shape)  # Ensure Y has the same shape as AL
    dAL = - (np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    current_cache = caches[L-1]
    dA_prev, dW, db = linear_activation_backward(dAL, current_cache, "sigmoid")
    grads["dA" + str(L-1)] = dA_prev
    grads["dW" + str(L)] = dW
    grads["db" + str(L)] = db
    for l in reversed(range(L-1)):
        current_cache = caches[l]
        dA_prev, dW, db = linear_activation_backward(grads["dA" + str(l+1)], current_cache, "relu")
        grads["dA" + str(l+1)] = dA_prev
        grads["dW" + str(l+1)] = dW
        grads["db" + str(l+1)] = db
    return grads
