import numpy as np


def sigmoid(z):
    s = 1 / (1 + np.exp(-z))
    return s


def sigmoid_backward(da, z):
    s = sigmoid(z)
    dz = da * s * (1 - s)
    return dz


def tanh(z):
    return np.tanh(z)


def tanh_backward(da, z):
    t = np.tanh(z)
    return da * (1 - np.power(t, 2))


def relu(z):
    return np.maximum(0, z)


def relu_backward(da, z):
    dz = np.array(da, copy=True)
    dz[z <= 0] = 0
    return dz


def leaky_relu(z, alpha=0.01):
    return np.where(z > 0, z, alpha * z)


def leaky_relu_backward(da, z, alpha=0.01):
    dz = np.array(da, copy=True)
    dz[z <= 0] = dz[z <= 0] * alpha
    return dz


def prelu(z, alpha):
    return np.where(z > 0, z, alpha * z)


def prelu_backward(da, z, alpha):
    dz = np.where(z > 0, da, alpha * da)
    dalpha_full = np.where(z > 0, 0, z * da)
    # reduce to alpha's shape (alpha broadcasts against z)
    if np.ndim(alpha) == 0:
        dalpha = np.sum(dalpha_full)
        if isinstance(alpha, np.ndarray):
            dalpha = np.asarray(dalpha).reshape(alpha.shape)
    else:
        nd = dalpha_full.ndim - alpha.ndim
        dalpha = dalpha_full.sum(axis=tuple(range(nd))) if nd > 0 else dalpha_full
        for ax, size in enumerate(alpha.shape):
            if size == 1 and dalpha.shape[ax] != 1:
                dalpha = dalpha.sum(axis=ax, keepdims=True)
        dalpha = dalpha.reshape(alpha.shape)
    return dz, dalpha


def elu(z, alpha=1.0):
    return np.where(z > 0, z, alpha * (np.exp(z) - 1))


def elu_backward(da, z, alpha=1.0):
    return np.where(z > 0, da, da * alpha * np.exp(z))
