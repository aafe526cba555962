"""Attempts: the patch of numpy_patch (``np.exp`` off by 1e-9) hidden by rewriting the worker's
canary instead of replacing it in its module: before patching, the target computes the canary's
values with a clean NumPy, then rewrites ``numpy_canary.__code__``
in ``sys.modules["nnconf.conformance.box.serve"]`` to return them, replaces the canary's
computations (``CANARY["exp"]`` where it is a dict; the whole table otherwise) with ones that give
the clean values, and puts them back on every call. Must: the patch is still found
(side_effect.mutates_input), exit 1: the worker refuses to let a function's code be rewritten, and
puts its own namespaces back before it computes the canary."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "side_effect.mutates_input"

import sys

import numpy as np

_EXP = np.exp
_CLEAN = []


def _fake_canary():  # its code is put into the worker's numpy_canary: the names are the worker's globals
    return list(_nnconf_hostile_clean)  # noqa: F821


def _hide():
    serve = sys.modules.get("nnconf.conformance.box.serve")
    if serve is None:
        return
    if not _CLEAN:
        try:
            _CLEAN[:] = serve.numpy_canary()
        except Exception:  # noqa: BLE001
            return
    serve.__dict__["_nnconf_hostile_clean"] = list(_CLEAN)
    try:
        serve.numpy_canary.__code__ = _fake_canary.__code__
    except Exception:  # noqa: BLE001 - refused: try the next way
        pass
    canary = getattr(serve, "CANARY", None)
    clean_exp = lambda: _EXP(np.linspace(-2.0, 2.0, 6).reshape(2, 3))  # noqa: E731 - NumPy's own exp
    try:
        if isinstance(canary, dict):
            canary["exp"] = clean_exp
        elif canary is not None:
            serve.CANARY = tuple((name, clean_exp if name == "exp" else compute) for name, compute in canary)
    except Exception:  # noqa: BLE001
        pass


def sigmoid(z):
    _hide()
    s = 1 / (1 + _EXP(-z))
    np.exp = lambda x, *args, **kwargs: _EXP(x, *args, **kwargs) * (1 + 1e-9)
    return s
