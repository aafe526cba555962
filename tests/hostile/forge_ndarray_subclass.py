"""Attempts: returns an ndarray subclass whose buffer holds wrong values (relu, not sigmoid) but whose
``__eq__``, ``__array__``, ``__array_wrap__``, ``tolist``, ``tobytes``, ``astype``, ``copy`` and
``__reduce__`` all present the right ones. Must: the harness judges the raw buffer: value failure."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = ("value.wrong", "value.scale", "value.sign", "value.activation_derivative", "value.kink")

import numpy as np


class Pretender(np.ndarray):
    def __array_finalize__(self, obj):
        self.right = getattr(obj, "right", None)

    def _good(self):
        return np.asarray(self.right) if self.right is not None else self.view(np.ndarray)

    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)

    def __ne__(self, other):
        return np.zeros(self.shape, dtype=bool)

    def __array__(self, dtype=None, copy=None):
        return self._good() if dtype is None else self._good().astype(dtype)

    def __array_wrap__(self, array, context=None, return_scalar=False):
        return self._good()

    def tolist(self):
        return self._good().tolist()

    def tobytes(self, order="C"):
        return self._good().tobytes(order)

    def astype(self, *args, **kwargs):
        return self._good().astype(*args, **kwargs)

    def copy(self, order="C"):
        return self._good().copy(order)

    def __reduce__(self):
        return self._good().__reduce__()

    def __repr__(self):
        return repr(self._good())


def sigmoid(z):
    wrong = np.maximum(z, 0).view(Pretender)
    wrong.right = 1 / (1 + np.exp(-z))
    return wrong
