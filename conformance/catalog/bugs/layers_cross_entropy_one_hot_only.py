"""cross_entropy_error handles only one-hot t: with integer labels (N,) the product t * log(y)
broadcasts (N,) against (N, C) and raises (N != C). Class example (the book's first version)."""
from nnconf.impl.layers import *
import numpy as np


def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    batch_size = y.shape[0]
    return -np.sum(t * np.log(y + 1e-7)) / batch_size
