"""Attempts: fill the disk: 50 MB files, one after another, in HOME, TMPDIR and the working
directory (40 of them: 2 GB if nothing stops it). Must: the worker's scratch is bounded
(--max-disk, 200 MB): the writes fail as a full disk, the call fails as crash.resource, nothing is
left after the run."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "crash.resource"

import os
import tempfile

import numpy as np

_CHUNK = b"\0" * 2**20


def sigmoid(z):
    places = [os.path.expanduser("~"), tempfile.gettempdir(), os.getcwd()]
    for i in range(40):
        path = os.path.join(places[i % 3], f"bomb-{i}.bin")
        with open(path, "wb") as handle:
            for _ in range(50):
                handle.write(_CHUNK)
    return 1 / (1 + np.exp(-z))
