"""update_parameters adds the gradient (+=): a step uphill, the sign of the update flipped. Class example."""
from nnconf.impl.deep import *


def update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters["W" + str(l)] += learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] += learning_rate * grads["db" + str(l)]
    return parameters
