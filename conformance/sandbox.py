"""The box each worker runs in: bubblewrap where it can run, resource limits where it cannot.

With bubblewrap (Debian's ``bubblewrap``), a worker is a fresh process that sees the system
read-only, writes only into a private tmpfs of bounded size (its HOME, TMPDIR and working
directory), has no network, no capabilities and a PID namespace of its own (it can neither see
nor signal the harness), and dies with everything it started. Without bubblewrap (macOS, a
container without user namespaces, ``--sandbox none``), the worker is the same fresh process with
a scrubbed environment and resource limits only, and the run says so in the terminal, the JSON and
the report.

Where the system lets the harness create control groups (cgroup v1 or v2), each worker also gets
one that bounds its number of processes and its total memory; the kernel's counters tell the
harness, not the worker, when a bound was hit.
"""

import contextlib
import functools
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

MODES = ("auto", "bwrap", "none")


def default_mode():
    """``NNCONF_SANDBOX``, else "auto": the mode when no option says."""
    return os.environ.get("NNCONF_SANDBOX", "auto")

SCRATCH = "/tmp"  # the worker's tmpfs inside bubblewrap: HOME, TMPDIR and working directory
SCRATCH_MASKS = ("/tmp", "/dev/shm")  # host folders replaced by the worker's own
SECRET_FOLDERS = ("/root", "/home", "/etc/ssh")  # emptied in the box (with the user's HOME), secrets live there
SECRET_FILES = ("/etc/shadow", "/etc/gshadow")  # replaced by /dev/null in the box


class SandboxUnavailable(RuntimeError):
    """``--sandbox bwrap`` was asked for and bubblewrap cannot run here."""


@dataclass(frozen=True)
class Box:
    """How workers are isolated in this run: ``mode`` is "bwrap" or "none"; ``reason`` says why a
    run that could have been boxed is not (shown loudly wherever the results go)."""

    mode: str
    reason: str | None = None

    @property
    def warning(self):
        if self.mode == "bwrap":
            return None
        return (f"NOT SANDBOXED: {self.reason}. The code under check runs with resource limits and a scrubbed "
                "environment only; it can read and write what this user can. Install bubblewrap "
                "(`apt-get install bubblewrap`) to box it.")


