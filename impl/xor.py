"""The XOR network of document 003 (F22): 2 inputs, a sigmoid hidden layer, a sigmoid output.

Weights are stored (n_in, n_out) and applied transposed: X (2, m), W1 (2, h), B1 (h, 1),
W2 (h, 1), B2 (1, 1), Z1/H (h, m), Z2/YHat (1, m). ``params`` is the sequence (W1, B1, W2, B2).
"""

import numpy as np

from nnconf.impl._numerics import binary_cross_entropy as _bce
from nnconf.impl._numerics import binary_cross_entropy_from_logits
from nnconf.impl._numerics import stable_sigmoid


def init_parameters(num_hidden_units=2, rng=None):
    """W1 = randn(2, h), B1 = 0 (h, 1), W2 = randn(h, 1), B2 = 0 (1, 1), W1 drawn before W2."""
    draw = rng.standard_normal if rng is not None else (lambda shape: np.random.randn(*shape))
    W1 = draw((2, num_hidden_units))
    B1 = np.zeros((num_hidden_units, 1))
    W2 = draw((num_hidden_units, 1))
    B2 = np.zeros((1, 1))
    return W1, B1, W2, B2


def affine(W, X, B):
    """F22: W^T X + B."""
    return W.T @ X + B


def sigmoid(z):
    """F1: 1 / (1 + e^-z), overflow-free."""
    return stable_sigmoid(z)


def binary_cross_entropy(Y, YHat):
    """F9: -(1/N) sum(Y log YHat + (1-Y) log(1-YHat)), a Python float (note the argument order)."""
    return _bce(YHat, Y)


def forward_loss(X, Y, params):
    """F22 forward: Z1 = W1^T X + B1, H = s(Z1), Z2 = W2^T H + B2, YHat = s(Z2), loss (F9, from Z2)."""
    W1, B1, W2, B2 = params
    Z1 = affine(W1, X, B1)
    H = sigmoid(Z1)
    Z2 = affine(W2, H, B2)
    YHat = sigmoid(Z2)
    return Z1, H, Z2, YHat, binary_cross_entropy_from_logits(Z2, Y)


def get_gradients(X, Y, params):
    """F22 backward, 1/m folded into dL/dZ2: dLdZ2 = (1/m)(YHat - Y), dW2 = H dLdZ2^T,
    dB2 = sum(dLdZ2, axis=1), dH = W2 dLdZ2, dZ1 = dH * H (1 - H), dW1 = X dLdZ1^T, dB1 = sum(dLdZ1).

    Returns ([dW1, dB1, dW2, dB2], loss), each gradient in its parameter's shape.
    """
    W1, B1, W2, B2 = params
    m = X.shape[1]
    _, H, _, YHat, loss = forward_loss(X, Y, params)
    dLdZ2 = (YHat - Y) / m
    dLdW2 = H @ dLdZ2.T
    dLdB2 = np.sum(dLdZ2, axis=1, keepdims=True)
    dLdH = W2 @ dLdZ2
    dLdZ1 = dLdH * H * (1 - H)
    dLdW1 = X @ dLdZ1.T
    dLdB1 = np.sum(dLdZ1, axis=1, keepdims=True)
    return [dLdW1, dLdB1, dLdW2, dLdB2], loss


def optimize(X, Y, params, learning_rate=0.01, iteration=200000):
    """F10 on copies of ``params``; loss recorded every 100 iterations.

    Returns (params, loss_trace, Y_hat) with Y_hat = YHat of the trained network (1, m).
    """
    params = [np.array(p, dtype=float, copy=True) for p in params]
    loss_trace = []
    for epoch in range(iteration):
        dparams, loss = get_gradients(X, Y, params)
        params = [p - learning_rate * dp for p, dp in zip(params, dparams)]
        if epoch % 100 == 0:
            loss_trace.append(loss)
    _, _, _, Y_hat, _ = forward_loss(X, Y, params)
    return params, loss_trace, Y_hat
