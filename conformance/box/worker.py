"""Isolation, the harness's side: each call of the code under test runs in a worker process.

Each worker is a fresh Python process (``nnconf.conformance.box.serve.main`` in a fresh ``python -I``, see
:mod:`~nnconf.conformance.box.serve` for what runs inside) started in the run's box
(:mod:`~nnconf.conformance.box.sandbox`: bubblewrap where it can run). Whatever the target does -
raise, loop forever, call ``sys.exit`` or ``os._exit``, print megabytes, change NumPy's global
state, fork, fill the disk, return something that cannot be sent back - the parent gets an
:class:`Outcome` and goes on; a dead or hung worker is replaced for the next call.

The worker runs *probes*: functions of :mod:`nnconf.conformance.box.probes` called as
``probe(module, *args)`` with the target's suite module. Nothing the worker says is trusted:
its answers are data only (:mod:`channel`); a call's inputs live in memory the harness owns
(:mod:`shared`), read here when the probe stops at its checkpoint (as soon as the target's function
returned, before any other code of the target's runs) and again after the answer; results, the
repeat's results and NumPy's values after the call (the canary) are compared here; an exception
is a harness condition only where the worker reports the condition (:data:`CONDITIONS`), found by
class identity and raising code, never by a class's name (:func:`_name_by_condition`); and a skip
never makes a ``--require`` run pass (the engine). What the worker can still say falsely is listed
in :mod:`~nnconf.conformance.box.serve`. This module imports no NumPy: a run starts its first worker
before it loads the rest of itself.
"""

import contextlib
import functools
import importlib.util
import itertools
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, fields

from nnconf.conformance.box import sandbox
from nnconf.conformance.box.protocol import (
    CHECKPOINT,
    CONDITIONS,
    HARNESS_FIELDS,
    HARNESS_NAMES,
    MAX_CHECKPOINTS,
    RESOURCE_ERRORS,
    Line,
    Outcome,
    environment,
    probe_name,
)


@dataclass(frozen=True)
class Limits:
    """What one worker may use and how it is boxed; each bound hit is a finding (``crash.resource``).
    ``deadline`` is the wall-clock time (time.time()) by which the whole run must end (``--max-time``)."""

    memory_mb: int = 2048  # memory the target may allocate (per process; and in all, where cgroups can be made)
    file_mb: int = 100  # the largest file the target may write
    disk_mb: int = 200  # all it may write into its scratch folder
    processes: int = 32  # processes (and threads) at once, where cgroups can be made
    deadline: float | None = None
    sandbox: str = field(default_factory=sandbox.default_mode)  # sandbox.MODES
    # may the code import nnconf.impl (never nnconf.reference or torch): for code that builds on it
    allow_bundled: bool = field(default_factory=lambda: os.environ.get("NNCONF_ALLOW_BUNDLED") == "1")


MAX_ANSWER_BYTES = 256 * 2**20  # one answer of the worker; more is garbage
MAX_OUTPUT = 8000  # characters of a call's captured output the harness keeps (the worker keeps 4,000)


def _shipped(target):
    """(payload, None) of a running kernel's functions, pickled by value (cloudpickle: a notebook's
    functions and classes with the globals they use) to be loaded inside the box; (None, why) where
    they cannot be (an open file among their globals): the suite then reports that it cannot load."""
    import cloudpickle

    from nnconf.conformance.reading import loader

    try:
        return cloudpickle.dumps(loader.OBJECTS[target.package]), None
    except Exception as exc:  # noqa: BLE001 - whatever a kernel holds; the run reports it
        return None, (f"the notebook's functions cannot be sent into the box ({type(exc).__name__}: {exc}); "
                      "check the notebook file instead: nnconf check NOTEBOOK.ipynb")


