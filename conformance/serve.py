"""Isolation, the worker's side: what runs inside a worker process (:func:`main` in a fresh
``python -I``), next to the code under test.

It loads the target's suite, then answers the harness's requests one at a time: each request
names a probe (from a table taken before the target loaded) and its arguments; the answer is an
:class:`~nnconf.conformance.worker.Outcome` as data only. Before each call the worker puts back
its own modules' and NumPy's namespaces (NumPy's with the names NumPy 1.x had and 2.x removed,
``np.float_``, ``np.int``: :mod:`numpy2`); after it, NumPy's values on fixed inputs (the canary)
go back for the harness to compare.
"""

import contextlib
import errno
import importlib
import importlib.abc
import io
import os
import pickle
import signal
import socket
import sys
import tempfile
import traceback
import warnings
from dataclasses import fields

import numpy as np
import numpy.linalg  # noqa: F401 - loaded before the Guard takes NumPy's namespaces (NumPy loads them lazily)
import numpy.random  # noqa: F401

from nnconf.conformance import channel, loader, numpy2, shared, sources
from nnconf.conformance.worker import HARNESS_FIELDS, PROBE_MODULES, Line, Outcome, environment

_DEFAULT_ERR = np.geterr()
_RESOURCE_ERRNO = {errno.EFBIG: "FileTooLarge", errno.ENOSPC: "DiskFull", errno.EDQUOT: "DiskFull"}


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


_X = np.linspace(-2.0, 2.0, 6).reshape(2, 3)
_P = np.abs(_X) + 0.5
CANARY = {  # the NumPy the code under check leans on, each on fixed inputs: computed after every call
    "exp": lambda: np.exp(_X), "log": lambda: np.log(_P), "tanh": lambda: np.tanh(_X), "sqrt": lambda: np.sqrt(_P),
    "maximum": lambda: np.maximum(0, _X), "minimum": lambda: np.minimum(0, _X), "abs": lambda: np.abs(_X),
    "sum": lambda: np.sum(_X, axis=1, keepdims=True), "mean": lambda: np.mean(_X, axis=0),
    "max": lambda: np.max(_X, axis=1), "min": lambda: np.min(_X), "argmax": lambda: np.argmax(_X, axis=1),
    "dot": lambda: np.dot(_X, _X.T), "matmul": lambda: np.matmul(_X.T, _X), "multiply": lambda: np.multiply(_X, _P),
    "divide": lambda: np.divide(_X, _P), "power": lambda: np.power(_P, 2), "square": lambda: np.square(_X),
    "log1p": lambda: np.log1p(_P), "where": lambda: np.where(_X > 0, _X, -_X), "clip": lambda: np.clip(_X, -1, 1),
    "squeeze": lambda: np.squeeze(_X[:1]), "reshape": lambda: np.reshape(_X, (3, 2)),
    "transpose": lambda: np.transpose(_X), "zeros": lambda: np.zeros((2, 1)), "ones": lambda: np.ones(3),
    "zeros_like": lambda: np.zeros_like(_X), "array": lambda: np.array([1.5, 2.5]), "asarray": lambda: np.asarray(_P),
    "allclose": lambda: np.allclose(_X, _X + 1e-12), "isnan": lambda: np.isnan(_X), "sign": lambda: np.sign(_X),
    "random": lambda: (np.random.seed(1), np.random.randn(3), np.random.rand(2))[1:],
}


def numpy_canary():
    """The values of CANARY as NumPy gives them now, each as bytes (an error's name where one raised)."""
    parts = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for compute in CANARY.values():
            try:
                parts.append(_as_bytes(compute()))
            except BaseException as exc:  # noqa: BLE001 - a replaced function may do anything
                parts.append(f"raised {type(exc).__name__}".encode())
    return parts


def _as_bytes(value):
    if isinstance(value, tuple):
        return b"|".join(_as_bytes(v) for v in value)
    array = np.asarray(value)
    return f"{array.dtype.str}{array.shape}".encode() + array.tobytes()


