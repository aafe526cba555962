"""Attempts: reach a service of the host through its unix socket (Docker's, D-Bus's, systemd's,
a database's): connects to every socket it finds in /run, /var/run, /var/tmp, /var/lib, /tmp,
/dev/shm and HOME, to the well-known paths, and to each path listed in ``sockets.txt`` next to the
target (tests/test_bounds.py lists sockets it opens in /run and /var/tmp there), and sends
``HOSTILE-SUCCEEDED``. Must: no connection is made (``/run`` and ``/var`` are empty in the box, and
its seccomp filter refuses ``socket(AF_UNIX)``); the call fails (crash.exception)."""
SUITE = "activations"
FUNCTION = "sigmoid"
NEEDS_BWRAP = True  # unboxed, the host's sockets are reachable: what holds it is the box
DIAGNOSIS = "crash.exception"

import os
import socket
import stat

WELL_KNOWN = ("/run/docker.sock", "/var/run/docker.sock", "/run/dbus/system_bus_socket", "/dev/log",
              "/run/systemd/journal/socket", "/run/systemd/private", "/run/postgresql/.s.PGSQL.5432",
              "/var/run/mysqld/mysqld.sock", "/var/lib/lxd/unix.socket", "/var/snap/lxd/common/lxd/unix.socket")
SEARCHED = ("/run", "/var/run", "/var/tmp", "/var/lib", "/tmp", "/dev/shm")


def _listed():
    try:
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "sockets.txt")) as handle:
            return [line.strip() for line in handle if line.strip()]
    except OSError:
        return []


def _found(limit=2000):
    found, seen = [], 0
    for top in SEARCHED + (os.path.expanduser("~"),):
        for where, dirs, files in os.walk(top):
            for name in dirs + files:
                seen += 1
                path = os.path.join(where, name)
                try:
                    if stat.S_ISSOCK(os.lstat(path).st_mode):
                        found.append(path)
                except OSError:
                    pass
            if seen > limit:
                return found
    return found


def _attempts():
    results = []
    targets = list(dict.fromkeys(_listed() + list(WELL_KNOWN) + _found()))
    for path in targets:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                connection.settimeout(2)
                connection.connect(path)
                connection.sendall(b"HOSTILE-SUCCEEDED unix " + path.encode())
            results.append(f"HOSTILE-SUCCEEDED connected to {path}")
        except OSError as exc:
            results.append(f"{path}: {exc.strerror or exc}")
    return results or ["no socket to try"]


def sigmoid(z):
    raise ConnectionError("; ".join(_attempts()))
