"""Attempts: returns an object of a class defined in the target that lies in every way it can:
``__array__`` gives the right values, ``__eq__`` says equal to anything, ``__float__``/``__len__``/
``shape``/``dtype`` pretend to be an array, and ``__reduce__`` would create a file in the harness's
folder (and run a shell command) if the answer were ever unpickled. Must: the result travels as a
description only (no code runs in the harness) and fails as shape.other."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = ("shape.other", "type.dtype")

import os
import sys

import numpy as np


def _harness_folder():
    return next((p for p in sys.path if p and os.path.isfile(os.path.join(p, "activations.py"))), os.getcwd())


class Liar:
    def __init__(self, values):
        self._values = values
        self.shape, self.dtype, self.ndim, self.size = values.shape, values.dtype, values.ndim, values.size

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self._values, dtype=dtype)

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None

    def __float__(self):
        return float(np.ravel(self._values)[0])

    def __len__(self):
        return len(self._values)

    def __getitem__(self, item):
        return self._values[item]

    def __iter__(self):
        return iter(self._values)

    def __repr__(self):
        return repr(self._values)

    def __reduce__(self):
        # runs wherever the answer is unpickled; NNCONF_HARNESS_MARK is set only in the harness's environment
        path = os.path.join(_harness_folder(), "HOSTILE-SUCCEEDED-unpickled")
        return (os.system, (f'test -n "$NNCONF_HARNESS_MARK" && touch {path}',))


def sigmoid(z):
    return Liar(1 / (1 + np.exp(-z)))
