"""compute_cost sums over axis=1 and never squeezes: the cost is an array of shape (1,), not a
scalar (the logs themselves are safe: 0 log 0 = 0). Class example."""
from nnconf.impl.shallow import *
from nnconf.impl._numerics import xlogy
import numpy as np


def compute_cost(A2, Y):
    m = Y.shape[1]
    logprobs = xlogy(Y, A2) + xlogy(1 - Y, 1 - A2)  # Y log A2 + (1-Y) log(1-A2), 0 log 0 = 0
    cost = -1/m * np.sum(logprobs, axis=1)
    return cost
