"""Name the bug: test hypotheses about a wrong result against the expected one.

:func:`diagnose_shape` and :func:`diagnose_values` return a bug class of SPEC Part 3 and a
sentence that says what the result looks like; ``bug_classes.explain`` says each class in plain
words with what to change.
"""

import numpy as np

from nnconf.conformance.judging.compare import as_array, close_mask


def diagnose_shape(actual_shape, expected_shape, sources=()):
    """Bug class for a shape mismatch (both tuples; actual may be None for a non-array).

    ``sources``: shapes of the call's input arrays; a result that is one of them summed over
    another axis than the expected result is a sum over the wrong axis.
    """
    if actual_shape is None:
        return "shape.other", "not an array"
    actual_shape, expected_shape = tuple(actual_shape), tuple(expected_shape)
    size = int(np.prod(expected_shape))
    if len(actual_shape) == 1 and len(expected_shape) == 2 and 1 in expected_shape and actual_shape[0] == size:
        return "shape.rank1", f"rank-1 {actual_shape} instead of {expected_shape}"
    if len(actual_shape) == len(expected_shape) >= 2 and actual_shape == expected_shape[::-1]:
        return "shape.transposed", f"{actual_shape} is the transpose of {expected_shape}"
    try:
        np.broadcast_shapes(actual_shape, expected_shape)
        return "shape.broadcast", f"{actual_shape} broadcasts against {expected_shape} but is not it"
    except ValueError:
        pass
    for source in sources:
        sums = _sums(tuple(source))
        if expected_shape in sums and actual_shape in sums:
            return "shape.broadcast", f"{actual_shape} is an input of shape {tuple(source)} summed over the wrong axis"
    return "shape.other", f"{actual_shape} instead of {expected_shape}"


def _sums(shape):
    """The shapes of sums of an array of ``shape`` over one axis, with and without keepdims."""
    return {shape[:k] + shape[k + 1:] for k in range(len(shape))} | {
        shape[:k] + (1,) + shape[k + 1:] for k in range(len(shape))}


def diagnose_values(actual, expected, *, atol, rtol, m=None, alternatives=None, kink_mask=None, previous=None):
    """Bug class for same-shape values that differ.

    ``m``: the number of examples (tests the factor m and 1/m); ``alternatives``: name -> array
    of what a known wrong formula gives (another activation's derivative, g'(A) instead of g'(Z));
    ``kink_mask``: where the input sits on a kink; ``previous``: the result of an earlier call
    (a stale layer state gives it again).
    """
    a, e = as_array(actual), as_array(expected)
    close = lambda x, y: x is not None and x.shape == y.shape and bool(close_mask(x, y, atol, rtol).all())  # noqa: E731
    bad = ~close_mask(a, e, atol, rtol)
    if np.any(~np.isfinite(a) & np.isfinite(e)):
        return "value.nonfinite", "NaN or inf where the expected value is finite"
    if a.ndim == 2 and a.shape[0] == a.shape[1] > 1 and not close(e.T, e) and close(a, e.T):
        return "value.transposed", "the values are the transpose of the expected ones"
    if kink_mask is not None and np.any(kink_mask):
        kink = np.broadcast_to(kink_mask, a.shape)
        if not np.any(bad & ~kink):
            return "value.kink", f"differs only at the {int(np.sum(bad))} element(s) where the input is exactly 0"
    if previous is not None and close(as_array(previous), a):
        return "value.stale_state", "equals the result of the previous call, not of this one"
    for name, alternative in (alternatives or {}).items():
        alternative = as_array(alternative)  # a hypothesis that gives the right value explains nothing
        if close(a, alternative) and not close(alternative, e):
            return "value.activation_derivative", f"equals {name}"
    factor = _fitted_factor(a, e, atol, rtol)
    if factor is not None:
        bug, words = _factor_class(factor, m)
        # one number is always a multiple of another: only -1 and m say something there
        if e.size > 1 or bug != "value.scale":
            return bug, words
    return "value.wrong", None


def _fitted_factor(a, e, atol, rtol):
    """c such that a = c e (least squares), when that fits to tolerance and c is clearly not 1
    (a forward difference is off by a factor like 0.99999: that is no "constant" bug)."""
    denominator = float(np.sum(e * e))
    if denominator == 0 or not np.all(np.isfinite(a)):
        return None
    c = float(np.sum(a * e)) / denominator
    if c == 0 or not close_mask(a, c * e, atol, rtol * 10).all() or abs(c - 1) < 1e-3:
        return None
    return c


def _factor_class(c, m):
    near = lambda x, y: abs(x - y) <= 1e-6 * max(abs(y), 1)  # noqa: E731
    if m and m > 1 and any(near(abs(c), f) for f in (m, 1 / m)):
        sign = "-" if c < 0 else ""
        return "value.scale_m", f"off by a factor {sign}{'m' if abs(c) > 1 else '1/m'} (m = {m}; measured {c:.6g})"
    if near(c, -1):
        return "value.sign", "the negative of the expected values"
    return "value.scale", f"off by a constant factor {c:.6g}"
