"""Attempts: get around the per-process address-space limit by forking: five children that each
allocate and touch 500 MB (2.5 GB in all, past --max-memory 1024 counted over every process of the
worker), then wait for them. Must: the worker's control group bounds the total (the kernel kills
inside it); the call fails as crash.resource; no child outlives the run."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "crash.resource"
ARGS = ["--timeout", "30"]  # touching 2.5 GB takes more than the usual 5 s on a loaded 2-core machine

import os
import time

import numpy as np


def sigmoid(z):
    pids = []
    for _ in range(5):
        pid = os.fork()
        if pid == 0:
            try:
                hoard = np.ones(500 * 2**20 // 8)  # 500 MB, touched
                time.sleep(20)
                hoard[0] += 1
            finally:
                os._exit(0)
        pids.append(pid)
    for pid in pids:
        os.waitpid(pid, 0)
    return 1 / (1 + np.exp(-z))
