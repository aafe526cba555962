"""Attempts: a sigmoid that is the harness's own code: a ``functools.partial`` of the probe that
calls a function of the suite, fixed on a name the file does not define, so that calling it raises
the harness's own ``MissingName`` from the harness's own frames only ("needs `nothere`, which is not
implemented"): every case a skip, and the run passes. Must: a missing name counts only where it is
the function's own or one the probe the harness called looks up itself (``engine._LOOKS_UP``): the
call is the code's own error, exit 1."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = ("crash.exception", "api.missing")

import functools
import sys

import numpy as np


def _forged():
    probes = sys.modules.get("nnconf.conformance.box.probes")
    if probes is None:
        return lambda z: np.zeros_like(z)  # wrong
    return functools.partial(probes.call, sys.modules[__name__], "activations", "nothere")


class _AtImport:  # a class body runs when the file is loaded
    sigmoid = _forged()


sigmoid = _AtImport.sigmoid
