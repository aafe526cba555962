import numpy as np
from ._util import stable_sigmoid, unbroadcast

__all__ = ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu",
           "sigmoid_backward", "tanh_backward", "relu_backward", "leaky_relu_backward",
           "prelu_backward", "elu_backward"]


def sigmoid(z):
    return stable_sigmoid(z)


def sigmoid_backward(da, z):
    s = stable_sigmoid(z)
    return da * (s * (1 - s))


def tanh(z):
    return np.tanh(z)


def tanh_backward(da, z):
    t = np.tanh(z)
    return da * (1 - t * t)


def relu(z):
    return z * (z > 0)


def relu_backward(da, z):
    return da * (z > 0)


def leaky_relu(z, alpha=0.01):
    return np.where(z > 0, z, z * alpha)


def leaky_relu_backward(da, z, alpha=0.01):
    pos = z > 0
    return da * pos + (da * alpha) * ~pos


def prelu(z, alpha):
    return np.maximum(z, 0) + alpha * np.minimum(z, 0)


def prelu_backward(da, z, alpha):
    pos = z > 0
    dz = np.where(pos, da, alpha * da)
    g = np.where(pos, np.zeros_like(da), z * da)
    if isinstance(alpha, np.ndarray):
        dalpha = unbroadcast(g, alpha.shape)
    else:
        dalpha = g.sum()
    return dz, dalpha


def elu(z, alpha=1.0):
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))


def elu_backward(da, z, alpha=1.0):
    return np.where(z > 0, da, da * (alpha * np.exp(np.minimum(z, 0))))
