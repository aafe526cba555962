"""Attempts: the nondeterministic sigmoid of nondeterministic.py, hidden: the probe the worker runs
is taken from a table made before the target loaded, but the helpers it calls are looked up in
its module at call time; the target replaces ``probes._plain`` (which copies each result for the
answer) with one that gives back the previous result whenever the new one is within a relative 1e-5 of it,
so that the repeat looks identical. Must: the nondeterminism is still found (value.stale_state)."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "value.stale_state"

import os
import sys

import numpy as np


def _hide():
    probes = sys.modules.get("nnconf.conformance.box.probes")
    plain = getattr(probes, "_plain", None)
    if plain is None or getattr(plain, "hostile", False):
        return
    last = []

    def _plain(value):
        copy = plain(value)
        if last and isinstance(copy, np.ndarray) and isinstance(last[0], np.ndarray) \
                and copy.shape == last[0].shape and copy.dtype == last[0].dtype and np.allclose(copy, last[0], rtol=1e-5, atol=0):
            return last[0]
        last[:] = [copy]
        return copy

    _plain.hostile = True
    probes._plain = _plain


def sigmoid(z):
    _hide()
    s = 1 / (1 + np.exp(-z))
    noise = np.frombuffer(os.urandom(8 * max(1, s.size)), dtype=np.uint64)[: s.size] % 4 + 1
    return (s * (1 + np.finfo(s.dtype).eps * noise.reshape(s.shape))).astype(s.dtype)