def _kernel_helpers(most=200):
    """The ``.py`` files of a running kernel's folder (``dnn_utils.py`` beside a course notebook,
    which its shipped functions import by name): bound into the box one by one, never the folder."""
    folder = os.getcwd()
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".py"))[:most]
    except OSError:
        return []
    return [p for p in (os.path.join(folder, n) for n in names) if os.path.isfile(p) and not os.path.islink(p)]


def box_of(target, limits):
    """How a target's workers are isolated: the run's sandbox, the notebook door's too (its
    functions travel into the box by value; unboxed, its workers are forked from the kernel)."""
    return sandbox.choose(limits.sandbox)


@functools.lru_cache(maxsize=1)
def _own_canary():
    """The harness's canary: NumPy as it imported it, untouched."""
    from nnconf.conformance.box.serve import numpy_canary

    return numpy_canary()


def patched_numpy(canary):
    """Names of the canary whose value in the worker's answer differs from the harness's own."""
    from nnconf.conformance.box.serve import CANARY

    names = [name for name, _ in CANARY]
    own = _own_canary()
    try:
        blob, lengths = canary["bytes"].tobytes(), [int(n) for n in canary["lengths"]]
    except (TypeError, KeyError, AttributeError, ValueError):
        return sorted(names)
    if len(lengths) != len(names) or sum(lengths) != len(blob) or min(lengths, default=0) < 0:
        return sorted(names)
    ends = list(itertools.accumulate(lengths))
    theirs = [blob[end - n:end] for end, n in zip(ends, lengths)]
    return [name for name, mine, their in zip(names, own, theirs) if mine != their]


def _read_outcome(data):
    """The worker's answer as an Outcome, read as data only (channel); ValueError if it is not one."""
    from nnconf.conformance.box import channel

    answer = channel.decode(data)
    if not isinstance(answer, dict) or not isinstance(answer.get("ok"), bool):
        raise ValueError("the worker's answer is not an outcome")
    known = {f.name for f in fields(Outcome)} - set(HARNESS_FIELDS)
    outcome = Outcome(**{k: v for k, v in answer.items() if k in known})
    outcome.patched = patched_numpy(answer.get("canary"))
    _name_by_condition(outcome)
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
    outcome.stdout = outcome.stdout[:MAX_OUTPUT] if isinstance(outcome.stdout, str) else ""
    return outcome


def _name_by_condition(outcome):
    """The name the harness acts on comes from the reported condition only: a harness condition's
    own name where the worker reported one, and the target's class name marked as the target's
    where it only looks like one of the harness's."""
    condition = outcome.condition if isinstance(outcome.condition, str) and outcome.condition in CONDITIONS else None
    outcome.condition = condition
    if outcome.ok:
        return
    if CONDITIONS.get(condition):
        outcome.error_type = CONDITIONS[condition]
    elif isinstance(outcome.error_type, str) and outcome.error_type in HARNESS_NAMES \
            and not (condition == "resource" and outcome.error_type in RESOURCE_ERRORS):
        outcome.error_type = f"{outcome.error_type} (the code's own exception class)"


# the longest text of each field of an answer the harness keeps (the worker cuts them too; a target may not)
TEXT_LIMITS = {"error_type": 200, "error": 4000, "traceback": 8000, "diagnosis": 100, "raised_in": 200, "missing": 200,
               "needs": 200, "condition": 40}


ARENA_BYTES = 16 * 2**20  # shared memory for one call's inputs; a worker with larger inputs gets a larger one
_NAMES = itertools.count()


