"""The reference side of the checks, kept on disk: a warm re-check needs no PyTorch.

A contract's cases (drawn by hypothesis), the values the reference expects for each, and the
accepted conventions' alternatives depend only on the case, the seed, the profile and the
harness's own code - never on the code under check. They are computed once and kept in the
platform's cache folder (``--cache-dir``; ``NNCONF_CACHE_DIR``; ``--no-cache`` turns it off),
one file per contract, profile and seed, under a fingerprint of the reference's and the checks'
source and of the Python, NumPy, PyTorch and hypothesis versions: an edit there or an upgrade
starts a fresh folder.

Every value is keyed by what it was computed from (:func:`key_of`: a hash of the case's own
encoding, for a case that the target's own start completed), so a cached value is the one a cold
run would compute.

**A file of the cache is data, and it is authenticated.** The code under check may be able to
write into the cache folder (``--sandbox none``, the notebook door's unboxed workers), so a file
there is never trusted to be what this module wrote:

- It is read as data only, never with pickle: a JSON header (NaN and infinities spelt out as
  ``{"f": "nan"}``, ...) and the raw buffers of NumPy arrays of plain dtypes (booleans, integers,
  floats, complex numbers, fixed-size text), read with ``np.frombuffer``. The encoder takes an
  explicit list of types - None, bool, int, float, complex, str, list, tuple, dict, ndarray,
  NumPy scalars, dtypes and scalar types, the contracts' ``Case``/``Q``/``FD``/``Named``,
  functions of ``nnconf.conformance`` (by name) and NumPy ``Generator``s (by bit generator and
  state) - and refuses anything else (:class:`Unencodable`: such a value is computed in every run
  and never kept). Objects shared inside a value stay shared, as pickle kept them.
- It carries an HMAC-SHA256 over its content and its own place in the cache (fingerprint, suite,
  file name: an entry moved to another contract's name does not verify), with a per-user key
  (:func:`key_path`: ``$XDG_CONFIG_HOME/nnconf/cache-key``, else ``~/.config/nnconf/cache-key``;
  32 random bytes, created 0600 in a 0700 folder on first use, refused and replaced when another
  user could read or write it). The MAC is checked before anything of the file is parsed.
- A file that is missing, cut short, garbled, foreign (a planted pickle), unauthenticated (values
  rewritten, a key that changed) or undecodable is a cold start for its contract: its values are
  computed again and the file is overwritten at the end of the contract. Nothing in it is used.

What the key protects against, honestly: inside bubblewrap's box (the default) the code under
check can write nothing of the host, and the user's HOME, where the key lies by default, is
empty (a ``$XDG_CONFIG_HOME`` outside HOME, or a target whose tree is HOME itself, sees the key
read-only, and still cannot write). Unboxed - ``--sandbox none``, a system without bubblewrap, the
notebook door - the code runs as this user and can read the key file like any other file of the
user (or put a key of its own there), and with it write entries that verify: rewritten expected
values would then be trusted by later runs, boxed ones too. The key is read when the
:class:`Cache` is made, before any target code runs, so only later runs are exposed. Data-only
files still keep its code from running in any run, and an attack that does not know this format
and key is recomputed; but *under --sandbox none no file
of the user is out of the target's reach*, so a check of code you do not trust belongs in the box
(or in a run with ``--no-cache``, or a fresh ``--cache-dir`` and ``XDG_CONFIG_HOME``). After such a
run the key is replaced (:func:`rotate_key`, by the command line and the notebook door), so what
the code wrote with the key it read, or with a key of its own, verifies in no later run; within
that run, what it wrote before a later contract's entry was read may still be trusted.
"""

import contextlib
import functools
import hashlib
import hmac
import importlib
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import re
import secrets
import stat
import struct
import sys
import tempfile
import time
import types
import uuid

import numpy as np

FORMAT = 2
MAGIC = b"nnconf-cache 2\n"  # then the 32-byte MAC, the header's length (8 bytes), the header, the buffers
MAC_BYTES = 32
KEY_BYTES = 32
MAX_FILE_BYTES = 256 * 2**20  # a larger file is not read (a cold start); ours are far smaller
MAX_DEPTH = 200
EXTENSION = ".memo"
_CONFORMANCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # this file is conformance/run/cache.py
_HARNESS = os.path.dirname(_CONFORMANCE)  # where conformance/ and reference/ lie side by side


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
    reference = importlib.util.find_spec("nnconf.reference").submodule_search_locations[0]
    for root in (os.path.abspath(reference), _CONFORMANCE):
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


