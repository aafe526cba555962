"""The conformance checks as pytest tests: ``pytest --pyargs nnconf.conformance.checks --nnconf-impl TARGET``."""

import pytest

from nnconf.conformance.pytest_plugin import assert_conforms, functions


@pytest.mark.parametrize(
    ("suite", "function"),
    [pytest.param(s, f, id=f"{s}.{f}") for s, f in functions()],
)
def test_conforms(nnconf_runner, suite, function, request):
    assert_conforms(nnconf_runner, suite, function, request.node)
