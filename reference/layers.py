"""Row-major layers F23-F24, F26 (document 004): x (N, D), W (D, H), b (H,), logits (N, C).

Backward functions are plain autograd VJPs with the given upstream ``dout`` (see
``conventions``). Targets ``t`` are one-hot (same size as y) or integer labels (N,), as the
book's cross_entropy_error accepts; a 1-D y / x is a batch of one.

``TwoLayerNet`` comes in the book's two forms (``form``), both with params W1 (D, H), b1 (H,),
W2 (H, C), b2 (C,) and the same loss of the scores a2 = z1 W2 + b2:

- ``"ch5"`` (the API): z1 = relu(x W1 + b1); ``predict`` returns the scores a2;
- ``"ch4"`` (the book's ch04/two_layer_net.py): z1 = sigmoid(x W1 + b1); ``predict`` returns
  softmax(a2), probabilities whose rows sum to 1.

``loss`` is -(1/N) sum t log softmax(a2) in both (the book's ch4 ``cross_entropy_error(predict(x), t)``
is the same function; here it is computed from the scores), and ``gradient`` is its autograd.
"""
from __future__ import annotations

import numpy as np
import torch

from ._torch import to_float, to_numpy, to_tensor, vjp

KEYS = ("W1", "b1", "W2", "b2")
HIDDEN = {"ch5": torch.relu, "ch4": torch.sigmoid}  # the hidden activation of each TwoLayerNet form
FORMS = tuple(HIDDEN)


def _as_batch(y: np.ndarray, t) -> tuple[np.ndarray, np.ndarray]:
    """The book's target handling: (y 2-D, t one-hot float64 of y's 2-D shape)."""
    y2 = np.asarray(y, dtype=np.float64)
    y2 = y2.reshape(1, -1) if y2.ndim == 1 else y2
    t = np.asarray(t)
    if t.size == y2.size:
        return y2, np.asarray(t, dtype=np.float64).reshape(y2.shape)
    labels = t.reshape(-1)
    if labels.size != y2.shape[0] or not np.all(labels == np.round(labels)):
        raise ValueError(f"t of shape {t.shape} is neither one-hot nor labels for y of shape {np.shape(y)}")
    return y2, np.eye(y2.shape[1])[labels.astype(np.int64)]


def _affine_t(x, W, b):
    return x @ W + b


def _softmax_loss_t(x, t):
    """F24 from logits: -sum(t * log_softmax(x)) / N; x (N, C) or (C,) (N = 1), t (N, C)."""
    x = x.reshape(1, -1) if x.dim() == 1 else x
    return -(t * torch.log_softmax(x, dim=-1)).sum() / x.shape[0]


def _two_layer_logits_t(x, p, form="ch5"):
    """The scores a2 = hidden(x W1 + b1) W2 + b2 of the net of ``form``."""
    return _affine_t(HIDDEN[form](_affine_t(x, p["W1"], p["b1"])), p["W2"], p["b2"])


def _two_layer_loss_t(x, t, p, form="ch5"):
    return _softmax_loss_t(_two_layer_logits_t(x, p, form), t)


def affine_forward(x, W, b) -> np.ndarray:
    """F23: out = x W + b; x (N, D), W (D, H), b (H,) -> (N, H)."""
    return to_numpy(_affine_t(to_tensor(x), to_tensor(W), to_tensor(b)))


def affine_backward(dout, x, W, b):
    """F23: ``(dx (N, D), dW (D, H), db (H,))`` = VJP with upstream dout (N, H):
    dx = dout W^T, dW = x^T dout, db = sum(dout, axis=0)."""
    dx, dW, db = vjp(_affine_t, [x, W, b], dout)
    return dx, dW, db


def relu_forward(x) -> np.ndarray:
    """F3: max(0, x), any shape."""
    return to_numpy(torch.relu(to_tensor(x)))


def relu_backward(dout, x) -> np.ndarray:
    """F3/F23: dout where x > 0, else 0 (0 at x = 0, as the book's mask x <= 0)."""
    return vjp(torch.relu, [x], dout)[0]