def choose(mode="auto"):
    """The box for ``--sandbox MODE``; SandboxUnavailable if "bwrap" cannot run."""
    if mode not in MODES:
        raise ValueError(f"--sandbox must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "none":
        return Box("none", "the sandbox was turned off (--sandbox none)")
    problem = _bwrap_problem()
    if problem is None:
        return Box("bwrap")
    if mode == "bwrap":
        raise SandboxUnavailable(f"--sandbox bwrap: {problem}. Install bubblewrap (`apt-get install bubblewrap`) "
                                 "or run with --sandbox auto/none")
    return Box("none", problem)


@functools.lru_cache(maxsize=1)
def _bwrap_problem():
    """None if bubblewrap runs a process in the box here; else what went wrong."""
    if sys.platform != "linux":
        return f"bubblewrap needs Linux (this is {sys.platform})"
    if shutil.which("bwrap") is None:
        return "bubblewrap (`bwrap`) is not installed"
    try:
        trial = subprocess.run(bwrap_command(["true"], disk_mb=1, visible=()), capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap could not start ({exc})"
    if trial.returncode != 0:
        return f"bubblewrap cannot create its namespaces here ({trial.stderr.decode(errors='replace').strip()[:200]})"
    return None


def bwrap_command(argv, *, disk_mb, visible, hidden=(), environment=None):
    """``argv`` run inside the box: the system read-only, the user's HOME and the other secret
    places empty, a tmpfs of ``disk_mb`` at /tmp; of what those hide, the ``visible`` paths (the
    Python, the harness, the target's files) bound back read-only; the ``hidden`` folders (the
    harness's answers: its reference, PyTorch) emptied; no network, no capabilities."""
    masks = secret_masks()
    command = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    for folder in masks:
        command += ["--tmpfs", folder]  # made read-only below, after what is bound back into it
    for path in SECRET_FILES:
        if os.path.exists(path):
            command += ["--ro-bind", "/dev/null", path]
    command += ["--size", str(disk_mb * 2**20), "--tmpfs", SCRATCH, "--size", str(2**20), "--tmpfs", "/dev/shm"]
    for path in sorted(set(under(visible, masks + list(SCRATCH_MASKS)))):
        command += ["--ro-bind", path, path]
    for folder in sorted(set(hidden)):
        command += ["--tmpfs", folder, "--remount-ro", folder]
    for folder in masks:
        command += ["--remount-ro", folder]
    command += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--clearenv"]
    for key, value in (environment or {}).items():
        command += ["--setenv", key, value]
    return command + ["--chdir", SCRATCH, "--"] + list(argv)


def secret_masks():
    """The existing folders the box empties: the user's HOME, /root, /home, /etc/ssh (outermost only)."""
    candidates = [os.environ.get("HOME") or "", *SECRET_FOLDERS]
    folders = sorted({os.path.realpath(c) for c in candidates if c and os.path.isdir(c) and os.path.realpath(c) != "/"},
                     key=len)
    outermost = []
    for folder in folders:
        if not any(folder.startswith(o + os.sep) for o in outermost):
            outermost.append(folder)
    return outermost


def under(paths, masks):
    """Of ``paths``, the existing ones inside a masked folder: to bind back."""
    shown = []
    for path in paths:
        real = os.path.realpath(path) if path else None
        if real and os.path.exists(real) and any(real == m or real.startswith(m + os.sep) for m in masks):
            shown.append(real)
    return shown


# --- control groups: processes and memory per worker --------------------------------------------


class Group:
    """A control group for one worker (v1 ``pids`` and ``memory`` hierarchies, or v2), made by the
    harness; ``create`` gives None where the system does not let it."""

    def __init__(self, folders, version):
        self.folders, self.version = folders, version
        self._events = {}  # counter -> an open descriptor of the file that holds it (read after every call)

    @classmethod
    def create(cls, name, processes, memory_bytes):
        with contextlib.suppress(OSError):
            if os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
                return cls._create_v2(name, processes, memory_bytes)
            return cls._create_v1(name, processes, memory_bytes)
        return None

    @classmethod
    def _create_v1(cls, name, processes, memory_bytes):
        folders = {}
        try:
            for controller in ("pids", "memory"):
                folder = os.path.join("/sys/fs/cgroup", controller, _own_path(controller).lstrip("/"), name)
                os.mkdir(folder)
                folders[controller] = folder
            _write(folders["pids"], "pids.max", processes)
            _write(folders["memory"], "memory.limit_in_bytes", memory_bytes)
        except OSError:
            cls(folders, 1).remove()
            raise
        return cls(folders, 1)

    @classmethod
    def _create_v2(cls, name, processes, memory_bytes):
        folder = os.path.join("/sys/fs/cgroup", _own_path("").lstrip("/"), name)
        os.mkdir(folder)
        group = cls({"pids": folder, "memory": folder}, 2)
        try:
            _write(folder, "pids.max", processes)
            _write(folder, "memory.max", memory_bytes)
        except OSError:
            group.remove()
            raise
        return group

    def join(self):
        """Move the calling process in (run in the worker's child before exec)."""
        self.add(os.getpid())

    def add(self, pid):
        """Move process ``pid`` in."""
        for folder in set(self.folders.values()):
            _write(folder, "cgroup.procs", pid)

    def counters(self):
        """{"processes": times a fork was refused, "memory": times the OOM killer ran} so far."""
        files = {"processes": ("pids", "pids.events", "max"),
                 "memory": ("memory", "memory.oom_control" if self.version == 1 else "memory.events", "oom_kill")}
        return {counter: self._read(counter, *where) for counter, where in files.items()}

    def _read(self, counter, controller, name, key):
        try:
            if counter not in self._events:
                self._events[counter] = os.open(os.path.join(self.folders[controller], name), os.O_RDONLY)
            text = os.pread(self._events[counter], 4096, 0).decode()
        except OSError:
            return 0
        for line in text.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == key and parts[1].isdigit():
                return int(parts[1])
        return 0

    def kill_all(self):
        for folder in set(self.folders.values()):
            with contextlib.suppress(OSError):
                with open(os.path.join(folder, "cgroup.procs")) as handle:
                    for pid in handle.read().split():
                        with contextlib.suppress(OSError):
                            os.kill(int(pid), signal.SIGKILL)

    def remove(self):
        for fd in self._events.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        self._events = {}
        for folder in set(self.folders.values()):
            for _ in range(50):  # the killed processes leave the group a moment later
                try:
                    os.rmdir(folder)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    self.kill_all()
                    time.sleep(0.02)


def _own_path(controller):
    """The harness's own group in ``controller``'s hierarchy ("" for v2), from /proc/self/cgroup."""
    with open("/proc/self/cgroup") as handle:
        for line in handle:
            _, names, path = line.rstrip("\n").split(":", 2)
            if controller in names.split(","):
                return path
    return "/"


def _write(folder, name, value):
    with open(os.path.join(folder, name), "w") as handle:
        handle.write(str(value))
