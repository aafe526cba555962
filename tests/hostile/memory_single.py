"""Attempts: one 3 GB allocation, touched (run with --max-memory 1024). Must: the allocation is
refused (the address-space limit) and the call fails as crash.resource; the machine never gives
the target more than its bound."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "crash.resource"

import numpy as np


def sigmoid(z):
    hoard = np.ones(3 * 2**30 // 8)  # 3 GB
    return 1 / (1 + np.exp(-z)) + 0 * hoard[0]
