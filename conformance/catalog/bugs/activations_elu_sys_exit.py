"""elu ends with a debugging leftover, print then sys.exit(): the process is asked to exit on
every call. Class example."""
from nnconf.impl.activations import *
import sys
import numpy as np


def elu(z, alpha=1.0):
    a = np.where(z > 0, z, alpha * (np.exp(np.minimum(z, 0)) - 1))
    print("elu:", a.shape, a.dtype)
    sys.exit()
    return a
