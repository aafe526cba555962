"""Vectorised NumPy implementation of the nnconf suites (red-team reference #2)."""
from . import activations, logistic, shallow, deep, init, xor, layers  # noqa: F401