class Worker:
    """A worker process for one suite of one target; ``call`` runs a probe with a time limit."""

    def __init__(self, target, suite, seed=0, timeout=10.0, limits=Limits(), standins=None):
        self.target, self.suite, self.seed, self.timeout, self.limits = target, suite, seed, timeout, limits
        self.standins = standins  # (names, sources): working stand-ins put in for those names after loading
        self.isolation = {}  # names -> the worker that judges a caller with stand-ins for them
        self.box = box_of(target, limits)
        self._process = self._conn = self._arena = self._group = None
        self._arena_bytes = ARENA_BYTES
        self._answered = False  # the worker running has answered a call: it may neither end nor speak until asked
        self.broken = set()  # names that failed their own checks (not used to judge other functions)
        self.clean = set()  # names whose own checks all ran here, none failed or skipped

    @property
    def allow_bundled(self):
        return self.limits.allow_bundled or self.target.bundled()

    def start(self):
        """Start the worker process now (it loads the target while the caller goes on)."""
        if not self._alive():
            self._start()

    def _start(self):
        self._host = tempfile.mkdtemp(prefix="nnconf-worker-")
        from nnconf.conformance.box import shared

        self._arena = shared.Arena(self._arena_bytes)
        self._counters, self._answered = None, False
        boxed = self.box.mode == "bwrap"
        scratch = sandbox.SCRATCH if boxed else os.path.join(self._host, "home")
        os.makedirs(scratch, exist_ok=True)
        setup = {"path": [os.getcwd() if p in ("", ".") else p for p in sys.path], "scratch": scratch,
                 "mode": self.box.mode, "limits": self.limits, "allow_bundled": self.allow_bundled,
                 "target": self.target, "suite": self.suite, "seed": self.seed, "standins": self.standins}
        memory = (self.limits.memory_mb + self.limits.disk_mb + 512) * 2**20  # target + tmpfs + Python and NumPy
        self._group = sandbox.Group.create(f"nnconf-{os.getpid()}-{next(_NAMES)}", self.limits.processes, memory)
        if self.target.kind == "objects":
            if not boxed:
                self._start_forked(setup)
                return
            setup["objects"], setup["objects_error"] = _shipped(self.target)
        parent, child = socket.socketpair()
        argv = [sys.executable, "-I", "-B", "-c", "from nnconf.conformance.box.serve import main; main()",
                str(child.fileno()), str(self._arena.fd), str(self._arena_bytes)]
        env = environment(scratch)
        rules = sandbox.filter_fd() if boxed else None  # the seccomp program, read by bwrap as it starts
        if boxed:
            argv = sandbox.bwrap_command(argv, disk_mb=self.limits.disk_mb, visible=self._visible(setup["path"]),
                                         hidden=_answer_folders(self.allow_bundled), environment=env, seccomp=rules)
        try:
            with open(os.path.join(self._host, "worker.log"), "wb") as log:
                self._process = subprocess.Popen(
                    argv, pass_fds=(child.fileno(), self._arena.fd) + (() if rules is None else (rules,)),
                    stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env, cwd=scratch if not boxed else None,
                    start_new_session=True, preexec_fn=self._group.join if self._group else None)
        finally:
            if rules is not None:
                os.close(rules)
        child.close()
        self._conn = Line(parent)
        self._conn.send(pickle.dumps(setup))
        self._counters = self._group.counters() if self._group else None

    def _visible(self, path):
        """What the worker must see of what the box hides: Python and its packages, the harness,
        the target's files (never the working folder: a package target's folders come from its files())."""
        own = [sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable)),
               *importlib.util.find_spec("nnconf").submodule_search_locations,
               os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]  # conformance/ (this is conformance/box/)
        bundled = _package_folders("nnconf.impl") if self.allow_bundled else []
        kernel = _kernel_helpers() if self.target.kind == "objects" else []
        return own + [p for p in path if p != os.getcwd()] + kernel + bundled + self.target.files()

    def _start_forked(self, setup):
        import multiprocessing

        context = multiprocessing.get_context("fork")
        parent, child = socket.socketpair()
        from nnconf.conformance.box.serve import _serve_forked

        self._process = context.Process(target=_serve_forked, daemon=True,
                                        args=(child, setup, self._arena.fd, self._arena_bytes))
        self._process.start()
        child.close()
        self._conn = Line(parent)
        self._counters = self._group.counters() if self._group else None
        if self._group:
            with contextlib.suppress(OSError):
                self._group.add(self._process.pid)

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
        need = _arrays_need(args) if share else 0
        if need > self._arena_bytes:
            self.close()
            self._arena_bytes = 2 * need
        if self._process is not None and self._answered and (not self._alive() or self._conn.ready(0)):
            return self._limit_hit() or self._spoke_out_of_turn()
        if not self._alive():
            self._start()
        started, asked = time.monotonic(), probe_name(probe)
        try:
            placed = self._arena.place(args) if share else args
            self._conn.send(pickle.dumps((asked, placed, share), protocol=5))
            seen = []  # what the call had written at each checkpoint
            while True:
                if not self._conn.ready(timeout - (time.monotonic() - started)):
                    limit = self._limit_hit()
                    self.close()
                    return limit or Outcome(False, error_type="Timeout",
                                            error=f"no answer within {timeout:g} s (an endless loop?)")
                # a partial answer must not hang the harness: it gets whatever is left of the time (at least 1 s)
                data = self._conn.receive(MAX_ANSWER_BYTES, timeout=max(1.0, timeout - (time.monotonic() - started)))
                if data != CHECKPOINT:
                    break
                if len(seen) >= MAX_CHECKPOINTS:
                    raise ValueError("more checkpoints than a call makes")
                seen.append(self._arena.changed() if share else [])
                self._conn.sock.sendall(b"\x01")
            outcome = _read_outcome(data)
            if self._conn.ready(0):
                raise ValueError("more than one answer to one call")
            self._answered = True
        except Exception as exc:  # noqa: BLE001 - a dead, garbled or oversized answer is the target's doing
            limit = self._limit_hit()
            code = self._exit_code()
            log = self._log()
            self.close()
            return limit or Outcome(
                False,
                error_type="ProcessDied",
                error=f"the process running the code ended or answered garbage (exit code {code}; os._exit, "
                      f"a crash, or a write into the harness's pipe?) [{exc.__class__.__name__}: {str(exc)[:200]}]{log}",
            )
        outcome.asked = asked
        if share:
            outcome.changed = []
            for paths in seen + [self._arena.changed()]:  # a write undone after a checkpoint is still a write
                outcome.changed += [p for p in paths if p not in outcome.changed]
        return self._limit_hit() or self._disk_full() or outcome

    def _spoke_out_of_turn(self):
        """A worker that ended, or wrote to the harness, between two calls: no worker of the
        harness does either (it waits for the next request), so the code under check did, after a
        function returned (a child or a signal that ends the worker; a whole answer forged on its
        socket before the real one, which then arrives late). The answer it gave last may not be
        its function's: this call fails, and the next starts a fresh worker."""
        ended = not self._alive()
        code = self._exit_code() if ended else None
        self.close()
        what = f"ended by itself (exit code {code})" if ended else "wrote to the harness"
        return Outcome(False, error_type="ProcessDied",
                       error=f"the process running the code {what} after answering the previous call, when no "
                             "code of the harness's runs there: something the code under check left running, or "
                             "an answer it wrote on the harness's socket itself")

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
        for worker in self.isolation.values():
            worker.close()
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


def _arrays_need(args):
    from nnconf.conformance.box import shared

    return shared.need(args)


def _package_folders(name):
    import importlib.util

    with contextlib.suppress(ImportError, ValueError, AttributeError):
        return list(importlib.util.find_spec(name).submodule_search_locations or [])
    return []


def _answer_folders(allow_bundled):
    """The folders of the harness's answers, emptied in the box: PyTorch and the reference, and
    the bundled implementation unless the run allows it (the refusal on import says why; an
    empty folder is what holds when code removes that refusal)."""
    folders = [f for name in ("torch", "nnconf.reference") + (() if allow_bundled else ("nnconf.impl",))
               for f in _package_folders(name)]
    return [os.path.realpath(f) for f in folders if os.path.isdir(f)]


def _size_of(folder):
    total = 0
    for where, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(where, name)).st_blocks * 512
    return total
