"""The box each worker runs in: bubblewrap where it can run, resource limits where it cannot.

With bubblewrap (Debian's ``bubblewrap``), a worker is a fresh process in user, mount, PID, network,
IPC and UTS namespaces of its own: it is uid 65534 (``nobody``) there, holds no capability, cannot
create a namespace, sees the system read-only (``/proc`` and ``/proc/sys`` included: where the
harness runs as root, a writable ``/proc/sys/kernel/core_pattern`` would be an escape) and without
the files only their owner may read (bubblewrap maps the box's uid to the harness's, so where the
harness is root, ``/etc/shadow-`` would look like the worker's own), writes only
into a private tmpfs of bounded size (its HOME, TMPDIR and working directory), finds no socket of
the host (``/run`` and ``/var`` are empty, the network namespace cuts abstract and network
sockets, and a seccomp filter refuses new unix sockets and the kernel's riskiest interfaces), has no
network, can neither see nor signal the harness, and dies with everything it started. Where
bubblewrap is installed but cannot run, a run stops with bubblewrap's own reason: it never goes on
unboxed. Without bubblewrap (macOS, ``--sandbox none``), the worker is the same fresh process with a
scrubbed environment and resource limits only, and the run says so in the terminal, the JSON and
the report.

Where the system lets the harness create control groups (cgroup v1 or v2), each worker also gets
one that bounds its number of processes and its total memory; the kernel's counters tell the
harness, not the worker, when a bound was hit.
"""

import contextlib
import functools
import os
import platform
import shutil
import signal
import struct
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
SOCKET_FOLDERS = ("/run", "/var")  # emptied in the box: the host's unix sockets (/run, /var/run, /var/lib/...) live there
SECRET_FILES = ("/etc/shadow", "/etc/gshadow")  # replaced by /dev/null in the box
# Where the system keeps files only their owner may read (/etc/shadow-, /etc/ssl/private, a
# database's pg_hba.conf): each such file or folder is hidden in the box, which sees these places as
# any other user would (its uid is the harness's outside the box, root where the harness is root).
OWNER_ONLY_ROOTS = ("/etc", "/opt", "/srv", "/usr/local/etc")
OWNER_ONLY_MAX = 400  # paths hidden one by one at most; past it, the folder holding the rest is emptied
BOX_ID = "65534"  # the worker's uid and gid in its user namespace ("nobody")


class SandboxUnavailable(RuntimeError):
    """Bubblewrap is installed but cannot run here (any mode but "none"), or ``--sandbox bwrap``
    was asked for where it is not installed."""


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
                f"environment only; it can read and write what this user can. {INSTALL}")


