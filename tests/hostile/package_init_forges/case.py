"""Attempts: a package named on the command line (``nnconf check mypkg``, found on PYTHONPATH)
whose ``__init__.py`` forges the verdict wherever it runs outside the worker: it writes into HOME
and ends the process at once with exit 0, before anything is checked; its ``activations`` module has
a wrong sigmoid (zeros). Must: the harness finds the package without importing any of it, only the
boxed worker runs it (where HOME is read-only and its exit is the worker's crash): the wrong sigmoid
fails on its values or as a crash, exit 1, HOME unchanged."""
SUITE = "activations"
FUNCTION = "sigmoid"
TARGET = "mypkg"
IMPORTABLE = True
DIAGNOSIS = ("value.wrong", "value.scale", "value.sign", "value.activation_derivative", "crash.exception")
RECORD = ("sigmoid", "*")
