"""Attempts: read the system's files that only their owner may read (``/etc/shadow-``,
``/etc/gshadow-``, ``/etc/ssl/private``, a database's ``pg_hba.conf``): the box's uid is the
harness's own outside it (root, where the harness runs as root), so such a file of root's looks
like the worker's own. It walks /etc, /opt, /srv and /usr/local/etc for regular files that others
may not read, and raises with what it read; else its sigmoid returns zeros. Must: the box hides
every such file and folder (``sandbox.owner_only_paths``): nothing is read, the wrong sigmoid fails
on its values, exit 1."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = ("value.wrong", "value.scale", "value.sign", "value.activation_derivative")
NEEDS_BWRAP = True

import os
import stat

import numpy as np


def _owner_only():
    found = []
    for root in ("/etc", "/opt", "/srv", "/usr/local/etc"):
        for folder, _, files in os.walk(root):
            for name in files:
                path = os.path.join(folder, name)
                try:
                    mode = os.lstat(path).st_mode
                    if stat.S_ISREG(mode) and not mode & stat.S_IROTH:
                        with open(path, "rb") as handle:
                            data = handle.read(60)
                        if data:
                            found.append(f"{path}: {data!r}")
                except OSError:
                    pass
    return found


def sigmoid(z):
    read = _owner_only()
    if read:
        raise RuntimeError("HOSTILE-SUCCEEDED read files only their owner may read: " + "; ".join(read[:5]))
    return np.zeros_like(z)
