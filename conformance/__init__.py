"""nnconf's conformance engine: check any NumPy implementation of the suites against PyTorch
autograd and finite differences, layer by layer, and name each bug (``nnconf``)."""

import os as _os

# hypothesis keeps a folder of its own (``.hypothesis/``) in the working directory unless told
# otherwise: a check of a user's folder must not leave anything in it.
_os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", _os.path.join(
    _os.environ.get("XDG_CACHE_HOME") or _os.path.join(_os.path.expanduser("~"), ".cache"), "nnconf", "hypothesis"))
