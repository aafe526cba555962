"""Attempts: kill the worker at import with ``os._exit(0)`` (a decorator runs at import; the loader
keeps decorated functions), so that it never serves a call: a worker that dies cleanly. Must: the
dead worker is a finding, not a pass and not a hang: the suite or the function fails
(crash.exception), exit 1, the run ends quickly."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "crash.exception"
RECORD = ("sigmoid", "*")
MAX_SECONDS = 60

import os

import numpy as np


def _at_import(function):
    os._exit(0)


@_at_import
def sigmoid(z):
    return 1 / (1 + np.exp(-z))
