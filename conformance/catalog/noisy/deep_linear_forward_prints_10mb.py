"""NOT a bug: linear_forward prints about 10 MB of debugging output on every call and returns the
right (Z, cache): must pass. Class example."""
from nnconf.impl.deep import *
import numpy as np


def linear_forward(A, W, b):
    Z = np.dot(W, A) + b
    print("Z =", Z)
    print("-" * 10_000_000)
    cache = (A, W, b)
    return Z, cache
