"""Isolation: the code under test runs in a forked worker process, one call at a time.

Whatever the target does - raise, loop forever, call ``sys.exit`` or ``os._exit``, print
megabytes, change NumPy's global state, return something that cannot be sent back - the parent
gets an :class:`Outcome` and goes on; a dead or hung worker is replaced for the next call.

The worker runs *probes*: module-level functions of :mod:`conformance.probes` called as
``probe(module, *args)`` with the target's suite module, so a probe can drive a class through
several calls (forward, then backward) or run a finite-difference loop next to the target.
"""

import contextlib
import errno
import importlib.abc
import io
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
import warnings
from dataclasses import dataclass, field, fields

import numpy as np

from nnconf.conformance import channel, loader, sources

_CONTEXT = multiprocessing.get_context("fork")
_DEFAULT_ERR = np.geterr()


@dataclass(frozen=True)
class Limits:
    """What one worker may use, each a finding (``crash.resource``) when hit; ``deadline`` is the
    wall-clock time (time.time()) by which the whole run must end (``--max-time``)."""

    memory_mb: int = 2048  # memory the target may allocate beyond what the worker holds at start
    file_mb: int = 100  # the largest file the target may write
    deadline: float | None = None


RESOURCE_ERRORS = ("MemoryError", "FileTooLarge")
MAX_ANSWER_BYTES = 256 * 2**20  # one answer of the worker; more is garbage


@dataclass
class Outcome:
    """What one call gave back: a value, or the reason there is none."""

    ok: bool
    value: object = None
    error_type: str | None = None  # exception class name, "Timeout", "ProcessDied", "Unsendable"
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
        if self.error_type in ("Timeout", "RunTimeLimit"):
            return "crash.timeout"
        if self.error_type in RESOURCE_ERRORS:
            return "crash.resource"
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


def _serve(conn, target, suite, seed, limits, scratch):
    os.setpgrp()  # its own process group: whatever the target starts is ended with it
    _no_network()
    _own_pid_namespace()
    _one_blas_thread()
    _limit_resources(limits)
    _private_scratch(scratch)
    _hide_the_reference()
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


def _limit_resources(limits):
    """Bound the worker: memory (address space beyond what it holds now), the size of any file it
    writes (a write past it raises instead of killing), no core files."""
    import resource

    with open("/proc/self/statm") as handle:
        held = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    memory = held + limits.memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_mb * 2**20, limits.file_mb * 2**20))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


