"""sigmoid returns a generator expression (parentheses where np.array([...]) was meant): an
object that is not an array. Class example."""
from nnconf.impl.activations import *
import numpy as np


def sigmoid(z):
    return (1 / (1 + np.exp(-x)) for x in z)
