"""Inputs in memory the harness owns: a sealed memfd both processes map.

The harness writes each array of a call's inputs into the arena and sends the worker only where
they are (:class:`Shared`); the worker hands the target views of that memory. After the answer,
the harness compares the arena with what it wrote: a write into an argument is seen from the
harness's side, whatever the code in the worker reports or patches.
"""

import fcntl
import mmap
import os
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Shared:
    """An array of the call's inputs: ``shape`` and ``dtype`` at ``offset`` of the arena."""

    offset: int
    shape: tuple
    dtype: str


ALIGN = 64


class Arena:
    """The harness's side: a memfd of ``size`` bytes, sealed against shrinking (a worker that
    truncated it would crash the harness on its next read)."""

    def __init__(self, size):
        self.size = size
        self.fd = os.memfd_create("nnconf-inputs", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
        os.ftruncate(self.fd, size)
        fcntl.fcntl(self.fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SEAL)
        self.memory = _unforked(mmap.mmap(self.fd, size))  # a worker forked from here (the notebook door's) maps it anew
        self.placed = []  # (path, offset, bytes written)

    def place(self, value):
        """``value`` with each plain numeric array replaced by a Shared written into the arena;
        raises ValueError if they do not fit."""
        self.placed = []
        self._end = 0
        return self._place(value, ())

    def _place(self, value, path):
        if type(value) is np.ndarray and value.dtype.kind in "biuf" and value.flags.c_contiguous:
            data = value.tobytes()
            offset = -(-self._end // ALIGN) * ALIGN
            if offset + len(data) > self.size:
                raise ValueError(f"the call's inputs need more than the {self.size} bytes of shared memory")
            self.memory[offset:offset + len(data)] = data
            self._end = offset + len(data)
            self.placed.append((path, offset, data))
            return Shared(offset, value.shape, value.dtype.str)
        if type(value) in (list, tuple):
            items = [self._place(v, path + (i,)) for i, v in enumerate(value)]
            return tuple(items) if type(value) is tuple else items
        if type(value) is dict:
            return {k: self._place(v, path + (k,)) for k, v in value.items()}
        return value

    def changed(self):
        """Paths (tuples of indexes and keys) of the placed arrays whose bytes differ now."""
        return [path for path, offset, data in self.placed if self.memory[offset:offset + len(data)] != data]

    def close(self):
        self.memory.close()
        os.close(self.fd)


def _unforked(memory):
    """``memory`` (an mmap), left out of the processes forked after this (where the system can)."""
    if hasattr(mmap, "MADV_DONTFORK"):
        memory.madvise(mmap.MADV_DONTFORK)
    return memory


def _mapped(fd, size):
    """The ``size`` bytes of ``fd`` mapped shared and left out of forked children, as a writable
    buffer that holds no descriptor (Python's ``mmap`` keeps a duplicate of ``fd``, which a child
    would inherit and map again)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long)
    libc.madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    address = libc.mmap(None, size, mmap.PROT_READ | mmap.PROT_WRITE, mmap.MAP_SHARED, fd, 0)
    if address is None or address == ctypes.c_void_p(-1).value:
        raise OSError(ctypes.get_errno(), f"the worker could not map the harness's shared memory ({size} bytes)")
    if hasattr(mmap, "MADV_DONTFORK"):
        libc.madvise(address, size, mmap.MADV_DONTFORK)
    return (ctypes.c_char * size).from_address(address)


def need(value):
    """Bytes the arrays of ``value`` take in an arena (with alignment)."""
    if type(value) is np.ndarray:
        return value.nbytes + ALIGN
    if type(value) in (list, tuple):
        return sum(need(v) for v in value)
    if type(value) is dict:
        return sum(need(v) for v in value.values())
    return 0


class View:
    """The worker's side: the arena mapped from the inherited descriptor, which is then closed, and
    kept out of any child the worker forks (``MADV_DONTFORK``): no process but the worker and the
    harness holds this memory, so none the target starts can write into the arguments after its
    function returned (threads, which would share it, are refused: ``sandbox.SERVING``)."""

    def __init__(self, fd, size):
        self.memory = _mapped(fd, size)
        os.close(fd)

    def arrays(self, value):
        """``value`` with each Shared replaced by a writable array over the arena."""
        if isinstance(value, Shared):
            return np.ndarray(value.shape, np.dtype(value.dtype), buffer=self.memory, offset=value.offset)
        if type(value) in (list, tuple):
            items = [self.arrays(v) for v in value]
            return tuple(items) if type(value) is tuple else items
        if type(value) is dict:
            return {k: self.arrays(v) for k, v in value.items()}
        return value


def written(paths, prefix, names):
    """Of the changed ``paths``, those inside the argument list at ``prefix`` (a path into the
    probe's arguments), labelled as the report names them with the call's parameter ``names``."""
    n = len(prefix)
    return [label(p[n:], names) for p in paths if p[:n] == tuple(prefix) and len(p) > n]


def label(path, names):
    """``("dZ",)``-style paths as the report names them: ``cache[0]``, ``parameters["W1"]``;
    ``path`` starts at a positional index (named by ``names``) or a keyword."""
    head, rest = path[0], path[1:]
    text = (names[head] if head < len(names) else f"arg{head}") if isinstance(head, int) else str(head)
    for step in rest:
        text += f"[{step}]" if isinstance(step, int) else f'["{step}"]'
    return text
