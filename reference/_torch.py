"""Private plumbing of the reference: NumPy <-> float64 torch tensors, the one VJP helper,
and a plain gradient-descent loop whose gradients come from autograd.

Nothing here knows about the course; its conventions live in ``conventions.py``.
"""
from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np
import torch

DTYPE = torch.float64

# The reference works on tiny tensors, where torch's intra-op thread pool costs far more than it
# saves (10x slower on 2 cores, worse when another process is busy): one thread, process-wide.
torch.set_num_threads(1)


def to_tensor(x, *, requires_grad: bool = False) -> torch.Tensor:
    """A new float64 CPU tensor holding a copy of ``x`` (array-like of any real dtype, or a scalar).

    Always a copy, so nothing done to the tensor can reach the caller's array.
    """
    t = torch.from_numpy(np.array(x, dtype=np.float64))
    return t.requires_grad_(requires_grad)


def to_numpy(t: torch.Tensor) -> np.ndarray:
    """A float64 NumPy copy of ``t`` (same shape, 0-d stays 0-d)."""
    return np.array(t.detach().cpu().numpy(), dtype=np.float64)


def to_float(t: torch.Tensor) -> float:
    """The single value of a one-element tensor as a Python float."""
    return float(t.detach().reshape(())) + 0.0  # + 0.0 turns -0.0 into 0.0


def value_and_vjp(f: Callable[..., torch.Tensor], inputs: Sequence, upstream=None):
    """Evaluate ``out = f(*inputs)`` and its vector-Jacobian product with ``upstream``.

    inputs: NumPy arrays / scalars; each becomes a float64 leaf tensor requiring grad.
    upstream: array of exactly ``out``'s shape, or None for a one-element ``out`` (upstream 1).
    Returns ``(out, [d<input> ...])`` as float64 NumPy arrays; each gradient has its input's
    shape (autograd sums over broadcast dimensions). Gradients come from autograd only.
    """
    leaves = [to_tensor(x, requires_grad=True) for x in inputs]
    out = f(*leaves)
    if upstream is None:
        if out.numel() != 1:
            raise ValueError(f"upstream is required for an output of shape {tuple(out.shape)}")
        g = torch.ones_like(out)
    else:
        g = to_tensor(upstream)
        if g.shape != out.shape:
            raise ValueError(
                f"upstream shape {tuple(g.shape)} != output shape {tuple(out.shape)}")
    grads = torch.autograd.grad(out, leaves, grad_outputs=g, allow_unused=True)
    return to_numpy(out), [
        to_numpy(torch.zeros_like(x) if d is None else d) for x, d in zip(leaves, grads)]


def vjp(f: Callable[..., torch.Tensor], inputs: Sequence, upstream=None) -> list:
    """The gradients of :func:`value_and_vjp` alone: ``[d<input> ...]`` as NumPy arrays."""
    return value_and_vjp(f, inputs, upstream)[1]


def descend(loss_fn: Callable[[dict, int], torch.Tensor], params: Mapping[str, torch.Tensor],
            learning_rate: float, num_iterations: int):
    """Plain gradient descent (F10): ``p := p - learning_rate * dJ/dp`` for every parameter.

    ``loss_fn(params, i)`` returns the scalar cost J at iteration i (the index lets a caller
    replay mini-batches). Returns ``(params, costs, grads)``: the final tensors, the cost
    *before* each update (as the course prints it), and the gradients of the last iteration
    (None if ``num_iterations == 0``).
    """
    params = {k: v.detach().clone() for k, v in params.items()}
    costs: list[float] = []
    grads = None
    for i in range(int(num_iterations)):
        leaves = {k: v.detach().requires_grad_(True) for k, v in params.items()}
        cost = loss_fn(leaves, i)
        grads = dict(zip(leaves, torch.autograd.grad(cost, list(leaves.values()))))
        costs.append(to_float(cost))
        with torch.no_grad():
            params = {k: leaves[k] - learning_rate * grads[k] for k in leaves}
    return params, costs, grads
