"""The one tolerance table. Every comparison of the harness takes its tolerance from here.

An element passes when |actual - expected| <= atol * scale + rtol * |expected|, where scale is
max(1, max |expected|) of the whole array (so cancellation in a sum does not fail a float32
result whose inputs were large). Keys:

- ``value``: forward results and gradients against the float64 PyTorch reference;
- ``fd``: gradients against central differences of the target's own forward (float64 inputs,
  h = 1e-6: truncation error O(h^2) and rounding O(eps / h) both ~1e-10 relative);
- ``direction``: the random-direction check (one number per direction);
- ``book_delta``: ``cross_entropy_error`` may add delta <= 1e-7 inside the log, as the book does:
  log(y + 1e-7) - log(y) <= 1e-7 / y, so the absolute tolerance admits it for y >= 0.01.
"""

import numpy as np

TOLERANCES = {
    "float64": {
        "value": {"atol": 1e-9, "rtol": 1e-6},
        "fd": {"atol": 1e-7, "rtol": 1e-5},
        "direction": {"atol": 1e-7, "rtol": 1e-5},
        "book_delta": {"atol": 2e-5, "rtol": 1e-6},
    },
    "float32": {
        "value": {"atol": 1e-5, "rtol": 2e-4},
        "fd": {"atol": 1e-3, "rtol": 1e-2},
        "direction": {"atol": 1e-3, "rtol": 1e-2},
        "book_delta": {"atol": 2e-5, "rtol": 2e-4},
    },
}

FD_STEP = 1e-6


def tolerance(kind, dtype=np.float64):
    """The (atol, rtol) dict for a kind of comparison at an input dtype (float32 or float64)."""
    key = "float32" if np.dtype(dtype) == np.float32 else "float64"
    return dict(TOLERANCES[key][kind])
