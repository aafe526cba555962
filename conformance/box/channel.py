"""What a worker may send back to the harness: data, never code.

The worker runs beside the target's code, so its answer is untrusted: it is read with the JSON
parser and as raw array buffers of plain dtypes, never with pickle (an unpickled answer can run
code in the harness). An answer is a JSON header followed by the raw buffers it refers to:

- ``None``, booleans, integers, floats (NaN and infinities included) and strings as themselves;
- lists; ``{"t": [...]}`` a tuple; ``{"d": [[key, value], ...]}`` a dict;
- ``{"a": [i, dtype, shape]}`` the i-th buffer as an array of a plain dtype (booleans, integers,
  floats, complex numbers, fixed-size text), ``{"s": [i, dtype, []]}`` a NumPy scalar,
  ``{"c": [re, im]}`` a complex number;
- ``{"o": [type name, text]}`` any other object, which the harness only describes.

Object arrays cannot be written this way; :func:`encode` turns them into descriptions too.
"""

import json
import struct

import numpy as np

MAX_DEPTH = 64
MAX_HEADER_BYTES = 8 * 2**20  # the JSON part of an answer (texts, lists of numbers); arrays travel as buffers
MAX_VALUES = 200_000  # values in the JSON part (a training loop gives 10,000 costs, the largest real answer)


class Described:
    """An object the worker could only describe (its type's name and a short repr)."""

    def __init__(self, type_name, text):
        self.type_name, self.text = str(type_name), str(text)

    def __repr__(self):
        return f"<{self.type_name} object>"


PLAIN_KINDS = "biufcSU"  # dtype kinds an answer may carry; anything else is described


def encode(value):
    """Bytes for ``value``: a length-prefixed JSON header, then each array's raw buffer."""
    arrays = []
    header = json.dumps(_encode(value, arrays, 0), allow_nan=True).encode("utf-8")
    parts = [struct.pack(">I", len(header)), header]
    for array in arrays:
        data = np.ascontiguousarray(array).tobytes()
        parts += [struct.pack(">Q", len(data)), data]
    return b"".join(parts)


def decode(data):
    """The value of an answer; raises ValueError for anything that is not one.

    Memory and time stay in proportion to what a real answer holds, whatever the worker sends:
    the JSON header is at most MAX_HEADER_BYTES with at most MAX_VALUES values (counted before it
    is parsed: two million tiny values cost the harness a gigabyte and a minute), and the
    buffers are read in place (memoryview slices, one copy per array at most)."""
    view = memoryview(data)
    if len(view) < 4:
        raise ValueError("an answer cut short")
    (size,) = struct.unpack_from(">I", view, 0)
    if size > MAX_HEADER_BYTES:
        raise ValueError(f"an answer whose header is {size} bytes (at most {MAX_HEADER_BYTES}): "
                         "a result this large travels as arrays, not as values one by one")
    if 4 + size > len(view):
        raise ValueError("an answer cut short")
    header = bytes(view[4:4 + size])
    values = header.count(b",") + header.count(b"[") + header.count(b"{")  # an upper bound of the values + 1
    if values > MAX_VALUES:
        raise ValueError(f"an answer of about {values} values (at most {MAX_VALUES}): "
                         "a result this large travels as arrays, not as values one by one")
    try:
        header = json.loads(header.decode("utf-8"))
    except RecursionError:
        raise ValueError("an answer nested too deep") from None
    buffers, offset = [], 4 + size
    while offset < len(view):
        if offset + 8 > len(view):
            raise ValueError("an answer cut short")
        (length,) = struct.unpack_from(">Q", view, offset)
        offset += 8
        if offset + length > len(view):
            raise ValueError("an answer cut short")
        buffers.append(view[offset:offset + length])
        offset += length
    try:
        return _decode(header, buffers, 0)
    except (TypeError, KeyError, IndexError, OverflowError, AttributeError) as exc:
        raise ValueError(f"not an answer: {type(exc).__name__}: {str(exc)[:80]}") from None
    except RecursionError:
        raise ValueError("an answer nested too deep") from None


def _array(buffers, body):
    """The array a header's ``[i, dtype, shape]`` describes, checked against its buffer."""
    index, dtype, shape = body
    dtype = np.dtype(str(dtype))
    if dtype.kind not in PLAIN_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise ValueError(f"an array of dtype {dtype} in an answer")
    shape = tuple(int(n) for n in shape)
    if any(n < 0 for n in shape) or len(shape) > 32:
        raise ValueError("an array of impossible shape in an answer")
    buffer = buffers[int(index)]
    count = 1
    for n in shape:  # Python integers: a product that overflows int64 cannot pass for a small one
        count *= n
    if len(buffer) != dtype.itemsize * count:
        raise ValueError("an array whose buffer does not match its shape")
    array = np.frombuffer(buffer, dtype=dtype).reshape(shape)
    return array if not buffer.readonly else array.copy()  # a writable frame is the answer's own: no copy


def _encode(value, arrays, depth):
    if depth > MAX_DEPTH:
        return {"o": ["deep structure", "nested more than 64 levels"]}
    if value is None or isinstance(value, (bool, str)) or type(value) in (int, float):
        return value
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in PLAIN_KINDS or value.dtype.fields is not None:
            return {"o": [f"{value.dtype} array", f"shape {value.shape}"]}
        arrays.append(value)
        return {"a": [len(arrays) - 1, value.dtype.str, list(value.shape)]}
    if isinstance(value, np.generic):
        if value.dtype.kind not in PLAIN_KINDS or value.dtype.fields is not None:
            return {"o": [type(value).__name__, ""]}
        arrays.append(np.asarray(value))
        return {"s": [len(arrays) - 1, value.dtype.str, []]}
    if type(value) is complex:
        return {"c": [value.real, value.imag]}
    if isinstance(value, list):
        return [_encode(v, arrays, depth + 1) for v in value]
    if isinstance(value, tuple):
        return {"t": [_encode(v, arrays, depth + 1) for v in value]}
    if isinstance(value, dict):
        return {"d": [[_encode(k, arrays, depth + 1), _encode(v, arrays, depth + 1)] for k, v in value.items()]}
    if hasattr(value, "__dict__") and hasattr(value, "type_name") and hasattr(value, "text"):  # a description
        return {"o": [str(value.type_name), str(value.text)]}
    return {"o": [type(value).__name__, ""]}


def _decode(node, arrays, depth):
    if depth > MAX_DEPTH:
        raise ValueError("an answer nested too deep")
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [_decode(n, arrays, depth + 1) for n in node]
    if isinstance(node, dict) and len(node) == 1:
        (kind, body), = node.items()
        if kind == "a":
            return _array(arrays, body)
        if kind == "s":
            return _array(arrays, body)[()]
        if kind == "c":
            return complex(float(body[0]), float(body[1]))
        if kind == "t":
            return tuple(_decode(n, arrays, depth + 1) for n in body)
        if kind == "d":
            return {_hashable(_decode(k, arrays, depth + 1)): _decode(v, arrays, depth + 1) for k, v in body}
        if kind == "o":
            return Described(body[0], body[1])
    raise ValueError(f"not part of an answer: {str(node)[:80]}")


def _hashable(key):
    if isinstance(key, np.ndarray) or isinstance(key, list):
        raise ValueError("a dict key that is not hashable")
    return key
