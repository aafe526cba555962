"""Attempts: fork 200 processes that each sleep 60 s (a fork bomb held short of exponential), and
go on after refused forks. Must: the worker's control group refuses past --max-processes (32); the
call fails as crash.resource; no process outlives the run."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "crash.resource"

import os
import time

import numpy as np


def sigmoid(z):
    started = 0
    for _ in range(200):
        try:
            pid = os.fork()
        except OSError:
            continue  # refused: try again
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        started += 1
    return 1 / (1 + np.exp(-z))
