"""Attempts: a wrong relu that raises an exception class of its own named ``UnavailableError``
(an ImportError, as the harness's: a helper the function needs could not be loaded, a skip),
and, on every other call, the harness's own class (found in ``sys.modules``) raised from its own
code: each a skip by the class's name, so that the run passes (with --require too). Must: each is
the code's own exception: crash.exception, exit 1."""
SUITE = "activations"
FUNCTION = "relu"
DIAGNOSIS = "crash.exception"

import sys

_CALLS = [0]


class UnavailableError(ImportError):
    pass


def relu(z):
    _CALLS[0] += 1
    sources = sys.modules.get("nnconf.conformance.reading.sources")
    if _CALLS[0] % 2 == 1 or sources is None:
        raise UnavailableError("`sigmoid` is not available: dnn_utils.py:1 failed (ModuleNotFoundError)")
    raise sources.UnavailableError("`sigmoid` is not available: dnn_utils.py:1 failed (ModuleNotFoundError)")
