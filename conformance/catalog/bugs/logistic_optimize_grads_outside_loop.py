"""optimize calls propagate once before the loop and then steps with those first gradients every
iteration: after two or more iterations the parameters (and costs) are wrong. Class example."""
from nnconf.impl.logistic import *
import numpy as np


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    costs = []
    grads, cost = propagate(w, b, X, Y)
    for i in range(num_iterations):
        dw = grads["dw"]
        db = grads["db"]
        w = w - learning_rate * dw
        b = b - learning_rate * db
        if i % 100 == 0:
            costs.append(cost)
    params = {"w": w, "b": b}
    return params, grads, costs
