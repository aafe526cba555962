import numpy as np


def sigmoid(z):
    return np.zeros_like(z)
