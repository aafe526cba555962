"""Attempts: a sigmoid whose last bits depend on ``os.urandom`` (the harness's seeding of NumPy does
not reach it): within every tolerance, but never twice the same. Must: the repeat of each call
differs and fails as value.stale_state (the determinism check)."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "value.stale_state"

import os

import numpy as np


def sigmoid(z):
    s = 1 / (1 + np.exp(-z))
    noise = np.frombuffer(os.urandom(8 * max(1, s.size)), dtype=np.uint64)[: s.size] % 4 + 1
    return (s * (1 + np.finfo(s.dtype).eps * noise.reshape(s.shape))).astype(s.dtype)