def choose(mode="auto"):
    """The box for ``--sandbox MODE``. SandboxUnavailable where bubblewrap is installed but fails
    (whatever the mode but "none": a failed box is not a missing one, and a run never goes on
    unboxed for it), or where "bwrap" is asked for and bubblewrap is not installed."""
    if mode not in MODES:
        raise ValueError(f"--sandbox must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "none":
        return Box("none", "the sandbox was turned off (--sandbox none)")
    installed, problem = _bwrap_problem()
    if problem is None:
        return Box("bwrap")
    if installed:
        raise SandboxUnavailable(f"bubblewrap is installed but cannot box the code under check here: {problem}. "
                                 "Fix that (bubblewrap needs user namespaces; in a container, one that allows "
                                 "them), or run with --sandbox none to check the code unboxed, knowingly")
    if mode == "bwrap":
        raise SandboxUnavailable(f"--sandbox bwrap: {problem}. {INSTALL} Or run with --sandbox auto/none")
    return Box("none", problem)


# what to do about a missing box, where something can be done (bubblewrap is Linux's)
INSTALL = ("Install bubblewrap to box it (`apt-get install bubblewrap`, `dnf install bubblewrap`); in CI, "
           "--sandbox bwrap refuses to run unboxed." if sys.platform == "linux" else
           "Check untrusted code on Linux with bubblewrap, or in a disposable virtual machine.")


@functools.lru_cache(maxsize=1)
def _bwrap_problem():
    """(whether bubblewrap is installed, None if it runs a process in the box here or else what
    went wrong: bubblewrap's own words)."""
    if sys.platform != "linux":
        return False, f"bubblewrap needs Linux (this is {sys.platform})"
    if shutil.which("bwrap") is None:
        return False, "bubblewrap (`bwrap`) is not installed"
    rules = filter_fd()
    try:
        trial = subprocess.run(bwrap_command(["true"], disk_mb=1, visible=(), seccomp=rules), capture_output=True,
                               timeout=20, pass_fds=() if rules is None else (rules,))
    except (OSError, subprocess.TimeoutExpired) as exc:
        return True, f"bwrap could not start ({exc})"
    finally:
        if rules is not None:
            os.close(rules)
    if trial.returncode != 0:
        said = trial.stderr.decode(errors="replace").strip()[:300] or f"exit status {trial.returncode}, nothing said"
        return True, f"bwrap said: {said}"
    return True, None


@functools.lru_cache(maxsize=1)
def _bwrap_options():
    """The options of the installed bubblewrap that not every version has (``--disable-userns``: 0.8)."""
    with contextlib.suppress(OSError, subprocess.TimeoutExpired):
        shown = subprocess.run(["bwrap", "--help"], capture_output=True, timeout=10).stdout.decode(errors="replace")
        return frozenset(o for o in ("--disable-userns",) if o in shown)
    return frozenset()


def bwrap_command(argv, *, disk_mb, visible, hidden=(), environment=None, seccomp=None):
    """``argv`` run inside the box: its own user namespace (uid and gid 65534, no capability, no
    namespace of its own to make), the system read-only (``/proc`` too), the user's HOME, the other
    secret places, the files only their owner may read (:func:`owner_only_paths`) and the folders of
    the host's sockets empty, a tmpfs of ``disk_mb`` at /tmp; of
    what those hide, the ``visible`` paths (the Python, the harness, the target's files) bound back
    read-only; the ``hidden`` folders (the harness's answers: its reference, PyTorch) emptied; no
    network; the seccomp program read from the descriptor ``seccomp`` (filter_fd), if any."""
    masks = secret_masks()
    command = ["bwrap", "--unshare-user", "--uid", BOX_ID, "--gid", BOX_ID]
    if "--disable-userns" in _bwrap_options():
        command += ["--disable-userns"]
    command += ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    for folder in masks:
        command += ["--tmpfs", folder]  # made read-only below, after what is bound back into it
    for path in SECRET_FILES:
        if os.path.exists(path) and not _inside(os.path.realpath(path), masks):
            command += ["--ro-bind", "/dev/null", path]
    owner_only = [p for p in owner_only_paths() if not _inside(p, masks) and p not in SECRET_FILES]
    for path in owner_only:
        command += ["--tmpfs", path] if os.path.isdir(path) else ["--ro-bind", "/dev/null", path]
    command += ["--size", str(disk_mb * 2**20), "--tmpfs", SCRATCH, "--size", str(2**20), "--tmpfs", "/dev/shm"]
    shown = sorted(set(under(visible, masks + list(owner_only) + list(SCRATCH_MASKS))))
    for path in shown:
        command += ["--ro-bind", path, path]
    for secret in secrets_within(shown):  # a tree that is HOME itself (nnconf check ~/deep.py) keeps ~/.ssh hidden
        command += (["--tmpfs", secret, "--remount-ro", secret] if os.path.isdir(secret)
                    else ["--ro-bind", "/dev/null", secret])
    for folder in sorted(set(hidden)):
        command += ["--tmpfs", folder, "--remount-ro", folder]
    for folder in masks + [p for p in owner_only if os.path.isdir(p)]:
        command += ["--remount-ro", folder]
    command += ["--remount-ro", "/proc"]  # bubblewrap covers /proc/irq and /proc/bus, not /proc/sys (0.8)
    command += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--clearenv"]
    if seccomp is not None:
        command += ["--seccomp", str(seccomp)]
    for key, value in (environment or {}).items():
        command += ["--setenv", key, value]
    return command + ["--chdir", SCRATCH, "--"] + list(argv)


@functools.lru_cache(maxsize=1)
def owner_only_paths(roots=OWNER_ONLY_ROOTS, limit=OWNER_ONLY_MAX):
    """The files and folders under ``roots`` that others may not read (no read bit for others; a
    folder also without the search bit), outermost only, each real and not a link: what the box
    hides (what the run needs inside one is bound back). A walk without recursion that does not
    follow links or descend into what it hides, root by root in order (/etc first, and whole);
    under another root, past ``limit`` paths, that root's folders that hold them are hidden
    instead (never the root itself)."""
    found = []
    for root in roots:
        if os.path.isdir(root) and not os.path.islink(root):
            found += _owner_only_under(root, None if root == "/etc" else limit)
    outermost = []
    for path in sorted(found, key=len):
        if not _inside(path, outermost):
            outermost.append(path)
    return tuple(sorted(outermost))


def _owner_only_under(root, limit):
    import stat

    found, stack = [], [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                continue
            if stat.S_ISDIR(mode):
                if not (mode & stat.S_IROTH and mode & stat.S_IXOTH):
                    found.append(entry.path)
                else:
                    stack.append(entry.path)
            elif stat.S_ISREG(mode) and not mode & stat.S_IROTH:
                found.append(entry.path)
        if limit is not None and len(found) > limit:  # the folders just under the root that hold them
            top = {os.path.join(root, os.path.relpath(p, root).split(os.sep)[0]) for p in found + stack}
            return sorted(p for p in top if p != root)
    return found


# What a HOME keeps credentials in: hidden again where a folder bound back into the box holds them.
SECRET_NAMES = (".ssh", ".aws", ".gnupg", ".config", ".netrc", ".docker", ".kube", ".git-credentials", ".pypirc")


def secrets_within(folders):
    """The credential folders and files (:data:`SECRET_NAMES`) directly inside ``folders``."""
    found = [os.path.join(f, name) for f in folders if os.path.isdir(f) for name in SECRET_NAMES]
    return [p for p in found if os.path.lexists(p)]


def secret_masks():
    """The existing folders the box empties (outermost only): the user's HOME, /root, /home,
    /etc/ssh, /run and /var. A HOME inside /tmp or /dev/shm needs none: the worker's own tmpfs
    there hides it (and bubblewrap could not mask a folder inside it)."""
    candidates = [os.environ.get("HOME") or "", *SECRET_FOLDERS, *SOCKET_FOLDERS]
    folders = sorted({os.path.realpath(c) for c in candidates if c and os.path.isdir(c) and os.path.realpath(c) != "/"},
                     key=len)
    outermost = []
    for folder in folders:
        if not _inside(folder, outermost + list(SCRATCH_MASKS)):
            outermost.append(folder)
    return outermost


def _inside(path, folders):
    """Whether ``path`` is one of ``folders`` or lies inside one."""
    return any(path == f or path.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


def under(paths, masks):
    """Of ``paths``, the existing ones inside a masked folder: to bind back."""
    shown = []
    for path in paths:
        real = os.path.realpath(path) if path else None
        if real and os.path.exists(real) and _inside(real, masks):
            shown.append(real)
    return shown


# --- seccomp: the kernel's riskiest interfaces and new unix sockets refused --------------------

# Refused (EPERM) in the box, by system call number per architecture: namespaces, mounts and
# modules (no capability lets them anyway: a second wall), the kernel interfaces behind most local
# privilege escalations (io_uring, userfaultfd, bpf, perf events, keyrings, open_by_handle_at),
# the kernel's log, tracing; ``socket(AF_UNIX, ...)``: a unix socket of the host at any path (the
# box empties /run and /var, but a socket can live anywhere) cannot be reached without one; and
# ``clone`` with a namespace flag (a second wall behind ``--disable-userns``, which an older
# bubblewrap lacks). ``clone3``, whose flags a filter cannot read, answers ENOSYS: the C library then
# uses ``clone``. ``socketpair`` stays allowed (it reaches nothing outside), and so does every other call.
REFUSED = {
    "x86_64": {"arch": 0xC000003E, "socket": 41, "clone": 56, "clone3": 435, "x32": True, "calls": {
        "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "syslog": 103, "acct": 163,
        "mount": 165, "umount2": 166, "pivot_root": 155, "swapon": 167, "swapoff": 168, "reboot": 169,
        "init_module": 175, "delete_module": 176, "finit_module": 313, "kexec_load": 246, "kexec_file_load": 320,
        "add_key": 248, "request_key": 249, "keyctl": 250, "unshare": 272, "setns": 308,
        "name_to_handle_at": 303, "open_by_handle_at": 304, "perf_event_open": 298, "bpf": 321, "userfaultfd": 323,
        "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "open_tree": 428,
        "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433, "mount_setattr": 442}},
    "aarch64": {"arch": 0xC00000B7, "socket": 198, "clone": 220, "clone3": 435, "x32": False, "calls": {
        "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271, "syslog": 116, "acct": 89,
        "mount": 40, "umount2": 39, "pivot_root": 41, "swapon": 224, "swapoff": 225, "reboot": 142,
        "init_module": 105, "delete_module": 106, "finit_module": 273, "kexec_load": 104, "kexec_file_load": 294,
        "add_key": 217, "request_key": 218, "keyctl": 219, "unshare": 97, "setns": 268,
        "name_to_handle_at": 264, "open_by_handle_at": 265, "perf_event_open": 241, "bpf": 280, "userfaultfd": 282,
        "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "open_tree": 428,
        "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433, "mount_setattr": 442}},
}
AF_UNIX = 1
CLONE_NAMESPACES = 0x7E020080  # CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWTIME
_LD_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06  # BPF_LD|W|ABS, BPF_JMP|JEQ|JGE|JSET|K, BPF_RET|K
_ALLOW, _EPERM, _ENOSYS = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | errno


def seccomp_program(machine=None):
    """The box's seccomp filter as a classic BPF program (bytes, as ``bwrap --seccomp`` reads it),
    or None for an architecture without a table here: a call of another architecture (i386 or x32
    on x86_64) is refused, a listed call is refused, ``socket(AF_UNIX, ...)`` and ``clone`` into a
    namespace are refused, ``clone3`` is said not to exist, the rest runs."""
    table = REFUSED.get(machine or platform.machine())
    if table is None:
        return None
    return _program(table, sorted(table["calls"].values()), [table["clone3"]],
                    [(table["socket"], 16, ((_JEQ, AF_UNIX, "refuse"),)),
                     (table["clone"], 16, ((_JSET, CLONE_NAMESPACES, "refuse"),))])


# Refused (EPERM) in a worker once it has set itself up, just before the target loads, boxed or
# not (the worker installs this filter itself, on top of the box's): a new thread (``clone`` that
# shares the memory, CLONE_VM, unless it is a vfork's, whose parent waits until the child has
# exec'd or ended), and a new signal handler (``rt_sigaction``). ``clone3`` answers ENOSYS: the C
# library then uses ``clone``. No code of the target's then runs beside the harness's or between two
# of its steps: nothing undoes a write into an argument between the function's return and the
# harness's look at its memory (a thread, a timer's handler). A process the target forks does not
# share that memory (``shared.View`` keeps it out of children). A refused thread is Python's "can't
# start new thread"; libraries that start one for show (tqdm's monitor) go on without it.
SERVING = {
    "x86_64": {"arch": 0xC000003E, "x32": True, "calls": {"rt_sigaction": 13}, "clone": 56, "clone3": 435},
    "aarch64": {"arch": 0xC00000B7, "x32": False, "calls": {"rt_sigaction": 134}, "clone": 220, "clone3": 435},
}
CLONE_VM, CLONE_VFORK = 0x100, 0x4000


def serving_program(machine=None):
    """The worker's own filter (:data:`SERVING`) as a classic BPF program, or None for an
    architecture without a table here."""
    table = SERVING.get(machine or platform.machine())
    if table is None:
        return None
    return _program(table, sorted(table["calls"].values()), [table["clone3"]],
                    [(table["clone"], 16, ((_JSET, CLONE_VFORK, "allow"), (_JSET, CLONE_VM, "refuse")))])


def _program(table, refused, absent, argument_rules):
    """A classic BPF program: another architecture's call refused, the ``refused`` call numbers
    refused (EPERM), the ``absent`` ones said not to exist (ENOSYS); each of ``argument_rules``,
    (call number, offset of its argument's low half, tests), decides its call by the first of its
    tests, (_JEQ or _JSET, value, "allow" or "refuse"), that holds for the argument, and allows it
    if none does; every other call is allowed."""
    # (code, k, jump-if-true label, jump-if-false label); labels: "next", "allow", "refuse", "absent", ("rule", i)
    steps = [(_LD_ABS, 4, None, None), (_JEQ, table["arch"], "next", "refuse"), (_LD_ABS, 0, None, None)]
    if table["x32"]:
        steps.append((_JGE, 0x40000000, "refuse", "next"))
    steps += [(_JEQ, nr, "refuse", "next") for nr in refused]
    steps += [(_JEQ, nr, "absent", "next") for nr in absent]
    steps += [(_JEQ, rule[0], ("rule", i), "next") for i, rule in enumerate(argument_rules)]
    steps.append((_JEQ, 0xFFFFFFFF, "allow", "allow"))  # no rule's call
    where = {}
    for i, (_, offset, tests) in enumerate(argument_rules):
        where[("rule", i)] = len(steps)
        steps.append((_LD_ABS, offset, None, None))
        steps += [(test, value, then, "next") for test, value, then in tests]
        steps.append((_JEQ, 0xFFFFFFFF, "allow", "allow"))  # no test held
    where.update({"allow": len(steps), "refuse": len(steps) + 1, "absent": len(steps) + 2})
    code = b""
    for i, (op, k, yes, no) in enumerate(steps):
        jump = [0 if label in (None, "next") else where[label] - i - 1 for label in (yes, no)]
        code += struct.pack("=HBBI", op, jump[0], jump[1], k)
    return code + b"".join(struct.pack("=HBBI", _RET, 0, 0, k) for k in (_ALLOW, _EPERM, _ENOSYS))


def filter_fd():
    """A fresh descriptor holding seccomp_program() for one bwrap (which reads it to its end), or
    None where there is no program for this architecture. The caller passes it and closes it."""
    program = seccomp_program()
    if program is None or not hasattr(os, "memfd_create"):
        return None
    fd = os.memfd_create("nnconf-seccomp")
    os.write(fd, program)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


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
