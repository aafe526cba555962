"""Lockstep reference training loops (F10) for the report's curves.

Each starts from the given parameters and data, runs plain gradient descent with autograd
gradients, and returns ``TrainResult(params, costs)``: the final parameters (NumPy, the input
container's keys / order) and ``costs[i]`` = the cost *before* the i-th update, as the course
prints it (the book's MNIST loop records the loss after the update; shift by one to compare).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

from . import deep, layers, logistic, shallow, xor
from ._torch import descend, to_numpy, to_tensor


class TrainResult(NamedTuple):
    params: object
    costs: list


def _np(params: dict) -> dict:
    return {k: to_numpy(v) for k, v in params.items()}


def train_logistic(w, b, X, Y, lr, iters) -> TrainResult:
    """F8-F13: params ``{"w" (n_x, 1), "b" float}``; costs from the logits."""
    Xt, Yt = to_tensor(X), to_tensor(Y)
    p, costs, _ = descend(lambda p, i: logistic._cost_t(p["w"], p["b"], Xt, Yt),
                          {"w": to_tensor(w), "b": to_tensor(b)}, lr, iters)
    return TrainResult({"w": to_numpy(p["w"]), "b": float(to_numpy(p["b"]).sum())}, costs)


def train_shallow(params, X, Y, lr, iters) -> TrainResult:
    """F15/F16: params ``{"W1", "b1", "W2", "b2"}``."""
    Xt, Yt = to_tensor(X), to_tensor(Y)
    p, costs, _ = descend(lambda p, i: shallow._cost_t(p, Xt, Yt),
                          {k: to_tensor(params[k]) for k in shallow.KEYS}, lr, iters)
    return TrainResult(_np(p), costs)


def train_deep(params, X, Y, lr, iters, hidden="relu") -> TrainResult:
    """F17/F18: params ``{"W1", "b1", ..., "WL", "bL"}``; sigmoid output."""
    Xt, Yt = to_tensor(X), to_tensor(Y)
    L = deep._num_layers(params)

    def cost(p, i):
        Ws = [p[f"W{l}"] for l in range(1, L + 1)]
        bs = [p[f"b{l}"] for l in range(1, L + 1)]
        return deep._cost_t(Xt, Yt, Ws, bs, hidden)[0]

    p, costs, _ = descend(cost, {k: to_tensor(v) for k, v in params.items()}, lr, iters)
    return TrainResult(_np(p), costs)


def train_xor(params_list, X, Y, lr, iters) -> TrainResult:
    """F22: params ``[W1, B1, W2, B2]`` (returned as a list in that order)."""
    Xt, Yt = to_tensor(X), to_tensor(Y)
    p, costs, _ = descend(lambda p, i: xor._loss_t(Xt, Yt, *(p[k] for k in range(4))),
                          {k: to_tensor(v) for k, v in enumerate(params_list)}, lr, iters)
    return TrainResult([to_numpy(p[k]) for k in range(4)], costs)


def train_two_layer(params, x, t, lr, iters, batch_indices=None, form="ch5") -> TrainResult:
    """F23/F24 TwoLayerNet: params ``{"W1", "b1", "W2", "b2"}``; x (N, D), t one-hot or labels.

    batch_indices: optional sequence of ``iters`` index arrays; iteration i then uses
    ``x[batch_indices[i]]``, ``t[batch_indices[i]]`` (replaying a caller's mini-batches).
    form: ``"ch5"`` (ReLU hidden layer) or the book's ``"ch4"`` (sigmoid hidden layer); see
    ``layers``.
    """
    x = np.asarray(x, dtype=np.float64)
    t1h = layers._as_batch(layers.two_layer_predict(x, params), t)[1]
    xt, tt = to_tensor(x), to_tensor(t1h)
    if batch_indices is not None and len(batch_indices) < iters:
        raise ValueError(f"batch_indices has {len(batch_indices)} entries for {iters} iterations")

    def cost(p, i):
        if batch_indices is None:
            return layers._two_layer_loss_t(xt, tt, p, form)
        idx = _rows(batch_indices[i])
        return layers._two_layer_loss_t(xt[idx], tt[idx], p, form)

    p, costs, _ = descend(cost, {k: to_tensor(params[k]) for k in layers.KEYS}, lr, iters)
    return TrainResult(_np(p), costs)


def _rows(idx) -> torch.Tensor:
    """An index array (ints or a boolean mask) as a LongTensor of row numbers."""
    idx = np.asarray(idx)
    rows = np.flatnonzero(idx) if idx.dtype == bool else idx.reshape(-1).astype(np.int64)
    return torch.from_numpy(rows)
