"""Attempts: a correct sigmoid that prints about 30 MB per call (print, sys.__stdout__, raw writes to
fds 1 and 2, warnings). Must: the output is bounded and dropped, the run passes (exit 0)."""
SUITE = "activations"
FUNCTION = "sigmoid"
EXIT = 0

import os
import sys
import warnings

import numpy as np

_LINE = "noise " * 170 + "\n"  # about 1 kB


def sigmoid(z):
    for _ in range(10_000):  # 10 MB through print
        print(_LINE, end="")
    sys.__stdout__.write(_LINE * 5_000)
    sys.__stderr__.write(_LINE * 5_000)
    for fd in (1, 2):
        os.write(fd, (_LINE * 5_000).encode())
    warnings.warn("a warning from a correct sigmoid")
    return 1 / (1 + np.exp(-z))
