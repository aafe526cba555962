"""The one comparison helper: strict shape first, then values, with the worst element named.

``np.allclose`` broadcasts, so (1, n) against (n,) "passes"; :func:`compare` never broadcasts.
"""

from dataclasses import dataclass

import numpy as np


@dataclass
class Comparison:
    ok: bool
    shape_ok: bool
    expected_shape: tuple | None
    actual_shape: tuple | None
    max_abs_err: float | None = None
    max_rel_err: float | None = None  # max |a - e| / max |e|: normwise, meaningful where e has zeros
    worst_index: tuple | None = None
    expected_value: float | None = None
    actual_value: float | None = None
    mismatch: np.ndarray | None = None  # bool mask of failing elements (same shape)
    nonfinite: bool = False


def as_array(value):
    """``value`` as a float64 array (complex128 where it is complex: its imaginary part is not
    dropped), or None when it is not numeric (a dict, None, a string)."""
    if isinstance(value, (str, bytes, dict)) or value is None:
        return None
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001 - ragged lists and odd objects are simply not numeric
        return None
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        return None
    return array.astype(np.complex128 if np.iscomplexobj(array) else np.float64)


def close_mask(actual, expected, atol, rtol):
    """Elementwise pass mask (same shapes): |a - e| <= atol * max(1, max|e|) + rtol * |e|; NaN fails."""
    finite = np.abs(expected[np.isfinite(expected)])
    scale = max(1.0, float(finite.max())) if finite.size else 1.0
    with np.errstate(invalid="ignore"):
        diff = np.abs(actual - expected)
        ok = diff <= atol * scale + rtol * np.abs(expected)
    both_inf = np.isinf(actual) & np.isinf(expected) & (np.sign(actual) == np.sign(expected))
    return ok | both_inf


def compare(actual, expected, atol, rtol):
    """Compare ``actual`` with ``expected`` (arrays or scalars); never broadcasts."""
    e = as_array(expected)
    a = as_array(actual)
    e_shape = None if e is None else tuple(e.shape)
    a_shape = None if a is None else tuple(a.shape)
    if a is None or a.shape != e.shape:
        return Comparison(False, False, e_shape, a_shape)
    if a.size == 0:
        return Comparison(True, True, e_shape, a_shape, 0.0, 0.0)
    ok = close_mask(a, e, atol, rtol)
    with np.errstate(invalid="ignore"):
        diff = np.abs(a - e)
    diff = np.where(ok & ~np.isfinite(diff), 0.0, np.where(np.isnan(diff), np.inf, diff))
    finite_e = np.abs(e[np.isfinite(e)])
    scale = float(finite_e.max()) if finite_e.size else 0.0
    worst = np.unravel_index(int(np.argmax(diff if ok.all() else np.where(ok, -np.inf, diff))), a.shape)
    return Comparison(
        ok=bool(ok.all()),
        shape_ok=True,
        expected_shape=e_shape,
        actual_shape=a_shape,
        max_abs_err=float(diff.max()),
        max_rel_err=float(diff.max()) / scale if scale > 0 else (0.0 if diff.max() == 0 else float("inf")),
        worst_index=tuple(int(i) for i in worst),
        expected_value=float(e[worst]),
        actual_value=float(a[worst]),
        mismatch=~ok,
        nonfinite=bool(np.any(~np.isfinite(a) & np.isfinite(e))),
    )


def describe(value):
    """A short description of a returned value, for messages."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}"
    return f"a {type(value).__name__}"
