"""leaky_relu_backward multiplies da by np.where(z > 0, 1.0, alpha), a float64 array: a float32
da comes back float64. Class example."""
from nnconf.impl.activations import *
import numpy as np


def leaky_relu_backward(da, z, alpha=0.01):
    dz = da * np.where(z > 0, 1.0, alpha)
    return dz
