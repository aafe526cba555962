"""Private tensor-level losses shared by the column-major reference modules (F9).

Both are exact: no clamped log, so a saturated prediction on its own label costs 0.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def check_same_shape(a: torch.Tensor, b: torch.Tensor, names: str = "A, Y") -> None:
    """Refuse silent broadcasting between a prediction and its labels."""
    if a.shape != b.shape:
        raise ValueError(f"{names} must have the same shape, got {tuple(a.shape)} and {tuple(b.shape)}")


def bce_mean(A: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
    """F9 on probabilities: J = -(1/m) sum(Y log A + (1-Y) log(1-A)), via xlogy (0 log 0 = 0).

    A, Y: (1, m); m = Y.shape[1] as the course divides. Use for forward values only: its
    gradient at a saturated A is 0/0; gradients go through :func:`bce_mean_from_logits`.
    """
    check_same_shape(A, Y)
    m = Y.shape[1]
    return -(torch.special.xlogy(Y, A) + torch.special.xlogy(1 - Y, 1 - A)).sum() / m


def bce_mean_from_logits(Z: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
    """F9 on logits Z (A = sigmoid(Z)): the same J, stable for any Z; dJ/dZ = (sigmoid(Z) - Y)/m."""
    check_same_shape(Z, Y, "Z, Y")
    m = Y.shape[1]
    return F.binary_cross_entropy_with_logits(Z, Y, reduction="sum") / m
