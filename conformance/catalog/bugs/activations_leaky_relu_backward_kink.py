"""leaky_relu_backward applies alpha only where z < 0, so at z == 0 it gives da instead of
alpha * da (PyTorch: alpha). Class example."""
from nnconf.impl.activations import *
import numpy as np


def leaky_relu_backward(da, z, alpha=0.01):
    dz = np.where(z < 0, alpha * da, da)
    return dz
