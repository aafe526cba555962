"""Isolation, the worker's side: what runs inside a worker process (:func:`main` in a fresh
``python -I``), next to the code under test.

It loads the target's suite, then answers the harness's requests one at a time: each request
names a probe (from a table taken before the target loaded) and its arguments; the answer is an
:class:`~nnconf.conformance.box.protocol.Outcome` as data only.

**The process is the target's.** Its code runs here, beside this module and the probes, so nothing
here decides a verdict; the harness decides from data alone (STYLE 19):

- *values* (results, both results of the determinism check, the canary) go back raw, and the
  harness compares them with its own;
- *writes into arguments*: the arguments are the harness's shared memory, which the harness reads
  itself, and :func:`probes.call` stops at a checkpoint as soon as the target's function returns,
  before any other code of the target (the repeat, a replaced NumPy function the canary runs, a
  hook) could undo a write: the harness reads its memory then (``protocol.CHECKPOINT``);
- *exceptions* are reported as a condition (``Outcome.condition``) found by the identity of the
  harness's own exception classes, taken before the target loads, and by the code that raised
  them (code objects of the harness, by identity: a class named ``Precondition``, or the harness's
  own class raised from the target's code, is the target's exception, ``crash.exception``); a name
  the target left unbound is the target's error unless the file that should have given it is not
  there at all (a course helper file). A skip still rests on what the worker said, so the engine
  never lets one pass a run that ``--require`` checks (``ContractRun.failed_call``).

What keeps the target's hands off the reporting code, set up before it loads: the kernel keeps the
process one thread that nothing interrupts (:func:`_alone`: no new thread, no new signal handler,
a memory no other process opens, and no child holds the arguments' memory), so no code of the
target's runs between its function's return and the checkpoint but what the harness itself
calls; and an audit hook (:func:`_lock`) refuses, for the rest of the process, rewriting or
deleting the ``__code__``, ``__defaults__`` or ``__kwdefaults__`` of the worker's own functions,
NumPy's and those of the standard modules it calls (``numpy_canary.__code__``,
``probes.call.__code__``), adding audit hooks, ``sys.settrace`` (whose per-frame hooks,
``frame.f_trace``, would run the target's code on the harness's lines), ``sys.setprofile`` outside
:func:`probes.traced`, ``ctypes`` and the ``gc`` walks that find objects no name leads to; before
each call the worker puts back its own modules', the standard modules' it uses, ``builtins``' and
NumPy's namespaces (NumPy's
with the names 1.x had and 2.x removed, ``np.float_``: :mod:`numpy2`) from snapshots held as
tuples (nothing the target can edit), and again before it reports; the canary is a tuple on
read-only inputs. NumPy's values after the call (the canary) are a side-effect finding that can
only add a failure: a patch that recognises the canary's own calls can hide from it, and harms
no other check, since NumPy is put back before every call.

Still open, beyond this process's reach: the harness's frames and mutable objects, which the
target can reach (``sys._getframe``) and change (a set, an instance's attributes): they only
feed what the worker reports, which the harness holds against its own data as above; raw frames
written on the worker's socket, which can claim what a function could return, and a condition the
harness then holds against what it knows (a precondition needs the probe that builds on another
function and that function's own failure; a missing or unavailable name, the unit's files); an
answer forged that way before the target writes into its input is caught only afterwards, when
the worker ends or speaks between two calls (``Worker._spoke_out_of_turn``: the next call fails);
a compiled extension module of the target's own, which runs native code in here (no further than
the box and the filter let it).
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
import struct
import sys
import tempfile
import warnings
from dataclasses import fields

import numpy as np
import numpy.linalg  # noqa: F401 - loaded before the Guard takes NumPy's namespaces (NumPy loads them lazily)
import numpy.random  # noqa: F401

from nnconf.conformance.box import channel, numpy2, shared
from nnconf.conformance.box.probes import innermost_target_function, target_traceback
from nnconf.conformance.box.protocol import (
    CHECKPOINT,
    HARNESS_FIELDS,
    PROBE_MODULES,
    Line,
    Outcome,
    environment,
)
from nnconf.conformance.reading import loader, sources

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


def _constant(array):
    """A read-only copy of ``array`` that no one can make writable again (its memory is a bytes object)."""
    return np.frombuffer(np.ascontiguousarray(array, dtype=np.float64).tobytes(), dtype=np.float64).reshape(array.shape)


_X = _constant(np.linspace(-2.0, 2.0, 6).reshape(2, 3))
_P = _constant(np.abs(_X) + 0.5)
CANARY = (  # (name, computation): the NumPy the code under check leans on, each on fixed inputs, after every call
    ("exp", lambda: np.exp(_X)), ("log", lambda: np.log(_P)), ("tanh", lambda: np.tanh(_X)),
    ("sqrt", lambda: np.sqrt(_P)), ("maximum", lambda: np.maximum(0, _X)), ("minimum", lambda: np.minimum(0, _X)),
    ("abs", lambda: np.abs(_X)), ("sum", lambda: np.sum(_X, axis=1, keepdims=True)),
    ("mean", lambda: np.mean(_X, axis=0)), ("max", lambda: np.max(_X, axis=1)), ("min", lambda: np.min(_X)),
    ("argmax", lambda: np.argmax(_X, axis=1)), ("dot", lambda: np.dot(_X, _X.T)),
    ("matmul", lambda: np.matmul(_X.T, _X)), ("multiply", lambda: np.multiply(_X, _P)),
    ("divide", lambda: np.divide(_X, _P)), ("power", lambda: np.power(_P, 2)), ("square", lambda: np.square(_X)),
    ("log1p", lambda: np.log1p(_P)), ("where", lambda: np.where(_X > 0, _X, -_X)),
    ("clip", lambda: np.clip(_X, -1, 1)), ("squeeze", lambda: np.squeeze(_X[:1])),
    ("reshape", lambda: np.reshape(_X, (3, 2))), ("transpose", lambda: np.transpose(_X)),
    ("zeros", lambda: np.zeros((2, 1))), ("ones", lambda: np.ones(3)), ("zeros_like", lambda: np.zeros_like(_X)),
    ("array", lambda: np.array([1.5, 2.5])), ("asarray", lambda: np.asarray(_P)),
    ("allclose", lambda: np.allclose(_X, _X + 1e-12)), ("isnan", lambda: np.isnan(_X)), ("sign", lambda: np.sign(_X)),
    ("random", lambda: (np.random.seed(1), np.random.randn(3), np.random.rand(2))[1:]),
)


def numpy_canary():
    """The values of CANARY as NumPy gives them now, each as bytes (an error's name where one raised)."""
    parts = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _, compute in CANARY:
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


# Standard modules the worker's own code calls after the target ran, put back with the harness's.
STANDARD = ("builtins", "copy", "inspect", "traceback", "warnings", "json", "struct", "io", "types", "functools",
            "itertools", "contextlib", "dataclasses", "math", "socket", "pickle", "linecache", "difflib", "errno")


class Guard:
    """The namespaces of the worker's own modules (and the standard ones they use, ``builtins``
    included) and of NumPy's, as they were before the target loaded, each as (namespace, tuple of
    its items): a snapshot nothing can edit. Before each call both are put back (a patch of
    ``np.random.randn`` does not reach the next function); after the call, the worker's own again
    before it computes the canary and answers (a target that replaced a probe's helper,
    ``numpy_canary`` or ``_plain``, does not answer in its place). Rewriting the functions
    themselves is refused by :func:`_lock`."""

    def __init__(self):
        loaded = list(sys.modules.items())
        self.harness = tuple((vars(m), tuple(vars(m).items())) for name, m in loaded
                             if m is not None and (name.startswith("nnconf.") or name in STANDARD))
        self.numpy = tuple((vars(m), tuple(vars(m).items())) for name, m in loaded
                           if m is not None and (name == "numpy" or name.startswith("numpy.")))
        self.meta_path = tuple(sys.meta_path)

    def restore_harness(self, _update=dict.update):
        for namespace, saved in self.harness:
            _update(namespace, saved)
        sys.meta_path[:] = self.meta_path

    def restore_numpy(self, _update=dict.update):
        for namespace, saved in self.numpy:
            _update(namespace, saved)


# What the audit hook refuses once the target may run (see the module's docstring).
_REFUSED_EVENTS = frozenset({"sys.addaudithook", "sys.settrace", "gc.get_objects", "gc.get_referrers",
                             "gc.get_referents", "sys._current_frames"})
_CODE_ATTRIBUTES = frozenset({"__code__", "__defaults__", "__kwdefaults__"})


def _lock(traced_code, functions):
    """Install the audit hook that keeps the target's hands off the worker's code: ``functions``
    (the worker's own, NumPy's and the standard modules' it calls, and this hook) keep their code
    and defaults. It holds what it needs in its defaults (which it refuses to let anyone replace)
    and looks nothing up. (The target's own functions, and other libraries', stay as free as
    before: some libraries set ``__defaults__`` as they load.)"""

    def refuse(event, args, _refused=_REFUSED_EVENTS, _attributes=_CODE_ATTRIBUTES, _getframe=sys._getframe,
               _traced=traced_code, _error=RuntimeError, _id=id, _functions=None, _setprofile=sys.setprofile,
               _set=set, _by=None):
        if event in _refused or event[:7] == "ctypes." or (
                event[:7] == "object." and event[7:] in ("__setattr__", "__delattr__") and args[1] in _attributes
                and _id(args[0]) in _functions) or (
                event == "sys.setprofile" and not _by(_getframe(1), _traced, _setprofile, _set)):
            raise _error(f"nnconf: `{event}` is refused in the worker that runs the code under check")

    defaults = list(refuse.__defaults__)
    defaults[-4] = frozenset(map(id, functions)) | {id(refuse)}
    defaults[-1] = _by_traced
    refuse.__defaults__ = tuple(defaults)
    sys.addaudithook(refuse)
    return refuse


def _by_traced(frame, code, setprofile, set_):
    """Whether ``frame`` runs :func:`probes.traced` itself: its code, with the real
    ``sys.setprofile`` and ``set`` as the defaults it calls (a copy of its code made with other
    globals or defaults could install any function as the profiler)."""
    if frame.f_code is not code:
        return False
    names = frame.f_locals
    return names.get("_setprofile") is setprofile and names.get("_set") is set_


def _functions(modules):
    """The Python functions of ``modules`` (by name prefix), their classes' and NumPy's dispatchers'
    implementations: the objects the audit hook keeps as they are."""
    import types

    function = types.FunctionType
    found = []
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(modules):
            continue
        for value in list(vars(module).values()):
            kind = type(value)
            if kind is function:
                found.append(value)
            elif kind is type and value.__module__ == name:  # the module's own classes' methods
                for member in vars(value).values():
                    member = getattr(member, "__func__", member) if type(member) is not function else member
                    if type(member) is function:
                        found.append(member)
            elif kind.__name__ == "_ArrayFunctionDispatcher":  # NumPy's np.sum & co: C, around a Python function
                implementation = getattr(value, "_implementation", None)
                if type(implementation) is function:
                    found.append(implementation)
    return found


def _checkpointer(sock):
    """The probes' checkpoint: one frame to the harness, then its one-byte answer. Only C functions
    bound before the target loads, held in defaults (which the audit hook keeps)."""
    frame = struct.pack(">Q", len(CHECKPOINT)) + CHECKPOINT

    def checkpoint(_sendall=sock.sendall, _recv=sock.recv, _frame=frame):
        _sendall(_frame)
        _recv(1)

    return checkpoint


def _harness_codes():
    """Every code object of the worker's own functions (nested ones too), by identity: a frame
    running one of them is the harness's (a target cannot make a frame of its own run them)."""
    codes, stack = [], []
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith("nnconf.") or sources.within(name, HIDDEN):
            continue
        for value in list(vars(module).values()):
            if getattr(value, "__module__", None) != name:
                continue
            members = list(vars(value).values()) if isinstance(value, type) else [value]
            for member in members:
                member = getattr(member, "__func__", member)
                code = getattr(member, "__code__", None)
                if code is not None:
                    stack.append(code)
    seen = set()
    while stack:
        code = stack.pop()
        if id(code) in seen:
            continue
        seen.add(id(code))
        codes.append(code)
        stack += [c for c in code.co_consts if hasattr(c, "co_code")]
    return tuple(codes), frozenset(seen)


def main(argv=None):
    """The worker process, with SOCKET_FD ARENA_FD ARENA_SIZE as its arguments."""
    sock, arena_fd, arena_size = (int(a) for a in (argv or sys.argv)[1:4])
    conn = Line(socket.socket(fileno=sock))
    setup = pickle.loads(conn.receive())  # from the harness (trusted), before any target code runs
    _serve(conn, setup, arena_fd, arena_size)


def _serve(conn, setup, arena_fd, arena_size):
    from nnconf.conformance.box import probes as harness_probes

    sys.path[:] = setup["path"]
    if setup["mode"] != "bwrap":  # bubblewrap has done these already
        _no_network()
        _own_pid_namespace()
    arena = shared.View(arena_fd, arena_size)  # in the process that serves (it is kept out of forked children)
    _only_descriptor(conn.sock.fileno())
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
    checkpoint = harness_probes._checkpoint = _checkpointer(conn.sock)
    known = _known_conditions()
    guard = Guard()
    harness_probes._PRISTINE = tuple(pair for pair in guard.harness if pair[0] is not vars(warnings))  # what a probe
    # puts back once the target's function returned (warnings' own: the call's catch_warnings is still on)
    saved = guard.harness + guard.numpy
    sock = conn.sock
    sendall, recv_into, loads, update, run = sock.sendall, sock.recv_into, pickle.loads, dict.update, _run

    def restore_harness(_saved=guard.harness, _update=update):
        for namespace, items in _saved:
            _update(namespace, items)

    _alone()
    _lock(harness_probes.traced.__code__,
          _functions(("nnconf.", "numpy", *STANDARD)) + [checkpoint, restore_harness, _by_traced])
    try:
        _reset_global_state(seed)
        if setup.get("objects_error"):
            raise RuntimeError(setup["objects_error"])
        if setup.get("objects") is not None:  # the notebook door's functions, by value (cloudpickle), in the box
            loader.OBJECTS[setup["target"].package] = pickle.loads(setup["objects"])
        module = loader.load_suite(setup["target"], setup["suite"])
        if setup.get("standins"):
            loader.put_standins(module, setup["suite"], *setup["standins"])
    except BaseException as exc:  # noqa: BLE001 - an import may raise anything, even SystemExit
        load_error = exc
    meta_path = tuple(sys.meta_path)  # with the target's own importer, and the refusals before it
    while True:  # this loop's own code cannot change while it runs; what it calls is put back first
        for namespace, items in saved:
            update(namespace, items)
        sys.meta_path[:] = meta_path
        try:
            name, args, placed = loads(_receive(recv_into))
        except (EOFError, OSError):
            return
        if placed:
            args = arena.arrays(args)
        answer = run(probes.get(name, _unknown_probe), args, module, load_error, seed, restore_harness, known)
        sendall(struct.pack(">Q", len(answer)) + answer)


def _receive(recv_into):
    """One frame from the harness (an 8-byte length, then the bytes), read with the socket's own method."""
    def exactly(size):
        data = bytearray(size)
        view, got = memoryview(data), 0
        while got < size:
            n = recv_into(view[got:])
            if n == 0:
                raise EOFError("the harness closed the connection")
            got += n
        return bytes(data)

    return exactly(struct.unpack(">Q", exactly(8))[0])


def _known_conditions():
    """The harness's conditions as the worker finds them: (condition, class) by identity, the code
    of the stand-in that raises UnavailableError, the harness's code objects, NameError and
    MemoryError; all taken before the target loads."""
    from nnconf.conformance.box import probes as harness_probes

    classes = ((harness_probes.Precondition, "precondition"), (loader.MissingName, "missing"),
               (loader.SignatureError, "signature"))
    keep, codes = _harness_codes()
    return (classes, sources.UnavailableError, sources.Unavailable._fail.__code__, codes, keep, NameError, MemoryError)


def _serve_forked(sock, setup, arena_fd, arena_size):
    """The notebook door's worker: forked from the kernel, whose functions it checks as they are."""
    os.setpgrp()  # its own process group: whatever the target starts is ended with it
    _serve(Line(sock), setup, arena_fd, arena_size)


def _probe_table():
    """{"module:qualname": function} of every probe, taken before the target loads, read-only: a
    target that replaces a probe in its module does not change what the worker runs."""
    import types

    table = {}
    for name in PROBE_MODULES:
        for value in vars(importlib.import_module(name)).values():
            if callable(value) and getattr(value, "__module__", None) == name:
                table[f"{name}:{value.__qualname__}"] = value
    return types.MappingProxyType(table)


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
                                          "its answers instead of computing them" + (
                                              "; code that builds on it on purpose (a copy of impl/ to edit): "
                                              "nnconf check --allow-bundled" if what.startswith("bundled") else ""))
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
    _only_descriptor(None)  # it only waits: the descriptors of the harness's socket and memory stay with the child
    _not_dumpable()
    _, status = os.waitpid(child, 0)
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)


