import numpy as np


def stable_sigmoid(z):
    z = np.asarray(z)
    e = np.exp(-np.abs(z))
    one = np.ones_like(e)
    return np.where(z >= 0, one / (one + e), e / (one + e))


def xlogy(x, y):
    """x * log(y) with 0 * log(anything) = 0, no warnings."""
    x = np.asarray(x)
    y = np.asarray(y)
    x, y = np.broadcast_arrays(x, y)
    out = np.zeros(np.result_type(x, y, np.float16), dtype=None) if False else None
    mask = x != 0
    with np.errstate(divide="ignore"):
        logy = np.log(np.where(mask, y, 1))
    return np.where(mask, x * logy, 0)


def unbroadcast(g, shape):
    """Sum g down to `shape` (the inverse of broadcasting)."""
    shape = tuple(shape)
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)
