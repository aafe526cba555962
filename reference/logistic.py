"""Logistic regression F8-F13, column-major: X (n_x, m), w (n_x, 1), b scalar, Y (1, m).

The cost of ``propagate`` and of ``optimize`` is computed from the logits Z = w^T X + b
(``binary_cross_entropy_with_logits``), exact for any Z; ``cost(A, Y)`` takes probabilities
and uses xlogy. Gradients are autograd of the mean cost J (plain; see ``conventions``).
"""
from __future__ import annotations

import numpy as np
import torch

from ._losses import bce_mean, bce_mean_from_logits
from ._torch import descend, to_float, to_numpy, to_tensor, value_and_vjp


def _logits(w: torch.Tensor, X: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """F8: Z = w^T X + b, (1, m)."""
    return w.T @ X + b


def _cost_t(w, b, X, Y) -> torch.Tensor:
    """F9 from logits: J(w, b) = mean BCE(sigmoid(w^T X + b), Y)."""
    return bce_mean_from_logits(_logits(w, X, b), Y)


def forward(w, X, b) -> np.ndarray:
    """F8: A = sigmoid(w^T X + b); w (n_x, 1), X (n_x, m), b scalar -> A (1, m)."""
    return to_numpy(torch.sigmoid(_logits(to_tensor(w), to_tensor(X), to_tensor(b))))


def cost(A, Y) -> float:
    """F9: J = -(1/m) sum(Y log A + (1-Y) log(1-A)) via xlogy; A, Y (1, m) -> float."""
    return to_float(bce_mean(to_tensor(A), to_tensor(Y)))


def cost_from_logits(Z, Y) -> float:
    """F9 from logits Z (1, m): the same J, finite for any finite Z -> float."""
    return to_float(bce_mean_from_logits(to_tensor(Z), to_tensor(Y)))


def propagate(w, b, X, Y):
    """F13 (and F12, same values): ``({"dw": (n_x, 1), "db": float}, cost: float)``.

    dw, db are autograd of J(w, b) (= X (A-Y)^T / m and sum(A-Y) / m).
    """
    Xt, Yt = to_tensor(X), to_tensor(Y)
    J, (dw, db) = value_and_vjp(lambda w_, b_: _cost_t(w_, b_, Xt, Yt), [w, b])
    return {"dw": dw, "db": float(np.sum(db))}, float(J)


def predict(w, b, X) -> np.ndarray:
    """F26: (1, m) float64 array of 0.0/1.0, 1 where sigmoid(w^T X + b) > 0.5."""
    return (forward(w, X, b) > 0.5).astype(np.float64)


def computation_graph(a, b, c):
    """F11: J = 3(a + b c) and its autograd gradients ``(J, {"da", "db", "dc"})``.

    Scalars in -> Python floats out (dJ/da = 3, dJ/db = 3c, dJ/dc = 3b). Arrays are taken
    elementwise with upstream ones; each gradient then has its input's shape.
    """
    f = lambda a_, b_, c_: 3 * (a_ + b_ * c_)
    J = f(*(to_tensor(v) for v in (a, b, c)))
    J_np, (da, db, dc) = value_and_vjp(f, [a, b, c], np.ones(tuple(J.shape)))
    if J_np.ndim == 0:
        return float(J_np), {"da": float(da), "db": float(db), "dc": float(dc)}
    return J_np, {"da": da, "db": db, "dc": dc}


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009):
    """F10 as the course's ``optimize``: ``({"w", "b"}, {"dw", "db"}, costs)``.

    costs: the cost before the update at iterations 0, 100, 200, ...; grads: those of the last
    iteration (for zero iterations, those at the unchanged parameters).
    """
    Xt, Yt = to_tensor(X), to_tensor(Y)
    params, costs, grads = descend(lambda p, i: _cost_t(p["w"], p["b"], Xt, Yt),
                                   {"w": to_tensor(w), "b": to_tensor(b)},
                                   learning_rate, num_iterations)
    if grads is None:
        last = propagate(w, b, X, Y)[0]
    else:
        last = {"dw": to_numpy(grads["w"]), "db": float(to_numpy(grads["b"]).sum())}
    out = {"w": to_numpy(params["w"]), "b": float(to_numpy(params["b"]).sum())}
    return out, last, costs[::100]
