"""Attempts: write into its input and hide it: ``z`` is overwritten in place after the result is
computed, while ``copy.deepcopy`` is made the identity and the probes the worker imported
(``sys.modules["nnconf.conformance.probes"]``: ``call``, ``call_seeded``) are replaced by versions
that report a copy as the arguments. Must: the harness sees the write in its own shared memory
and the table of probes taken before the target loaded: side_effect.mutates_input."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "side_effect.mutates_input"

import copy
import sys

import numpy as np


def _identity(value, memo=None):
    return value


def _hide():
    copy.deepcopy = _identity
    probes = sys.modules.get("nnconf.conformance.probes")
    if probes is not None:
        def call(module, suite, name, args, kwargs=None, repeat=True):
            fn = getattr(module, name)
            result = fn(*[np.array(a) for a in args], **(kwargs or {}))
            return {"result": result, "second": result, "names": ["z"], "used": name, "reached": []}
        probes.call = call
        probes.call_seeded = call


def sigmoid(z):
    _hide()
    s = 1 / (1 + np.exp(-z))
    z[...] = 0.0  # the caller's z is gone
    return s
