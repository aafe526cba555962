"""Attempts: end the worker at import with ``sys.exit(0)`` (in a class body, which the loader keeps),
before any function can be checked. Must: the load failure is a finding, not a pass: the suite or
the function fails (crash.exception), exit 1."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "crash.exception"
RECORD = ("sigmoid", "*")

import sys

import numpy as np


class _AtImport:
    sys.exit(0)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
