"""Attempts: results too big or too deep to carry back: a list nested 100,000 levels deep, a 290 MB
array (past the 256 MB an answer may take), a dict of two million entries; alternating by call.
Must: the harness neither recurses to death nor runs out of memory; each call fails (crash.exception
for what cannot travel, shape.other for what arrives as a description), the run ends normally."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = ("crash.exception", "crash.resource", "shape.other")

import numpy as np

_CALLS = [0]


def sigmoid(z):
    _CALLS[0] += 1
    kind = (_CALLS[0] - 1) // 2 % 3
    if kind == 0:
        deep = 1 / (1 + np.exp(-z))
        for _ in range(100_000):
            deep = [deep]
        return deep
    if kind == 1:
        return np.zeros((6200, 6200))  # 290 MB
    return {i: 0.5 for i in range(2_000_000)}
