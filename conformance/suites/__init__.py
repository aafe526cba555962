"""The contracts of every suite of SPEC Part 2, one module per suite (``CONTRACTS`` in each)."""

import importlib


def contracts(suite):
    """The list of contracts of ``suite``."""
    return importlib.import_module(f"nnconf.conformance.suites.{suite}").CONTRACTS