# --- the key ------------------------------------------------------------------------------------


def key_path():
    """Where the per-user key of the cache's MACs lives: the user's config folder (under HOME by
    default, which bubblewrap's box empties), never the cache folder itself."""
    if sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Application Support")
    elif sys.platform == "win32":
        base = os.environ.get("APPDATA") or os.path.expanduser("~")
    else:
        base = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    return os.path.join(base, "nnconf", "cache-key")


def _read_key(path):
    """The key in ``path``, or None if it is missing, not a regular file of this user readable by
    this user only, or not KEY_BYTES long (a symlink is not followed)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size != KEY_BYTES:
            return None
        if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & 0o077):
            return None
        data = os.read(fd, KEY_BYTES + 1)
        return data if len(data) == KEY_BYTES else None
    finally:
        os.close(fd)


@functools.lru_cache(maxsize=None)
def _key(path):
    """The key, made on first use: 32 random bytes in a new 0600 file, put in place atomically (a
    key another process made first wins; one that is unsafe - another user could read or write
    it, a symlink, the wrong size - is replaced). None if no key can be had: the cache then keeps
    nothing on disk."""
    key = _read_key(path)
    if key is not None:
        return key
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=folder, prefix=".key-")  # 0600
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(secrets.token_bytes(KEY_BYTES))
                out.flush()
                os.fsync(out.fileno())
            try:
                os.link(tmp, path)  # only if there is none yet
            except FileExistsError:
                if _read_key(path) is None:  # an unsafe file there: ours replaces it
                    os.replace(tmp, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    except OSError:
        return None
    return _read_key(path)


def rotate_key(path=None):
    """A new key in place of the old, after a run whose code under check could read the old one
    (unboxed): whatever that code wrote into the cache with it, or with a key of its own put in the
    key file, no longer verifies in any later run (the cache of the next run is cold). Returns
    whether a new key is in place."""
    path = path or key_path()
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=folder, prefix=".key-")  # 0600
        with os.fdopen(handle, "wb") as out:
            out.write(secrets.token_bytes(KEY_BYTES))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except OSError:
        return False
    _key.cache_clear()
    return _read_key(path) is not None


# --- values as data -----------------------------------------------------------------------------


class Unencodable(TypeError):
    """A value of a type the cache does not keep."""


class Undecodable(ValueError):
    """A node that is not part of a cache entry."""


_PLAIN_KINDS = "biufcSU"
_DTYPE = re.compile(r"[<>|=](?:[biufc]\d{1,2}|[SU]\d{1,7})\Z")
_SCALAR_TYPES = {t.__name__: t for t in (
    float, int, bool, complex, str, np.float64, np.float32, np.float16, np.longdouble, np.int64, np.int32,
    np.int16, np.int8, np.uint64, np.uint32, np.uint16, np.uint8, np.bool_, np.complex128, np.complex64,
    np.str_, np.bytes_)}
_SCALAR_NAMES = {t: name for name, t in _SCALAR_TYPES.items()}
_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")
_CLASS_NAMES = ("Case", "Q", "FD", "Named")  # of nnconf.conformance.suites.contract
_MODULE = re.compile(r"nnconf\.conformance(?:\.[A-Za-z_]\w*)+\Z")
_QUALNAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*\Z")
_SPECIAL = {"nan": float("nan"), "inf": float("inf"), "-inf": float("-inf")}


@functools.lru_cache(maxsize=1)
def _classes():
    from nnconf.conformance.suites import contract

    return {name: getattr(contract, name) for name in _CLASS_NAMES}


def _dtype(text):
    if type(text) is not str:
        raise Undecodable(f"not a plain dtype: {text!r}")
    return _plain_dtype(text)


@functools.lru_cache(maxsize=256)
def _plain_dtype(text):
    if not _DTYPE.match(text):
        raise Undecodable(f"not a plain dtype: {text!r}")
    return np.dtype(text)


def _plain(dtype):
    return dtype.kind in _PLAIN_KINDS and dtype.fields is None and dtype.subdtype is None


class _Encoder:
    """A value as a JSON-able tree and a list of buffers. Lists, tuples, dicts, arrays, instances
    and generators are numbered in the order they are first met; a later meeting is ``{"r": n}``."""

    def __init__(self):
        self.buffers, self.seen, self.done = [], {}, set()
        self.alive = []  # what was numbered, kept alive so that no id is reused while encoding

    def __call__(self, value, depth=0):
        if depth > MAX_DEPTH:
            raise Unencodable("nested too deep")
        kind = type(value)
        if value is None or kind in (bool, int, str):
            return value
        if kind is float:
            return value if value == value and abs(value) != float("inf") else {"f": repr(value)}
        if kind is complex:
            return {"j": [self(value.real), self(value.imag)]}
        if kind in _SCALAR_NAMES and isinstance(value, np.generic):
            if not _plain(value.dtype):
                raise Unencodable(f"a NumPy scalar of dtype {value.dtype}")
            self.buffers.append(np.asarray(value).tobytes())
            return {"s": [len(self.buffers) - 1, value.dtype.str]}
        if kind is type:
            if value not in _SCALAR_NAMES:
                raise Unencodable(f"the type {value!r}")
            return {"T": _SCALAR_NAMES[value]}
        if isinstance(value, np.dtype):
            if not _plain(value) or not _DTYPE.match(value.str):
                raise Unencodable(f"the dtype {value!r}")
            return {"D": value.str}
        if kind is types.FunctionType:
            return {"fn": self.function(value)}
        if id(value) in self.seen:
            if id(value) not in self.done:
                raise Unencodable("a value that contains itself")
            return {"r": self.seen[id(value)]}
        if kind not in (list, tuple, dict, np.ndarray, np.random.Generator) and kind not in _classes().values():
            raise Unencodable(f"a value of type {kind.__module__}.{kind.__qualname__}")
        self.seen[id(value)] = len(self.seen)
        self.alive.append(value)
        try:
            return self.shared(value, kind, depth)
        finally:
            self.done.add(id(value))

    def shared(self, value, kind, depth):
        if kind is list:
            return [self(v, depth + 1) for v in value]
        if kind is tuple:
            return {"t": [self(v, depth + 1) for v in value]}
        if kind is dict:
            if all(type(k) is str for k in value):
                return {"m": {k: self(v, depth + 1) for k, v in value.items()}}
            return {"d": [[self(k, depth + 1), self(v, depth + 1)] for k, v in value.items()]}
        if kind is np.ndarray:
            if not _plain(value.dtype) or not _DTYPE.match(value.dtype.str):
                raise Unencodable(f"an array of dtype {value.dtype}")
            order = "F" if value.flags.f_contiguous and not value.flags.c_contiguous else "C"
            self.buffers.append(value.tobytes(order=order))
            return {"a": [len(self.buffers) - 1, value.dtype.str, list(value.shape), order]}
        if kind is np.random.Generator:
            generator = value.bit_generator
            if type(generator).__name__ not in _BIT_GENERATORS or type(generator) is not getattr(
                    np.random, type(generator).__name__):
                raise Unencodable(f"a generator on {type(generator).__name__}")
            return {"g": [type(generator).__name__, self(generator.state, depth + 1)]}
        if getattr(kind, "__slots__", None) is not None or not isinstance(getattr(value, "__dict__", None), dict):
            raise Unencodable(f"a {kind.__name__} without a plain __dict__")
        return {"o": [kind.__name__, {name: self(v, depth + 1) for name, v in vars(value).items()}]}

    @staticmethod
    def function(value):
        module, name = getattr(value, "__module__", None) or "", value.__qualname__
        if not _MODULE.match(module) or not _QUALNAME.match(name) or _resolve(module, name) is not value:
            raise Unencodable(f"the function {module}.{name} (only nnconf.conformance's own, by name)")
        return f"{module}:{name}"


def _resolve(module, qualname):
    found = importlib.import_module(module)
    for part in qualname.split("."):
        found = getattr(found, part)
    return found


class _Decoder:
    """The inverse of :class:`_Encoder`; Undecodable for anything it would not have written."""

    def __init__(self, buffers):
        self.buffers, self.shared = buffers, []

    def __call__(self, node, depth=0):
        kind = type(node)
        if kind in _ATOMS:
            return node
        if depth > MAX_DEPTH:
            raise Undecodable("nested too deep")
        if kind is list:
            slot = self.reserve()
            value = self.shared[slot] = [self(n, depth + 1) for n in node]
            return value
        if kind is not dict or len(node) != 1:
            raise Undecodable(f"not part of a cache entry: {str(node)[:80]}")
        for tag, body in node.items():
            method = self.TAGS.get(tag)
            if method is None:
                raise Undecodable(f"not part of a cache entry: {tag!r}")
            return method(self, body, depth + 1)

    def special(self, body, depth):
        if type(body) is not str or body not in _SPECIAL:
            raise Undecodable(f"not a special float: {body!r}")
        return _SPECIAL[body]

    def complex(self, body, depth):
        re_, im = (self(n, depth) for n in _list(body, 2))
        if type(re_) is not float or type(im) is not float:
            raise Undecodable("a complex number of non-floats")
        return complex(re_, im)

    def scalar(self, body, depth):
        index, dtype = _list(body, 2)
        return self.array(index, _dtype(dtype), [], "C")[()]

    def scalar_type(self, body, depth):
        if type(body) is not str or body not in _SCALAR_TYPES:
            raise Undecodable(f"not a scalar type: {body!r}")
        return _SCALAR_TYPES[body]

    def dtype(self, body, depth):
        return _dtype(body)

    def reference(self, body, depth):
        if type(body) is not int or not 0 <= body < len(self.shared) or self.shared[body] is _PENDING:
            raise Undecodable(f"a reference to nothing before it: {body!r}")
        return self.shared[body]

    def tuple(self, body, depth):
        slot = self.reserve()
        value = self.shared[slot] = tuple([self(n, depth) for n in _list(body)])
        return value

    def dict(self, body, depth):
        slot = self.reserve()
        value = self.shared[slot] = {}
        for pair in _list(body):
            k, v = _list(pair, 2)
            value[self(k, depth)] = self(v, depth)
        return value

    def mapping(self, body, depth):
        if type(body) is not dict:
            raise Undecodable("a mapping expected")
        slot = self.reserve()
        value = self.shared[slot] = {}
        for k, v in body.items():
            value[k] = self(v, depth)
        return value

    def ndarray(self, body, depth):
        slot = self.reserve()
        index, dtype, shape, order = _list(body, 4)
        value = self.shared[slot] = self.array(index, _dtype(dtype), shape, order)
        return value

    def generator(self, body, depth):
        slot = self.reserve()
        name, state = _list(body, 2)
        if type(name) is not str or name not in _BIT_GENERATORS:
            raise Undecodable(f"not a bit generator: {name!r}")
        bits = getattr(np.random, name)()
        bits.state = self(state, depth)
        value = self.shared[slot] = np.random.Generator(bits)
        return value

    def instance(self, body, depth):
        slot = self.reserve()
        name, attributes = _list(body, 2)
        cls = _classes().get(name) if type(name) is str else None
        if cls is None:
            raise Undecodable(f"not a class of the cache: {name!r}")
        if type(attributes) is not dict:
            raise Undecodable("attributes expected")
        value = self.shared[slot] = cls.__new__(cls)
        value.__dict__.update({attribute: self(v, depth) for attribute, v in attributes.items()})
        return value

    def function(self, body, depth):
        module, _, name = body.partition(":") if type(body) is str else ("", "", "")
        if not _MODULE.match(module) or not _QUALNAME.match(name):
            raise Undecodable(f"not a function of the harness: {body!r}")
        found = _resolve(module, name)
        if type(found) is not types.FunctionType:
            raise Undecodable(f"not a function: {body!r}")
        return found

    TAGS = {"f": special, "j": complex, "s": scalar, "T": scalar_type, "D": dtype, "r": reference, "t": tuple,
            "d": dict, "m": mapping, "a": ndarray, "g": generator, "o": instance, "fn": function}

    def reserve(self):
        self.shared.append(_PENDING)
        return len(self.shared) - 1

    def array(self, index, dtype, shape, order):
        if type(index) is not int or not 0 <= index < len(self.buffers) or order not in ("C", "F"):
            raise Undecodable("an array without its buffer")
        if type(shape) is not list or len(shape) > 32 or any(type(n) is not int or n < 0 for n in shape):
            raise Undecodable(f"an impossible shape: {shape!r}")
        buffer = self.buffers[index]
        if len(buffer) != dtype.itemsize * math.prod(shape):
            raise Undecodable("an array whose buffer does not match its shape")
        return np.frombuffer(buffer, dtype=dtype).reshape(shape, order=order).copy(order=order)


_ATOMS = frozenset((float, str, int, bool, type(None)))
_PENDING = object()


def _list(body, length=None):
    if type(body) is not list or length is not None and len(body) != length:
        raise Undecodable("a list expected" if length is None else f"a list of {length} expected")
    return body


def encode(value):
    """(JSON-able tree, [bytes]) for ``value``; Unencodable for a type the cache does not keep."""
    encoder = _Encoder()
    return encoder(value), encoder.buffers


def decode(node, buffers):
    """The value :func:`encode` made ``(node, buffers)`` from: a fresh copy each call."""
    return _Decoder(buffers)(node)


def _no_constant(name):
    raise Undecodable(f"{name} in a cache header")


def _canonical(node, buffers):
    """Bytes that determine an encoded value: the header, then each buffer with its length."""
    parts = [json.dumps(node, allow_nan=False, separators=(",", ":")).encode()]
    for buffer in buffers:
        parts += [struct.pack(">Q", len(buffer)), buffer]
    return b"".join(parts)


def key_of(value):
    """A key for ``value`` by its content (its encoding). A value the cache cannot encode gets a
    key of its own that is never kept, so its dependents are computed afresh, as a cold run would."""
    try:
        return hashlib.sha256(_canonical(*encode(value))).hexdigest()
    except Unencodable:
        return f"unkept:{uuid.uuid4().hex}"


def _key_text(key):
    try:
        node, buffers = encode(key)
    except Unencodable:
        return None
    if buffers:
        return "sha256:" + hashlib.sha256(_canonical(node, buffers)).hexdigest()
    return json.dumps(node, allow_nan=False, separators=(",", ":"))


# --- a contract's memo --------------------------------------------------------------------------


def _mac(key, label, body):
    mac = hmac.new(key, b"nnconf cache %d\0%s\0" % (FORMAT, label.encode()), hashlib.sha256)
    mac.update(body)
    return mac.digest()


def _label(path):
    """The file's place in the cache, as the MAC binds it: fingerprint/suite/name."""
    parts = os.path.normpath(os.path.abspath(path)).split(os.sep)
    return "/".join(parts[-3:])


