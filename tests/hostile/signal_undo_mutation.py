"""Attempts: write into its input and have a timer's signal handler put the values back after the
function returned: ``z`` is zeroed in place, and a handler for SIGALRM that restores it is armed
to fire 0.2 ms later (``signal.setitimer``), when the harness's own code runs, before it looks at
the memory; SIGVTALRM and SIGPROF likewise. Must: no new signal handler can be set in the worker
(its seccomp filter refuses ``rt_sigaction``; ``signal.signal`` raises), the write stays and is
seen: side_effect.mutates_input (a warning by the severity rules; --strict makes the run exit 1)."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "side_effect.mutates_input"
STATUS = ("fail", "error", "warn")
ARGS = ["--strict"]

import signal
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


def _undo(*_):
    while _PENDING:
        array, before = _PENDING.pop()
        array[...] = before


def sigmoid(z):
    s = 1 / (1 + np.exp(-z))
    _CALLS[0] += 1
    if _CALLS[0] > 1:
        return s  # only the first call, the one the harness traces, writes into z
    _widen()
    _PENDING.append((z, z.copy()))
    z[...] = 0  # the caller's z is gone
    for sig, timer in ((signal.SIGALRM, signal.ITIMER_REAL), (signal.SIGVTALRM, signal.ITIMER_VIRTUAL),
                       (signal.SIGPROF, signal.ITIMER_PROF)):
        try:
            signal.signal(sig, _undo)
            signal.setitimer(timer, 0.005)
        except (OSError, ValueError):
            pass  # refused: the write stays
    return s
