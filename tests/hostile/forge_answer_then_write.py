"""Attempts: at every call, write the whole answer itself on the worker's socket (a checkpoint, then
an outcome with the right sigmoid, encoded by the worker's own ``channel``, with the worker's own
canary), before it writes into its input: ``z`` is zeroed only once the harness has its answer and
has looked at the memory; then it ends the worker (``os._exit``), so that the real answer never
comes and the next call starts a fresh worker. Must: no worker of the harness ends or writes between
two calls, so the next call sees that it did and fails (crash.exception); --strict, exit 1."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = ("crash.exception", "side_effect.mutates_input")
STATUS = ("fail", "error", "warn")
ARGS = ["--strict"]

import os
import socket
import struct
import sys

import numpy as np


def _socket():
    for fd in range(3, 64):
        try:
            candidate = socket.socket(fileno=os.dup(fd))
        except OSError:
            continue
        if candidate.type == socket.SOCK_STREAM and candidate.family == socket.AF_UNIX:
            return candidate
        candidate.close()
    return None


def _forge(s):
    serve = sys.modules.get("nnconf.conformance.box.serve")
    channel = sys.modules.get("nnconf.conformance.box.channel")
    protocol = sys.modules.get("nnconf.conformance.box.protocol")
    sock = _socket()
    if serve is None or channel is None or protocol is None or sock is None:
        return False
    frame = protocol.CHECKPOINT
    sock.sendall(struct.pack(">Q", len(frame)) + frame)
    sock.recv(1)
    answer = channel.encode({"ok": True, "value": {"result": s, "second": s.copy(), "names": ["z"], "used": "sigmoid",
                                                   "reached": []},
                             "warnings": [], "stdout": "", "canary": serve._canary_answer()})
    sock.sendall(struct.pack(">Q", len(answer)) + answer)
    return True


def sigmoid(z):
    s = 1 / (1 + np.exp(-z))
    try:
        forged = _forge(s)
    except Exception:  # noqa: BLE001 - a harness of another shape: the attack is moot
        forged = False
    z[...] = 0  # the write, after the harness looked
    if forged:
        os._exit(0)  # the real answer never comes
    return s