class Memo:
    """The reference side of one contract for one profile and seed: {key: encoded value}.
    ``get`` returns a fresh copy each time, so what a run does to it never reaches the file.
    Read from ``path`` only if the file is this format and its MAC verifies with the user's key
    (:func:`_key`); anything else there is a cold start, overwritten by :meth:`save`."""

    def __init__(self, path=None, key=None, written_before=None):
        self.path, self.values, self.unkept, self.dirty = path, {}, {}, False
        self.written_before = written_before  # read a file only if its inode last changed before this time
        self.key = None if path is None else key if key is not None else _key(key_path())
        self.rejected = None  # why a file that was there was not used (for tests and debugging)
        if self.key is None:
            self.path = None  # no key, no disk: the memo lives for this run only
            return
        try:
            self.values = self._load()
        except FileNotFoundError:
            pass
        except Exception as exc:  # cut short, garbled, foreign, unauthenticated: a cold start, never a crash
            self.rejected = f"{type(exc).__name__}: {exc}"

    def _load(self):
        fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
                raise Undecodable("not a regular file of a plausible size")
            if self.written_before is not None and info.st_ctime >= self.written_before:
                raise Undecodable("written after unboxed code began to run in this run")
            data = handle.read(MAX_FILE_BYTES + 1)
        start = len(MAGIC) + MAC_BYTES
        if not data.startswith(MAGIC) or len(data) < start + 8:
            raise Undecodable("not a cache file of this format")
        body = memoryview(data)[start:]
        if not hmac.compare_digest(data[len(MAGIC):start], _mac(self.key, _label(self.path), body)):
            raise Undecodable("its MAC does not verify")
        (size,) = struct.unpack_from(">Q", body, 0)
        if 8 + size > len(body):
            raise Undecodable("cut short")
        header = json.loads(bytes(body[8:8 + size]).decode("utf-8"), parse_constant=_no_constant)
        values, offset = {}, 8 + size
        for text, node, lengths in map(_entry, _list(header)):
            buffers = []
            for length in lengths:
                if type(length) is not int or length < 0 or offset + length > len(body):
                    raise Undecodable("a buffer cut short")
                buffers.append(body[offset:offset + length])
                offset += length
            values[text] = (node, buffers)
        if offset != len(body):
            raise Undecodable("bytes after the last buffer")
        return values

    def get(self, key, compute):
        text = None if isinstance(key, tuple) and any(str(k).startswith("unkept:") for k in key) else _key_text(key)
        if text is None:  # a key that cannot be kept: computed afresh, as a cold run does
            return compute()
        if text in self.values:
            try:
                return decode(*self.values[text])
            except Exception:  # an entry that verifies but does not decode: computed again, never trusted
                del self.values[text]
        if text in self.unkept:
            return _copy(self.unkept[text])
        value = compute()
        try:
            self.values[text] = encode(value)
        except Unencodable:
            self.unkept[text] = value  # computed once this run, never written
            return _copy(value)
        self.dirty = True
        return decode(*self.values[text])

    def save(self):
        """Write the file if anything was added (atomically: a reader sees the old or the new)."""
        if self.path is None or not self.dirty:
            return
        header, lengths, chunks = [], [], []
        for text, (node, buffers) in self.values.items():
            header.append([text, node, [len(b) for b in buffers]])
            chunks += buffers
        encoded = json.dumps(header, allow_nan=False, separators=(",", ":")).encode("utf-8")
        body = b"".join([struct.pack(">Q", len(encoded)), encoded, *map(bytes, chunks)])
        with contextlib.suppress(OSError):
            os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)
            handle, tmp = tempfile.mkstemp(dir=os.path.dirname(self.path), prefix=".tmp-")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(MAGIC + _mac(self.key, _label(self.path), body) + body)
                os.replace(tmp, self.path)
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        self.dirty = False


