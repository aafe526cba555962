"""initialize_with_zeros builds w = np.zeros(dim), a rank-1 (dim,) array instead of (dim, 1).
Class example."""
from nnconf.impl.logistic import *
import numpy as np


def initialize_with_zeros(dim):
    w = np.zeros(dim)
    b = 0.0
    return w, b
