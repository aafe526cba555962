"""Numerically safe building blocks shared by the suites (no NaN from an overflow or from 0 log 0)."""

import numpy as np


def as_float_array(x):
    """Return ``x`` as an ndarray, converting non-floating input to float64 (float32 stays float32)."""
    x = np.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def stable_sigmoid(z):
    """s(z) = 1 / (1 + e^-z) (F1), never NaN: where e^-z overflows to inf (z below about -709,
    -88 in float32), 1 / (1 + inf) is exactly 0, the sigmoid's limit, so that overflow is expected."""
    z = as_float_array(z)
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-z))


def xlogy(x, y):
    """x * log(y) with the convention 0 * log(0) = 0 (what makes a saturated cost finite)."""
    x, y = np.broadcast_arrays(np.asarray(x), np.asarray(y))
    safe_y = np.where(x == 0, 1, y)
    with np.errstate(divide="ignore"):
        return np.where(x == 0, 0, x * np.log(safe_y))


def binary_cross_entropy(A, Y):
    """J = -(1/m) sum(Y log A + (1-Y) log(1-A)) over the m columns (F9), as a Python float.

    The plain sum first; only where it is NaN (a saturated A equal to its label: 0 log 0) is it
    taken again with xlogy's convention 0 log 0 = 0. A wrong label on a saturated A stays +inf.
    """
    A = np.asarray(A)
    Y = np.asarray(Y)
    m = Y.shape[-1] if Y.ndim else 1
    with np.errstate(divide="ignore", invalid="ignore"):
        total = np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    if np.isnan(total):
        total = np.sum(xlogy(Y, A) + xlogy(1 - Y, 1 - A))
    return float(-total / m) + 0.0  # + 0.0: no "-0.0"


def binary_cross_entropy_from_logits(Z, Y):
    """J of F9 computed from the logits Z (A = s(Z)): mean(log(1 + e^Z) - Y Z), finite for any
    finite Z, where a saturated A = s(Z) rounded to 0 or 1 would give log(0)."""
    Z = np.asarray(Z, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    m = Y.shape[-1] if Y.ndim else 1
    return float(np.sum(np.logaddexp(0, Z) - Y * Z) / m) + 0.0
