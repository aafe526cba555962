"""Attempts: rewrite the harness where the target can find it: open its installed files for writing
(``nnconf/conformance/judging/compare.py`` and the package's ``__init__.py``, rewriting the bytes as they
are, so that success changes nothing but is known), drop new files next to them and in their
``__pycache__`` (a poisoned .pyc), and a ``.pth`` file in every folder of ``sys.path`` (it would run
in every later Python). Must: every write is refused (read-only system); nothing changes; the
call fails (crash.exception, with what was refused in its message)."""
SUITE = "activations"
FUNCTION = "sigmoid"
NEEDS_BWRAP = True  # what holds it is the box (read-only system, empty HOME, empty answer folders)
DIAGNOSIS = "crash.exception"

import os
import sys


def _folders():
    found = set()
    for name in ("nnconf", "nnconf.conformance", "nnconf.conformance.box.probes"):
        module = sys.modules.get(name)
        if module is not None and getattr(module, "__file__", None):
            found.add(os.path.dirname(module.__file__))
    found.update(("/work/main/conformance", "/work/main/nnconf"))
    return sorted(f for f in found if os.path.isdir(f))


def sigmoid(z):
    done, refused = [], []
    for folder in _folders():
        for name in ("compare.py", "__init__.py", "engine.py"):
            path = os.path.join(folder, name)
            if not os.path.isfile(path):
                continue
            try:
                with open(path, "r+b") as handle:  # the same bytes back: harmless if it works
                    data = handle.read()
                    handle.seek(0)
                    handle.write(data)
                done.append(f"rewrote {path}")
            except OSError as exc:
                refused.append(f"{path}: {exc.strerror}")
        for where in (folder, os.path.join(folder, "__pycache__")):
            path = os.path.join(where, "compare.hostile-pwned.pyc")
            try:
                with open(path, "wb") as handle:
                    handle.write(b"poisoned")
                done.append(f"created {path}")
            except OSError as exc:
                refused.append(f"{path}: {exc.strerror}")
    for folder in sys.path:
        if folder and os.path.isdir(folder):
            path = os.path.join(folder, "nnconf-hostile-pwned.pth")
            try:
                with open(path, "w") as handle:
                    handle.write("import os\n")
                done.append(f"created {path}")
            except OSError as exc:
                refused.append(f"{path}: {exc.strerror}")
    if done:
        raise RuntimeError("HOSTILE-SUCCEEDED: " + "; ".join(done))
    raise RuntimeError(f"refused {len(refused)} writes: " + "; ".join(refused[:6]))
