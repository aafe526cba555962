"""linear_forward computes np.dot(A, W) (factors in the wrong order): with pairwise-distinct
n[l-1], n[l], m the product cannot be formed and numpy raises. Document 000's listing."""
from nnconf.impl.deep import *
import numpy as np


def linear_forward(A, W, b):
    Z = np.dot(A, W) + b
    cache = (A, W, b)
    return Z, cache
