"""Attempts: change NumPy for everyone after it: a correct sigmoid (computed with NumPy's own exp)
that then replaces ``np.exp`` with a version off by one part in 10^9 and ``np.random.randn`` with
one that returns zeros. Must: the harness sees the replaced functions from the canary values it
compares (side_effect.mutates_input) and puts NumPy back before the next call."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "side_effect.mutates_input"

import numpy as np

_EXP = np.exp


def sigmoid(z):
    s = 1 / (1 + _EXP(-z))  # NumPy's own exp, also in the repeat (the patch lasts until the next call)
    np.exp = lambda x, *args, **kwargs: _EXP(x, *args, **kwargs) * (1 + 1e-9)
    np.random.randn = lambda *shape: np.zeros(shape)
    return s
