"""XOR with a 2-layer sigmoid network, document 003: W stored (n_in, n_out), used as W^T X."""
import numpy as np

from activations import sigmoid


def init_parameters(num_hidden_units=2, rng=None):
    draw = np.random.randn if rng is None else (lambda *s: rng.standard_normal(s))
    W1 = draw(2, num_hidden_units)
    B1 = np.zeros((num_hidden_units, 1))
    W2 = draw(num_hidden_units, 1)
    B2 = np.zeros((1, 1))
    return W1, B1, W2, B2


def affine(W, X, B):
    return np.einsum("ij,ik->jk", W, X) + B        # W^T X + B


def binary_cross_entropy(Y, YHat):
    Y = np.asarray(Y, dtype=np.float64)
    YHat = np.asarray(YHat, dtype=np.float64)
    N = Y.shape[1]
    with np.errstate(divide="ignore"):
        on = np.log(YHat, out=np.zeros_like(YHat), where=Y > 0)
        off = np.log1p(-YHat, out=np.zeros_like(YHat), where=Y < 1)
    return float(-(Y * on + (1 - Y) * off).sum() / N)


def forward_loss(X, Y, params):
    W1, B1, W2, B2 = params
    Z1 = affine(W1, X, B1)
    H = sigmoid(Z1)
    Z2 = affine(W2, H, B2)
    YHat = sigmoid(Z2)
    loss = binary_cross_entropy(Y, YHat)
    return Z1, H, Z2, YHat, loss


def get_gradients(X, Y, params):
    W1, B1, W2, B2 = params
    m = X.shape[1]
    Z1, H, Z2, YHat, loss = forward_loss(X, Y, params)
    dLdZ2 = (YHat - Y) / m
    dLdW2 = np.einsum("hm,om->ho", H, dLdZ2)
    dLdB2 = dLdZ2.sum(axis=1, keepdims=True)
    dLdH = np.einsum("ho,om->hm", W2, dLdZ2)
    dLdZ1 = dLdH * H * (1 - H)
    dLdW1 = np.einsum("im,hm->ih", X, dLdZ1)
    dLdB1 = dLdZ1.sum(axis=1, keepdims=True)
    return [dLdW1, dLdB1, dLdW2, dLdB2], loss


def optimize(X, Y, params, learning_rate=0.01, iteration=200000):
    current = [np.array(p, dtype=float, copy=True) for p in params]
    loss_trace = []
    for epoch in range(iteration):
        grads, loss = get_gradients(X, Y, current)
        current = [p - learning_rate * g for p, g in zip(current, grads)]
        if epoch % 100 == 0:
            loss_trace.append(loss)
    Y_hat = forward_loss(X, Y, current)[3]
    return current, loss_trace, Y_hat