def _canary_answer():
    """The canary as an answer carries it: one byte array and the length of each value."""
    parts = numpy_canary()
    return {"bytes": np.frombuffer(b"".join(parts), dtype=np.uint8), "lengths": [len(p) for p in parts]}


def _reset_global_state(seed):
    np.random.seed(seed)
    np.seterr(**_DEFAULT_ERR)


class Guard:
    """The namespaces of the worker's own modules and of NumPy's, as they were before the target
    loaded. Before each call both are put back (a patch of ``np.random.randn`` does not reach the
    next function); after the call, the worker's own again before it computes the canary and
    answers (a target that replaced a probe's helper, ``numpy_canary`` or ``_plain``, does not
    answer in its place). Code that rewrites the worker's function objects themselves is beyond
    this: what the harness concludes from the worker's answers never rests on it alone."""

    def __init__(self):
        loaded = list(sys.modules.items())
        self.harness = [(m, dict(vars(m))) for name, m in loaded if m is not None and name.startswith("nnconf.")]
        self.numpy = [(m, dict(vars(m))) for name, m in loaded
                      if m is not None and (name == "numpy" or name.startswith("numpy."))]
        self.meta_path = list(sys.meta_path)

    def restore_harness(self):
        for module, saved in self.harness:
            vars(module).update(saved)
        sys.meta_path[:] = self.meta_path

    def restore_numpy(self):
        for module, saved in self.numpy:
            vars(module).update(saved)


def main(argv=None):
    """The worker process, with SOCKET_FD ARENA_FD ARENA_SIZE as its arguments."""
    sock, arena_fd, arena_size = (int(a) for a in (argv or sys.argv)[1:4])
    conn = Line(socket.socket(fileno=sock))
    setup = pickle.loads(conn.receive())  # from the harness (trusted), before any target code runs
    _serve(conn, setup, shared.View(arena_fd, arena_size))


def _serve(conn, setup, arena):
    sys.path[:] = setup["path"]
    if setup["mode"] != "bwrap":  # bubblewrap has done these already
        _no_network()
        _own_pid_namespace()
    _one_blas_thread()
    probes = _probe_table()  # the harness's probes, as they are before the target loads
    _limit_resources(setup["limits"], counted=setup["mode"] != "bwrap")
    _private_scratch(setup["scratch"])
    _hide(HIDDEN if not setup["allow_bundled"] else HIDDEN_ALWAYS)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)  # input() gets EOF at once instead of waiting for a terminal
    os.dup2(devnull, 1)  # C-level and stray output of the target goes nowhere
    os.dup2(devnull, 2)
    sys.stdin = open(os.devnull)
    module, load_error = None, None
    seed = setup["seed"]
    numpy2.restore_aliases(np)  # NumPy 1.x's removed names, part of the NumPy the Guard puts back before each call
    guard = Guard()
    receive, send, run, restore_harness, restore_numpy = conn.receive, conn.send, _run, guard.restore_harness, guard.restore_numpy
    try:
        _reset_global_state(seed)
        module = loader.load_suite(setup["target"], setup["suite"])
        if setup.get("standins"):
            loader.put_standins(module, setup["suite"], *setup["standins"])
    except BaseException as exc:  # noqa: BLE001 - an import may raise anything, even SystemExit
        load_error = exc
    guard.meta_path = list(sys.meta_path)  # with the target's own importer, and the refusals before it
    while True:
        restore_harness()
        restore_numpy()
        try:
            name, args, placed = pickle.loads(receive())
        except (EOFError, OSError):
            return
        if placed:
            args = arena.arrays(args)
        send(run(probes.get(name, _unknown_probe), args, module, load_error, seed, restore_harness))


