"""Isolation: the code under test runs in a worker process of its own, one call at a time.

Each worker is a fresh Python process (``python -m nnconf.conformance.worker``) started in the
run's box (:mod:`~nnconf.conformance.sandbox`: bubblewrap where it can run). Whatever the target
does - raise, loop forever, call ``sys.exit`` or ``os._exit``, print megabytes, change NumPy's
global state, fork, fill the disk, return something that cannot be sent back - the parent gets an
:class:`Outcome` and goes on; a dead or hung worker is replaced for the next call.

The worker runs *probes*: functions of :mod:`nnconf.conformance.probes` called as
``probe(module, *args)`` with the target's suite module, so a probe can drive a class through
several calls (forward, then backward) or run a finite-difference loop next to the target.
Nothing the worker says is trusted: its answers are data only (:mod:`channel`), a call's inputs
live in memory the harness owns (:mod:`shared`), and NumPy's state is judged from values the
worker computes after each call, compared here.
"""

import contextlib
import errno
import importlib
import importlib.abc
import io
import itertools
import os
import shutil
import signal
import pickle
import select
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass, field, fields

import numpy as np

from nnconf.conformance import channel, loader, sandbox, shared, sources

_DEFAULT_ERR = np.geterr()


@dataclass(frozen=True)
class Limits:
    """What one worker may use and how it is boxed; each bound hit is a finding (``crash.resource``).
    ``deadline`` is the wall-clock time (time.time()) by which the whole run must end (``--max-time``)."""

    memory_mb: int = 2048  # memory the target may allocate (per process; and in all, where cgroups can be made)
    file_mb: int = 100  # the largest file the target may write
    disk_mb: int = 200  # all it may write into its scratch folder
    processes: int = 32  # processes (and threads) at once, where cgroups can be made
    deadline: float | None = None
    sandbox: str = field(default_factory=lambda: os.environ.get("NNCONF_SANDBOX", "auto"))  # sandbox.MODES
    # may the code import nnconf.impl (never nnconf.reference or torch): for code that builds on it
    allow_bundled: bool = field(default_factory=lambda: os.environ.get("NNCONF_ALLOW_BUNDLED") == "1")


RESOURCE_ERRORS = ("MemoryError", "FileTooLarge", "DiskFull", "ProcessLimit", "MemoryLimit")
_RESOURCE_ERRNO = {errno.EFBIG: "FileTooLarge", errno.ENOSPC: "DiskFull", errno.EDQUOT: "DiskFull"}
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
    patched: list = field(default_factory=list)  # NumPy functions that gave other values after the call (harness's)
    changed: list = field(default_factory=list)  # paths of input arrays the call wrote into (harness's, from shared memory)
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


HARNESS_FIELDS = ("patched", "changed")  # filled in by the harness from what it sees, never by the worker
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


_OWN_CANARY = numpy_canary()  # the harness's: NumPy as imported, untouched


def patched_numpy(canary):
    """Names of CANARY whose value in the worker's answer differs from the harness's own."""
    try:
        blob, lengths = canary["bytes"].tobytes(), [int(n) for n in canary["lengths"]]
    except (TypeError, KeyError, AttributeError, ValueError):
        return sorted(CANARY)
    if len(lengths) != len(CANARY) or sum(lengths) != len(blob) or min(lengths, default=0) < 0:
        return sorted(CANARY)
    ends = list(itertools.accumulate(lengths))
    theirs = [blob[end - n:end] for end, n in zip(ends, lengths)]
    return [name for name, mine, their in zip(CANARY, _OWN_CANARY, theirs) if mine != their]


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
        self.harness = [(m, dict(vars(m))) for name, m in loaded
                        if m is not None and (m is sys.modules[__name__] or name.startswith("nnconf."))]
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


