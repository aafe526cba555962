"""Attempts: writes garbage into every inherited file descriptor 3..64 (the answer socket among
them): a length header of -1 with an absurd 64-bit length, then a header promising 1000 bytes
followed by three, then keeps the call alive. Must: the harness treats the worker as dead or
garbled (crash.exception), never hangs past the call's time limit, never crashes itself."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = ("crash.exception", "crash.timeout")

import os
import time

import numpy as np


def sigmoid(z):
    for fd in range(3, 65):
        for garbage in (b"\xff\xff\xff\xff" + b"\x7f" * 8 + b"garbage", (1000).to_bytes(4, "big") + b"abc"):
            try:
                os.write(fd, garbage)
            except OSError:
                pass
    time.sleep(3)
    return 1 / (1 + np.exp(-z))
