"""Activations F1-F7, elementwise on any shape; derivatives are autograd VJPs.

``forward(name, z, **kw)``, ``backward(name, da, z, **kw)`` (dz of z's shape; for ``prelu`` the
pair ``(dz, dalpha)`` with dalpha of alpha's shape) and ``derivative(name, z, **kw)``
(= backward with da = ones). Kinks are PyTorch's (see ``conventions``).
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from ._torch import to_numpy, to_tensor, vjp


def _prelu(z: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
    """F5 as F.prelu computes it: z if z > 0 else alpha*z (so d/dz(0) = alpha, d/dalpha(0) = 0).

    Written with torch.where because F.prelu only takes per-channel alphas; this form takes
    any alpha that broadcasts against z.
    """
    return torch.where(z > 0, z, alpha * z)


#: name -> tensor function f(z, **kw); kw are the activation's own constants.
_FUNCS = {
    "sigmoid": lambda z: torch.sigmoid(z),                              # F1
    "tanh": lambda z: torch.tanh(z),                                    # F2
    "relu": lambda z: torch.relu(z),                                    # F3
    "leaky_relu": lambda z, alpha=0.01: F.leaky_relu(z, float(alpha)),  # F4
    "elu": lambda z, alpha=1.0: F.elu(z, float(alpha)),                 # F6
    "linear": lambda z: z.clone(),                                      # F7 identity
}

#: Every activation name the reference knows.
NAMES = tuple(_FUNCS) + ("prelu",)


def _check(name: str, kw: dict) -> None:
    if name not in NAMES:
        raise ValueError(f"unknown activation {name!r}; expected one of {NAMES}")
    if name == "prelu" and "alpha" not in kw:
        raise TypeError("prelu needs alpha= (a scalar or an array broadcasting against z)")


def tensor_forward(name: str, z: torch.Tensor, **kw) -> torch.Tensor:
    """Tensor-level forward for the other reference modules (prelu needs ``alpha=`` a tensor)."""
    _check(name, kw)
    if name == "prelu":
        return _prelu(z, kw["alpha"])
    return _FUNCS[name](z, **kw)


def forward(name: str, z, **kw) -> np.ndarray:
    """F1-F7: a = g(z), same shape as z, float64.

    kw: ``alpha`` for leaky_relu (default 0.01), elu (default 1.0) and prelu (required;
    a scalar or an array broadcasting against z).
    """
    _check(name, kw)
    if name == "prelu":
        return to_numpy(_prelu(to_tensor(z), to_tensor(kw["alpha"])))
    return to_numpy(_FUNCS[name](to_tensor(z), **kw))


def backward(name: str, da, z, **kw):
    """dz = da * g'(z) as the VJP of g at z with upstream da (da, z, dz all of z's shape).

    For ``prelu`` returns ``(dz, dalpha)``, dalpha of alpha's shape (summed over the
    dimensions alpha was broadcast along; a 0-d array for a scalar alpha).
    """
    _check(name, kw)
    if name == "prelu":
        dz, dalpha = vjp(_prelu, [z, kw["alpha"]], da)
        return dz, dalpha
    return vjp(lambda t: _FUNCS[name](t, **kw), [z], da)[0]


def derivative(name: str, z, **kw):
    """g'(z) elementwise: :func:`backward` with da = ones (for prelu, the same pair)."""
    return backward(name, np.ones(np.shape(z)), z, **kw)

