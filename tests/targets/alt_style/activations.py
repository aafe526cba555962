"""Elementwise activations and their backward passes (learner style, any shape).

Everything here is written with np.where / np.expm1 so that nothing overflows,
and the floating dtype of the input is kept (float32 in -> float32 out).
"""
import numpy as np


def _float_array(z):
    z = np.asarray(z)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    return z


def _like(value, ref):
    """Cast a scalar/array parameter (alpha) to the dtype of ref, so that an
    np.float64 alpha never upcasts a float32 activation."""
    value = np.asarray(value)
    if value.dtype != ref.dtype:
        value = value.astype(ref.dtype)
    return value


def _zero(ref):
    return np.zeros((), dtype=ref.dtype)


# ---------------------------------------------------------------- sigmoid
def sigmoid(z):
    z = _float_array(z)
    e = np.exp(-np.abs(z))          # always in (0, 1]: no overflow possible
    one = np.ones((), dtype=z.dtype)
    return np.where(z >= 0, one / (one + e), e / (one + e))


def sigmoid_backward(da, z):
    s = sigmoid(z)
    return np.asarray(da) * (s * (1 - s))


# ---------------------------------------------------------------- tanh
def tanh(z):
    return np.tanh(_float_array(z))


def tanh_backward(da, z):
    t = np.tanh(_float_array(z))
    return np.asarray(da) * (1 - np.square(t))


# ---------------------------------------------------------------- ReLU
def relu(z):
    z = _float_array(z)
    return np.where(z > 0, z, _zero(z))


def relu_backward(da, z):
    # derivative at exactly 0 is 0 (PyTorch convention)
    z = _float_array(z)
    da = np.asarray(da)
    return np.where(z > 0, da, np.zeros((), dtype=da.dtype))


# ---------------------------------------------------------------- leaky ReLU
def leaky_relu(z, alpha=0.01):
    z = _float_array(z)
    a = _like(alpha, z)
    return np.where(z > 0, z, a * z)


def leaky_relu_backward(da, z, alpha=0.01):
    # derivative at exactly 0 is alpha (PyTorch convention)
    z = _float_array(z)
    da = np.asarray(da)
    a = _like(alpha, da)
    return np.where(z > 0, da, a * da)


# ---------------------------------------------------------------- PReLU
def prelu(z, alpha):
    z = _float_array(z)
    a = _like(alpha, z)
    return np.where(z > 0, z, a * z)


def _sum_to_shape(g, shape):
    """Reduce a broadcast gradient g back to `shape` (the shape of alpha)."""
    shape = tuple(shape)
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return np.asarray(g).reshape(shape)


def prelu_backward(da, z, alpha):
    """Returns (dz, dalpha); dalpha has alpha's shape (0-d for a scalar alpha).
    At z == 0 the slope is alpha, as torch.nn.functional.prelu."""
    z = _float_array(z)
    da = np.asarray(da)
    a = _like(alpha, da)
    pos = z > 0
    dz = np.where(pos, da, a * da)
    contrib = np.where(pos, np.zeros((), dtype=da.dtype), da * z.astype(da.dtype))
    contrib = np.broadcast_to(contrib, np.broadcast_shapes(contrib.shape, a.shape))
    out_dtype = alpha.dtype if (isinstance(alpha, np.ndarray)
                                and np.issubdtype(alpha.dtype, np.floating)) else da.dtype
    dalpha = _sum_to_shape(contrib, np.shape(alpha)).astype(out_dtype)
    return dz, dalpha


# ---------------------------------------------------------------- ELU
def elu(z, alpha=1.0):
    z = _float_array(z)
    a = _like(alpha, z)
    neg = a * np.expm1(np.minimum(z, _zero(z)))    # exp only of non-positive values
    return np.where(z > 0, z, neg)


def elu_backward(da, z, alpha=1.0):
    # for z <= 0 the slope is alpha * e^z, so alpha at exactly 0 (as PyTorch)
    z = _float_array(z)
    da = np.asarray(da)
    a = _like(alpha, da)
    slope = a * np.exp(np.minimum(z, _zero(z))).astype(da.dtype)
    return np.where(z > 0, da, da * slope)
