"""nnconf's reference: every formula of SPEC Part 1 in float64 PyTorch, every gradient from autograd.

One module per suite (``activations``, ``logistic``, ``shallow``, ``deep``, ``xor``,
``layers``) plus ``training`` (lockstep gradient-descent curves). Public functions take and
return NumPy arrays (float64 results; costs as Python floats), so callers never see torch.
No backward is hand-written: each is a vector-Jacobian product of the forward formula.
The course's conventions that are not a plain VJP (the 1/m of F14, dA = m * dJ/dA of F18)
are stated and applied in one place, ``conventions``.
"""
import importlib

__all__ = ["activations", "conventions", "deep", "layers", "logistic", "shallow", "training", "xor"]


def __getattr__(name):
    """Each module is imported when first used (``conventions`` needs no PyTorch; the rest do)."""
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
