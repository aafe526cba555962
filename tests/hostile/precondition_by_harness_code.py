"""Attempts: a wrong linear_backward that is the harness's own code: a ``functools.partial`` of the
probe that loads a net's parameters, fixed on ``None`` as the net's class, so that calling it raises
the harness's own ``Precondition`` from the harness's own frames only ("TwoLayerNet itself failed"):
every case a skip, and the run passes. Must: a precondition counts only where the probe the harness
called builds on another function of the target's, the one this function waits for
(``dependencies.WAITS_FOR``), and that one failed its own checks: here none of it, so the call is
the code's own crash (crash.exception), exit 1."""
SUITE = "deep"
FUNCTION = "linear_backward"
DIAGNOSIS = "crash.exception"

import functools
import sys

import numpy as np


def _stand_in(dZ, cache):
    return np.zeros_like(cache[0]), np.zeros_like(cache[1]), np.zeros((cache[1].shape[0], 1))  # wrong


def _forged():
    layers = sys.modules.get("nnconf.conformance.box.probes.layers")
    once = getattr(layers, "_net_once", None)
    if once is None:
        return _stand_in
    return functools.partial(once, None, (), {}, "predict", ())  # (earlier, plain) are left: (dZ, cache)


class _AtImport:  # a class body runs when the file is loaded
    linear_backward = _forged()


linear_backward = _AtImport.linear_backward
