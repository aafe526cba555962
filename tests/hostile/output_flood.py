"""Attempts: flood the harness with text: print 200 MB in one call, write 100 MB straight to fds 1
and 2, then raise an exception whose message is 50 MB long. Must: the output is bounded (nothing
of it fills the terminal, the JSON or the report), the call fails as crash.exception with a
truncated message."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "crash.exception"

import os


def sigmoid(z):
    print("flood " * (200 * 2**20 // 6))
    block = b"flood " * (2**20 // 6)
    for fd in (1, 2):
        for _ in range(50):
            os.write(fd, block)
    raise ValueError("flood " * (50 * 2**20 // 6))
