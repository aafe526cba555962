"""optimize updates with w -= learning_rate * dw, which writes into the caller's w array (values
right, input overwritten). Class example."""
from nnconf.impl.logistic import *
import numpy as np


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    costs = []
    grads, _ = propagate(w, b, X, Y)
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w -= learning_rate * grads["dw"]
        b -= learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
    params = {"w": w, "b": b}
    return params, grads, costs
