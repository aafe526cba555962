"""Attempts: a correct sigmoid that writes a 5 MB scratch file in TMPDIR, a cache file in HOME and a
file in its working directory, reads them back and leaves them there. Must: it works (the scratch
folder is the worker's own), the run passes (exit 0) and nothing is left after the run."""
SUITE = "activations"
FUNCTION = "sigmoid"
EXIT = 0

import os
import tempfile

import numpy as np


def sigmoid(z):
    s = 1 / (1 + np.exp(-z))
    with tempfile.NamedTemporaryFile(delete=False, suffix=".npy") as handle:
        np.save(handle, np.zeros(5 * 2**20 // 8))
    cache = os.path.join(os.path.expanduser("~"), ".cache", "sigmoid")
    os.makedirs(cache, exist_ok=True)
    np.save(os.path.join(cache, "last.npy"), s)
    np.save("here.npy", s)
    back = np.load(os.path.join(cache, "last.npy"))
    assert np.array_equal(back, s) and np.array_equal(np.load("here.npy"), s)
    return back
