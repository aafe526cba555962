"""Isolation: the code under test runs in a forked worker process, one call at a time.

Whatever the target does - raise, loop forever, call ``sys.exit`` or ``os._exit``, print
megabytes, change NumPy's global state, return something that cannot be sent back - the parent
gets an :class:`Outcome` and goes on; a dead or hung worker is replaced for the next call.

The worker runs *probes*: module-level functions of :mod:`conformance.probes` called as
``probe(module, *args)`` with the target's suite module, so a probe can drive a class through
several calls (forward, then backward) or run a finite-difference loop next to the target.
"""

import io
import multiprocessing
import os
import pickle
import sys
import traceback
import warnings
from dataclasses import dataclass, field

import numpy as np

from nnconf.conformance import loader

_CONTEXT = multiprocessing.get_context("fork")
_DEFAULT_ERR = np.geterr()


@dataclass
class Outcome:
    """What one call gave back: a value, or the reason there is none."""

    ok: bool
    value: object = None
    error_type: str | None = None  # exception class name, "Timeout", "ProcessDied", "Unpicklable"
    error: str | None = None  # message
    traceback: str | None = None
    warnings: list = field(default_factory=list)
    stdout: str = ""
    diagnosis: str | None = None  # set by a probe that knows better than the exception type
    patched: list = field(default_factory=list)  # names of numpy the call replaced (undone before the next)
    raised_in: str | None = None  # the function of the target's innermost frame, when it raised
    missing: str | None = None  # the name a MissingName was about
    reached: list = field(default_factory=list)  # (qualified name, file) the call reached before it raised

    @property
    def kind(self):
        """The bug class for a failed call (SPEC Part 3)."""
        if self.diagnosis:
            return self.diagnosis
        if self.error_type == "Timeout":
            return "crash.timeout"
        if self.error_type == "MissingName":
            return "api.missing"
        if self.error_type == "SignatureError":
            return "api.signature"
        return "crash.exception"


class _BoundedText(io.TextIOBase):
    """A stdout that keeps the first few kilobytes and drops the rest."""

    limit = 4000

    def __init__(self):
        self.parts = []
        self.size = 0

    def writable(self):
        return True

    def write(self, text):
        if self.size < self.limit:
            self.parts.append(text[: self.limit - self.size])
        self.size += len(text)
        return len(text)

    def getvalue(self):
        text = "".join(self.parts)
        return text + (f"... [{self.size - self.limit} more characters]" if self.size > self.limit else "")


_NUMPY = dict(vars(np))  # NumPy's own namespace, as the harness imported it


def _reset_global_state(seed):
    np.random.seed(seed)
    np.seterr(**_DEFAULT_ERR)
    for name in _patched_numpy():
        setattr(np, name, _NUMPY[name])


def _patched_numpy():
    """Names of numpy's namespace that no longer hold NumPy's own objects (np.exp = ...)."""
    return [name for name, value in _NUMPY.items() if vars(np).get(name) is not value]


def _serve(conn, target, suite, seed):
    _one_blas_thread()
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)  # input() gets EOF at once instead of waiting for a terminal
    os.dup2(devnull, 1)  # C-level and stray output of the target goes nowhere
    os.dup2(devnull, 2)
    sys.stdin = open(os.devnull)
    module, load_error = None, None
    try:
        _reset_global_state(seed)
        module = loader.load_suite(target, suite)
    except BaseException as exc:  # noqa: BLE001 - an import may raise anything, even SystemExit
        load_error = exc
    while True:
        try:
            probe, args = conn.recv()
        except (EOFError, OSError):
            return
        conn.send_bytes(_run(probe, args, module, load_error, seed))


def _one_blas_thread():
    """Small matrices: BLAS threads only contend (with the harness and other workers) on 2 cores."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(1)


def _run(probe, args, module, load_error, seed):
    captured = _BoundedText()
    sys.stdout = sys.stderr = captured
    caught = []
    try:
        if load_error is not None:
            raise load_error
        _reset_global_state(seed)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value = probe(module, *args)
        outcome = Outcome(True, value)
    except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt are findings too
        outcome = Outcome(
            False,
            error_type=type(exc).__name__,
            error=_short(exc),
            traceback=_target_traceback(exc),
            raised_in=_innermost_target_function(exc),
            missing=getattr(exc, "name", None) if isinstance(exc, loader.MissingName) else None,
            reached=list(getattr(exc, "nnconf_reached", ())),
        )
    finally:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    outcome.warnings = sorted({f"{w.category.__name__}: {w.message}" for w in caught})[:5]
    outcome.patched = _patched_numpy()
    outcome.stdout = captured.getvalue()
    try:
        return pickle.dumps(outcome)
    except Exception as exc:  # noqa: BLE001 - the target returned something that cannot travel
        return pickle.dumps(
            Outcome(False, error_type="Unpicklable", error=f"returned an object that cannot be sent back ({exc})")
        )


def _short(exc, limit=2000):
    text = f"{exc}"
    if isinstance(exc, SystemExit):
        text = f"the code called sys.exit({exc.code!r})"
    return text if len(text) <= limit else text[:limit] + "..."


_HARNESS = os.path.dirname(os.path.abspath(__file__)) + os.sep
_CATALOG = os.path.join(_HARNESS, "catalog") + os.sep


def _target_frames(exc):
    """The traceback's frames in the code under test (the harness's own frames left out)."""
    return [
        f for f in traceback.extract_tb(exc.__traceback__)
        if not f.filename.startswith(_HARNESS) or f.filename.startswith(_CATALOG)
    ]


def _innermost_target_function(exc):
    frames = _target_frames(exc)
    return frames[-1].name if frames else None


def _target_traceback(exc, limit=6):
    frames = _target_frames(exc)
    return "".join(traceback.format_list(frames[-limit:])) or None


class Worker:
    """A worker process for one suite of one target; ``call`` runs a probe with a time limit."""

    def __init__(self, target, suite, seed=0, timeout=10.0):
        self.target, self.suite, self.seed, self.timeout = target, suite, seed, timeout
        self._process = None
        self._conn = None
        self.broken = set()  # names that failed their own checks (not used to judge other functions)

    def _start(self):
        parent, child = _CONTEXT.Pipe()
        self._process = _CONTEXT.Process(
            target=_serve, args=(child, self.target, self.suite, self.seed), daemon=True
        )
        self._process.start()
        child.close()
        self._conn = parent

    def call(self, probe, *args, timeout=None):
        """Run ``probe(module, *args)`` in the worker; never raises for anything the target does."""
        if self._process is None or not self._process.is_alive():
            self._start()
        timeout = self.timeout if timeout is None else timeout
        try:
            self._conn.send((probe, args))
            if not self._conn.poll(timeout):
                self.close()
                return Outcome(False, error_type="Timeout", error=f"no answer within {timeout:g} s (an endless loop?)")
            return pickle.loads(self._conn.recv_bytes())
        except (EOFError, OSError, pickle.UnpicklingError) as exc:
            code = self._exit_code()
            self.close()
            return Outcome(
                False,
                error_type="ProcessDied",
                error=f"the process running the code ended (exit code {code}; os._exit or a crash?) [{exc.__class__.__name__}]",
            )

    def _exit_code(self):
        if self._process is None:
            return None
        self._process.join(1.0)
        return self._process.exitcode

    def close(self):
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join(2.0)
            self._conn.close()
        self._process = self._conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
