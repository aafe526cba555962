"""L-layer network F14, F17, F18 (document 000), column-major.

W[l] (n[l], n[l-1]), b[l] (n[l], 1), A[0] = X (n[0], m), Z[l], A[l] (n[l], m); hidden activation
``hidden`` (ReLU by default), sigmoid output. Caches are the course's: layer l's cache is
``((A_prev, W, b), Z)``. Backward results follow the course's scaling, applied through
``conventions`` (dW, db carry 1/m; dA does not).
"""
from __future__ import annotations

import numpy as np
import torch

from . import activations
from ._losses import bce_mean, bce_mean_from_logits
from ._torch import to_float, to_numpy, to_tensor, vjp
from .conventions import course_dA, course_linear_grads


def _num_layers(parameters) -> int:
    """L: the number of W{l} keys, W1..WL."""
    L = 0
    while f"W{L + 1}" in parameters:
        L += 1
    return L


def _linear_t(A, W, b):
    """F14 forward: Z = W A + b."""
    return W @ A + b


def _forward_t(X, Ws, bs, hidden, output):
    """F17 on tensors: ``(As [A0..AL], Zs [Z1..ZL])``."""
    As, Zs = [X], []
    for l, (W, b) in enumerate(zip(Ws, bs), start=1):
        Zs.append(_linear_t(As[-1], W, b))
        As.append(activations.tensor_forward(output if l == len(Ws) else hidden, Zs[-1]))
    return As, Zs


def linear_forward(A, W, b) -> np.ndarray:
    """F14: Z = W A + b; A (n[l-1], m), W (n[l], n[l-1]), b (n[l], 1) -> Z (n[l], m)."""
    return to_numpy(_linear_t(to_tensor(A), to_tensor(W), to_tensor(b)))


def linear_backward(dZ, A_prev, W, b):
    """F14: ``(dA_prev, dW, db)`` = VJP of Z = W A_prev + b with upstream dZ, course-scaled.

    dA_prev = W^T dZ (n[l-1], m); dW = (1/m) dZ A_prev^T (n[l], n[l-1]);
    db = (1/m) sum(dZ, axis=1, keepdims=True) (n[l], 1); m = A_prev.shape[1].
    """
    dA_prev, dW, db = vjp(_linear_t, [A_prev, W, b], dZ)
    return course_linear_grads(dA_prev, dW, db, np.shape(A_prev)[1])


def activation_forward(name: str, Z) -> np.ndarray:
    """F1-F7: A = g(Z) (the course's ``sigmoid(Z)`` / ``relu(Z)`` without the cache)."""
    return activations.forward(name, Z)


def activation_backward(name: str, dA, Z) -> np.ndarray:
    """F18: dZ = dA * g'(Z) (the course's ``sigmoid_backward`` / ``relu_backward``)."""
    return activations.backward(name, dA, Z)


def linear_activation_forward(A_prev, W, b, activation: str):
    """F17, one layer: ``(A, ((A_prev, W, b), Z))`` with A = g(W A_prev + b)."""
    Z = linear_forward(A_prev, W, b)
    A = activation_forward(activation, Z)
    cache = ((np.array(A_prev, dtype=np.float64), np.array(W, dtype=np.float64),
              np.array(b, dtype=np.float64)), Z)
    return A, cache


def linear_activation_backward(dA, A_prev, W, b, activation: str):
    """F18, one layer: ``(dA_prev, dW, db)`` = VJP of A = g(W A_prev + b) with upstream dA,
    course-scaled as :func:`linear_backward` (dW, db carry 1/m, m = A_prev.shape[1])."""
    f = lambda A_, W_, b_: activations.tensor_forward(activation, _linear_t(A_, W_, b_))
    dA_prev, dW, db = vjp(f, [A_prev, W, b], dA)
    return course_linear_grads(dA_prev, dW, db, np.shape(A_prev)[1])


def L_model_forward(X, parameters, hidden: str = "relu", output: str = "sigmoid"):
    """F17: ``(AL (n[L], m), caches)``, caches[l-1] = ((A[l-1], W[l], b[l]), Z[l]) for l = 1..L."""
    L = _num_layers(parameters)
    Ws = [to_tensor(parameters[f"W{l}"]) for l in range(1, L + 1)]
    bs = [to_tensor(parameters[f"b{l}"]) for l in range(1, L + 1)]
    As, Zs = _forward_t(to_tensor(X), Ws, bs, hidden, output)
    caches = [((to_numpy(As[l]), to_numpy(Ws[l]), to_numpy(bs[l])), to_numpy(Zs[l]))
              for l in range(L)]
    return to_numpy(As[-1]), caches


def compute_cost(AL, Y) -> float:
    """F9: J = -(1/m) sum(Y log AL + (1-Y) log(1-AL)) via xlogy; AL, Y (1, m) -> float."""
    return to_float(bce_mean(to_tensor(AL), to_tensor(Y)))


def _cost_t(X, Y, Ws, bs, hidden):
    """F9 of the network from the logits Z[L] (sigmoid output); also returns As."""
    As, Zs = _forward_t(X, Ws, bs, hidden, "sigmoid")
    return bce_mean_from_logits(Zs[-1], Y), As


def L_model_backward_from(X, Y, parameters, hidden: str = "relu") -> dict:
    """F18 by autograd of the mean cost J(X, parameters), in the course's scaling.

    Returns ``{"dA{l}": m * dJ/dA[l] (n[l], m) for l = 0..L-1,
    "dW{l}": dJ/dW[l], "db{l}": dJ/db[l] (n[l], 1) for l = 1..L}``, m = X.shape[1].
    """
    L = _num_layers(parameters)
    m = np.shape(X)[1]
    Ws = [to_tensor(parameters[f"W{l}"], requires_grad=True) for l in range(1, L + 1)]
    bs = [to_tensor(parameters[f"b{l}"], requires_grad=True) for l in range(1, L + 1)]
    J, As = _cost_t(to_tensor(X, requires_grad=True), to_tensor(Y), Ws, bs, hidden)
    d = torch.autograd.grad(J, As[:L] + Ws + bs)
    grads = {f"dA{l}": to_numpy(course_dA(d[l], m)) for l in range(L)}
    grads.update({f"dW{l}": to_numpy(d[L + l - 1]) for l in range(1, L + 1)})
    grads.update({f"db{l}": to_numpy(d[2 * L + l - 1]) for l in range(1, L + 1)})
    return grads


def L_model_backward(AL, Y, caches, hidden: str = "relu") -> dict:
    """F18 with the course's signature: X = caches[0][0][0], W[l], b[l] from caches[l-1][0].

    AL is not used: the reference recomputes the forward pass (see L_model_backward_from).
    """
    X = caches[0][0][0]
    parameters = {}
    for l, ((_, W, b), _) in enumerate(caches, start=1):
        parameters[f"W{l}"], parameters[f"b{l}"] = W, b
    return L_model_backward_from(X, Y, parameters, hidden)


def update_parameters(parameters, grads, learning_rate) -> dict:
    """F10: a new dict with ``P - learning_rate * grads["dP"]`` for every key P of parameters.

    Pure: the arguments are not modified.
    """
    return {k: np.asarray(v, dtype=np.float64) - learning_rate * np.asarray(grads["d" + k], dtype=np.float64)
            for k, v in parameters.items()}


def predict(X, y, parameters, hidden: str = "relu") -> np.ndarray:
    """F26 with the course's signature: (1, m) float64 0.0/1.0, 1 where AL > 0.5 (y unused)."""
    return (L_model_forward(X, parameters, hidden)[0] > 0.5).astype(np.float64)
