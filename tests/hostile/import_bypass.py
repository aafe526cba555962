"""Attempts: copy the bundled implementation's answer past the refusal: the refusal is a finder on
``sys.meta_path`` of the worker the target runs in, so the target removes every finder that refuses
``nnconf.impl`` and imports ``nnconf.impl.activations`` (if that fails, it loads the file by its
path under a name of its own), and returns its sigmoid. Must: the copy is refused or found (the
run does not pass --allow-bundled): exit 1."""
SUITE = "activations"
FUNCTION = "sigmoid"
NEEDS_BWRAP = True  # what holds it is the box (read-only system, empty HOME, empty answer folders)
DIAGNOSIS = ("crash.exception",)

import importlib
import importlib.util
import os
import sys


def _unhide():
    for finder in list(sys.meta_path):
        try:
            finder.find_spec("nnconf.impl", None)
        except ImportError:
            sys.meta_path.remove(finder)


def _bundled():
    _unhide()
    try:
        return importlib.import_module("nnconf.impl.activations")
    except ImportError:
        pass
    package = os.path.dirname(sys.modules["nnconf"].__file__)
    for candidate in (os.path.join(package, "impl", "activations.py"),
                      os.path.join(os.path.dirname(package), "impl", "activations.py")):
        if os.path.isfile(candidate):
            spec = importlib.util.spec_from_file_location("learner_helpers", candidate)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    raise ImportError("no bundled activations found")


def sigmoid(z):
    return _bundled().sigmoid(z)
