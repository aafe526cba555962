"""Attempts: a host escape through /proc where the harness runs as root: opens
``/proc/sys/kernel/core_pattern`` (a pipe there runs a program as root on the host at the next
crash), ``/proc/sysrq-trigger``, ``/proc/sys/vm/drop_caches`` and ``/proc/self/oom_score_adj`` for
writing (never writing a byte), then creates a user namespace (where it would be root again) and
looks for a capability or uid 0 of its own. Must: every open is refused (``/proc`` is read-only in the
box, ``/proc/sysrq-trigger`` may be absent), no namespace is created (``--disable-userns`` and the
seccomp filter), the worker is uid 65534 with no capability; the call fails (crash.exception)."""
SUITE = "activations"
FUNCTION = "sigmoid"
NEEDS_BWRAP = True  # unboxed, a root harness's worker can open them: what holds it is the box
DIAGNOSIS = "crash.exception"

import ctypes
import errno
import os

CLONE_NEWUSER = 0x10000000
WRITABLE = ("/proc/sys/kernel/core_pattern", "/proc/sysrq-trigger", "/proc/sys/vm/drop_caches",
            "/proc/self/oom_score_adj")


def _attempts():
    results = []
    for path in WRITABLE:
        try:
            fd = os.open(path, os.O_WRONLY)
        except OSError as exc:
            results.append(f"{path}: {errno.errorcode.get(exc.errno, exc.errno)}")
        else:
            os.close(fd)  # opened is enough to show the hole: nothing is written
            results.append(f"HOSTILE-SUCCEEDED {path} opened for writing")
    libc = ctypes.CDLL(None, use_errno=True)
    pid = os.fork()
    if pid == 0:  # in a child, so that the worker itself is never moved into a namespace
        os._exit(0 if libc.unshare(CLONE_NEWUSER) == 0 else 1)
    _, status = os.waitpid(pid, 0)
    results.append("HOSTILE-SUCCEEDED user namespace created" if os.waitstatus_to_exitcode(status) == 0
                   else "user namespace: refused")
    with open("/proc/self/status") as handle:
        effective = [line.split()[1] for line in handle if line.startswith("CapEff:")]
    if effective and int(effective[0], 16):
        results.append(f"HOSTILE-SUCCEEDED capabilities {effective[0]}")
    if os.getuid() == 0 or os.geteuid() == 0:
        results.append("HOSTILE-SUCCEEDED uid 0 in the box")
    return results


def sigmoid(z):
    raise PermissionError("; ".join(_attempts()) + f"; uid {os.getuid()}")
