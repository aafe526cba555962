"""Attempts: copy the bundled implementation's answer past the refusal: the refusal goes by module
name, so the target loads the file of ``nnconf.impl.activations`` by its path (found next to the
installed ``nnconf`` package the worker has imported) under a name of its own, and returns its
sigmoid. Must: the copy is refused or found (the run does not pass --allow-bundled): exit 1."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = ("crash.exception",)
XFAIL = ("the refusal of nnconf.impl is by module name only (worker._Hidden): the same file loaded by its path "
         "(importlib.util.spec_from_file_location under another name) is not refused, and nothing notices the "
         "copied answer: the run passes, exit 0")

import importlib.util
import os
import sys


def _bundled():
    roots = set()
    for name in ("nnconf", "nnconf.conformance"):
        module = sys.modules.get(name)
        if module is not None and getattr(module, "__file__", None):
            package = os.path.dirname(module.__file__)
            roots.update((package, os.path.dirname(package)))
    for root in sorted(roots):
        for candidate in (os.path.join(root, "impl", "activations.py"), os.path.join(root, "nnconf", "impl", "activations.py")):
            if os.path.isfile(candidate):
                spec = importlib.util.spec_from_file_location("learner_helpers", candidate)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                return module
    raise ImportError(f"no bundled activations under {sorted(roots)}")


def sigmoid(z):
    return _bundled().sigmoid(z)
