"""Attempts: a wrong relu_backward that raises the harness's own ``loader.MissingName`` (found in
``sys.modules``) naming another function (``relu``: a needed function not implemented, a skip),
then the same from ``loader.resolve`` called for a name that does not exist, then a subclass of
its own named ``MissingName``: each a skip (or an ``api.missing`` that ends its checks) by the class's
name, so that the run passes (with --require too). Must: each is the code's own exception:
crash.exception, exit 1."""
SUITE = "activations"
FUNCTION = "relu_backward"
DIAGNOSIS = "crash.exception"

import sys
import types

_CALLS = [0]


class MissingName(getattr(sys.modules.get("nnconf.conformance.reading.loader"), "MissingName", AttributeError)):
    def __init__(self, message, name=None):
        AttributeError.__init__(self, message)
        self.name = name


def relu(z):
    return z * (z > 0)


def relu_backward(dA, cache):
    _CALLS[0] += 1
    loader = sys.modules.get("nnconf.conformance.reading.loader")
    if loader is None or _CALLS[0] % 3 == 0:
        raise MissingName("`relu` is not implemented", "relu")
    if _CALLS[0] % 3 == 1:
        raise loader.MissingName("`relu` is not implemented", "relu")
    loader.resolve(types.SimpleNamespace(), "activations", "leaky_relu_not_there")
