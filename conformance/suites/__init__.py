"""The contracts of every suite of SPEC Part 2, one module per suite (``CONTRACTS`` in each)."""

import importlib


def contracts(suite):
    """The list of contracts of ``suite``."""
    return importlib.import_module(f"nnconf.conformance.suites.{suite}").CONTRACTS


def suite_names():
    """suite -> the top-level names its contracts check (``Affine`` for ``Affine.backward``), with
    the documents' aliases of them (``L_Model_Forward``)."""
    from nnconf.conformance.loader import ALIASES, SUITES

    names = {}
    for suite in SUITES:
        names[suite] = {c.name.split(".")[0] for c in contracts(suite)}
        for aliases in ALIASES.get(suite, {}).values():
            names[suite] |= set(aliases)
    return names
