"""prelu_backward returns dalpha elementwise (z's shape) without summing it down to alpha's shape
(a scalar alpha needs a scalar dalpha). Class example."""
from nnconf.impl.activations import *
import numpy as np


def prelu_backward(da, z, alpha):
    dz = np.where(z > 0, da, alpha * da).astype(da.dtype)
    dalpha = np.where(z > 0, 0, da * z)
    return dz, dalpha
