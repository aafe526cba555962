"""layer_sizes reads n_x = X.shape[1], the number of examples, instead of X.shape[0], the number
of features. Class example."""
from nnconf.impl.shallow import *
import numpy as np


def layer_sizes(X, Y):
    n_x = X.shape[1]  # size of input layer
    n_h = 4
    n_y = Y.shape[0]  # size of output layer
    return (n_x, n_h, n_y)
