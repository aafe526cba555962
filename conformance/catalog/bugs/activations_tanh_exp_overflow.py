"""tanh written as (e^z - e^-z) / (e^z + e^-z): for |z| around 1000 both exponentials overflow
and inf / inf gives NaN. Class example."""
from nnconf.impl.activations import *
import numpy as np


def tanh(z):
    return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))
