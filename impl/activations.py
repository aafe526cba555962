"""Activation functions and their derivatives (F1-F7), elementwise on arrays of any shape.

Each ``<name>(z)`` returns g(z); each ``<name>_backward(da, z, ...)`` returns dz = da * g'(z)
(``prelu_backward`` returns ``(dz, dalpha)``). The floating dtype of ``z`` is kept (float32 in,
float32 out). Kinks follow PyTorch: ReLU'(0) = 0, leaky ReLU'(0) = alpha, PReLU'(0) = alpha
(dalpha = 0 there), ELU'(0) = alpha.
"""

import numpy as np

from nnconf.impl._numerics import as_float_array, stable_sigmoid


def sigmoid(z):
    """F1: s(z) = 1 / (1 + e^-z); never overflows (|z| up to 1000 and beyond)."""
    return stable_sigmoid(z)


def sigmoid_backward(da, z):
    """F1: dz = da * s(z) (1 - s(z))."""
    s = stable_sigmoid(z)
    return da * s * (1 - s)


def tanh(z):
    """F2: tanh(z)."""
    return np.tanh(as_float_array(z))


def tanh_backward(da, z):
    """F2: dz = da * (1 - tanh(z)^2)."""
    t = np.tanh(as_float_array(z))
    return da * (1 - t * t)


def relu(z):
    """F3: max(0, z)."""
    z = as_float_array(z)
    return np.maximum(z, 0)


def relu_backward(da, z):
    """F3: dz = da * relu'(z), relu'(z) = 1 where z > 0, else 0 (0 at z = 0, as PyTorch)."""
    return da * (np.asarray(z) > 0)


def leaky_relu(z, alpha=0.01):
    """F4: max(alpha z, z) for 0 < alpha < 1: z for z > 0, alpha z otherwise."""
    z = as_float_array(z)
    return np.where(z > 0, z, alpha * z)


def leaky_relu_backward(da, z, alpha=0.01):
    """F4: dz = da where z > 0, alpha da otherwise (alpha at z = 0, as PyTorch)."""
    da = as_float_array(da)
    return np.where(np.asarray(z) > 0, da, alpha * da)


def prelu(z, alpha):
    """F5: z for z > 0, alpha z otherwise; alpha is learned (a scalar or broadcastable to z)."""
    z = as_float_array(z)
    return np.where(z > 0, z, alpha * z).astype(z.dtype, copy=False)


def prelu_backward(da, z, alpha):
    """F5: dz = da (z > 0) or alpha da; dalpha = sum of da z over z <= 0, in alpha's shape."""
    da = as_float_array(da)
    z = as_float_array(z)
    positive = z > 0
    dz = np.where(positive, da, alpha * da).astype(da.dtype, copy=False)
    dalpha = _sum_to_shape(np.where(positive, 0, da * z), np.shape(alpha))
    return dz, dalpha


def elu(z, alpha=1.0):
    """F6: z for z > 0, alpha (e^z - 1) otherwise."""
    z = as_float_array(z)
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))


def elu_backward(da, z, alpha=1.0):
    """F6: dz = da for z > 0, da alpha e^z otherwise (alpha at z = 0, as PyTorch)."""
    da = as_float_array(da)
    z = as_float_array(z)
    return np.where(z > 0, da, da * alpha * np.exp(np.minimum(z, 0)))


def identity(z):
    """F7: the linear activation g(z) = z (stacked linear layers collapse to one linear map)."""
    return as_float_array(z).copy()


def identity_backward(da, z):
    """F7: g'(z) = 1, so dz = da."""
    return as_float_array(da).copy()


def _sum_to_shape(x, shape):
    """Undo broadcasting: sum ``x`` down to ``shape`` (the gradient of a broadcast parameter)."""
    x = np.asarray(x)
    extra = x.ndim - len(shape)
    x = x.sum(axis=tuple(range(extra))) if extra else x
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and x.shape[i] != 1)
    return x.sum(axis=axes, keepdims=True) if axes else x


FORWARD = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "elu": elu,
    "identity": identity,
}
BACKWARD = {
    "sigmoid": sigmoid_backward,
    "tanh": tanh_backward,
    "relu": relu_backward,
    "leaky_relu": leaky_relu_backward,
    "elu": elu_backward,
    "identity": identity_backward,
}
