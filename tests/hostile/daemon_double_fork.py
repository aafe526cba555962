"""Attempts: on its first call, a correct sigmoid double-forks a daemon (setsid, stdio closed,
SIGTERM/SIGHUP ignored) that for 30 s keeps trying to rewrite the run's JSON and report, to leave a
file in the harness's folder and in HOME, and to outlive the worker. Must: the daemon dies with the
worker (its PID namespace / control group): no process outlives the run, the outputs are the
harness's own and unchanged afterwards, no file is left; the sigmoid itself passes (exit 0)."""
SUITE = "activations"
FUNCTION = "sigmoid"
EXIT = 0

import os
import signal
import time

import numpy as np

_STARTED = []


def _targets():
    here = os.path.dirname(os.path.abspath(__file__))
    home = os.path.dirname(here)  # the learner's work folder sits in HOME
    return [os.path.join(here, "out.json"), os.path.join(here, "report", "report.html"),
            os.path.join(here, "HOSTILE-SUCCEEDED-daemon"), os.path.join(home, "HOSTILE-SUCCEEDED-daemon"),
            os.path.join(home, ".bashrc")]


def _daemon():
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    for fd in range(0, 64):
        try:
            os.close(fd)
        except OSError:
            pass
    end = time.time() + 30
    while time.time() < end:
        for path in _targets():
            try:
                with open(path, "a") as handle:
                    handle.write("HOSTILE-SUCCEEDED daemon\n")
            except OSError:
                pass
        time.sleep(0.2)


def sigmoid(z):
    if not _STARTED:
        _STARTED.append(True)
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                try:
                    _daemon()
                finally:
                    os._exit(0)
            os._exit(0)
        os.wait()
    return 1 / (1 + np.exp(-z))