def _alone():
    """From here on, this process stays one thread that nothing interrupts: no new thread, no new
    signal handler (``sandbox.SERVING``, a seccomp filter on top of the box's; the kernel holds
    it, whatever the target does in here), and a memory no other process may open (not dumpable).
    Processes the target forks get no share of the arguments' memory (``shared.View``). No code of
    the target's can then run between its function's return and the checkpoint, nor while the
    harness reads the arguments' memory. (Where the system has no seccomp, the worker goes on
    without the filter.)"""
    import ctypes

    from nnconf.conformance.box import sandbox

    pr_set_no_new_privs, pr_set_seccomp, seccomp_mode_filter = 38, 22, 2
    _not_dumpable()
    program = sandbox.serving_program()
    if program is None:
        return

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]

    with contextlib.suppress(OSError, AttributeError):
        libc = _libc()
        fprog = Program(len(program) // 8, program)
        if libc.prctl(pr_set_no_new_privs, 1, 0, 0, 0) == 0:
            libc.prctl(pr_set_seccomp, seccomp_mode_filter, ctypes.byref(fprog), 0, 0)


def _not_dumpable():
    """No other process of this user reads or writes this one's memory (``/proc/PID/mem``)."""
    pr_set_dumpable = 4
    with contextlib.suppress(OSError, AttributeError):
        _libc().prctl(pr_set_dumpable, 0, 0, 0, 0)


def _only_descriptor(keep):
    """Close every descriptor but the standard ones and ``keep`` (the socket; None: none): a
    worker forked from a kernel inherits all of the kernel's, the harness's shared memory among
    them, which a child of the target's could map again."""
    if keep is None:
        os.closerange(3, 1 << 20)
        return
    os.closerange(3, keep)
    os.closerange(keep + 1, 1 << 20)


def _one_blas_thread():
    """Small matrices: BLAS threads only contend (with the harness and other workers) on 2 cores."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(1)


def _run(probe, args, module, load_error, seed, restore_harness=lambda: None, known=None):
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
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        restore_harness()  # what classifies it is the worker's own code
        condition, unloaded = _condition(exc, known or _known_conditions())
        resource = _RESOURCE_ERRNO.get(getattr(exc, "errno", None)) if isinstance(exc, OSError) else None
        outcome = Outcome(
            False,
            error_type=resource or _class_name(exc),
            error=unloaded or _short(exc),
            traceback=target_traceback(exc),
            raised_in=innermost_target_function(exc),
            missing=exc.name if condition == "missing" and isinstance(exc.name, str) else None,
            needs=exc.needs if condition == "precondition" and isinstance(exc.needs, str) else None,
            reached=list(getattr(exc, "nnconf_reached", ())),
            condition=condition or ("resource" if resource else None),
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


def _codes(exc):
    """The code objects of the traceback's frames, outermost first."""
    codes, tb = [], exc.__traceback__
    while tb is not None:
        codes.append(tb.tb_frame.f_code)
        tb = tb.tb_next
    return codes


def _condition(exc, known):
    """(condition, why a name is unavailable) of an exception: a harness condition only for the
    harness's own class (identity, not name) raised by the harness's own code; else (None, None)."""
    classes, unavailable, fail, harness, _, name_error, memory_error = known
    kind = type(exc)
    if isinstance(exc, memory_error):  # a failure whichever it is (NumPy raises a subclass): no skip rests on it
        return "resource", None
    codes = _codes(exc)
    for cls, condition in classes:  # raised while the probe set up or read the call, no frame of the target's
        if kind is cls:
            return (condition if codes and all(id(c) in harness for c in codes) else None), None
    if kind is unavailable:  # a stand-in for a name whose import failed, called by the target
        return ("unavailable" if codes and codes[-1] is fail else None), None
    if kind is name_error:
        unloaded = _unloaded_name(exc)
        return ("unavailable", unloaded) if unloaded else (None, None)
    return None, None


def _class_name(exc):
    """The class's name as the report shows it (qualified where it only borrows a harness's name)."""
    cls = type(exc)
    name = getattr(cls, "__name__", "?")
    if not isinstance(name, str):
        return "?"
    if name in ("Precondition", "MissingName", "SignatureError", "UnavailableError", "FileTooLarge", "DiskFull"):
        return f"{getattr(cls, '__module__', '?')}.{name}"
    return name


def _unloaded_name(exc):
    """For a NameError of an API function inside a file whose ``from helper import *`` failed to
    load because the helper file is not there at all (a course helper file: ModuleNotFoundError):
    why the name is missing; else None. A name left unbound otherwise (a circular import, a helper
    that raised) is the target's error."""
    from nnconf.conformance.reading.names import suite_names

    if not isinstance(exc, NameError) or exc.name not in set().union(*suite_names().values()):
        return None
    tb = exc.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    failed = [f for f in tb.tb_frame.f_globals.get("__nnconf_failed_star__") or ()
              if isinstance(f, str) and "failed: ModuleNotFoundError:" in f]
    return f"`{exc.name}` is not defined: {failed[0]}" if failed else None


def _short(exc, limit=2000):
    text = f"{exc}"
    if isinstance(exc, SystemExit):
        text = f"the code called sys.exit({exc.code!r})"
    return text if len(text) <= limit else text[:limit] + "..."


