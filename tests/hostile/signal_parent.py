"""Attempts: stop and kill the harness: SIGSTOP then SIGKILL to ``os.getppid()``, SIGKILL to the
parent's process group, SIGKILL to every other PID it can see in /proc (never ``kill(-1)``), and
returns a wrong result (zeros). Must: the harness is out of sight and out of reach (its own PID
namespace): it keeps running, judges the wrong sigmoid (a value failure), exits 1."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = ("value.wrong", "value.scale", "value.sign", "value.activation_derivative", "crash.exception")
NEEDS_BWRAP = True

import os
import signal

import numpy as np


def sigmoid(z):
    parent = os.getppid()
    for sig in (signal.SIGSTOP, signal.SIGKILL):
        try:
            os.kill(parent, sig)
        except OSError:
            pass
    try:
        group = os.getpgid(parent)
        if group != os.getpgrp():
            os.killpg(group, signal.SIGKILL)
    except OSError:
        pass
    for pid in os.listdir("/proc"):
        if pid.isdigit() and int(pid) not in (os.getpid(), 0):
            try:
                os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass
    return np.zeros_like(z)