def sigmoid_forward(x) -> np.ndarray:
    """F1: y = 1 / (1 + e^-x), any shape."""
    return to_numpy(torch.sigmoid(to_tensor(x)))


def sigmoid_backward(dout, x) -> np.ndarray:
    """F23: dx = dout * y (1 - y) with y = sigmoid(x) (the book reads y from forward)."""
    return vjp(torch.sigmoid, [x], dout)[0]


def softmax(x) -> np.ndarray:
    """F24: e^{x_k} / sum_i e^{x_i} along the last axis, stable; x (C,) or (N, C)."""
    return to_numpy(torch.softmax(to_tensor(x), dim=-1))


def cross_entropy_error(y, t) -> float:
    """F24: E = -(1/N) sum t log y via xlogy (no 1e-7 delta); y (N, C) or (C,) probabilities."""
    y2, t2 = _as_batch(y, t)
    return to_float(-torch.special.xlogy(to_tensor(t2), to_tensor(y2)).sum() / y2.shape[0])


def softmax_with_loss_forward(x, t) -> float:
    """F24: cross_entropy_error(softmax(x), t), computed from the logits x (N, C) or (C,)."""
    x2, t2 = _as_batch(x, t)
    return to_float(_softmax_loss_t(to_tensor(x2), to_tensor(t2)))


def softmax_with_loss_backward(x, t, dout=1.0) -> np.ndarray:
    """F24: dx = dout * (softmax(x) - t) / N by autograd of the batch-mean loss; x's shape."""
    x2, t2 = _as_batch(x, t)
    tt = to_tensor(t2)
    (dx,) = vjp(lambda x_: _softmax_loss_t(x_, tt), [x2], np.reshape(np.asarray(dout, np.float64), ()))
    return dx.reshape(np.shape(x))


def _params_t(params):
    return {k: to_tensor(params[k]) for k in KEYS}


def two_layer_scores(x, params, form="ch5") -> np.ndarray:
    """The scores a2 (N, C) = hidden(x W1 + b1) W2 + b2: relu for ``"ch5"``, sigmoid for ``"ch4"``."""
    return to_numpy(_two_layer_logits_t(to_tensor(x), _params_t(params), form))


def two_layer_predict(x, params, form="ch5") -> np.ndarray:
    """TwoLayerNet.predict: ``"ch5"``: Affine1 -> ReLU -> Affine2 scores (N, C); ``"ch4"``:
    softmax(sigmoid(x W1 + b1) W2 + b2), probabilities (N, C)."""
    scores = _two_layer_logits_t(to_tensor(x), _params_t(params), form)
    return to_numpy(scores if form == "ch5" else torch.softmax(scores, dim=-1))


def two_layer_loss(x, t, params, form="ch5") -> float:
    """TwoLayerNet.loss: the batch-mean cross-entropy of softmax(scores) against t -> float
    (``"ch4"``: cross_entropy_error(predict(x), t), the same function of the scores)."""
    x2, t2 = _as_batch(two_layer_scores(x, params, form), t)
    return to_float(_softmax_loss_t(to_tensor(x2), to_tensor(t2)))


def two_layer_gradient(x, t, params, form="ch5") -> dict:
    """TwoLayerNet.gradient: ``{"W1", "b1", "W2", "b2"}`` = d loss / d param by autograd, params' shapes."""
    t2 = to_tensor(_as_batch(two_layer_scores(x, params, form), t)[1])
    xt = to_tensor(x)
    grads = vjp(lambda *ps: _two_layer_loss_t(xt, t2, dict(zip(KEYS, ps)), form),
                [params[k] for k in KEYS])
    return dict(zip(KEYS, grads))


def two_layer_accuracy(x, t, params, form="ch5") -> float:
    """F26: fraction of rows where argmax of predict equals the label (argmax of one-hot t)."""
    y = np.argmax(two_layer_predict(x, params, form), axis=1)
    t = np.asarray(t)
    labels = np.argmax(t, axis=1) if t.ndim != 1 else t
    return float(np.sum(y == labels) / float(np.shape(x)[0]))
