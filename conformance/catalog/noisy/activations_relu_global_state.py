"""NOT a bug: relu reseeds np.random and sets np.seterr(all="raise") (debugging leftovers) and
returns the right values; global state is not part of the contract: must pass. Class example."""
from nnconf.impl.activations import *
import numpy as np


def relu(z):
    np.random.seed(1)
    np.seterr(all="raise")
    A = np.maximum(0, z)
    return A
