import numpy as np
from ._util import stable_sigmoid, xlogy


def init_parameters(num_hidden_units=2, rng=None):
    draw = np.random.randn if rng is None else (lambda *s: rng.standard_normal(s))
    W1 = draw(2, num_hidden_units)
    W2 = draw(num_hidden_units, 1)
    return W1, np.zeros((num_hidden_units, 1)), W2, np.zeros((1, 1))


def affine(W, X, B):
    return W.T @ X + B


def sigmoid(z):
    return stable_sigmoid(z)


def binary_cross_entropy(Y, YHat):
    return float(-(xlogy(Y, YHat) + xlogy(1 - Y, 1 - YHat)).sum() / Y.shape[1])


def forward_loss(X, Y, params):
    W1, B1, W2, B2 = params
    Z1 = affine(W1, X, B1)
    H = sigmoid(Z1)
    Z2 = affine(W2, H, B2)
    YHat = sigmoid(Z2)
    return Z1, H, Z2, YHat, binary_cross_entropy(Y, YHat)


def get_gradients(X, Y, params):
    W1, B1, W2, B2 = params
    Z1, H, Z2, YHat, loss = forward_loss(X, Y, params)
    dZ2 = (YHat - Y) / X.shape[1]
    dW2 = np.einsum("hm,om->ho", H, dZ2)
    dB2 = dZ2.sum(axis=1, keepdims=True)
    dZ1 = (W2 @ dZ2) * H * (1 - H)
    dW1 = np.einsum("im,hm->ih", X, dZ1)
    dB1 = dZ1.sum(axis=1, keepdims=True)
    return [dW1, dB1, dW2, dB2], loss


def optimize(X, Y, params, learning_rate=0.01, iteration=200000):
    params = [p.copy() for p in params]
    trace = []
    for it in range(iteration):
        grads, loss = get_gradients(X, Y, params)
        params = [p - learning_rate * g for p, g in zip(params, grads)]
        if it % 100 == 0:
            trace.append(loss)
    return params, trace, forward_loss(X, Y, params)[3]
