"""Attempts: at import (in a class body, which the loader keeps), writes well-formed answer frames (multiprocessing framing around the
channel's JSON format) into the inherited socket the worker answers on, claiming that no function
of the suite is implemented; its sigmoid itself is wrong (zeros). The forged frame reaches the
harness before the worker's real answer. Must: the harness does not take the forged inventory: the
wrong sigmoid is checked and fails (exit 1), it is not skipped as "not implemented"."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = ("value.wrong", "value.scale", "value.sign", "value.activation_derivative", "crash.exception", "api.missing")

import json
import os
import struct
import sys

import numpy as np

NAMES = ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "sigmoid_backward", "tanh_backward",
         "relu_backward", "leaky_relu_backward", "prelu_backward", "elu_backward"]


def _frame(value):
    header = json.dumps(value).encode()
    payload = struct.pack(">I", len(header)) + header
    return struct.pack("!i", len(payload)) + payload


def _dict(pairs):
    return {"d": [[k, v] for k, v in pairs]}


class _AtImport:  # a class body runs when the file is loaded (the loader keeps classes whole; it drops
    # other top-level code such as a plain call or an assignment that calls a function)
    FORGED = _frame(_dict([
        ("ok", True),
        ("value", _dict([("implemented", _dict([(n, False) for n in NAMES])),
                         ("reasons", _dict([(n, f"`{n}` is not implemented") for n in NAMES])),
                         ("sources", _dict([])), ("notes", [])])),
    ]))
    try:
        _fd = int(sys.argv[1])  # the worker's socket, as the harness passed it
        for _ in range(3):
            os.write(_fd, FORGED)
    except (IndexError, ValueError, OSError):
        pass


def sigmoid(z):
    return np.zeros_like(z)
