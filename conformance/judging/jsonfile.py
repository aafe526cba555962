"""The one JSON encoding of what the harness writes (``--json``, the report's ``results.json``,
the catalog's rows): strict JSON that every reader loads.

JSON has no NaN or infinity (Python's ``json`` writes the bare words ``NaN`` and ``Infinity``,
which JavaScript's ``JSON.parse``, ``jq`` and most other readers refuse): a non-finite number is
written as the string ``"nan"``, ``"inf"`` or ``"-inf"``, as :meth:`Record.to_json` does for a
record's own fields. NumPy values become their Python equivalents; anything else its ``str``.
"""

import json
import math
import os
import tempfile

import numpy as np


def plain(value):
    """``value`` with every non-finite float a string and every NumPy value a Python one, at any depth."""
    if isinstance(value, float | np.floating):
        value = float(value)
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {k if isinstance(k, str) else str(plain(k)): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, np.integer | np.bool_):
        return value.item()
    return value


def dumps(data, indent=1):
    """Strict JSON text of ``data`` (see the module's docstring); never NaN or Infinity."""
    return json.dumps(plain(data), indent=indent, allow_nan=False, default=str)


def write_atomic(path, data):
    """Write strict JSON (:func:`dumps`) to ``path`` through a temporary file and a rename: never a
    half file."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".nnconf-", suffix=".json", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(dumps(data))  # the report's results.json is written the same way
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; a results file is not
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