def _copy(value):
    """A fresh copy of a value the cache could not encode (kept in memory for this run only)."""
    import copy

    return copy.deepcopy(value)


def _entry(item):
    if type(item) is not list or len(item) != 3 or type(item[0]) is not str or type(item[2]) is not list:
        raise Undecodable("not an entry")
    return item


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
        # the key is read (or made) now, before any target code runs in this run: a key file replaced by
        # unboxed code during the run does not change which entries this run trusts
        self.key = None if folder is None else _key(key_path())
        self.written_before = None  # set by distrust_from_now

    def distrust_from_now(self):
        """Unboxed code is about to run (``--sandbox none``, the notebook door without a box): it can
        read the key like any file of the user and sign entries of its own. From now on this run
        reads only entries whose inode last changed before now (a file's ctime, which no process
        sets at will); what it computes afresh it still writes, and the key is replaced after the
        run (:func:`rotate_key`), so no later run trusts what the code wrote either."""
        if self.written_before is None:
            self.written_before = time.time()

    @classmethod
    def default(cls):
        return cls(None if os.environ.get("NNCONF_NO_CACHE") == "1" else default_folder())

    def memo(self, contract, profile, seed):
        """The memo of a contract's reference side."""
        return self.named(contract.suite, _contract_ids(contract.suite).get(id(contract), contract.name), profile, seed)

    def named(self, suite, name, profile, seed):
        """The memo of any other reference computation (a training curve, the planar sweep)."""
        if self.folder is None or self.key is None:
            return Memo()
        return Memo(os.path.join(self.folder, fingerprint(), suite, f"{name}.{profile}.{seed}{EXTENSION}"), self.key,
                    self.written_before)
