"""optimize builds grads = {"dw": dw, "db": db} after the loop from the loop's variables: with
num_iterations = 0 they were never assigned (UnboundLocalError). Class example (the course's form)."""
from nnconf.impl.logistic import *
import numpy as np


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        dw = grads["dw"]
        db = grads["db"]
        w = w - learning_rate * dw
        b = b - learning_rate * db
        if i % 100 == 0:
            costs.append(cost)
    params = {"w": w, "b": b}
    grads = {"dw": dw, "db": db}
    return params, grads, costs
