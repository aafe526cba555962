"""Attempts: write into its input and have a thread of its own put the values back a moment after
the function returned, between the return and the harness's look at its memory: ``z`` is zeroed in
place after the result is computed, and a thread started just before the return sleeps 1 ms and
restores it (and does so again for the repeat). Must: no thread starts in the worker (its seccomp
filter refuses new threads: Python's "can't start new thread"), the write stays and is seen:
side_effect.mutates_input (a warning by the severity rules; --strict makes the run exit 1)."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "side_effect.mutates_input"
STATUS = ("fail", "error", "warn")
ARGS = ["--strict"]

import threading
import time
import types

import numpy as np

_CALLS = [0]


def _widen(n=60000):
    """Call n functions of distinct code: the harness that traces this first call then names them
    all after the return, before its checkpoint (a window of tens of milliseconds)."""
    code = _noop.__code__
    for i in range(n):
        types.FunctionType(code.replace(co_name=f"f{i}"), globals())()


def _noop():
    pass


def _restore(array, before):
    time.sleep(0.005)
    array[...] = before


def sigmoid(z):
    s = 1 / (1 + np.exp(-z))
    _CALLS[0] += 1
    if _CALLS[0] > 1:
        return s  # only the first call, the one the harness traces, writes into z
    _widen()
    before = z.copy()
    z[...] = 0  # the caller's z is gone
    try:
        threading.Thread(target=_restore, args=(z, before), daemon=True).start()
    except RuntimeError:
        pass  # refused: the write stays
    return s
