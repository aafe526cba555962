"""The conformance checks as pytest tests: ``pytest --pyargs nnconf.conformance.checks --nnconf-impl TARGET``."""

from nnconf.conformance.doors.pytest_plugin import assert_conforms


def test_conforms(nnconf_runner, nnconf_check, request):
    """``nnconf_check``: (suite, function, unit), parametrized by the plugin for the target's units."""
    suite, function, unit = nnconf_check
    assert_conforms(nnconf_runner, suite, function, request.node, unit)