def _serve_forked(sock, setup, arena_fd, arena_size):
    """The notebook door's worker: forked from the kernel, whose functions it checks as they are."""
    os.setpgrp()  # its own process group: whatever the target starts is ended with it
    _serve(Line(sock), setup, shared.View(arena_fd, arena_size))


def _probe_table():
    """{"module:qualname": function} of every probe, taken before the target loads: a target that
    replaces a probe in its module does not change what the worker runs."""
    table = {}
    for name in PROBE_MODULES:
        for value in vars(importlib.import_module(name)).values():
            if callable(value) and getattr(value, "__module__", None) == name:
                table[f"{name}:{value.__qualname__}"] = value
    return table


def _unknown_probe(module, *args):
    raise RuntimeError("the harness asked for a probe the worker does not have")


def _limit_resources(limits, counted):
    """Bound the worker: memory (address space beyond what it holds now), the size of any file it
    writes (a write past it raises instead of killing), no core files; with ``counted`` (this
    process sees all of its user's processes), its user's processes."""
    import resource

    with open("/proc/self/statm") as handle:
        held = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    memory = held + limits.memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_mb * 2**20, limits.file_mb * 2**20))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    if counted and os.getuid() != 0:  # the kernel counts a user's processes (never root's): those running, and the bound
        running = sum(1 for pid in os.listdir("/proc") if pid.isdigit() and _owner(pid) == os.getuid())
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NPROC, (running + limits.processes, running + limits.processes))


def _owner(pid):
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None


def _private_scratch(scratch):
    """Work in a private scratch folder (HOME, TMPDIR and the working directory), removed with the
    worker, with the environment a started worker gets (a forked one inherits the kernel's)."""
    kept = environment(scratch)
    os.environ.clear()
    os.environ.update(kept)
    tempfile.tempdir = scratch
    os.chdir(scratch)


HIDDEN_ALWAYS = ("torch", "nnconf.reference")  # the reference's answers
HIDDEN = HIDDEN_ALWAYS + ("nnconf.impl",)  # and the bundled implementation's, unless the run allows it


class _Hidden(importlib.abc.MetaPathFinder):
    def __init__(self, hidden):
        self.hidden = hidden

    def find_spec(self, fullname, path=None, target=None):
        if sources.within(fullname, self.hidden):
            what = "bundled implementation" if sources.within(fullname, ("nnconf.impl",)) else "reference"
            raise sources.ForbiddenImport(f"{fullname} is the harness's {what}: code that imports it copies "
                                          "its answers instead of computing them")
        return None


def _hide(hidden):
    """Refuse to import the harness's answers (and drop any the worker holds)."""
    for name in [m for m in sys.modules if sources.within(m, hidden)]:
        del sys.modules[name]
    sys.meta_path.insert(0, _Hidden(hidden))


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


def _run(probe, args, module, load_error, seed, restore_harness=lambda: None):
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
            error_type="UnavailableError" if unloaded else _RESOURCE_ERRNO.get(getattr(exc, "errno", None),
                                                                               type(exc).__name__),
            error=unloaded or _short(exc),
            traceback=_target_traceback(exc),
            raised_in=_innermost_target_function(exc),
            missing=getattr(exc, "name", None) if isinstance(exc, loader.MissingName) else None,
            reached=list(getattr(exc, "nnconf_reached", ())),
        )
    finally:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        restore_harness()  # what answers is the worker's own code, NumPy as the call left it
    outcome.warnings = sorted({f"{w.category.__name__}: {w.message}" for w in caught})[:5]
    outcome.stdout = captured.getvalue()
    answer = {f.name: getattr(outcome, f.name) for f in fields(Outcome) if f.name not in HARNESS_FIELDS}
    try:
        return channel.encode({**answer, "canary": _canary_answer()})
    except Exception as exc:  # noqa: BLE001 - the target returned something that cannot travel
        return channel.encode({"ok": False, "error_type": "Unsendable",
                               "error": f"returned an object that cannot be sent back ({type(exc).__name__})"})


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
