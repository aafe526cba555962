"""The reference side of the checks, kept on disk: a warm re-check needs no PyTorch.

A contract's cases (drawn by hypothesis), the values the reference expects for each, and the
accepted conventions' alternatives depend only on the case, the seed, the profile and the
harness's own code - never on the code under check. They are computed once and kept in the
platform's cache folder (``--cache-dir``; ``NNCONF_CACHE_DIR``; ``--no-cache`` turns it off),
one file per contract, profile and seed, under a fingerprint of the reference's and the checks'
source and of the Python, NumPy, PyTorch and hypothesis versions: an edit there or an upgrade
starts a fresh folder.

Every value is keyed by what it was computed from (the pickled case itself, for a case that the
target's own start completed), so a cached value is the one a cold run would compute.
"""

import contextlib
import functools
import hashlib
import importlib.metadata
import os
import pickle
import platform
import sys
import tempfile

FORMAT = 1
_HARNESS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def default_folder():
    """``NNCONF_CACHE_DIR``, else the platform's cache folder for nnconf."""
    if os.environ.get("NNCONF_CACHE_DIR"):
        return os.environ["NNCONF_CACHE_DIR"]
    if sys.platform == "darwin":
        return os.path.expanduser("~/Library/Caches/nnconf")
    if sys.platform == "win32":
        return os.path.join(os.environ.get("LOCALAPPDATA", os.path.expanduser("~")), "nnconf", "Cache")
    return os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "nnconf")


def _sources():
    """The files whose code decides a reference value: the reference and the checks."""
    from nnconf import conformance, reference

    for package in (reference, conformance):
        root = os.path.dirname(os.path.abspath(package.__file__))
        for folder, subfolders, files in os.walk(root):
            subfolders[:] = sorted(d for d in subfolders if d not in ("catalog", "__pycache__"))
            for name in sorted(files):
                if name.endswith(".py"):
                    yield os.path.join(folder, name)


@functools.lru_cache(maxsize=1)
def fingerprint():
    """A hash of the reference's and the checks' source and of the versions that compute them."""
    digest = hashlib.sha256(f"format {FORMAT}; python {platform.python_version()}".encode())
    for package in ("numpy", "torch", "hypothesis"):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            digest.update(f"{package} {importlib.metadata.version(package)}".encode())
    for path in _sources():
        digest.update(os.path.relpath(path, _HARNESS).encode())
        with open(path, "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()[:20]


def key_of(value):
    """A key for ``value`` by its content (its pickle)."""
    return hashlib.sha256(pickle.dumps(value, protocol=5)).hexdigest()


class Memo:
    """The reference side of one contract for one profile and seed: {key: pickled value}.
    ``get`` returns a fresh copy each time, so what a run does to it never reaches the file."""

    def __init__(self, path=None):
        self.path, self.values, self.dirty = path, {}, False
        if path is not None:
            with contextlib.suppress(Exception):  # a missing, partial or foreign file is a cold start
                with open(path, "rb") as handle:
                    loaded = pickle.load(handle)
                if isinstance(loaded, dict):
                    self.values = loaded

    def get(self, key, compute):
        if key not in self.values:
            self.values[key] = pickle.dumps(compute(), protocol=5)
            self.dirty = True
        return pickle.loads(self.values[key])

    def save(self):
        """Write the file if anything was added (atomically: a reader sees the old or the new)."""
        if self.path is None or not self.dirty:
            return
        with contextlib.suppress(OSError):
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            handle, tmp = tempfile.mkstemp(dir=os.path.dirname(self.path), prefix=".tmp-")
            try:
                with os.fdopen(handle, "wb") as out:
                    pickle.dump(self.values, out, protocol=5)
                os.replace(tmp, self.path)
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        self.dirty = False


@functools.lru_cache(maxsize=None)
def _contract_ids(suite):
    """id(contract) -> a name unique in its suite (a function checked in several variants)."""
    from nnconf.conformance.suites import contracts

    ids, seen = {}, {}
    for contract in contracts(suite):
        n = seen[contract.name] = seen.get(contract.name, 0) + 1
        ids[id(contract)] = contract.name if n == 1 else f"{contract.name}~{n}"
    return ids


class Cache:
    """Where the memos live; ``folder=None`` keeps nothing (``--no-cache``)."""

    def __init__(self, folder=None):
        self.folder = folder

    @classmethod
    def default(cls):
        return cls(None if os.environ.get("NNCONF_NO_CACHE") == "1" else default_folder())

    def memo(self, contract, profile, seed):
        """The memo of a contract's reference side."""
        return self.named(contract.suite, _contract_ids(contract.suite).get(id(contract), contract.name), profile, seed)

    def named(self, suite, name, profile, seed):
        """The memo of any other reference computation (a training curve, the planar sweep)."""
        if self.folder is None:
            return Memo()
        return Memo(os.path.join(self.folder, fingerprint(), suite, f"{name}.{profile}.{seed}.pickle"))
