"""Attempts: a wrong relu that builds the harness's own stand-in for a failed import
(``sources.Unavailable``) and calls it, so that the harness's own class is raised by the harness's
own code: "`sigmoid` is not available", a skip, and the run passes. Must: the harness reads the
file itself, which imports no ``sigmoid``: the skip does not fit, the call is the code's own crash
(crash.exception), exit 1."""
SUITE = "activations"
FUNCTION = "relu"
DIAGNOSIS = "crash.exception"

import sys

import numpy as np


def relu(z):
    sources = sys.modules.get("nnconf.conformance.reading.sources")
    if sources is not None:
        sources.Unavailable("sigmoid", "dnn_utils.py:1 failed (ModuleNotFoundError: No module named 'dnn_utils')")()
    return np.zeros_like(z) - 1  # wrong, should the forged skip not hold
