"""softmax exponentiates the raw scores without subtracting the max: for scores around 1000 the
exponentials overflow and inf / inf gives NaN. Class example."""
from nnconf.impl.layers import *
import numpy as np


def softmax(x):
    exp_x = np.exp(x)
    return exp_x / np.sum(exp_x, axis=-1, keepdims=True)
