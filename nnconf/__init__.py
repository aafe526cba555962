"""nnconf: formula-by-formula checks of from-scratch NumPy neural-network code.

Everything the distribution installs lives under this one package, so that nothing of the harness
can shadow a user's own folders (``impl/``, ``reports/``, ...) or be shadowed by them:

- ``nnconf.impl``: the bundled NumPy implementation of every suite (the default target);
- ``nnconf.reference``: the same forward formulas in PyTorch, gradients from autograd;
- ``nnconf.conformance``: the engine, the command line (``nnconf check``) and the pytest plugin;
- ``nnconf.reports``: the HTML report and its CSV tables.
"""

__version__ = "0.2.0"
