"""The bundled implementation passes every check of the harness (through the pytest plugin)."""

from nnconf.conformance.checks import test_conforms  # noqa: F401 - collected here, run on NNCONF_IMPL (tests/conftest.py: nnconf.impl)
