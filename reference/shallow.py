"""Shallow network F15/F16 (document 001), column-major: tanh hidden, sigmoid output.

X (n_x, m), W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1), Y (n_y, m) with n_y = 1.
Gradients are autograd of the mean cost J computed from the logits Z2 (plain dJ; see
``conventions``).
"""
from __future__ import annotations

import numpy as np
import torch

from ._losses import bce_mean, bce_mean_from_logits
from ._torch import to_float, to_numpy, to_tensor, value_and_vjp
from .deep import update_parameters as _update_parameters

KEYS = ("W1", "b1", "W2", "b2")


def _forward_t(X: torch.Tensor, p: dict) -> dict:
    """F15 on tensors: {"Z1", "A1", "Z2", "A2"}."""
    Z1 = p["W1"] @ X + p["b1"]
    A1 = torch.tanh(Z1)
    Z2 = p["W2"] @ A1 + p["b2"]
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": torch.sigmoid(Z2)}


def _cost_t(p: dict, X: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
    """F9 of the network, from the logits Z2."""
    return bce_mean_from_logits(_forward_t(X, p)["Z2"], Y)


def forward_propagation(X, parameters):
    """F15: ``(A2 (1, m), cache {"Z1", "A1" (n_h, m), "Z2", "A2" (1, m)})``."""
    cache = _forward_t(to_tensor(X), {k: to_tensor(parameters[k]) for k in KEYS})
    cache = {k: to_numpy(v) for k, v in cache.items()}
    return cache["A2"], cache


def compute_cost(A2, Y) -> float:
    """F9: J = -(1/m) sum(Y log A2 + (1-Y) log(1-A2)) via xlogy; A2, Y (1, m) -> float."""
    return to_float(bce_mean(to_tensor(A2), to_tensor(Y)))


def backward_propagation(parameters, X, Y) -> dict:
    """F16: ``{"dW1", "db1", "dW2", "db2"}``, each of its parameter's shape, = dJ/dparam.

    The course's signature also takes ``cache``; the reference recomputes it from X.
    """
    Xt, Yt = to_tensor(X), to_tensor(Y)
    grads = value_and_vjp(lambda *ps: _cost_t(dict(zip(KEYS, ps)), Xt, Yt),
                          [parameters[k] for k in KEYS])[1]
    return {"d" + k: g for k, g in zip(KEYS, grads)}


def update_parameters(parameters, grads, learning_rate=1.2) -> dict:
    """F10: a new dict with ``P - learning_rate * grads["dP"]`` for P in W1, b1, W2, b2."""
    return _update_parameters(parameters, grads, learning_rate)


def predict(parameters, X) -> np.ndarray:
    """F26: (1, m) float64 0.0/1.0, 1 where A2 > 0.5."""
    return (forward_propagation(X, parameters)[0] > 0.5).astype(np.float64)
