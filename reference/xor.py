"""XOR network F22 (document 003): weights stored (n_in, n_out) and applied as W^T X.

X (2, m), Y (1, m), W1 (2, h), B1 (h, 1), W2 (h, 1), B2 (1, 1); sigmoid hidden and output.
``get_gradients`` is plain autograd of the mean BCE loss (the document folds 1/m into
dL/dZ2; see ``conventions``). Losses with logits at hand are computed from them.
"""
from __future__ import annotations

import numpy as np
import torch

from ._losses import bce_mean, bce_mean_from_logits
from ._torch import to_float, to_numpy, to_tensor, value_and_vjp


def _affine_t(W, X, B):
    return W.T @ X + B


def _forward_t(X, W1, B1, W2, B2):
    """F22 forward on tensors: (Z1, H, Z2, YHat)."""
    Z1 = _affine_t(W1, X, B1)
    H = torch.sigmoid(Z1)
    Z2 = _affine_t(W2, H, B2)
    return Z1, H, Z2, torch.sigmoid(Z2)


def _loss_t(X, Y, W1, B1, W2, B2) -> torch.Tensor:
    """F9 of the network from the logits Z2."""
    return bce_mean_from_logits(_forward_t(X, W1, B1, W2, B2)[2], Y)


def affine(W, X, B) -> np.ndarray:
    """F22: W^T X + B; W (n_in, n_out), X (n_in, m), B (n_out, 1) -> (n_out, m)."""
    return to_numpy(_affine_t(to_tensor(W), to_tensor(X), to_tensor(B)))


def sigmoid(z) -> np.ndarray:
    """F1: 1 / (1 + e^-z), any shape."""
    return to_numpy(torch.sigmoid(to_tensor(z)))


def binary_cross_entropy(Y, YHat) -> float:
    """F9 (the document's argument order): -(1/N) sum(Y log YHat + (1-Y) log(1-YHat)), xlogy."""
    return to_float(bce_mean(to_tensor(YHat), to_tensor(Y)))


def forward_loss(X, Y, params):
    """F22: ``(Z1 (h, m), H (h, m), Z2 (1, m), YHat (1, m), loss float)``; params [W1, B1, W2, B2]."""
    Xt, Yt = to_tensor(X), to_tensor(Y)
    ps = [to_tensor(p) for p in params]
    Z1, H, Z2, YHat = _forward_t(Xt, *ps)
    loss = to_float(bce_mean_from_logits(Z2, Yt))
    return to_numpy(Z1), to_numpy(H), to_numpy(Z2), to_numpy(YHat), loss


def get_gradients(X, Y, params):
    """F22: ``([dW1 (2, h), dB1 (h, 1), dW2 (h, 1), dB2 (1, 1)], loss float)`` by autograd."""
    Xt, Yt = to_tensor(X), to_tensor(Y)
    loss, grads = value_and_vjp(lambda *ps: _loss_t(Xt, Yt, *ps), list(params))
    return grads, float(loss)
