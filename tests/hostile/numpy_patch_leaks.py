"""Attempts: a patch of NumPy that outlives the call: sigmoid replaces ``np.random.randn`` (a name of
``numpy.random``, not of ``numpy`` itself) with one that returns zeros; the run also checks a
correct ``tanh`` after it, in the same worker. Must: sigmoid fails (side_effect.mutates_input) and
NumPy is put back before the next call, as the message says: the correct tanh is not blamed."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "side_effect.mutates_input"
ARGS = ["--suite", "activations", "--function", "tanh"]
CLEAN = ("tanh",)

import numpy as np


def sigmoid(z):
    np.random.randn = lambda *shape: np.zeros(shape)
    return 1 / (1 + np.exp(-z))


def tanh(z):
    return np.tanh(z)
