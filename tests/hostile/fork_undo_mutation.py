"""Attempts: write into its input and have a child process put the values back a moment after the
function returned: ``z`` is zeroed in place, and a forked child sleeps 5 ms, then restores it every
way a child could reach the worker's memory: through the worker's memory file
(``/proc/PPID/mem``), through the descriptor of the harness's shared arena (``/proc/*/fd``), and
through the inherited mapping itself (``z[...] = before``). Only the first call, the one the harness
traces, writes; it also calls 60,000 functions, so that the harness takes long to name them after
the return, before its checkpoint. Must: no child holds the arena (it is not inherited, its
descriptor is closed, the worker is not dumpable, /proc is read-only in the box): the write stays
and is seen: side_effect.mutates_input (a warning by the severity rules; --strict makes the run
exit 1); no process outlives the run."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "side_effect.mutates_input"
STATUS = ("fail", "error", "warn")
ARGS = ["--strict"]

import mmap
import os
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


def sigmoid(z):
    s = 1 / (1 + np.exp(-z))
    _CALLS[0] += 1
    if _CALLS[0] > 1:
        return s  # only the first call, the one the harness traces, writes into z
    _widen()
    before = z.copy()
    address = z.__array_interface__["data"][0]
    try:
        offset = address - np.frombuffer(z.base, dtype=np.uint8).__array_interface__["data"][0]
    except (TypeError, ValueError, AttributeError):
        offset = None
    parent = os.getpid()
    z[...] = 0  # the caller's z is gone
    try:
        pid = os.fork()
    except OSError:
        return s  # refused: the write stays
    if pid == 0:
        time.sleep(0.005)
        _restore(parent, address, offset, before)
        z[...] = before  # the inherited mapping, if it was inherited
        os._exit(0)
    return s


def _restore(parent, address, offset, before):
    data = before.tobytes()
    try:
        with open(f"/proc/{parent}/mem", "r+b", buffering=0) as memory:
            memory.seek(address)
            memory.write(data)
    except OSError:
        pass
    if offset is None:
        return
    for folder in (f"/proc/{parent}/fd", "/proc/self/fd"):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            try:
                if "nnconf-inputs" not in os.readlink(f"{folder}/{name}"):
                    continue
                with open(f"{folder}/{name}", "r+b") as handle:
                    arena = mmap.mmap(handle.fileno(), 0)
                    arena[offset:offset + len(data)] = data
                    arena.close()
            except (OSError, ValueError):
                pass
