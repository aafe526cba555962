"""Attempts: write into its input and undo the write from the harness's own frames: ``z`` is
zeroed in place, and every frame of the harness above the function (``sys._getframe``) gets a
per-frame trace function (``frame.f_trace``, with line events on) that restores ``z`` at the first
line the harness runs after the return, before its checkpoint; it works wherever the harness traces
the call with ``sys.settrace``. Must: the harness sees the calls it traces through a profile function,
which has no per-frame hook, so no code of the target's runs on the harness's lines; the write stays
and is seen: side_effect.mutates_input (a warning by the severity rules; --strict makes the run exit 1)."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "side_effect.mutates_input"
STATUS = ("fail", "error", "warn")
ARGS = ["--strict"]

import sys
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

_PENDING = []


def _undo(frame, event, arg):
    while _PENDING:
        array, before = _PENDING.pop()
        array[...] = before
    return _undo


def sigmoid(z):
    s = 1 / (1 + np.exp(-z))
    _CALLS[0] += 1
    if _CALLS[0] > 1:
        return s  # only the first call, the one the harness traces, writes into z
    _widen()
    _PENDING.append((z, z.copy()))
    z[...] = 0  # the caller's z is gone
    frame = sys._getframe(1)
    while frame is not None:
        try:
            frame.f_trace_lines = True
            frame.f_trace = _undo
        except (AttributeError, ValueError, RuntimeError):
            pass
        frame = frame.f_back
    return s
