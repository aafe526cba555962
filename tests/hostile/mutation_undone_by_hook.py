"""Attempts: write into its input and undo the write before the harness looks: ``z`` is zeroed in
place after the result is computed, and put back by code of the target's that runs after the
function returned but before the worker answers: a replaced ``np.exp`` (the canary calls it after
every call), a hook put into the canary's table (``CANARY["exp"]`` where it is a dict; the table
rebound otherwise), ``copy.deepcopy`` (the repeat's copies) and the repeat itself (which puts the
first call's ``z`` back). Must: the harness reads its shared memory at the checkpoint the probe
stops at as soon as the function returns, so the write is seen: side_effect.mutates_input (a
warning by the severity rules; --strict makes the run exit 1)."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "side_effect.mutates_input"
STATUS = ("fail", "error", "warn")
ARGS = ["--strict"]

import copy
import sys

import numpy as np

_EXP = np.exp
_DEEPCOPY = copy.deepcopy
_PENDING = []  # (the caller's array, its values before the write)


def _undo():
    while _PENDING:
        array, before = _PENDING.pop()
        array[...] = before


def _exp(x, *args, **kwargs):
    _undo()
    return _EXP(x, *args, **kwargs)


def _deepcopy(value, memo=None):
    _undo()
    return _DEEPCOPY(value, memo)


def _hooks():
    np.exp = _exp
    copy.deepcopy = _deepcopy
    serve = sys.modules.get("nnconf.conformance.box.serve")
    canary = getattr(serve, "CANARY", None)
    try:
        if isinstance(canary, dict):
            first = canary["exp"]
            canary["exp"] = lambda: (_undo(), first())[1]
        elif canary is not None:
            pairs = list(canary)
            serve.CANARY = ((pairs[0][0], lambda: (_undo(), pairs[0][1]())[1]),) + tuple(pairs[1:])
    except Exception:  # noqa: BLE001
        pass


def sigmoid(z):
    _undo()  # the repeat: the first call's z is put back
    s = 1 / (1 + _EXP(-z))
    _PENDING.append((z, z.copy()))
    z[...] = 0  # the caller's z is gone
    _hooks()
    return s
