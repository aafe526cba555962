"""The conformance checks as pytest tests: ``pytest --pyargs nnconf.conformance.checks --nnconf-impl TARGET``.

A single check's node id, pasted back, selects it:
``pytest --pyargs 'nnconf.conformance.checks::test_conforms[deep.linear_backward]' --nnconf-impl TARGET``.
"""

import pytest

from nnconf.conformance.doors.pytest_plugin import assert_conforms


def test_conforms(nnconf_runner, nnconf_check, request):
    """``nnconf_check``: (suite, function, unit), parametrized by the plugin for the target's units.
    A function the target does not implement is skipped here, at one place with the same words
    for all, so that pytest's ``-rs`` summary folds them into one line."""
    suite, function, unit = nnconf_check
    not_implemented = assert_conforms(nnconf_runner, suite, function, request.node, unit)
    if not_implemented:
        pytest.skip(not_implemented)
