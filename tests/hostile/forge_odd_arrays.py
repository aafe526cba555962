"""Attempts: results NumPy accepts but that are not real arrays of numbers: a complex array with a
zero imaginary part (right real part), an object array of the right Python floats, a structured
array, alternating by call. Must: none passes; complex fails as type.dtype, the object and
structured arrays as shape.other or type.dtype."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = ("type.dtype", "shape.other")

import numpy as np

_CALLS = [0]


def sigmoid(z):
    s = 1 / (1 + np.exp(-z))
    _CALLS[0] += 1
    kind = (_CALLS[0] - 1) // 2 % 3  # the harness calls twice per case (the repeat)
    if kind == 0:
        return s + 0j
    if kind == 1:
        return np.array([float(v) for v in np.ravel(s)], dtype=object).reshape(s.shape)
    out = np.zeros(s.shape, dtype=[("value", s.dtype)])
    out["value"] = s
    return out
