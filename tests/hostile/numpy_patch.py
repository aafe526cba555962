"""Attempts: change NumPy for everyone after it: a correct sigmoid (computed with NumPy's own exp)
that then replaces ``np.exp`` with a version off by one part in 10^9 and ``np.random.randn`` with
one that returns zeros. Must: the harness sees the replaced functions from the canary values it
compares (side_effect.mutates_input) and puts NumPy back before the next call."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "side_effect.mutates_input"

import numpy as np


def sigmoid(z):
    s = 1 / (1 + np.exp(-z))
    exp = np.exp
    np.exp = lambda x, *args, **kwargs: exp(x, *args, **kwargs) * (1 + 1e-9)
    np.random.randn = lambda *shape: np.zeros(shape)
    return s
