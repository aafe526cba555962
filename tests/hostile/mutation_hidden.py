"""Attempts: write into its input and hide it: ``z`` is zeroed in place after the result is computed,
while ``copy.deepcopy`` is made the identity (so the repeat sees the zeroed ``z``; the target gives
the cached result back then, so the repeat still agrees) and the probes in
``sys.modules["nnconf.conformance.box.probes"]`` (``call``, ``call_seeded``) are replaced by versions
that call the function on a copy. Must: the harness sees the write in its own shared memory and
runs the probes it took before the target loaded: side_effect.mutates_input (a warning by the
severity rules; --strict makes the run exit 1)."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "side_effect.mutates_input"
STATUS = ("fail", "error", "warn")
ARGS = ["--strict"]

import copy
import sys

import numpy as np

_CALLS = [0]
_LAST = []


def _identity(value, memo=None):
    return value


def _hide():
    copy.deepcopy = _identity
    probes = sys.modules.get("nnconf.conformance.box.probes")
    if probes is not None:
        def call(module, suite, name, args, kwargs=None, repeat=True):
            fn = getattr(module, name)
            result = fn(*[np.array(a) for a in args], **(kwargs or {}))
            return {"result": result, "second": result, "names": ["z"], "used": name, "reached": []}
        probes.call = call
        probes.call_seeded = call


def sigmoid(z):
    _hide()
    _CALLS[0] += 1
    if _CALLS[0] % 2 == 0 and _LAST:
        return _LAST[0].copy()  # the repeat: the caller's z is zeros by now
    s = 1 / (1 + np.exp(-z))
    z[...] = 0  # the caller's z is gone
    _LAST[:] = [s]
    return s
