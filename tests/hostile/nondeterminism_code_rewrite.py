"""Attempts: the nondeterministic sigmoid of nondeterministic.py, hidden by rewriting the probe's
own function object (which the worker's table of probes, taken before the target loaded, still
holds): ``probes.call.__code__`` becomes a call that runs the function once and reports its result
as the repeat too (``call_seeded`` too), ``probes.call.__defaults__`` turns the repeat off; at
import (before the first call) and again in each call. Must: the worker refuses to rewrite its
functions, the repeat runs and differs: value.stale_state."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "value.stale_state"

import os
import sys

import numpy as np


def _once(module, suite, name, args, kwargs=None, repeat=True):  # run with the probes' globals
    fn, used = loader.resolve(module, suite, name)  # noqa: F821
    result = _plain(fn(*args, **(kwargs or {})))  # noqa: F821
    return {"result": result, "second": result, "names": _bind(fn, name, args, kwargs or {}),  # noqa: F821
            "used": used, "reached": []}


def _rewrite():
    probes = sys.modules.get("nnconf.conformance.box.probes")
    if probes is None:
        return
    for attempt in (lambda: setattr(probes.call, "__code__", _once.__code__),
                    lambda: setattr(probes.call, "__defaults__", (None, False)),
                    lambda: setattr(probes.call_seeded, "__code__", _once.__code__)):
        try:
            attempt()
        except Exception:  # noqa: BLE001 - refused: try the next
            pass


class _AtImport:  # a class body runs at import (the loader keeps it), before any probe runs
    _rewrite()


def sigmoid(z):
    _rewrite()
    s = 1 / (1 + np.exp(-z))
    noise = np.frombuffer(os.urandom(8 * max(1, s.size)), dtype=np.uint64)[: s.size] % 4 + 1
    return (s * (1 + np.finfo(s.dtype).eps * noise.reshape(s.shape))).astype(s.dtype)
