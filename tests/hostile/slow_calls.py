"""Attempts: be slow without ever timing out: every call sleeps 2.3 s, so that each check (the call
and its repeat, 4.6 s) stays just under --timeout 5; with --max-time 12 the whole run must still
end. Must: the run stops at its time limit, reports what it could not run as crash.timeout, and
ends well within a minute."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "crash.timeout"
ARGS = ["--max-time", "12"]
MAX_SECONDS = 45

import time

import numpy as np


def sigmoid(z):
    time.sleep(2.3)
    return 1 / (1 + np.exp(-z))
