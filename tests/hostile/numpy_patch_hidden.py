"""Attempts: the patches of numpy_patch (``np.exp`` off by 1e-9, ``np.random.randn`` giving zeros),
hidden: before patching, the target takes the canary values of the worker it runs in
(``sys.modules["__main__"].numpy_canary()``, NumPy untouched) and replaces the worker's
``numpy_canary`` with a function that returns them, so that the values the harness compares are
those of a clean NumPy. Must: the patch is still found (side_effect.mutates_input), exit 1."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "side_effect.mutates_input"

import sys

import numpy as np

_EXP = np.exp


def _hide():
    worker = sys.modules.get("__main__")
    canary = getattr(worker, "numpy_canary", None)
    if canary is not None and not getattr(canary, "hostile", False):
        clean = canary()

        def numpy_canary():
            return clean

        numpy_canary.hostile = True
        worker.numpy_canary = numpy_canary


def sigmoid(z):
    _hide()
    s = 1 / (1 + _EXP(-z))  # NumPy's own exp, also in the repeat (the patch lasts until the next call)
    np.exp = lambda x, *args, **kwargs: _EXP(x, *args, **kwargs) * (1 + 1e-9)
    np.random.randn = lambda *shape: np.zeros(shape)
    return s
