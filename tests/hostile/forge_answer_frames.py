"""Attempts: at import (in a class body, which the loader keeps), writes well-formed answers into the
inherited socket the worker answers on, framed and encoded by the worker's own code (its ``Line``
class and ``nnconf.conformance.box.channel.encode``, found in ``sys.modules``, so that the forgery
keeps up with the harness), with the worker's own canary values: an inventory claiming that no
function of the suite is implemented. Its sigmoid itself is wrong (zeros). The forged answers
reach the harness before the worker's real one. Must: the harness does not take the forged
inventory: the wrong sigmoid is checked and fails, or the function or suite errors; it is never
skipped as "not implemented" (exit 1)."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = ("value.wrong", "value.scale", "value.sign", "value.activation_derivative", "crash.exception", "api.missing")
RECORD = ("sigmoid", "*")

import os
import socket
import sys

import numpy as np

NAMES = ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "sigmoid_backward", "tanh_backward",
         "relu_backward", "leaky_relu_backward", "prelu_backward", "elu_backward"]


class _AtImport:  # a class body runs when the file is loaded (the loader keeps classes whole; it drops
    # other top-level code such as a plain call or an assignment that calls a function)
    try:
        worker = sys.modules["__main__"]
        channel = sys.modules["nnconf.conformance.box.channel"]
        line = worker.Line(socket.socket(fileno=os.dup(int(sys.argv[1]))))  # the worker's socket, as passed
        canary = worker._canary_answer() if hasattr(worker, "_canary_answer") else worker.numpy_canary()
        forged = channel.encode({
            "ok": True,
            "value": {"implemented": dict.fromkeys(NAMES, False),
                      "reasons": dict.fromkeys(NAMES, "not implemented"), "sources": {}, "notes": []},
            "canary": canary,
        })
        for _ in range(3):
            line.send(forged)
    except Exception as exc:  # noqa: BLE001 - a harness of another shape: the attack is moot
        failed = repr(exc)


def sigmoid(z):
    return np.zeros_like(z)
