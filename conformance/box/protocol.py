"""What the harness and a worker agree on: how frames travel on their socket (:class:`Line`), what
one call gives back (:class:`Outcome`), which conditions a worker may report, which modules hold
probes, and the environment a worker starts with. Both sides import this module; neither imports
the other's internals through it.
"""

import os
import select
import struct
import time
from dataclasses import dataclass, field

RESOURCE_ERRORS = ("MemoryError", "FileTooLarge", "DiskFull", "ProcessLimit", "MemoryLimit")


@dataclass
class Outcome:
    """What one call gave back: a value, or the reason there is none."""


    ok: bool
    value: object = None
    error_type: str | None = None  # what to show: the exception's class, "Timeout", "ProcessDied", "Unsendable"
    error: str | None = None  # message
    traceback: str | None = None
    warnings: list = field(default_factory=list)
    stdout: str = ""
    diagnosis: str | None = None  # set by a probe that knows better than the exception type
    patched: list = field(default_factory=list)  # NumPy functions that gave other values after the call (harness's)
    changed: list = field(default_factory=list)  # paths of input arrays the call wrote into (harness's, from shared memory)
    raised_in: str | None = None  # the function of the target's innermost frame, when it raised
    missing: str | None = None  # the name a MissingName was about
    needs: str | None = None  # the target's function a Precondition waits for (L_model_forward)
    reached: list = field(default_factory=list)  # (qualified name, file) the call reached before it raised
    # which harness-defined condition stopped the call (CONDITIONS), as the worker found it by the
    # identity of the harness's own exception classes and of the code that raised them: never by a
    # class's name. None: the target's own exception, whatever its class is called.
    condition: str | None = None
    asked: str | None = None  # the probe the harness called ("module:qualname"; harness's)


    @property
    def kind(self):
        """The bug class for a failed call (SPEC Part 3)."""
        if self.diagnosis:
            return self.diagnosis
        if self.error_type in ("Timeout", "RunTimeLimit"):
            return "crash.timeout"
        if self.error_type in RESOURCE_ERRORS:
            return "crash.resource"
        if self.error_type == "MissingName":
            return "api.missing"
        if self.error_type == "SignatureError":
            return "api.signature"
        return "crash.exception"


# filled in by the harness from what it sees, never by the worker
HARNESS_FIELDS = ("patched", "changed", "diagnosis", "asked")


# The conditions a worker may report (Outcome.condition) and the names the harness shows and acts on
# for them. Only a reported condition gives an outcome one of these names: an exception of the
# target's that merely calls itself ``Precondition`` or ``MissingName`` is shown as the target's own.
CONDITIONS = {"precondition": "Precondition", "missing": "MissingName", "signature": "SignatureError",
              "unavailable": "UnavailableError", "resource": None}
# The condition the harness itself gives a call it finds not applicable to the code, from data (the
# book's chapter-4 net on integer labels; a session whose earlier step failed): never a worker's.
NOT_APPLICABLE = "not applicable"
HARNESS_NAMES = frozenset({"Precondition", "MissingName", "SignatureError", "UnavailableError", "StaleState",
                           "Timeout", "RunTimeLimit", "ProcessDied", *RESOURCE_ERRORS})


# A probe's message in the middle of a call (``probes.call`` sends it as soon as the target's function
# returns): the harness reads its shared memory then, and answers with one byte, before any other code
# of the target runs. A target that forges one only makes the harness look once more.
CHECKPOINT = b"\xffnnconf-checkpoint"
MAX_CHECKPOINTS = 64


class Line:
    """Frames over a socket: an 8-byte length, then the bytes. The harness's reads have a size
    bound and a deadline, so a partial or endless frame from the worker never hangs it."""


    def __init__(self, sock):
        self.sock = sock


    def send(self, data):
        self.sock.sendall(struct.pack(">Q", len(data)) + data)


    def ready(self, timeout):
        return bool(select.select([self.sock], [], [], max(0.0, timeout))[0])


    def receive(self, limit=None, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        (size,) = struct.unpack(">Q", self._exactly(8, deadline))
        if limit is not None and size > limit:
            raise ValueError(f"a frame of {size} bytes (at most {limit})")
        return self._exactly(size, deadline)


    def _exactly(self, size, deadline):
        data = bytearray(size)
        view, got = memoryview(data), 0
        while got < size:
            if deadline is not None:
                self.sock.settimeout(max(0.001, deadline - time.monotonic()))
            n = self.sock.recv_into(view[got:])
            if n == 0:
                raise EOFError("the other end closed")
            got += n
        return data  # no copy of an answer (up to MAX_ANSWER_BYTES): pickle and channel.decode read it as it is


    def close(self):
        self.sock.close()


PROBE_MODULES = ("nnconf.conformance.box.probes", "nnconf.conformance.box.probes.layers", "nnconf.conformance.box.probes.training")


def probe_name(probe):
    name = f"{probe.__module__}:{probe.__qualname__}"
    if probe.__module__ not in PROBE_MODULES:
        raise ValueError(f"{name} is not a probe (probes live in {', '.join(PROBE_MODULES)})")
    return name


# The environment a worker keeps: what Python, NumPy and the locale need; nothing else (no tokens,
# no keys). HOME, TMPDIR and the working directory are the worker's own scratch folder.
ENVIRONMENT = ("PATH", "LANG", "LANGUAGE", "TZ", "TERM", "PYTHONHASHSEED", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
               "MKL_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


# glibc returns freed memory to the system once the heap's free top passes twice the size of the
# last large block (160 KB arrays: 320 KB), so a training loop's temporaries fault their pages in
# again at every step: half the time of a planar backward step at n_h = 50. A worker keeps up to
# 64 MB instead, and takes blocks of up to 16 MB from its heap; its results are the same.
MALLOC = "glibc.malloc.trim_threshold=67108864:glibc.malloc.mmap_threshold=16777216"


def environment(scratch):
    """The environment a worker starts with: the allowed variables of the harness's, and the scratch."""
    kept = {k: v for k, v in os.environ.items() if k in ENVIRONMENT or k.startswith("LC_")}
    return {**kept, "HOME": scratch, "TMPDIR": scratch, "TMP": scratch, "TEMP": scratch,
            "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "GLIBC_TUNABLES": MALLOC}
