"""Attempts: install a profile function of its own through a copy of the harness's ``traced``
(``types.FunctionType`` of its code with globals whose ``sys.getprofile`` returns the attacker's
function, so that ``traced`` "restores" it), then rewrite, from that profile function, the answer
the worker builds in ``_run`` (its ``value``) with the right sigmoid, while the function itself
returns 0.5 everywhere. Must: the worker's audit hook lets only the real ``traced`` set a profile
(its code and the real ``sys.setprofile`` and ``set`` as its defaults), and ``traced`` restores
none: the copy is refused, the wrong sigmoid fails on its values, exit 1 (--strict)."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = ("value.wrong", "value.scale", "value.sign", "value.activation_derivative", "crash.exception")
ARGS = ["--strict"]

import sys
import types

import numpy as np

_SEEN = {}


def _right(z):
    return 1 / (1 + np.exp(-z))


def _forge(frame, event, arg):
    f = frame
    while f is not None:  # the harness's probe frame, once it has built its answer
        if f.f_code.co_name == "_run":
            value = f.f_locals.get("value")
            if isinstance(value, dict) and "result" in value and "z" in _SEEN:
                value["result"] = _right(_SEEN["z"])
                if value.get("second") is not None:
                    value["second"] = _right(_SEEN["z"])
            break
        f = f.f_back


class _FakeSys:
    getprofile = staticmethod(lambda: _forge)
    setprofile = staticmethod(sys.setprofile)


class _Codes(set):  # the set a copy of traced collects into: its ``add`` is the profiler's only call
    def add(self, code):
        _forge(sys._getframe(1), "call", None)


def _install():
    probes = sys.modules.get("nnconf.conformance.box.probes")
    if probes is None or sys.getprofile() is _forge:
        return
    code, names = probes.traced.__code__, probes.traced.__globals__
    copies = [types.FunctionType(code, {**names, "sys": _FakeSys}),  # "restores" the attacker's profiler
              types.FunctionType(code, names, "traced", (sys.setprofile, _Codes))]  # collects into its own set
    for copy in copies:
        for arguments in ((lambda: None,), (lambda: None, (), {})):
            try:
                copy(*arguments)
            except Exception:  # noqa: BLE001 - refused, or another shape of traced
                continue


def sigmoid(z):
    _SEEN["z"] = np.array(z, copy=True)
    try:
        _install()
    except Exception:
        pass
    return np.zeros_like(z) + 0.5  # wrong
