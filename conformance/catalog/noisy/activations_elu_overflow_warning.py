"""NOT a bug: elu as np.where(z > 0, z, alpha * (np.exp(z) - 1)). np.exp overflows in the branch
np.where discards (RuntimeWarning) and the result is right: must pass. Class example."""
from nnconf.impl.activations import *
import numpy as np


def elu(z, alpha=1.0):
    return np.where(z > 0, z, alpha * (np.exp(z) - 1))
