"""The course's conventions that are not a plain vector-Jacobian product, stated once.

Every reference gradient is torch autograd of the forward formula (SPEC Part 1). A plain VJP
is what the documents return everywhere except the column-major linear layer and the deep
network's dA. Those two exceptions are applied here and only here:

* **F14 / F18 (``deep``; the same algebra as F16 in ``shallow``).** The course's
  ``linear_backward(dZ, cache)`` for ``Z = W A_prev + b`` with ``m = A_prev.shape[1]`` returns::

      dA_prev = W^T dZ                                  (no 1/m)
      dW      = (1/m) dZ A_prev^T
      db      = (1/m) sum(dZ, axis=1, keepdims=True)

  i.e. the VJP of ``Z = W A_prev + b`` with upstream dZ, then dW and db divided by m
  (:func:`course_linear_grads`). dW, db are gradients of the mean cost J; dA_prev is the
  gradient of the *summed* loss, m * dJ/dA_prev.
* **F18, ``L_model_backward``.** The course starts from dAL = -(Y/AL - (1-Y)/(1-AL)), which has
  no 1/m, so its ``grads["dA{l}"]`` (l = 0..L-1) are ``m * dJ/dA[l]`` (:func:`course_dA`), while
  ``grads["dW{l}"]``, ``grads["db{l}"]`` (l = 1..L) are dJ/dW[l], dJ/db[l] of the mean cost J.

Plain (no convention to apply; listed so the whole picture is in one place):

* F13 ``logistic.propagate``, F16 ``shallow.backward_propagation``: dJ of the mean cost J.
* F22 ``xor.get_gradients``: the 1/m is folded into dL/dZ2 = (1/m)(YHat - Y), so the four
  gradients are exactly autograd of the mean BCE loss.
* F23 / F24 ``layers`` (row-major): Affine.backward(dout) is the VJP with upstream dout
  (dx = dout W^T, dW = x^T dout, db = sum over axis 0, shape (H,));
  ``SoftmaxWithLoss.backward(dout=1) = dout * (y - t) / batch`` is autograd of the batch-mean
  loss times dout.

Other choices of the reference, also stated once:

* Costs are exact: ``xlogy`` on probabilities or from logits, never a clamped log, so a saturated
  AL = 1 on label 1 costs 0. Where logits exist (every gradient, every training loop) the cost
  is computed from them; ``compute_cost(A, Y)``-style functions see only A and use xlogy. The
  book's ``cross_entropy_error`` adds 1e-7 inside the log; the reference does not
  (:data:`BOOK_LOG_DELTA` records that delta, for tolerances).
* Kinks follow PyTorch: ReLU'(0) = 0, leaky ReLU'(0) = alpha, PReLU d/dz(0) = alpha and
  d/dalpha(0) = 0, ELU'(0) = alpha.
* Training curves record the cost *before* each update (as the course prints it).
"""
from __future__ import annotations

#: The delta the book's cross_entropy_error adds inside its log (``np.log(y + 1e-7)``).
BOOK_LOG_DELTA = 1e-7


def course_linear_grads(dA_prev, dW, db, m: int):
    """F14: from the plain VJP of ``Z = W A_prev + b`` to the course's triple.

    Returns ``(dA_prev, dW / m, db / m)``; works on NumPy arrays and tensors alike.
    """
    return dA_prev, dW / m, db / m


def course_dA(dJ_dA, m: int):
    """F18: the course's ``grads["dA{l}"]`` from the autograd dJ/dA[l] of the mean cost: m * dJ/dA."""
    return dJ_dA * m
