"""The contracts of every suite, one module per suite (``CONTRACTS`` in each).

The index of their functions by name, :data:`FUNCTIONS`, lives in ``reading.names`` (reading a
target needs the names without the contracts, which import the PyTorch reference) and is
re-exported here. Beside the suites: ``contract`` (what a check of one function needs),
``strategies`` (the inputs hypothesis draws), ``_cases`` (input makers shared by the suites),
``dependencies`` (which function is built from which) and ``standins`` (working callees for a
caller judged on its own).
"""

import importlib

from nnconf.conformance.reading.names import FUNCTIONS, suite_names  # noqa: F401 - the index, re-exported


def contracts(suite):
    """The list of contracts of ``suite``."""
    return importlib.import_module(f"nnconf.conformance.suites.{suite}").CONTRACTS