# The environment a worker keeps: what Python, NumPy and the locale need; nothing else (no tokens,
# no keys). HOME, TMPDIR and the working directory are the worker's own scratch folder.
ENVIRONMENT = ("PATH", "LANG", "LANGUAGE", "TZ", "TERM", "PYTHONHASHSEED", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
               "MKL_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def _private_scratch(scratch):
    """Work in a private scratch folder (HOME, TMPDIR and the working directory), removed with the
    worker; keep only the allowed environment variables."""
    kept = {k: v for k, v in os.environ.items() if k in ENVIRONMENT or k.startswith("LC_")}
    os.environ.clear()
    os.environ.update(kept, HOME=scratch, TMPDIR=scratch, TMP=scratch, TEMP=scratch)
    tempfile.tempdir = scratch
    sys.path[:] = [os.getcwd() if p in ("", ".") else p for p in sys.path]  # the caller's folder stays importable
    os.chdir(scratch)


HIDDEN = ("torch", "nnconf.reference")  # what the code under check may not import: the answers


class _Hidden(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if sources.within(fullname, HIDDEN):
            raise sources.ForbiddenImport(f"{fullname} is the harness's reference: code that imports it copies "
                                          "its answers instead of computing them")
        return None


def _hide_the_reference():
    """The worker was forked from the harness, which holds the reference and PyTorch: take them out
    of its modules and refuse to import them again (the harness's own probes keep what they hold)."""
    for name in [m for m in sys.modules if sources.within(m, HIDDEN)]:
        del sys.modules[name]
    sys.meta_path.insert(0, _Hidden())


def _libc():
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def _no_network():
    """A network namespace of its own, with not even a loopback up: the target can reach nothing.
    (Where the system refuses namespaces, the worker goes on without this.)"""
    clone_newnet = 0x40000000
    with contextlib.suppress(OSError, AttributeError):
        _libc().unshare(clone_newnet)


def _own_pid_namespace():
    """Serve from the first process of a PID namespace of its own: the target sees no process of
    the harness (``os.getppid()`` is 0; a harness PID means nothing there), and when that process
    ends, the kernel ends everything the target started. The process the harness started stays
    behind only to pass the exit status on. (Where the system refuses, the worker serves itself.)"""
    libc = _libc()
    clone_newpid = 0x20000000
    if libc.unshare(clone_newpid) != 0:
        return
    child = os.fork()
    if child == 0:
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)  # die with the process the harness holds
        return
    _, status = os.waitpid(child, 0)
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)


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
        unloaded = _unloaded_name(exc)
        outcome = Outcome(
            False,
            error_type="UnavailableError" if unloaded else
            "FileTooLarge" if getattr(exc, "errno", None) == errno.EFBIG else type(exc).__name__,
            error=unloaded or _short(exc),
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
        return channel.encode({f.name: getattr(outcome, f.name) for f in fields(Outcome)})
    except Exception as exc:  # noqa: BLE001 - the target returned something that cannot travel
        return channel.encode({"ok": False, "error_type": "Unsendable",
                               "error": f"returned an object that cannot be sent back ({type(exc).__name__})"})


def _read_outcome(data):
    """The worker's answer as an Outcome, read as data only (channel); ValueError if it is not one."""
    answer = channel.decode(data)
    if not isinstance(answer, dict) or not isinstance(answer.get("ok"), bool):
        raise ValueError("the worker's answer is not an outcome")
    known = {f.name for f in fields(Outcome)}
    outcome = Outcome(**{k: v for k, v in answer.items() if k in known})
    for name in ("error_type", "error", "traceback", "diagnosis", "raised_in", "missing"):
        if getattr(outcome, name) is not None and not isinstance(getattr(outcome, name), str):
            raise ValueError(f"the worker's answer has a {name} that is not text")
    outcome.warnings = [w for w in outcome.warnings if isinstance(w, str)] if isinstance(outcome.warnings, list) else []
    outcome.patched = [p for p in outcome.patched if isinstance(p, str)] if isinstance(outcome.patched, list) else []
    outcome.reached = [tuple(r) for r in outcome.reached if isinstance(r, tuple) and len(r) == 2
                       and all(isinstance(x, str) for x in r)] if isinstance(outcome.reached, list) else []
    outcome.stdout = outcome.stdout if isinstance(outcome.stdout, str) else ""
    return outcome


def _unloaded_name(exc):
    """For a NameError of an API function inside a file whose ``from helper import *`` failed to
    load (a course helper file that is not there): why the name is missing; else None."""
    from nnconf.conformance.suites import suite_names

    if not isinstance(exc, NameError) or exc.name not in set().union(*suite_names().values()):
        return None
    tb = exc.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    failed = tb.tb_frame.f_globals.get("__nnconf_failed_star__")
    return f"`{exc.name}` is not defined: {failed[0]}" if failed else None


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

    def __init__(self, target, suite, seed=0, timeout=10.0, limits=Limits()):
        self.target, self.suite, self.seed, self.timeout, self.limits = target, suite, seed, timeout, limits
        self._process = None
        self._conn = None
        self.broken = set()  # names that failed their own checks (not used to judge other functions)

    def _start(self):
        parent, child = _CONTEXT.Pipe()
        self._scratch = tempfile.mkdtemp(prefix="nnconf-worker-")
        self._process = _CONTEXT.Process(
            target=_serve, args=(child, self.target, self.suite, self.seed, self.limits, self._scratch), daemon=True
        )
        self._process.start()
        child.close()
        self._conn = parent

    def call(self, probe, *args, timeout=None):
        """Run ``probe(module, *args)`` in the worker; never raises for anything the target does."""
        timeout = self.timeout if timeout is None else timeout
        if self.limits.deadline is not None:
            left = self.limits.deadline - time.time()
            if left <= 0:
                return Outcome(False, error_type="RunTimeLimit",
                               error="not run: the run's time limit (--max-time) was reached before this call")
            timeout = min(timeout, left)
        if self._process is None or not self._process.is_alive():
            self._start()
        started = time.monotonic()
        try:
            self._conn.send((probe, args))
            if not self._conn.poll(timeout):
                self.close()
                return Outcome(False, error_type="Timeout", error=f"no answer within {timeout:g} s (an endless loop?)")
            # a partial answer must not hang the harness: whatever is left of the time ends the worker
            guard = threading.Timer(max(1.0, timeout - (time.monotonic() - started)), self._kill)
            guard.start()
            try:
                data = self._conn.recv_bytes(MAX_ANSWER_BYTES)
            finally:
                guard.cancel()
            return _read_outcome(data)
        except Exception as exc:  # noqa: BLE001 - a dead, garbled or oversized answer is the target's doing
            code = self._exit_code()
            self.close()
            return Outcome(
                False,
                error_type="ProcessDied",
                error=f"the process running the code ended or answered garbage (exit code {code}; os._exit, "
                      f"a crash, or a write into the harness's pipe?) [{exc.__class__.__name__}]",
            )

    def _exit_code(self):
        if self._process is None:
            return None
        self._process.join(1.0)
        return self._process.exitcode

    def _kill(self):
        """End the worker and every process it started in its process group."""
        if self._process is not None and self._process.pid:
            with contextlib.suppress(OSError):
                os.killpg(self._process.pid, signal.SIGKILL)
            with contextlib.suppress(OSError, AttributeError):
                self._process.kill()

    def close(self):
        if self._process is not None:
            self._kill()
            self._process.join(2.0)
            self._conn.close()
            shutil.rmtree(self._scratch, ignore_errors=True)
        self._process = self._conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
