"""Attempts: a file with a star import of a module that is not there (as a course helper file that
was not committed), whose wrong sigmoid builds the harness's own stand-in for a name that import
would have given and calls it: "`relu` is not available: ... failed", a skip, and the run passes.
Must: an unavailable name counts only where the function can reach it through the file's own
definitions (``sources.reachable``): sigmoid reads no ``relu``, so the call is the code's own crash
(crash.exception), exit 1."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "crash.exception"

import sys

import numpy as np
from nnconf_helpers_not_committed import *  # noqa: F403 - the failed import the skip would rest on


def sigmoid(z):
    sources = sys.modules.get("nnconf.conformance.reading.sources")
    if sources is not None:
        sources.Unavailable("relu", "activations.py:14 failed (ModuleNotFoundError: No module named "
                                    "'nnconf_helpers_not_committed')")()
    return np.zeros_like(z) - 1  # wrong, should the forged skip not hold
