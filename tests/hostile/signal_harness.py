"""Attempts: stop and kill the harness: SIGSTOP then SIGKILL to ``os.getppid()``, SIGSTOP and SIGKILL
to the parent's process group, SIGKILL to every other PID it can see in /proc (never
``kill(-1)``); then returns a wrong result (zeros), except that every second check it kills its own
process group (``os.killpg(os.getpgrp(), SIGKILL)``). Must: the harness is out of sight and out of
reach (its own PID namespace; in neither group): it keeps running, judges the wrong sigmoid (a
value failure, or crash.exception for the worker that killed itself), exits 1."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = ("value.wrong", "value.scale", "value.sign", "value.activation_derivative", "crash.exception")
NEEDS_BWRAP = True

import os
import signal

import numpy as np

_CALLS = [0]


def sigmoid(z):
    _CALLS[0] += 1
    parent = os.getppid()
    for sig in (signal.SIGSTOP, signal.SIGKILL):
        try:
            os.kill(parent, sig)
        except OSError:
            pass
        try:
            group = os.getpgid(parent)
            if group != os.getpgrp():
                os.killpg(group, sig)
        except OSError:
            pass
    for pid in os.listdir("/proc"):
        if pid.isdigit() and int(pid) != os.getpid():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass
    if _CALLS[0] % 4 == 3:  # the first call of every second check (a check calls twice)
        try:
            os.killpg(os.getpgrp(), signal.SIGKILL)
        except OSError:
            os.kill(0, signal.SIGKILL)  # its own process group, however it is numbered here
    return np.zeros_like(z)