class Line:
    """Frames over a socket: an 8-byte length, then the bytes. The harness's reads have a size
    bound and a deadline, so a partial or endless frame from the worker never hangs it."""

    def __init__(self, sock):
        self.sock = sock

    def send(self, data):
        self.sock.sendall(struct.pack(">Q", len(data)) + data)

    def ready(self, timeout):
        return bool(select.select([self.sock], [], [], max(0.0, timeout))[0])

    def receive(self, limit=None, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        (size,) = struct.unpack(">Q", self._exactly(8, deadline))
        if limit is not None and size > limit:
            raise ValueError(f"a frame of {size} bytes (at most {limit})")
        return self._exactly(size, deadline)

    def _exactly(self, size, deadline):
        data = bytearray(size)
        view, got = memoryview(data), 0
        while got < size:
            if deadline is not None:
                self.sock.settimeout(max(0.001, deadline - time.monotonic()))
            n = self.sock.recv_into(view[got:])
            if n == 0:
                raise EOFError("the other end closed")
            got += n
        return bytes(data)

    def close(self):
        self.sock.close()


def main(argv=None):
    """The worker process: ``python -m nnconf.conformance.worker SOCKET_FD ARENA_FD ARENA_SIZE``."""
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
    guard = Guard()
    receive, send, run, restore_harness, restore_numpy = conn.receive, conn.send, _run, guard.restore_harness, guard.restore_numpy
    try:
        _reset_global_state(seed)
        module = loader.load_suite(setup["target"], setup["suite"])
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


PROBE_MODULES = ("nnconf.conformance.probes", "nnconf.conformance.probes.layers", "nnconf.conformance.probes.training")


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


def probe_name(probe):
    name = f"{probe.__module__}:{probe.__qualname__}"
    if probe.__module__ not in PROBE_MODULES:
        raise ValueError(f"{name} is not a probe (probes live in {', '.join(PROBE_MODULES)})")
    return name


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
    os.chdir(scratch)


def environment(scratch):
    """The environment a worker starts with: the allowed variables of the harness's, and the scratch."""
    kept = {k: v for k, v in os.environ.items() if k in ENVIRONMENT or k.startswith("LC_")}
    return {**kept, "HOME": scratch, "TMPDIR": scratch, "TMP": scratch, "TEMP": scratch,
            "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


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


def _read_outcome(data):
    """The worker's answer as an Outcome, read as data only (channel); ValueError if it is not one."""
    answer = channel.decode(data)
    if not isinstance(answer, dict) or not isinstance(answer.get("ok"), bool):
        raise ValueError("the worker's answer is not an outcome")
    known = {f.name for f in fields(Outcome)} - set(HARNESS_FIELDS)
    outcome = Outcome(**{k: v for k, v in answer.items() if k in known})
    outcome.patched = patched_numpy(answer.get("canary"))
    for name, limit in TEXT_LIMITS.items():
        text = getattr(outcome, name)
        if text is not None and not isinstance(text, str):
            raise ValueError(f"the worker's answer has a {name} that is not text")
        if text is not None and len(text) > limit:
            setattr(outcome, name, text[:limit] + f"... [{len(text) - limit} more characters]")
    outcome.warnings = [w[:500] for w in outcome.warnings if isinstance(w, str)][:5] \
        if isinstance(outcome.warnings, list) else []
    outcome.reached = [tuple(x[:500] for x in r) for r in outcome.reached[:5000] if isinstance(r, tuple) and len(r) == 2
                       and all(isinstance(x, str) for x in r)] if isinstance(outcome.reached, list) else []
    outcome.stdout = outcome.stdout[:2 * _BoundedText.limit] if isinstance(outcome.stdout, str) else ""
    return outcome


# the longest text of each field of an answer the harness keeps (the worker cuts them too; a target may not)
TEXT_LIMITS = {"error_type": 200, "error": 4000, "traceback": 8000, "diagnosis": 100, "raised_in": 200, "missing": 200}


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


ARENA_BYTES = 16 * 2**20  # shared memory for one call's inputs; a worker with larger inputs gets a larger one
_NAMES = itertools.count()


class Worker:
    """A worker process for one suite of one target; ``call`` runs a probe with a time limit."""

    def __init__(self, target, suite, seed=0, timeout=10.0, limits=Limits()):
        self.target, self.suite, self.seed, self.timeout, self.limits = target, suite, seed, timeout, limits
        self.box = sandbox.choose(limits.sandbox) if target.kind != "objects" else sandbox.Box("none", "notebook door")
        self._process = self._conn = self._arena = self._group = None
        self._arena_bytes = ARENA_BYTES
        self.broken = set()  # names that failed their own checks (not used to judge other functions)

    @property
    def allow_bundled(self):
        return self.limits.allow_bundled or self.target.bundled()

    def start(self):
        """Start the worker process now (it loads the target while the caller goes on)."""
        if not self._alive():
            self._start()

    def _start(self):
        self._host = tempfile.mkdtemp(prefix="nnconf-worker-")
        self._arena = shared.Arena(self._arena_bytes)
        self._counters = None
        boxed = self.box.mode == "bwrap"
        scratch = sandbox.SCRATCH if boxed else os.path.join(self._host, "home")
        os.makedirs(scratch, exist_ok=True)
        setup = {"path": [os.getcwd() if p in ("", ".") else p for p in sys.path], "scratch": scratch,
                 "mode": self.box.mode, "limits": self.limits, "allow_bundled": self.allow_bundled,
                 "target": self.target, "suite": self.suite, "seed": self.seed}
        memory = (self.limits.memory_mb + self.limits.disk_mb + 512) * 2**20  # target + tmpfs + Python and NumPy
        self._group = sandbox.Group.create(f"nnconf-{os.getpid()}-{next(_NAMES)}", self.limits.processes, memory)
        if self.target.kind == "objects":
            self._start_forked(setup)
            return
        parent, child = socket.socketpair()
        argv = [sys.executable, "-I", "-B", "-m", "nnconf.conformance.worker",
                str(child.fileno()), str(self._arena.fd), str(self._arena_bytes)]
        env = environment(scratch)
        if boxed:
            argv = sandbox.bwrap_command(argv, disk_mb=self.limits.disk_mb, visible=self._visible(setup["path"]),
                                         hidden=_answer_folders(self.allow_bundled), environment=env)
        with open(os.path.join(self._host, "worker.log"), "wb") as log:
            self._process = subprocess.Popen(
                argv, pass_fds=(child.fileno(), self._arena.fd), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                env=env, cwd=scratch if not boxed else None, start_new_session=True,
                preexec_fn=self._group.join if self._group else None)
        child.close()
        self._conn = Line(parent)
        self._conn.send(pickle.dumps(setup))
        self._counters = self._group.counters() if self._group else None

    def _visible(self, path):
        """What the worker must see of what the box hides: Python and its packages, the harness,
        the target's files (the working folder only for a package target, found through it)."""
        import nnconf
        from nnconf import conformance

        own = [sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable)),
               os.path.dirname(nnconf.__file__), os.path.dirname(conformance.__file__)]
        here = [os.getcwd()] if self.target.kind == "package" else []
        return own + [p for p in path if p != os.getcwd()] + here + self.target.files()

    def _start_forked(self, setup):
        import multiprocessing

        context = multiprocessing.get_context("fork")
        parent, child = socket.socketpair()
        self._process = context.Process(target=_serve_forked, daemon=True,
                                        args=(child, setup, self._arena.fd, self._arena_bytes))
        self._process.start()
        child.close()
        self._conn = Line(parent)
        self._counters = self._group.counters() if self._group else None
        if self._group:
            with contextlib.suppress(OSError):
                sandbox._write(self._group.folders["pids"], "cgroup.procs", self._process.pid)

    def call(self, probe, *args, timeout=None, share=False):
        """Run ``probe(module, *args)`` in the worker; never raises for anything the target does.
        With ``share``, the arrays of ``args`` travel in shared memory and ``outcome.changed`` names
        those the call wrote into."""
        timeout = self.timeout if timeout is None else timeout
        if self.limits.deadline is not None:
            left = self.limits.deadline - time.time()
            if left <= 0:
                return Outcome(False, error_type="RunTimeLimit",
                               error="not run: the run's time limit (--max-time) was reached before this call")
            timeout = min(timeout, left)
        if share and shared.need(args) > self._arena_bytes:
            self.close()
            self._arena_bytes = 2 * shared.need(args)
        if not self._alive():
            self._start()
        started = time.monotonic()
        try:
            placed = self._arena.place(args) if share else args
            self._conn.send(pickle.dumps((probe_name(probe), placed, share), protocol=5))
            if not self._conn.ready(timeout):
                limit = self._limit_hit()
                self.close()
                return limit or Outcome(False, error_type="Timeout",
                                        error=f"no answer within {timeout:g} s (an endless loop?)")
            # a partial answer must not hang the harness: it gets whatever is left of the time (at least 1 s)
            data = self._conn.receive(MAX_ANSWER_BYTES, timeout=max(1.0, timeout - (time.monotonic() - started)))
            outcome = _read_outcome(data)
        except Exception as exc:  # noqa: BLE001 - a dead, garbled or oversized answer is the target's doing
            limit = self._limit_hit()
            code = self._exit_code()
            log = self._log()
            self.close()
            return limit or Outcome(
                False,
                error_type="ProcessDied",
                error=f"the process running the code ended or answered garbage (exit code {code}; os._exit, "
                      f"a crash, or a write into the harness's pipe?) [{exc.__class__.__name__}]{log}",
            )
        if share:
            outcome.changed = self._arena.changed()
        return self._limit_hit() or self._disk_full() or outcome

    def _limit_hit(self):
        """A finding if the kernel refused a process or ran out of memory in the worker's group
        since the last call (read from the group's counters, never from the worker)."""
        if self._group is None or self._counters is None:
            return None
        now = self._group.counters()
        before, self._counters = self._counters, now
        if now["processes"] > before["processes"]:
            self.close()
            return Outcome(False, error_type="ProcessLimit",
                           error=f"the code tried to run more than {self.limits.processes} processes or threads at "
                                 "once (--max-processes); a fork bomb?")
        if now["memory"] > before["memory"]:
            self.close()
            return Outcome(False, error_type="MemoryLimit",
                           error=f"the code used more memory than the worker may ({self.limits.memory_mb} MB, "
                                 "--max-memory), counting every process it started")
        return None

    def _disk_full(self):
        """Without bubblewrap's bounded tmpfs: a finding if the scratch folder grew past --max-disk."""
        if self.box.mode == "bwrap" or self._process is None:
            return None
        if _size_of(os.path.join(self._host, "home")) <= self.limits.disk_mb * 2**20:
            return None
        self.close()
        return Outcome(False, error_type="DiskFull",
                       error=f"the code wrote more than {self.limits.disk_mb} MB into its scratch folder (--max-disk)")

    def _alive(self):
        if self._process is None:
            return False
        return self._process.poll() is None if isinstance(self._process, subprocess.Popen) else self._process.is_alive()

    def _exit_code(self):
        if self._process is None:
            return None
        if isinstance(self._process, subprocess.Popen):
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(1.0)
            return self._process.returncode
        self._process.join(1.0)
        return self._process.exitcode

    def _log(self):
        """What the worker process itself printed before it served (a failed start), if anything."""
        try:
            with open(os.path.join(self._host, "worker.log"), "rb") as handle:
                text = handle.read(1000).decode("utf-8", errors="replace").strip()
        except OSError:
            return ""
        return f"; the worker printed: {text}" if text else ""

    def _kill(self):
        """End the worker and every process it started."""
        if self._process is not None and self._process.pid:
            with contextlib.suppress(OSError):
                os.killpg(self._process.pid, signal.SIGKILL)
            with contextlib.suppress(OSError, AttributeError):
                self._process.kill()
        if self._group is not None:
            self._group.kill_all()

    def close(self):
        if self._process is not None:
            self._kill()
            if isinstance(self._process, subprocess.Popen):
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._process.wait(2.0)
            else:
                self._process.join(2.0)
            self._conn.close()
            self._arena.close()
            if self._group is not None:
                self._group.remove()
            shutil.rmtree(self._host, ignore_errors=True)
        self._process = self._conn = self._arena = self._group = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _answer_folders(allow_bundled):
    """The folders of the harness's answers, emptied in the box: PyTorch and the reference, and
    the bundled implementation unless the run allows it (the refusal on import says why; an
    empty folder is what holds when code removes that refusal)."""
    import importlib.util

    folders = []
    for name in ("torch", "nnconf.reference") + (() if allow_bundled else ("nnconf.impl",)):
        with contextlib.suppress(ImportError, ValueError, AttributeError):
            spec = importlib.util.find_spec(name)
            folders += list(spec.submodule_search_locations or [])
    return [os.path.realpath(f) for f in folders if os.path.isdir(f)]


def _size_of(folder):
    total = 0
    for where, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(where, name)).st_blocks * 512
    return total


if __name__ == "__main__":
    main()
