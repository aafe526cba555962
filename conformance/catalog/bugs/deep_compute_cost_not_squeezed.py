"""compute_cost sums with keepdims and forgets np.squeeze: the cost is a (1, 1) array, not a
scalar (the logs themselves are safe: 0 log 0 = 0). Class example."""
from nnconf.impl.deep import *
from nnconf.impl._numerics import xlogy
import numpy as np


def compute_cost(AL, Y):
    m = Y.shape[1]
    logprobs = xlogy(Y, AL) + xlogy(1 - Y, 1 - AL)  # Y log AL + (1-Y) log(1-AL), 0 log 0 = 0
    cost = -(1 / m) * np.sum(logprobs, axis=1, keepdims=True)
    return cost
